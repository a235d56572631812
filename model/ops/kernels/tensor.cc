// Kernels that make or rearrange tensors without arithmetic: Size, Expand,
// Range, Slice, Pad, Trilu, ReverseSequence; and CumSum.
#include <cmath>

#include "model/ops/gather.h"
#include "model/ops/kernels/common.h"
#include "model/ops/registry.h"
#include "model/ops/slice.h"

namespace onnxscope::ops::kernels {
namespace {

void k_size(KernelContext& ctx) {
  Tensor& y = ctx.output(0, DType::Int64, {});
  y.data<int64_t>()[0] = static_cast<int64_t>(ctx.input(0).count());
}

// Copies x broadcast to `shape` into y (any dtype, strings included).
void broadcast_copy(const KernelContext& ctx, const Tensor& x, Tensor& y) {
  Tensor shape_only(DType::Bool, {});
  Tensor target = shape_only.reshaped(y.shape());
  Broadcast bc(ctx, {&x, &target});
  if (x.dtype() == DType::String) {
    bc.each(1, [&](uint64_t i, const std::vector<int64_t>& o) { y.data<std::string>()[i] = x.data<std::string>()[o[0]]; });
    return;
  }
  size_t w = value::elem_size(x.dtype());
  const auto* in = static_cast<const std::byte*>(x.raw());
  auto* out = static_cast<std::byte*>(y.raw_mut());
  bc.each(1, [&](uint64_t i, const std::vector<int64_t>& o) { std::memcpy(out + i * w, in + o[0] * w, w); });
}

void k_expand(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> want = ctx.input(1).ints();
  for (int64_t d : want) {
    if (d < 0) kernel_fail(Code::RunFailed, "{}: the shape input holds {}", ctx.label(), d);
  }
  // The output is the broadcast of x's shape and the requested one.
  Tensor probe = Tensor(DType::Bool, {}).reshaped(want);
  std::vector<int64_t> shape = broadcast_shape(ctx, {&x, &probe});
  Tensor& y = ctx.output(0, x.dtype(), shape);
  broadcast_copy(ctx, x, y);
}

void k_range(KernelContext& ctx) {
  const Tensor& s = ctx.input(0);
  const Tensor& l = ctx.input(1);
  const Tensor& d = ctx.input(2);
  double start = s.as_double(0), limit = l.as_double(0), delta = d.as_double(0);
  if (std::isnan(start) || std::isnan(limit) || std::isnan(delta)) {
    kernel_fail(Code::RunFailed, "{}: start, limit or delta is NaN", ctx.label());
  }
  if (delta == 0) kernel_fail(Code::RunFailed, "{}: delta is 0", ctx.label());
  double n = std::ceil((limit - start) / delta);
  if (!std::isfinite(n)) kernel_fail(Code::RunFailed, "{}: an unbounded range ({} to {} by {})", ctx.label(), start, limit, delta);
  int64_t count = n > 0 ? static_cast<int64_t>(std::min(n, 9.0e18)) : 0;
  Tensor& y = ctx.output(0, s.dtype(), {count});
  visit_numeric(s.dtype(), [&](auto z) {
    using T = decltype(z);
    T* out = y.data<T>();
    if constexpr (std::is_integral_v<T>) {
      int64_t a = s.as_int(0), st = d.as_int(0);
      for (int64_t i = 0; i < count; ++i) out[i] = static_cast<T>(a + i * st);
    } else {
      Acc<T> a = load(s.data<T>()[0]), st = load(d.data<T>()[0]);
      for (int64_t i = 0; i < count; ++i) out[i] = store<T>(a + static_cast<Acc<T>>(i) * st);
    }
  });
}

// Per axis of the input: where a strided selection starts, its step and
// its length. Copies it into y (of the selection's shape).
void strided_copy(const Tensor& x, const std::vector<int64_t>& start, const std::vector<int64_t>& step, Tensor& y) {
  if (y.count() == 0) return;
  size_t r = x.rank();
  if (r == 0) return copy_elems(x, 0, y, 0, 1);
  std::vector<int64_t> xs = strides_of(x.shape());
  int64_t base = 0;
  for (size_t a = 0; a < r; ++a) base += start[a] * xs[a];
  std::vector<int64_t> idx(r, 0);
  int64_t off = base;
  for (uint64_t i = 0; i < y.count(); ++i) {
    copy_elems(x, static_cast<uint64_t>(off), y, i, 1);
    for (size_t a = r; a-- > 0;) {
      off += step[a] * xs[a];
      if (++idx[a] < y.dim(a)) break;
      off -= step[a] * xs[a] * y.dim(a);
      idx[a] = 0;
    }
  }
}

// Slice over starts/ends/axes/steps as the spec gives them: negative starts
// and ends count from the end, then clamp to [0, dim] (step > 0) or
// [-1, dim - 1] (step < 0).
void slice(KernelContext& ctx, const std::vector<int64_t>& starts, const std::vector<int64_t>& ends,
           std::optional<std::vector<int64_t>> axes, std::optional<std::vector<int64_t>> steps) {
  const Tensor& x = ctx.input(0);
  size_t r = x.rank(), n = starts.size();
  if (!axes) {
    axes.emplace(n);
    for (size_t i = 0; i < n; ++i) (*axes)[i] = static_cast<int64_t>(i);
  }
  if (!steps) steps = std::vector<int64_t>(n, 1);
  if (ends.size() != n || axes->size() != n || steps->size() != n) {
    kernel_fail(Code::SliceArgs, "{}: starts, ends, axes and steps of {}, {}, {} and {} entries", ctx.label(), n, ends.size(),
                axes->size(), steps->size());
  }
  std::vector<int64_t> start(r, 0), step(r, 1), shape = x.shape();
  std::vector<bool> seen(r, false);
  for (size_t i = 0; i < n; ++i) {
    size_t a = axis_of(ctx, (*axes)[i], r, "axes entry");
    if (seen[a]) kernel_fail(Code::SliceArgs, "{}: axis {} is sliced twice", ctx.label(), a);
    seen[a] = true;
    int64_t d = x.dim(a), st = (*steps)[i];
    if (st == 0) kernel_fail(Code::SliceStep, "{}: step 0 on axis {}", ctx.label(), a);
    // A step longer than the axis selects one element at most either way;
    // bounding it keeps the arithmetic below in range.
    st = std::clamp<int64_t>(st, -(d + 1), d + 1);
    int64_t b = starts[i], e = ends[i];
    if (b < 0) b += d;
    if (e < 0) e += d;
    if (st > 0) {
      b = std::clamp<int64_t>(b, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
    } else {
      b = std::clamp<int64_t>(b, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
    }
    // ceil((e - b) / st), none when negative.
    int64_t len = st > 0 ? (e > b ? (e - b - 1) / st + 1 : 0) : (b > e ? (b - e - 1) / -st + 1 : 0);
    start[a] = b;
    step[a] = st;
    shape[a] = len;
  }
  Tensor& y = ctx.output(0, x.dtype(), shape);
  strided_copy(x, start, step, y);
}

void k_slice1(KernelContext& ctx) {
  const auto a = read<SliceAttrs>(ctx.attrs());
  if (!a.starts || !a.ends) kernel_fail(Code::MissingAttribute, "{}: no starts or ends attribute", ctx.label());
  slice(ctx, *a.starts, *a.ends, a.axes, std::nullopt);
}

void k_slice10(KernelContext& ctx) {
  std::optional<std::vector<int64_t>> axes, steps;
  if (ctx.has_input(3)) axes = ctx.input(3).ints();
  if (ctx.has_input(4)) steps = ctx.input(4).ints();
  slice(ctx, ctx.input(1).ints(), ctx.input(2).ints(), axes, steps);
}

// Pad: negative pads crop first, then the kept part is padded (numpy.pad
// on the cropped array, as the spec's modes are numpy's).
void pad(KernelContext& ctx, std::string_view mode, const std::vector<int64_t>& pads_in,
         std::optional<std::vector<int64_t>> axes_in, const Tensor* fill) {
  const Tensor& x = ctx.input(0);
  size_t r = x.rank();
  if (mode != "constant" && mode != "reflect" && mode != "edge" && !(mode == "wrap" && ctx.version() >= 19)) {
    kernel_fail(Code::PadMode, "{}: mode \"{}\"", ctx.label(), mode);
  }
  std::vector<int64_t> axes;
  if (axes_in) {
    axes = *axes_in;
  } else {
    for (size_t a = 0; a < r; ++a) axes.push_back(static_cast<int64_t>(a));
  }
  if (pads_in.size() != 2 * axes.size()) {
    kernel_fail(Code::PadArgs, "{}: {} pads for {} axes (two per axis)", ctx.label(), pads_in.size(), axes.size());
  }
  std::vector<int64_t> before(r, 0), after(r, 0);
  std::vector<bool> seen(r, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    size_t a = axis_of(ctx, axes[i], r, "axes entry");
    if (seen[a]) kernel_fail(Code::PadArgs, "{}: axis {} is given twice", ctx.label(), a);
    seen[a] = true;
    before[a] = pads_in[i];
    after[a] = pads_in[i + axes.size()];
  }
  // Per axis: the kept input range [lo, lo + kept) and the output length.
  std::vector<int64_t> lo(r), kept(r), shape(r);
  for (size_t a = 0; a < r; ++a) {
    int64_t d = x.dim(a);
    lo[a] = std::max<int64_t>(0, -before[a]);
    kept[a] = d - lo[a] - std::max<int64_t>(0, -after[a]);
    if (kept[a] < 0 || std::abs(before[a]) > (int64_t{1} << 40) || std::abs(after[a]) > (int64_t{1} << 40)) {
      kernel_fail(Code::PadArgs, "{}: pads {} and {} on axis {} of dimension {}", ctx.label(), before[a], after[a], a, d);
    }
    shape[a] = kept[a] + std::max<int64_t>(0, before[a]) + std::max<int64_t>(0, after[a]);
    if (mode != "constant" && kept[a] == 0 && shape[a] > 0) {
      kernel_fail(Code::PadArgs, "{}: mode \"{}\" pads axis {}, which has no elements to repeat", ctx.label(), mode, a);
    }
  }
  Tensor& y = ctx.output(0, x.dtype(), shape);
  if (y.count() == 0) return;
  std::vector<int64_t> xs = strides_of(x.shape());
  std::vector<int64_t> idx(r, 0);
  for (uint64_t i = 0; i < y.count(); ++i) {
    int64_t off = 0;
    bool outside = false;
    for (size_t a = 0; a < r && !outside; ++a) {
      int64_t k = kept[a], c = idx[a] - std::max<int64_t>(0, before[a]);
      if (c < 0 || c >= k) {
        if (mode == "constant") {
          outside = true;
        } else if (mode == "edge") {
          c = c < 0 ? 0 : k - 1;
        } else if (mode == "wrap") {
          c = ((c % k) + k) % k;
        } else if (k == 1) {
          c = 0;
        } else {  // reflect, without repeating the edge, as often as needed
          int64_t period = 2 * (k - 1);
          c = ((c % period) + period) % period;
          if (c >= k) c = period - c;
        }
      }
      off += (lo[a] + c) * xs[a];
    }
    if (outside) {
      if (fill) copy_elems(*fill, 0, y, i, 1);
    } else {
      copy_elems(x, static_cast<uint64_t>(off), y, i, 1);
    }
    for (size_t a = r; a-- > 0;) {
      if (++idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
}

// The constant of Pad-1 and -2, a float attribute, in the input's type.
Tensor fill_of(const Tensor& x, float v) {
  Tensor t(x.dtype(), {});
  if (x.dtype() != DType::String) {
    visit_numeric(x.dtype(), [&](auto z) {
      using T = decltype(z);
      t.data<T>()[0] = store<T>(static_cast<Acc<T>>(v));
    });
  }
  return t;
}

void k_pad1(KernelContext& ctx) {
  const auto a = read<Pad1Attrs>(ctx.attrs());
  if (!a.paddings) kernel_fail(Code::MissingAttribute, "{}: no paddings attribute", ctx.label());
  Tensor fill = fill_of(ctx.input(0), a.value);
  pad(ctx, a.mode, *a.paddings, std::nullopt, &fill);
}

void k_pad2(KernelContext& ctx) {
  const auto a = read<Pad2Attrs>(ctx.attrs());
  if (!a.pads) kernel_fail(Code::MissingAttribute, "{}: no pads attribute", ctx.label());
  Tensor fill = fill_of(ctx.input(0), a.value);
  pad(ctx, a.mode, *a.pads, std::nullopt, &fill);
}

void k_pad11(KernelContext& ctx) {
  const auto a = read<Pad11Attrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  // constant_value: a scalar of the input's type; none: 0, "" or false.
  Tensor zero(x.dtype(), {});
  const Tensor* fill = &zero;
  if (ctx.has_input(2)) {
    fill = &ctx.input(2);
    if (fill->dtype() != x.dtype() || fill->count() != 1) {
      kernel_fail(Code::PadArgs, "{}: constant_value is {}[{}], not one element of {}", ctx.label(), dtype_name(fill->dtype()),
                  fmt::join(fill->shape(), ","), dtype_name(x.dtype()));
    }
  }
  std::optional<std::vector<int64_t>> axes;
  if (ctx.has_input(3)) axes = ctx.input(3).ints();  // Pad-18 on
  pad(ctx, a.mode, ctx.input(1).ints(), axes, fill);
}

void k_trilu(KernelContext& ctx) {
  const auto a = read<TriluAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) kernel_fail(Code::InputRank, "{}: the input [{}] has rank below 2", ctx.label(), fmt::join(x.shape(), ","));
  int64_t k = 0;
  if (ctx.has_input(1)) {
    if (ctx.input(1).count() != 1) kernel_fail(Code::ScalarInput, "{}: k holds {} elements", ctx.label(), ctx.input(1).count());
    k = ctx.input(1).as_int(0);
  }
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  int64_t rows = x.dim(x.rank() - 2), cols = x.dim(x.rank() - 1);
  uint64_t mats = static_cast<uint64_t>(span_size(x.shape(), 0, x.rank() - 2));
  // Keep j - i >= k (upper) or j - i <= k (lower); zeros elsewhere. k is
  // compared in 128 bits so that huge values do not overflow.
  for (uint64_t m = 0; m < mats; ++m) {
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = 0; j < cols; ++j) {
        __int128 diff = static_cast<__int128>(j) - i;
        bool keep = a.upper ? diff >= k : diff <= k;
        uint64_t at = (m * static_cast<uint64_t>(rows) + static_cast<uint64_t>(i)) * static_cast<uint64_t>(cols) + static_cast<uint64_t>(j);
        if (keep) copy_elems(x, at, y, at, 1);
      }
    }
  }
}

void k_cumsum(KernelContext& ctx) {
  const auto a = read<CumSumAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& axis_t = ctx.input(1);
  if (axis_t.count() != 1) kernel_fail(Code::ScalarInput, "{}: axis holds {} elements", ctx.label(), axis_t.count());
  size_t axis = axis_of(ctx, axis_t.as_int(0), x.rank());
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  // An empty tensor's other dims may still multiply to 2^62: nothing to visit.
  if (x.count() == 0) return;
  int64_t outer = span_size(x.shape(), 0, axis), inner = span_size(x.shape(), axis + 1, x.rank()), d = x.dim(axis);
  visit_arithmetic(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t k = 0; k < inner; ++k) {
        Acc<T> acc{};
        for (int64_t t = 0; t < d; ++t) {
          int64_t j = a.reverse ? d - 1 - t : t;
          int64_t at = (o * d + j) * inner + k;
          Acc<T> v = load(in[at]);
          if (a.exclusive) {
            out[at] = store<T>(acc);
            acc = wrapping<std::plus<>>(acc, v);
          } else {
            acc = wrapping<std::plus<>>(acc, v);
            out[at] = store<T>(acc);
          }
        }
      }
    }
  });
}

void k_reverse_sequence(KernelContext& ctx) {
  const auto a = read<ReverseSequenceAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& lens = ctx.input(1);
  if (x.rank() < 2) kernel_fail(Code::InputRank, "{}: the input [{}] has rank below 2", ctx.label(), fmt::join(x.shape(), ","));
  if ((a.time_axis != 0 && a.time_axis != 1) || (a.batch_axis != 0 && a.batch_axis != 1) || a.time_axis == a.batch_axis) {
    kernel_fail(Code::AttributeValue, "{}: time_axis {} and batch_axis {} are not 0 and 1", ctx.label(), a.time_axis, a.batch_axis);
  }
  size_t ta = static_cast<size_t>(a.time_axis), ba = static_cast<size_t>(a.batch_axis);
  int64_t steps = x.dim(ta), batch = x.dim(ba);
  if (lens.count() != static_cast<uint64_t>(batch)) {
    kernel_fail(Code::IndexShape, "{}: sequence_lens holds {} lengths for a batch of {}", ctx.label(), lens.count(), batch);
  }
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  copy_elems(x, 0, y, 0, x.count());
  std::vector<int64_t> xs = strides_of(x.shape());
  uint64_t inner = static_cast<uint64_t>(span_size(x.shape(), 2, x.rank()));
  for (int64_t b = 0; b < batch; ++b) {
    int64_t len = lens.as_int(static_cast<uint64_t>(b));
    if (len < 0 || len > steps) {
      kernel_fail(Code::RunIndexRange, "{}: sequence length {} of batch {} is outside [0, {}]", ctx.label(), len, b, steps);
    }
    for (int64_t t = 0; t < len; ++t) {
      uint64_t from = static_cast<uint64_t>((len - 1 - t) * xs[ta] + b * xs[ba]);
      uint64_t to = static_cast<uint64_t>(t * xs[ta] + b * xs[ba]);
      copy_elems(x, from, y, to, inner);
    }
  }
}

}  // namespace

void register_tensor(Registry& r) {
  r.set_kernel("", "Size", 1, k_size);
  r.set_kernel("", "Expand", 8, k_expand);
  r.set_kernel("", "Range", 11, k_range);
  r.set_kernel("", "Slice", 1, k_slice1, 9);
  r.set_kernel("", "Slice", 10, k_slice10);
  r.set_kernel("", "Pad", 1, k_pad1, 1);
  r.set_kernel("", "Pad", 2, k_pad2, 10);
  r.set_kernel("", "Pad", 11, k_pad11);
  r.set_kernel("", "Trilu", 14, k_trilu);
  r.set_kernel("", "CumSum", 11, k_cumsum);
  r.set_kernel("", "ReverseSequence", 10, k_reverse_sequence);
}

}  // namespace onnxscope::ops::kernels
