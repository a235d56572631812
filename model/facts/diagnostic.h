// Findings of the analyses. Every finding has a code from codes.def
// (explained in docs/diagnostics.md, `onnxscope explain CODE`), a severity,
// the phase in which onnxruntime would fail (loading the session, or running
// it), the node, and where known a hint with the concrete fix and the node
// that caused it. Findings are assembled in one way: diagnostic(code)...
#pragma once

#include <string>
#include <vector>

#include "model/facts/codes.h"
#include "model/ir/graph.h"

namespace onnxscope::facts {

struct NodeRef {
  const ir::Graph* graph = nullptr;
  ir::NodeId node = ir::kNoNode;
  explicit operator bool() const { return graph && node != ir::kNoNode; }
  const ir::Node& get() const { return graph->nodes[node]; }
};

struct Diagnostic {
  Code code{};
  Severity severity = Severity::Error;
  Phase phase = Phase::Load;
  NodeRef node;
  std::string input;  // the input (value name) concerned, if any
  std::string message;
  std::string hint;
  NodeRef root_cause;
  // The symbol a conditional finding is about ("agree only when batch = 2"),
  // for linking it to where that dimension was fixed.
  std::string symbol;
  // The onnxruntime release ("1.17") a support finding is about, for the
  // findings a release's table gives; "" for those that hold in any
  // release. The message does not name it, so that the findings several
  // releases share read the same and are shown once with their releases.
  std::string release;
  // For a dtype finding: where the offending dtype entered the graph and the
  // nodes that carried it ("float64 from initializer 'mean'", "int32 from
  // graph input 'ids', through Unsqueeze node '/Unsqueeze'"); "" otherwise.
  std::string lineage;
  // For a finding whose outcome differs by release: the session fact of the
  // support tables that decides it ("zero-divisor/Div/int64"), and what
  // stands in the runtime's words for the probe's own names (the cycle
  // "local:F -> local:G -> local:F"). check words it per release.
  std::string session_fact;
  std::string session_subject;
  // For an error onnxruntime does not report because it stops at another
  // one first (check works it out per release): that error, "the no-kernel
  // error at Conv node 'a'"; "" when this one is reported or may be.
  std::string hidden_behind;
};

// Assembles a Diagnostic: the code's usual severity and phase from the
// table, then what the site says.
class DiagnosticBuilder {
 public:
  explicit DiagnosticBuilder(Code code) {
    const CodeInfo& info = code_info(code);
    d_.code = code;
    d_.severity = info.severity;
    d_.phase = info.phase;
  }
  DiagnosticBuilder& severity(Severity s) { d_.severity = s; return *this; }
  DiagnosticBuilder& phase(Phase p) { d_.phase = p; return *this; }
  DiagnosticBuilder& node(NodeRef n) { d_.node = n; return *this; }
  DiagnosticBuilder& node(const ir::Graph& g, ir::NodeId k) { d_.node = {&g, k}; return *this; }
  DiagnosticBuilder& message(std::string m) { d_.message = std::move(m); return *this; }
  DiagnosticBuilder& hint(std::string h) { d_.hint = std::move(h); return *this; }
  DiagnosticBuilder& input(std::string i) { d_.input = std::move(i); return *this; }
  DiagnosticBuilder& symbol(std::string s) { d_.symbol = std::move(s); return *this; }
  DiagnosticBuilder& root_cause(NodeRef n) { d_.root_cause = n; return *this; }
  DiagnosticBuilder& release(std::string r) { d_.release = std::move(r); return *this; }
  DiagnosticBuilder& session_fact(std::string f, std::string subject = {}) {
    d_.session_fact = std::move(f);
    d_.session_subject = std::move(subject);
    return *this;
  }
  Diagnostic build() { return std::move(d_); }
  operator Diagnostic() { return build(); }  // NOLINT: a builder converts to what it builds

 private:
  Diagnostic d_;
};

inline DiagnosticBuilder diagnostic(Code code) { return DiagnosticBuilder(code); }

// How findings name a node: "Gemm node '/fc/Gemm'", with its domain when it
// has one ("com.microsoft.FusedConv node 'x'"); an unnamed node by the
// synthetic name the loader gave it, unquoted.
std::string node_desc(const ir::Node& n);

}  // namespace onnxscope::facts
