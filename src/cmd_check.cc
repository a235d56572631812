// onnxscope check MODEL [--target T]...: whether the model loads and runs in
// measured onnxruntime releases, and why not (docs/cli.md#check, JSON in
// docs/check-json.md). onnxscope targets: the releases there are tables for.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "model/analysis/check.h"
#include "model/analysis/infer.h"
#include "model/ops/support.h"
#include "model/util/error.h"
#include "model/util/text.h"
#include "src/cli.h"
#include "src/render.h"

namespace onnxscope::cli {
namespace {

using analysis::CheckResult;
using analysis::Verdict;
using nlohmann::json;

const std::vector<ops::SupportTable>& tables() {
  static const std::vector<ops::SupportTable> all = [] {
    auto dir = ops::share_dir() / "ort";
    auto t = ops::load_support_tables(dir);
    if (t.empty()) {
      fail("support-tables", "no support tables (ort-cpu-*.txt) in {}; set ONNXSCOPE_SHARE to onnxscope's share directory",
           util::quote(dir.string()));
    }
    return t;
  }();
  return all;
}

std::string release_of(const ops::SupportTable& t) {
  auto target = t.target();
  return target.substr(target.find('@') + 1);
}

std::string available() {
  std::string out;
  for (const auto& t : tables()) out += (out.empty() ? "" : ", ") + release_of(t);
  return out;
}

// --target values: "all", "latest", "ort-cpu@1.30", "1.30", "1.30.2".
std::vector<const ops::SupportTable*> select(const std::vector<std::string>& specs) {
  const auto& all = tables();
  std::vector<const ops::SupportTable*> out;
  auto add = [&](const ops::SupportTable* t) {
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  };
  if (specs.empty()) add(&all.back());
  for (const auto& spec : specs) {
    if (spec == "all") {
      for (const auto& t : all) add(&t);
      continue;
    }
    if (spec == "latest") {
      add(&all.back());
      continue;
    }
    std::string_view v = spec;
    if (v.substr(0, 8) == "ort-cpu@") v.remove_prefix(8);
    else if (v.substr(0, 4) == "ort@") v.remove_prefix(4);
    const ops::SupportTable* found = nullptr;
    for (const auto& t : all) {
      if (release_of(t) == v || t.release == v) found = &t;
    }
    if (!found) {
      fail("usage", "--target {}: no support table for that release (measured: {}; or 'all', 'latest')",
           util::quote(spec), available());
    }
    add(found);
  }
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->order() < b->order(); });
  return out;
}

size_t count(const CheckResult& r, analysis::Severity s) {
  return std::count_if(r.diagnostics.begin(), r.diagnostics.end(), [&](const auto& d) { return d.severity == s; });
}

const analysis::Diagnostic* first_error(const CheckResult& r) {
  for (const auto& d : r.diagnostics) {
    if (d.severity == analysis::Severity::Error) return &d;
  }
  return nullptr;
}

std::string verdict_text(Verdict v, const Style& st) {
  std::string name(analysis::verdict_name(v));
  return v == Verdict::Ok ? st.green(name) : st.red(name);
}

std::string verdict_sentence(const CheckResult& r, const std::string& release) {
  switch (r.verdict) {
    case Verdict::Ok: return fmt::format("expected to load and run in onnxruntime {}", release);
    case Verdict::LoadError:
      return fmt::format("expected to fail when onnxruntime {} creates the session", release);
    case Verdict::RunError: return fmt::format("expected to load in onnxruntime {}, then fail in a run", release);
  }
  return {};
}

std::string render_one(const analysis::Analysis& a, const CheckResult& r, const ops::SupportTable& t,
                       const Style& st) {
  std::string out = fmt::format("{} {}\n", st.bold("Model"), util::printable(a.model.path.string()));
  out += fmt::format("{} {} (support table measured on onnxruntime {})\n", st.bold("Target"), r.target, t.release);
  out += fmt::format("{} {}: {}\n", st.bold("Verdict"), verdict_text(r.verdict, st), verdict_sentence(r, release_of(t)));
  out += render_diagnostics_text(r.diagnostics, st);
  return out;
}

std::string render_matrix(const analysis::Analysis& a, const std::vector<CheckResult>& rs,
                          const std::vector<const ops::SupportTable*>& ts, const Style& st) {
  std::string out = fmt::format("{} {}\n\n", st.bold("Model"), util::printable(a.model.path.string()));
  size_t tw = 6;
  for (const auto& r : rs) tw = std::max(tw, r.target.size());
  out += st.bold(fmt::format("  {:<{}}  {:<10}  {:>6}  {}", "target", tw, "verdict", "errors", "first error")) + "\n";
  for (const auto& r : rs) {
    const auto* e = first_error(r);
    std::string first = e ? fmt::format("[{}] {}", e->code, e->message) : "";
    if (first.size() > 100) first = first.substr(0, 97) + "...";
    std::string verdict(analysis::verdict_name(r.verdict));
    std::string pad(10 - std::min<size_t>(10, verdict.size()), ' ');
    out += fmt::format("  {:<{}}  {}{}  {:>6}  {}\n", r.target, tw, verdict_text(r.verdict, st), pad,
                       count(r, analysis::Severity::Error), first);
  }
  // The newest release's findings in full: the one to fix the model for.
  const CheckResult& last = rs.back();
  out += fmt::format("\n{} {}: {}\n", st.bold("Newest target"), last.target,
                     verdict_sentence(last, release_of(*ts.back())));
  out += render_diagnostics_text(last.diagnostics, st);
  return out;
}

