// Kernels of gathering, scattering and indexing: Gather, GatherElements,
// GatherND, ScatterElements (and Scatter, its old name), ScatterND, OneHot,
// NonZero, Compress; and those that answer with indices: ArgMax, ArgMin,
// TopK, Unique.
#include <algorithm>
#include <numeric>

#include "model/ops/gather.h"
#include "model/ops/reduce.h"
#include "model/ops/kernels/common.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

// An index into a dimension: [-dim, dim - 1] (negative ones count from the
// end), or [0, dim - 1] for the versions before negative indices.
int64_t index_in(const KernelContext& ctx, int64_t i, int64_t dim, size_t axis, bool negative = true) {
  if (i < (negative ? -dim : 0) || i >= dim) {
    kernel_fail(Code::RunIndexRange, "{}: index {} is outside [{}, {}] for axis {} of dimension {}", ctx.label(), i,
                negative ? -dim : 0, dim - 1, axis, dim);
  }
  return i < 0 ? i + dim : i;
}

void integer_indices(const KernelContext& ctx, const Tensor& t) {
  if (t.dtype() != DType::Int32 && t.dtype() != DType::Int64) {
    kernel_fail(Code::DtypeMismatch, "{}: indices of {}, not int32 or int64", ctx.label(), dtype_name(t.dtype()));
  }
}

void k_gather(KernelContext& ctx) {
  const auto a = read<GatherAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& idx = ctx.input(1);
  integer_indices(ctx, idx);
  size_t axis = axis_of(ctx, a.axis, x.rank());
  int64_t dim = x.dim(axis);
  std::vector<int64_t> shape(x.shape().begin(), x.shape().begin() + static_cast<std::ptrdiff_t>(axis));
  shape.insert(shape.end(), idx.shape().begin(), idx.shape().end());
  shape.insert(shape.end(), x.shape().begin() + static_cast<std::ptrdiff_t>(axis) + 1, x.shape().end());
  std::vector<int64_t> at(idx.count());
  // Gather-1 takes indices in [0, dim - 1]; Gather-11 on also negative ones.
  for (uint64_t j = 0; j < idx.count(); ++j) at[j] = index_in(ctx, idx.as_int(j), dim, axis, ctx.version() >= 11);
  Tensor& y = ctx.output(0, x.dtype(), shape);
  int64_t outer = span_size(x.shape(), 0, axis), inner = span_size(x.shape(), axis + 1, x.rank());
  uint64_t n = idx.count(), w = static_cast<uint64_t>(inner);
  for (int64_t o = 0; o < outer; ++o) {
    for (uint64_t j = 0; j < n; ++j) {
      copy_elems(x, static_cast<uint64_t>(o * dim + at[j]) * w, y, (static_cast<uint64_t>(o) * n + j) * w, w);
    }
  }
}

