// Control flow and containers: If, Loop, Scan run their subgraphs through
// the executor; sequences and optionals.
#include <algorithm>

#include "model/ops/control.h"
#include "model/ops/kernels/common.h"
#include "model/ops/registry.h"
#include "model/ops/sequence.h"

namespace onnxscope::ops::kernels {
namespace {

using value::Sequence;

bool truth(const KernelContext& ctx, const Tensor& t, std::string_view what) {
  if (t.count() != 1) {
    kernel_fail(Code::RunFailed, "{}: {} must hold one element, it has shape [{}]", ctx.label(), what,
                fmt::join(t.shape(), ","));
  }
  return t.as_double(0) != 0;
}

// Element `index` along `axis`, that axis removed (a copy).
Tensor take(const Tensor& t, size_t axis, int64_t index) {
  std::vector<int64_t> shape = t.shape();
  int64_t outer = span_size(shape, 0, axis), n = shape[axis], inner = span_size(shape, axis + 1, shape.size());
  shape.erase(shape.begin() + static_cast<long>(axis));
  Tensor out(t.dtype(), shape);
  if (t.dtype() == DType::String) {
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        out.data<std::string>()[o * inner + i] = t.data<std::string>()[(o * n + index) * inner + i];
      }
    }
    return out;
  }
  size_t w = value::elem_size(t.dtype());
  const auto* src = static_cast<const std::byte*>(t.raw());
  auto* dst = static_cast<std::byte*>(out.raw_mut());
  for (int64_t o = 0; o < outer; ++o) {
    std::memcpy(dst + size_t(o * inner) * w, src + size_t((o * n + index) * inner) * w, size_t(inner) * w);
  }
  return out;
}

// Stacks equally shaped tensors along a new axis `axis` into `out`
// (allocated by the caller with the stacked shape).
void stack_into(const KernelContext& ctx, const std::vector<Tensor>& parts, size_t axis, Tensor& out) {
  if (parts.empty()) return;
  const std::vector<int64_t>& shape = parts[0].shape();
  for (const Tensor& p : parts) {
    if (p.shape() != shape || p.dtype() != parts[0].dtype()) {
      kernel_fail(Code::RunFailed, "{}: a scan output changes from {}[{}] to {}[{}] between iterations", ctx.label(),
                  dtype_name(parts[0].dtype()), fmt::join(shape, ","), dtype_name(p.dtype()), fmt::join(p.shape(), ","));
    }
  }
  int64_t outer = span_size(shape, 0, axis), inner = span_size(shape, axis, shape.size());
  int64_t n = static_cast<int64_t>(parts.size());
  if (parts[0].dtype() == DType::String) {
    for (int64_t k = 0; k < n; ++k) {
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          out.data<std::string>()[(o * n + k) * inner + i] = parts[size_t(k)].data<std::string>()[o * inner + i];
        }
      }
    }
    return;
  }
  size_t w = value::elem_size(out.dtype());
  auto* dst = static_cast<std::byte*>(out.raw_mut());
  for (int64_t k = 0; k < n; ++k) {
    const auto* src = static_cast<const std::byte*>(parts[size_t(k)].raw());
    for (int64_t o = 0; o < outer; ++o) {
      std::memcpy(dst + size_t((o * n + k) * inner) * w, src + size_t(o * inner) * w, size_t(inner) * w);
    }
  }
}

std::vector<int64_t> stacked_shape(std::vector<int64_t> shape, size_t axis, int64_t n) {
  shape.insert(shape.begin() + static_cast<long>(axis), n);
  return shape;
}

// The element type a body's output declares (for scan outputs of zero iterations).
DType declared_elem(const ir::Graph& body, size_t output) {
  const ir::Type& t = body.output_type(output);
  return t.is_tensor() && t.elem != DType::Undefined ? t.elem : DType::Float32;
}

void k_if(KernelContext& ctx) {
  const auto a = read<IfAttrs>(ctx.attrs());
  bool c = truth(ctx, ctx.input(0), "the condition");
  const ir::Graph* branch = c ? a.then_branch : a.else_branch;
  if (!branch) kernel_fail(Code::RunFailed, "{}: no {}", ctx.label(), c ? "then_branch" : "else_branch");
  std::vector<Value> outs = ctx.run_subgraph(*branch, {});
  if (outs.size() != ctx.num_outputs()) {
    kernel_fail(Code::RunFailed, "{}: the {} branch has {} outputs, the node {}", ctx.label(), c ? "then" : "else",
                outs.size(), ctx.num_outputs());
  }
  for (size_t i = 0; i < outs.size(); ++i) ctx.set_output(i, std::move(outs[i]));
}

