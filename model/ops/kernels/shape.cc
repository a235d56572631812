// Kernels of shape manipulation: Shape, Reshape, Flatten, Squeeze,
// Unsqueeze, Transpose, Concat, Split, Tile, DepthToSpace, SpaceToDepth.
// Reshapes are views of their input's buffer; the others copy elements of
// any dtype, strings included.
#include <algorithm>
#include <cstring>

#include "model/ops/kernels/common.h"
#include "model/ops/registry.h"
#include "model/ops/sampling.h"
#include "model/ops/shape.h"

namespace onnxscope::ops::kernels {

void copy_elems(const Tensor& src, uint64_t from, Tensor& dst, uint64_t to, uint64_t n) {
  if (n == 0) return;
  if (src.dtype() == DType::String) {
    const std::string* in = src.data<std::string>() + from;
    std::string* out = dst.data<std::string>() + to;
    for (uint64_t i = 0; i < n; ++i) out[i] = in[i];
    return;
  }
  size_t w = value::elem_size(src.dtype());
  std::memcpy(static_cast<std::byte*>(dst.raw_mut()) + to * w, static_cast<const std::byte*>(src.raw()) + from * w, n * w);
}

void permute_copy(const Tensor& x, const std::vector<size_t>& perm, Tensor& y) {
  size_t r = x.rank();
  if (y.count() == 0) return;
  std::vector<int64_t> xs = strides_of(x.shape());
  // Output axis a walks input axis perm[a]; axes of size 1 are dropped and
  // neighbours that stay neighbours in the input are merged.
  std::vector<int64_t> step, dims;
  for (size_t a = 0; a < r; ++a) {
    const int64_t d = x.dim(perm[a]), st = xs[perm[a]];
    if (d == 1) continue;
    if (!dims.empty() && step.back() == st * d) {
      dims.back() *= d;
      step.back() = st;
    } else {
      dims.push_back(d);
      step.push_back(st);
    }
  }
  if (dims.empty()) dims = {1}, step = {1};
  r = dims.size();
  const int64_t len = dims[r - 1], inner = step[r - 1];
  const uint64_t rows = y.count() / uint64_t(len);
  std::vector<int64_t> idx(r, 0);
  int64_t off = 0;
  // Calls put(output index, input offset of the row, its input step) for
  // each row of the last merged axis.
  auto each_row = [&](auto&& put) {
    for (uint64_t i = 0; i < rows; ++i) {
      put(i * uint64_t(len), off);
      for (size_t a = r - 1; a-- > 0;) {
        ++idx[a];
        off += step[a];
        if (idx[a] < dims[a]) break;
        off -= step[a] * dims[a];
        idx[a] = 0;
      }
    }
  };
  if (x.dtype() == DType::String) {
    each_row([&](uint64_t i, int64_t o) {
      for (int64_t j = 0; j < len; ++j) y.data<std::string>()[i + uint64_t(j)] = x.data<std::string>()[o + j * inner];
    });
    return;
  }
  size_t w = value::elem_size(x.dtype());
  const auto* in = static_cast<const std::byte*>(x.raw());
  auto* out = static_cast<std::byte*>(y.raw_mut());
  if (inner == 1) {
    each_row([&](uint64_t i, int64_t o) { std::memcpy(out + i * w, in + o * w, size_t(len) * w); });
    return;
  }
  auto strided = [&](auto z) {
    using U = decltype(z);
    each_row([&](uint64_t i, int64_t o) {
      for (int64_t j = 0; j < len; ++j) std::memcpy(out + (i + uint64_t(j)) * sizeof(U), in + (o + j * inner) * int64_t(sizeof(U)), sizeof(U));
    });
  };
  switch (w) {
    case 1: return strided(uint8_t{});
    case 2: return strided(uint16_t{});
    case 4: return strided(uint32_t{});
    case 8: return strided(uint64_t{});
    default:
      each_row([&](uint64_t i, int64_t o) {
        for (int64_t j = 0; j < len; ++j) std::memcpy(out + (i + uint64_t(j)) * w, in + (o + j * inner) * int64_t(w), w);
      });
  }
}

namespace {

void k_shape(KernelContext& ctx) {
  const auto a = read<ShapeAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  // Shape-15: start and end clamp to [0, rank] after adding the rank to
  // negative values; an empty slice when start >= end.
  int64_t r = static_cast<int64_t>(x.rank());
  auto clamp = [&](int64_t v) { return std::clamp(v < 0 ? v + r : v, int64_t{0}, r); };
  int64_t start = clamp(a.start), end = clamp(a.end.value_or(r));
  int64_t n = std::max<int64_t>(0, end - start);
  Tensor& y = ctx.output(0, DType::Int64, {n});
  for (int64_t i = 0; i < n; ++i) y.data<int64_t>()[i] = x.dim(static_cast<size_t>(start + i));
}

// The output shape of Reshape: 0 copies the input's dimension (unless
// allowzero), -1 takes what remains.
std::vector<int64_t> reshape_dims(const KernelContext& ctx, const Tensor& x, std::vector<int64_t> want, bool allowzero) {
  int64_t infer = -1;
  bool zero = false;
  for (size_t i = 0; i < want.size(); ++i) {
    int64_t& d = want[i];
    if (d == 0 && !allowzero) {
      if (i >= x.rank()) {
        kernel_fail(Code::ReshapeCount, "{}: shape entry {} is 0 (copy the input's dimension), but the input [{}] has rank {}",
                    ctx.label(), i, fmt::join(x.shape(), ","), x.rank());
      }
      d = x.dim(i);
    } else if (d == -1) {
      if (infer >= 0) kernel_fail(Code::ReshapeCount, "{}: the shape has more than one -1", ctx.label());
      infer = static_cast<int64_t>(i);
    } else if (d < -1) {
      kernel_fail(Code::NegativeDim, "{}: shape entry {} is {}", ctx.label(), i, d);
    }
    if (d == 0) zero = true;
  }
  if (infer >= 0 && allowzero && zero) {
    kernel_fail(Code::ReshapeCount, "{}: with allowzero, a shape cannot hold both 0 and -1", ctx.label());
  }
  uint64_t known = 1;
  for (size_t i = 0; i < want.size(); ++i) {
    if (static_cast<int64_t>(i) == infer) continue;
    auto c = value::element_count(std::span<const int64_t>(&want[i], 1));
    if (!c || (known != 0 && *c > UINT64_MAX / known)) {
      kernel_fail(Code::ReshapeCount, "{}: the shape [{}] overflows", ctx.label(), fmt::join(want, ","));
    }
    known *= *c;
  }
  if (infer >= 0) {
    if (known == 0 || x.count() % known != 0) {
      kernel_fail(Code::ReshapeCount, "{}: cannot reshape [{}] ({} elements) to [{}]", ctx.label(),
                  fmt::join(x.shape(), ","), x.count(), fmt::join(want, ","));
    }
    want[static_cast<size_t>(infer)] = static_cast<int64_t>(x.count() / known);
  } else if (known != x.count()) {
    kernel_fail(Code::ReshapeCount, "{}: cannot reshape [{}] ({} elements) to [{}] ({} elements)", ctx.label(),
                fmt::join(x.shape(), ","), x.count(), fmt::join(want, ","), known);
  }
  return want;
}

void k_reshape1(KernelContext& ctx) {
  const auto a = read<Reshape1Attrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  if (!a.shape) kernel_fail(Code::MissingAttribute, "{}: no shape attribute", ctx.label());
  ctx.set_output(0, x.reshaped(reshape_dims(ctx, x, *a.shape, false)));
}

void k_reshape(KernelContext& ctx) {
  const auto a = read<Reshape5Attrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  ctx.set_output(0, x.reshaped(reshape_dims(ctx, x, ctx.input(1).ints(), a.allowzero)));
}

void k_flatten(KernelContext& ctx) {
  const auto a = read<FlattenAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  int64_t r = static_cast<int64_t>(x.rank());
  // Flatten-1 and -9 take axis in [0, rank]; Flatten-11 on also [-rank, -1].
  int64_t lo = ctx.version() >= 11 ? -r : 0;
  if (a.axis < lo || a.axis > r) {
    kernel_fail(Code::AxisRange, "{}: axis {} is outside [{}, {}] for rank {}", ctx.label(), a.axis, lo, r, r);
  }
  size_t axis = static_cast<size_t>(a.axis < 0 ? a.axis + r : a.axis);
  ctx.set_output(0, x.reshaped({span_size(x.shape(), 0, axis), span_size(x.shape(), axis, x.rank())}));
}

std::vector<bool> axis_set(const KernelContext& ctx, const std::vector<int64_t>& axes, size_t rank) {
  std::vector<bool> on(rank, false);
  for (int64_t ax : axes) {
    size_t a = axis_of(ctx, ax, rank, "axes entry");
    if (on[a]) kernel_fail(Code::AxisRange, "{}: axis {} is given twice", ctx.label(), ax);
    on[a] = true;
  }
  return on;
}

void squeeze(KernelContext& ctx, const std::optional<std::vector<int64_t>>& axes) {
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> shape;
  if (!axes) {
    for (int64_t d : x.shape()) {
      if (d != 1) shape.push_back(d);
    }
  } else {
    std::vector<bool> on = axis_set(ctx, *axes, x.rank());
    for (size_t a = 0; a < x.rank(); ++a) {
      if (!on[a]) {
        shape.push_back(x.dim(a));
      } else if (x.dim(a) != 1) {
        kernel_fail(Code::SqueezeDim, "{}: cannot squeeze axis {} of [{}]: its dimension is {}, not 1", ctx.label(), a,
                    fmt::join(x.shape(), ","), x.dim(a));
      }
    }
  }
  ctx.set_output(0, x.reshaped(std::move(shape)));
}

// Squeeze-1 and Unsqueeze-1 take "non-negative integers"; version 11 on
// also negative axes.
void non_negative_until_11(const KernelContext& ctx, const std::vector<int64_t>& axes) {
  for (int64_t ax : axes) {
    if (ax < 0 && ctx.version() < 11) {
      kernel_fail(Code::AxisRange, "{}: axis {} is negative, which version {} does not take", ctx.label(), ax, ctx.version());
    }
  }
}

void k_squeeze1(KernelContext& ctx) {
  const auto a = read<SqueezeAttrs>(ctx.attrs());
  if (a.axes) non_negative_until_11(ctx, *a.axes);
  squeeze(ctx, a.axes);
}
void k_squeeze13(KernelContext& ctx) {
  std::optional<std::vector<int64_t>> axes;
  if (ctx.has_input(1)) axes = ctx.input(1).ints();
  squeeze(ctx, axes);
}

void unsqueeze(KernelContext& ctx, const std::vector<int64_t>& axes) {
  const Tensor& x = ctx.input(0);
  size_t rank = x.rank() + axes.size();
  std::vector<bool> on = axis_set(ctx, axes, rank);
  std::vector<int64_t> shape;
  size_t k = 0;
  for (size_t a = 0; a < rank; ++a) shape.push_back(on[a] ? 1 : x.dim(k++));
  ctx.set_output(0, x.reshaped(std::move(shape)));
}

void k_unsqueeze1(KernelContext& ctx) {
  const auto a = read<UnsqueezeAttrs>(ctx.attrs());
  if (!a.axes) kernel_fail(Code::MissingAttribute, "{}: no axes attribute", ctx.label());
  non_negative_until_11(ctx, *a.axes);
  unsqueeze(ctx, *a.axes);
}
void k_unsqueeze13(KernelContext& ctx) { unsqueeze(ctx, ctx.input(1).ints()); }

void k_transpose(KernelContext& ctx) {
  const auto a = read<TransposeAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  size_t r = x.rank();
  std::vector<size_t> perm(r);
  if (!a.perm) {
    for (size_t i = 0; i < r; ++i) perm[i] = r - 1 - i;
  } else {
    if (a.perm->size() != r) {
      kernel_fail(Code::TransposePerm, "{}: perm [{}] has {} entries for an input of rank {}", ctx.label(),
                  fmt::join(*a.perm, ","), a.perm->size(), r);
    }
    std::vector<bool> seen(r, false);
    for (size_t i = 0; i < r; ++i) {
      int64_t p = (*a.perm)[i];
      if (p < 0 || p >= static_cast<int64_t>(r) || seen[static_cast<size_t>(p)]) {
        kernel_fail(Code::TransposePerm, "{}: perm [{}] is not a permutation of the {} axes", ctx.label(),
                    fmt::join(*a.perm, ","), r);
      }
      seen[static_cast<size_t>(p)] = true;
      perm[i] = static_cast<size_t>(p);
    }
  }
  std::vector<int64_t> shape(r);
  for (size_t i = 0; i < r; ++i) shape[i] = x.dim(perm[i]);
  Tensor& y = ctx.output(0, x.dtype(), shape);
  permute_copy(x, perm, y);
}

void k_concat(KernelContext& ctx) {
  const auto a = read<ConcatAttrs>(ctx.attrs());
  // Concat-1's axis defaults to 1; Concat-4 on requires it.
  if (!a.axis && ctx.version() >= 4) kernel_fail(Code::MissingAttribute, "{}: no axis attribute", ctx.label());
  int64_t axis_attr = a.axis.value_or(1);
  const Tensor& first = ctx.input(0);
  size_t r = first.rank();
  size_t axis = axis_of(ctx, axis_attr, r);
  std::vector<int64_t> shape = first.shape();
  shape[axis] = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor& t = ctx.input(i);
    if (t.dtype() != first.dtype()) {
      kernel_fail(Code::DtypeMismatch, "{}: input {} is {}, input 0 {}", ctx.label(), i, dtype_name(t.dtype()),
                  dtype_name(first.dtype()));
    }
    bool ok = t.rank() == r;
    for (size_t d = 0; ok && d < r; ++d) ok = d == axis || t.dim(d) == first.dim(d);
    if (!ok) {
      kernel_fail(Code::ConcatDims, "{}: input {} [{}] does not match input 0 [{}] outside axis {}", ctx.label(), i,
                  fmt::join(t.shape(), ","), fmt::join(first.shape(), ","), axis);
    }
    shape[axis] += t.dim(axis);
  }
  Tensor& y = ctx.output(0, first.dtype(), shape);
  int64_t outer = span_size(shape, 0, axis), inner = span_size(shape, axis + 1, r);
  int64_t row = shape[axis] * inner, at = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor& t = ctx.input(i);
    int64_t chunk = t.dim(axis) * inner;
    for (int64_t o = 0; o < outer; ++o) copy_elems(t, static_cast<uint64_t>(o * chunk), y, static_cast<uint64_t>(o * row + at), static_cast<uint64_t>(chunk));
    at += chunk;
  }
}

