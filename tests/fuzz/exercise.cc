#include "tests/fuzz/exercise.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>

#include <nlohmann/json.hpp>

#include "model/analysis/check.h"
#include "model/analysis/infer.h"
#include "model/exec/feeds.h"
#include "model/exec/run.h"
#include "model/load/loader.h"
#include "model/session/session.h"
#include "model/session/write.h"
#include "model/util/error.h"

namespace onnxscope::fuzz {

void broken(std::string_view what) {
  std::fprintf(stderr, "onnxscope fuzz: invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

const ops::SupportTables& tables() {
  static const ops::SupportTables t = ops::SupportTables::open(ONNXSCOPE_FUZZ_SHARE_DIR "/ort");
  return t;
}

namespace {

struct Counts {
  size_t models = 0, fed = 0, ran = 0;
  size_t stops[6] = {};
};
Counts counts;

// Every node a diagnostic names exists in the graph it names.
void check_refs(const std::vector<facts::Diagnostic>& diags, std::string_view where) {
  for (const auto& d : diags) {
    for (const facts::NodeRef* r : {&d.node, &d.root_cause}) {
      if (r->graph && r->node != ir::kNoNode && r->node >= r->graph->nodes.size())
        broken(std::string(where) + ": a diagnostic names node " + std::to_string(r->node) + " of a graph of " +
               std::to_string(r->graph->nodes.size()));
    }
  }
}

}  // namespace

std::string summary() {
  std::string s = std::to_string(counts.models) + " models: " + std::to_string(counts.fed) + " fed, " +
                  std::to_string(counts.ran) + " ran (";
  for (int i = 0; i < 6; ++i) {
    if (i) s += ", ";
    s += std::to_string(counts.stops[i]) + " " + std::string(session::run_stop_name(static_cast<exec::Stop>(i)));
  }
  return s + ")";
}

Outcome exercise(const ir::Model& m, const Budget& b) {
  Outcome out;
  ++counts.models;
  // Inference never throws for model content (analysis/infer.h).
  std::unique_ptr<analysis::Analysis> a;
  try {
    a = analysis::infer(m);
  } catch (const Error& e) {
    broken(std::string("infer threw: ") + e.what());
  }
  check_refs(a->diagnostics, "infer");
  out.diagnostics = a->diagnostics.size();

  const ops::SupportTables& all = tables();
  const size_t latest = all.size() - 1;
  auto checks = session::check_targets(*a, all, {latest});
  if (checks.size() != 1) broken("check_targets gave " + std::to_string(checks.size()) + " results for one target");
  check_refs(checks[0]->full().diagnostics, "check");
  session::CheckReport report;
  report.analysis = a.get();
  report.targets = {checks[0].get()};
  (void)session::write_text(report, session::NodeListing::Nodes);
  std::string json = session::write_json(report, session::NodeListing::Nodes);
  if (!nlohmann::json::accept(json)) broken("check's JSON does not parse:\n" + json.substr(0, 2000));
  (void)session::write_markdown(report);

  // Every input symbol bound small, as `run --random --bind` does it.
  std::map<std::string, int64_t, std::less<>> bindings;
  for (const auto& [symbol, origin] : a->origins) bindings[symbol] = b.bind;
  std::map<std::string, value::Tensor> feeds;
  try {
    feeds = exec::random_feeds(m, a.get(), bindings, 1, nullptr, b.max_memory);
  } catch (const Error&) {
    return out;  // an input type random feeds cannot draw (a sequence, a symbol of an override)
  }
  out.fed = true;
  ++counts.fed;

  exec::RunOptions o;
  o.max_memory = b.max_memory;
  o.max_iterations = b.max_iterations;
  o.keep_values = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(b.seconds);
  o.interrupted = [deadline] { return std::chrono::steady_clock::now() > deadline; };
  exec::TrialRun run(m, a.get(), std::move(o));
  for (auto& [name, t] : feeds) run.feed(name, std::move(t));
  check_refs(run.check_feeds(), "check_feeds");
  exec::Stop stop;
  try {
    stop = run.run();
  } catch (const Error& e) {
    broken(std::string("TrialRun::run threw instead of failing the node: ") + e.what());
  }
  out.ran = true;
  out.stop = static_cast<int>(stop);
  ++counts.ran;
  ++counts.stops[out.stop];
  if ((stop == exec::Stop::Failed) != run.failure().has_value())
    broken("the run stopped as " + std::string(session::run_stop_name(stop)) + " and failure() disagrees");
  if (stop == exec::Stop::Done && run.position() != run.graph().nodes.size())
    broken("the run is done at node " + std::to_string(run.position()) + " of " +
           std::to_string(run.graph().nodes.size()));
  if (run.bytes_held() > run.budget())
    broken("the run holds " + std::to_string(run.bytes_held()) + " bytes of a budget of " +
           std::to_string(run.budget()));
  if (run.failure()) check_refs({*run.failure()}, "run");
  // For triage: ONNXSCOPE_FUZZ_TRACE=1 prints why each run failed.
  static const bool trace = std::getenv("ONNXSCOPE_FUZZ_TRACE") != nullptr;
  if (trace && run.failure())
    std::fprintf(stderr, "run failed: [%s] %s\n", std::string(facts::code_name(run.failure()->code)).c_str(),
                 run.failure()->message.c_str());
  check_refs(run.findings(), "run findings");
  return out;
}

void load_and_exercise(const uint8_t* data, size_t size, Form form) {
  load::LoadOptions opts;
  opts.max_structure_bytes = 64 << 20;
  opts.data_dir = "/nonexistent-onnxscope-fuzz";
  std::unique_ptr<ir::Model> m;
  try {
    if (form == Form::Text) {
      m = load::load_model_text(std::string_view(reinterpret_cast<const char*>(data), size), opts);
    } else {
      m = load::load_model_bytes(std::string(reinterpret_cast<const char*>(data), size), opts);
    }
  } catch (const Error&) {
    return;
  }
  exercise(*m);
}

}  // namespace onnxscope::fuzz
