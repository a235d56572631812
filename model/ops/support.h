// Support tables: what one onnxruntime release does with each probe model,
// measured by bench/ort and committed in share/ort (format below). A table
// answers, for an operator version and the types of its constrained inputs,
// whether a session with such a node loads, and if not, how it fails.
//
// Format (one fact per line, '#' comments):
//   release 1.30.0
//   ir 11                          highest IR version that loads
//   opset ai.onnx 23               highest opset of a domain that loads
//   op ai.onnx Abs 13 ok T=float32|float64|int32
//   op ai.onnx Abs 13 no-kernel T=bfloat16 : Could not find an implementation ...
//   op ai.onnx Cast 19 ok T1=float32 T2=bool|float16
//   session zero-divisor/Div/int64 invalid : Exception during initialization: ...
// A `session` line (tables measured from December 2026 on) records what
// session creation does with a model-level probe (a fact beyond single
// operators: a division by a zero initializer, recursive functions); a table
// without them has not measured those facts. A domain's `opset` line is
// absent when the release loads every opset of it (no limit).
// An op line covers every combination of the listed types; lines of one
// operator version share its constraint names, sorted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace onnxscope::ops {

class FusionTable;  // fusions.h

enum class Outcome : uint8_t { Ok, NoKernel, TypeError, NotRegistered, OpsetUnsupported, IrUnsupported, Invalid, Crash };
std::string_view outcome_name(Outcome o);
std::optional<Outcome> parse_outcome(std::string_view s);

// A probe's assignment, "T1=float32,T2=map(int64,float32)", as (constraint,
// type) pairs: commas inside parentheses belong to the type; "" and "-" are
// no constraint at all.
std::vector<std::pair<std::string, std::string>> parse_assignment(std::string_view a);

// "1.30" of the target "ort-cpu@1.30".
std::string target_minor(std::string_view target);

// One probe's result, as the harness records it.
struct ProbeResult {
  std::string kind;  // op, opset, ir
  std::string domain;
  std::string op;
  int version = 0;
  std::string assignment;  // "T1=float32,T2=int64"
  Outcome outcome = Outcome::Ok;
  std::string message;
};

// The opset probe of a domain that loads only where the release sets no
// limit for that domain.
inline constexpr int kUnboundedOpset = 1000;

// What session creation did with a model-level probe.
struct SessionFact {
  Outcome outcome = Outcome::Ok;
  std::string message;  // the runtime's, "" for ok
};

struct SupportVerdict {
  Outcome outcome;
  std::string_view message;
};

class SupportTable {
 public:
  std::string release;  // "1.30.0"
  int64_t max_ir = 0;
  std::map<std::string, int64_t, std::less<>> max_opset;  // per domain ("ai.onnx", "ai.onnx.ml", "com.microsoft" ...)
  // Model-level facts ("zero-divisor/Div/int64", "recursive-function/direct"),
  // from the `session` lines; empty in tables measured before they existed.
  std::map<std::string, SessionFact, std::less<>> session;
  const SessionFact* session_fact(std::string_view fact) const {
    auto it = session.find(fact);
    return it == session.end() ? nullptr : &it->second;
  }

  // "ort-cpu@1.30"
  std::string target() const;
  // major * 1000 + minor, for ordering releases.
  int order() const;

  // The outcome for an operator version whose constrained types are
  // `assignment` (constraint -> short type, e.g. T -> float32); nullopt when
  // the table has no probe for it. A constraint left out of `assignment`
  // (bound only by omitted optional arguments) matches any type, and the
  // outcome is the one all matching probes share (nullopt if they differ).
  // Throws Error "support-table" naming the line when a line of that
  // operator version is malformed (see index()).
  std::optional<SupportVerdict> find(std::string_view domain, std::string_view op, int version,
                                     const std::map<std::string, std::string, std::less<>>& assignment) const;
  // The constraint names the table's probes of an operator version assign.
  const std::vector<std::string>* constraints(std::string_view domain, std::string_view op, int version) const;
  bool has(std::string_view domain, std::string_view op, int version) const {
    return constraints(domain, op, version) != nullptr;
  }
  size_t size() const;  // op lines
  // Every operator version the table covers: (domain, op, version), sorted.
  std::vector<std::tuple<std::string, std::string, int>> op_versions() const;

  // Reads every line; throws Error "support-table" naming the line.
  static SupportTable parse(std::string_view text);
  // Reads the release, IR and opset lines and finds where each operator
  // version's lines are (the words before their outcome); an operator
  // version's lines are read on its first lookup. A check reads the lines of
  // the operators the model uses, a few hundred of a table's thousands. An
  // unknown line or a bad version throws here; what is wrong inside an
  // operator version's lines throws at its first lookup, naming `source`
  // (the file) and the line. Lookups may come from several threads.
  static SupportTable index(std::string text, std::string source = {});
  // Reads every operator version not read yet (what parse() checks).
  void read_all() const;
  // The table text for a release's probe results.
  static std::string format(std::string_view release, const std::vector<ProbeResult>& results);
  // `table` (a table's text) with its ir, opset and session lines replaced
  // by what `results` (the probes of kinds ir, opset and session) say; its
  // op lines are kept. For adding facts to tables without measuring every
  // operator again.
  static std::string update_limits(std::string_view table, std::string_view release,
                                   const std::vector<ProbeResult>& results);

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared by copies: the text, the index, what has been read
};

// The tables in a folder (files ort-cpu-MAJOR.MINOR.txt), oldest release
// first, each read and indexed on first use (SupportTable::index): a check
// against one release reads that release's table only, unless a hint needs
// the others, and of it the lines of the operators the model uses.
class SupportTables {
 public:
  // Lists the files; reads none. Empty if `dir` has none.
  static SupportTables open(const std::filesystem::path& dir);

  size_t size() const { return files_.size(); }
  bool empty() const { return files_.empty(); }
  // "ort-cpu@1.30", from the file name.
  const std::string& target(size_t i) const { return files_[i].target; }
  // major * 1000 + minor, from the file name.
  int order(size_t i) const { return files_[i].order; }
  // The table, indexed on first use. Throws Error naming the file (and line),
  // also when its release line does not belong to the file name's release.
  const SupportTable& at(size_t i) const;
  // The index of a target ("ort-cpu@1.30"), if there is a table for it.
  std::optional<size_t> find(std::string_view target) const;
  // The folder's fusions.txt (what the graph optimizer's fusions do in each
  // release), read on first use; empty when the folder has none. Throws
  // Error "support-table" naming the file and line.
  const FusionTable& fusions() const;

 private:
  struct Fusions;
  std::filesystem::path dir_;
  std::shared_ptr<Fusions> fusions_;
  struct File {
    std::filesystem::path path;
    std::string target;
    int order = 0;
    mutable std::shared_ptr<const SupportTable> table;
  };
  std::vector<File> files_;
};

// Every table in `dir`, parsed, oldest release first.
std::vector<SupportTable> load_support_tables(const std::filesystem::path& dir);

}  // namespace onnxscope::ops