// Splits input 0 along `axis` into pieces of the given sizes.
void split_into(KernelContext& ctx, size_t axis, const std::vector<int64_t>& sizes) {
  const Tensor& x = ctx.input(0);
  int64_t outer = span_size(x.shape(), 0, axis), inner = span_size(x.shape(), axis + 1, x.rank());
  int64_t row = x.dim(axis) * inner, at = 0;
  for (size_t i = 0; i < sizes.size() && i < ctx.num_outputs(); ++i) {
    std::vector<int64_t> shape = x.shape();
    shape[axis] = sizes[i];
    Tensor& y = ctx.output(i, x.dtype(), shape);
    int64_t chunk = sizes[i] * inner;
    for (int64_t o = 0; o < outer; ++o) copy_elems(x, static_cast<uint64_t>(o * row + at), y, static_cast<uint64_t>(o * chunk), static_cast<uint64_t>(chunk));
    at += chunk;
  }
}

void split(KernelContext& ctx, int64_t axis_attr, std::optional<std::vector<int64_t>> sizes,
           std::optional<int64_t> num_outputs) {
  const Tensor& x = ctx.input(0);
  size_t axis = axis_of(ctx, axis_attr, x.rank());
  int64_t dim = x.dim(axis);
  int64_t n = static_cast<int64_t>(ctx.num_outputs());
  if (n == 0) kernel_fail(Code::SplitCount, "{}: no outputs", ctx.label());
  if (sizes) {
    for (int64_t s : *sizes) {
      if (s < 0) kernel_fail(Code::SplitCount, "{}: split [{}] holds a negative size", ctx.label(), fmt::join(*sizes, ","));
    }
    const auto sum = sum_within(*sizes, dim);
    if (static_cast<int64_t>(sizes->size()) != n || sum != dim) {
      kernel_fail(Code::SplitCount, "{}: split [{}] for {} outputs does not cover dimension {} ({}) of axis {}", ctx.label(),
                  fmt::join(*sizes, ","), n, dim, sum ? fmt::format("{}", *sum) : "more", axis);
    }
  } else if (num_outputs) {
    // Split-18: chunks of ceil(dim / num_outputs), the last one smaller.
    if (*num_outputs < 1 || *num_outputs != n) {
      kernel_fail(Code::SplitCount, "{}: num_outputs {} for {} outputs", ctx.label(), *num_outputs, n);
    }
    int64_t chunk = (dim + n - 1) / n;
    sizes.emplace();
    for (int64_t i = 0, left = dim; i < n; ++i) {
      sizes->push_back(std::min(chunk, left));
      left -= sizes->back();
    }
  } else {
    if (dim % n != 0) {
      kernel_fail(Code::SplitCount, "{}: dimension {} of axis {} does not split into {} equal parts", ctx.label(), dim,
                  axis, n);
    }
    sizes = std::vector<int64_t>(static_cast<size_t>(n), dim / n);
  }
  split_into(ctx, axis, *sizes);
}

