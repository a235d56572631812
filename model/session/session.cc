#include "model/session/session.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <unordered_map>

#include "model/analysis/diagnose.h"
#include "model/analysis/feeds.h"
#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::session {

// ---- Support tables -------------------------------------------------------------

std::filesystem::path share_dir() {
  if (const char* env = std::getenv("ONNXSCOPE_SHARE"); env && *env) return env;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    // build/src/onnxscope in a source tree; PREFIX/bin/onnxscope when installed.
    for (auto candidate : {exe.parent_path().parent_path().parent_path() / "share",
                           exe.parent_path().parent_path() / "share" / "onnxscope"}) {
      if (std::filesystem::is_directory(candidate / "ort", ec) || std::filesystem::is_directory(candidate / "demo", ec)) {
        return candidate;
      }
    }
  }
  return "share";
}

Tables::Tables(std::filesystem::path dir) : dir_(std::move(dir)), all_(ops::SupportTables::open(dir_)) {
  if (all_.empty()) {
    fail("support-tables", "no support tables (ort-cpu-*.txt) in {}; set ONNXSCOPE_SHARE to onnxscope's share directory",
         util::quote(dir_.string()));
  }
}

const Tables& Tables::installed() {
  static const Tables& t = *new Tables(share_dir() / "ort");
  return t;
}

std::string Tables::available() const {
  std::string out;
  for (size_t i = 0; i < all_.size(); ++i) out += (out.empty() ? "" : ", ") + ops::target_minor(all_.target(i));
  return out;
}

std::vector<size_t> Tables::select(const std::vector<std::string>& specs) const {
  std::vector<size_t> picked;
  auto add = [&](size_t i) {
    if (std::find(picked.begin(), picked.end(), i) == picked.end()) picked.push_back(i);
  };
  if (specs.empty()) add(all_.size() - 1);
  for (const auto& spec : specs) {
    if (spec == "all") {
      for (size_t i = 0; i < all_.size(); ++i) add(i);
      continue;
    }
    if (spec == "latest") {
      add(all_.size() - 1);
      continue;
    }
    std::string_view v = spec;
    if (v.substr(0, 8) == "ort-cpu@") v.remove_prefix(8);
    else if (v.substr(0, 4) == "ort@") v.remove_prefix(4);
    // MAJOR.MINOR names the table; MAJOR.MINOR.PATCH must be its release.
    std::string_view minor = v;
    if (auto first = v.find('.'); first != std::string_view::npos) {
      if (auto second = v.find('.', first + 1); second != std::string_view::npos) minor = v.substr(0, second);
    }
    auto i = all_.find("ort-cpu@" + std::string(minor));
    if (i && minor.size() != v.size() && all_.at(*i).release != v) {
      fail("usage", "--target {}: the table of {} was measured on onnxruntime {}; name it {} or {}", util::quote(spec),
           all_.target(*i), all_.at(*i).release, minor, all_.at(*i).release);
    }
    if (!i) {
      fail("usage", "--target {}: no support table for that release (measured: {}; or 'all', 'latest')",
           util::quote(spec), available());
    }
    add(*i);
  }
  std::sort(picked.begin(), picked.end());
  return picked;
}

// ---- Labels ------------------------------------------------------------------

std::string node_label(const analysis::NodeRef& n) {
  if (!n) return {};
  std::string name(n.get().name);
  if (n.graph->parent) return n.graph->path() + "/" + name;
  return name;
}

std::string op_version(const analysis::NodeSupport& n) {
  std::string op = n.domain == "ai.onnx" ? util::printable(n.op) : util::printable(n.domain) + "." + util::printable(n.op);
  return n.version ? fmt::format("{}-{}", op, n.version) : op;
}

StatusClass status_class(analysis::SupportStatus status) {
  using S = analysis::SupportStatus;
  if (status == S::Ok) return StatusClass::Ok;
  if (status == S::NoKernel || status == S::TypeError || status == S::NotRegistered || status == S::BeyondOpset) {
    return StatusClass::Failing;
  }
  return StatusClass::Other;
}

std::string verdict_sentence(analysis::Verdict v, std::string_view release) {
  switch (v) {
    case analysis::Verdict::Ok: return fmt::format("expected to load and run in onnxruntime {}", release);
    case analysis::Verdict::LoadError:
      return fmt::format("expected to fail when onnxruntime {} creates the session", release);
    case analysis::Verdict::RunError:
      return fmt::format("expected to load in onnxruntime {}, then fail in a run", release);
  }
  return {};
}

