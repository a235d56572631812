// What is fed, checked against the graph's declared inputs as onnxruntime
// checks feeds before it runs anything: dtype, rank, the dimensions the
// model fixes, names the graph does not have, inputs without a default that
// are not fed. The trial run checks the tensors it is given; `check --input`
// checks the types and shapes the user describes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/facts/diagnostic.h"
#include "model/ir/graph.h"

namespace onnxscope::analysis {

struct FeedType {
  enum class Kind : uint8_t { Tensor, Sequence, None };
  std::string name;
  Kind kind = Kind::Tensor;
  std::optional<DType> dtype;  // unknown: taken as declared
  // Unknown: taken as declared; a dimension without a size (a symbol) is
  // compared with nothing.
  std::optional<std::vector<std::optional<int64_t>>> dims;
};

struct FeedCheck {
  // Whether inputs without a default that are not fed are reported
  // (feed-missing): yes for a run, no when the user describes some feeds.
  bool require_all = true;
};

// Every mismatch at once, each quoting onnxruntime's own message beside a
// plain explanation (feed-dtype, feed-rank, feed-dim, feed-missing,
// feed-unknown).
std::vector<facts::Diagnostic> check_feeds(const ir::Graph& g, const std::vector<FeedType>& feeds,
                                           FeedCheck opts = {});

}  // namespace onnxscope::analysis
