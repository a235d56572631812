#include "model/sym/dim.h"

#include <algorithm>
#include <numeric>

#include "model/util/error.h"

namespace onnxscope::sym {
namespace {

[[noreturn]] void overflow() { fail("dim-overflow", "a dimension expression overflows 64 bits"); }

int64_t add_ck(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) overflow();
  return r;
}

int64_t mul_ck(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) overflow();
  return r;
}

int64_t floordiv_int(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int kind_rank(Kind k) {
  switch (k) {
    case Kind::Const: return 0;
    case Kind::Sym: return 1;
    case Kind::Div: return 2;
    case Kind::Min: return 3;
    case Kind::Max: return 4;
    case Kind::Prod: return 5;
    case Kind::Sum: return 6;
  }
  return 7;
}

// A deterministic total order on expressions, by structure only (not by
// creation), so that canonical forms and their printing never depend on the
// order in which a model's expressions were built.
int cmp(const Node* a, const Node* b) {
  if (a == b) return 0;
  if (a->kind != b->kind) return kind_rank(a->kind) < kind_rank(b->kind) ? -1 : 1;
  switch (a->kind) {
    case Kind::Const:
      return a->c < b->c ? -1 : 1;
    case Kind::Sym:
      return a->name < b->name ? -1 : a->name > b->name ? 1 : 0;
    case Kind::Sum: {
      size_t n = std::min(a->terms.size(), b->terms.size());
      for (size_t i = 0; i < n; ++i) {
        if (int r = cmp(a->terms[i].mono, b->terms[i].mono)) return r;
        if (a->terms[i].coeff != b->terms[i].coeff) return a->terms[i].coeff < b->terms[i].coeff ? -1 : 1;
      }
      if (a->terms.size() != b->terms.size()) return a->terms.size() < b->terms.size() ? -1 : 1;
      return a->c < b->c ? -1 : a->c > b->c ? 1 : 0;
    }
    default: {
      size_t n = std::min(a->args.size(), b->args.size());
      for (size_t i = 0; i < n; ++i) {
        if (int r = cmp(a->args[i], b->args[i])) return r;
      }
      return a->args.size() < b->args.size() ? -1 : a->args.size() > b->args.size() ? 1 : 0;
    }
  }
}

size_t degree(const Node* m) { return m->kind == Kind::Prod ? m->args.size() : 1; }

// Order of monomials in a sum: higher degree first ("s*t+2*s+1").
bool mono_before(const Node* a, const Node* b) {
  if (degree(a) != degree(b)) return degree(a) > degree(b);
  return cmp(a, b) < 0;
}

struct Poly {
  int64_t c = 0;
  std::vector<Term> terms;  // sorted by mono_before, distinct, non-zero
};

Poly to_poly(const Node* n) {
  if (n->kind == Kind::Const) return {n->c, {}};
  if (n->kind == Kind::Sum) return {n->c, n->terms};
  return {0, {{1, n}}};
}

// Sorts and combines raw terms into canonical order.
void normalize(std::vector<Term>& terms) {
  std::sort(terms.begin(), terms.end(), [](const Term& a, const Term& b) { return mono_before(a.mono, b.mono); });
  std::vector<Term> out;
  for (const Term& t : terms) {
    if (!out.empty() && out.back().mono == t.mono) {
      out.back().coeff = add_ck(out.back().coeff, t.coeff);
    } else {
      out.push_back(t);
    }
  }
  out.erase(std::remove_if(out.begin(), out.end(), [](const Term& t) { return t.coeff == 0; }), out.end());
  terms = std::move(out);
}

Dim from_poly(Table& t, Poly p) {
  normalize(p.terms);
  if (p.terms.empty()) return t.constant(p.c);
  if (p.c == 0 && p.terms.size() == 1 && p.terms[0].coeff == 1) return Dim(p.terms[0].mono);
  Node n;
  n.kind = Kind::Sum;
  n.c = p.c;
  n.terms = std::move(p.terms);
  return Dim(t.intern(std::move(n)));
}

std::vector<const Node*> factors(const Node* m) {
  if (m->kind == Kind::Prod) return m->args;
  return {m};
}

const Node* mono_mul(Table& t, const Node* a, const Node* b) {
  std::vector<const Node*> f = factors(a);
  auto fb = factors(b);
  f.insert(f.end(), fb.begin(), fb.end());
  std::sort(f.begin(), f.end(), [](const Node* x, const Node* y) { return cmp(x, y) < 0; });
  Node n;
  n.kind = Kind::Prod;
  n.args = std::move(f);
  return t.intern(std::move(n));
}

// The monomial a / b if b's factors are a sub-multiset of a's; `ok` says so.
// An empty quotient is returned as nullptr (the constant 1).
const Node* mono_div(Table& t, const Node* a, const Node* b, bool& ok) {
  std::vector<const Node*> fa = factors(a);
  for (const Node* f : factors(b)) {
    auto it = std::find(fa.begin(), fa.end(), f);
    if (it == fa.end()) {
      ok = false;
      return nullptr;
    }
    fa.erase(it);
  }
  ok = true;
  if (fa.empty()) return nullptr;
  if (fa.size() == 1) return fa[0];
  Node n;
  n.kind = Kind::Prod;
  n.args = std::move(fa);
  return t.intern(std::move(n));
}

Table& table_of(Dim a, Dim b) {
  if (!a || !b) fail("dim-null", "arithmetic on an absent dimension");
  if (&a.table() != &b.table()) fail("dim-table", "dimensions from two different tables");
  return a.table();
}

// Interval arithmetic, saturating at the int64 limits (which stand for
// minus and plus infinity).
constexpr int64_t kInf = INT64_MAX;
constexpr int64_t kNegInf = INT64_MIN;

int64_t sat(__int128 v) {
  if (v >= kInf) return kInf;
  if (v <= kNegInf) return kNegInf;
  return static_cast<int64_t>(v);
}

int64_t sat_mul(int64_t a, int64_t b) {
  if (a == 0 || b == 0) return 0;
  bool inf = a == kInf || a == kNegInf || b == kInf || b == kNegInf;
  if (inf) return ((a < 0) != (b < 0)) ? kNegInf : kInf;
  return sat(static_cast<__int128>(a) * b);
}

int64_t sat_add(int64_t a, int64_t b) {
  if (a == kInf || b == kInf) return (a == kNegInf || b == kNegInf) ? 0 : kInf;
  if (a == kNegInf || b == kNegInf) return kNegInf;
  return sat(static_cast<__int128>(a) + b);
}

Range mul_range(Range a, Range b) {
  int64_t c[4] = {sat_mul(a.lo, b.lo), sat_mul(a.lo, b.hi), sat_mul(a.hi, b.lo), sat_mul(a.hi, b.hi)};
  return {*std::min_element(c, c + 4), *std::max_element(c, c + 4)};
}

int64_t sat_floordiv(int64_t a, int64_t b) {
  if (a == kInf || a == kNegInf) return (a < 0) != (b < 0) ? kNegInf : kInf;
  return floordiv_int(a, b);
}

Range node_range(const Node* n);

Range compute_range(const Node* n) {
  switch (n->kind) {
    case Kind::Const: return {n->c, n->c};
    case Kind::Sym: return {1, kMaxSymbol};
    case Kind::Prod: {
      Range r{1, 1};
      for (const Node* f : n->args) r = mul_range(r, node_range(f));
      return r;
    }
    case Kind::Sum: {
      Range r{n->c, n->c};
      for (const Term& t : n->terms) {
        Range m = mul_range(node_range(t.mono), {t.coeff, t.coeff});
        r = {sat_add(r.lo, m.lo), sat_add(r.hi, m.hi)};
      }
      return r;
    }
    case Kind::Div: {
      Range num = node_range(n->args[0]);
      Range den = node_range(n->args[1]);
      if (den.lo <= 0) return {kNegInf, kInf};
      if (num.lo >= 0) return {sat_floordiv(num.lo, den.hi == kInf ? kInf : den.hi) , sat_floordiv(num.hi, den.lo)};
      if (num.hi <= 0) return {sat_floordiv(num.lo, den.lo), sat_floordiv(num.hi, den.hi == kInf ? kInf : den.hi)};
      return {sat_floordiv(num.lo, den.lo), sat_floordiv(num.hi, den.lo)};
    }
    case Kind::Min:
    case Kind::Max: {
      Range r = node_range(n->args[0]);
      for (size_t i = 1; i < n->args.size(); ++i) {
        Range x = node_range(n->args[i]);
        if (n->kind == Kind::Min) r = {std::min(r.lo, x.lo), std::min(r.hi, x.hi)};
        else r = {std::max(r.lo, x.lo), std::max(r.hi, x.hi)};
      }
      return r;
    }
  }
  return {kNegInf, kInf};
}

Range node_range(const Node* n) { return compute_range(n); }

Dim floor_div_const(Dim a, int64_t c);

// floor(P/c) for c > 1 when P's leading coefficient is positive.
Dim floor_div_poly(Table& t, Poly p, int64_t c) {
  Poly q, r;
  q.c = floordiv_int(p.c, c);
  r.c = p.c - q.c * c;  // in [0, c)
  for (const Term& term : p.terms) {
    if (term.coeff % c == 0) q.terms.push_back({term.coeff / c, term.mono});
    else r.terms.push_back(term);
  }
  Dim quotient = from_poly(t, q);
  if (r.terms.empty()) return quotient;  // 0 <= r.c < c
  // floor((g*X + r)/(g*c')) = floor((X + floor(r/g))/c') for integral X.
  int64_t g = c;
  for (const Term& term : r.terms) g = std::gcd(g, term.coeff);
  if (g > 1) {
    for (Term& term : r.terms) term.coeff /= g;
    r.c = floordiv_int(r.c, g);
    return quotient + floor_div_const(from_poly(t, r), c / g);
  }
  Dim rem = from_poly(t, r);
  Range rr = range(rem);
  if (rr.lo >= 0 && rr.hi < c) return quotient;
  Node n;
  n.kind = Kind::Div;
  n.args = {rem.node(), t.constant(c).node()};
  return quotient + Dim(t.intern(std::move(n)));
}

Dim floor_div_const(Dim a, int64_t c) {
  Table& t = a.table();
  if (c == 0) fail("dim-div-zero", "division of the dimension {} by zero", to_string(a));
  if (c < 0) {
    if (c == INT64_MIN) overflow();
    return floor_div_const(-a, -c);
  }
  if (c == 1) return a;
  if (auto v = a.as_int()) return t.constant(floordiv_int(*v, c));
  const Node* n = a.node();
  if (const Node* r = t.memo(Table::Op::DivConst, n, static_cast<uint64_t>(c))) return Dim(r);
  Dim r;
  if (n->kind == Kind::Div && n->args[1]->kind == Kind::Const) {
    // floor(floor(x/d)/c) = floor(x/(d*c)) for d, c > 0.
    r = floor_div_const(Dim(n->args[0]), mul_ck(n->args[1]->c, c));
  } else if (Poly p = to_poly(n); !p.terms.empty() && p.terms[0].coeff < 0) {
    // Keep numerators with a positive leading coefficient:
    // floor(x/c) = -floor((-x + c - 1)/c).
    Dim neg = -a + (c - 1);
    r = -floor_div_poly(t, to_poly(neg.node()), c);
  } else {
    r = floor_div_poly(t, std::move(p), c);
  }
  t.remember(Table::Op::DivConst, n, static_cast<uint64_t>(c), r.node());
  return r;
}

Dim minmax(Kind kind, std::vector<Dim> in) {
  Table& t = in[0].table();
  std::vector<const Node*> args;
  for (Dim d : in) {
    if (d.node()->kind == kind) args.insert(args.end(), d.node()->args.begin(), d.node()->args.end());
    else args.push_back(d.node());
  }
  std::sort(args.begin(), args.end(), [](const Node* x, const Node* y) { return cmp(x, y) < 0; });
  args.erase(std::unique(args.begin(), args.end()), args.end());
  // Drop arguments another one provably dominates.
  std::vector<bool> drop(args.size(), false);
  for (size_t i = 0; i < args.size(); ++i) {
    for (size_t j = 0; j < args.size() && !drop[i]; ++j) {
      if (i == j || drop[j]) continue;
      Range d{kNegInf, kInf};
      try {
        d = range(Dim(args[i]) - Dim(args[j]));
      } catch (const Error&) {
        // The difference overflows: no proof either way.
      }
      if (kind == Kind::Min ? d.lo >= 0 : d.hi <= 0) drop[i] = true;
    }
  }
  std::vector<const Node*> kept;
  for (size_t i = 0; i < args.size(); ++i) if (!drop[i]) kept.push_back(args[i]);
  if (kept.size() == 1) return Dim(kept[0]);
  Node n;
  n.kind = kind;
  n.args = std::move(kept);
  return Dim(t.intern(std::move(n)));
}

std::string str(const Node* n);

std::string atom_str(const Node* n) {
  // Sums inside products or divisions need parentheses; everything else is
  // a name or a function call.
  std::string s = str(n);
  return n->kind == Kind::Sum || n->kind == Kind::Prod ? "(" + s + ")" : s;
}

std::string term_str(int64_t coeff, const Node* mono, bool first) {
  std::string m = str(mono);
  std::string sign = coeff < 0 ? "-" : (first ? "" : "+");
  int64_t mag = coeff < 0 ? -coeff : coeff;
  if (mag == 1) return sign + m;
  return sign + std::to_string(mag) + "*" + m;
}

std::string str(const Node* n) {
  switch (n->kind) {
    case Kind::Const: return std::to_string(n->c);
    case Kind::Sym: return n->name;
    case Kind::Prod: {
      std::string s;
      for (const Node* f : n->args) s += (s.empty() ? "" : "*") + atom_str(f);
      return s;
    }
    case Kind::Div: {
      const Node* num = n->args[0];
      const Node* den = n->args[1];
      if (den->kind == Kind::Const && num->kind == Kind::Sum && num->c == den->c - 1) {
        // floor((x + c - 1)/c) is ceil(x/c).
        Poly p = to_poly(num);
        p.c = 0;
        std::string inner;
        for (size_t i = 0; i < p.terms.size(); ++i) inner += term_str(p.terms[i].coeff, p.terms[i].mono, i == 0);
        bool paren = p.terms.size() > 1 || p.terms[0].coeff != 1;
        return "ceil(" + (paren ? "(" + inner + ")" : inner) + "/" + std::to_string(den->c) + ")";
      }
      return "floor(" + atom_str(num) + "/" + atom_str(den) + ")";
    }
    case Kind::Min:
    case Kind::Max: {
      std::string s = n->kind == Kind::Min ? "min(" : "max(";
      for (size_t i = 0; i < n->args.size(); ++i) s += (i ? "," : "") + str(n->args[i]);
      return s + ")";
    }
    case Kind::Sum: {
      std::string s;
      bool const_first = n->terms[0].coeff < 0 && n->c > 0;
      if (const_first) s = std::to_string(n->c);
      for (size_t i = 0; i < n->terms.size(); ++i) {
        s += term_str(n->terms[i].coeff, n->terms[i].mono, i == 0 && !const_first);
      }
      if (!const_first && n->c != 0) s += (n->c > 0 ? "+" : "") + std::to_string(n->c);
      return s;
    }
  }
  return "?";
}

std::optional<int64_t> eval_node(const Node* n, const Bindings& b) {
  try {
    switch (n->kind) {
      case Kind::Const: return n->c;
      case Kind::Sym: {
        auto it = b.find(n->name);
        if (it == b.end()) return std::nullopt;
        return it->second;
      }
      case Kind::Prod: {
        int64_t v = 1;
        for (const Node* f : n->args) {
          auto x = eval_node(f, b);
          if (!x) return std::nullopt;
          v = mul_ck(v, *x);
        }
        return v;
      }
      case Kind::Sum: {
        int64_t v = n->c;
        for (const Term& t : n->terms) {
          auto x = eval_node(t.mono, b);
          if (!x) return std::nullopt;
          v = add_ck(v, mul_ck(t.coeff, *x));
        }
        return v;
      }
      case Kind::Div: {
        auto x = eval_node(n->args[0], b);
        auto y = eval_node(n->args[1], b);
        if (!x || !y || *y == 0) return std::nullopt;
        return floordiv_int(*x, *y);
      }
      case Kind::Min:
      case Kind::Max: {
        std::optional<int64_t> v;
        for (const Node* a : n->args) {
          auto x = eval_node(a, b);
          if (!x) return std::nullopt;
          v = !v ? *x : n->kind == Kind::Min ? std::min(*v, *x) : std::max(*v, *x);
        }
        return v;
      }
    }
  } catch (const Error&) {
    return std::nullopt;
  }
  return std::nullopt;
}

Dim subst_node(const Node* n, Table& t, const std::map<std::string, Dim, std::less<>>& with) {
  switch (n->kind) {
    case Kind::Const: return Dim(n);
    case Kind::Sym: {
      auto it = with.find(n->name);
      return it == with.end() ? Dim(n) : it->second;
    }
    case Kind::Prod: {
      Dim v = t.constant(1);
      for (const Node* f : n->args) v = v * subst_node(f, t, with);
      return v;
    }
    case Kind::Sum: {
      Dim v = t.constant(n->c);
      for (const Term& term : n->terms) v = v + subst_node(term.mono, t, with) * term.coeff;
      return v;
    }
    case Kind::Div: return floor_div(subst_node(n->args[0], t, with), subst_node(n->args[1], t, with));
    case Kind::Min:
    case Kind::Max: {
      std::vector<Dim> args;
      for (const Node* a : n->args) args.push_back(subst_node(a, t, with));
      return minmax(n->kind, std::move(args));
    }
  }
  return Dim(n);
}

void collect_symbols(const Node* n, std::vector<std::string_view>& out) {
  switch (n->kind) {
    case Kind::Const: return;
    case Kind::Sym: out.push_back(n->name); return;
    case Kind::Sum:
      for (const Term& t : n->terms) collect_symbols(t.mono, out);
      return;
    default:
      for (const Node* a : n->args) collect_symbols(a, out);
  }
}

}  // namespace

