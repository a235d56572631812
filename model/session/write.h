// One writer per output format over the session's typed results: text for
// people (styled; a terminal sink or a TUI decides what the roles look like),
// JSON for programs (docs/*-json.md), Markdown for issue reports. A command
// is a session call and one of these.
#pragma once

#include <functional>
#include <map>
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
// The same, handed to `sink` in pieces of about a megabyte as they are
// written: `shapes` on a 100,000-node model prints as it goes instead of
// holding its 11 MB of text.
void write_text(const ShapesReport& r, const std::function<void(StyledText&&)>& sink);
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
// What the issue report says, gathered once for its two forms (Markdown,
// JSON: docs/report-json.md).
struct IssueValue {                  // one input or output of a finding's node
  bool output = false;
  size_t index = 0;                  // the input's or output's position
  std::string name;
  std::string type;                  // inferred without the sizes given: "float32[batch,4,6]"
  std::string concrete;              // with them ("float32[4,4,6]"); "" when no size was given
  std::vector<std::string> links;    // input: its producer's label, "initializer", "graph input" or
                                     // "enclosing graph"; output: its consumers' labels, "graph output"
};
struct IssueFinding {
  const analysis::Diagnostic* diagnostic = nullptr;
  std::string op;                    // "Gemm-13": the node's operator and version; "" without a node
  std::vector<IssueValue> values;    // the node's inputs and outputs, when this finding shows them
  size_t values_in = 0;              // else the (1-based) finding that shows them; 0: no node
};
struct IssueTarget {
  std::string target, release, verdict, first_error;  // first_error: its code, "" when none
  size_t errors = 0, warnings = 0;
};
struct IssueReport {
  std::string version;               // onnxscope's
  std::string model_name, model_path;
  bool failing = false;
  std::string summary;               // "onnxscope predicts that onnxruntime fails on this model (ort-cpu@1.30)."
  bool bound = false;                // sizes were given: IssueValue::concrete is filled
  std::vector<std::string> feed_specs;
  std::map<std::string, int64_t, std::less<>> bindings;
  uint64_t file_bytes = 0;
  int64_t ir_version = 0;
  std::string producer_name, producer_version;
  std::vector<std::pair<std::string, int64_t>> opsets;  // "ai.onnx", 17
  size_t nodes = 0;                                      // of the main graph
  std::vector<std::pair<std::string, std::string>> inputs, outputs;  // name, symbolic type
  std::vector<IssueTarget> targets;  // oldest first
  std::string findings_target;       // the newest target: the findings are its errors and warnings
  std::vector<IssueFinding> findings;
  std::string check_command;
  std::vector<std::string> extract_commands;  // for a run-time failure of a main-graph node
  std::vector<std::string> python;            // onnxruntime calls, one statement a line
};
IssueReport issue_report(Session& s, const CheckReport& r, const ReportContext& ctx);
// Markdown for a GitHub issue: environment, model facts, verdicts, each
// finding of the newest target with its node's types and neighbours, and
// the commands that reproduce it.
std::string write_report(const IssueReport& r);
std::string write_report(Session& s, const CheckReport& r, const ReportContext& ctx);
// The same as JSON, onnxscope.report/1 (docs/report-json.md; write_json.cc).
std::string write_report_json(const IssueReport& r);

}  // namespace onnxscope::session
