// Symbolic dimensions: integer expressions over named symbols (`batch`,
// `2*seq+1`, `floor((h+1)/2)-1`), kept in a canonical form so that equal
// expressions are the same object: `2*(s+1)` and `2*s+2` compare equal with
// ==, without any proof search.
//
// The canonical form is a polynomial with integer coefficients over atoms,
// where an atom is a symbol, a floor division, a min or a max:
//   - sums are a constant plus coefficient x monomial terms, sorted, no zero
//     coefficients; products are expanded, so a monomial is a sorted product
//     of atoms;
//   - floor(P/c) for a constant c > 0 takes out of P every term whose
//     coefficient c divides (and the multiple of c in P's constant), so the
//     remainder constant lies in [0, c); ceil(P/c) is floor((P+c-1)/c) and
//     P mod c is P - c*floor(P/c);
//   - a division by an expression that divides P term by term is exact
//     (batch*seq*768 / (batch*12) = 64*seq);
//   - min and max flatten, drop duplicates and dominated arguments.
// Symbols stand for dimensions, so relations are proven assuming every
// symbol lies in [1, kMaxSymbol].
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

namespace onnxscope::sym {

inline constexpr int64_t kMaxSymbol = int64_t{1} << 40;

class Table;
struct Node;

class Dim {
 public:
  Dim() = default;
  explicit Dim(const Node* n) : n_(n) {}

  explicit operator bool() const { return n_ != nullptr; }
  const Node* node() const { return n_; }
  Table& table() const;

  std::optional<int64_t> as_int() const;
  bool is_const(int64_t v) const;
  bool is_symbol() const;
  std::string_view symbol_name() const;  // "" unless a symbol

  friend bool operator==(Dim a, Dim b) { return a.n_ == b.n_; }
  friend bool operator!=(Dim a, Dim b) { return a.n_ != b.n_; }

 private:
  const Node* n_ = nullptr;
};

Dim operator+(Dim a, Dim b);
Dim operator+(Dim a, int64_t b);
Dim operator-(Dim a, Dim b);
Dim operator-(Dim a, int64_t b);
Dim operator-(Dim a);
Dim operator*(Dim a, Dim b);
Dim operator*(Dim a, int64_t b);
inline Dim operator*(int64_t a, Dim b) { return b * a; }

// floor(a / b) and ceil(a / b); b must not be 0 (throws Error "dim-div-zero").
Dim floor_div(Dim a, Dim b);
Dim floor_div(Dim a, int64_t b);
Dim ceil_div(Dim a, Dim b);
Dim ceil_div(Dim a, int64_t b);
// a mod b with the sign of b, as Python's % (and ONNX Mod with fmod=0).
Dim mod(Dim a, int64_t b);
Dim min(Dim a, Dim b);
Dim max(Dim a, Dim b);

// The value of `d` with every symbol bound; nullopt if a symbol is unbound
// or a division by zero occurs.
using Bindings = std::map<std::string, int64_t, std::less<>>;
std::optional<int64_t> eval(Dim d, const Bindings& b);
// `d` with symbols replaced (unlisted symbols stay).
Dim substitute(Dim d, const std::map<std::string, Dim, std::less<>>& with);
// The symbols `d` mentions, sorted by name, each once.
std::vector<std::string_view> symbols(Dim d);

// Bounds of `d` when every symbol is in [1, kMaxSymbol]; INT64_MIN/MAX when
// unbounded.
struct Range {
  int64_t lo;
  int64_t hi;
};
Range range(Dim d);
bool proven_equal(Dim a, Dim b);
bool proven_ne(Dim a, Dim b);
bool proven_ge(Dim a, Dim b);  // a >= b
bool proven_gt(Dim a, Dim b);

// For `diff` linear in exactly one symbol: the value >= 1 of that symbol that
// makes it zero ("256*batch - 512" -> {batch, 2}); nullopt otherwise. Used to
// state when two dimensions agree.
std::optional<std::pair<std::string, int64_t>> root_of(Dim diff);

// As people write it: "2*seq+1", "floor((h+1)/2)-1", "batch*seq", "min(a,b)".
std::string to_string(Dim d);

enum class Kind : uint8_t { Const, Sym, Sum, Prod, Div, Min, Max };

struct Term {
  int64_t coeff;
  const Node* mono;  // a Sym, Div, Min, Max or Prod node
  bool operator==(const Term&) const = default;
};

// An interned expression. Children are interned too, so structural equality
// is pointer equality at every level.
struct Node {
  Kind kind;
  int64_t c = 0;                  // Const: value; Sum: constant term
  std::string name;               // Sym
  std::vector<Term> terms;        // Sum, sorted by monomial order
  std::vector<const Node*> args;  // Prod: sorted factors; Div: {numerator, denominator}; Min/Max: sorted
  size_t hash = 0;
  Table* table = nullptr;
};

// Owns the expressions of one analysis. Not thread-safe.
class Table {
 public:
  Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  Dim constant(int64_t v);
  // The symbol named `name`, created on first use.
  Dim symbol(std::string_view name);
  // A new symbol that is not yet used: `hint`, else `hint_2`, `hint_3`, ...
  Dim fresh(std::string_view hint);
  bool has_symbol(std::string_view name) const { return symbols_.count(std::string(name)) != 0; }
  size_t size() const { return nodes_.size(); }

  // For dim.cc: returns the interned node equal to `n`.
  const Node* intern(Node n);

  // For dim.cc: results of arithmetic already done. Expressions are interned
  // and immutable, so the result of an operation on the same operands is the
  // same node: a model's layers repeat the same shape arithmetic thousands of
  // times, and each repetition is then one hash lookup instead of building,
  // sorting and interning polynomials.
  enum class Op : uint8_t { Add, Mul, MulConst, DivConst, Div };
  const Node* memo(Op op, const Node* a, uint64_t b) const {
    auto it = memo_.find(MemoKey{a, b, op});
    return it == memo_.end() ? nullptr : it->second;
  }
  void remember(Op op, const Node* a, uint64_t b, const Node* r) { memo_.emplace(MemoKey{a, b, op}, r); }

 private:
  struct MemoKey {
    const Node* a;
    uint64_t b;  // the other operand's node, or a constant
    Op op;
    bool operator==(const MemoKey&) const = default;
  };
  struct MemoHash {
    size_t operator()(const MemoKey& k) const {
      uint64_t h = (reinterpret_cast<uintptr_t>(k.a) * 0x9E3779B97F4A7C15ull) ^ (k.b + static_cast<uint64_t>(k.op));
      h *= 0xD6E8FEB86659FD93ull;
      return static_cast<size_t>(h ^ (h >> 32));
    }
  };
  std::unordered_map<MemoKey, const Node*, MemoHash> memo_;
  // Constants by value, the most frequent node: no Node built per lookup.
  std::unordered_map<int64_t, const Node*> constants_;

  struct Hash {
    size_t operator()(const Node* n) const { return n->hash; }
  };
  struct Eq {
    bool operator()(const Node* a, const Node* b) const;
  };
  std::deque<Node> nodes_;
  std::unordered_set<const Node*, Hash, Eq> index_;
  std::unordered_map<std::string, const Node*> symbols_;
  std::unordered_map<std::string, int> fresh_counters_;
};

}  // namespace onnxscope::sym

template <>
struct fmt::formatter<onnxscope::sym::Dim> : fmt::formatter<std::string> {
  auto format(onnxscope::sym::Dim d, format_context& ctx) const {
    return fmt::formatter<std::string>::format(onnxscope::sym::to_string(d), ctx);
  }
};
