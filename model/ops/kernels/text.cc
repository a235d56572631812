// Text kernels: StringNormalizer, TfIdfVectorizer, StringConcat, StringSplit
// and RegexFullMatch.
#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "model/ops/kernels/nn.h"
#include "model/ops/kernels/regex.h"
#include "model/ops/registry.h"
#include "model/ops/text.h"

namespace onnxscope::ops::kernels {
namespace {

// The C locale's case mapping: ASCII letters only, whatever the locale
// attribute names (other bytes, UTF-8 sequences included, are unchanged).
std::string ascii_case(std::string s, bool upper) {
  for (char& c : s) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// StringNormalizer: x [C] or [1, C]; drops the stopwords (compared after
// lowering both when not case sensitive), then changes the case. All
// dropped: one empty string, [1] or [1, 1].
void string_normalizer(KernelContext& ctx) {
  const auto a = read<StringNormalizerAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  if (x.dtype() != DType::String) kernel_fail(Code::RunNoKernel, "{}: input of type {}", ctx.label(), dtype_name(x.dtype()));
  if (!(x.rank() == 1 || (x.rank() == 2 && x.dim(0) == 1))) {
    kernel_fail(Code::RunFailed, "{}: input of shape [{}]; it is [C] or [1, C]", ctx.label(), fmt::join(x.shape(), ","));
  }
  const std::string_view action = a.case_change_action;
  if (action != "NONE" && action != "LOWER" && action != "UPPER") {
    kernel_fail(Code::RunFailed, "{}: case_change_action \"{}\" is not LOWER, UPPER or NONE", ctx.label(), action);
  }
  std::vector<std::string> stop;
  for (std::string_view w : a.stopwords.value_or(std::vector<std::string_view>{})) {
    stop.push_back(a.is_case_sensitive ? std::string(w) : ascii_case(std::string(w), false));
  }
  std::vector<std::string> kept;
  for (uint64_t i = 0; i < x.count(); ++i) {
    const std::string& s = x.data<std::string>()[i];
    const std::string key = a.is_case_sensitive ? s : ascii_case(s, false);
    if (std::find(stop.begin(), stop.end(), key) != stop.end()) continue;
    kept.push_back(action == "NONE" ? s : ascii_case(s, action == "UPPER"));
  }
  if (kept.empty()) kept.emplace_back();
  const auto c = static_cast<int64_t>(kept.size());
  Tensor& y = ctx.output(0, DType::String, x.rank() == 1 ? std::vector<int64_t>{c} : std::vector<int64_t>{1, c});
  for (size_t i = 0; i < kept.size(); ++i) y.data<std::string>()[i] = std::move(kept[i]);
}

// TfIdfVectorizer: counts the pool's n-grams (min_gram_length to
// max_gram_length items, consecutive or up to max_skip_count apart) in each
// row of x ([C] or [N, C]); the n-gram at pool position i goes to output
// index ngram_indexes[i] with weights[i] (by the spec's wording, the weight
// of the i-th n-gram of the pool).
void tfidf_vectorizer(KernelContext& ctx) {
  const auto a = read<TfIdfVectorizerAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  if (x.rank() != 1 && x.rank() != 2) {
    kernel_fail(Code::RunFailed, "{}: input of shape [{}]; it is [C] or [N, C]", ctx.label(), fmt::join(x.shape(), ","));
  }
  const std::string_view mode = a.mode.value_or("");
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF") kernel_fail(Code::RunFailed, "{}: mode \"{}\"", ctx.label(), mode);
  const int64_t min_n = a.min_gram_length, max_n = a.max_gram_length, skips = a.max_skip_count;
  if (min_n < 1 || max_n < min_n || skips < 0 || max_n > 1024 || skips > (int64_t{1} << 20)) {
    kernel_fail(Code::RunFailed, "{}: gram lengths {} to {} with max_skip_count {}", ctx.label(), min_n, max_n, skips);
  }
  const std::vector<int64_t> counts = a.ngram_counts.value_or(std::vector<int64_t>{});
  const std::vector<int64_t> indexes = a.ngram_indexes.value_or(std::vector<int64_t>{});
  const std::vector<float> weights = a.weights.value_or(std::vector<float>{});
  // The pool as token ids: integers as they are, strings by their position
  // among the pool's distinct strings (an input string outside the pool is -1).
  const bool strings = x.dtype() == DType::String;
  std::vector<int64_t> pool;
  std::map<std::string, int64_t, std::less<>> string_ids;
  if (strings) {
    for (std::string_view s : a.pool_strings.value_or(std::vector<std::string_view>{})) {
      auto [it, fresh] = string_ids.try_emplace(std::string(s), static_cast<int64_t>(string_ids.size()));
      pool.push_back(it->second);
    }
  } else {
    if (x.dtype() != DType::Int32 && x.dtype() != DType::Int64) {
      kernel_fail(Code::RunNoKernel, "{}: input of type {}", ctx.label(), dtype_name(x.dtype()));
    }
    pool = a.pool_int64s.value_or(std::vector<int64_t>{});
  }
  // Every prefix of a pool n-gram; the value is the n-gram's position + 1,
  // 0 for a prefix only.
  std::map<std::vector<int64_t>, size_t> trie;
  size_t id = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    const auto n = static_cast<int64_t>(k + 1);
    const int64_t begin = counts[k], end = k + 1 < counts.size() ? counts[k + 1] : static_cast<int64_t>(pool.size());
    if (begin < 0 || end < begin || end > static_cast<int64_t>(pool.size()) || (end - begin) % n != 0) {
      kernel_fail(Code::RunFailed, "{}: ngram_counts [{}] does not split a pool of {} items into n-grams", ctx.label(),
                  fmt::join(counts, ","), pool.size());
    }
    for (int64_t s = begin; s < end; s += n) {
      std::vector<int64_t> g;
      for (int64_t j = 0; j < n; ++j) {
        g.push_back(pool[static_cast<size_t>(s + j)]);
        trie.try_emplace(g, 0);
      }
      trie[g] = ++id;
    }
  }
  if (indexes.size() != id || (!weights.empty() && weights.size() != id)) {
    kernel_fail(Code::RunFailed, "{}: {} n-grams in the pool, {} ngram_indexes and {} weights", ctx.label(), id,
                indexes.size(), weights.size());
  }
  int64_t out_size = 0;
  for (int64_t i : indexes) {
    if (i < 0) kernel_fail(Code::RunIndexRange, "{}: ngram_indexes holds {}, a negative output index", ctx.label(), i);
    out_size = std::max(out_size, i + 1);
  }
  const int64_t rows = x.rank() == 2 ? x.dim(0) : 1, cols = x.dim(x.rank() - 1);
  Tensor& y = ctx.output(0, DType::Float32, x.rank() == 2 ? std::vector<int64_t>{rows, out_size} : std::vector<int64_t>{out_size});
  std::vector<int64_t> tokens(static_cast<size_t>(cols)), freq(id);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const uint64_t at = static_cast<uint64_t>(r * cols + c);
      if (strings) {
        auto it = string_ids.find(x.data<std::string>()[at]);
        tokens[static_cast<size_t>(c)] = it == string_ids.end() ? -1 : it->second;
      } else {
        tokens[static_cast<size_t>(c)] = static_cast<int64_t>(x.as_double(at));
        if (x.dtype() == DType::Int64) tokens[static_cast<size_t>(c)] = x.data<int64_t>()[at];
      }
    }
    poll(id + static_cast<uint64_t>(cols));
    std::fill(freq.begin(), freq.end(), 0);
    int64_t start_n = min_n;
    for (int64_t d = 1; d <= skips + 1; ++d) {
      for (int64_t s = 0; s < cols; ++s) {
        if (s + d * (start_n - 1) >= cols) break;
        std::vector<int64_t> g;
        for (int64_t n = 1, item = s; n <= max_n && item < cols; ++n, item += d) {
          g.push_back(tokens[static_cast<size_t>(item)]);
          auto it = trie.find(g);
          if (it == trie.end()) break;
          if (n >= start_n && it->second != 0) ++freq[it->second - 1];
        }
        // Every start, every skip, up to max_gram_length lookups of keys
        // as long: the model's attributes size it, not the input.
        poll(g.size() * g.size() + 1);
      }
      // Unigrams do not depend on the skip: counted once.
      if (start_n == 1) {
        start_n = 2;
        if (start_n > max_n) break;
      }
    }
    float* out = y.data<float>() + r * out_size;
    for (size_t i = 0; i < id; ++i) {
      if (freq[i] == 0) continue;
      const float w = weights.empty() ? 1.0f : weights[i];
      const float f = static_cast<float>(freq[i]);
      out[indexes[i]] += mode == "TF" ? f : mode == "IDF" ? w : f * w;
    }
  }
}

