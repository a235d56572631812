// String operators: StringNormalizer, TfIdfVectorizer, RegexFullMatch, StringConcat, StringSplit, ImageDecoder.
#include <algorithm>

#include "model/ops/registry.h"
#include "model/ops/text.h"
#include "model/ops/util.h"

namespace onnxscope::ops {
namespace {

// StringNormalizer-10: [C] or [1, C]. Stop words removed make the last
// dimension data-dependent; without stop words the shape is kept.
void string_normalizer_rule(Context& ctx) {
  const auto a = read<StringNormalizerAttrs>(ctx.attrs());
  check_enum(ctx, "case_change_action", a.case_change_action, {"NONE", "LOWER", "UPPER"});
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  if (d.size() != 1 && d.size() != 2) {
    ctx.report(Code::InputRank, Severity::Error, Phase::Load,
               fmt::format("StringNormalizer takes [C] or [1, C], not a tensor of rank {}", d.size()));
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  if (d.size() == 2 && !d[0].is_const(1)) {
    // onnx's shape inference (run by onnxruntime when it loads the model)
    // demands the constant 1 there, a symbol included.
    bool known = d[0].as_int().has_value();
    ctx.report(Code::InputRank, known ? Severity::Error : Severity::Warning, Phase::Load,
               fmt::format("StringNormalizer takes [C] or [1, C]; the input's first dimension is {}{}",
                           sym::to_string(d[0]), known ? "" : ", which onnx's shape inference rejects unless it is the constant 1"),
               "reshape the input to [1, C] or [C]");
  }
  bool drops = a.stopwords && !a.stopwords->empty();
  std::vector<Dim> out = d;
  if (drops) out.back() = Dim();
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

// TfIdfVectorizer-9: [C] -> [max(ngram_indexes)+1], [N, C] -> [N, max+1].
void tfidf_rule(Context& ctx) {
  const auto a = read<TfIdfVectorizerAttrs>(ctx.attrs());
  check_enum(ctx, "mode", a.mode, {"TF", "IDF", "TFIDF"});
  bool strings = a.pool_strings.has_value();
  bool ints = a.pool_int64s.has_value();
  if (strings == ints) {
    ctx.report(Code::AttributeValue, Severity::Error, Phase::Load,
               "TfIdfVectorizer needs exactly one of pool_strings and pool_int64s");
  } else if (ctx.input(0).kind == Inferred::Kind::Tensor && ctx.input_dtype(0) != DType::Undefined &&
             (ctx.input_dtype(0) == DType::String) != strings) {
    ctx.report(Code::AttributeValue, Severity::Error, Phase::Load,
               fmt::format("TfIdfVectorizer's input is {} but its pool is {}: string input needs pool_strings, "
                           "integer input pool_int64s",
                           dtype_onnx_name(ctx.input_dtype(0)), strings ? "pool_strings" : "pool_int64s"));
  }
  Dim width;
  const auto& idx = a.ngram_indexes;
  if (!idx || idx->empty() || std::any_of(idx->begin(), idx->end(), [](int64_t i) { return i < 0; })) {
    ctx.report(Code::AttributeValue, Severity::Error, Phase::Load,
               "TfIdfVectorizer's ngram_indexes must be non-empty with no negative values");
  } else {
    width = ctx.dim(*std::max_element(idx->begin(), idx->end()) + 1);
  }
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Float32, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  if (d.size() == 1) return ctx.set_output(0, DType::Float32, Shape::of({width}));
  if (d.size() == 2) return ctx.set_output(0, DType::Float32, Shape::of({d[0], width}));
  ctx.report(Code::InputRank, Severity::Error, Phase::Load,
             fmt::format("TfIdfVectorizer takes [C] or [N, C], not a tensor of rank {}", d.size()));
  ctx.set_output(0, DType::Float32, Shape::unknown());
}

// RegexFullMatch-20: a bool per string.
void regex_full_match_rule(Context& ctx) {
  if (!read<RegexFullMatchAttrs>(ctx.attrs()).pattern) {
    ctx.report(Code::MissingAttribute, Severity::Error, Phase::Load,
               "RegexFullMatch has no pattern attribute: there is nothing to match");
  }
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, DType::Bool, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
}

// StringConcat-20: element-wise with numpy broadcasting.
void string_concat_rule(Context& ctx) {
  ctx.set_output(0, DType::Undefined, broadcast(ctx, {&ctx.input_shape(0), &ctx.input_shape(1)}));
}

// StringSplit-20: Y is X's shape plus the largest number of substrings (data
// dependent); Z, the count per string, has X's shape.
void string_split_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) {
    ctx.set_output(0, DType::String, Shape::unknown());
    ctx.set_output(1, DType::Int64, Shape::unknown());
    return;
  }
  std::vector<Dim> d = ctx.input_shape(0).dims;
  ctx.set_output(1, DType::Int64, Shape::of(d));
  d.push_back(Dim());
  ctx.set_output(0, DType::String, Shape::of(std::move(d)));
}

// ImageDecoder-20: a 1-D encoded stream to [height, width, channels], the
// channels decided by pixel_format.
void image_decoder_rule(Context& ctx) {
  const auto a = read<ImageDecoderAttrs>(ctx.attrs());
  check_enum(ctx, "pixel_format", a.pixel_format, {"RGB", "BGR", "Grayscale"});
  if (ctx.input_rank_known(0) && ctx.input_shape(0).rank() != 1) {
    ctx.report(Code::InputRank, Severity::Error, Phase::Load,
               fmt::format("ImageDecoder takes a 1-D encoded stream, not a tensor of rank {}",
                           ctx.input_shape(0).rank()));
  }
  auto fmt_attr = a.pixel_format;
  Dim channels;
  if (fmt_attr == "RGB" || fmt_attr == "BGR") channels = ctx.dim(3);
  if (fmt_attr == "Grayscale") channels = ctx.dim(1);
  ctx.set_output(0, DType::UInt8, Shape::of({Dim(), Dim(), channels}));
}

}  // namespace

void register_text(Registry& r) {
  // node/test_strnormalizer_* and simple/test_strnorm_model_*: up to 1.17
  // every StringNormalizer kernel opens the locale; 1.18 to 1.26 only for
  // case-insensitive matching; from 1.27 also to change case.
  r.define({.domain = "",
            .name = "StringNormalizer",
            .since = 10,
            .rule = string_normalizer_rule,
            .attrs = specs<StringNormalizerAttrs>(),
            .quirks = {.locale = LocaleNeed{.attr = "locale",
                                            .fallback = "en_US",
                                            .every_node_until = 1017,
                                            .case_sensitive_attr = "is_case_sensitive",
                                            .insensitive_use = "stopword matching",
                                            .case_change_from = 1027,
                                            .case_change_attr = "case_change_action",
                                            .case_changes = {"LOWER", "UPPER"}}}});
  r.define({.name = "TfIdfVectorizer", .since = 9, .rule = tfidf_rule, .attrs = specs<TfIdfVectorizerAttrs>()});
  r.define({.name = "RegexFullMatch", .since = 20, .rule = regex_full_match_rule, .attrs = specs<RegexFullMatchAttrs>()});
  r.add("", "StringConcat", 20, string_concat_rule);
  r.define({.name = "StringSplit", .since = 20, .rule = string_split_rule, .attrs = specs<StringSplitAttrs>()});
  r.define({.name = "ImageDecoder", .since = 20, .rule = image_decoder_rule, .attrs = specs<ImageDecoderAttrs>()});
}

}  // namespace onnxscope::ops