// --- Dim --------------------------------------------------------------------

Table& Dim::table() const { return *n_->table; }

std::optional<int64_t> Dim::as_int() const {
  if (n_ && n_->kind == Kind::Const) return n_->c;
  return std::nullopt;
}

bool Dim::is_const(int64_t v) const { return n_ && n_->kind == Kind::Const && n_->c == v; }
bool Dim::is_symbol() const { return n_ && n_->kind == Kind::Sym; }
std::string_view Dim::symbol_name() const { return is_symbol() ? std::string_view(n_->name) : std::string_view(); }

Dim operator+(Dim a, Dim b) {
  Table& t = table_of(a, b);
  if (auto x = a.as_int(); x && *x == 0) return b;
  if (auto y = b.as_int(); y && *y == 0) return a;
  auto key = reinterpret_cast<uintptr_t>(b.node());
  if (const Node* r = t.memo(Table::Op::Add, a.node(), key)) return Dim(r);
  Poly p = to_poly(a.node());
  Poly q = to_poly(b.node());
  p.c = add_ck(p.c, q.c);
  p.terms.insert(p.terms.end(), q.terms.begin(), q.terms.end());
  Dim r = from_poly(t, std::move(p));
  t.remember(Table::Op::Add, a.node(), key, r.node());
  return r;
}

