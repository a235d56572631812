#include "model/ops/kernels/regex.h"

#include <fmt/format.h>

#include "model/ops/kernel.h"

namespace onnxscope::ops::kernels {
namespace {

using Set = std::bitset<256>;

bool is_word(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

Set set_of(bool (*pred)(unsigned char)) {
  Set s;
  for (int c = 0; c < 256; ++c) s[size_t(c)] = pred(static_cast<unsigned char>(c));
  return s;
}

// RE2's Perl classes (\d \w \s: ASCII; \s is [\t\n\f\r ]) and its POSIX ones.
Set perl_class(char c) {
  switch (c) {
    case 'd': case 'D': return set_of([](unsigned char b) { return b >= '0' && b <= '9'; });
    case 'w': case 'W': return set_of(is_word);
    default: return set_of([](unsigned char b) { return b == '\t' || b == '\n' || b == '\f' || b == '\r' || b == ' '; });
  }
}

bool posix_class(std::string_view name, Set& out) {
  struct Entry {
    std::string_view name;
    bool (*pred)(unsigned char);
  };
  static constexpr Entry table[] = {
      {"alnum", [](unsigned char b) { return is_word(b) && b != '_'; }},
      {"alpha", [](unsigned char b) { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'); }},
      {"ascii", [](unsigned char b) { return b < 0x80; }},
      {"blank", [](unsigned char b) { return b == ' ' || b == '\t'; }},
      {"cntrl", [](unsigned char b) { return b < 0x20 || b == 0x7f; }},
      {"digit", [](unsigned char b) { return b >= '0' && b <= '9'; }},
      {"graph", [](unsigned char b) { return b > 0x20 && b < 0x7f; }},
      {"lower", [](unsigned char b) { return b >= 'a' && b <= 'z'; }},
      {"print", [](unsigned char b) { return b >= 0x20 && b < 0x7f; }},
      {"punct", [](unsigned char b) { return b > 0x20 && b < 0x7f && (!is_word(b) || b == '_'); }},  // graph, not alnum
      {"space", [](unsigned char b) { return (b >= '\t' && b <= '\r') || b == ' '; }},
      {"upper", [](unsigned char b) { return b >= 'A' && b <= 'Z'; }},
      {"word", is_word},
      {"xdigit", [](unsigned char b) { return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F'); }},
  };
  for (const Entry& e : table) {
    if (e.name == name) {
      out = set_of(e.pred);
      return true;
    }
  }
  return false;
}

Set folded(Set s) {
  for (int c = 'a'; c <= 'z'; ++c) {
    const bool any = s[size_t(c)] || s[size_t(c - 'a' + 'A')];
    s[size_t(c)] = s[size_t(c - 'a' + 'A')] = any;
  }
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct Node {
  enum class Kind : uint8_t { Bytes, Assert, Concat, Alt, Repeat };
  Kind kind;
  uint32_t set = 0;
  Regex::Assertion assertion = Regex::Assertion::BeginText;
  int min = 0, max = 0;  // Repeat: max -1 is unbounded
  std::vector<Node> kids;
};

[[noreturn]] void invalid(const std::string& what) { throw Regex::Error(what, false); }
[[noreturn]] void unsupported(const std::string& what) { throw Regex::Error(what, true); }

}  // namespace

// Recursive descent over the pattern into a tree, then the tree into a
// program of Thompson's construction. Recursion follows the nesting of
// groups only (at most kMaxNesting deep), never the pattern's length.
class RegexCompiler {
 public:
  RegexCompiler(Regex& re, std::string_view p, bool icase) : re_(re), p_(p), icase_(icase) {}

  void compile() {
    Node root = alternation(0);
    if (at_ < p_.size()) invalid("unexpected )");  // alternation stops only at ')' or the end
    emit(root);
    push({Regex::Op::Match});
  }

 private:
  Regex& re_;
  std::string_view p_;
  bool icase_;
  size_t at_ = 0;
  size_t leaves_ = 0;

  bool more() const { return at_ < p_.size(); }
  char peek() const { return p_[at_]; }

  Node leaf(Set s) {
    if (++leaves_ > Regex::kMaxProgram) invalid("pattern too large");
    re_.sets_.push_back(icase_ ? folded(s) : s);
    Node n{Node::Kind::Bytes};
    n.set = static_cast<uint32_t>(re_.sets_.size() - 1);
    return n;
  }
  Node byte(unsigned char b) {
    Set s;
    s[b] = true;
    return leaf(s);
  }
  Node assertion(Regex::Assertion a) {
    if (++leaves_ > Regex::kMaxProgram) invalid("pattern too large");
    Node n{Node::Kind::Assert};
    n.assertion = a;
    return n;
  }

  Node alternation(int depth) {
    Node alt{Node::Kind::Alt};
    alt.kids.push_back(concatenation(depth));
    while (more() && peek() == '|') {
      ++at_;
      alt.kids.push_back(concatenation(depth));
    }
    return alt.kids.size() == 1 ? std::move(alt.kids[0]) : std::move(alt);
  }

  Node concatenation(int depth) {
    Node cat{Node::Kind::Concat};
    while (more() && peek() != '|' && peek() != ')') {
      if (repetition_at(at_)) invalid(fmt::format("missing argument to repetition operator: {}", peek()));
      Node atom = this->atom(depth);
      bool repeated = false;
      while (more()) {
        int min = 0, max = 0;
        size_t end = 0;
        if (!repetition_at(at_, &min, &max, &end)) break;
        if (repeated) invalid(fmt::format("bad repetition operator: {}", p_.substr(at_, end - at_)));
        at_ = end;
        if (more() && peek() == '?') ++at_;  // lazy: the same strings match
        Node r{Node::Kind::Repeat};
        r.min = min, r.max = max;
        r.kids.push_back(std::move(atom));
        atom = std::move(r);
        repeated = true;
      }
      cat.kids.push_back(std::move(atom));
    }
    return cat;
  }

  // Whether a repetition operator starts at i: * + ? or {n}, {n,}, {n,m}
  // (another '{' is a literal, as in RE2).
  bool repetition_at(size_t i, int* min = nullptr, int* max = nullptr, size_t* end = nullptr) const {
    if (i >= p_.size()) return false;
    int lo = 0, hi = -1;
    size_t e = i + 1;
    const char c = p_[i];
    if (c == '*') lo = 0, hi = -1;
    else if (c == '+') lo = 1, hi = -1;
    else if (c == '?') lo = 0, hi = 1;
    else if (c == '{') {
      auto number = [&](size_t& j, int& v) {
        size_t start = j;
        long long n = 0;
        while (j < p_.size() && p_[j] >= '0' && p_[j] <= '9') {
          n = std::min<long long>(n * 10 + (p_[j] - '0'), 1LL << 40);
          ++j;
        }
        v = n > Regex::kMaxRepeat ? Regex::kMaxRepeat + 1 : static_cast<int>(n);
        return j > start;
      };
      size_t j = i + 1;
      if (!number(j, lo)) return false;
      if (j < p_.size() && p_[j] == ',') {
        ++j;
        if (!number(j, hi)) hi = -1;
      } else {
        hi = lo;
      }
      if (j >= p_.size() || p_[j] != '}') return false;
      e = j + 1;
      if (lo > Regex::kMaxRepeat || hi > Regex::kMaxRepeat || (hi >= 0 && hi < lo)) {
        invalid(fmt::format("bad repetition operator: {}", p_.substr(i, e - i)));
      }
    } else {
      return false;
    }
    if (min) *min = lo, *max = hi, *end = e;
    return true;
  }

  Node atom(int depth) {
    const char c = p_[at_++];
    switch (c) {
      case '(': {
        if (depth + 1 > Regex::kMaxNesting) invalid("expression nests too deeply");
        if (more() && peek() == '?') {
          const char n = at_ + 1 < p_.size() ? p_[at_ + 1] : '\0';
          if (n == '=' || n == '!' || n == '<') unsupported("lookarounds (RE2 has none)");
          if (n != ':') unsupported("(?flags) and named groups other than a leading (?i)");
          at_ += 2;
        }
        Node inner = alternation(depth + 1);
        if (!more() || peek() != ')') invalid("missing )");
        ++at_;
        return inner;
      }
      case '[': return leaf(bracket());
      case '.': {
        Set s;
        s.set();
        s[size_t('\n')] = false;
        return leaf(s);
      }
      case '^': return assertion(Regex::Assertion::BeginText);
      case '$': return assertion(Regex::Assertion::EndText);
      case '\\': return escape();
      default: return byte(static_cast<unsigned char>(c));
    }
  }

  // After a backslash outside a class.
  Node escape() {
    if (!more()) invalid("trailing \\");
    const char c = p_[at_];
    if (c == 'b' || c == 'B') {
      ++at_;
      return assertion(c == 'b' ? Regex::Assertion::WordBoundary : Regex::Assertion::NotWordBoundary);
    }
    Set s;
    if (class_escape(s)) return leaf(s);
    return byte(byte_escape());
  }

  // \d \D \w \W \s \S at at_ (consumed; s is the class).
  bool class_escape(Set& s) {
    const char c = p_[at_];
    if (c != 'd' && c != 'D' && c != 'w' && c != 'W' && c != 's' && c != 'S') return false;
    ++at_;
    s = perl_class(c);
    if (c == 'D' || c == 'W' || c == 'S') s.flip();
    return true;
  }

  // A single-byte escape at at_ (after the backslash), consumed.
  unsigned char byte_escape() {
    const char c = p_[at_++];
    switch (c) {
      case 't': return '\t';
      case 'n': return '\n';
      case 'r': return '\r';
      case 'f': return '\f';
      case 'v': return '\v';
      case 'a': return '\a';
      case '0': {
        int v = 0;
        for (int k = 0; k < 2 && more() && peek() >= '0' && peek() <= '7'; ++k) v = v * 8 + (p_[at_++] - '0');
        return static_cast<unsigned char>(v);
      }
      case 'x': {
        long v = 0;
        if (more() && peek() == '{') {
          ++at_;
          int digits = 0;
          while (more() && hex_digit(peek()) >= 0) {
            v = std::min<long>(v * 16 + hex_digit(p_[at_++]), 0x110000), ++digits;
          }
          if (!more() || peek() != '}' || digits == 0) invalid("invalid escape sequence \\x{");
          ++at_;
        } else {
          for (int k = 0; k < 2; ++k) {
            if (!more() || hex_digit(peek()) < 0) invalid("invalid escape sequence \\x");
            v = v * 16 + hex_digit(p_[at_++]);
          }
        }
        if (v > 0xff) unsupported("\\x{...} above FF (classes and literals see bytes, not UTF-8 characters)");
        return static_cast<unsigned char>(v);
      }
      case 'p': case 'P': unsupported("\\p Unicode classes");
      case 'A': case 'z': case 'Q': case 'E': case 'C': unsupported("\\A, \\z, \\Q...\\E and \\C");
      default: break;
    }
    if (c >= '1' && c <= '9') unsupported("back-references (RE2 has none)");
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && !is_word(u)) return u;  // escaped punctuation (and space) is itself
    invalid(fmt::format("invalid escape sequence \\{}", c));
  }

  // A class after its '['; consumed through its ']'.
  Set bracket() {
    Set s;
    bool negated = false;
    if (more() && peek() == '^') ++at_, negated = true;
    bool first = true;
    for (;;) {
      if (!more()) invalid("missing ]");
      if (peek() == ']' && !first) {
        ++at_;
        break;
      }
      first = false;
      if (peek() == '[' && at_ + 1 < p_.size() && p_[at_ + 1] == ':') {
        const size_t close = p_.find(":]", at_ + 2);
        if (close != std::string_view::npos) {
          std::string_view name = p_.substr(at_ + 2, close - at_ - 2);
          const bool neg = !name.empty() && name[0] == '^';
          if (neg) name.remove_prefix(1);
          Set c;
          if (!posix_class(name, c)) invalid(fmt::format("invalid character class range [:{}:]", name));
          s |= neg ? ~c : c;
          at_ = close + 2;
          continue;
        }
      }
      unsigned char lo = 0;
      if (peek() == '\\') {
        ++at_;
        if (!more()) invalid("trailing \\");
        Set c;
        if (class_escape(c)) {
          s |= c;
          continue;
        }
        lo = byte_escape();
      } else {
        lo = static_cast<unsigned char>(p_[at_++]);
      }
      unsigned char hi = lo;
      if (more() && peek() == '-' && at_ + 1 < p_.size() && p_[at_ + 1] != ']') {
        ++at_;
        if (p_[at_] == '\\') {
          ++at_;
          if (!more()) invalid("trailing \\");
          hi = byte_escape();
        } else {
          hi = static_cast<unsigned char>(p_[at_++]);
        }
        if (hi < lo) invalid("bad character class range");
      }
      for (int b = lo; b <= hi; ++b) s[size_t(b)] = true;
    }
    if (icase_) s = folded(s);
    return negated ? ~s : s;
  }

  uint32_t pc() const { return static_cast<uint32_t>(re_.prog_.size()); }
  uint32_t push(Regex::Inst i) {
    if (re_.prog_.size() >= Regex::kMaxProgram) invalid("pattern too large");
    re_.prog_.push_back(i);
    return pc() - 1;
  }

  void emit(const Node& n) {
    switch (n.kind) {
      case Node::Kind::Bytes: {
        Regex::Inst i{Regex::Op::Bytes};
        i.x = pc() + 1, i.set = n.set;
        push(i);
        return;
      }
      case Node::Kind::Assert: {
        Regex::Inst i{Regex::Op::Assert};
        i.x = pc() + 1, i.assertion = n.assertion;
        push(i);
        return;
      }
      case Node::Kind::Concat:
        for (const Node& k : n.kids) emit(k);
        return;
      case Node::Kind::Alt: {
        std::vector<uint32_t> jumps;
        for (size_t b = 0; b < n.kids.size(); ++b) {
          const bool last = b + 1 == n.kids.size();
          uint32_t split = 0;
          if (!last) split = push({Regex::Op::Split});
          if (!last) re_.prog_[split].x = pc();
          emit(n.kids[b]);
          if (!last) {
            jumps.push_back(push({Regex::Op::Jump}));
            re_.prog_[split].y = pc();
          }
        }
        for (uint32_t j : jumps) re_.prog_[j].x = pc();
        return;
      }
      case Node::Kind::Repeat: {
        const Node& sub = n.kids[0];
        for (int k = 0; k < n.min; ++k) emit(sub);
        if (n.max < 0) {
          const uint32_t loop = push({Regex::Op::Split});
          re_.prog_[loop].x = pc();
          emit(sub);
          Regex::Inst back{Regex::Op::Jump};
          back.x = loop;
          push(back);
          re_.prog_[loop].y = pc();
        } else {
          std::vector<uint32_t> splits;
          for (int k = n.min; k < n.max; ++k) {
            const uint32_t s = push({Regex::Op::Split});
            re_.prog_[s].x = pc();
            splits.push_back(s);
            emit(sub);
          }
          for (uint32_t s : splits) re_.prog_[s].y = pc();
        }
        return;
      }
    }
  }
};

Regex::Regex(std::string_view pattern) {
  const bool icase = pattern.substr(0, 4) == "(?i)";
  if (icase) pattern.remove_prefix(4);
  RegexCompiler(*this, pattern, icase).compile();
  for (Threads& t : scratch_.threads) t.dense.resize(prog_.size()), t.sparse.resize(prog_.size());
}

bool Regex::full_match(std::string_view s) const {
  Threads& cur = scratch_.threads[0];
  Threads& next = scratch_.threads[1];
  std::vector<uint32_t>& stack = scratch_.stack;
  cur.n = next.n = 0;
  stack.clear();
  auto word_at = [&](size_t i) { return i < s.size() && is_word(static_cast<unsigned char>(s[i])); };
  // Follows the empty transitions from pc at position i.
  auto follow = [&](Threads& t, uint32_t start, size_t i) {
    stack.push_back(start);
    while (!stack.empty()) {
      const uint32_t pc = stack.back();
      stack.pop_back();
      if (t.has(pc)) continue;
      t.add(pc);
      const Inst& in = prog_[pc];
      switch (in.op) {
        case Op::Split: stack.push_back(in.y), stack.push_back(in.x); break;
        case Op::Jump: stack.push_back(in.x); break;
        case Op::Assert: {
          bool holds = false;
          const bool before = i > 0 && word_at(i - 1), after = word_at(i);
          switch (in.assertion) {
            case Assertion::BeginText: holds = i == 0; break;
            case Assertion::EndText: holds = i == s.size(); break;
            case Assertion::WordBoundary: holds = before != after; break;
            case Assertion::NotWordBoundary: holds = before == after; break;
          }
          if (holds) stack.push_back(in.x);
          break;
        }
        default: break;
      }
    }
  };
  Threads* now = &cur;
  Threads* then = &next;
  follow(*now, 0, 0);
  for (size_t i = 0; i < s.size(); ++i) {
    if (now->n == 0) return false;
    poll(now->n + 1);
    then->n = 0;
    const auto c = static_cast<unsigned char>(s[i]);
    for (size_t k = 0; k < now->n; ++k) {
      const Inst& in = prog_[now->dense[k]];
      if (in.op == Op::Bytes && sets_[in.set][c]) follow(*then, in.x, i + 1);
    }
    std::swap(now, then);
  }
  for (size_t k = 0; k < now->n; ++k) {
    if (prog_[now->dense[k]].op == Op::Match) return true;
  }
  return false;
}

}  // namespace onnxscope::ops::kernels