void k_loop(KernelContext& ctx) {
  const auto a = read<LoopAttrs>(ctx.attrs());
  const ir::Graph& body = *a.body;
  std::optional<int64_t> trips;
  if (ctx.has_input(0)) trips = ctx.input(0).as_int(0);
  bool cond = ctx.has_input(1) ? truth(ctx, ctx.input(1), "the condition") : true;
  size_t carried = ctx.num_inputs() > 2 ? ctx.num_inputs() - 2 : 0;
  std::vector<Value> state;
  for (size_t i = 0; i < carried; ++i) state.push_back(ctx.has_input(2 + i) ? ctx.value(2 + i) : Value(value::None{}));
  size_t scans = body.outputs.size() >= 1 + carried ? body.outputs.size() - 1 - carried : 0;
  std::vector<std::vector<Tensor>> scan_parts(scans);
  int64_t limit = ctx.host().max_iterations();
  int64_t i = 0;
  for (; cond && (!trips || i < *trips); ++i) {
    if (i >= limit) {
      kernel_fail(Code::RunLoopBudget, "{}: still running after {} iterations{}", ctx.label(), limit,
                  trips ? fmt::format(" of {}", *trips) : " (no trip count; the condition never ended it)");
    }
    std::vector<Value> in;
    in.push_back(Tensor::scalar<int64_t>(DType::Int64, i));
    in.push_back(Tensor::scalar<bool>(DType::Bool, cond));
    for (const Value& v : state) in.push_back(v);
    std::vector<Value> out = ctx.run_subgraph(body, std::move(in));
    if (out.size() != 1 + carried + scans) kernel_fail(Code::RunFailed, "{}: the body gives {} outputs", ctx.label(), out.size());
    const Tensor* c = value::tensor_of(out[0]);
    cond = c ? truth(ctx, *c, "the body's condition") : true;
    for (size_t k = 0; k < carried; ++k) state[k] = std::move(out[1 + k]);
    for (size_t k = 0; k < scans; ++k) {
      const Tensor* t = value::tensor_of(out[1 + carried + k]);
      if (!t) kernel_fail(Code::RunFailed, "{}: scan output {} is not a tensor", ctx.label(), k);
      scan_parts[k].push_back(*t);
    }
  }
  for (size_t k = 0; k < carried && k < ctx.num_outputs(); ++k) ctx.set_output(k, std::move(state[k]));
  for (size_t k = 0; k < scans && carried + k < ctx.num_outputs(); ++k) {
    auto& parts = scan_parts[k];
    if (parts.empty()) {
      ctx.output(carried + k, declared_elem(body, 1 + carried + k), {0});
      continue;
    }
    Tensor& y = ctx.output(carried + k, parts[0].dtype(), stacked_shape(parts[0].shape(), 0, int64_t(parts.size())));
    stack_into(ctx, parts, 0, y);
  }
}

