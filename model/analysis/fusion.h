// onnxruntime's graph fusions that build nodes with no kernel: the patterns
// its optimizer rewrites, matched on the inferred graph with their dtypes,
// and for each release and optimization level what the measured fusion
// table (ops::FusionTable) says happens to them.
//
//   LayerNormFusion  a Cast, then ReduceMean, Sub, Pow, ReduceMean, Add,
//                    Sqrt, Div, Mul (scale) and Add (bias): the fused
//                    LayerNormalization takes the Cast's input, in the
//                    other dtype ("layernorm-cast:float64>float32")
//   SimplifiedLayerNormFusion  Pow(2), ReduceMean, Add, Sqrt, then Div(x, .)
//                    or Reciprocal/Div(1, .) and Mul(x, .), then Mul (scale):
//                    an RMSNorm, with a Cast before it as for LayerNorm
//                    ("rmsnorm-cast:float64>float32", "rmsnorm-inv:float32")
//   QuickGeluFusion  x * Sigmoid(k * x) and x * Sigmoid(x)
//                    ("quickgelu:float64", "silu:float64")
//   GemmActivationFusion  Gemm then Relu, Sigmoid, Tanh or LeakyRelu
//                    ("gemm-relu:float64"): a FusedGemm
//   MatmulTransposeFusion  a Transpose of the last two axes into a MatMul
//                    ("transpose-matmul:float64", "transpose-matmul-b:..."):
//                    a FusedMatMul
//   AttentionFusion  BERT's self-attention after a LayerNorm
//                    ("attention:float64"): the transformer throws
//
// A failure with no kernel is fusion-no-kernel; one where the transformer
// throws while it matches, fusion-fails.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/analysis/infer.h"
#include "model/ops/fusions.h"

namespace onnxscope::analysis {

struct FusionMatch {
  std::string fusion;  // onnxruntime's transformer: "LayerNormFusion", "QuickGeluFusion", "AttentionFusion" ...
  std::string probe;   // the fusion table's probe: "layernorm-cast:float64>float32"
  NodeRef named;       // the node whose name the fused node takes (the Mul; the Gemm; the MatMul)
  NodeRef cause;       // what brings in the other dtype (the Cast), if any
  std::vector<NodeRef> nodes;  // every node the fusion consumes, in model order
  std::string from, to;        // the dtypes: the Cast's input and output; or the pattern's dtype twice
};

// Every match in the model's graphs that run (subgraphs included).
std::vector<FusionMatch> find_fusions(const Analysis& a);

// The load failures the matches give in one release (its target's minor,
// "1.30") at an optimization level, appended to `out` with the release set.
void fusion_findings(const std::vector<FusionMatch>& matches, const ops::FusionTable& table,
                     std::string_view release, ops::OptLevel level, std::vector<Diagnostic>& out);

// Constant folding: at level basic and above onnxruntime computes, while it
// creates the session, every node whose inputs are all constants. A run-time
// finding on such a Gather (index-range) or Reshape (reshape-count) is a load
// failure naming no node in the releases whose fold fails with it (measured:
// "constant-folding:Gather" and "constant-folding:Reshape" in the table).
// Returns the finding as that release and level see it, or nullopt when they
// see it as `d` says.
std::optional<Diagnostic> constant_folded(const Diagnostic& d, const ops::FusionTable& table,
                                          std::string_view release, ops::OptLevel level);

}  // namespace onnxscope::analysis
