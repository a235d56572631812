// One writer per output format over the session's typed results: text for
// people (styled; a terminal sink or a TUI decides what the roles look like),
// JSON for programs (docs/*-json.md), Markdown for issue reports. A command
// is a session call and one of these.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/facts/diagnostic.h"
#include "model/session/session.h"
#include "model/session/styled.h"

namespace onnxscope {
class Error;
}

namespace onnxscope::session {

// How `check` shows its nodes in text: one row per operator version, types
// and status, or every node (--nodes).
enum class NodeListing : uint8_t { Operators, Nodes };

// ---- text (write_text.cc) ----
StyledText write_text(const InfoReport& r);
StyledText write_text(const ShapesReport& r);
StyledText write_text(const LineageReport& r);
StyledText write_text(const CheckReport& r, NodeListing nodes);
StyledText write_text(const TargetsReport& r);
StyledText write_text(const Explanation& e);
StyledText write_code_list();  // every code with its one-line meaning (model/facts/codes.def)
// Parts, for front ends that lay out a check themselves.
StyledText write_diagnostics_text(const std::vector<analysis::Diagnostic>& diags);  // "Diagnostics (N)" section
StyledText write_operators_text(const TargetCheck& c);
StyledText write_nodes_text(const TargetCheck& c);

// ---- JSON (write_json.cc) ----
std::string write_json(const InfoReport& r);
std::string write_json(const ShapesReport& r);
std::string write_json(const LineageReport& r);  // onnxscope.lineage/1
// One target: onnxscope.check/1, every node listed. Several:
// onnxscope.check/2, nodes listed only with NodeListing::Nodes.
std::string write_json(const CheckReport& r, NodeListing nodes = NodeListing::Operators);
std::string write_json(const TargetsReport& r);
// {"error": {"code", "message"}}, for a command that failed after --format json.
std::string write_json_error(const Error& e);
// `s` as a JSON string literal, escaped as every writer here escapes:
// quotes, backslashes and control characters, bytes that are not UTF-8
// replaced by U+FFFD.
std::string json_quote(std::string_view s);

// ---- run (write_run.cc; JSON in write_json.cc, docs/run-json.md) ----
StyledText write_text(const RunReport& r, NodeListing nodes);
std::string write_json(const RunReport& r, NodeListing nodes);
std::string_view run_stop_name(exec::Stop s);  // "done", "failed", "non-finite", ...

// ---- Markdown (write_markdown.cc) ----
std::string write_markdown(const CheckReport& r);
// Text for a Markdown table cell: printable, with what Markdown would read
// as markup escaped.
std::string md_escape(std::string_view s);

// ---- the issue report (report.cc) ----
struct ReportContext {
  std::string version;                  // onnxscope's
  std::string check_command;            // the `onnxscope check ...` that gives the same findings
  std::vector<std::string> feed_specs;  // the --input specs, as given
};
// Markdown for a GitHub issue: environment, model facts, verdicts, each
// finding of the newest target with its node's types and neighbours, and
// the commands that reproduce it.
std::string write_report(Session& s, const CheckReport& r, const ReportContext& ctx);

}  // namespace onnxscope::session