Dim operator+(Dim a, int64_t b) { return b == 0 ? a : a + a.table().constant(b); }
Dim operator-(Dim a) { return a * int64_t{-1}; }
Dim operator-(Dim a, Dim b) { return a + (-b); }
Dim operator-(Dim a, int64_t b) {
  if (b == INT64_MIN) overflow();
  return a + (-b);
}

Dim operator*(Dim a, int64_t b) {
  Table& t = a.table();
  if (b == 1) return a;
  if (b == 0) return t.constant(0);
  if (const Node* r = t.memo(Table::Op::MulConst, a.node(), static_cast<uint64_t>(b))) return Dim(r);
  Poly p = to_poly(a.node());
  p.c = mul_ck(p.c, b);
  for (Term& term : p.terms) term.coeff = mul_ck(term.coeff, b);
  Dim r = from_poly(t, std::move(p));
  t.remember(Table::Op::MulConst, a.node(), static_cast<uint64_t>(b), r.node());
  return r;
}

Dim operator*(Dim a, Dim b) {
  Table& t = table_of(a, b);
  if (auto x = a.as_int()) return b * *x;
  if (auto y = b.as_int()) return a * *y;
  auto key = reinterpret_cast<uintptr_t>(b.node());
  if (const Node* m = t.memo(Table::Op::Mul, a.node(), key)) return Dim(m);
  Poly p = to_poly(a.node());
  Poly q = to_poly(b.node());
  Poly r;
  r.c = mul_ck(p.c, q.c);
  for (const Term& x : p.terms) r.terms.push_back({mul_ck(x.coeff, q.c), x.mono});
  for (const Term& y : q.terms) r.terms.push_back({mul_ck(y.coeff, p.c), y.mono});
  for (const Term& x : p.terms) {
    for (const Term& y : q.terms) r.terms.push_back({mul_ck(x.coeff, y.coeff), mono_mul(t, x.mono, y.mono)});
  }
  Dim out = from_poly(t, std::move(r));
  t.remember(Table::Op::Mul, a.node(), key, out.node());
  return out;
}

