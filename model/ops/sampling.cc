// Rearrangement and sampling (DepthToSpace, SpaceToDepth, GridSample,
// AffineGrid), regions of interest (RoiAlign, MaxRoiPool) and
// NonMaxSuppression.
#include <algorithm>
#include <map>
#include <cmath>
#include "model/ops/registry.h"
#include "model/ops/sampling.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

// ---------------------------------------------------------------------------
// Rearrangement and sampling

// DepthToSpace: [N, C, H, W] -> [N, C/b², H*b, W*b]; SpaceToDepth the inverse.
// A: DepthToSpaceAttrs or SpaceToDepthAttrs.
template <class A>
void depth_space_rule(Context& ctx) {
  const auto a = read<A>(ctx.attrs());
  bool to_space = ctx.node().op_type == "DepthToSpace";
  const auto* x = ranked(ctx, 0, 4, 4, "[N, C, H, W]");
  int64_t k = a.blocksize.value_or(0);  // required: the engine reports it missing
  if (a.blocksize && k <= 0) {
    ctx.report(Code::AttributeValue, Severity::Error, Phase::Load, fmt::format("{} blocksize is {}", op(ctx), k),
               "blocksize must be positive");
  }
  if (to_space && a.mode) check_choice(ctx, "mode", *a.mode, {"DCR", "CRD"});
  if (!x) return ctx.set_output(0, DType::Undefined, ctx.input_rank_known(0) ? Shape::unknown() : Shape::of({Dim(), Dim(), Dim(), Dim()}));
  std::vector<Dim> out{(*x)[0], Dim(), Dim(), Dim()};
  int64_t kk = 0;  // blocksize², in checked arithmetic: a blocksize near 2^63 is the model's error
  if (k > 0 && __builtin_mul_overflow(k, k, &kk)) {
    ctx.report(Code::AttributeValue, Severity::Error, Phase::Load,
               fmt::format("{} blocksize is {}: its square does not fit in 64 bits", op(ctx), k),
               "blocksize must be small enough for blocksize * blocksize channels");
    return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  }
  if (k > 0) {
    if (to_space) {
      out[1] = divide_exact(ctx, (*x)[1], kk, fmt::format("DepthToSpace channels vs blocksize² ({})", kk),
                            "the channels must be a multiple of blocksize * blocksize", name_of(ctx, 0));
      for (size_t i = 2; i < 4; ++i) out[i] = (*x)[i] ? (*x)[i] * k : Dim();
    } else {
      out[1] = (*x)[1] ? (*x)[1] * kk : Dim();
      for (size_t i = 2; i < 4; ++i) {
        out[i] = divide_exact(ctx, (*x)[i], k, fmt::format("SpaceToDepth dimension {} vs blocksize", i),
                              "height and width must be multiples of blocksize", name_of(ctx, 0));
      }
    }
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

// GridSample: X [N, C, D1..Dr], grid [N, D1_out..Dr_out, r] -> [N, C,
// D1_out..Dr_out]; version 16 is 2-D only. The output has X's type (the
// onnx 1.12 facts name it T2, a mistake onnx later corrected: it is T1).
void grid_sample_rule(Context& ctx) {
  const auto a = read<GridSampleAttrs>(ctx.attrs());
  bool v16 = ctx.version() < 20;
  const auto* x = ranked(ctx, 0, v16 ? 4 : 3, v16 ? 4 : SIZE_MAX, v16 ? "[N, C, H, W]" : "[N, C, D1, ..., Dr]");
  const auto* g = ranked(ctx, 1, v16 ? 4 : 3, v16 ? 4 : SIZE_MAX,
                         v16 ? "[N, H_out, W_out, 2]" : "[N, D1_out, ..., Dr_out, r]");
  std::string mode(a.mode);
  if (v16) {
    check_choice(ctx, "mode", mode, {"bilinear", "nearest", "bicubic"},
                 mode == "linear" || mode == "cubic" ? "'linear' and 'cubic' are the opset 20 names" : "");
  } else {
    check_choice(ctx, "mode", mode, {"linear", "nearest", "cubic"},
                 mode == "bilinear" || mode == "bicubic"
                     ? "GridSample-16 named it 'bilinear'/'bicubic'; from opset 20 the modes are 'linear' and 'cubic'"
                     : "");
  }
  check_choice(ctx, "padding_mode", a.padding_mode, {"zeros", "border", "reflection"});
  DType dt = ctx.input_dtype(0);
  if (x && g && x->size() != g->size()) {
    ctx.report(Code::GridDims, Severity::Error, Phase::Load,
               fmt::format("GridSample X has rank {}, grid rank {}; they have the same rank", x->size(), g->size()), {},
               name_of(ctx, 1));
    g = nullptr;
  }
  size_t rank = x ? x->size() : g ? g->size() : 0;
  if (!rank) return ctx.set_output(0, dt, v16 ? Shape::of({Dim(), Dim(), Dim(), Dim()}) : Shape::unknown());
  std::vector<Dim> out(rank);
  if (x) out[0] = (*x)[0], out[1] = (*x)[1];
  if (g) {
    if (!out[0]) out[0] = (*g)[0];
    for (size_t k = 2; k < rank; ++k) out[k] = (*g)[k - 1];
    if (x) {
      must_equal(ctx, (*g)[0], (*x)[0], Code::GridDims, "GridSample grid's batch vs X's",
                 "grid has one sampling grid per batch entry", name_of(ctx, 1));
    }
    must_equal(ctx, g->back(), ctx.dim(static_cast<int64_t>(rank - 2)), Code::GridDims,
               "GridSample grid's last dimension vs the number of spatial dimensions",
               "each grid point has one coordinate per spatial dimension of X", name_of(ctx, 1));
  }
  ctx.set_output(0, dt, Shape::of(std::move(out)));
}

// AffineGrid-20: theta [N, 2, 3] and size (N, C, H, W) -> [N, H, W, 2];
// theta [N, 3, 4] and size (N, C, D, H, W) -> [N, D, H, W, 3].
void affine_grid_rule(Context& ctx) {
  const auto* theta = ranked(ctx, 0, 3, 3, "[N, 2, 3] or [N, 3, 4]");
  const auto* size = ints(ctx, 1);
  size_t n = 0;
  if (size) n = size->size();
  else if (ctx.input_rank_known(1) && ctx.input_shape(1).rank() == 1 && ctx.input_shape(1).dims[0].as_int())
    n = static_cast<size_t>(*ctx.input_shape(1).dims[0].as_int());
  else if (theta && (*theta)[1] && (*theta)[1].as_int()) n = static_cast<size_t>(*(*theta)[1].as_int()) + 2;
  if (n != 4 && n != 5) {
    if (n) {
      ctx.report(Code::GridDims, Severity::Error, Phase::Load,
                 fmt::format("AffineGrid size has {} values; it is (N, C, H, W) or (N, C, D, H, W)", n), {},
                 name_of(ctx, 1));
    }
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  int64_t spatial = static_cast<int64_t>(n) - 2;
  if (theta) {
    must_equal(ctx, (*theta)[1], ctx.dim(spatial), Code::GridDims, "AffineGrid theta's rows vs the spatial dimensions",
               "theta is [N, 2, 3] for 2-D and [N, 3, 4] for 3-D grids", name_of(ctx, 0));
    must_equal(ctx, (*theta)[2], ctx.dim(spatial + 1), Code::GridDims,
               "AffineGrid theta's columns vs the spatial dimensions + 1",
               "theta is [N, 2, 3] for 2-D and [N, 3, 4] for 3-D grids", name_of(ctx, 0));
  }
  Dim batch = size ? size_dim((*size)[0]) : Dim();
  if (theta) {
    must_equal(ctx, (*theta)[0], batch, Code::GridDims, "AffineGrid theta's batch vs size[0]",
               "theta has one matrix per batch entry", name_of(ctx, 0));
    if (!batch) batch = (*theta)[0];
  }
  std::vector<Dim> out{batch};
  for (size_t k = 2; k < n; ++k) out.push_back(size ? size_dim((*size)[k]) : Dim());
  out.push_back(ctx.dim(spatial));
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

// ---------------------------------------------------------------------------
// Regions of interest, NonMaxSuppression

// RoiAlign: X [N, C, H, W], rois [num_rois, 4], batch_indices [num_rois] ->
// [num_rois, C, output_height, output_width]. MaxRoiPool: rois [num_rois, 5]
// (batch index first) -> [num_rois, C, pooled_shape...].
// A: RoiAlignAttrs or MaxRoiPoolAttrs.
template <class A>
void roi_rule(Context& ctx) {
  const auto a = read<A>(ctx.attrs());
  constexpr bool align = std::is_same_v<A, RoiAlignAttrs>;
  const auto* x = ranked(ctx, 0, 4, 4, "[N, C, H, W]");
  const auto* rois = ranked(ctx, 1, 2, 2, align ? "[num_rois, 4]" : "[num_rois, 5]");
  Dim num = rois ? (*rois)[0] : Dim();
  if (rois) {
    must_equal(ctx, (*rois)[1], ctx.dim(align ? 4 : 5), Code::RoiDims, fmt::format("{} rois' second dimension", op(ctx)),
               align ? "a RoiAlign box is (x1, y1, x2, y2)" : "a MaxRoiPool box is (batch_index, x1, y1, x2, y2)",
               name_of(ctx, 1));
  }
  Dim oh, ow;
  if constexpr (align) {
    if (const auto* bi = ranked(ctx, 2, 1, 1, "[num_rois]")) {
      must_equal(ctx, (*bi)[0], num, Code::RoiDims, "RoiAlign batch_indices length vs the number of rois",
                 "batch_indices names the image of each box", name_of(ctx, 2));
      if (!num) num = (*bi)[0];
    }
    check_choice(ctx, "mode", a.mode, {"avg", "max"});
    check_choice(ctx, "coordinate_transformation_mode", a.coordinate_transformation_mode,
                 {"half_pixel", "output_half_pixel"});
    oh = ctx.dim(a.output_height);
    ow = ctx.dim(a.output_width);
  } else if (const auto& p = a.pooled_shape) {
    if (p->size() == 2) {
      oh = ctx.dim((*p)[0]);
      ow = ctx.dim((*p)[1]);
    } else {
      ctx.report(Code::AttributeValue, Severity::Error, Phase::Load,
                 fmt::format("MaxRoiPool pooled_shape has {} values; it is [height, width]", p->size()));
    }
  }
  ctx.set_output(0, DType::Undefined, Shape::of({num, x ? (*x)[1] : Dim(), oh, ow}));
}

// How many boxes NonMaxSuppression keeps, when boxes and scores are known
// (small constant inputs): the greedy selection onnxruntime performs, per
// batch and class, in descending score order, dropping a box whose IoU with a
// kept one exceeds iou_threshold. A null Dim when the data is not known.
Dim nms_count(const Context& ctx, bool center) {
  const auto* boxes = floats(ctx, 0);
  const auto* scores = floats(ctx, 1);
  if (!boxes || !scores || !ctx.input_rank_known(0) || !ctx.input_rank_known(1)) return Dim();
  const auto& bd = ctx.input_shape(0).dims;
  const auto& sd = ctx.input_shape(1).dims;
  if (bd.size() != 3 || sd.size() != 3) return Dim();
  auto nb = bd[0].as_int(), ns = bd[1].as_int(), nc = sd[1].as_int();
  if (!nb || !ns || !nc || boxes->size() != static_cast<size_t>(*nb * *ns * 4) ||
      scores->size() != static_cast<size_t>(*nb * *nc * *ns)) {
    return Dim();
  }
  int64_t max_out = 0;
  if (ctx.has_input(2)) {
    auto m = scalar_int(ctx, 2);
    if (!m || !m->as_int()) return Dim();
    max_out = *m->as_int();
  }
  double iou_thr = 0, score_thr = -INFINITY;
  if (ctx.has_input(3)) {
    const auto* v = floats(ctx, 3);
    if (!v || v->size() != 1) return Dim();
    iou_thr = (*v)[0];
  }
  bool has_score_thr = ctx.has_input(4);
  if (has_score_thr) {
    const auto* v = floats(ctx, 4);
    if (!v || v->size() != 1) return Dim();
    score_thr = (*v)[0];
  }
  struct Box {
    double y1, x1, y2, x2;
  };
  auto box_at = [&](int64_t b, int64_t i) {
    const double* p = boxes->data() + (b * *ns + i) * 4;
    if (center) return Box{p[1] - p[3] / 2, p[0] - p[2] / 2, p[1] + p[3] / 2, p[0] + p[2] / 2};
    return Box{std::min(p[0], p[2]), std::min(p[1], p[3]), std::max(p[0], p[2]), std::max(p[1], p[3])};
  };
  auto iou = [](const Box& a, const Box& b) {
    double ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
    double iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
    if (ih <= 0 || iw <= 0) return 0.0;
    double inter = ih * iw;
    double uni = (a.y2 - a.y1) * (a.x2 - a.x1) + (b.y2 - b.y1) * (b.x2 - b.x1) - inter;
    return uni > 0 ? inter / uni : 0.0;
  };
  int64_t total = 0;
  for (int64_t b = 0; b < *nb; ++b) {
    for (int64_t c = 0; c < *nc; ++c) {
      std::vector<int64_t> order;
      for (int64_t i = 0; i < *ns; ++i) {
        double sc = (*scores)[static_cast<size_t>((b * *nc + c) * *ns + i)];
        if (!has_score_thr || sc > score_thr) order.push_back(i);
      }
      std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
        return (*scores)[static_cast<size_t>((b * *nc + c) * *ns + x)] >
               (*scores)[static_cast<size_t>((b * *nc + c) * *ns + y)];
      });
      std::vector<Box> kept;
      for (int64_t i : order) {
        if (static_cast<int64_t>(kept.size()) >= max_out) break;
        Box bx = box_at(b, i);
        bool keep = std::all_of(kept.begin(), kept.end(), [&](const Box& k) { return iou(k, bx) <= iou_thr; });
        if (keep) kept.push_back(bx);
      }
      total += static_cast<int64_t>(kept.size());
    }
  }
  return ctx.dim(total);
}

// NonMaxSuppression: boxes [batches, spatial, 4], scores [batches, classes,
// spatial] -> selected_indices [num_selected, 3]; how many boxes survive
// depends on the data (computed above when it is known).
void nms_rule(Context& ctx) {
  const auto a = read<NonMaxSuppressionAttrs>(ctx.attrs());
  const auto* boxes = ranked(ctx, 0, 3, 3, "[num_batches, spatial_dimension, 4]");
  const auto* scores = ranked(ctx, 1, 3, 3, "[num_batches, num_classes, spatial_dimension]");
  if (boxes) {
    must_equal(ctx, (*boxes)[2], ctx.dim(4), Code::RoiDims, "NonMaxSuppression boxes' last dimension",
               "a box has 4 coordinates", name_of(ctx, 0));
  }
  if (boxes && scores) {
    must_equal(ctx, (*scores)[0], (*boxes)[0], Code::RoiDims, "NonMaxSuppression scores' batches vs the boxes'",
               "scores and boxes have the same number of batches", name_of(ctx, 1));
    must_equal(ctx, (*scores)[2], (*boxes)[1], Code::RoiDims, "NonMaxSuppression scores' last dimension vs the boxes'",
               "scores has one score per box and class", name_of(ctx, 1));
  }
  ctx.set_output(0, DType::Int64, Shape::of({nms_count(ctx, a.center_point_box), ctx.dim(3)}));
}

}  // namespace

void register_sampling(Registry& r) {
  r.define({.name = "DepthToSpace", .since = 1, .rule = depth_space_rule<DepthToSpaceAttrs>,
            .attrs = specs<DepthToSpaceAttrs>()});
  r.define({.name = "SpaceToDepth", .since = 1, .rule = depth_space_rule<SpaceToDepthAttrs>,
            .attrs = specs<SpaceToDepthAttrs>()});
  r.define({.name = "GridSample", .since = 16, .rule = grid_sample_rule, .attrs = specs<GridSampleAttrs>()});
  r.define({.name = "AffineGrid", .since = 20, .rule = affine_grid_rule, .attrs = specs<AffineGridAttrs>()});
  r.define({.name = "MaxRoiPool", .since = 1, .rule = roi_rule<MaxRoiPoolAttrs>, .attrs = specs<MaxRoiPoolAttrs>()});
  r.define({.name = "RoiAlign", .since = 10, .rule = roi_rule<RoiAlignAttrs>, .attrs = specs<RoiAlignAttrs>()});
  r.define({.name = "NonMaxSuppression", .since = 10, .rule = nms_rule, .attrs = specs<NonMaxSuppressionAttrs>()});
}

}  // namespace onnxscope::ops