std::vector<OperatorRow> operator_rows(const analysis::CheckResult& r) {
  std::vector<OperatorRow> rows;
  // Rows are few and nodes many: find a row by its key through a hash map.
  std::unordered_map<std::string, size_t> index;
  std::string key;
  for (const auto& n : r.nodes) {
    std::string op = op_version(n);
    std::string_view status = analysis::status_name(n.status);
    key.clear();
    key.append(op).append(1, '\0').append(n.types).append(1, '\0').append(status);
    auto [it, fresh] = index.try_emplace(key, rows.size());
    if (fresh) rows.push_back({std::move(op), n.types, n.status, 1});
    else ++rows[it->second].count;
  }
  return rows;
}

std::vector<NodeRow> node_rows(const analysis::CheckResult& r) {
  std::vector<NodeRow> rows;
  rows.reserve(r.nodes.size());
  for (const auto& n : r.nodes) rows.push_back({node_label(n.node), op_version(n), &n});
  return rows;
}

std::vector<NodeRow> node_rows(const TargetCheck& c) { return node_rows(c.full()); }

const analysis::CheckResult& TargetCheck::full() const {
  if (!matrix) return result;
  if (!full_) full_ = std::make_unique<analysis::CheckResult>(matrix->result(column));
  return *full_;
}

const analysis::Diagnostic* TargetCheck::first_error() const {
  // The one onnxruntime reports: the first error no other hides.
  for (const auto& d : result.diagnostics) {
    if (d.severity == analysis::Severity::Error && d.hidden_behind.empty()) return &d;
  }
  return nullptr;
}

bool CheckReport::failing() const {
  return std::any_of(targets.begin(), targets.end(), [](const TargetCheck* t) { return !t->ok(); });
}