Dim floor_div(Dim a, int64_t b) { return floor_div_const(a, b); }

namespace {
Dim floor_div_exprs(Table& t, Dim a, Dim b);
}  // namespace

Dim floor_div(Dim a, Dim b) {
  Table& t = table_of(a, b);
  if (auto c = b.as_int()) return floor_div_const(a, *c);
  if (a == b) return t.constant(1);
  auto key = reinterpret_cast<uintptr_t>(b.node());
  if (const Node* r = t.memo(Table::Op::Div, a.node(), key)) return Dim(r);
  Dim r = floor_div_exprs(t, a, b);
  t.remember(Table::Op::Div, a.node(), key, r.node());
  return r;
}

namespace {

Dim floor_div_exprs(Table& t, Dim a, Dim b) {
  Poly num = to_poly(a.node());
  Poly den = to_poly(b.node());
  if (den.c == 0 && den.terms.size() == 1 && num.c == 0 && den.terms[0].coeff > 0) {
    // Exact division by k*m when every term of the numerator is a multiple.
    int64_t k = den.terms[0].coeff;
    const Node* m = den.terms[0].mono;
    Poly q;
    bool exact = true;
    for (const Term& term : num.terms) {
      bool ok = false;
      const Node* rest = term.coeff % k == 0 ? mono_div(t, term.mono, m, ok) : nullptr;
      if (term.coeff % k != 0 || !ok) {
        exact = false;
        break;
      }
      if (rest) q.terms.push_back({term.coeff / k, rest});
      else q.c = add_ck(q.c, term.coeff / k);
    }
    if (exact) return from_poly(t, std::move(q));
  }
  Node n;
  n.kind = Kind::Div;
  n.args = {a.node(), b.node()};
  return Dim(t.intern(std::move(n)));
}

}  // namespace

