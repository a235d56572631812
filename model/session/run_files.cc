#include "model/session/run_files.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "model/exec/feeds.h"
#include "model/load/write.h"
#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::session {

namespace fs = std::filesystem;

std::string file_name_of(std::string_view value_name) {
  std::string out;
  for (char c : value_name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    out += ok ? c : '_';
  }
  // "", "." and ".." are no file names of their own; a leading dot would hide the file.
  if (out.empty() || out.front() == '.') out.insert(out.begin(), '_');
  return out;
}

// ---- --save-outputs, --save-all -----------------------------------------------

NpyFolder::NpyFolder(fs::path dir, std::string option, std::vector<fs::path> keep_off)
    : dir_(std::move(dir)), option_(std::move(option)), keep_off_(std::move(keep_off)) {
  std::error_code ec;
  if (fs::exists(dir_, ec) && !fs::is_directory(dir_, ec)) {
    fail("usage", "{} {}: is a file, not a folder; give a folder to write the .npy files into", option_,
         dir_.string());
  }
  fs::create_directories(dir_, ec);
  if (ec) fail("usage", "{} {}: cannot create the folder: {}", option_, dir_.string(), ec.message());
}

std::string NpyFolder::unique_stem(const std::string& stem, std::string_view name, SaveReport& out) {
  std::string s = stem;
  for (int k = 2; used_.count(s); ++k) s = fmt::format("{}_{}", stem, k);
  if (s != stem) {
    out.notes.push_back(fmt::format("{} and {} are both {}.npy as file names; {} is written as {}.npy",
                                    util::quote(used_[stem]), util::quote(name), stem, util::quote(name), s));
  }
  used_[s] = std::string(name);
  return s;
}

void NpyFolder::write_tensor(std::string_view name, const std::string& stem, const value::Tensor& t,
                             SaveReport& out) {
  const value::Tensor* src = &t;
  value::Tensor widened;
  if (t.dtype() == DType::BFloat16) {
    widened = value::Tensor(DType::Float32, t.shape());
    for (uint64_t i = 0; i < t.count(); ++i) widened.data<float>()[i] = value::to_float(t.data<value::BFloat16>()[i]);
    src = &widened;
    out.notes.push_back(fmt::format("{} is bfloat16, written as float32 (numpy has no bfloat16)", util::quote(name)));
  }
  std::string bytes;
  try {
    bytes = exec::npy_bytes(*src);
  } catch (const Error& e) {
    out.notes.push_back(fmt::format("{} not written: {}", util::quote(name), e.what()));
    return;
  }
  fs::path target = dir_ / (stem + ".npy");
  check_target(target);
  // Written beside the target and renamed into place (load::write_file_atomic):
  // a reader, or a run killed while writing, never leaves half a file under
  // the final name. No fsync per value: --save-all writes one file per node.
  try {
    load::write_file_atomic(target, bytes, /*durable=*/false);
  } catch (const Error& e) {
    fail("write", "{} {}: cannot write {}: {}", option_, dir_.string(), target.string(), e.what());
  }
  out.files.push_back({std::string(name), target.string()});
}

void NpyFolder::check_target(const fs::path& target) const {
  std::error_code ec;
  for (const fs::path& p : keep_off_) {
    if (fs::exists(target, ec) && fs::equivalent(target, p, ec)) {
      fail("usage", "{} {}: {} is the model or its data; onnxscope never writes over it", option_, dir_.string(),
           target.string());
    }
  }
  if (fs::exists(target, ec) && !fs::is_regular_file(target, ec)) {
    fail("usage", "{} {}: {} exists and is not a file", option_, dir_.string(), target.string());
  }
}

void NpyFolder::check(std::string_view name) const { check_target(dir_ / (file_name_of(name) + ".npy")); }

void NpyFolder::write(std::string_view name, const value::Value& v, SaveReport& out) {
  std::string base = file_name_of(name);
  if (const auto* t = std::get_if<value::Tensor>(&v)) {
    write_tensor(name, unique_stem(base, name, out), *t, out);
  } else if (const auto* s = std::get_if<value::Sequence>(&v)) {
    if (s->items.empty()) out.notes.push_back(fmt::format("{} is an empty sequence: nothing written", util::quote(name)));
    for (size_t k = 0; k < s->items.size(); ++k) {
      std::string item = fmt::format("{}[{}]", name, k);
      write_tensor(item, unique_stem(fmt::format("{}_{}", base, k), item, out), s->items[k], out);
    }
  } else if (std::holds_alternative<value::None>(v)) {
    out.notes.push_back(fmt::format("{} is an empty optional: nothing written", util::quote(name)));
  }
}