const Tensor& strings_in(const KernelContext& ctx, size_t i) {
  const Tensor& t = ctx.input(i);
  if (t.dtype() != DType::String) kernel_fail(Code::RunNoKernel, "{}: input {} of type {}", ctx.label(), i, dtype_name(t.dtype()));
  return t;
}

// StringConcat-20: element-wise X ++ Y with numpy broadcasting.
void string_concat(KernelContext& ctx) {
  const Tensor& x = strings_in(ctx, 0);
  const Tensor& y = strings_in(ctx, 1);
  Broadcast bc(ctx, {&x, &y});
  Tensor& z = ctx.output(0, DType::String, bc.shape);
  bc.each(2, [&](uint64_t i, const std::vector<int64_t>& o) {
    z.data<std::string>()[i] = x.data<std::string>()[o[0]] + y.data<std::string>()[o[1]];
  });
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// StringSplit-20: each string split at `delimiter` (runs of whitespace, the
// ends trimmed, when it is absent or empty) at most maxsplit times; Y pads
// the rows with "" to the longest, Z counts each. As onnxruntime 1.30: an
// empty string has no substrings, and with whitespace the remainder after
// maxsplit splits is trimmed at its end too.
void string_split(KernelContext& ctx) {
  const auto a = read<StringSplitAttrs>(ctx.attrs());
  const Tensor& x = strings_in(ctx, 0);
  const std::string delim(a.delimiter.value_or(""));
  const int64_t maxsplit = a.maxsplit.value_or(-1);
  if (a.maxsplit && maxsplit < 0) kernel_fail(Code::AttributeValue, "{}: maxsplit is {}", ctx.label(), maxsplit);
  std::vector<std::vector<std::string>> parts(x.count());
  size_t longest = 0;
  for (uint64_t i = 0; i < x.count(); ++i) {
    const std::string& s = x.data<std::string>()[i];
    auto& out = parts[i];
    if (s.empty()) continue;
    if (delim.empty()) {
      size_t b = 0, e = s.size();
      while (b < e && is_space(s[b])) ++b;
      while (e > b && is_space(s[e - 1])) --e;
      while (b < e) {
        if (maxsplit >= 0 && int64_t(out.size()) == maxsplit) {
          out.push_back(s.substr(b, e - b));
          break;
        }
        size_t k = b;
        while (k < e && !is_space(s[k])) ++k;
        out.push_back(s.substr(b, k - b));
        b = k;
        while (b < e && is_space(s[b])) ++b;
      }
    } else {
      size_t b = 0;
      while (true) {
        size_t k = maxsplit >= 0 && int64_t(out.size()) == maxsplit ? std::string::npos : s.find(delim, b);
        if (k == std::string::npos) {
          out.push_back(s.substr(b));
          break;
        }
        out.push_back(s.substr(b, k - b));
        b = k + delim.size();
      }
    }
    longest = std::max(longest, out.size());
  }
  std::vector<int64_t> shape = x.shape();
  shape.push_back(int64_t(longest));
  Tensor& y = ctx.output(0, DType::String, shape);
  for (uint64_t i = 0; i < x.count(); ++i) {
    for (size_t k = 0; k < parts[i].size(); ++k) y.data<std::string>()[i * longest + k] = std::move(parts[i][k]);
  }
  if (ctx.num_outputs() > 1) {
    Tensor& z = ctx.output(1, DType::Int64, x.shape());
    for (uint64_t i = 0; i < x.count(); ++i) z.data<int64_t>()[i] = int64_t(parts[i].size());
  }
}

// RegexFullMatch-20: whether the whole string matches `pattern`, in RE2's
// syntax, which onnxruntime uses (kernels/regex.h, matched in time linear in
// the string times the pattern, as RE2 does): literals, ., classes ([a-z],
// [[:alpha:]], \d, \w, \s), anchors, \b, groups, (?:...), alternation and the
// quantifiers, plus a leading (?i). It refuses, naming the construct, what it
// does not read: other (?flags), named groups (?P<..>), \p{..} classes,
// \A \z \Q \E \C, and the lookarounds and back-references RE2 rejects. `.`
// and classes see bytes, not UTF-8 characters.
void regex_full_match(KernelContext& ctx) {
  const auto a = read<RegexFullMatchAttrs>(ctx.attrs());
  if (!a.pattern) kernel_fail(Code::MissingAttribute, "{}: no pattern attribute", ctx.label());
  std::optional<Regex> re;
  try {
    re.emplace(*a.pattern);
  } catch (const Regex::Error& e) {
    if (e.unsupported) {
      kernel_fail(Code::RunNoKernel, "{}: pattern \"{}\" uses {}, which the kernel does not read as RE2 does",
                  ctx.label(), *a.pattern, e.what());
    }
    kernel_fail(Code::AttributeValue, "{}: pattern \"{}\" is not a valid regular expression ({})", ctx.label(),
                *a.pattern, e.what());
  }
  const Tensor& x = strings_in(ctx, 0);
  Tensor& y = ctx.output(0, DType::Bool, x.shape());
  for (uint64_t i = 0; i < x.count(); ++i) {
    poll(1);
    y.data<bool>()[i] = re->full_match(x.data<std::string>()[i]);
  }
}

}  // namespace

void register_text(Registry& r) {
  r.set_kernel("", "StringNormalizer", 10, string_normalizer);
  r.set_kernel("", "TfIdfVectorizer", 9, tfidf_vectorizer);
  r.set_kernel("", "StringConcat", 20, string_concat);
  r.set_kernel("", "StringSplit", 20, string_split);
  r.set_kernel("", "RegexFullMatch", 20, regex_full_match);
}

}  // namespace onnxscope::ops::kernels
