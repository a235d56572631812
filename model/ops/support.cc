#include "model/ops/support.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>

#include <fmt/format.h>

#include "model/ops/fusions.h"
#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

constexpr std::pair<Outcome, std::string_view> kOutcomes[] = {
    {Outcome::Ok, "ok"},
    {Outcome::NoKernel, "no-kernel"},
    {Outcome::TypeError, "type-error"},
    {Outcome::NotRegistered, "not-registered"},
    {Outcome::OpsetUnsupported, "opset-unsupported"},
    {Outcome::IrUnsupported, "ir-unsupported"},
    {Outcome::Invalid, "invalid"},
    {Outcome::Crash, "crash"},
};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    size_t next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}


// One line's message: newlines folded, kept short.
// One line; the heap addresses onnxruntime puts in the names of values it
// creates (_0x12ee74f0_Temp1) become _0x_, so that a table does not change
// from one measurement to the next.
std::string clean_message(std::string_view m) {
  // "Load model from probes/.../x.onnx failed:" is the binding's wrapper,
  // with the probe's path: the runtime's words follow it.
  if (m.rfind("Load model from ", 0) == 0) {
    if (auto failed = m.find(" failed:"); failed != std::string_view::npos) m.remove_prefix(failed + 8);
  }
  std::string out;
  for (size_t i = 0; i < m.size(); ++i) {
    char c = m[i];
    if (c == '0' && i + 2 < m.size() && m[i + 1] == 'x' && (i == 0 || m[i - 1] == '_') &&
        std::isxdigit(static_cast<unsigned char>(m[i + 2]))) {
      size_t j = i + 2;
      while (j < m.size() && std::isxdigit(static_cast<unsigned char>(m[j]))) ++j;
      if (j < m.size() && m[j] == '_') {
        out += "0x";
        i = j - 1;
        continue;
      }
    }
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  if (out.size() > 400) out = out.substr(0, 397) + "...";
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_assignment(std::string_view a) {
  std::vector<std::pair<std::string, std::string>> out;
  if (a.empty() || a == "-") return out;
  // Types may hold commas (map(int64,float32)): split at commas outside parentheses.
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= a.size(); ++i) {
    if (i < a.size() && a[i] == '(') ++depth;
    if (i < a.size() && a[i] == ')') --depth;
    if (i == a.size() || (a[i] == ',' && depth == 0)) {
      std::string_view part = a.substr(start, i - start);
      auto eq = part.find('=');
      if (eq != std::string_view::npos) out.emplace_back(part.substr(0, eq), part.substr(eq + 1));
      start = i + 1;
    }
  }
  return out;
}

std::string_view outcome_name(Outcome o) {
  for (auto [v, n] : kOutcomes) if (v == o) return n;
  return "invalid";
}

std::optional<Outcome> parse_outcome(std::string_view s) {
  for (auto [v, n] : kOutcomes) if (n == s) return v;
  return std::nullopt;
}

std::string target_minor(std::string_view target) { return std::string(target.substr(target.find('@') + 1)); }

std::string SupportTable::target() const {
  auto parts = split(release, '.');
  return fmt::format("ort-cpu@{}.{}", parts[0], parts.size() > 1 ? parts[1] : "0");
}

int SupportTable::order() const {
  auto parts = split(release, '.');
  int major = std::atoi(std::string(parts[0]).c_str());
  int minor = parts.size() > 1 ? std::atoi(std::string(parts[1]).c_str()) : 0;
  return major * 1000 + minor;
}

namespace {

// An operator version, as views of the table's text.
struct OpKey {
  std::string_view domain, op;
  int version = 0;
  bool operator==(const OpKey& o) const { return version == o.version && op == o.op && domain == o.domain; }
};
struct OpKeyHash {
  size_t operator()(const OpKey& k) const {
    size_t h = std::hash<std::string_view>{}(k.op);
    h ^= std::hash<std::string_view>{}(k.domain) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h ^ (static_cast<size_t>(k.version) * 0x9e3779b97f4a7c15ULL);
  }
};
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

OpKey op_key(std::string_view domain, std::string_view op, int version) {
  return {domain.empty() ? std::string_view("ai.onnx") : domain, op, version};
}

}  // namespace

struct SupportTable::State {
  std::string text;    // what the keys and messages view
  std::string source;  // the file, for errors found on first use
  // Types are interned: a line lists, per constraint, the ids of its types
  // (a run of `ids`), and its message is a view of the text.
  struct Line {
    Outcome outcome;
    uint32_t first = 0;  // into OpVersion::ids: the line's runs, one per constraint
    std::string_view message;
  };
  struct Span {  // consecutive lines of one operator version
    size_t begin = 0, end = 0;  // offsets into text
    size_t line = 0;            // the number of the first
  };
  struct OpVersion {
    std::vector<Span> spans;
    bool read = false;
    std::vector<std::string> constraints;
    std::vector<Line> lines;
    std::vector<uint16_t> ids;  // per line and constraint: count, then that many type ids
  };
  std::unordered_map<OpKey, OpVersion, OpKeyHash> ops;
  std::vector<const OpKey*> order;  // in the order of the file
  size_t lines = 0;                 // op lines
  std::vector<std::string> type_names;
  std::unordered_map<std::string, uint16_t, StringHash, std::equal_to<>> type_ids;
  std::mutex mutex;  // guards reading operator versions and the types they add

  // The operator version with its lines read; nullptr if the table has none.
  OpVersion* get(std::string_view domain, std::string_view op, int version) {
    auto it = ops.find(op_key(domain, op, version));
    if (it == ops.end()) return nullptr;
    if (!it->second.read) read(it->second);
    return &it->second;
  }

  std::optional<uint16_t> type_id(std::string_view type) const {
    auto it = type_ids.find(type);
    if (it == type_ids.end()) return std::nullopt;
    return it->second;
  }

  void read(OpVersion& ov) {
    try {
      for (const Span& span : ov.spans) read_span(ov, span);
      ov.read = true;
    } catch (const Error& err) {
      ov.constraints.clear();
      ov.lines.clear();
      ov.ids.clear();
      if (source.empty()) throw;
      throw err.with_context(source);
    }
  }

  void read_span(OpVersion& ov, const Span& span) {
    std::string_view all(text);
    size_t line_no = span.line;
    for (size_t pos = span.begin; pos < span.end; ++line_no) {
      size_t nl = all.find('\n', pos);
      if (nl == std::string_view::npos || nl > span.end) nl = span.end;
      std::string_view line = all.substr(pos, nl - pos);
      pos = nl + 1;
      if (line.empty() || line[0] == '#') continue;
      read_line(ov, line, line_no);
    }
  }

  // "op DOMAIN OP VERSION OUTCOME C1=T1|T2 ... [: MESSAGE]"; the words up
  // to the version were read by index().
  void read_line(OpVersion& ov, std::string_view line, size_t line_no) {
    auto bad = [&](const std::string& why) { fail("support-table", "line {}: {}", line_no, why); };
    std::string_view message;
    if (auto colon = line.find(" : "); colon != std::string_view::npos) {
      message = line.substr(colon + 3);
      line = line.substr(0, colon);
    }
    auto w = split(line, ' ');
    auto outcome = parse_outcome(w[4]);
    if (!outcome) bad(fmt::format("unknown outcome {}", util::quote(w[4])));
    Line l;
    l.outcome = *outcome;
    l.message = message;
    l.first = static_cast<uint32_t>(ov.ids.size());
    size_t n_constraints = w.size() - 5;
    if (!ov.lines.empty() && ov.constraints.size() != n_constraints) {
      bad("the constraints differ from the operator version's earlier lines");
    }
    for (size_t i = 5; i < w.size(); ++i) {
      auto eq = w[i].find('=');
      if (eq == std::string_view::npos) bad(fmt::format("expected CONSTRAINT=TYPES, got {}", util::quote(w[i])));
      std::string_view name = w[i].substr(0, eq);
      if (ov.lines.empty()) ov.constraints.emplace_back(name);
      else if (ov.constraints[i - 5] != name) bad("the constraints differ from the operator version's earlier lines");
      size_t count_at = ov.ids.size();
      ov.ids.push_back(0);
      for (auto x : split(w[i].substr(eq + 1), '|')) {
        auto id = type_ids.find(x);
        if (id == type_ids.end()) {
          if (type_names.size() >= 0xffff) bad("too many types");
          id = type_ids.emplace(std::string(x), static_cast<uint16_t>(type_names.size())).first;
          type_names.emplace_back(x);
        }
        ov.ids.push_back(id->second);
        ++ov.ids[count_at];
      }
    }
    ov.lines.push_back(l);
  }
};

const std::vector<std::string>* SupportTable::constraints(std::string_view domain, std::string_view op,
                                                          int version) const {
  if (!state_) return nullptr;
  std::lock_guard lock(state_->mutex);
  const State::OpVersion* ov = state_->get(domain, op, version);
  return ov ? &ov->constraints : nullptr;
}

size_t SupportTable::size() const { return state_ ? state_->lines : 0; }

std::optional<SupportVerdict> SupportTable::find(std::string_view domain, std::string_view op, int version,
                                                 const std::map<std::string, std::string, std::less<>>& assignment) const {
  if (!state_) return std::nullopt;
  std::lock_guard lock(state_->mutex);
  const State::OpVersion* found_ov = state_->get(domain, op, version);
  if (!found_ov) return std::nullopt;
  const State::OpVersion& ov = *found_ov;
  // Per constraint: the wanted type's id; -1 for a type no line lists; -2
  // for a constraint the assignment leaves out, which matches any type (the
  // answer then holds only if every matching line agrees).
  std::vector<int> want(ov.constraints.size());
  for (size_t c = 0; c < ov.constraints.size(); ++c) {
    auto a = assignment.find(ov.constraints[c]);
    if (a == assignment.end()) want[c] = -2;
    else if (auto id = state_->type_id(a->second)) want[c] = *id;
    else return std::nullopt;
  }
  bool wildcard = std::find(want.begin(), want.end(), -2) != want.end();
  std::optional<SupportVerdict> found;
  for (const State::Line& l : ov.lines) {
    bool match = true;
    uint32_t at = l.first;
    for (size_t c = 0; c < ov.constraints.size(); ++c) {
      uint16_t n = ov.ids[at];
      const uint16_t* first = ov.ids.data() + at + 1;
      at += 1 + n;
      if (!match || want[c] == -2) continue;
      match = std::find(first, first + n, static_cast<uint16_t>(want[c])) != first + n;
    }
    if (!match) continue;
    if (!wildcard) return SupportVerdict{l.outcome, l.message};
    if (found && found->outcome != l.outcome) return std::nullopt;
    if (!found) found = SupportVerdict{l.outcome, l.message};
  }
  return found;
}

std::vector<std::tuple<std::string, std::string, int>> SupportTable::op_versions() const {
  std::vector<std::tuple<std::string, std::string, int>> out;
  if (!state_) return out;
  for (const OpKey* k : state_->order) out.emplace_back(std::string(k->domain), std::string(k->op), k->version);
  std::sort(out.begin(), out.end());
  return out;
}

void SupportTable::read_all() const {
  if (!state_) return;
  std::lock_guard lock(state_->mutex);
  for (const OpKey* k : state_->order) {
    State::OpVersion& ov = state_->ops.find(*k)->second;
    if (!ov.read) state_->read(ov);
  }
}

SupportTable SupportTable::parse(std::string_view text) {
  SupportTable t = index(std::string(text));
  t.read_all();
  return t;
}

SupportTable SupportTable::index(std::string input, std::string source) {
  SupportTable t;
  t.state_ = std::make_shared<State>();
  State& st = *t.state_;
  st.text = std::move(input);
  st.source = std::move(source);
  std::string_view text = st.text;
  size_t line_no = 0;
  auto bad = [&](const std::string& why) { fail("support-table", "line {}: {}", line_no, why); };
  State::OpVersion* current = nullptr;
  OpKey current_key;
  // The next word of `s` from `at`, which moves past it and one space.
  auto word = [](std::string_view s, size_t& at) {
    size_t sp = s.find(' ', at);
    std::string_view w = s.substr(at, sp == std::string_view::npos ? std::string_view::npos : sp - at);
    at = sp == std::string_view::npos ? s.size() + 1 : sp + 1;
    return w;
  };
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    size_t begin = pos;
    pos = nl + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    if (line.starts_with("op ")) {
      // Only the operator version is read now, from the line's first words
      // (not looking for its " : " further on); the outcome and types on
      // first use.
      size_t at = 3;
      std::string_view domain = word(line, at), op = word(line, at), version_word = word(line, at);
      if (at > line.size() || version_word == ":") bad(fmt::format("unknown line {}", util::quote(line.substr(0, 60))));
      int version = std::atoi(std::string(version_word).c_str());
      if (version <= 0) bad("bad version");
      OpKey key = op_key(domain, op, version);
      if (!current || !(key == current_key)) {
        auto [it, fresh] = st.ops.try_emplace(key);
        if (fresh) st.order.push_back(&it->first);
        current = &it->second;
        current_key = key;
        current->spans.push_back({begin, begin, line_no});
      }
      current->spans.back().end = nl;
      ++st.lines;
      continue;
    }
    current = nullptr;
    std::string_view head = line.substr(0, line.find(" : "));
    auto w = split(head, ' ');
    if (w[0] == "release" && w.size() == 2) {
      t.release = std::string(w[1]);
    } else if (w[0] == "ir" && w.size() == 2) {
      t.max_ir = std::atoll(std::string(w[1]).c_str());
    } else if (w[0] == "opset" && w.size() == 3) {
      t.max_opset[std::string(w[1])] = std::atoll(std::string(w[2]).c_str());
    } else if (w[0] == "session" && w.size() == 3) {
      auto o = parse_outcome(w[2]);
      if (!o) bad(fmt::format("unknown outcome {}", util::quote(w[2])));
      size_t colon = line.find(" : ");
      t.session[std::string(w[1])] = {*o, colon == std::string_view::npos ? std::string() : std::string(line.substr(colon + 3))};
    } else {
      bad(fmt::format("unknown line {}", util::quote(line.substr(0, 60))));
    }
  }
  if (t.release.empty()) fail("support-table", "no 'release' line");
  return t;
}

