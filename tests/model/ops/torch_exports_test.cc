// Symbolic shapes on real PyTorch exports (tests/fixtures/torch, made by
// torch 1.13's torch.onnx.export with dynamic axes): the shape computations
// torch writes (Shape -> Gather -> Unsqueeze -> Concat -> Reshape, dynamic
// Slices, Expand through ConstantOfShape/Equal/Where) must keep the dynamic
// axes symbolic, by inference alone (declarations not adopted).
#include <gtest/gtest.h>

#include "model/analysis/infer.h"
#include "model/load/loader.h"
#include "tests/support/support.h"

namespace onnxscope::ops {
namespace {

struct Export {
  std::unique_ptr<ir::Model> model;
  std::unique_ptr<analysis::Analysis> a;

  const analysis::Inferred& value(std::string_view name) const {
    const ir::Graph& g = *model->graph;
    ir::ValueId id = g.find(name);
    EXPECT_NE(id, ir::kNoValue) << name;
    return a->value(g, id);
  }
  std::string operator[](std::string_view name) const { return analysis::to_string(value(name)); }
  std::string ints(std::string_view name) const {
    const auto& v = value(name);
    return v.ints ? analysis::to_string(analysis::Shape::of(*v.ints)) : "untracked";
  }
  std::vector<const analysis::Diagnostic*> all(std::string_view code) const {
    std::vector<const analysis::Diagnostic*> out;
    for (const auto& d : a->diagnostics) if (to_string(d.code) == code) out.push_back(&d);
    return out;
  }
  std::string codes() const {
    std::string out;
    for (const auto& d : a->diagnostics) out += to_string(d.code) + ": " + d.message + "\n";
    return out;
  }
};

Export load_export(std::string_view file) {
  Export e;
  e.model = load::load_model(test::source_dir() / "fixtures" / "torch" / std::string(file));
  analysis::InferOptions opts;
  opts.adopt_declared = false;  // what inference computes, not what the file declares
  e.a = analysis::infer(*e.model, opts);
  return e;
}

TEST(TorchExports, ViewFlattenAfterConv) {
  auto e = load_export("view_flatten.onnx");
  EXPECT_EQ(e["/conv/Conv_output_0"], "float32[batch,4,6,6]");
  // x.view(x.size(0), -1): the shape is computed from the tensor.
  EXPECT_EQ(e.ints("/Shape_output_0"), "[batch,4,6,6]");
  EXPECT_EQ(e.ints("/Gather_output_0"), "[batch]");
  EXPECT_EQ(e.ints("/Unsqueeze_output_0"), "[batch]");
  EXPECT_EQ(e.ints("/Concat_output_0"), "[batch,-1]");
  // C*H*W = 4*6*6 folds to a constant; the batch stays a symbol.
  EXPECT_EQ(e["/Reshape_output_0"], "float32[batch,144]");
  EXPECT_EQ(e["logits"], "float32[batch,5]");
  EXPECT_TRUE(e.a->diagnostics.empty()) << e.codes();
}

TEST(TorchExports, AttentionWithDynamicBatchAndSequence) {
  auto e = load_export("attention.onnx");
  EXPECT_EQ(e["/qkv/Add_output_0"], "float32[batch,seq,48]");
  // qkv.chunk(3, -1): Slices whose bounds come from the shape (48 / 3 * k).
  EXPECT_EQ(e.ints("/Div_output_0"), "[16]");
  EXPECT_EQ(e["/Slice_output_0"], "float32[batch,seq,16]");
  EXPECT_EQ(e["/Slice_1_output_0"], "float32[batch,seq,16]");
  EXPECT_EQ(e["/Slice_2_output_0"], "float32[batch,seq,16]");
  // view(B, T, 2, 8) with B and T read from the tensor.
  EXPECT_EQ(e.ints("/Concat_output_0"), "[batch,seq,2,8]");
  EXPECT_EQ(e["/Reshape_output_0"], "float32[batch,seq,2,8]");
  EXPECT_EQ(e["/Reshape_1_output_0"], "float32[batch,seq,2,8]");
  EXPECT_EQ(e["/Reshape_2_output_0"], "float32[batch,seq,2,8]");
  EXPECT_EQ(e["/Transpose_output_0"], "float32[batch,2,seq,8]");
  EXPECT_EQ(e["/Transpose_2_output_0"], "float32[batch,2,8,seq]");
  EXPECT_EQ(e["/MatMul_output_0"], "float32[batch,2,seq,seq]");
  EXPECT_EQ(e["/Softmax_output_0"], "float32[batch,2,seq,seq]");
  EXPECT_EQ(e["/MatMul_1_output_0"], "float32[batch,2,seq,8]");
  // The merge view(B, T, 16), written as view(B, T, -1).
  EXPECT_EQ(e.ints("/Concat_3_output_0"), "[batch,seq,-1]");
  EXPECT_EQ(e["/Reshape_3_output_0"], "float32[batch,seq,16]");
  EXPECT_EQ(e["y"], "float32[batch,seq,16]");
  EXPECT_TRUE(e.a->diagnostics.empty()) << e.codes();
}

TEST(TorchExports, CatAlongADynamicAxis) {
  auto e = load_export("cat_dynamic.onnx");
  // cls.expand(B, -1, -1): torch computes the target through
  // ConstantOfShape, Equal and Where to replace the -1s by 1.
  EXPECT_EQ(e.ints("/Concat_output_0"), "[batch,-1,-1]");
  EXPECT_EQ(e.ints("/Where_output_0"), "[batch,1,1]");
  EXPECT_EQ(e["/Expand_output_0"], "float32[batch,1,8]");
  // torch.cat([cls, a, b], 1): the declared seq_out is 1 + seq_a + seq_b.
  EXPECT_EQ(e["y"], "float32[batch,seq_a+seq_b+1,8]");
  EXPECT_TRUE(e.a->diagnostics.empty()) << e.codes();
}

TEST(TorchExports, BakedBatchSize) {
  auto e = load_export("baked_batch.onnx");
  // reshape(2, -1) with the batch traced as the constant 2.
  EXPECT_EQ(e.ints("/Constant_output_0"), "[2,-1]");
  EXPECT_EQ(e["/Reshape_output_0"], "float32[2,12*batch]");
  EXPECT_EQ(e["logits"], "float32[2,3]");
  // The Gemm's inner dimensions 12*batch and 24 agree only for batch 2.
  auto inner = e.all("matmul-inner");
  ASSERT_EQ(inner.size(), 1u) << e.codes();
  EXPECT_EQ(inner[0]->severity, analysis::Severity::Warning);
  EXPECT_NE(inner[0]->message.find("batch = 2"), std::string::npos) << inner[0]->message;
}

TEST(TorchExports, Float64MeetsFloat32) {
  auto e = load_export("float64_mix.onnx");
  EXPECT_EQ(e["offset"], "float64[4]");
  EXPECT_EQ(e["/Cast_1_output_0"], "float32[batch,4]");
  EXPECT_EQ(e["y"], "float32[batch,2]");
  EXPECT_EQ(e.all("dtype-mismatch").size(), 1u) << e.codes();
}

TEST(TorchExports, ScriptedLoopAndIf) {
  auto e = load_export("loop_if.onnx");
  EXPECT_EQ(e["/fc/Gemm_output_0"], "float32[batch,4]");
  EXPECT_EQ(e.ints("/Shape_1_output_0"), "[batch,4]");
  EXPECT_EQ(e.ints("/Gather_1_output_0"), "[batch]");  // the trip count, range(h.size(0))
  EXPECT_EQ(e.ints("/Shape_output_0"), "[4]");
  EXPECT_EQ(e["/ConstantOfShape_output_0"], "float32[4]");
  EXPECT_EQ(e["y"], "float32[batch,4]");
  // Declared with its own symbol by torch, always 4.
  EXPECT_EQ(e["row_sum"], "float32[4]");
}

}  // namespace
}  // namespace onnxscope::ops