std::vector<fs::path> model_files(const ir::Model& m) {
  std::vector<fs::path> out{m.path};
  std::set<std::string> seen;
  for (const ir::Tensor& t : m.graph->initializers) {
    if (!t.is_external() || !t.external.file) continue;
    const std::string& loc = t.external.file->location();
    if (seen.insert(loc).second) out.push_back(m.dir / loc);
  }
  return out;
}

// ---- --expected --------------------------------------------------------------

namespace {

// DIR/PREFIX_K.pb files by K, in order of K.
std::vector<std::pair<size_t, fs::path>> numbered(const fs::path& dir, std::string_view prefix) {
  std::vector<std::pair<size_t, fs::path>> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string f = e.path().filename().string();
    if (!f.starts_with(prefix) || !f.ends_with(".pb")) continue;
    std::string_view k(f);
    k = k.substr(prefix.size(), k.size() - prefix.size() - 3);
    if (k.empty() || k.size() > 6 || !std::all_of(k.begin(), k.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    out.emplace_back(std::stoul(std::string(k)), e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

size_t output_index(const ir::Graph& g, std::string_view name) {
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    if (g.value(g.outputs[i]).name == name) return i;
  }
  return SIZE_MAX;
}

}  // namespace

std::vector<std::string> expected_feed_specs(const ir::Graph& g, const fs::path& dir) {
  std::vector<std::string> specs;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return specs;
  std::vector<ir::ValueId> free_inputs;
  for (ir::ValueId v : g.inputs) {
    if (g.value(v).initializer == ir::kNone) free_inputs.push_back(v);
  }
  for (const auto& [k, path] : numbered(dir, "input_")) {
    std::string name;
    try {
      exec::read_pb(path, &name);
    } catch (const Error&) {
      name.clear();  // read again, and reported, as a feed
    }
    ir::ValueId v = name.empty() ? ir::kNoValue : g.find(name);
    bool is_input = v != ir::kNoValue && std::find(g.inputs.begin(), g.inputs.end(), v) != g.inputs.end();
    if (!is_input) {
      if (k >= free_inputs.size()) {
        fail("usage", "--expected {}: {} feeds no input: the graph has {} input{} without a default", dir.string(),
             path.filename().string(), free_inputs.size(), free_inputs.size() == 1 ? "" : "s");
      }
      name = std::string(g.value(free_inputs[k]).name);
    }
    specs.push_back(name + "=" + path.string());
  }
  return specs;
}

bool ExpectedReport::pass() const {
  return std::all_of(rows.begin(), rows.end(), [](const ExpectedRow& r) { return r.difference.pass; });
}

ExpectedReport compare_expected(const ir::Graph& g, const exec::TrialRun& run, const fs::path& source) {
  ExpectedReport r;
  r.source = source.string();
  std::error_code ec;
  // (file, output index) pairs.
  std::vector<std::pair<fs::path, size_t>> pairs;
  auto name_of = [&](const fs::path& f, size_t position) {
    std::string name;
    try {
      exec::read_value_pb(f, position < g.outputs.size() ? g.output_type(position) : ir::Type{}, &name);
    } catch (const Error&) {
    }
    return name;
  };
  if (fs::is_directory(source, ec)) {
    auto files = numbered(source, "output_");
    if (files.empty()) {
      fail("usage", "--expected {}: the folder has no output_*.pb (a test_data_set folder of the ONNX test data has "
           "output_0.pb ...)", source.string());
    }
    std::set<size_t> taken;
    for (const auto& [k, f] : files) {
      std::string name = name_of(f, k);
      size_t i = name.empty() ? SIZE_MAX : output_index(g, name);
      if (i == SIZE_MAX) i = k;  // by position
      if (i >= g.outputs.size() || taken.count(i)) {
        r.notes.push_back(fmt::format("{} matches no output of the graph (it has {})", f.filename().string(),
                                      g.outputs.size()));
        continue;
      }
      taken.insert(i);
      pairs.emplace_back(f, i);
    }
    for (size_t i = 0; i < g.outputs.size(); ++i) {
      if (!taken.count(i)) {
        r.notes.push_back(fmt::format("output {} has no expected value in {}", util::quote(g.value(g.outputs[i]).name),
                                      source.string()));
      }
    }
  } else if (fs::is_regular_file(source, ec)) {
    std::string name = name_of(source, 0);
    size_t i = name.empty() ? SIZE_MAX : output_index(g, name);
    if (i == SIZE_MAX) {
      if (g.outputs.size() != 1) {
        fail("usage", "--expected {}: one .pb file compares with a model of one output; this model has {}, and the "
             "file names none of them: give a test_data_set folder (output_0.pb ...)", source.string(),
             g.outputs.size());
      }
      i = 0;
    }
    pairs.emplace_back(source, i);
  } else {
    fail("usage", "--expected {}: no such folder or .pb file", source.string());
  }
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  for (const auto& [f, i] : pairs) {
    ExpectedRow row;
    row.output = std::string(g.value(g.outputs[i]).name);
    row.file = f.string();
    value::Value want;
    try {
      want = exec::as_declared(g.output_type(i), exec::read_value_pb(f, g.output_type(i)));
    } catch (const Error& e) {
      fail("feed-file", "--expected {}: {}", f.string(), e.what());
    }
    row.difference = exec::compare(run.value(g.outputs[i]), want);
    r.rows.push_back(std::move(row));
  }
  return r;
}

// ---- The failing node ----------------------------------------------------------

std::optional<FailureReport> failure_report(const exec::TrialRun& run, const analysis::Analysis* a) {
  const auto& failure = run.failure();
  const ir::Graph& g = run.graph();
  if (!failure || failure->node.graph != &g || failure->node.node == ir::kNoNode) return std::nullopt;
  ir::NodeId k = failure->node.node;
  const ir::Node& n = g.nodes[k];
  FailureReport r;
  r.node = node_label(failure->node);
  r.error = &*failure;
  std::string op = ir::is_default_domain(n.domain) ? util::printable(n.op_type)
                                                    : util::printable(n.domain) + "." + util::printable(n.op_type);
  const ops::Schema* schema = a ? a->schema(g, k) : nullptr;
  r.op = schema ? fmt::format("{}-{}", op, schema->since_version) : op;
  for (ir::ValueId v : n.inputs) {
    FailureInput in;
    if (v == ir::kNoValue) {
      in.absent = true;
      r.inputs.push_back(std::move(in));
      continue;
    }
    in.name = std::string(g.value(v).name);
    const value::Value* x = run.value(v);
    if (const value::Tensor* t = x ? value::tensor_of(*x) : nullptr) {
      in.from_value = true;
      in.dtype = t->dtype();
      in.shape = fmt::format("[{}]", fmt::join(t->shape(), ","));
    } else if (const auto* s = x ? std::get_if<value::Sequence>(x) : nullptr) {
      in.from_value = true;
      in.dtype = s->elem;
      in.shape = fmt::format("sequence of {}", s->items.size());
    } else if (a) {
      const facts::Inferred& inf = a->value(g, v);
      in.dtype = inf.dtype;
      in.shape = inf.is_tensor() ? facts::to_string(inf.shape) : facts::to_string(inf);
    }
    r.inputs.push_back(std::move(in));
  }
  if (!a) return r;
  // The nodes upstream of the failing one, by distance (the failing node 0).
  std::vector<int> dist(g.nodes.size(), -1);
  std::vector<ir::NodeId> todo{k};
  dist[k] = 0;
  for (size_t q = 0; q < todo.size(); ++q) {
    const ir::Node& m = g.nodes[todo[q]];
    auto visit = [&](ir::ValueId v) {
      if (v == ir::kNoValue) return;
      const ir::Value& d = g.value(v);
      if (d.kind != ir::ValueKind::NodeOutput || d.producer == ir::kNoNode || dist[d.producer] >= 0) return;
      dist[d.producer] = dist[todo[q]] + 1;
      todo.push_back(d.producer);
    };
    for (ir::ValueId v : m.inputs) visit(v);
    for (ir::ValueId v : m.implicit_inputs) visit(v);
  }
  std::vector<std::pair<int, const facts::Diagnostic*>> found;
  for (const facts::Diagnostic& d : a->diagnostics) {
    if (d.severity == facts::Severity::Note) continue;
    int best = -1;
    for (const facts::NodeRef& at : {d.node, d.root_cause}) {
      if (at.graph == &g && at.node != ir::kNoNode && dist[at.node] >= 0 && (best < 0 || dist[at.node] < best)) {
        best = dist[at.node];
      }
    }
    if (best >= 0) found.emplace_back(best, &d);
  }
  std::stable_sort(found.begin(), found.end(), [&](const auto& x, const auto& y) {
    // Nearest first; on the same node, the finding of the failure's own code first.
    if (x.first != y.first) return x.first < y.first;
    return (x.second->code == failure->code) > (y.second->code == failure->code);
  });
  for (size_t i = 0; i < found.size() && i < 3; ++i) r.predicted.push_back(found[i].second);
  return r;
}

}  // namespace onnxscope::session