// Walks every position of `shape`, calling f(flat position, multi-index).
template <class F>
void each_index(const std::vector<int64_t>& shape, F&& f) {
  auto count = value::element_count(shape);
  if (!count || *count == 0) return;
  std::vector<int64_t> idx(shape.size(), 0);
  for (uint64_t i = 0; i < *count; ++i) {
    f(i, idx);
    for (size_t a = shape.size(); a-- > 0;) {
      if (++idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
}

// GatherElements and ScatterElements: indices of data's rank, no larger
// than data outside the axis.
void check_element_indices(const KernelContext& ctx, const Tensor& data, const Tensor& idx, size_t axis) {
  bool ok = idx.rank() == data.rank();
  for (size_t d = 0; ok && d < data.rank(); ++d) ok = d == axis || idx.dim(d) <= data.dim(d);
  if (!ok) {
    kernel_fail(Code::IndexShape, "{}: indices [{}] do not fit data [{}] outside axis {}", ctx.label(),
                fmt::join(idx.shape(), ","), fmt::join(data.shape(), ","), axis);
  }
}

void k_gather_elements(KernelContext& ctx) {
  const auto a = read<GatherAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& idx = ctx.input(1);
  integer_indices(ctx, idx);
  size_t axis = axis_of(ctx, a.axis, x.rank());
  check_element_indices(ctx, x, idx, axis);
  Tensor& y = ctx.output(0, x.dtype(), idx.shape());
  std::vector<int64_t> xs = strides_of(x.shape());
  each_index(idx.shape(), [&](uint64_t i, const std::vector<int64_t>& at) {
    int64_t off = 0;
    for (size_t d = 0; d < at.size(); ++d) off += (d == axis ? index_in(ctx, idx.as_int(i), x.dim(d), d) : at[d]) * xs[d];
    copy_elems(x, static_cast<uint64_t>(off), y, i, 1);
  });
}

// GatherND and ScatterND: the element offset in `data` that an index tuple
// (the last axis of `idx`, row `row`) names, under the batch's base offset.
int64_t nd_offset(const KernelContext& ctx, const Tensor& data, const Tensor& idx, uint64_t row, size_t first_axis,
                  const std::vector<int64_t>& ds) {
  int64_t m = idx.dim(idx.rank() - 1), off = 0;
  for (int64_t k = 0; k < m; ++k) {
    size_t ax = first_axis + static_cast<size_t>(k);
    off += index_in(ctx, idx.as_int(row * static_cast<uint64_t>(m) + static_cast<uint64_t>(k)), data.dim(ax), ax) * ds[ax];
  }
  return off;
}

void k_gather_nd(KernelContext& ctx) {
  const auto a = read<GatherNDAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& idx = ctx.input(1);
  if (idx.dtype() != DType::Int64) kernel_fail(Code::DtypeMismatch, "{}: indices of {}, not int64", ctx.label(), dtype_name(idx.dtype()));
  size_t r = x.rank(), q = idx.rank();
  int64_t b = a.batch_dims;
  if (q < 1 || b < 0 || static_cast<size_t>(b) >= std::min(r, q)) {
    kernel_fail(Code::IndexShape, "{}: batch_dims {} for data of rank {} and indices of rank {}", ctx.label(), b, r, q);
  }
  size_t bd = static_cast<size_t>(b);
  int64_t m = idx.dim(q - 1);
  bool ok = m >= 1 && static_cast<size_t>(m) <= r - bd;
  for (size_t d = 0; ok && d < bd; ++d) ok = idx.dim(d) == x.dim(d);
  if (!ok) {
    kernel_fail(Code::IndexShape, "{}: indices [{}] do not index data [{}] with batch_dims {}", ctx.label(),
                fmt::join(idx.shape(), ","), fmt::join(x.shape(), ","), b);
  }
  std::vector<int64_t> shape(idx.shape().begin(), idx.shape().end() - 1);
  shape.insert(shape.end(), x.shape().begin() + b + m, x.shape().end());
  Tensor& y = ctx.output(0, x.dtype(), shape);
  std::vector<int64_t> xs = strides_of(x.shape());
  uint64_t batches = static_cast<uint64_t>(span_size(x.shape(), 0, bd));
  uint64_t per_batch = static_cast<uint64_t>(span_size(idx.shape(), bd, q - 1));
  uint64_t inner = static_cast<uint64_t>(span_size(x.shape(), bd + static_cast<size_t>(m), r));
  uint64_t batch_size = static_cast<uint64_t>(span_size(x.shape(), bd, r));
  for (uint64_t bi = 0; bi < batches; ++bi) {
    for (uint64_t j = 0; j < per_batch; ++j) {
      uint64_t row = bi * per_batch + j;
      int64_t off = nd_offset(ctx, x, idx, row, bd, xs);
      copy_elems(x, bi * batch_size + static_cast<uint64_t>(off), y, row * inner, inner);
    }
  }
}

// Combines an update into an element under a scatter reduction.
template <class T>
T reduce_into(T old, T upd, std::string_view reduction) {
  if (reduction == "none") return upd;
  Acc<T> x = load(old), u = load(upd);
  if (reduction == "add") return store<T>(x + u);
  if (reduction == "mul") return store<T>(x * u);
  if (reduction == "max") return store<T>(std::max(x, u));
  return store<T>(std::min(x, u));
}

void check_reduction(const KernelContext& ctx, std::string_view reduction, DType t) {
  // Reductions from version 16 (ScatterElements, ScatterND), max and min
  // from 18.
  bool known = reduction == "none" || reduction == "add" || reduction == "mul" ||
               ((reduction == "max" || reduction == "min") && ctx.version() >= 18);
  if (!known) kernel_fail(Code::ScatterReduction, "{}: reduction \"{}\" in version {}", ctx.label(), reduction, ctx.version());
  if (reduction != "none" && t == DType::String) {
    kernel_fail(Code::ScatterReduction, "{}: reduction \"{}\" of strings", ctx.label(), reduction);
  }
}

// Output = data, then each update applied at `target(i)`, in order.
template <class Target>
void scatter(KernelContext& ctx, std::string_view reduction, uint64_t updates, uint64_t width, Target&& target) {
  const Tensor& x = ctx.input(0);
  const Tensor& u = ctx.input(2);
  if (u.dtype() != x.dtype()) {
    kernel_fail(Code::DtypeMismatch, "{}: updates of {} for data of {}", ctx.label(), dtype_name(u.dtype()), dtype_name(x.dtype()));
  }
  check_reduction(ctx, reduction, x.dtype());
  // Every index is checked before the output is made.
  std::vector<int64_t> at(updates);
  for (uint64_t i = 0; i < updates; ++i) at[i] = target(i);
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  copy_elems(x, 0, y, 0, x.count());
  if (x.dtype() == DType::String || reduction == "none") {
    for (uint64_t i = 0; i < updates; ++i) copy_elems(u, i * width, y, static_cast<uint64_t>(at[i]), width);
    return;
  }
  visit_numeric(x.dtype(), [&](auto z) {
    using T = decltype(z);
    T* out = y.data<T>();
    const T* in = u.data<T>();
    for (uint64_t i = 0; i < updates; ++i) {
      for (uint64_t k = 0; k < width; ++k) {
        T& o = out[static_cast<uint64_t>(at[i]) + k];
        o = reduce_into<T>(o, in[i * width + k], reduction);
      }
    }
  });
}

void scatter_elements(KernelContext& ctx, const ScatterElementsAttrs& a, bool negative) {
  const Tensor& x = ctx.input(0);
  const Tensor& idx = ctx.input(1);
  const Tensor& u = ctx.input(2);
  integer_indices(ctx, idx);
  size_t axis = axis_of(ctx, a.axis, x.rank());
  check_element_indices(ctx, x, idx, axis);
  if (u.shape() != idx.shape()) {
    kernel_fail(Code::IndexShape, "{}: updates [{}] and indices [{}] differ", ctx.label(), fmt::join(u.shape(), ","),
                fmt::join(idx.shape(), ","));
  }
  std::vector<int64_t> xs = strides_of(x.shape());
  std::vector<int64_t> offsets(idx.count());
  each_index(idx.shape(), [&](uint64_t i, const std::vector<int64_t>& at) {
    int64_t off = 0;
    for (size_t d = 0; d < at.size(); ++d) off += (d == axis ? index_in(ctx, idx.as_int(i), x.dim(d), d, negative) : at[d]) * xs[d];
    offsets[i] = off;
  });
  scatter(ctx, a.reduction, idx.count(), 1, [&](uint64_t i) { return offsets[i]; });
}

void k_scatter_elements(KernelContext& ctx) {
  const auto a = read<ScatterElementsAttrs>(ctx.attrs());
  scatter_elements(ctx, a, true);
}
// Scatter-9 gives no negative indices; Scatter-11 is ScatterElements-11.
void k_scatter(KernelContext& ctx) {
  const auto a = read<ScatterAttrs>(ctx.attrs());
  scatter_elements(ctx, a, ctx.version() >= 11);
}

void k_scatter_nd(KernelContext& ctx) {
  const auto a = read<ScatterNDAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& idx = ctx.input(1);
  const Tensor& u = ctx.input(2);
  if (idx.dtype() != DType::Int64) kernel_fail(Code::DtypeMismatch, "{}: indices of {}, not int64", ctx.label(), dtype_name(idx.dtype()));
  size_t q = idx.rank();
  int64_t m = q ? idx.dim(q - 1) : 0;
  if (q < 1 || m < 1 || static_cast<size_t>(m) > x.rank()) {
    kernel_fail(Code::IndexShape, "{}: indices [{}] do not index data [{}]", ctx.label(), fmt::join(idx.shape(), ","),
                fmt::join(x.shape(), ","));
  }
  // updates: indices.shape[:-1] + data.shape[m:].
  std::vector<int64_t> want(idx.shape().begin(), idx.shape().end() - 1);
  want.insert(want.end(), x.shape().begin() + m, x.shape().end());
  if (u.shape() != want) {
    kernel_fail(Code::IndexShape, "{}: updates [{}], not [{}] for indices [{}] into data [{}]", ctx.label(),
                fmt::join(u.shape(), ","), fmt::join(want, ","), fmt::join(idx.shape(), ","), fmt::join(x.shape(), ","));
  }
  std::vector<int64_t> xs = strides_of(x.shape());
  uint64_t rows = static_cast<uint64_t>(span_size(idx.shape(), 0, q - 1));
  uint64_t inner = static_cast<uint64_t>(span_size(x.shape(), static_cast<size_t>(m), x.rank()));
  scatter(ctx, a.reduction, rows, inner, [&](uint64_t row) { return nd_offset(ctx, x, idx, row, 0, xs); });
}

void k_one_hot(KernelContext& ctx) {
  const auto a = read<OneHotAttrs>(ctx.attrs());
  const Tensor& idx = ctx.input(0);
  const Tensor& depth_t = ctx.input(1);
  const Tensor& values = ctx.input(2);
  if (depth_t.count() != 1) kernel_fail(Code::ScalarInput, "{}: depth holds {} elements, not one", ctx.label(), depth_t.count());
  if (values.count() != 2) kernel_fail(Code::RunFailed, "{}: values holds {} elements, not [off, on]", ctx.label(), values.count());
  double dd = depth_t.as_double(0);
  if (!(dd >= 1) || dd > 9.0e18) kernel_fail(Code::RunFailed, "{}: depth {} is not a positive count", ctx.label(), dd);
  int64_t depth = static_cast<int64_t>(dd);
  size_t r = idx.rank();
  int64_t ax = a.axis;
  if (ax < -static_cast<int64_t>(r) - 1 || ax > static_cast<int64_t>(r)) {
    kernel_fail(Code::AxisRange, "{}: axis {} is outside [{}, {}] for an output of rank {}", ctx.label(), ax,
                -static_cast<int64_t>(r) - 1, r, r + 1);
  }
  size_t axis = static_cast<size_t>(ax < 0 ? ax + static_cast<int64_t>(r) + 1 : ax);
  std::vector<int64_t> shape = idx.shape();
  shape.insert(shape.begin() + static_cast<std::ptrdiff_t>(axis), depth);
  Tensor& y = ctx.output(0, values.dtype(), shape);
  for (uint64_t i = 0; i < y.count(); ++i) copy_elems(values, 0, y, i, 1);
  uint64_t outer = static_cast<uint64_t>(span_size(idx.shape(), 0, axis));
  uint64_t inner = static_cast<uint64_t>(span_size(idx.shape(), axis, r));
  // OneHot-9: indices outside [0, depth) give all off values; OneHot-11:
  // outside [-depth, depth - 1], negative ones counting from the end.
  bool negative = ctx.version() >= 11;
  for (uint64_t o = 0; o < outer; ++o) {
    for (uint64_t k = 0; k < inner; ++k) {
      double v = idx.as_double(o * inner + k);
      if (std::isnan(v) || v >= static_cast<double>(depth) || v < (negative ? -static_cast<double>(depth) : 0.0)) continue;
      int64_t h = static_cast<int64_t>(v);
      if (h < 0) h += depth;
      copy_elems(values, 1, y, (o * static_cast<uint64_t>(depth) + static_cast<uint64_t>(h)) * inner + k, 1);
    }
  }
}

bool nonzero_at(const Tensor& x, uint64_t i) {
  return visit_numeric(x.dtype(), [&](auto z) {
    using T = decltype(z);
    return load(x.data<T>()[i]) != Acc<T>{};
  });
}

void k_non_zero(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() == DType::String) kernel_fail(Code::RunNoKernel, "{}: no kernel for string inputs", ctx.label());
  // A scalar counts as a 1-D tensor of one element (numpy's nonzero).
  std::vector<int64_t> shape = x.rank() ? x.shape() : std::vector<int64_t>{1};
  std::vector<uint64_t> hits;
  for (uint64_t i = 0; i < x.count(); ++i) {
    if (nonzero_at(x, i)) hits.push_back(i);
  }
  int64_t n = static_cast<int64_t>(hits.size()), r = static_cast<int64_t>(shape.size());
  Tensor& y = ctx.output(0, DType::Int64, {r, n});
  std::vector<int64_t> st = strides_of(shape);
  int64_t* out = y.data<int64_t>();
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t a = 0; a < r; ++a) out[a * n + j] = static_cast<int64_t>(hits[static_cast<size_t>(j)]) / st[static_cast<size_t>(a)] % shape[static_cast<size_t>(a)];
  }
}