namespace {

// "1.10-1.17, 1.29": runs of consecutive targets of the report.
std::string release_ranges(const CheckReport& r, const std::vector<size_t>& targets) {
  std::string out;
  for (size_t i = 0; i < targets.size();) {
    size_t j = i;
    while (j + 1 < targets.size() && targets[j + 1] == targets[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += r.targets[targets[i]]->minor;
    if (j > i) out += "-" + r.targets[targets[j]]->minor;
    i = j + 1;
  }
  return out;
}

}  // namespace

SharedFindings shared_findings(const CheckReport& r) {
  SharedFindings out;
  out.of_target.resize(r.targets.size());
  // Every field but the release is the key.
  std::unordered_map<std::string, size_t> ids;
  std::string key;
  auto ref = [&](const analysis::NodeRef& n) {
    fmt::format_to(std::back_inserter(key), "{}:{}", static_cast<const void*>(n.graph), n.node);
    key += '\0';
  };
  for (size_t t = 0; t < r.targets.size(); ++t) {
    for (const auto& d : r.targets[t]->result.diagnostics) {
      key.clear();
      key.append(analysis::code_name(d.code)).append(1, '\0');
      key.append(1, static_cast<char>(d.severity)).append(1, static_cast<char>(d.phase));
      ref(d.node);
      ref(d.root_cause);
      for (const std::string* f : {&d.input, &d.message, &d.hint, &d.symbol}) key.append(*f).append(1, '\0');
      auto [it, fresh] = ids.try_emplace(key, out.findings.size());
      if (fresh) out.findings.push_back({&d, {}, {}});
      out.findings[it->second].targets.push_back(t);
      out.of_target[t].push_back(it->second);
    }
  }
  for (auto& f : out.findings) f.releases = release_ranges(r, f.targets);
  return out;
}

// ---- Session -------------------------------------------------------------------

namespace {

std::unique_ptr<ir::Model> load(const std::string& path, const load::LoadOptions& o) {
  try {
    return load::load_model(path, o);
  } catch (const Error& e) {
    if (e.code() == "file-open" || e.code() == "file-type") throw;  // already names the path
    throw e.with_context(util::printable(path));
  }
}

std::string_view kind_of(const ir::Graph& g, ir::ValueId id) {
  const ir::Value& v = g.value(id);
  if (v.is_graph_output) return "output";
  switch (v.kind) {
    case ir::ValueKind::Input: return "input";
    case ir::ValueKind::Initializer: return "initializer";
    case ir::ValueKind::OuterScope: return "outer";
    case ir::ValueKind::NodeOutput: return "intermediate";
  }
  return "intermediate";
}

}  // namespace

Session::Session(std::string path, Options options, const Tables* tables)
    : path_(std::move(path)), options_(std::move(options)), tables_(tables) {
  if (!options_.targets.empty()) select_targets(options_.targets);
  model_ = load(path_, options_.load);
}

Session::~Session() = default;

void Session::keep_until_exit(std::unique_ptr<Session> s) {
  if (!s) return;
  // Held from a global that is never destroyed: nothing is freed at exit,
  // and LeakSanitizer (make test-asan) sees the session as kept, not lost.
  static auto* kept = new std::vector<std::unique_ptr<Session>>;
  kept->push_back(std::move(s));
}

const Tables& Session::tables() {
  if (!tables_) tables_ = &Tables::installed();
  return *tables_;
}

const analysis::Analysis& Session::analysis() {
  if (stale_ || !analysis_) reanalyze();
  return *analysis_;
}

void Session::set_inputs(std::vector<analysis::InputOverride> inputs) {
  options_.inputs = std::move(inputs);
  stale_ = true;
}

void Session::set_bindings(std::map<std::string, int64_t, std::less<>> bindings) {
  options_.bindings = std::move(bindings);
  stale_ = true;
}

void Session::set_feeds(std::vector<analysis::InputOverride> feeds) {
  options_.feeds = std::move(feeds);
  stale_ = true;
}

void Session::set_input_values(std::map<std::string, std::vector<double>, std::less<>> values) {
  options_.input_values = std::move(values);
  stale_ = true;
}

namespace {

// Checks described feeds against the declared inputs, as onnxruntime checks
// them, and turns the sizes of each that passes into bindings of the symbols
// its dynamic axes are inferred as (a symbol the user bound, or an earlier
// feed bound, stays): the shapes that follow are those of a run, and what
// fails with them fails at run time, with the node that fixed a size as its
// root cause. A sequence feed is inferred as the type it describes.
std::vector<analysis::Diagnostic> apply_feeds(const ir::Graph& g, const std::vector<analysis::InputOverride>& feeds,
                                              analysis::InferOptions& o) {
  std::vector<analysis::FeedType> types;
  for (const auto& f : feeds) {
    analysis::FeedType t;
    t.name = f.name;
    t.kind = f.sequence ? analysis::FeedType::Kind::Sequence : analysis::FeedType::Kind::Tensor;
    t.dtype = f.dtype;
    if (f.dims) {
      std::vector<std::optional<int64_t>> dims;
      for (const std::string& d : *f.dims) {
        int64_t v = 0;
        auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), v);
        if (ec == std::errc() && end == d.data() + d.size()) dims.emplace_back(v);
        else if (auto b = o.bindings.find(d); b != o.bindings.end()) dims.emplace_back(b->second);
        else dims.emplace_back(std::nullopt);
      }
      t.dims = std::move(dims);
    }
    types.push_back(std::move(t));
  }
  auto found = analysis::check_feeds(g, types, {.require_all = false});
  for (size_t i = 0; i < feeds.size(); ++i) {
    const auto& f = feeds[i];
    bool refused = std::any_of(found.begin(), found.end(), [&](const analysis::Diagnostic& d) {
      return d.input == f.name && d.severity == analysis::Severity::Error;
    });
    ir::ValueId v = g.find(f.name);
    if (refused || v == ir::kNoValue) continue;
    const ir::Type& decl = g.declared_type(v);
    if (!decl.is_tensor() || !decl.has_shape) {
      std::erase_if(o.inputs, [&](const analysis::InputOverride& in) { return in.name == f.name; });
      o.inputs.push_back(f);
      continue;
    }
    if (!types[i].dims || types[i].dims->size() != decl.rank()) continue;
    for (size_t a = 0; a < decl.rank(); ++a) {
      const auto& fed = (*types[i].dims)[a];
      std::string symbol = analysis::dim_symbol(decl.dims[a], f.name, a);
      if (!symbol.empty() && fed) o.bindings.emplace(symbol, *fed);
    }
  }
  return found;
}

}  // namespace

FedAnalysis infer_fed(const ir::Model& m, analysis::InferOptions o, const std::vector<analysis::InputOverride>& feeds,
                      const InferFn& infer) {
  std::vector<analysis::Diagnostic> fed;
  if (!feeds.empty()) fed = apply_feeds(*m.graph, feeds, o);
  FedAnalysis r;
  r.analysis = infer(o);  // may throw
  if (!o.bindings.empty()) {
    analysis::InferOptions unbound = o;
    unbound.bindings.clear();
    r.symbolic = infer(unbound);
    analysis::rephase_bound(*r.analysis, *r.symbolic);
  }
  // What onnxruntime refuses before it runs anything comes first.
  r.analysis->diagnostics.insert(r.analysis->diagnostics.begin(), fed.begin(), fed.end());
  r.bindings = std::move(o.bindings);
  return r;
}

