// The attributes of the string operators, read once per node by the
// inference rules (text.cc) and the reference kernels.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

struct StringNormalizerAttrs {
  std::string_view case_change_action = "NONE";
  bool is_case_sensitive = false;
  std::optional<std::string_view> locale;  // none or empty: the platform's default (en_US)
  std::optional<std::vector<std::string_view>> stopwords;
  static constexpr auto fields() {
    using A = StringNormalizerAttrs;
    return std::tuple{field("case_change_action", &A::case_change_action),
                      field("is_case_sensitive", &A::is_case_sensitive), field("locale", &A::locale),
                      field("stopwords", &A::stopwords)};
  }
};

// TfIdfVectorizer: the required ones are empty when the node lacks them.
struct TfIdfVectorizerAttrs {
  int64_t max_gram_length = 0;
  int64_t max_skip_count = 0;
  int64_t min_gram_length = 0;
  std::optional<std::string_view> mode;  // "TF", "IDF" or "TFIDF"
  std::optional<std::vector<int64_t>> ngram_counts, ngram_indexes, pool_int64s;
  std::optional<std::vector<std::string_view>> pool_strings;
  std::optional<std::vector<float>> weights;
  static constexpr auto fields() {
    using A = TfIdfVectorizerAttrs;
    return std::tuple{field("max_gram_length", &A::max_gram_length), field("max_skip_count", &A::max_skip_count),
                      field("min_gram_length", &A::min_gram_length), field("mode", &A::mode),
                      field("ngram_counts", &A::ngram_counts),       field("ngram_indexes", &A::ngram_indexes),
                      field("pool_int64s", &A::pool_int64s),         field("pool_strings", &A::pool_strings),
                      field("weights", &A::weights)};
  }
};

struct RegexFullMatchAttrs {
  std::optional<std::string_view> pattern;
  static constexpr auto fields() { return std::tuple{field("pattern", &RegexFullMatchAttrs::pattern)}; }
};

struct StringSplitAttrs {
  std::optional<std::string_view> delimiter;  // none or empty: runs of whitespace
  std::optional<int64_t> maxsplit;            // none: unlimited
  static constexpr auto fields() {
    return std::tuple{field("delimiter", &StringSplitAttrs::delimiter), field("maxsplit", &StringSplitAttrs::maxsplit)};
  }
};

struct ImageDecoderAttrs {
  std::string_view pixel_format = "RGB";
  static constexpr auto fields() { return std::tuple{field("pixel_format", &ImageDecoderAttrs::pixel_format)}; }
};

}  // namespace onnxscope::ops
