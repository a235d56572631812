#include "ui/document.h"

#include "model/analysis/diagnose.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include <fmt/format.h>

namespace onnxscope::ui {

using analysis::Severity;

// A started analysis. The worker thread holds it too, so a cancelled job can
// finish after the document forgot it.
struct Document::Job {
  std::mutex mu;
  bool done = false;
  std::unique_ptr<Result> result;
  std::exception_ptr error;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

ReleaseSummary ReleaseSummary::of(const analysis::CheckResult& r) {
  ReleaseSummary s;
  s.verdict = r.verdict;
  for (const auto& d : r.diagnostics) {
    if (d.severity != Severity::Error) continue;
    ++s.errors;
    if (s.first_error.empty() && d.hidden_behind.empty()) s.first_error = analysis::code_name(d.code);
  }
  s.status.reserve(r.nodes.size());
  for (const auto& n : r.nodes) {
    std::string_view st = analysis::status_name(n.status);
    auto it = std::find(s.statuses.begin(), s.statuses.end(), st);
    if (it == s.statuses.end()) it = s.statuses.insert(s.statuses.end(), std::string(st));
    s.status.push_back(static_cast<uint8_t>(it - s.statuses.begin()));
  }
  return s;
}

ReleaseSummary ReleaseSummary::of(const session::TargetCheck& c) {
  ReleaseSummary s;
  s.verdict = c.result.verdict;
  for (const auto& d : c.result.diagnostics) {
    if (d.severity != Severity::Error) continue;
    ++s.errors;
    if (s.first_error.empty() && d.hidden_behind.empty()) s.first_error = analysis::code_name(d.code);
  }
  size_t n = c.node_count();
  s.status.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string_view st = analysis::status_name(c.status(i));
    auto it = std::find(s.statuses.begin(), s.statuses.end(), st);
    if (it == s.statuses.end()) it = s.statuses.insert(s.statuses.end(), std::string(st));
    s.status.push_back(static_cast<uint8_t>(it - s.statuses.begin()));
  }
  return s;
}

// The checks of the other releases, running on their own thread.
struct Document::Releases {
  std::mutex mu;
  std::vector<std::pair<size_t, std::unique_ptr<ReleaseSummary>>> done;
  std::atomic<bool> stop{false};
  std::atomic<size_t> remaining{0};
};

Document::Document(const ir::Model& m, const ops::SupportTables& t, Engine e)
    : model(m), tables(t), engine(std::move(e)), reader_(std::make_shared<TableReader>()) {
  reader_->tables = &tables;
}

Document::~Document() {
  if (releases_job_) releases_job_->stop = true;
  trial_stop();
}

std::unique_ptr<Result> Document::compute(const analysis::InferOptions& opts, size_t target) const {
  std::lock_guard serial(reader_->analysis_mu);
  auto r = std::make_unique<Result>();
  r->options = opts;
  r->target = target;
  session::FedAnalysis fed = session::infer_fed(model, opts, feeds, engine.infer);
  r->analysis = std::move(fed.analysis);
  r->symbolic = std::move(fed.symbolic);
  r->bindings = std::move(fed.bindings);
  // The first analysis runs alone and checks at once (the first frame waits
  // for it); every later one may run beside the release thread, so it reads
  // every table first (see read_tables).
  if (started_.exchange(true)) reader_->read();
  r->check = engine.check(*r->analysis, target);
  return r;
}

void Document::analyze(analysis::InferOptions opts, size_t target) {
  job_.reset();
  install(compute(opts, target));
}

void Document::start(analysis::InferOptions opts, size_t target) {
  auto job = std::make_shared<Job>();
  job_ = job;
  pending_target_ = target;
  pending_options_ = opts;
  // The thread reads the model and the engine, which outlive the process's
  // last frame (the front end keeps them until exit).
  ++reader_->running;
  std::thread([this, job, reader = reader_, opts = std::move(opts), target] {
    std::unique_ptr<Result> r;
    std::exception_ptr err;
    try {
      r = compute(opts, target);
    } catch (...) {
      err = std::current_exception();
    }
    {
      std::lock_guard lock(job->mu);
      job->result = std::move(r);
      job->error = err;
      job->done = true;
    }
    --reader->running;
  }).detach();
}

bool Document::poll() {
  if (!job_) return false;
  std::unique_ptr<Result> r;
  {
    std::lock_guard lock(job_->mu);
    if (!job_->done) return false;
    if (job_->error) {
      auto err = job_->error;
      job_.reset();
      std::rethrow_exception(err);
    }
    r = std::move(job_->result);
  }
  job_.reset();
  install(std::move(r));
  return true;
}

void Document::wait() {
  while (job_ && !poll()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void Document::cancel() {
  job_.reset();
  if (result_) return;
  auto r = std::make_unique<Result>();
  r->analysis = std::make_unique<analysis::Analysis>(model);
  r->target = pending_target_;
  r->options = pending_options_;
  r->check.target = tables.target(pending_target_);
  r->cancelled = true;
  install(std::move(r));
}

std::chrono::steady_clock::duration Document::busy_for() const {
  return job_ ? std::chrono::steady_clock::now() - job_->started : std::chrono::steady_clock::duration{};
}

void Document::set_target(size_t target) {
  if (!result_ || target >= tables.size()) return;
  reader_->read();
  result_->target = target;
  result_->check = engine.check(*result_->analysis, target);
  ++generation_;
  index();
}

void Document::install(std::unique_ptr<Result> r) {
  result_ = std::move(r);
  ++generation_;
  trial_stop();  // the run belongs to the analysis before
  index();
  // An analysis cancelled before it finished has nothing to check.
  if (result_->cancelled) {
    if (releases_job_) releases_job_->stop = true;
    releases_.clear();
    return;
  }
  start_releases();
}

// SupportTables indexes a table on first use, without a lock (a table's
// operator versions are then read under its own lock); once the first
// check is done, the release thread, a re-analysis and a target switch may
// check at the same time (and a check's hints read other releases' tables),
// so each indexes every table first, under one lock (some 15 ms, once).
void Document::TableReader::read() {
  if (done) return;
  std::lock_guard lock(mu);
  if (done) return;
  for (size_t i = 0; i < tables->size(); ++i) {
    try {
      tables->at(i);
    } catch (const std::exception&) {
      // The check that needs it reports it.
    }
  }
  done = true;
}

void Document::start_releases() {
  if (releases_job_) releases_job_->stop = true;
  releases_.clear();
  releases_.resize(tables.size());
  releases_[result_->target] = std::make_unique<ReleaseSummary>(ReleaseSummary::of(result_->check));
  auto job = std::make_shared<Releases>();
  releases_job_ = job;
  job->remaining = tables.size() - 1;
  if (tables.size() < 2 || !engine.check) return;
  ++reader_->running;
  std::thread([job, reader = reader_, a = result_->analysis, check = engine.check, all = &tables,
               skip = result_->target, level = optimization] {
    struct Done {
      TableReader* r;
      ~Done() { --r->running; }
    } done{reader.get()};
    reader->read();
    if (job->stop) return;
    std::vector<size_t> todo;
    for (size_t i = 0; i < all->size(); ++i) {
      if (i != skip) todo.push_back(i);
    }
    std::vector<std::pair<size_t, std::unique_ptr<ReleaseSummary>>> summaries;
    try {
      // Every other release in one pass over the model.
      auto checks = session::check_targets(*a, *all, todo, level);
      for (size_t k = 0; k < todo.size(); ++k) {
        summaries.emplace_back(todo[k], std::make_unique<ReleaseSummary>(ReleaseSummary::of(*checks[k])));
      }
    } catch (...) {
      // A table that cannot be read fails the pass: each release alone, so
      // that only that one is marked.
      summaries.clear();
      for (size_t i : todo) {
        if (job->stop) return;
        std::unique_ptr<ReleaseSummary> s;
        try {
          s = std::make_unique<ReleaseSummary>(ReleaseSummary::of(check(*a, i)));
        } catch (...) {
          s = std::make_unique<ReleaseSummary>();
          s->first_error = "table";
        }
        summaries.emplace_back(i, std::move(s));
      }
    }
    std::lock_guard lock(job->mu);
    for (auto& x : summaries) job->done.push_back(std::move(x));
    job->remaining = 0;
  }).detach();
}

bool Document::poll_releases() {
  if (!releases_job_) return false;
  std::lock_guard lock(releases_job_->mu);
  if (releases_job_->done.empty()) return false;
  for (auto& [i, s] : releases_job_->done) releases_[i] = std::move(s);
  releases_job_->done.clear();
  return true;
}

// What the running trial's interruption poll and the front end share.
struct Document::TrialControl {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> polls{0};
  std::atomic<size_t> position{0};
  const exec::TrialRun* run = nullptr;  // read on the worker thread only
};

// One piece of trial-run work on a worker thread.
struct Document::TrialJob {
  std::atomic<bool> done{false};
  exec::Stop stop = exec::Stop::Ran;  // written before done
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  uint64_t polls0 = 0;     // the poll count when it started
  size_t position0 = 0;    // the main-graph position when it started
};

void Document::new_trial(std::map<std::string, value::Tensor> feeds,
                         std::vector<std::pair<std::string, std::string>> sources) {
  trial_stop();
  trial_wait();
  trial_poll();
  auto control = std::make_shared<TrialControl>();
  exec::RunOptions o;
  o.max_memory = trial_max_memory;
  o.max_iterations = trial_max_iterations;
  o.interrupted = [c = control.get()] {
    ++c->polls;
    if (c->run) c->position = c->run->position();
    return c->stop.load();
  };
  // Inside a long kernel: Esc only, not a node run.
  o.interrupted_in_kernel = [c = control.get()] { return c->stop.load(); };
  trial.analysis = result_->analysis;
  trial.run = std::make_shared<exec::TrialRun>(model, trial.analysis.get(), std::move(o));
  control->run = trial.run.get();
  trial_control_ = std::move(control);
  trial.generation = generation_;
  ++trial.started;
  trial.sources = std::move(sources);
  for (auto& [input, t] : feeds) trial.run->feed(input, std::move(t));
}

void Document::trial_start(TrialWork w) {
  if (trial_job_ || !trial.run) return;
  auto job = std::make_shared<TrialJob>();
  trial_job_ = job;
  trial_control_->stop = false;
  trial_control_->position = trial.run->position();
  job->polls0 = trial_control_->polls;
  job->position0 = trial.run->position();
  ++reader_->running;
  std::thread([job, w, run = trial.run, control = trial_control_, bps = trial.breakpoints, reader = reader_] {
    exec::Stop s = exec::Stop::Failed;
    try {
      s = w == TrialWork::Step ? run->step() : run->run(true, bps);
    } catch (...) {
      // The executor turns kernel errors into its failure(); anything else
      // ends this piece of work as it is.
    }
    control->position = run->position();
    job->stop = s;
    job->done.store(true, std::memory_order_release);
    --reader->running;
  }).detach();
}

std::optional<exec::Stop> Document::trial_poll() {
  if (!trial_job_ || !trial_job_->done.load(std::memory_order_acquire)) return std::nullopt;
  exec::Stop s = trial_job_->stop;
  trial_job_.reset();
  return s;
}

void Document::trial_stop() {
  if (trial_control_) trial_control_->stop = true;
}

void Document::trial_wait() const {
  while (trial_job_ && !trial_job_->done.load(std::memory_order_acquire)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

Document::TrialProgress Document::trial_progress() const {
  TrialProgress p;
  if (!trial.run) return p;
  p.total = model.graph->nodes.size();
  if (trial_control_) {
    p.position = trial_control_->position.load();
    p.stopping = trial_control_->stop.load();
    if (trial_job_) {
      // Polls beyond one per main-graph node are nodes of bodies and functions.
      uint64_t polls = trial_control_->polls.load() - trial_job_->polls0;
      uint64_t main = p.position >= trial_job_->position0 ? p.position - trial_job_->position0 : 0;
      p.body_nodes = polls > main + 1 ? polls - main - 1 : 0;
    }
  }
  if (p.position < p.total) p.op = model.graph->nodes[p.position].op_type;
  if (trial_job_) p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - trial_job_->started).count();
  return p;
}

std::string Document::feed_source(const std::string& input) const {
  for (auto it = feed_files.rbegin(); it != feed_files.rend(); ++it) {
    if (it->size() > input.size() && it->compare(0, input.size(), input) == 0 && (*it)[input.size()] == '=') {
      return it->substr(input.size() + 1);
    }
  }
  // A file without a name (--feed FILE) feeds the inputs it holds: the last
  // run tells which.
  bool unnamed = std::any_of(feed_files.begin(), feed_files.end(), [](const std::string& spec) {
    return spec.find('=') == std::string::npos;
  });
  for (const auto& [in, where] : trial.sources) {
    if (unnamed && in == input && where != "random") return where;
  }
  return fmt::format("random, seed {}", seed);
}

void Document::set_feed(const std::string& input, const std::string& file) {
  std::erase_if(feed_files, [&](const std::string& spec) {
    return spec.size() > input.size() && spec.compare(0, input.size(), input) == 0 && spec[input.size()] == '=';
  });
  if (!file.empty()) feed_files.push_back(input + "=" + file);
}

void Document::drain() const {
  while (reader_->running > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void Document::wait_releases() {
  while (!releases_complete()) {
    if (!poll_releases()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void Document::index() {
  graphs_.clear();
  about_.clear();
  causes_.clear();
  ordered_.clear();
  errors_ = warnings_ = 0;
  const auto& ch = result_->check;
  auto& a = *result_->analysis;
  ir::for_each_graph(*model.graph, [&](const ir::Graph& g, int) {
    graphs_[&g].state.assign(g.nodes.size(), NodeState::Ok);
  });
  for (const auto& f : model.functions) {
    if (f.body) graphs_[f.body.get()].state.assign(f.body->nodes.size(), NodeState::Ok);
  }
  (void)a;
  for (size_t i = 0; i < ch.nodes.size(); ++i) {
    const auto& ref = ch.nodes[i].node;
    if (!ref) continue;
    auto& gi = graphs_[ref.graph];
    if (gi.support.empty()) gi.support.assign(ref.graph->nodes.size(), UINT32_MAX);
    gi.support[ref.node] = static_cast<uint32_t>(i);
  }
  for (size_t i = 0; i < ch.diagnostics.size(); ++i) {
    const auto& d = ch.diagnostics[i];
    if (d.severity == Severity::Error) ++errors_;
    if (d.severity == Severity::Warning) ++warnings_;
    if (d.node) {
      about_[d.node.graph][d.node.node].push_back(i);
      auto& gi = graphs_[d.node.graph];
      if (gi.state.size() < d.node.graph->nodes.size()) gi.state.resize(d.node.graph->nodes.size(), NodeState::Ok);
      NodeState s = d.severity == Severity::Error ? NodeState::Error
                    : d.severity == Severity::Warning ? NodeState::Warning
                                                       : NodeState::Note;
      gi.state[d.node.node] = std::max(gi.state[d.node.node], s);
    }
    if (d.root_cause) causes_[d.root_cause.graph][d.root_cause.node].push_back(i);
  }
  // Errors first, the one onnxruntime reports before those hidden behind
  // it; then warnings and notes; each in model order.
  for (Severity s : {Severity::Error, Severity::Warning, Severity::Note}) {
    for (bool hidden : {false, true}) {
      for (size_t i = 0; i < ch.diagnostics.size(); ++i) {
        const auto& d = ch.diagnostics[i];
        if (d.severity == s && d.hidden_behind.empty() != hidden) ordered_.push_back(i);
      }
    }
  }
}

NodeState Document::state(const ir::Graph& g, ir::NodeId n) const {
  if (run_state) {
    if (auto s = run_state(g, n)) return *s;
  }
  auto it = graphs_.find(&g);
  if (it == graphs_.end() || n >= it->second.state.size()) return NodeState::Ok;
  return it->second.state[n];
}

std::vector<size_t> Document::diagnostics_of(const ir::Graph& g, ir::NodeId n) const {
  auto it = about_.find(&g);
  if (it == about_.end()) return {};
  auto jt = it->second.find(n);
  return jt == it->second.end() ? std::vector<size_t>{} : jt->second;
}

std::vector<size_t> Document::caused_by(const ir::Graph& g, ir::NodeId n) const {
  auto it = causes_.find(&g);
  if (it == causes_.end()) return {};
  auto jt = it->second.find(n);
  return jt == it->second.end() ? std::vector<size_t>{} : jt->second;
}

const analysis::NodeSupport* Document::support(const ir::Graph& g, ir::NodeId n) const {
  auto it = graphs_.find(&g);
  if (it == graphs_.end() || n >= it->second.support.size()) return nullptr;
  uint32_t i = it->second.support[n];
  return i == UINT32_MAX ? nullptr : &result_->check.nodes[i];
}

const ReleaseSummary* Document::release(size_t i) const {
  return i < releases_.size() ? releases_[i].get() : nullptr;
}

bool Document::releases_complete() const {
  if (result_ && result_->cancelled) return true;
  return result_ && releases_.size() == tables.size() &&
         std::all_of(releases_.begin(), releases_.end(), [](const auto& r) { return r != nullptr; });
}

const analysis::ModelSummary& Document::summary() const {
  if (!summary_) summary_ = analysis::summarize(model);
  return *summary_;
}

std::string op_version(const analysis::Analysis& a, const ir::Graph& g, ir::NodeId n) {
  const ir::Node& node = g.node(n);
  std::string op = ir::is_default_domain(node.domain) ? std::string(node.op_type)
                                                      : fmt::format("{}.{}", node.domain, node.op_type);
  if (const ops::Schema* s = a.schema(g, n)) return fmt::format("{}-{}", op, s->since_version);
  return op;
}

}  // namespace onnxscope::ui