void Session::reanalyze() {
  analysis::InferOptions o;
  o.inputs = options_.inputs;
  o.bindings = options_.bindings;
  o.input_values = options_.input_values;
  // May throw: keep the old analysis until then.
  auto fresh = infer_fed(*model_, std::move(o), options_.feeds,
                         [this](const analysis::InferOptions& x) { return analysis::infer(*model_, x); });
  checks_.clear();
  analysis_ = std::move(fresh.analysis);
  stale_ = false;
  ++generation_;
}

LineageReport Session::lineage(const std::vector<std::string>& names) {
  const analysis::Analysis& a = analysis();
  LineageReport out;
  for (const std::string& name : names) {
    const ir::Graph* where = nullptr;
    ir::ValueId v = ir::kNoValue;
    ir::for_each_graph(*model_->graph, [&](const ir::Graph& g, int) {
      if (where) return;
      ir::ValueId x = g.find(name);
      if (x != ir::kNoValue) {
        where = &g;
        v = x;
      }
    });
    if (!where) throw Error("usage", fmt::format("--lineage: the model has no value {}", util::quote(name)));
    out.push_back({name, where->parent ? where->path() : std::string(),
                   analysis::to_string(a.value(*where, v)), analysis::dtype_lineage(a, *where, v)});
  }
  return out;
}

const std::vector<size_t>& Session::targets() {
  if (!targets_) targets_ = tables().select({});
  return *targets_;
}

void Session::select_targets(const std::vector<std::string>& specs) {
  targets_ = tables().select(specs);
  options_.targets = specs;
  if (current_ && std::find(targets_->begin(), targets_->end(), *current_) == targets_->end()) current_.reset();
}

size_t Session::current_target() {
  if (!current_) current_ = targets().back();
  return *current_;
}

void Session::set_current_target(size_t table) {
  if (table >= tables().size()) fail("usage", "no support table #{} (there are {})", table, tables().size());
  current_ = table;
}

InfoReport Session::info() const { return {model_.get(), analysis::summarize(*model_)}; }

ShapesReport Session::shapes() {
  ShapesReport r;
  r.analysis = &analysis();
  const analysis::Analysis& a = *r.analysis;
  r.values.reserve(a.model.graph->values.size());
  ir::for_each_graph(*a.model.graph, [&](const ir::Graph& g, int) {
    auto gi = static_cast<uint32_t>(r.graphs.size());
    r.graphs.push_back({&g, g.path()});
    auto add = [&](ir::ValueId id) { r.values.push_back({gi, id, kind_of(g, id), &a.value(g, id)}); };
    for (ir::ValueId id : g.inputs) add(id);
    for (ir::ValueId id : g.initializer_values) {
      if (g.value(id).kind == ir::ValueKind::Initializer) add(id);
    }
    for (const auto& n : g.nodes) {
      for (ir::ValueId id : n.outputs) {
        if (id != ir::kNoValue) add(id);
      }
    }
  });
  return r;
}

namespace {
// The release, counts and sentence of a target's result, however it was checked.
void summarize(TargetCheck& c, const ops::SupportTable& t) {
  c.minor = ops::target_minor(t.target());
  c.release = t.release;
  for (const auto& d : c.result.diagnostics) {
    if (d.severity == analysis::Severity::Error) ++c.errors;
    if (d.severity == analysis::Severity::Warning) ++c.warnings;
  }
  c.sentence = verdict_sentence(c.result.verdict, c.minor);
}
}  // namespace

const TargetCheck& Session::check(size_t table) {
  analysis();
  auto it = checks_.find(table);
  if (it == checks_.end()) {
    check_in_one_pass({table});
    it = checks_.find(table);
  }
  return *it->second;
}

void Session::check_in_one_pass(const std::vector<size_t>& wanted) {
  const analysis::Analysis& a = analysis();
  std::vector<size_t> todo;
  for (size_t i : wanted) {
    if (!checks_.count(i)) todo.push_back(i);
  }
  if (todo.empty()) return;
  auto checks = check_targets(a, tables().all(), todo, options_.optimization);
  for (size_t col = 0; col < todo.size(); ++col) checks_[todo[col]] = std::move(checks[col]);
}

