// The session: what lies between the analysis core and any output, shared by
// every front end (the command line, the terminal UI, reports). It takes a
// model path and options, loads the model, runs inference and support checks
// when asked, re-runs them when bindings or input overrides change, and hands
// out plain result structs that the writers (model/session/write.h) turn into
// text, JSON or Markdown and a TUI reads directly.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/analysis/check.h"
#include "model/analysis/infer.h"
#include "model/analysis/summary.h"
#include "model/exec/compare.h"
#include "model/exec/run.h"
#include "model/ir/graph.h"
#include "model/load/loader.h"
#include "model/ops/support.h"


namespace onnxscope::session {

// ---- Options -----------------------------------------------------------------

struct Options {
  load::LoadOptions load;  // max_structure_bytes: --max-memory
  // --input NAME=DTYPE[D0,...], --bind SYMBOL=INT, --value NAME=V0,V1,...
  std::vector<analysis::InputOverride> inputs;
  std::map<std::string, int64_t, std::less<>> bindings;
  std::map<std::string, std::vector<double>, std::less<>> input_values;
  // `check --input NAME=DTYPE[D0,...]`: what will be fed. Checked against
  // the declared inputs as onnxruntime checks feeds (feed-* findings); a feed
  // that passes is inferred with, its sizes binding the symbols it fills.
  std::vector<analysis::InputOverride> feeds;
  // --target specs ("all", "latest", "1.30", "ort-cpu@1.30", "1.30.2"); none:
  // no table is read until a check asks (then the latest release).
  std::vector<std::string> targets;
  // --optimization-level: the graph optimization level the sessions are
  // created with (onnxruntime's default: all).
  ops::OptLevel optimization = ops::OptLevel::All;
};

// `--max-memory MiB` as load options.
load::LoadOptions load_options(uint64_t max_memory_mib);

// The option parsers; each throws Error "usage" naming the option and value.
// "x=float32[batch,3,224,224]", "ids=int64[1,seq]", "x=[N,4]" (dtype kept),
// "x=float16" (shape kept), "xs=seq(float32[N])".
analysis::InputOverride parse_input(std::string_view spec);
std::pair<std::string, int64_t> parse_binding(std::string_view spec);             // "batch=4"
std::pair<std::string, std::vector<double>> parse_value(std::string_view spec);  // "shape=1,-1"

// ---- Support tables and target selection ---------------------------------------

// Where share/ is: $ONNXSCOPE_SHARE, else next to the executable
// (build/src/onnxscope -> share/, bin/onnxscope -> share/onnxscope/).
std::filesystem::path share_dir();

// The measured support tables of a folder, each indexed on first use and
// kept; an operator version's lines are read when a check first looks it up.
class Tables {
 public:
  // The folder's ort-cpu-*.txt files; throws Error "support-tables" if none.
  explicit Tables(std::filesystem::path dir);
  // share_dir()/ort, opened on first call and kept for the process (freeing
  // every table at exit would cost as much as reading them).
  static const Tables& installed();

  const std::filesystem::path& dir() const { return dir_; }
  const ops::SupportTables& all() const { return all_; }
  size_t size() const { return all_.size(); }
  const std::string& target(size_t i) const { return all_.target(i); }  // "ort-cpu@1.30"
  const ops::SupportTable& at(size_t i) const { return all_.at(i); }     // reads it on first use

  // --target values, in table order (oldest first), each table once: "all",
  // "latest", "ort-cpu@1.30", "ort@1.30", "1.30", "1.30.2" (the measured
  // patch release); none means "latest". Throws Error "usage" for a release
  // without a table, naming those there are. Reads only the tables named.
  std::vector<size_t> select(const std::vector<std::string>& specs) const;
  // "1.10, 1.11, ..."
  std::string available() const;