void k_compress(KernelContext& ctx) {
  const auto a = read<CompressAttrs>(ctx.attrs());
  const Tensor& x0 = ctx.input(0);
  const Tensor& cond = ctx.input(1);
  // No axis: the input flattened.
  Tensor x = a.axis ? x0 : x0.reshaped({static_cast<int64_t>(x0.count())});
  size_t axis = a.axis ? axis_of(ctx, *a.axis, x.rank()) : 0;
  int64_t dim = x.dim(axis);
  std::vector<int64_t> keep;
  for (uint64_t i = 0; i < cond.count(); ++i) {
    if (!nonzero_at(cond, i)) continue;
    // Slices past the condition's length are dropped; a true entry past
    // the axis names no slice.
    if (static_cast<int64_t>(i) >= dim) {
      kernel_fail(Code::RunIndexRange, "{}: condition entry {} is true, past dimension {} of axis {}", ctx.label(), i, dim, axis);
    }
    keep.push_back(static_cast<int64_t>(i));
  }
  std::vector<int64_t> shape = x.shape();
  shape[axis] = static_cast<int64_t>(keep.size());
  Tensor& y = ctx.output(0, x.dtype(), shape);
  uint64_t outer = static_cast<uint64_t>(span_size(x.shape(), 0, axis));
  uint64_t inner = static_cast<uint64_t>(span_size(x.shape(), axis + 1, x.rank()));
  uint64_t o_at = 0;
  for (uint64_t o = 0; o < outer; ++o) {
    for (int64_t k : keep) {
      copy_elems(x, (o * static_cast<uint64_t>(dim) + static_cast<uint64_t>(k)) * inner, y, o_at, inner);
      o_at += inner;
    }
  }
}

