// `run`: a trial run as text for people (docs/cli.md#run).
#include <fmt/format.h>

#include "model/facts/diagnostic.h"
#include "model/session/write.h"
#include "model/util/text.h"

namespace onnxscope::session {

namespace {

std::string shape_text(const value::Tensor& t) { return fmt::format("[{}]", fmt::join(t.shape(), ",")); }

std::string number(double v) { return fmt::format("{:.6g}", v); }

std::string stop_word(exec::Stop s) {
  switch (s) {
    case exec::Stop::Ran: return "stopped";
    case exec::Stop::Done: return "done";
    case exec::Stop::Failed: return "failed";
    case exec::Stop::NonFinite: return "non-finite";
    case exec::Stop::Breakpoint: return "breakpoint";
    case exec::Stop::Interrupted: return "interrupted";
  }
  return "?";
}

std::string ms(double s) { return fmt::format("{:.2f} ms", s * 1e3); }

Role severity_role(facts::Severity s) {
  return s == facts::Severity::Error ? Role::Error : s == facts::Severity::Warning ? Role::Warning : Role::Note;
}

void write_failure(StyledText& t, const FailureReport& f) {
  t += "\n";
  t.add("Failing node", Role::Heading);
  t += fmt::format("  {}  ", util::printable(f.node));
  t.add(f.op, Role::Code);
  t += "\n";
  size_t w = 4;
  for (const auto& in : f.inputs) w = std::max(w, util::printable(in.name).size());
  for (size_t i = 0; i < f.inputs.size(); ++i) {
    const FailureInput& in = f.inputs[i];
    t += fmt::format("  input {}  ", i);
    if (in.absent) {
      t.add("(absent)", Role::Muted);
      t += "\n";
      continue;
    }
    t += fmt::format("{:<{}}  ", util::printable(in.name), w);
    if (in.dtype == DType::Undefined && in.shape.empty()) {
      t.add("no value, type unknown", Role::Muted);
    } else {
      t.add(fmt::format("{} {}", dtype_name(in.dtype), in.shape), Role::Code);
      if (!in.from_value) t.add("  (inferred: no value at hand)", Role::Muted);
    }
    t += "\n";
  }
  if (f.error) {
    t += "  ";
    t.add(fmt::format("error[{}]", facts::code_name(f.error->code)), Role::Error);
    t += fmt::format(": {}\n", util::printable(f.error->message));
  }
  if (f.predicted.empty()) return;
  t += "  static analysis saw this coming:\n";
  for (const facts::Diagnostic* d : f.predicted) {
    t += "    ";
    t.add(fmt::format("{}[{}]", facts::severity_name(d->severity), facts::code_name(d->code)),
          severity_role(d->severity));
    if (d->node) t += fmt::format(" at {}", util::printable(node_label(d->node)));
    t += fmt::format(": {}\n", util::printable(d->message));
    if (!d->hint.empty()) {
      t += "      ";
      t.add(fmt::format("hint: {}", util::printable(d->hint)), Role::Muted);
      t += "\n";
    }
  }
}

void write_expected(StyledText& t, const ExpectedReport& e) {
  t += "\n";
  t.add("Expected", Role::Heading);
  t += fmt::format(" ({})\n", util::printable(e.source));
  size_t w = 4, failed = 0;
  for (const auto& row : e.rows) w = std::max(w, util::printable(row.output).size());
  for (const auto& row : e.rows) {
    const exec::Difference& d = row.difference;
    t += "  ";
    if (d.pass) t.add("PASS", Role::Ok);
    else t.add("FAIL", Role::Error), ++failed;
    t += fmt::format("  {:<{}}  ", util::printable(row.output), w);
    t += d.describe();
    if (d.reason.empty() && d.values_compared) {
      t.add(fmt::format("  ({})", d.tolerance.text()), Role::Muted);
    }
    t += "\n";
  }
  for (const auto& n : e.notes) {
    t += "  ";
    t.add(fmt::format("note: {}", util::printable(n)), Role::Muted);
    t += "\n";
  }
  if (failed) t.add(fmt::format("  {} of {} outputs differ from the expected values\n", failed, e.rows.size()), Role::Error);
  else t.add(fmt::format("  {} of {} output{} match{}\n", e.rows.size(), e.rows.size(), e.rows.size() == 1 ? "" : "s",
                          e.rows.size() == 1 ? "es" : ""), Role::Ok);
}

void write_saved(StyledText& t, const SaveReport& s) {
  t += "\n";
  t.add("Saved", Role::Heading);
  t += fmt::format(" {} .npy file{}\n", s.files.size(), s.files.size() == 1 ? "" : "s");
  constexpr size_t kListed = 12;
  for (size_t i = 0; i < s.files.size() && i < kListed; ++i) {
    t += fmt::format("  {}  ", util::printable(s.files[i].value));
    t.add(util::printable(s.files[i].file), Role::Muted);
    t += "\n";
  }
  if (s.files.size() > kListed) t.add(fmt::format("  ... and {} more\n", s.files.size() - kListed), Role::Muted);
  for (const auto& n : s.notes) {
    t += "  ";
    t.add(fmt::format("note: {}", util::printable(n)), Role::Warning);
    t += "\n";
  }
}

}  // namespace

std::string_view run_stop_name(exec::Stop s) {
  static const std::string words[] = {stop_word(exec::Stop::Ran), stop_word(exec::Stop::Done),
                                      stop_word(exec::Stop::Failed), stop_word(exec::Stop::NonFinite),
                                      stop_word(exec::Stop::Breakpoint),
                                      stop_word(exec::Stop::Interrupted)};
  return words[static_cast<size_t>(s)];
}

StyledText write_text(const RunReport& r, NodeListing nodes) {
  StyledText t;
  const exec::TrialRun& run = *r.run;
  const ir::Graph& g = run.graph();
  size_t ran = 0;
  for (size_t k = 0; k < g.nodes.size(); ++k) ran += run.stats(static_cast<ir::NodeId>(k)).ran;
  t.add("Trial run", Role::Heading);
  t += fmt::format(" (onnxscope's reference kernels): {} of {} nodes in {}", ran, g.nodes.size(), ms(run.seconds()));
  // Initializers read on first use (copied when the file stores them
  // unaligned): said apart when it is worth a word, since onnxruntime does
  // it when it creates a session, not in a run.
  if (double init = run.initializer_seconds(); init >= 1e-3) t += fmt::format(" (and {} reading initializers)", ms(init));
  t += ", ";
  if (r.stop == exec::Stop::Failed) t.add("failed", Role::Error);
  else if (r.stop == exec::Stop::Done) t.add("done", Role::Ok);
  else t.add(run_stop_name(r.stop), Role::Warning);
  t += "\n";

  if (!r.feeds.empty()) {
    t += "\n";
    t.add("Feeds", Role::Heading);
    t += "\n";
    size_t w = 4;
    for (const auto& f : r.feeds) w = std::max(w, util::printable(f.input).size());
    for (const auto& f : r.feeds) {
      t += fmt::format("  {:<{}}  ", util::printable(f.input), w);
      if (f.tensor) {
        t.add(dtype_name(f.tensor->dtype()), Role::Code);
        t += fmt::format(" {}  ", shape_text(*f.tensor));
      }
      t.add(util::printable(f.source), Role::Muted);
      t += "\n";
    }
  }

  if (nodes == NodeListing::Nodes) {
    t += "\n";
    t.add("Nodes", Role::Heading);
    t += "\n";
    for (size_t k = 0; k < g.nodes.size(); ++k) {
      const exec::NodeStats& s = run.stats(static_cast<ir::NodeId>(k));
      if (!s.ran) continue;
      const ir::Node& n = g.nodes[k];
      std::string shapes;
      for (const auto& [dt, shape] : s.outputs) {
        if (!shapes.empty()) shapes += " ";
        shapes += dt == DType::Undefined ? "-" : fmt::format("{}[{}]", dtype_name(dt), fmt::join(shape, ","));
      }
      t += fmt::format("  {:>5}  {:<32} {:<16} ", k, util::printable(facts::node_desc(n)).substr(0, 32),
                       util::printable(n.op_type).substr(0, 16));
      t.add(shapes, Role::Code);
      t += fmt::format("  {}  {}", ms(s.seconds), util::human_bytes(s.bytes));
      if (s.non_finite) t.add("  non-finite", Role::Warning);
      t += "\n";
    }
  }

  t += "\n";
  t.add("Outputs", Role::Heading);
  t += "\n";
  for (const auto& o : r.outputs) {
    t += fmt::format("  {}  ", util::printable(o.name));
    if (!o.tensor) {
      t.add("not computed", Role::Muted);
      t += "\n";
      continue;
    }
    t.add(fmt::format("{}{}", dtype_name(o.tensor->dtype()), shape_text(*o.tensor)), Role::Code);
    const value::Summary& s = o.summary;
    if (o.tensor->dtype() != DType::String && s.count) {
      t += fmt::format("  min {}  max {}  mean {}", number(s.min), number(s.max), number(s.mean));
      if (s.nan || s.inf) t.add(fmt::format("  {} NaN, {} infinite", s.nan, s.inf), Role::Warning);
    }
    t += "\n";
  }

  if (r.failure) write_failure(t, *r.failure);
  if (r.expected) write_expected(t, *r.expected);
  if (r.saved) write_saved(t, *r.saved);

  std::vector<analysis::Diagnostic> diags = run.findings();
  if (run.failure()) diags.insert(diags.begin(), *run.failure());
  t += write_diagnostics_text(diags);
  return t;
}

}  // namespace onnxscope::session