// Scan-9 on: states, then scan inputs sliced along their axes; the body's
// scan outputs stacked along theirs.
void scan_once(KernelContext& ctx, const ScanAttrs& a, const std::vector<const Tensor*>& init,
               const std::vector<Tensor>& scan_in, std::vector<Tensor>& final_state,
               std::vector<Tensor>& scan_out, int64_t length_limit, bool batch8) {
  const ir::Graph& body = *a.body;
  size_t n_state = init.size(), n_scan = scan_in.size();
  if (body.outputs.size() < n_state) {
    kernel_fail(Code::LoopBody, "{}: the body has {} outputs, fewer than the {} state variables it must return",
                ctx.label(), body.outputs.size(), n_state);
  }
  size_t n_out = body.outputs.size() - n_state;
  auto axis_in = [&](size_t i) -> size_t {
    int64_t ax = a.scan_input_axes && i < a.scan_input_axes->size() ? (*a.scan_input_axes)[i] : 0;
    return axis_of(ctx, ax, scan_in[i].rank(), "scan_input_axes");
  };
  auto reversed_in = [&](size_t i) {
    const auto& d = batch8 ? a.directions : a.scan_input_directions;
    return d && i < d->size() && (*d)[i] == 1;
  };
  int64_t len = -1;
  for (size_t i = 0; i < n_scan; ++i) {
    int64_t l = scan_in[i].dim(axis_in(i));
    if (len >= 0 && l != len) {
      kernel_fail(Code::RunFailed, "{}: scan inputs have lengths {} and {} along their scan axes", ctx.label(), len, l);
    }
    len = l;
  }
  if (len < 0) len = 0;
  if (length_limit >= 0) len = std::min(len, length_limit);
  std::vector<Value> state;
  for (const Tensor* t : init) state.push_back(*t);
  std::vector<std::vector<Tensor>> parts(n_out);
  for (int64_t it = 0; it < len; ++it) {
    std::vector<Value> in = state;
    for (size_t i = 0; i < n_scan; ++i) {
      in.push_back(take(scan_in[i], axis_in(i), reversed_in(i) ? len - 1 - it : it));
    }
    std::vector<Value> out = ctx.run_subgraph(body, std::move(in));
    for (size_t k = 0; k < n_state; ++k) state[k] = std::move(out[k]);
    for (size_t k = 0; k < n_out; ++k) {
      const Tensor* t = value::tensor_of(out[n_state + k]);
      if (!t) kernel_fail(Code::RunFailed, "{}: scan output {} is not a tensor", ctx.label(), k);
      parts[k].push_back(*t);
    }
  }
  for (size_t k = 0; k < n_state; ++k) {
    const Tensor* t = value::tensor_of(state[k]);
    final_state.push_back(t ? *t : Tensor());
  }
  for (size_t k = 0; k < n_out; ++k) {
    bool rev = !batch8 && a.scan_output_directions && k < a.scan_output_directions->size() &&
               (*a.scan_output_directions)[k] == 1;
    if (rev) std::reverse(parts[k].begin(), parts[k].end());
    if (parts[k].empty()) {
      scan_out.push_back(Tensor(declared_elem(body, n_state + k), {0}));
      continue;
    }
    int64_t ax = !batch8 && a.scan_output_axes && k < a.scan_output_axes->size() ? (*a.scan_output_axes)[k] : 0;
    size_t axis = axis_of(ctx, ax, parts[k][0].rank() + 1, "scan_output_axes");
    Tensor y(parts[k][0].dtype(), stacked_shape(parts[k][0].shape(), axis, int64_t(parts[k].size())));
    stack_into(ctx, parts[k], axis, y);
    scan_out.push_back(std::move(y));
  }
}

void emit(KernelContext& ctx, size_t i, const Tensor& t) {
  Tensor& y = ctx.output(i, t.dtype(), t.shape());
  if (t.dtype() == DType::String) std::copy(t.data<std::string>(), t.data<std::string>() + t.count(), y.data<std::string>());
  else if (t.nbytes()) std::memcpy(y.raw_mut(), t.raw(), t.nbytes());
}

void k_scan9(KernelContext& ctx) {
  const auto a = read<Scan9Attrs>(ctx.attrs());
  size_t n_scan = static_cast<size_t>(a.num_scan_inputs);
  if (n_scan > ctx.num_inputs()) kernel_fail(Code::RunFailed, "{}: num_scan_inputs exceeds the inputs", ctx.label());
  size_t n_state = ctx.num_inputs() - n_scan;
  std::vector<const Tensor*> init;
  for (size_t i = 0; i < n_state; ++i) init.push_back(&ctx.input(i));
  std::vector<Tensor> scan_in;
  for (size_t i = 0; i < n_scan; ++i) scan_in.push_back(ctx.input(n_state + i));
  std::vector<Tensor> fs, so;
  scan_once(ctx, a, init, scan_in, fs, so, -1, false);
  for (size_t k = 0; k < fs.size(); ++k) emit(ctx, k, fs[k]);
  for (size_t k = 0; k < so.size(); ++k) emit(ctx, fs.size() + k, so[k]);
}