// Orders numbers with NaN above everything (numpy's sort and argmax).
template <class A>
bool less_nan_last(A x, A y) {
  if constexpr (std::is_floating_point_v<A>) {
    if (std::isnan(x)) return false;
    if (std::isnan(y)) return true;
  }
  return x < y;
}

void arg_extreme(KernelContext& ctx, bool max) {
  const auto a = read<ArgAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  size_t axis = axis_of(ctx, a.axis, x.rank());
  int64_t d = x.dim(axis);
  if (d == 0) kernel_fail(Code::RunFailed, "{}: axis {} has no elements to choose from", ctx.label(), axis);
  std::vector<int64_t> shape = x.shape();
  if (a.keepdims) shape[axis] = 1;
  else shape.erase(shape.begin() + static_cast<std::ptrdiff_t>(axis));
  Tensor& y = ctx.output(0, DType::Int64, shape);
  int64_t outer = span_size(x.shape(), 0, axis), inner = span_size(x.shape(), axis + 1, x.rank());
  visit_numeric(x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    int64_t* out = y.data<int64_t>();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t k = 0; k < inner; ++k) {
        int64_t best = 0;
        Acc<T> bv = load(in[o * d * inner + k]);
        for (int64_t j = 1; j < d; ++j) {
          Acc<T> v = load(in[(o * d + j) * inner + k]);
          // NaN is the extreme both ways (numpy's argmax and argmin).
          bool better = max ? less_nan_last(bv, v) : less_nan_last(v, bv);
          if constexpr (std::is_floating_point_v<Acc<T>>) {
            if (!max && std::isnan(v) && !std::isnan(bv)) better = true;
            if (!max && std::isnan(bv)) better = false;
          }
          bool tie = !less_nan_last(bv, v) && !less_nan_last(v, bv);
          if (better || (tie && a.select_last_index)) {
            best = j;
            bv = v;
          }
        }
        out[o * inner + k] = best;
      }
    }
  });
}