json result_json(const CheckResult& r, const ops::SupportTable& t) {
  return {{"target", r.target},
          {"release", t.release},
          {"verdict", std::string(analysis::verdict_name(r.verdict))},
          {"errors", count(r, analysis::Severity::Error)},
          {"warnings", count(r, analysis::Severity::Warning)},
          {"diagnostics", diagnostics_json(r.diagnostics)}};
}

std::string md_escape(std::string_view s) {
  std::string out;
  for (char c : util::printable(s)) {
    if (c == '|' || c == '`' || c == '*' || c == '_' || c == '<' || c == '>' || c == '[' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

std::string render_markdown(const analysis::Analysis& a, const std::vector<CheckResult>& rs,
                            const std::vector<const ops::SupportTable*>& ts) {
  std::string out = fmt::format("# onnxscope check: {}\n\n", md_escape(a.model.path.filename().string()));
  out += "| target | verdict | errors | warnings |\n|---|---|---:|---:|\n";
  for (const auto& r : rs) {
    out += fmt::format("| {} | {} | {} | {} |\n", r.target, analysis::verdict_name(r.verdict),
                       count(r, analysis::Severity::Error), count(r, analysis::Severity::Warning));
  }
  for (size_t i = 0; i < rs.size(); ++i) {
    const auto& r = rs[i];
    out += fmt::format("\n## {}\n\n{}.\n", r.target, verdict_sentence(r, release_of(*ts[i])));
    if (r.diagnostics.empty()) continue;
    out += "\n| severity | code | node | message | hint |\n|---|---|---|---|---|\n";
    for (const auto& d : r.diagnostics) {
      out += fmt::format("| {} | `{}` | {} | {} | {} |\n", analysis::severity_name(d.severity), d.code,
                         d.node ? md_escape(node_label(d.node)) : "", md_escape(d.message), md_escape(d.hint));
    }
  }
  return out;
}

int run_check(const std::string& path, const std::vector<std::string>& specs, const GlobalOptions& g, Format format) {
  auto targets = select(specs);
  auto model = load(path, g);
  auto a = analysis::infer(*model);
  std::vector<CheckResult> results;
  for (const auto* t : targets) results.push_back(analysis::check(*a, *t, tables()));
  Style st = Style::for_stdout(g);
  std::string text;
  if (format == Format::Json) {
    json j = {{"schema", "onnxscope.check/1"}, {"model", a->model.path.string()}};
    if (results.size() == 1) {
      j.update(result_json(results[0], *targets[0]));
    } else {
      j["results"] = json::array();
      for (size_t i = 0; i < results.size(); ++i) j["results"].push_back(result_json(results[i], *targets[i]));
    }
    text = j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  } else if (format == Format::Markdown) {
    text = render_markdown(*a, results, targets);
  } else {
    text = results.size() == 1 ? render_one(*a, results[0], *targets[0], st) : render_matrix(*a, results, targets, st);
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  bool failing = std::any_of(results.begin(), results.end(), [](const auto& r) { return r.verdict != Verdict::Ok; });
  keep_until_exit(std::move(model));
  return failing ? kExitPredictedFailure : kExitOk;
}

int run_targets(const GlobalOptions& g, Format format) {
  const auto& all = tables();
  if (format == Format::Json) {
    json j = {{"schema", "onnxscope.targets/1"}, {"targets", json::array()}};
    for (const auto& t : all) {
      json opsets = json::object();
      for (const auto& [d, v] : t.max_opset) opsets[d] = v;
      j["targets"].push_back(
          {{"target", t.target()}, {"release", t.release}, {"max_ir", t.max_ir}, {"max_opset", opsets}, {"facts", t.size()}});
    }
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }
  Style st = Style::for_stdout(g);
  fmt::print("{}\n", st.bold(fmt::format("  {:<14} {:<9} {:>3} {:>13} {:>10} {:>6}", "target", "release", "ir",
                                         "ai.onnx opset", "ai.onnx.ml", "facts")));
  for (const auto& t : all) {
    auto opset = [&](const char* d) {
      auto it = t.max_opset.find(d);
      return it == t.max_opset.end() ? std::string("-") : std::to_string(it->second);
    };
    fmt::print("  {:<14} {:<9} {:>3} {:>13} {:>10} {:>6}\n", t.target(), t.release, t.max_ir, opset("ai.onnx"),
               opset("ai.onnx.ml"), t.size());
  }
  fmt::print("\ntables in {}\n", util::printable((ops::share_dir() / "ort").string()));
  return kExitOk;
}

}  // namespace

void add_check_command(CLI::App& app, const GlobalOptions& g, Command& cmd) {
  auto* sub = app.add_subcommand("check", "Predict whether onnxruntime releases load and run the model, and why not");
  struct Args {
    std::string path;
    std::vector<std::string> targets;
  };
  auto args = std::make_shared<Args>();
  sub->add_option("MODEL", args->path, "Model file")->required();
  sub->add_option("--target,-t", args->targets,
                  "onnxruntime release to check against: 1.30, ort-cpu@1.30, latest (the default) or all; repeatable");
  add_format_option(sub, cmd.format, true);
  sub->callback([&g, &cmd, args] {
    cmd.run = [&g, &cmd, args] { return run_check(args->path, args->targets, g, cmd.format); };
  });

  auto* tg = app.add_subcommand("targets", "List the onnxruntime releases with measured support tables");
  add_format_option(tg, cmd.format, false);
  tg->callback([&g, &cmd] {
    cmd.run = [&g, &cmd] { return run_targets(g, cmd.format); };
  });
}

}  // namespace onnxscope::cli