std::string SupportTable::format(std::string_view release, const std::vector<ProbeResult>& results) {
  std::string out = fmt::format(
      "# onnxscope support table: onnxruntime-node {} (CPU execution provider).\n"
      "# Measured by loading onnxscope's probe models in that release; regenerate with bench/ort/measure.sh.\n"
      "# Format: model/ops/support.h. An op line covers every combination of its types.\n",
      release);
  out += fmt::format("release {}\n", release);
  // Limits: the highest version whose probe loads.
  int64_t max_ir = 0;
  std::map<std::string, int64_t> max_opset;
  for (const auto& r : results) {
    if (r.outcome != Outcome::Ok) continue;
    if (r.kind == "ir") max_ir = std::max<int64_t>(max_ir, r.version);
    if (r.kind == "opset") max_opset[r.domain] = std::max<int64_t>(max_opset[r.domain], r.version);
  }
  out += fmt::format("ir {}\n", max_ir);
  // A domain whose kUnboundedOpset probe loads has no limit in the release.
  for (const auto& [d, v] : max_opset) {
    if (v < kUnboundedOpset) out += fmt::format("opset {} {}\n", d, v);
  }
  for (const auto& r : results) {
    if (r.kind != "session") continue;
    out += fmt::format("session {} {}", r.op, outcome_name(r.outcome));
    std::string message = r.outcome == Outcome::Ok ? std::string() : clean_message(r.message);
    while (!message.empty() && message.back() == ' ') message.pop_back();
    if (!message.empty()) out += " : " + message;
    out += "\n";
  }
  // Op lines: per operator version, group assignments that differ only in
  // the last constraint and share an outcome.
  std::map<std::string, std::vector<const ProbeResult*>> by_op;
  std::vector<std::string> order;
  for (const auto& r : results) {
    if (r.kind != "op") continue;
    std::string k = fmt::format("{} {} {}", r.domain, r.op, r.version);
    if (!by_op.count(k)) order.push_back(k);
    by_op[k].push_back(&r);
  }
  std::sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
    const ProbeResult* x = by_op[a][0];
    const ProbeResult* y = by_op[b][0];
    return std::tie(x->domain, x->op, x->version) < std::tie(y->domain, y->op, y->version);
  });
  for (const auto& k : order) {
    struct Group {
      Outcome outcome;
      std::string prefix;  // "T1=float32 " (all but the last constraint)
      std::string last_name;
      std::vector<std::string> last_types;
      std::string message;
    };
    std::vector<Group> groups;
    for (const ProbeResult* r : by_op[k]) {
      auto a = parse_assignment(r->assignment);
      std::string prefix, last_name, last_type;
      for (size_t i = 0; i < a.size(); ++i) {
        if (i + 1 < a.size()) prefix += a[i].first + "=" + a[i].second + " ";
        else {
          last_name = a[i].first;
          last_type = a[i].second;
        }
      }
      auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) {
        return x.outcome == r->outcome && x.prefix == prefix && x.last_name == last_name;
      });
      if (g == groups.end()) {
        groups.push_back({r->outcome, prefix, last_name, {}, clean_message(r->message)});
        g = groups.end() - 1;
      }
      if (!last_type.empty()) g->last_types.push_back(last_type);
    }
    const ProbeResult* first = by_op[k][0];
    for (const Group& g : groups) {
      std::string line = fmt::format("op {} {} {} {}", first->domain, first->op, first->version, outcome_name(g.outcome));
      if (!g.prefix.empty()) line += " " + g.prefix.substr(0, g.prefix.size() - 1);
      if (!g.last_name.empty()) {
        line += " " + g.last_name + "=";
        for (size_t i = 0; i < g.last_types.size(); ++i) line += (i ? "|" : "") + g.last_types[i];
      }
      // An IR version or opset beyond the release's limits is said once, by
      // the limit lines; the rest carry the runtime's message.
      bool beyond = g.outcome == Outcome::IrUnsupported || g.outcome == Outcome::OpsetUnsupported;
      if (g.outcome != Outcome::Ok && !beyond && !g.message.empty()) line += " : " + g.message;
      out += line + "\n";
    }
  }
  return out;
}

