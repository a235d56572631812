// onnxruntime's graph optimizer as part of a target: the optimization
// level a session is created with, and what the measured fusions do at
// each level in each release (share/ort/fusions.txt, written by
// bench/ort/fusions/measure.sh; format in docs/support-tables.md#fusions):
//
//   fusion 1.30.0 layernorm-cast:float64>float32 extended no-kernel : Failed to find kernel ...
//   fusion 1.30.0 quickgelu:float32 all ok
//   built 1.30.0 gemm-relu:float32 all model : com.microsoft.FusedGemm
//   disable 1.30.0 layernorm-cast:float64>float32 all LayerNormFusionL2
//
// A built line says what the optimizer made of a probe whose session was
// created, through the window the release opens: the optimized model it
// writes (model, 1.21 on), the transformers its log says modified the graph
// (log, 1.17 to 1.20), or the number of nodes its log places (placement,
// 1.13 to 1.16).
//
// A probe is a pattern in the shape PyTorch exports it, with the dtypes
// that reach it (bench/ort/fusions/make_probes.py); in a message, {mul}
// stands for the name of the pattern's node onnxruntime names the fused
// node after.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "model/ops/support.h"

namespace onnxscope::ops {

// onnxruntime's GraphOptimizationLevel, in its order.
enum class OptLevel : uint8_t { Disabled, Basic, Extended, All };
std::string_view opt_level_name(OptLevel l);  // "disabled", "basic", "extended", "all"
std::optional<OptLevel> parse_opt_level(std::string_view s);

enum class BuiltWindow : uint8_t { Model, Log, Placement };
std::string_view window_name(BuiltWindow w);  // "model", "log", "placement"

struct FusionVerdict {
  Outcome outcome = Outcome::Ok;
  std::string_view message;  // with {mul}
};

class FusionTable {
 public:
  // Reads every line; throws Error "support-table" naming `source` and the
  // line.
  static FusionTable parse(std::string_view text, std::string_view source = {});
  // The outcome of a probe ("layernorm-cast:float64>float32") in a release
  // ("1.30", the minor of the patch release measured) at a level; nullopt
  // when it was not measured there.
  std::optional<FusionVerdict> find(std::string_view release, std::string_view probe, OptLevel level) const;
  bool empty() const { return lines_.empty(); }
  // What the optimizer built of a probe whose session was created: "Gemm,
  // Relu" at disabled, "com.microsoft.FusedGemm" at extended (nullptr when
  // the release opens no window on it).
  struct Built {
    BuiltWindow window;
    std::string what;
  };
  const Built* built(std::string_view release, std::string_view probe, OptLevel level) const;
  // The graph transformers that, turned off alone (session option
  // "optimization.disable_specified_optimizers"), let a probe that fails at
  // a level be created in a release: "LayerNormFusionL2" (empty when none
  // did, or the release ignores the option).
  const std::vector<std::string>& disablers(std::string_view release, std::string_view probe, OptLevel level) const;
  // The oldest release with a disabler for the probe at the level, and that
  // release's disablers; nullopt when none has.
  std::optional<std::pair<std::string, std::vector<std::string>>> first_disabler(std::string_view probe,
                                                                                 OptLevel level) const;

 private:
  struct Line {
    Outcome outcome;
    std::string message;
  };
  std::map<std::tuple<std::string, std::string, OptLevel>, Line, std::less<>> lines_;
  std::map<std::tuple<std::string, std::string, OptLevel>, Built, std::less<>> built_;
  std::map<std::tuple<std::string, std::string, OptLevel>, std::vector<std::string>, std::less<>> disable_;
};

}  // namespace onnxscope::ops
