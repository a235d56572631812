// Attention-23 and RotaryEmbedding-23.
#include <algorithm>
#include <map>
#include <cmath>
#include "model/ops/attention.h"
#include "model/ops/registry.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

// ---------------------------------------------------------------------------
// Attention-23 and RotaryEmbedding-23

// One of Attention's Q, K, V as [batch, heads, seq, head_size]: a 4-D input
// as it is, a 3-D [batch, seq, heads*head_size] split by the heads attribute.
struct Heads {
  Dim batch, heads, seq, head;
};

Heads split_heads(const Context& ctx, size_t i, const std::vector<Dim>* d, std::optional<int64_t> n,
                  const char* attr) {
  Heads h;
  if (!d) return h;
  if (d->size() == 4) return {(*d)[0], (*d)[1], (*d)[2], (*d)[3]};
  h.batch = (*d)[0];
  h.seq = (*d)[1];
  if (!n) {
    ctx.report(Code::MissingAttribute, Severity::Error, Phase::Load,
               fmt::format("{} input {} ({}) is 3-D, which needs the attribute {}", op(ctx), i,
                           util::quote(ctx.input_name(i)), attr),
               fmt::format("set {}, or pass 4-D [batch, heads, seq, head_size] inputs", attr), name_of(ctx, i));
    return h;
  }
  if (*n <= 0) {
    ctx.report(Code::AttributeValue, Severity::Error, Phase::Load, fmt::format("{} {} is {}", op(ctx), attr, *n));
    return h;
  }
  h.heads = ctx.dim(*n);
  h.head = divide_exact(ctx, (*d)[2], *n,
                        fmt::format("{} input {} ({}) hidden size vs {}", op(ctx), i, util::quote(ctx.input_name(i)),
                                    attr),
                        fmt::format("a 3-D input's last dimension is {} x head_size", attr), name_of(ctx, i));
  return h;
}