struct SupportTables::Fusions {
  std::once_flag once;
  FusionTable table;
};

namespace {

// A table file, read whole in one call (a character at a time through
// istreambuf_iterator was most of the time of reading fusions.txt).
std::string read_table_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("support-table", "{}: cannot be read", util::printable(path.string()));
  std::string text;
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (!ec) {
    text.resize(size);
    in.read(text.data(), static_cast<std::streamsize>(size));
    text.resize(static_cast<size_t>(in.gcount()));
  }
  if (ec || in.bad()) fail("support-table", "{}: cannot be read", util::printable(path.string()));
  return text;
}

}  // namespace

const FusionTable& SupportTables::fusions() const {
  static const FusionTable kNone;
  if (!fusions_) return kNone;
  std::call_once(fusions_->once, [&] {
    const std::filesystem::path file = dir_ / "fusions.txt";
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return;
    fusions_->table = FusionTable::parse(read_table_file(file), file.filename().string());
  });
  return fusions_->table;
}

std::string SupportTable::update_limits(std::string_view table, std::string_view release,
                                       const std::vector<ProbeResult>& results) {
  std::vector<ProbeResult> limits;
  for (const auto& r : results) {
    if (r.kind != "op") limits.push_back(r);
  }
  // The operator lines kept must be the same release's.
  std::string old_release = index(std::string(table)).release;
  if (old_release != release) {
    fail("support-table", "the table to update is for release {}, the results for {}", old_release, release);
  }
  std::string out = format(release, limits);
  // The old table's op lines, in their order.
  for (size_t pos = 0; pos < table.size();) {
    size_t nl = table.find('\n', pos);
    if (nl == std::string_view::npos) nl = table.size();
    std::string_view line = table.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.substr(0, 3) == "op ") out.append(line).append(1, '\n');
  }
  return out;
}