// Scan-8: every input has a leading batch axis, scanned along axis 1, with
// optional sequence_lens first.
void k_scan8(KernelContext& ctx) {
  const auto a = read<Scan8Attrs>(ctx.attrs());
  if (a.num_scan_inputs < 0 || static_cast<uint64_t>(a.num_scan_inputs) + 1 > ctx.num_inputs()) {
    kernel_fail(Code::RunFailed, "{}: num_scan_inputs {} exceeds the {} inputs after sequence_lens", ctx.label(),
                a.num_scan_inputs, ctx.num_inputs() == 0 ? 0 : ctx.num_inputs() - 1);
  }
  size_t n_scan = static_cast<size_t>(a.num_scan_inputs);
  size_t n_state = ctx.num_inputs() - 1 - n_scan;
  if (n_state + n_scan == 0) kernel_fail(Code::RunFailed, "{}: no state or scan inputs", ctx.label());
  // Every state and scan input leads with the batch axis, the same in all.
  int64_t batch = -1;
  for (size_t i = 1; i < ctx.num_inputs(); ++i) {
    const Tensor& t = ctx.input(i);
    if (t.rank() == 0) kernel_fail(Code::RunFailed, "{}: input {} is a scalar; Scan-8's lead with a batch axis", ctx.label(), i);
    if (batch >= 0 && t.dim(0) != batch) {
      kernel_fail(Code::RunFailed, "{}: input {} has a batch of {}, input 1 of {}", ctx.label(), i, t.dim(0), batch);
    }
    batch = t.dim(0);
  }
  std::vector<std::vector<Tensor>> fs_all, so_all;
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<Tensor> init_t;
    for (size_t i = 0; i < n_state; ++i) init_t.push_back(take(ctx.input(1 + i), 0, b));
    std::vector<const Tensor*> init;
    for (auto& t : init_t) init.push_back(&t);
    std::vector<Tensor> scan_in;
    for (size_t i = 0; i < n_scan; ++i) scan_in.push_back(take(ctx.input(1 + n_state + i), 0, b));
    int64_t limit = ctx.has_input(0) ? ctx.input(0).as_int(uint64_t(b)) : -1;
    std::vector<Tensor> fs, so;
    scan_once(ctx, a, init, scan_in, fs, so, limit, true);
    fs_all.push_back(std::move(fs));
    so_all.push_back(std::move(so));
  }
  size_t outs = batch ? fs_all[0].size() + so_all[0].size() : 0;
  for (size_t k = 0; k < outs; ++k) {
    std::vector<Tensor> parts;
    for (int64_t b = 0; b < batch; ++b) {
      parts.push_back(k < fs_all[size_t(b)].size() ? fs_all[size_t(b)][k] : so_all[size_t(b)][k - fs_all[size_t(b)].size()]);
    }
    Tensor& y = ctx.output(k, parts[0].dtype(), stacked_shape(parts[0].shape(), 0, batch));
    stack_into(ctx, parts, 0, y);
  }
}

// ---------------------------------------------------------------------------
// Sequences and optionals

const Sequence& seq_in(const KernelContext& ctx, size_t i) {
  const Sequence* s = std::get_if<Sequence>(&ctx.value(i));
  if (!s) kernel_fail(Code::RunFailed, "{}: input {} is not a sequence", ctx.label(), i);
  return *s;
}

size_t position(const KernelContext& ctx, const Sequence& s, size_t input, bool insert) {
  int64_t n = static_cast<int64_t>(s.items.size());
  int64_t p = ctx.input(input).as_int(0);
  int64_t lo = -n, hi = insert ? n : n - 1;
  if (p < lo || p > hi) {
    kernel_fail(Code::RunIndexRange, "{}: position {} is outside [{}, {}] for a sequence of {} tensors", ctx.label(), p,
                lo, hi, n);
  }
  return static_cast<size_t>(p < 0 ? p + n : p);
}

void k_sequence_empty(KernelContext& ctx) {
  const auto a = read<SequenceEmptyAttrs>(ctx.attrs());
  ctx.set_output(0, Sequence{a.dtype ? static_cast<DType>(*a.dtype) : DType::Float32, {}});
}

void k_sequence_construct(KernelContext& ctx) {
  Sequence s;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) s.items.push_back(ctx.input(i));
  if (!s.items.empty()) s.elem = s.items[0].dtype();
  ctx.set_output(0, std::move(s));
}

void k_sequence_insert(KernelContext& ctx) {
  Sequence s = seq_in(ctx, 0);
  size_t p = ctx.has_input(2) ? position(ctx, s, 2, true) : s.items.size();
  s.items.insert(s.items.begin() + static_cast<long>(p), ctx.input(1));
  ctx.set_output(0, std::move(s));
}

void k_sequence_at(KernelContext& ctx) {
  const Sequence& s = seq_in(ctx, 0);
  ctx.set_output(0, s.items[position(ctx, s, 1, false)]);
}

