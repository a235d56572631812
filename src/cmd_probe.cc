// onnxscope probe emit | table: the probe models for measuring a runtime
// release, and the support table made from what the release did with them
// (bench/ort/README.md describes the whole measurement).
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "model/load/write.h"
#include "model/ops/probes.h"
#include "model/ops/support.h"
#include "model/util/error.h"
#include "model/util/text.h"
#include "src/cli.h"

namespace onnxscope::cli {
namespace {

std::string read_text(const std::string& path, const char* what) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail("file-open", "{} {}: cannot be read", what, util::quote(path));
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    size_t tab = line.find('\t', pos);
    out.push_back(line.substr(pos, tab == std::string_view::npos ? std::string_view::npos : tab - pos));
    if (tab == std::string_view::npos) break;
    pos = tab + 1;
  }
  return out;
}

int emit(const std::string& out, int max_opset) {
  ops::ProbeOptions opts;
  opts.max_opset = max_opset;
  auto probes = ops::make_probes(ops::SchemaTable::builtin(), opts);
  size_t n = ops::emit_probes(probes, out);
  size_t op_probes = std::count_if(probes.begin(), probes.end(), [](const ops::Probe& p) { return p.kind == "op"; });
  fmt::print("{} probe models in {} ({} operator probes, {} opset, IR and session probes); manifest: {}/manifest.tsv\n", n,
             util::printable(out), op_probes, n - op_probes, util::printable(out));
  return kExitOk;
}

int table(const std::string& manifest_path, const std::string& results_path, const std::string& release,
          const std::string& out, const std::string& update) {
  std::map<std::string, ops::ProbeResult, std::less<>> by_id;
  std::vector<std::string> order;
  std::string manifest = read_text(manifest_path, "manifest");
  std::istringstream m(manifest);
  size_t line_no = 0;
  for (std::string line; std::getline(m, line);) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    auto f = fields(line);
    if (f.size() != 7) fail("usage", "{} line {}: expected 7 tab-separated fields", util::quote(manifest_path), line_no);
    ops::ProbeResult r;
    r.kind = std::string(f[2]);
    r.domain = std::string(f[3]);
    r.op = std::string(f[4]);
    r.version = std::atoi(std::string(f[5]).c_str());
    r.assignment = std::string(f[6]);
    order.emplace_back(f[0]);
    by_id.emplace(std::string(f[0]), std::move(r));
  }
  std::string results = read_text(results_path, "results");
  std::istringstream rs(results);
  std::set<std::string> seen;
  line_no = 0;
  for (std::string line; std::getline(rs, line);) {
    ++line_no;
    if (line.empty()) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const std::exception& e) {
      fail("usage", "{} line {}: not JSON ({})", util::quote(results_path), line_no, e.what());
    }
    std::string id = j.value("id", "");
    auto it = by_id.find(id);
    if (it == by_id.end()) fail("usage", "{} line {}: probe {} is not in the manifest", util::quote(results_path), line_no, util::quote(id));
    auto outcome = ops::parse_outcome(j.value("outcome", ""));
    if (!outcome) fail("usage", "{} line {}: unknown outcome", util::quote(results_path), line_no);
    it->second.outcome = *outcome;
    it->second.message = j.value("message", "");
    seen.insert(id);
  }
  std::vector<ops::ProbeResult> ordered;
  for (const auto& id : order) {
    const ops::ProbeResult& r = by_id.at(id);
    // --update takes the operator lines from the table: operator probes
    // need no result then (run_probes.js --filter '^(opset|ir|session)/').
    if (!update.empty() && r.kind == "op" && !seen.count(id)) continue;
    if (!seen.count(id)) fail("usage", "probe {} has no result in {}", util::quote(id), util::quote(results_path));
    ordered.push_back(r);
  }
  std::string text = update.empty() ? ops::SupportTable::format(release, ordered)
                                     : ops::SupportTable::update_limits(read_text(update, "table"), release, ordered);
  ops::SupportTable::parse(text);  // what is written must read back
  if (out.empty() || out == "-") fmt::print("{}", text);
  else load::write_file_atomic(out, text);
  return kExitOk;
}

}  // namespace

void add_probe_command(CLI::App& app, const GlobalOptions& g, Command& cmd) {
  (void)g;
  auto* probe = app.add_subcommand("probe", "Probe models for measuring a runtime's operator support (bench/ort)");
  probe->require_subcommand(1);
  struct Args {
    std::string out, manifest, results, release, update;
    int max_opset = 0;
  };
  auto args = std::make_shared<Args>();
  auto* em = probe->add_subcommand("emit", "Write one single-node model per operator version and type assignment, "
                                           "and the opset, IR and session probes, with DIR/manifest.tsv");
  em->add_option("--out", args->out, "Folder for the probes")->required();
  em->add_option("--max-opset", args->max_opset, "Newest ai.onnx schema version to probe (default: every one onnxscope knows)")->check(CLI::Range(0, 40));
  em->callback([&cmd, args] { cmd.run = [args] { return emit(args->out, args->max_opset); }; });
  auto* tb = probe->add_subcommand("table", "Turn a release's probe results into its support table");
  tb->add_option("--manifest", args->manifest, "manifest.tsv written by 'probe emit'")->required();
  tb->add_option("--results", args->results, "The harness' results (JSON lines: id, outcome, message)")->required();
  tb->add_option("--release", args->release, "The onnxruntime release measured, e.g. 1.30.0")->required();
  tb->add_option("--out", args->out, "Output file (default: standard output)");
  tb->add_option("--update", args->update,
                 "A table whose operator lines to keep: only its ir, opset and session lines are measured again "
                 "(the results need not cover the operator probes)");
  tb->callback([&cmd, args] {
    cmd.run = [args] { return table(args->manifest, args->results, args->release, args->out, args->update); };
  });
}

}  // namespace onnxscope::cli