SupportTables SupportTables::open(const std::filesystem::path& dir) {
  SupportTables out;
  out.dir_ = dir;
  out.fusions_ = std::make_shared<Fusions>();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    // ort-cpu-MAJOR.MINOR.txt
    std::string name = e.path().filename().string();
    if (name.rfind("ort-cpu-", 0) != 0 || e.path().extension() != ".txt") continue;
    std::string version = name.substr(8, name.size() - 8 - 4);
    auto parts = split(version, '.');
    if (parts.size() != 2 || parts[0].empty() || parts[1].empty() ||
        !std::all_of(version.begin(), version.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; })) {
      continue;
    }
    File f;
    f.path = e.path();
    f.target = "ort-cpu@" + version;
    f.order = std::atoi(std::string(parts[0]).c_str()) * 1000 + std::atoi(std::string(parts[1]).c_str());
    out.files_.push_back(std::move(f));
  }
  std::sort(out.files_.begin(), out.files_.end(), [](const File& a, const File& b) { return a.order < b.order; });
  return out;
}

const SupportTable& SupportTables::at(size_t i) const {
  const File& f = files_.at(i);
  if (!f.table) {
    std::string text = read_table_file(f.path);
    std::string source = util::printable(f.path.string());
    try {
      // Indexed, not read: a check reads the lines of the operators it meets.
      auto t = std::make_shared<SupportTable>(SupportTable::index(std::move(text), source));
      if (t->target() != f.target) {
        fail("support-table", "the table is for release {} ({}), not {}", t->release, t->target(), f.target);
      }
      f.table = std::move(t);
    } catch (const Error& err) {
      throw err.with_context(source);
    }
  }
  return *f.table;
}

std::optional<size_t> SupportTables::find(std::string_view target) const {
  for (size_t i = 0; i < files_.size(); ++i) {
    if (files_[i].target == target) return i;
  }
  return std::nullopt;
}

std::vector<SupportTable> load_support_tables(const std::filesystem::path& dir) {
  auto tables = SupportTables::open(dir);
  std::vector<SupportTable> out;
  for (size_t i = 0; i < tables.size(); ++i) out.push_back(tables.at(i));
  return out;
}

}  // namespace onnxscope::ops