void k_sequence_erase(KernelContext& ctx) {
  Sequence s = seq_in(ctx, 0);
  if (s.items.empty()) kernel_fail(Code::RunIndexRange, "{}: erasing from an empty sequence", ctx.label());
  size_t p = ctx.has_input(1) ? position(ctx, s, 1, false) : s.items.size() - 1;
  s.items.erase(s.items.begin() + static_cast<long>(p));
  ctx.set_output(0, std::move(s));
}

void k_sequence_length(KernelContext& ctx) {
  Tensor& y = ctx.output(0, DType::Int64, {});
  y.data<int64_t>()[0] = static_cast<int64_t>(seq_in(ctx, 0).items.size());
}

void k_split_to_sequence(KernelContext& ctx) {
  const auto a = read<SplitToSequenceAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  size_t axis = axis_of(ctx, a.axis, x.rank());
  int64_t n = x.dim(axis);
  // The pieces are charged before any is made: an axis of 2^40 with no
  // elements (another dimension 0) still makes 2^40 tensors.
  auto charge_pieces = [&](uint64_t count) {
    const uint64_t per = sizeof(Tensor) + sizeof(int64_t);
    const uint64_t bytes = count > (UINT64_MAX - x.nbytes()) / per ? UINT64_MAX : count * per + x.nbytes();
    ctx.host().charge(bytes, fmt::format("{}: {} pieces", ctx.label(), count));
  };
  std::vector<int64_t> sizes;
  if (ctx.has_input(1)) {
    const Tensor& sp = ctx.input(1);
    if (sp.rank() == 0) {
      int64_t c = sp.as_int(0);
      if (c <= 0) kernel_fail(Code::RunFailed, "{}: split size {}", ctx.label(), c);
      charge_pieces(uint64_t(n / c + (n % c != 0)));
      for (int64_t at = 0; at < n;) {
        const int64_t len = std::min(c, n - at);
        sizes.push_back(len);
        at += len;
      }
    } else {
      sizes = sp.ints();
      for (int64_t v : sizes) {
        if (v < 0) kernel_fail(Code::RunFailed, "{}: split size {}", ctx.label(), v);
      }
      const auto total = sum_within(sizes, n);
      if (total != n) {
        kernel_fail(Code::SplitCount, "{}: split sizes add up to {}, the axis has {}", ctx.label(),
                    total ? fmt::format("{}", *total) : fmt::format("more than {}", n), n);
      }
      charge_pieces(sizes.size());
    }
  } else {
    charge_pieces(uint64_t(n));
    sizes.assign(size_t(n), 1);
  }
  Sequence s;
  s.elem = x.dtype();
  int64_t at = 0;
  for (int64_t len : sizes) {
    poll(uint64_t(std::max<int64_t>(len, 1)));
    if (!ctx.has_input(1) && !a.keepdims) {
      s.items.push_back(take(x, axis, at));
    } else {
      std::vector<Tensor> one;
      std::vector<int64_t> shape = x.shape();
      shape[axis] = len;
      Tensor part(x.dtype(), shape);
      for (int64_t k = 0; k < len; ++k) one.push_back(take(x, axis, at + k));
      if (len) stack_into(ctx, one, axis, part);
      s.items.push_back(std::move(part));
    }
    at += len;
  }
  ctx.set_output(0, std::move(s));
}

void k_concat_from_sequence(KernelContext& ctx) {
  const auto a = read<ConcatFromSequenceAttrs>(ctx.attrs());
  const Sequence& s = seq_in(ctx, 0);
  if (s.items.empty()) kernel_fail(Code::RunFailed, "{}: the sequence is empty", ctx.label());
  const Tensor& first = s.items[0];
  if (a.new_axis) {
    size_t axis = axis_of(ctx, a.axis, first.rank() + 1);
    Tensor& y = ctx.output(0, first.dtype(), stacked_shape(first.shape(), axis, int64_t(s.items.size())));
    stack_into(ctx, s.items, axis, y);
    return;
  }
  size_t axis = axis_of(ctx, a.axis, first.rank());
  std::vector<int64_t> shape = first.shape();
  int64_t total = 0;
  for (const Tensor& t : s.items) {
    if (t.rank() != first.rank()) kernel_fail(Code::ConcatDims, "{}: tensors of rank {} and {}", ctx.label(), first.rank(), t.rank());
    for (size_t d = 0; d < t.rank(); ++d) {
      if (d != axis && t.dim(d) != first.dim(d)) {
        kernel_fail(Code::ConcatDims, "{}: shapes [{}] and [{}] differ outside axis {}", ctx.label(),
                    fmt::join(first.shape(), ","), fmt::join(t.shape(), ","), axis);
      }
    }
    total += t.dim(axis);
  }
  shape[axis] = total;
  Tensor& y = ctx.output(0, first.dtype(), shape);
  int64_t outer = span_size(shape, 0, axis), inner = span_size(shape, axis + 1, shape.size());
  int64_t at = 0;
  size_t w = value::elem_size(first.dtype());
  for (const Tensor& t : s.items) {
    int64_t len = t.dim(axis);
    for (int64_t o = 0; o < outer; ++o) {
      size_t dst = size_t((o * total + at) * inner), src = size_t(o * len * inner), n = size_t(len * inner);
      if (first.dtype() == DType::String) {
        std::copy(t.data<std::string>() + src, t.data<std::string>() + src + n, y.data<std::string>() + dst);
      } else if (n) {
        std::memcpy(static_cast<std::byte*>(y.raw_mut()) + dst * w, static_cast<const std::byte*>(t.raw()) + src * w, n * w);
      }
    }
    at += len;
  }
}