 private:
  std::filesystem::path dir_;
  ops::SupportTables all_;
};

// ---- Results -----------------------------------------------------------------

// `info`: the model's header facts and counts.
struct InfoReport {
  const ir::Model* model = nullptr;
  analysis::ModelSummary summary;
};

// `shapes`: every value with its inferred facts, the main graph's first
// (inputs, initializers, node outputs in topological order), then each
// subgraph's.
struct ValueRow {
  uint32_t graph = 0;  // index into ShapesReport::graphs
  ir::ValueId id = ir::kNoValue;
  std::string_view kind;  // input, initializer, outer, intermediate, output
  const analysis::Inferred* fact = nullptr;
};
struct GraphEntry {
  const ir::Graph* graph = nullptr;
  std::string path;  // "" for the main graph, else ir::Graph::path()
};
struct ShapesReport {
  const analysis::Analysis* analysis = nullptr;
  std::vector<GraphEntry> graphs;
  std::vector<ValueRow> values;
  std::string_view name(const ValueRow& v) const { return graphs[v.graph].graph->value(v.id).name; }
};

// `shapes --lineage`: where each named value's dtype entered the graph.
struct LineageRow {
  std::string name;
  std::string graph;    // "" for the main graph, else ir::Graph::path()
  std::string type;     // as inferred: "int32[N,1]"
  std::string lineage;  // analysis::dtype_lineage; "" when the dtype is unknown
};
using LineageReport = std::vector<LineageRow>;

// `check`: one target's result and what is shown of it.
struct OperatorRow {  // nodes grouped by operator version, types and status
  std::string op;     // "Conv-11", "com.microsoft.Gelu-1"
  std::string types;  // "T=float32"
  analysis::SupportStatus status = analysis::SupportStatus::Ok;
  size_t count = 0;
};
struct NodeRow {  // one node as listed: label, operator version, types, status
  std::string label;  // node_label()
  std::string op;     // op_version()
  const analysis::NodeSupport* node = nullptr;  // the rest: types, status, domain, version
};
struct TargetCheck {
  size_t table = 0;             // index into Tables
  std::string target;           // "ort-cpu@1.30"
  std::string minor;            // "1.30"
  std::string release;          // "1.30.0", the release the table was measured on
  // Verdict and diagnostics; the nodes are in the `matrix` of the pass that
  // checked the target (`result.nodes` is empty: full() has them).
  analysis::CheckResult result;
  std::shared_ptr<const analysis::CheckMatrix> matrix;
  size_t column = 0;  // in `matrix`
  size_t errors = 0, warnings = 0;
  std::string sentence;  // "expected to load and run in onnxruntime 1.30"
  std::vector<OperatorRow> operators;  // in order of first appearance
  const analysis::Diagnostic* first_error() const;
  bool ok() const { return result.verdict == analysis::Verdict::Ok; }
  // Every node's support, whichever way the target was checked.
  size_t node_count() const { return matrix ? matrix->nodes.size() : result.nodes.size(); }
  const analysis::NodeSupport& node(size_t i) const { return matrix ? matrix->nodes[i] : result.nodes[i]; }
  std::string_view types(size_t i) const {
    return matrix ? std::string_view(matrix->cell(column, i).types) : std::string_view(result.nodes[i].types);
  }
  analysis::SupportStatus status(size_t i) const {
    return matrix ? matrix->cell(column, i).status : result.nodes[i].status;
  }
  // The result with its nodes (built on first call for a target of a matrix).
  const analysis::CheckResult& full() const;

