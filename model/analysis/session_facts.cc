#include "model/analysis/session_facts.h"

#include <fmt/format.h>

#include <array>

namespace onnxscope::analysis {

using facts::Code;
using facts::Phase;
using facts::Severity;

std::string runtime_words(std::string_view message) {
  // onnxruntime's messages put the sentence after a status code, an
  // ORT_ENFORCE condition or the function that threw; the last of these
  // markers is where it starts.
  static constexpr std::array<std::string_view, 4> kMarkers = {"INVALID_GRAPH : ", "was false. ", "operator() ",
                                                               " failed:"};
  for (std::string_view marker : kMarkers) {
    size_t at = message.rfind(marker);
    if (at != std::string_view::npos) message = message.substr(at + marker.size());
  }
  while (!message.empty() && message.front() == ' ') message.remove_prefix(1);
  return std::string(message);
}

namespace {

// "SIGFPE" of "child killed by signal SIGFPE; stderr: ...".
std::string signal_of(std::string_view message) {
  size_t at = message.find("signal ");
  if (at == std::string_view::npos) return "it dies";
  std::string_view s = message.substr(at + 7);
  size_t end = s.find_first_of("; ");
  return std::string(s.substr(0, end));
}

// The probe's own names in the runtime's words replaced by the model's.
std::string reworded(std::string words, const facts::Diagnostic& d) {
  if (d.session_subject.empty()) return words;
  size_t at = words.find("Cycle detected: ");
  if (at != std::string::npos) return words.substr(0, at + 16) + d.session_subject;
  // "Fatal error: F is not a registered function/op": the probe's function
  // is F; in the model, the first function of the cycle.
  std::string_view first = d.session_subject;
  first = first.substr(0, first.find(" -> "));
  first = first.substr(first.find(':') + 1);
  if (words.rfind("Fatal error: F ", 0) == 0) return "Fatal error: " + std::string(first) + words.substr(14);
  return words;
}

}  // namespace

facts::Diagnostic for_release(const facts::Diagnostic& d, const ops::SupportTable& t,
                              const ops::SupportTables& all) {
  facts::Diagnostic out = d;
  out.release = ops::target_minor(t.target());
  const ops::SessionFact* fact = t.session_fact(d.session_fact);
  if (!fact) {
    out.message += fmt::format("; what this release does with it is not measured (its support table has no "
                               "session line {}: bench/ort/measure.sh records it)",
                               d.session_fact);
    return out;
  }
  // The releases around this one that did the same.
  std::string range = ops::target_minor(t.target());
  if (auto self = all.find(t.target())) {
    auto same = [&](size_t i) {
      const ops::SessionFact* f = all.at(i).session_fact(d.session_fact);
      return f && f->outcome == fact->outcome;
    };
    size_t lo = *self, hi = *self;
    while (lo > 0 && same(lo - 1)) --lo;
    while (hi + 1 < all.size() && same(hi + 1)) ++hi;
    if (lo != hi) range = fmt::format("{} to {}", ops::target_minor(all.target(lo)), ops::target_minor(all.target(hi)));
  }
  bool several = range.find(" to ") != std::string::npos;
  switch (fact->outcome) {
    case ops::Outcome::Ok:
      out.phase = Phase::Run;
      if (d.code == Code::DivByConstantZero) {
        out.message += fmt::format(": onnxruntime {} create{} the session, and the first run divides by zero: the "
                                   "process dies (SIGFPE)",
                                   range, several ? "" : "s");
      } else {
        out.message += fmt::format(": onnxruntime {} create{} the session", range, several ? "" : "s");
        out.severity = Severity::Warning;
      }
      break;
    case ops::Outcome::Crash:
      out.phase = Phase::Load;
      out.message += fmt::format(": onnxruntime {} crash{} while the session is created (the process dies: {})", range,
                                 several ? "" : "es", signal_of(fact->message));
      break;
    default:
      out.phase = Phase::Load;
      out.message += fmt::format(": onnxruntime {} refuse{} the model when the session is created: \"{}\"", range,
                                 several ? "" : "s", reworded(runtime_words(fact->message), d));
      break;
  }
  return out;
}

}  // namespace onnxscope::analysis