void k_argmax(KernelContext& ctx) { arg_extreme(ctx, true); }
void k_argmin(KernelContext& ctx) { arg_extreme(ctx, false); }

void top_k(KernelContext& ctx, const TopKAttrs& a, int64_t k) {
  const Tensor& x = ctx.input(0);
  // TopK-1's axis defaults to -1: negative axes count from the end in
  // every version.
  size_t axis = axis_of(ctx, a.axis, x.rank());
  int64_t d = x.dim(axis);
  if (k < 0 || k > d) kernel_fail(Code::TopkK, "{}: k {} is outside [0, {}] for axis {}", ctx.label(), k, d, axis);
  std::vector<int64_t> shape = x.shape();
  shape[axis] = k;
  Tensor& vals = ctx.output(0, x.dtype(), shape);
  Tensor& inds = ctx.output(1, DType::Int64, shape);
  int64_t outer = span_size(x.shape(), 0, axis), inner = span_size(x.shape(), axis + 1, x.rank());
  std::vector<int64_t> order(static_cast<size_t>(d));
  visit_numeric(x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t c = 0; c < inner; ++c) {
        auto at = [&](int64_t j) { return load(in[(o * d + j) * inner + c]); };
        std::iota(order.begin(), order.end(), int64_t{0});
        // Equal values: the lower index first. Sorted or not, the k are
        // given in order (any order is allowed when sorted is 0).
        auto cmp = [&](int64_t p, int64_t q) {
          Acc<T> u = at(p), v = at(q);
          if (a.largest ? less_nan_last(v, u) : less_nan_last(u, v)) return true;
          if (a.largest ? less_nan_last(u, v) : less_nan_last(v, u)) return false;
          return p < q;
        };
        partial_sort_polled(order.begin(), order.begin() + k, order.end(), cmp);
        for (int64_t j = 0; j < k; ++j) {
          int64_t dst = (o * k + j) * inner + c;
          vals.data<T>()[dst] = in[(o * d + order[static_cast<size_t>(j)]) * inner + c];
          inds.data<int64_t>()[dst] = order[static_cast<size_t>(j)];
        }
      }
    }
  });
}