 private:
  mutable std::unique_ptr<analysis::CheckResult> full_;
};
struct CheckReport {
  const analysis::Analysis* analysis = nullptr;
  std::vector<const TargetCheck*> targets;  // oldest first
  bool failing() const;  // a verdict other than ok
};

// The findings of several targets, each listed once with the targets that
// have it: findings that differ in nothing but their release (a finding's
// message never names it) are one.
struct SharedFinding {
  const analysis::Diagnostic* diagnostic = nullptr;  // as the oldest target that has it says it
  std::vector<size_t> targets;  // indices into CheckReport::targets, ascending
  std::string releases;         // "1.10-1.17, 1.29": runs of consecutive targets of the report
};
struct SharedFindings {
  std::vector<SharedFinding> findings;  // in order of first appearance, oldest target first
  std::vector<std::vector<size_t>> of_target;  // per target: its findings (into `findings`), in its order
};
SharedFindings shared_findings(const CheckReport& r);

// The tables `todo` (indices into `all`) checked in one pass over the model
// (analysis::check_many), one TargetCheck each, in the order given; their
// nodes stay in the pass's matrix. What Session::check_every does for its
// analysis, for a front end that holds its own (the TUI's release matrix).
std::vector<std::unique_ptr<TargetCheck>> check_targets(const analysis::Analysis& a, const ops::SupportTables& all,
                                                        const std::vector<size_t>& todo,
                                                        ops::OptLevel level = ops::OptLevel::All);

// `targets`: every table, read.
struct TargetsReport {
  std::filesystem::path dir;
  std::vector<const ops::SupportTable*> tables;  // oldest first
};
TargetsReport list_targets(const Tables& tables);  // reads every line of every table

// `explain`: the diagnostics catalogue, docs/diagnostics.md.
struct CatalogueEntry {
  std::vector<std::string> codes;  // a heading may name several codes
  std::string_view text;           // its section, Markdown
};
const std::vector<CatalogueEntry>& diagnostic_catalogue();  // in the document's order
const CatalogueEntry* find_explanation(std::string_view code);  // nullptr: not a code
struct Explanation {
  std::string code;
  std::string_view text;
};
Explanation explain(std::string_view code);  // throws Error "usage" for an unknown code

// `run`: a trial run on the reference executor.
struct RunRequest {
  std::vector<std::string> feeds;  // "NAME=FILE" or "FILE" (.npy, .npz, .pb)
  bool random = false;             // inputs not fed are drawn at random (--bind sizes them)
  uint64_t seed = 1;
  uint64_t max_memory = 0;         // bytes; 0: half of physical memory
  int64_t max_iterations = 1'000'000;
  double max_seconds = 600;        // compute time; 0: no limit
  std::string to_node;             // stop once this node (by name) has run
  bool stop_at_non_finite = false;
  bool keep_values = false;        // keep every value (the inspector), not only outputs
  // Writes the feeds and the computed outputs as SAVE/feeds.npz and
  // SAVE/outputs.npz (a folder created if missing), to reproduce the run
  // elsewhere (numpy, onnxruntime) or compare with it.
  std::string save;
  // Folders (created if missing) for one NAME.npy per graph output, and per
  // value computed (every node's outputs, written right after the node ran,
  // so that the run still drops values after their last use). A folder
  // that is a file, or a file that would be the model or its data, is
  // refused (Error "usage") before anything runs.
  std::string save_outputs;
  std::string save_all;
  // A test_data_set folder (output_*.pb, matched to the graph outputs by
  // name or else by position; its input_*.pb feed the run when no feeds are
  // given), or one .pb file for a model of one output.
  std::string expected;
  // Polled before every node, subgraph nodes included (exec::RunOptions):
  // true stops the run. A front end draws its progress from it.
  std::function<bool()> interrupted;
};
struct FeedRow {
  std::string input;
  std::string source;  // "x.npy", "batch.npz:ids", "random"
  const value::Tensor* tensor = nullptr;
};
struct RunOutputRow {
  std::string name;
  const value::Tensor* tensor = nullptr;  // nullptr: not computed
  value::Summary summary;
};
// A value written by --save-outputs or --save-all.
struct SavedFile {
  std::string value;  // the value's name in the graph
  std::string file;   // the path written
};
struct SaveReport {
  std::vector<SavedFile> files;
  // Names changed to keep two values apart, values not written (an empty
  // optional, a dtype numpy has no type for) and why.
  std::vector<std::string> notes;
};
// One graph output against --expected.
struct ExpectedRow {
  std::string output;  // the graph output
  std::string file;    // the .pb it was compared with ("" when none matched)
  exec::Difference difference;
};
struct ExpectedReport {
  std::string source;  // the folder or file given
  std::vector<ExpectedRow> rows;  // in the order of the graph's outputs that have an expected value
  std::vector<std::string> notes;  // expected files that match no output, outputs without one
  bool pass() const;
};
// The node a failed run stopped at, and what it was given.
struct FailureInput {
  std::string name;  // "" for an absent optional input
  DType dtype = DType::Undefined;
  std::string shape;  // "[2,3]" from the value; from the inference ("[N,3]") when there is no value
  bool from_value = false;
  bool absent = false;  // an optional input left out
};
struct FailureReport {
  std::string node;  // node_label
  std::string op;    // "Reshape-14", "com.microsoft.Gelu-1"
  std::vector<FailureInput> inputs;
  const facts::Diagnostic* error = nullptr;  // the failure
  // Findings of the static analysis (as `check` reports them) on the failing
  // node or on a node upstream of it: what predicted the failure.
  std::vector<const facts::Diagnostic*> predicted;
};
struct RunReport {
  const ir::Model* model = nullptr;
  const exec::TrialRun* run = nullptr;
  exec::Stop stop = exec::Stop::Done;
  std::vector<FeedRow> feeds;
  std::vector<RunOutputRow> outputs;  // the graph's outputs
  std::optional<FailureReport> failure;
  std::optional<SaveReport> saved;
  std::optional<ExpectedReport> expected;
  // The run failed, or an output differs from its expected value.
  bool failing() const { return (run && run->failure().has_value()) || (expected && !expected->pass()); }
};

// A value's name as a file name: characters other than A-Z a-z 0-9 . _ -
// replaced by '_' ("" and names of dots only get a leading '_').
std::string file_name_of(std::string_view value_name);

// `extract`: a minimal model around one node of the main graph.
struct ExtractRequest {
  std::string node;               // its name
  int depth = 0;                  // levels of producers copied with it
  std::filesystem::path out;      // folder: model.onnx, feeds.npz
  RunRequest run;                 // the feeds of the trial run that gives the extract's inputs
};
struct ExtractReport {
  std::filesystem::path model, feeds;  // feeds: empty when the extract reads no computed value
  std::vector<std::string> nodes, inputs, initializers, outputs;
  std::vector<std::string> functions;  // model-local functions copied (called directly or through others)
  // The failure of the whole model's trial run at the node, when there is one.
  std::optional<analysis::Diagnostic> original_failure;
};

// ---- Inference for described feeds ------------------------------------------------

// Inference as `check --input` does it, for the session and for a front end
// that holds its own analyses (the TUI): the feeds are checked against the
// declared inputs as onnxruntime checks them (feed-* findings, first), the
// sizes of each that passes bind the symbols of its axes, and with anything
// bound the findings that only the bound sizes cause move to the run phase
// (analysis::rephase_bound against the inference without bindings).
struct FedAnalysis {
  std::unique_ptr<analysis::Analysis> analysis;
  std::unique_ptr<analysis::Analysis> symbolic;  // without bindings; null when nothing is bound
  // In force: those given, and those the feeds' sizes give.
  std::map<std::string, int64_t, std::less<>> bindings;
};
using InferFn = std::function<std::unique_ptr<analysis::Analysis>(const analysis::InferOptions&)>;
FedAnalysis infer_fed(const ir::Model& m, analysis::InferOptions o, const std::vector<analysis::InputOverride>& feeds,
                      const InferFn& infer);

// ---- Labels shared by the writers and the TUI ------------------------------------

// The node as people should find it: its name, and the subgraph it is in.
std::string node_label(const analysis::NodeRef& n);
// "Conv-11", "com.microsoft.Gelu-1", "Foo" (no schema version).
std::string op_version(const analysis::NodeSupport& n);
// How a support status reads: ok, a failure (no-kernel, type-error,
// not-registered, beyond-opset), or something else (not measured, unknown
// types ...). The text writer shows them green, red and yellow.
enum class StatusClass : uint8_t { Ok, Failing, Other };
StatusClass status_class(analysis::SupportStatus status);
std::string verdict_sentence(analysis::Verdict v, std::string_view release);
std::vector<OperatorRow> operator_rows(const analysis::CheckResult& r);
// Every node of a check, in model order (built on demand: a label and an
// operator string per node).
std::vector<NodeRow> node_rows(const analysis::CheckResult& r);
// The same for a target, however it was checked (rows point into c.full()).
std::vector<NodeRow> node_rows(const TargetCheck& c);

// ---- The session -----------------------------------------------------------------

class Session {
 public:
  // Loads the model; an Error gains the path as context. When options name
  // targets they are selected first (a bad --target fails before loading).
  // `tables`: nullptr for Tables::installed(), opened only when needed.
  Session(std::string path, Options options, const Tables* tables = nullptr);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::string& path() const { return path_; }
  const ir::Model& model() const { return *model_; }
  const Options& options() const { return options_; }
  const Tables& tables();