void attention_rule(Context& ctx) {
  const auto attrs = read<AttentionAttrs>(ctx.attrs());
  const char* qkv = "[batch, heads, seq, head_size] or [batch, seq, hidden]";
  const auto* q = ranked(ctx, 0, 3, 4, qkv);
  const auto* k = ranked(ctx, 1, 3, 4, qkv);
  const auto* v = ranked(ctx, 2, 3, 4, qkv);
  if ((q && k && q->size() != k->size()) || (q && v && q->size() != v->size()) ||
      (k && v && k->size() != v->size())) {
    ctx.report(Code::InputRank, Severity::Error, Phase::Load,
               "Attention Q, K and V must all be 3-D or all be 4-D");
    q = k = v = nullptr;
  }
  auto qn = attrs.q_num_heads, kvn = attrs.kv_num_heads;
  Heads Q = split_heads(ctx, 0, q, qn, "q_num_heads");
  Heads K = split_heads(ctx, 1, k, kvn, "kv_num_heads");
  Heads V = split_heads(ctx, 2, v, kvn, "kv_num_heads");
  auto eq = [&](Dim a, Dim b, size_t input, const std::string& what, const std::string& hint) {
    must_equal(ctx, a, b, Code::AttentionDims, "Attention " + what, hint, name_of(ctx, input));
  };
  eq(K.batch, Q.batch, 1, "K's batch vs Q's", "Q, K and V share the batch size");
  eq(V.batch, Q.batch, 2, "V's batch vs Q's", "Q, K and V share the batch size");
  eq(K.head, Q.head, 1, "K's head size vs Q's", "Q and K have the same head size (the dot product's length)");
  eq(V.heads, K.heads, 2, "V's number of heads vs K's", "K and V have kv_num_heads heads");
  eq(V.seq, K.seq, 2, "V's sequence length vs K's", "K and V have the same sequence length");
  if (auto a = Q.heads ? Q.heads.as_int() : std::nullopt; a && K.heads) {
    if (auto b = K.heads.as_int(); b && *b > 0 && *a % *b != 0) {
      ctx.report(Code::AttentionDims, Severity::Error, Phase::Load,
                 fmt::format("Attention has {} query heads and {} key/value heads; the query heads must be a multiple",
                             *a, *b),
                 "grouped-query attention shares each key/value head among q_num_heads / kv_num_heads query heads");
    }
  }
  // The cache: past_key [batch, kv_heads, past_seq, head_size], past_value
  // [batch, kv_heads, past_seq, v_head_size]; present = past ++ current.
  const auto* pk = ranked(ctx, 4, 4, 4, "[batch, kv_num_heads, past_seq, head_size]");
  const auto* pv = ranked(ctx, 5, 4, 4, "[batch, kv_num_heads, past_seq, v_head_size]");
  bool has_past = ctx.has_input(4) || ctx.has_input(5);
  if (ctx.has_input(4) != ctx.has_input(5)) {
    ctx.report(Code::AttentionDims, Severity::Error, Phase::Load,
               "Attention has only one of past_key and past_value; they are used together");
  }
  if (pk) {
    eq((*pk)[0], Q.batch, 4, "past_key's batch vs Q's", "the cache has the batch size of the inputs");
    eq((*pk)[1], K.heads, 4, "past_key's heads vs K's", "the key cache has kv_num_heads heads");
    eq((*pk)[3], K.head, 4, "past_key's head size vs K's", "the key cache has K's head size");
  }
  if (pv) {
    eq((*pv)[0], Q.batch, 5, "past_value's batch vs Q's", "the cache has the batch size of the inputs");
    eq((*pv)[1], V.heads, 5, "past_value's heads vs V's", "the value cache has kv_num_heads heads");
    eq((*pv)[3], V.head, 5, "past_value's head size vs V's", "the value cache has V's head size");
    if (pk) eq((*pv)[2], (*pk)[2], 5, "past_value's length vs past_key's", "both caches hold the same positions");
  }
  Dim past = pk ? (*pk)[2] : pv ? (*pv)[2] : Dim();
  Dim total = !has_past ? K.seq : past && K.seq ? past + K.seq : Dim();
  ranked(ctx, 3, 0, 4, "a tensor broadcastable to [batch, q_num_heads, q_seq, total_seq]");
  Dim batch = Q.batch ? Q.batch : K.batch;
  // Y: [batch, q_heads, q_seq, v_head_size], or 3-D [batch, q_seq, q_heads*v_head_size].
  if (!q) {
    ctx.set_output(0, DType::Undefined, Shape::unknown());
  } else if (q->size() == 4) {
    ctx.set_output(0, DType::Undefined, Shape::of({batch, Q.heads, Q.seq, V.head}));
  } else {
    Dim hidden;
    if (v && v->size() == 3 && qn && kvn && *kvn > 0 && *qn % *kvn == 0 && (*v)[2]) hidden = (*v)[2] * (*qn / *kvn);
    else if (V.head && Q.heads) hidden = V.head * Q.heads;
    ctx.set_output(0, DType::Undefined, Shape::of({batch, Q.seq, hidden}));
  }
  if (ctx.has_output(1)) ctx.set_output(1, DType::Undefined, Shape::of({batch, K.heads, total, K.head}));
  if (ctx.has_output(2)) ctx.set_output(2, DType::Undefined, Shape::of({batch, V.heads, total, V.head}));
  if (ctx.has_output(3)) ctx.set_output(3, DType::Undefined, Shape::of({batch, Q.heads, Q.seq, total}));
}