void k_topk1(KernelContext& ctx) {
  const auto a = read<TopK1Attrs>(ctx.attrs());
  if (!a.k) kernel_fail(Code::MissingAttribute, "{}: no k attribute", ctx.label());
  top_k(ctx, a, *a.k);
}

void k_topk10(KernelContext& ctx) {
  const auto a = read<TopK10Attrs>(ctx.attrs());
  const Tensor& k = ctx.input(1);
  if (k.count() != 1) kernel_fail(Code::TopkK, "{}: K holds {} elements, not one", ctx.label(), k.count());
  top_k(ctx, a, k.as_int(0));
}

// Unique over elements (no axis) or slices along an axis; slices compare
// element by element (strings too). The dtype is dispatched once, outside
// the sort's comparisons.
template <class T>
void unique_of(KernelContext& ctx, const Tensor& x, size_t axis, bool sorted) {
  int64_t d = x.dim(axis);
  uint64_t outer = static_cast<uint64_t>(span_size(x.shape(), 0, axis));
  uint64_t inner = static_cast<uint64_t>(span_size(x.shape(), axis + 1, x.rank()));
  const T* data = x.data<T>();
  // The sort's scratch, counted against the run's memory: (value, index)
  // pairs and six arrays of an index per slice, eight times the input's bytes.
  const uint64_t pair_bytes = std::is_same_v<T, std::string> ? 0 : sizeof(std::pair<Acc<T>, int64_t>);
  ctx.host().charge(static_cast<uint64_t>(d) * (pair_bytes + 6 * sizeof(int64_t)), "Unique's scratch");
  auto less = [](const T& u, const T& v) {
    if constexpr (std::is_same_v<T, std::string>) return u < v;
    else return less_nan_last(load(u), load(v));
  };
  // Three-way comparison of slices p and q.
  auto compare = [&](int64_t p, int64_t q) -> int {
    for (uint64_t o = 0; o < outer; ++o) {
      for (uint64_t k = 0; k < inner; ++k) {
        const T& u = data[(o * static_cast<uint64_t>(d) + static_cast<uint64_t>(p)) * inner + k];
        const T& v = data[(o * static_cast<uint64_t>(d) + static_cast<uint64_t>(q)) * inner + k];
        if (less(u, v)) return -1;
        if (less(v, u)) return 1;
      }
    }
    return 0;
  };
  // Slices in order of value (stable: first occurrences first), grouped.
  // Single elements sort as (value, index) pairs side by side, not through
  // an index into the tensor: a sort of millions that stays in cache lines.
  std::vector<int64_t> order(static_cast<size_t>(d));
  bool ordered = false;
  std::vector<std::pair<Acc<T>, int64_t>> keyed;
  if constexpr (!std::is_same_v<T, std::string>) {
    if (outer == 1 && inner == 1) {
      keyed.resize(static_cast<size_t>(d));
      for (int64_t i = 0; i < d; ++i) keyed[static_cast<size_t>(i)] = {load(data[i]), i};
      sort_polled(keyed.begin(), keyed.end(), [](const auto& p, const auto& q) {
        if (less_nan_last(p.first, q.first)) return true;
        if (less_nan_last(q.first, p.first)) return false;
        return p.second < q.second;
      });
      for (size_t i = 0; i < keyed.size(); ++i) order[i] = keyed[i].second;
      ordered = true;
    }
  }
  if (!ordered) {
    std::iota(order.begin(), order.end(), int64_t{0});
    stable_sort_polled(order.begin(), order.end(), [&](int64_t p, int64_t q) { return compare(p, q) < 0; });
  }
  std::vector<int64_t> group_of(static_cast<size_t>(d));
  std::vector<int64_t> first, counts;  // per group, in sorted order
  for (size_t i = 0; i < order.size(); ++i) {
    const bool fresh = i == 0 || (ordered ? less_nan_last(keyed[i - 1].first, keyed[i].first)
                                          : compare(order[i - 1], order[i]) != 0);
    if (fresh) {
      first.push_back(order[i]);
      counts.push_back(0);
    }
    group_of[static_cast<size_t>(order[i])] = static_cast<int64_t>(first.size()) - 1;
    ++counts.back();
  }
  poll(static_cast<uint64_t>(d) + 1);  // each pass over millions of slices, a second or so
  // The output order of the groups: sorted, or by first occurrence (one
  // pass over the slices in order). rank[k] is the group output k holds,
  // position[g] where group g goes.
  std::vector<int64_t> rank(first.size()), position(first.size());
  std::iota(rank.begin(), rank.end(), int64_t{0});
  std::iota(position.begin(), position.end(), int64_t{0});
  if (!sorted) {
    std::fill(position.begin(), position.end(), int64_t{-1});
    int64_t next = 0;
    for (int64_t i = 0; i < d; ++i) {
      const auto g = static_cast<size_t>(group_of[static_cast<size_t>(i)]);
      if (position[g] < 0) rank[static_cast<size_t>(next)] = static_cast<int64_t>(g), position[g] = next++;
    }
    poll(static_cast<uint64_t>(d) + 1);
  }
  int64_t u = static_cast<int64_t>(first.size());
  std::vector<int64_t> shape = x.shape();
  shape[axis] = u;
  Tensor& y = ctx.output(0, x.dtype(), shape);
  for (int64_t g = 0; g < u; ++g) {
    int64_t src = first[static_cast<size_t>(rank[static_cast<size_t>(g)])];
    if (ordered) {
      y.data<T>()[g] = data[src];
      continue;
    }
    for (uint64_t o = 0; o < outer; ++o) {
      copy_elems(x, (o * static_cast<uint64_t>(d) + static_cast<uint64_t>(src)) * inner, y,
                 (o * static_cast<uint64_t>(u) + static_cast<uint64_t>(g)) * inner, inner);
    }
  }
  if (ctx.has_output(1)) {
    Tensor& t = ctx.output(1, DType::Int64, {u});
    for (int64_t g = 0; g < u; ++g) t.data<int64_t>()[g] = first[static_cast<size_t>(rank[static_cast<size_t>(g)])];
  }
  if (ctx.has_output(2)) {
    Tensor& t = ctx.output(2, DType::Int64, {d});
    for (int64_t i = 0; i < d; ++i) t.data<int64_t>()[i] = position[static_cast<size_t>(group_of[static_cast<size_t>(i)])];
  }
  if (ctx.has_output(3)) {
    Tensor& t = ctx.output(3, DType::Int64, {u});
    for (int64_t g = 0; g < u; ++g) t.data<int64_t>()[g] = counts[static_cast<size_t>(rank[static_cast<size_t>(g)])];
  }
}