Dim ceil_div(Dim a, Dim b) { return -floor_div(-a, b); }
Dim ceil_div(Dim a, int64_t b) { return -floor_div_const(-a, b); }
Dim mod(Dim a, int64_t b) { return a - floor_div_const(a, b) * b; }

Dim min(Dim a, Dim b) {
  table_of(a, b);
  if (auto x = a.as_int()) {
    if (auto y = b.as_int()) return a.table().constant(std::min(*x, *y));
  }
  return minmax(Kind::Min, {a, b});
}

Dim max(Dim a, Dim b) {
  table_of(a, b);
  if (auto x = a.as_int()) {
    if (auto y = b.as_int()) return a.table().constant(std::max(*x, *y));
  }
  return minmax(Kind::Max, {a, b});
}

std::optional<int64_t> eval(Dim d, const Bindings& b) { return d ? eval_node(d.node(), b) : std::nullopt; }

Dim substitute(Dim d, const std::map<std::string, Dim, std::less<>>& with) {
  if (!d || with.empty()) return d;
  return subst_node(d.node(), d.table(), with);
}

std::vector<std::string_view> symbols(Dim d) {
  std::vector<std::string_view> out;
  if (d) collect_symbols(d.node(), out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Range range(Dim d) { return d ? node_range(d.node()) : Range{kNegInf, kInf}; }
bool proven_equal(Dim a, Dim b) { return a && b && a == b; }

bool proven_ne(Dim a, Dim b) {
  if (!a || !b || a == b) return false;
  Range r = range(a - b);
  return r.lo > 0 || r.hi < 0;
}

bool proven_ge(Dim a, Dim b) {
  if (!a || !b) return false;
  return a == b || range(a - b).lo >= 0;
}

bool proven_gt(Dim a, Dim b) { return a && b && range(a - b).lo > 0; }

std::string to_string(Dim d) { return d ? str(d.node()) : "?"; }

std::optional<std::pair<std::string, int64_t>> root_of(Dim diff) {
  auto syms = symbols(diff);
  if (syms.size() != 1) return std::nullopt;
  std::string s(syms[0]);
  auto v0 = eval(diff, {{s, 0}}), v1 = eval(diff, {{s, 1}});
  if (!v0 || !v1 || *v1 == *v0 || *v0 % (*v1 - *v0) != 0) return std::nullopt;
  int64_t x = -*v0 / (*v1 - *v0);
  // Linear means it holds at the root too (floors and products do not).
  if (x < 1 || eval(diff, {{s, x}}) != 0) return std::nullopt;
  return std::pair{s, x};
}

// --- Table ------------------------------------------------------------------

Table::Table() = default;

bool Table::Eq::operator()(const Node* a, const Node* b) const {
  return a->kind == b->kind && a->c == b->c && a->name == b->name && a->terms == b->terms && a->args == b->args;
}

const Node* Table::intern(Node n) {
  size_t h = std::hash<int>()(static_cast<int>(n.kind)) * 31 + std::hash<int64_t>()(n.c);
  h = h * 31 + std::hash<std::string>()(n.name);
  for (const Term& t : n.terms) h = (h * 31 + std::hash<int64_t>()(t.coeff)) * 31 + std::hash<const void*>()(t.mono);
  for (const Node* a : n.args) h = h * 31 + std::hash<const void*>()(a);
  n.hash = h;
  n.table = this;
  auto it = index_.find(&n);
  if (it != index_.end()) return *it;
  nodes_.push_back(std::move(n));
  const Node* p = &nodes_.back();
  index_.insert(p);
  return p;
}

Dim Table::constant(int64_t v) {
  if (auto it = constants_.find(v); it != constants_.end()) return Dim(it->second);
  Node n;
  n.kind = Kind::Const;
  n.c = v;
  const Node* p = intern(std::move(n));
  constants_.emplace(v, p);
  return Dim(p);
}

Dim Table::symbol(std::string_view name) {
  auto it = symbols_.find(std::string(name));
  if (it != symbols_.end()) return Dim(it->second);
  Node n;
  n.kind = Kind::Sym;
  n.name = std::string(name);
  const Node* p = intern(std::move(n));
  symbols_.emplace(std::string(name), p);
  return Dim(p);
}

Dim Table::fresh(std::string_view hint) {
  std::string base(hint.empty() ? "unk" : hint);
  if (!has_symbol(base)) return symbol(base);
  int& k = fresh_counters_[base];
  std::string name;
  do {
    name = base + "_" + std::to_string(++k + 1);
  } while (has_symbol(name));
  return symbol(name);
}

}  // namespace onnxscope::sym
