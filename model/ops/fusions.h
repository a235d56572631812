// onnxruntime's graph optimizer as part of a target: the optimization
// level a session is created with, and what the measured fusions do at
// each level in each release (share/ort/fusions.txt, written by
// bench/ort/fusions/measure.sh; format in docs/support-tables.md#fusions):
//
//   fusion 1.30.0 layernorm-cast:float64>float32 extended no-kernel : Failed to find kernel ...
//   fusion 1.30.0 quickgelu:float32 all ok
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

#include "model/ops/support.h"

namespace onnxscope::ops {

// onnxruntime's GraphOptimizationLevel, in its order.
enum class OptLevel : uint8_t { Disabled, Basic, Extended, All };
std::string_view opt_level_name(OptLevel l);  // "disabled", "basic", "extended", "all"
std::optional<OptLevel> parse_opt_level(std::string_view s);

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

 private:
  struct Line {
    Outcome outcome;
    std::string message;
  };
  std::map<std::tuple<std::string, std::string, OptLevel>, Line, std::less<>> lines_;
};

}  // namespace onnxscope::ops