  // Inference under the current options, run on first use and after a change.
  const analysis::Analysis& analysis();
  // Changes take effect at the next analysis() / reanalyze(), which
  // invalidates every result handed out before (shapes, checks). Inference
  // throws Error "usage" when an option names an input the model does not
  // have; the previous analysis and its results then stay as they were, and
  // the options stay pending (stale()) until changed.
  void set_inputs(std::vector<analysis::InputOverride> inputs);
  void set_bindings(std::map<std::string, int64_t, std::less<>> bindings);
  void set_feeds(std::vector<analysis::InputOverride> feeds);  // Options::feeds
  void set_input_values(std::map<std::string, std::vector<double>, std::less<>> values);
  void reanalyze();
  bool stale() const { return stale_ || !analysis_; }   // options changed since the last analysis
  uint64_t generation() const { return generation_; }  // counts analyses run

  // The selected targets (indices into tables(), oldest first) and the
  // current one (the newest selected, until changed).
  const std::vector<size_t>& targets();
  void select_targets(const std::vector<std::string>& specs);  // throws Error "usage"
  size_t current_target();
  void set_current_target(size_t table);

  InfoReport info() const;
  ShapesReport shapes();
  // The lineage of values by name, found in the main graph first, then in
  // subgraphs; throws Error "usage" naming a value the model does not have.
  LineageReport lineage(const std::vector<std::string>& names);
  // The check against one table (any table, selected or not), computed once
  // per analysis.
  const TargetCheck& check(size_t table);
  const TargetCheck& check_current() { return check(current_target()); }
  // Every selected target, and every table (the verdict of every release):
  // the targets not checked yet are checked in one pass over the model.
  CheckReport check_selected();
  CheckReport check_every();