std::vector<std::unique_ptr<TargetCheck>> check_targets(const analysis::Analysis& a, const ops::SupportTables& ts,
                                                        const std::vector<size_t>& todo, ops::OptLevel level) {
  std::vector<std::unique_ptr<TargetCheck>> out;
  if (todo.empty()) return out;
  std::vector<const ops::SupportTable*> tables;
  for (size_t i : todo) tables.push_back(&ts.at(i));
  auto m = std::make_shared<analysis::CheckMatrix>(analysis::check_many(a, tables, ts, level));
  // Operator rows: a node's operator string is made once per operator
  // version, and a row is an (operator, cell) pair.
  std::vector<std::string> ops;
  std::vector<uint32_t> op_of(m->nodes.size());
  {
    struct Key {
      std::string_view domain, op;
      int version;
      bool operator==(const Key& o) const { return version == o.version && op == o.op && domain == o.domain; }
    };
    struct Hash {
      size_t operator()(const Key& k) const {
        return std::hash<std::string_view>{}(k.op) * 31 + std::hash<std::string_view>{}(k.domain) + k.version;
      }
    };
    std::unordered_map<Key, uint32_t, Hash> ids;
    for (size_t n = 0; n < m->nodes.size(); ++n) {
      const analysis::NodeSupport& ns = m->nodes[n];
      auto [it, fresh] = ids.try_emplace(Key{ns.domain, ns.op, ns.version}, static_cast<uint32_t>(ops.size()));
      if (fresh) ops.push_back(op_version(ns));
      op_of[n] = it->second;
    }
  }
  std::vector<size_t> distinct;  // the columns whose cells differ from every earlier one
  for (size_t col = 0; col < todo.size(); ++col) {
    const ops::SupportTable& t = *tables[col];
    auto c = std::make_unique<TargetCheck>();
    c->table = todo[col];
    c->matrix = m;
    c->column = col;
    const analysis::CheckMatrix::Column& column = m->columns[col];
    c->result.target = column.target;
    c->result.verdict = column.verdict;
    c->result.diagnostics = column.diagnostics;
    c->target = column.target;
    summarize(*c, t);
    // Releases that give every node the same cell as an earlier one (most
    // of them, for most models) have that release's rows.
    bool same = false;
    for (size_t prev : distinct) {
      if (m->columns[prev].cells == column.cells) {
        c->operators = out[prev]->operators;
        same = true;
        break;
      }
    }
    if (same) {
      out.push_back(std::move(c));
      continue;
    }
    distinct.push_back(col);
    // A row per (operator, cell): found in a table of them all when that is
    // small (it is: a few dozen of each), else through a hash map.
    const size_t cells = m->cells.size();
    const bool dense = ops.size() * cells <= (size_t{1} << 20);
    std::vector<uint32_t> slot(dense ? ops.size() * cells : 0, UINT32_MAX);
    std::unordered_map<uint64_t, uint32_t> rows;
    for (size_t n = 0; n < m->nodes.size(); ++n) {
      uint32_t cell = column.cells[n];
      uint32_t* row = nullptr;
      if (dense) {
        row = &slot[op_of[n] * cells + cell];
      } else {
        row = &rows.try_emplace(uint64_t{op_of[n]} << 32 | cell, UINT32_MAX).first->second;
      }
      if (*row == UINT32_MAX) {
        *row = static_cast<uint32_t>(c->operators.size());
        c->operators.push_back({ops[op_of[n]], m->cells[cell].types, m->cells[cell].status, 1});
      } else {
        ++c->operators[*row].count;
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

CheckReport Session::check_selected() {
  CheckReport r;
  r.analysis = &analysis();
  check_in_one_pass(targets());
  for (size_t i : targets()) r.targets.push_back(&check(i));
  return r;
}

CheckReport Session::check_every() {
  CheckReport r;
  r.analysis = &analysis();
  std::vector<size_t> every(tables().size());
  for (size_t i = 0; i < every.size(); ++i) every[i] = i;
  check_in_one_pass(every);
  for (size_t i : every) r.targets.push_back(&check(i));
  return r;
}

TargetsReport list_targets(const Tables& tables) {
  TargetsReport r;
  r.dir = tables.dir();
  for (size_t i = 0; i < tables.size(); ++i) {
    const ops::SupportTable& t = tables.at(i);
    t.read_all();  // every line checked, as a listing of the tables promises
    r.tables.push_back(&t);
  }
  return r;
}

}  // namespace onnxscope::session
