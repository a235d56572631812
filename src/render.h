// Rendering of diagnostics, shared by the commands that report them.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/analysis/infer.h"
#include "src/cli.h"

namespace onnxscope::cli {

// The JSON contract of docs/diagnostics.md: code, severity, phase, node,
// op_type, input, message, hint, root_cause_node (absent facts are null).
nlohmann::json diagnostics_json(const std::vector<analysis::Diagnostic>& diags);

// A "Diagnostics (N)" section for text output; empty when there are none.
std::string render_diagnostics_text(const std::vector<analysis::Diagnostic>& diags, const Style& st);

// `s` as a JSON string literal: quotes, backslashes and control characters
// escaped, bytes that are not UTF-8 replaced by U+FFFD (as nlohmann's
// error_handler_t::replace does). For output written piece by piece.
std::string json_quote(std::string_view s);

// The node as people should find it: its name, and the subgraph it is in.
std::string node_label(const analysis::NodeRef& n);

}  // namespace onnxscope::cli
