// The reference kernels, attached to the operator definitions after these are
// registered; shared helpers.
#include "model/ops/kernels/common.h"
#include "model/ops/registry.h"

namespace onnxscope::ops {

void register_kernels(Registry& r) {
  // Versions without a kernel by design, with why.
  r.set_no_kernel("ai.onnx.preview.training", {"Adagrad", "Adam", "Gradient", "Momentum"}, 1,
                  "a training operator: onnxruntime's inference sessions do not run it");
  r.set_no_kernel("", {"ImageDecoder"}, 20, "decodes JPEG, PNG and other image files; the executor has no image codecs");
  kernels::register_elementwise(r);
  kernels::register_tensor(r);
  kernels::register_linear(r);
  kernels::register_control(r);
  kernels::register_random(r);
  kernels::register_shape(r);
  kernels::register_gather(r);
  kernels::register_cast(r);
  kernels::register_legacy(r);
  kernels::register_reduce(r);
  kernels::register_norm(r);
  kernels::register_activation(r);
  kernels::register_conv(r);
  kernels::register_pool(r);
  kernels::register_resize(r);
  kernels::register_recurrent(r);
  kernels::register_misc(r);
  kernels::register_sampling(r);
  kernels::register_signal(r);
  kernels::register_text(r);
  kernels::register_attention(r);
  kernels::register_geometry(r);
  kernels::register_ml(r);
  kernels::register_ml_trees(r);
}

namespace kernels {

std::vector<int64_t> broadcast_shape(const KernelContext& ctx, const std::vector<const Tensor*>& ins) {
  size_t rank = 0;
  for (const Tensor* t : ins) rank = std::max(rank, t->rank());
  std::vector<int64_t> out(rank, 1);
  for (const Tensor* t : ins) {
    size_t pad = rank - t->rank();
    for (size_t a = 0; a < t->rank(); ++a) {
      int64_t d = t->dim(a);
      int64_t& o = out[pad + a];
      if (d == o || d == 1) continue;
      if (o == 1) {
        o = d;
        continue;
      }
      std::string shapes;
      for (const Tensor* u : ins) shapes += fmt::format("{}[{}]", shapes.empty() ? "" : " and ", fmt::join(u->shape(), ","));
      kernel_fail(Code::Broadcast, "{}: shapes {} do not broadcast (dimension {} from the right: {} vs {})", ctx.label(),
                  shapes, rank - pad - a, o, d);
    }
  }
  return out;
}

Broadcast::Broadcast(const KernelContext& ctx, const std::vector<const Tensor*>& ins)
    : shape(broadcast_shape(ctx, ins)) {
  size_t r = shape.size();
  for (const Tensor* t : ins) {
    if (t->shape() != shape) same = false;
    std::vector<int64_t> s(r, 0);
    int64_t stride = 1;
    for (size_t a = t->rank(); a-- > 0;) {
      if (t->dim(a) != 1) s[r - t->rank() + a] = stride;
      stride *= t->dim(a);
    }
    strides.push_back(std::move(s));
  }
}

std::optional<int64_t> sum_within(const std::vector<int64_t>& sizes, int64_t limit) {
  int64_t total = 0;
  for (int64_t v : sizes) {
    if (v > limit - total) return std::nullopt;
    total += v;
  }
  return total;
}

std::vector<int64_t> strides_of(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t a = shape.size(); a-- > 1;) s[a - 1] = s[a] * shape[a];
  return s;
}

size_t axis_of(const KernelContext& ctx, int64_t axis, size_t rank, std::string_view what) {
  int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) {
    kernel_fail(Code::AxisRange, "{}: {} {} is outside [{}, {}] for rank {}", ctx.label(), what, axis, -r, r - 1, rank);
  }
  return static_cast<size_t>(axis < 0 ? axis + r : axis);
}

int64_t span_size(const std::vector<int64_t>& shape, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t a = from; a < to && a < shape.size(); ++a) n *= shape[a];
  return n;
}

}  // namespace kernels
}  // namespace onnxscope::ops