void k_sequence_map(KernelContext& ctx) {
  const auto a = read<SequenceMapAttrs>(ctx.attrs());
  const Sequence& s = seq_in(ctx, 0);
  size_t outs = ctx.num_outputs();
  std::vector<Sequence> results(outs);
  for (size_t i = 0; i < s.items.size(); ++i) {
    std::vector<Value> in{s.items[i]};
    for (size_t k = 1; k < ctx.num_inputs(); ++k) {
      if (const Sequence* extra = std::get_if<Sequence>(&ctx.value(k))) {
        if (extra->items.size() != s.items.size()) {
          kernel_fail(Code::RunFailed, "{}: sequences of {} and {} tensors", ctx.label(), s.items.size(), extra->items.size());
        }
        in.push_back(extra->items[i]);
      } else {
        in.push_back(ctx.value(k));
      }
    }
    std::vector<Value> out = ctx.run_subgraph(*a.body, std::move(in));
    for (size_t k = 0; k < outs && k < out.size(); ++k) {
      const Tensor* t = value::tensor_of(out[k]);
      if (!t) kernel_fail(Code::RunFailed, "{}: the body's output {} is not a tensor", ctx.label(), k);
      results[k].elem = t->dtype();
      results[k].items.push_back(*t);
    }
  }
  for (size_t k = 0; k < outs; ++k) ctx.set_output(k, std::move(results[k]));
}

void k_optional(KernelContext& ctx) {
  if (ctx.has_input(0)) ctx.set_output(0, ctx.value(0));
  else ctx.set_output(0, value::None{});
}

void k_optional_has_element(KernelContext& ctx) {
  Tensor& y = ctx.output(0, DType::Bool, {});
  y.data<bool>()[0] = ctx.has_input(0);
}

void k_optional_get_element(KernelContext& ctx) {
  if (!ctx.has_input(0)) kernel_fail(Code::RunFailed, "{}: the optional holds no value", ctx.label());
  ctx.set_output(0, ctx.value(0));
}

}  // namespace

void register_control(Registry& r) {
  r.set_kernel("", "If", 1, k_if);
  r.set_kernel("", "Loop", 1, k_loop);
  r.set_kernel("", "Scan", 8, k_scan8, 8);
  r.set_kernel("", "Scan", 9, k_scan9);
  r.set_kernel("", "SequenceEmpty", 11, k_sequence_empty);
  r.set_kernel("", "SequenceConstruct", 11, k_sequence_construct);
  r.set_kernel("", "SequenceInsert", 11, k_sequence_insert);
  r.set_kernel("", "SequenceAt", 11, k_sequence_at);
  r.set_kernel("", "SequenceErase", 11, k_sequence_erase);
  r.set_kernel("", "SequenceLength", 11, k_sequence_length);
  r.set_kernel("", "SplitToSequence", 11, k_split_to_sequence);
  r.set_kernel("", "ConcatFromSequence", 11, k_concat_from_sequence);
  r.set_kernel("", "SequenceMap", 17, k_sequence_map);
  r.set_kernel("", "Optional", 15, k_optional);
  r.set_kernel("", "OptionalHasElement", 15, k_optional_has_element);
  r.set_kernel("", "OptionalGetElement", 15, k_optional_get_element);
}

}  // namespace onnxscope::ops::kernels