  // A trial run with these feeds, replacing the previous one; runs to the
  // end, a failure, the node asked for or the first non-finite output. Feed
  // files that cannot be read throw Error. The run stays for stepping
  // (trial()) until the next trial_run() or a change of options.
  RunReport trial_run(const RunRequest& request);
  // The current trial run (nullptr when none, or when the analysis changed since).
  exec::TrialRun* trial() { return trial_ && trial_generation_ == generation_ ? trial_.get() : nullptr; }
  RunReport run_report() const;
  // A minimal model around a node (model.onnx and feeds.npz in the folder),
  // written through temporary files; throws Error "usage" for a node the
  // main graph lacks, a folder that is a file or the model's own, or feeds
  // that do not run the model up to the node.
  ExtractReport extract(const ExtractRequest& req);
  // Writes a run's feeds and outputs as DIR/feeds.npz and DIR/outputs.npz.
  void save_run(const RunReport& r, const std::filesystem::path& dir) const;

  // Leaves the model and analysis to the operating system when the process
  // exits: freeing a graph of 100k nodes piece by piece costs more than a
  // command's output.
  static void keep_until_exit(std::unique_ptr<Session> s);

 private:
  std::string path_;
  Options options_;
  const Tables* tables_ = nullptr;
  std::unique_ptr<ir::Model> model_;
  std::unique_ptr<analysis::Analysis> analysis_;
  bool stale_ = true;
  uint64_t generation_ = 0;
  std::optional<std::vector<size_t>> targets_;
  std::optional<size_t> current_;
  // Checks the tables not checked yet in one pass; a target's nodes stay in
  // the pass's matrix.
  void check_in_one_pass(const std::vector<size_t>& tables);
  std::map<size_t, std::unique_ptr<TargetCheck>> checks_;
  std::unique_ptr<exec::TrialRun> trial_;
  uint64_t trial_generation_ = 0;
  std::vector<std::pair<std::string, std::string>> feed_sources_;  // input, source
  std::optional<SaveReport> saved_;
  std::optional<ExpectedReport> expected_;
};

}  // namespace onnxscope::session