void k_split1(KernelContext& ctx) {
  const auto a = read<Split1Attrs>(ctx.attrs());
  std::optional<std::vector<int64_t>> sizes = a.split;
  // Split-1 also takes the sizes as an optional second input.
  if (ctx.version() < 2 && ctx.has_input(1)) sizes = ctx.input(1).ints();  // of the input's float type
  split(ctx, a.axis, sizes, std::nullopt);
}
void k_split13(KernelContext& ctx) {
  const auto a = read<Split13Attrs>(ctx.attrs());
  std::optional<std::vector<int64_t>> sizes;
  if (ctx.has_input(1)) sizes = ctx.input(1).ints();
  split(ctx, a.axis, sizes, std::nullopt);
}
void k_split18(KernelContext& ctx) {
  const auto a = read<Split18Attrs>(ctx.attrs());
  std::optional<std::vector<int64_t>> sizes;
  if (ctx.has_input(1)) sizes = ctx.input(1).ints();
  if (sizes && a.num_outputs) kernel_fail(Code::SplitCount, "{}: both split and num_outputs are given", ctx.label());
  split(ctx, a.axis, sizes, sizes ? std::nullopt : a.num_outputs);
}

void tile(KernelContext& ctx, const std::vector<int64_t>& reps) {
  const Tensor& x = ctx.input(0);
  size_t r = x.rank();
  if (reps.size() != r) {
    kernel_fail(Code::TileRepeats, "{}: repeats [{}] has {} entries for an input of rank {}", ctx.label(),
                fmt::join(reps, ","), reps.size(), r);
  }
  std::vector<int64_t> shape(r);
  for (size_t a = 0; a < r; ++a) {
    if (reps[a] < 0) kernel_fail(Code::TileRepeats, "{}: repeats [{}] holds a negative count", ctx.label(), fmt::join(reps, ","));
    if (reps[a] != 0 && x.dim(a) > INT64_MAX / reps[a]) kernel_fail(Code::RunFailed, "{}: the tiled shape overflows", ctx.label());
    shape[a] = x.dim(a) * reps[a];
  }
  Tensor& y = ctx.output(0, x.dtype(), shape);
  if (y.count() == 0) return;
  if (r == 0) return copy_elems(x, 0, y, 0, 1);
  std::vector<int64_t> xs = strides_of(x.shape());
  std::vector<int64_t> idx(r, 0);
  // Rows of the last axis are copied whole, repeated.
  int64_t last = r ? x.dim(r - 1) : 1, last_reps = r ? reps[r - 1] : 1;
  uint64_t rows = y.count() / static_cast<uint64_t>(last * last_reps);
  uint64_t o = 0;
  for (uint64_t row = 0; row < rows; ++row) {
    int64_t off = 0;
    for (size_t a = 0; a + 1 < r; ++a) off += (idx[a] % x.dim(a)) * xs[a];
    for (int64_t k = 0; k < last_reps; ++k, o += static_cast<uint64_t>(last)) copy_elems(x, static_cast<uint64_t>(off), y, o, static_cast<uint64_t>(last));
    for (size_t a = r - 1; a-- > 0;) {
      if (++idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
}

void k_tile1(KernelContext& ctx) {
  // Tile-1: `tiles` copies along `axis`, both inputs.
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> reps(x.rank(), 1);
  reps[axis_of(ctx, ctx.input(2).as_int(0), x.rank())] = ctx.input(1).as_int(0);
  tile(ctx, reps);
}
void k_tile6(KernelContext& ctx) { tile(ctx, ctx.input(1).ints()); }

// DepthToSpace and SpaceToDepth are a reshape to 6-D, a transpose, a
// reshape back.
void space_depth(KernelContext& ctx, const DepthToSpaceAttrs& a, bool to_space) {
  const Tensor& x = ctx.input(0);
  if (x.rank() != 4) kernel_fail(Code::InputRank, "{}: the input [{}] is not 4-D", ctx.label(), fmt::join(x.shape(), ","));
  if (!a.blocksize) kernel_fail(Code::MissingAttribute, "{}: no blocksize attribute", ctx.label());
  int64_t b = *a.blocksize;
  if (b < 1) kernel_fail(Code::AttributeValue, "{}: blocksize {}", ctx.label(), b);
  int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  // Checked products: only an empty input lets a blocksize near 2^63 past
  // the divisibility checks, and then its output dimensions would wrap.
  auto times = [&](int64_t p, int64_t q) {
    int64_t r = 0;
    if (__builtin_mul_overflow(p, q, &r)) {
      kernel_fail(Code::AttributeValue, "{}: blocksize {} makes a dimension of {} x {}, past 64 bits", ctx.label(), b,
                  p, q);
    }
    return r;
  };
  const int64_t bb = times(b, b);
  std::vector<int64_t> six, out;
  std::vector<size_t> perm;
  if (to_space) {
    if (c % bb != 0) {
      kernel_fail(Code::DimDivisible, "{}: channels {} are not divisible by blocksize² {}", ctx.label(), c, bb);
    }
    int64_t cc = c / bb;
    if (a.mode.value_or("DCR") == "CRD") {
      six = {n, cc, b, b, h, w};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      six = {n, b, b, cc, h, w};
      perm = {0, 3, 4, 1, 5, 2};
    }
    out = {n, cc, times(h, b), times(w, b)};
  } else {
    if (h % b != 0 || w % b != 0) {
      kernel_fail(Code::DimDivisible, "{}: height {} or width {} is not divisible by blocksize {}", ctx.label(), h, w, b);
    }
    six = {n, c, h / b, b, w / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    out = {n, times(c, bb), h / b, w / b};
  }
  Tensor& y = ctx.output(0, x.dtype(), out);
  Tensor y6 = y.reshaped({six[perm[0]], six[perm[1]], six[perm[2]], six[perm[3]], six[perm[4]], six[perm[5]]});
  permute_copy(x.reshaped(six), perm, y6);
}

void k_depth_to_space(KernelContext& ctx) {
  const auto a = read<DepthToSpaceAttrs>(ctx.attrs());
  space_depth(ctx, a, true);
}
void k_space_to_depth(KernelContext& ctx) {
  const auto a = read<SpaceToDepthAttrs>(ctx.attrs());
  space_depth(ctx, a, false);
}

}  // namespace

void register_shape(Registry& r) {
  r.set_kernel("", "Shape", 1, k_shape);
  r.set_kernel("", "Reshape", 1, k_reshape1, 4);
  r.set_kernel("", "Reshape", 5, k_reshape);
  r.set_kernel("", "Flatten", 1, k_flatten);
  r.set_kernel("", "Squeeze", 1, k_squeeze1, 12);
  r.set_kernel("", "Squeeze", 13, k_squeeze13);
  r.set_kernel("", "Unsqueeze", 1, k_unsqueeze1, 12);
  r.set_kernel("", "Unsqueeze", 13, k_unsqueeze13);
  r.set_kernel("", "Transpose", 1, k_transpose);
  r.set_kernel("", "Concat", 1, k_concat);
  r.set_kernel("", "Split", 1, k_split1, 12);
  r.set_kernel("", "Split", 13, k_split13, 17);
  r.set_kernel("", "Split", 18, k_split18);
  r.set_kernel("", "Tile", 1, k_tile1, 5);
  r.set_kernel("", "Tile", 6, k_tile6);
  r.set_kernel("", "DepthToSpace", 1, k_depth_to_space);
  r.set_kernel("", "SpaceToDepth", 1, k_space_to_depth);
}

}  // namespace onnxscope::ops::kernels