void k_unique(KernelContext& ctx) {
  const auto a = read<UniqueAttrs>(ctx.attrs());
  const Tensor& x0 = ctx.input(0);
  Tensor x = a.axis ? x0 : x0.reshaped({static_cast<int64_t>(x0.count())});
  size_t axis = a.axis ? axis_of(ctx, *a.axis, x.rank()) : 0;
  if (x.dtype() == DType::String) return unique_of<std::string>(ctx, x, axis, a.sorted);
  visit_numeric(x.dtype(), [&](auto z) { unique_of<decltype(z)>(ctx, x, axis, a.sorted); });
}

}  // namespace

void register_gather(Registry& r) {
  r.set_kernel("", "Gather", 1, k_gather);
  r.set_kernel("", "GatherElements", 11, k_gather_elements);
  r.set_kernel("", "GatherND", 11, k_gather_nd);
  r.set_kernel("", "ScatterElements", 11, k_scatter_elements);
  r.set_kernel("", "Scatter", 9, k_scatter);
  r.set_kernel("", "ScatterND", 11, k_scatter_nd);
  r.set_kernel("", "OneHot", 9, k_one_hot);
  r.set_kernel("", "NonZero", 9, k_non_zero);
  r.set_kernel("", "Compress", 9, k_compress);
  r.set_kernel("", "ArgMax", 1, k_argmax);
  r.set_kernel("", "ArgMin", 1, k_argmin);
  r.set_kernel("", "TopK", 1, k_topk1, 9);
  r.set_kernel("", "TopK", 10, k_topk10);
  r.set_kernel("", "Unique", 11, k_unique);
}

}  // namespace onnxscope::ops::kernels
