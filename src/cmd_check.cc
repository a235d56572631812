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

// Read once; never destroyed (freeing every table at exit would cost as
// much as reading them).
const ops::SupportTables& tables() {
  static const ops::SupportTables& all = *new ops::SupportTables([] {
    auto dir = ops::share_dir() / "ort";
    auto t = ops::SupportTables::open(dir);
    if (t.empty()) {
      fail("support-tables", "no support tables (ort-cpu-*.txt) in {}; set ONNXSCOPE_SHARE to onnxscope's share directory",
           util::quote(dir.string()));
    }
    return t;
  }());
  return all;
}

std::string release_of(const ops::SupportTable& t) { return ops::target_minor(t.target()); }

std::string available() {
  const auto& all = tables();
  std::string out;
  for (size_t i = 0; i < all.size(); ++i) {
    out += (out.empty() ? "" : ", ") + ops::target_minor(all.target(i));
  }
  return out;
}

// --target values: "all", "latest", "ort-cpu@1.30", "1.30", "1.30.2" (the
// measured patch release). Only the tables named are read.
std::vector<const ops::SupportTable*> select(const std::vector<std::string>& specs) {
  const auto& all = tables();
  std::vector<size_t> picked;
  auto add = [&](size_t i) {
    if (std::find(picked.begin(), picked.end(), i) == picked.end()) picked.push_back(i);
  };
  if (specs.empty()) add(all.size() - 1);
  for (const auto& spec : specs) {
    if (spec == "all") {
      for (size_t i = 0; i < all.size(); ++i) add(i);
      continue;
    }
    if (spec == "latest") {
      add(all.size() - 1);
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
    auto i = all.find("ort-cpu@" + std::string(minor));
    if (i && minor.size() != v.size() && all.at(*i).release != v) {
      fail("usage", "--target {}: the table of {} was measured on onnxruntime {}; name it {} or {}", util::quote(spec),
           all.target(*i), all.at(*i).release, minor, all.at(*i).release);
    }
    if (!i) {
      fail("usage", "--target {}: no support table for that release (measured: {}; or 'all', 'latest')",
           util::quote(spec), available());
    }
    add(*i);
  }
  std::sort(picked.begin(), picked.end());
  std::vector<const ops::SupportTable*> out;
  for (size_t i : picked) out.push_back(&all.at(i));
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

std::string op_version(const analysis::NodeSupport& n) {
  std::string op = n.domain == "ai.onnx" ? util::printable(n.op) : util::printable(n.domain) + "." + util::printable(n.op);
  return n.version ? fmt::format("{}-{}", op, n.version) : op;
}

std::string status_text(const std::string& status, const Style& st) {
  if (status == "ok") return st.green(status);
  if (status == "no-kernel" || status == "type-error" || status == "not-registered" || status == "beyond-opset") {
    return st.red(status);
  }
  return st.yellow(status);
}

// The nodes grouped by operator version, types and status, in order of first appearance.
struct OperatorRow {
  std::string op, types, status;
  size_t count = 0;
};

std::vector<OperatorRow> operator_rows(const CheckResult& r) {
  std::vector<OperatorRow> rows;
  for (const auto& n : r.nodes) {
    std::string op = op_version(n);
    auto it = std::find_if(rows.begin(), rows.end(), [&](const OperatorRow& x) {
      return x.op == op && x.types == n.types && x.status == n.status;
    });
    if (it == rows.end()) rows.push_back({op, n.types, n.status, 1});
    else ++it->count;
  }
  return rows;
}

// One line per operator version, types and status, with how many nodes.
std::string render_operators(const CheckResult& r, const Style& st) {
  auto rows = operator_rows(r);
  if (rows.empty()) return {};
  size_t ow = 8, tw = 5;
  for (const auto& x : rows) {
    ow = std::max(ow, x.op.size());
    tw = std::max(tw, util::printable(x.types).size());
  }
  std::string out = "\n" + st.bold(fmt::format("Operators ({} nodes)", r.nodes.size())) + "\n";
  out += st.bold(fmt::format("  {:<{}}  {:<{}}  {:>5}  {}", "operator", ow, "types", tw, "nodes", "support")) + "\n";
  for (const auto& x : rows) {
    out += fmt::format("  {:<{}}  {:<{}}  {:>5}  {}\n", x.op, ow, util::printable(x.types), tw, x.count,
                       status_text(x.status, st));
  }
  return out;
}

// Every node: name, operator version, types, status.
std::string render_nodes(const CheckResult& r, const Style& st) {
  std::string out = "\n" + st.bold(fmt::format("Nodes ({})", r.nodes.size())) + "\n";
  size_t nw = 4, ow = 8;
  std::vector<std::string> names;
  for (const auto& n : r.nodes) {
    names.push_back(node_label(n.node));
    nw = std::max(nw, names.back().size());
    ow = std::max(ow, op_version(n).size());
  }
  nw = std::min<size_t>(nw, 48);
  out += st.bold(fmt::format("  {:<{}}  {:<{}}  {:<14}  {}", "node", nw, "operator", ow, "support", "types")) + "\n";
  for (size_t i = 0; i < r.nodes.size(); ++i) {
    const auto& n = r.nodes[i];
    std::string status = status_text(n.status, st);
    std::string pad(14 - std::min<size_t>(14, n.status.size()), ' ');
    out += fmt::format("  {:<{}}  {:<{}}  {}{}  {}\n", names[i], nw, op_version(n), ow, status, pad,
                       util::printable(n.types));
  }
  return out;
}

std::string render_one(const analysis::Analysis& a, const CheckResult& r, const ops::SupportTable& t,
                       bool all_nodes, const Style& st) {
  std::string out = fmt::format("{} {}\n", st.bold("Model"), util::printable(a.model.path.string()));
  out += fmt::format("{} {} (support table measured on onnxruntime {})\n", st.bold("Target"), r.target, t.release);
  out += fmt::format("{} {}: {}\n", st.bold("Verdict"), verdict_text(r.verdict, st), verdict_sentence(r, release_of(t)));
  out += all_nodes ? render_nodes(r, st) : render_operators(r, st);
  out += render_diagnostics_text(r.diagnostics, st);
  return out;
}

std::string render_matrix(const analysis::Analysis& a, const std::vector<CheckResult>& rs,
                          const std::vector<const ops::SupportTable*>& ts, bool all_nodes, const Style& st) {
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
    std::string line = fmt::format("  {:<{}}  {}{}  {:>6}  {}", r.target, tw, verdict_text(r.verdict, st), pad,
                                   count(r, analysis::Severity::Error), first);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  // The newest release's findings in full: the one to fix the model for.
  const CheckResult& last = rs.back();
  out += fmt::format("\n{} {}: {}\n", st.bold("Newest target"), last.target,
                     verdict_sentence(last, release_of(*ts.back())));
  out += all_nodes ? render_nodes(last, st) : render_operators(last, st);
  out += render_diagnostics_text(last.diagnostics, st);
  return out;
}

json nodes_json(const CheckResult& r) {
  json out = json::array();
  for (const auto& n : r.nodes) {
    out.push_back({{"node", node_label(n.node)},
                   {"domain", n.domain},
                   {"op_type", n.op},
                   {"version", n.version ? json(n.version) : json(nullptr)},
                   {"types", n.types.empty() ? json(nullptr) : json(n.types)},
                   {"support", n.status}});
  }
  return out;
}

json result_json(const CheckResult& r, const ops::SupportTable& t) {
  return {{"target", r.target},
          {"release", t.release},
          {"verdict", std::string(analysis::verdict_name(r.verdict))},
          {"errors", count(r, analysis::Severity::Error)},
          {"warnings", count(r, analysis::Severity::Warning)},
          {"diagnostics", diagnostics_json(r.diagnostics)},
          {"nodes", nodes_json(r)}};
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
    if (i + 1 == rs.size()) {
      // The operators for the newest target only: the one to fix the model for.
      out += "\n| operator | types | nodes | support |\n|---|---|---:|---|\n";
      for (const auto& x : operator_rows(r)) {
        out += fmt::format("| {} | {} | {} | {} |\n", md_escape(x.op), md_escape(x.types), x.count, x.status);
      }
    }
    if (r.diagnostics.empty()) continue;
    out += "\n| severity | code | node | message | hint |\n|---|---|---|---|---|\n";
    for (const auto& d : r.diagnostics) {
      out += fmt::format("| {} | `{}` | {} | {} | {} |\n", analysis::severity_name(d.severity), d.code,
                         d.node ? md_escape(node_label(d.node)) : "", md_escape(d.message), md_escape(d.hint));
    }
  }
  return out;
}

int run_check(const std::string& path, const std::vector<std::string>& specs, bool all_nodes, const GlobalOptions& g,
              Format format, const analysis::InferOptions& opts = {}) {
  auto targets = select(specs);
  auto model = load(path, g);
  auto a = analysis::infer(*model, opts);
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
    text = results.size() == 1 ? render_one(*a, results[0], *targets[0], all_nodes, st)
                               : render_matrix(*a, results, targets, all_nodes, st);
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  bool failing = std::any_of(results.begin(), results.end(), [](const auto& r) { return r.verdict != Verdict::Ok; });
  keep_until_exit(std::move(model));
  return failing ? kExitPredictedFailure : kExitOk;
}

int run_targets(const GlobalOptions& g, Format format) {
  std::vector<const ops::SupportTable*> all;
  for (size_t i = 0; i < tables().size(); ++i) all.push_back(&tables().at(i));  // reads every table
  if (format == Format::Json) {
    json j = {{"schema", "onnxscope.targets/1"}, {"targets", json::array()}};
    for (const ops::SupportTable* tp : all) {
      const ops::SupportTable& t = *tp;
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
  for (const ops::SupportTable* tp : all) {
    const ops::SupportTable& t = *tp;
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

const ops::SupportTables& support_tables() { return tables(); }

std::vector<const ops::SupportTable*> select_targets(const std::vector<std::string>& specs) { return select(specs); }

std::string check_markdown(const analysis::Analysis& a, const std::vector<CheckResult>& rs,
                           const std::vector<const ops::SupportTable*>& ts) {
  return render_markdown(a, rs, ts);
}

int check_report(const std::string& path, const std::vector<std::string>& specs, const analysis::InferOptions& opts,
                 const GlobalOptions& g) {
  return run_check(path, specs, false, g, Format::Text, opts);
}

void add_check_command(CLI::App& app, const GlobalOptions& g, Command& cmd) {
  auto* sub = app.add_subcommand("check", "Predict whether onnxruntime releases load and run the model, and why not");
  struct Args {
    std::string path;
    std::vector<std::string> targets;
    bool nodes = false;
  };
  auto args = std::make_shared<Args>();
  sub->add_option("MODEL", args->path, "Model file")->required();
  sub->add_option("--target,-t", args->targets,
                  "onnxruntime release to check against: 1.30, ort-cpu@1.30, latest (the default) or all; repeatable");
  sub->add_flag("--nodes", args->nodes, "List every node (text), not one line per operator version and types");
  add_format_option(sub, cmd.format, true);
  sub->callback([&g, &cmd, args] {
    cmd.run = [&g, &cmd, args] { return run_check(args->path, args->targets, args->nodes, g, cmd.format); };
  });

  auto* tg = app.add_subcommand("targets", "List the onnxruntime releases with measured support tables");
  add_format_option(tg, cmd.format, false);
  tg->callback([&g, &cmd] {
    cmd.run = [&g, &cmd] { return run_targets(g, cmd.format); };
  });
}

}  // namespace onnxscope::cli