// RotaryEmbedding-23: Y has X's shape. X is [batch, heads, seq, head_size] or
// [batch, seq, num_heads*head_size]; the caches' last dimension is half the
// rotated size (rotary_embedding_dim, by default head_size).
void rotary_rule(Context& ctx) {
  const auto a = read<RotaryEmbeddingAttrs>(ctx.attrs());
  const Inferred& xi = ctx.input(0);
  ctx.set_output(0, DType::Undefined, xi.kind == Inferred::Kind::Tensor ? xi.shape : Shape::unknown());
  const auto* x = ranked(ctx, 0, 3, 4, "[batch, num_heads, seq, head_size] or [batch, seq, hidden]");
  Dim batch, seq, head;
  if (x) {
    batch = (*x)[0];
    seq = (*x)[x->size() == 4 ? 2 : 1];
    if (x->size() == 4) {
      head = (*x)[3];
    } else if (auto n = a.num_heads; n && *n > 0) {
      head = divide_exact(ctx, (*x)[2], *n, "RotaryEmbedding hidden size vs num_heads",
                          "a 3-D input's last dimension is num_heads x head_size", name_of(ctx, 0));
    } else {
      ctx.report(n ? Code::AttributeValue : Code::MissingAttribute, Severity::Error, Phase::Load,
                 n ? fmt::format("RotaryEmbedding num_heads is {}", *n)
                   : std::string("RotaryEmbedding input X is 3-D, which needs the attribute num_heads"),
                 "set num_heads, or pass X as [batch, num_heads, seq, head_size]", name_of(ctx, 0));
    }
  }
  int64_t rot_attr = a.rotary_embedding_dim;
  Dim rot = rot_attr > 0 ? ctx.dim(rot_attr) : head;
  if (rot_attr > 0 && head && sym::proven_gt(rot, head)) {
    ctx.report(Code::RotaryDims, Severity::Error, rot.as_int() && head.as_int() ? Phase::Load : Phase::Run,
               fmt::format("RotaryEmbedding rotary_embedding_dim {} exceeds the head size {}", rot_attr,
                           sym::to_string(head)),
               "rotary_embedding_dim rotates a leading part of each head");
  }
  Dim half = divide_exact(ctx, rot, 2, "RotaryEmbedding rotated size (rotary_embedding_dim or head_size)",
                          "the rotated part of each head is split into two halves");
  bool with_ids = ctx.has_input(3);
  if (with_ids) {
    if (const auto* p = ranked(ctx, 3, 2, 2, "[batch, seq]")) {
      must_equal(ctx, (*p)[0], batch, Code::RotaryDims, "RotaryEmbedding position_ids' batch vs X's",
                 "position_ids is [batch, seq]", name_of(ctx, 3));
      must_equal(ctx, (*p)[1], seq, Code::RotaryDims, "RotaryEmbedding position_ids' length vs X's sequence",
                 "position_ids is [batch, seq]", name_of(ctx, 3));
    }
  }
  for (size_t i : {size_t{1}, size_t{2}}) {
    const char* what = i == 1 ? "cos_cache" : "sin_cache";
    const auto* c = with_ids ? ranked(ctx, i, 2, 2, "[max_position + 1, rotary_dim/2] (with position_ids)")
                             : ranked(ctx, i, 3, 3, "[batch, seq, rotary_dim/2] (without position_ids)");
    if (!c) continue;
    must_equal(ctx, c->back(), half, Code::RotaryDims, fmt::format("RotaryEmbedding {}'s last dimension vs half the rotated size", what),
               "the caches hold one angle per pair of rotated elements", name_of(ctx, i));
    if (!with_ids) {
      must_equal(ctx, (*c)[0], batch, Code::RotaryDims, fmt::format("RotaryEmbedding {}'s batch vs X's", what),
                 "without position_ids the caches are [batch, seq, rotary_dim/2]", name_of(ctx, i));
      must_equal(ctx, (*c)[1], seq, Code::RotaryDims, fmt::format("RotaryEmbedding {}'s length vs X's sequence", what),
                 "without position_ids the caches are [batch, seq, rotary_dim/2]", name_of(ctx, i));
    }
  }
}

}  // namespace

void register_attention(Registry& r) {
  r.define({.name = "Attention", .since = 23, .rule = attention_rule, .attrs = specs<AttentionAttrs>()});
  r.define({.name = "RotaryEmbedding", .since = 23, .rule = rotary_rule, .attrs = specs<RotaryEmbeddingAttrs>()});
}

}  // namespace onnxscope::ops
