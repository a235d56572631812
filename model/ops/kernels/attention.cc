// Attention kernels: Attention (23, 24's nonpad_kv_seqlen, 25's sliding
// window) and RotaryEmbedding-23.
#include <algorithm>
#include <cmath>
#include <limits>

#include "model/ops/attention.h"
#include "model/ops/kernels/nn.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// A [batch, heads, seq, size] view of a 4-D input, or of a 3-D [batch, seq,
// heads * size] one split into `heads`, read as doubles.
struct Heads4 {
  int64_t batch = 0, heads = 0, seq = 0, size = 0;
  std::vector<double> v;  // [batch, heads, seq, size]
  double at(int64_t b, int64_t h, int64_t s, int64_t d) const { return v[size_t(((b * heads + h) * seq + s) * size + d)]; }
};

Heads4 heads_of(KernelContext& ctx, const Tensor& t, std::optional<int64_t> n, std::string_view what,
                std::string_view attr) {
  Heads4 h;
  if (t.rank() == 4) {
    h = {t.dim(0), t.dim(1), t.dim(2), t.dim(3), {}};
  } else if (t.rank() == 3) {
    if (!n || *n <= 0) {
      kernel_fail(Code::AttentionDims, "{}: {} is 3-D ([{}]), which needs the attribute {} (a positive number)",
                  ctx.label(), what, fmt::join(t.shape(), ","), attr);
    }
    if (t.dim(2) % *n != 0) {
      kernel_fail(Code::AttentionDims, "{}: {}'s hidden size {} does not split into {} {} heads", ctx.label(), what,
                  t.dim(2), *n, attr);
    }
    h = {t.dim(0), *n, t.dim(1), t.dim(2) / *n, {}};
  } else {
    kernel_fail(Code::InputRank, "{}: {} has rank {}; it is [batch, heads, seq, head_size] or [batch, seq, hidden]",
                ctx.label(), what, t.rank());
  }
  ctx.host().charge(t.count() * sizeof(double), fmt::format("{} {} as doubles", ctx.label(), what));
  h.v.resize(t.count());
  for (int64_t b = 0; b < h.batch; ++b)
    for (int64_t hd = 0; hd < h.heads; ++hd)
      for (int64_t s = 0; s < h.seq; ++s)
        for (int64_t d = 0; d < h.size; ++d) {
          uint64_t src = t.rank() == 4 ? uint64_t(((b * h.heads + hd) * h.seq + s) * h.size + d)
                                       : uint64_t((b * h.seq + s) * h.heads * h.size + hd * h.size + d);
          h.v[size_t(((b * h.heads + hd) * h.seq + s) * h.size + d)] = t.as_double(src);
        }
  return h;
}

// The cache (past ++ current along the sequence).
Heads4 concat_past(KernelContext& ctx, const Tensor* past, Heads4 cur, std::string_view what) {
  if (!past) return cur;
  if (past->rank() != 4 || past->dim(0) != cur.batch || past->dim(1) != cur.heads || past->dim(3) != cur.size) {
    kernel_fail(Code::AttentionDims, "{}: {} of shape [{}] does not fit [{}, {}, past_seq, {}]", ctx.label(), what,
                fmt::join(past->shape(), ","), cur.batch, cur.heads, cur.size);
  }
  Heads4 p = heads_of(ctx, *past, std::nullopt, what, "");
  Heads4 out{cur.batch, cur.heads, p.seq + cur.seq, cur.size, {}};
  ctx.host().charge(uint64_t(out.batch * out.heads * out.seq * out.size) * sizeof(double),
                    fmt::format("{} present cache", ctx.label()));
  out.v.resize(size_t(out.batch * out.heads * out.seq * out.size));
  for (int64_t b = 0; b < out.batch; ++b)
    for (int64_t h = 0; h < out.heads; ++h)
      for (int64_t s = 0; s < out.seq; ++s)
        for (int64_t d = 0; d < out.size; ++d)
          out.v[size_t(((b * out.heads + h) * out.seq + s) * out.size + d)] =
              s < p.seq ? p.at(b, h, s, d) : cur.at(b, h, s - p.seq, d);
  return out;
}

void store_doubles(KernelContext& ctx, size_t i, DType dt, std::vector<int64_t> shape, const std::vector<double>& v) {
  Tensor& y = ctx.output(i, dt, std::move(shape));
  floating(ctx, dt, [&](auto z) {
    using T = decltype(z);
    for (size_t k = 0; k < v.size(); ++k) y.data<T>()[k] = store<T>(static_cast<Acc<T>>(v[k]));
  });
}

// Attention: softmax(scale * Q K^T (softcapped) + bias) V, the bias from
// attn_mask (bool: false is -inf; numbers are added), is_causal (key j is
// visible to query i iff j <= i + offset), nonpad_kv_seqlen (24: keys from
// that length on are padding) and the window (25). A row with no key left
// is zero, in Y and in the softmax output of qk_matmul_output_mode 3.
void k_attention(KernelContext& ctx) {
  const auto a = read<AttentionAttrs>(ctx.attrs());
  const int v = ctx.version();
  const Tensor& q_in = ctx.input(0);
  const Tensor& k_in = ctx.input(1);
  const Tensor& v_in = ctx.input(2);
  if (q_in.rank() != k_in.rank() || q_in.rank() != v_in.rank()) {
    kernel_fail(Code::InputRank, "{}: Q, K and V have ranks {}, {} and {}; they are all 3-D or all 4-D", ctx.label(),
                q_in.rank(), k_in.rank(), v_in.rank());
  }
  Heads4 Q = heads_of(ctx, q_in, a.q_num_heads, "Q", "q_num_heads");
  Heads4 K = heads_of(ctx, k_in, a.kv_num_heads, "K", "kv_num_heads");
  Heads4 V = heads_of(ctx, v_in, a.kv_num_heads, "V", "kv_num_heads");
  if (K.batch != Q.batch || V.batch != Q.batch || K.size != Q.size || V.heads != K.heads || V.seq != K.seq) {
    kernel_fail(Code::AttentionDims,
                "{}: Q [{}], K [{}] and V [{}] as [batch, heads, seq, size] do not agree (Q and K share the head "
                "size, K and V the heads and the sequence, all three the batch)",
                ctx.label(), fmt::format("{},{},{},{}", Q.batch, Q.heads, Q.seq, Q.size),
                fmt::format("{},{},{},{}", K.batch, K.heads, K.seq, K.size),
                fmt::format("{},{},{},{}", V.batch, V.heads, V.seq, V.size));
  }
  if (K.heads <= 0 || Q.heads % K.heads != 0) {
    kernel_fail(Code::AttentionDims, "{}: {} query heads are not a multiple of {} key/value heads", ctx.label(),
                Q.heads, K.heads);
  }
  const Tensor* past_k = ctx.has_input(4) ? &ctx.input(4) : nullptr;
  const Tensor* past_v = ctx.has_input(5) ? &ctx.input(5) : nullptr;
  if (!past_k != !past_v) {
    kernel_fail(Code::AttentionDims, "{}: only one of past_key and past_value is given", ctx.label());
  }
  const int64_t past = past_k && past_k->rank() == 4 ? past_k->dim(2) : 0;
  K = concat_past(ctx, past_k, std::move(K), "past_key");
  V = concat_past(ctx, past_v, std::move(V), "past_value");
  if (past_v && past_k && past_v->dim(2) != past_k->dim(2)) {
    kernel_fail(Code::AttentionDims, "{}: past_key holds {} positions, past_value {}", ctx.label(), past_k->dim(2),
                past_v->dim(2));
  }
  const int64_t B = Q.batch, Hq = Q.heads, Sq = Q.seq, D = Q.size, Dv = V.size, total = K.seq;
  const int64_t group = Hq / K.heads;
  // nonpad_kv_seqlen (24 on): valid keys per batch.
  std::vector<int64_t> nonpad;
  if (v >= 24 && ctx.has_input(6)) {
    if (past_k) kernel_fail(Code::AttentionDims, "{}: nonpad_kv_seqlen is used with past_key", ctx.label());
    nonpad = ctx.input(6).ints();
    if (int64_t(nonpad.size()) != B) {
      kernel_fail(Code::AttentionDims, "{}: nonpad_kv_seqlen has {} values for a batch of {}", ctx.label(),
                  nonpad.size(), B);
    }
    for (int64_t n : nonpad) {
      if (n < 0 || n > total) {
        kernel_fail(Code::RunIndexRange, "{}: nonpad_kv_seqlen value {} is outside [0, {}]", ctx.label(), n, total);
      }
    }
  }
  // The mask broadcast to [B, Hq, Sq, total]; from 24 its last dimension may
  // be shorter (the rest is -inf).
  const Tensor* mask = ctx.has_input(3) ? &ctx.input(3) : nullptr;
  std::vector<int64_t> mdims(4, 1), mstr(4, 0);
  if (mask) {
    if (mask->rank() > 4) kernel_fail(Code::AttentionDims, "{}: attn_mask has rank {}", ctx.label(), mask->rank());
    for (size_t k = 0; k < mask->rank(); ++k) mdims[4 - mask->rank() + k] = mask->dim(k);
    const int64_t want[4] = {B, Hq, Sq, total};
    for (size_t k = 0; k < 4; ++k) {
      bool ok = mdims[k] == 1 || mdims[k] == want[k] || (k == 3 && v >= 24 && mdims[k] < want[k]);
      if (!ok) {
        kernel_fail(Code::Broadcast, "{}: attn_mask of shape [{}] does not broadcast to [{}, {}, {}, {}]", ctx.label(),
                    fmt::join(mask->shape(), ","), B, Hq, Sq, total);
      }
    }
    int64_t s = 1;
    for (size_t k = 4; k-- > 0;) {
      mstr[k] = mdims[k] == 1 ? 0 : s;
      s *= mdims[k];
    }
  }
  const double scale = a.scale ? double(*a.scale) : 1.0 / std::sqrt(double(D));
  const int64_t mode = a.qk_matmul_output_mode;
  if (mode < 0 || mode > 3) kernel_fail(Code::RunFailed, "{}: qk_matmul_output_mode {}", ctx.label(), mode);
  const int64_t left = v >= 25 ? a.left_window_size : -1, right = v >= 25 ? a.right_window_size : -1;
  ctx.host().charge(uint64_t(B * Hq * Sq) * uint64_t(total + Dv) * sizeof(double), fmt::format("{} scores", ctx.label()));
  std::vector<double> qk(size_t(B * Hq * Sq * total)), y(size_t(B * Hq * Sq * Dv), 0.0);
  std::vector<double> row(static_cast<size_t>(total));
  for (int64_t b = 0; b < B; ++b) {
    const int64_t offset = past_k ? past : !nonpad.empty() ? nonpad[size_t(b)] - Sq : 0;
    for (int64_t h = 0; h < Hq; ++h) {
      const int64_t kh = h / group;
      for (int64_t i = 0; i < Sq; ++i) {
        double* out_qk = &qk[size_t(((b * Hq + h) * Sq + i) * total)];
        for (int64_t j = 0; j < total; ++j) {
          double s = 0;
          for (int64_t d = 0; d < D; ++d) s += Q.at(b, h, i, d) * K.at(b, kh, j, d);
          s *= scale;
          if (mode == 0) out_qk[j] = s;
          if (a.softcap > 0) s = a.softcap * std::tanh(s / a.softcap);
          if (mode == 1) out_qk[j] = s;
          double bias = 0;
          if (mask) {
            if (j >= mdims[3] && mdims[3] != 1) {
              bias = kNegInf;
            } else {
              const int64_t jj = mdims[3] == 1 ? 0 : j;
              uint64_t off = uint64_t(b * mstr[0] + h * mstr[1] + i * mstr[2] + jj * mstr[3]);
              if (mask->dtype() == DType::Bool) bias = mask->data<bool>()[off] ? 0.0 : kNegInf;
              else bias = mask->as_double(off);
            }
          }
          const int64_t p = offset + i;
          if (a.is_causal && j > p) bias = kNegInf;
          if (!nonpad.empty() && j >= nonpad[size_t(b)]) bias = kNegInf;
          if (left >= 0 && j < p - left) bias = kNegInf;
          if (right >= 0 && j > p + right) bias = kNegInf;
          s += bias;
          if (mode == 2) out_qk[j] = s;
          row[size_t(j)] = s;
        }
        double mx = kNegInf;
        for (double s : row) mx = std::max(mx, s);
        if (mx == kNegInf) {
          // Every key masked: a zero row.
          std::fill(row.begin(), row.end(), 0.0);
        } else {
          double sum = 0;
          for (double& s : row) sum += (s = std::exp(s - mx));
          for (double& s : row) s /= sum;
        }
        if (mode == 3) std::copy(row.begin(), row.end(), out_qk);
        double* out_y = &y[size_t(((b * Hq + h) * Sq + i) * Dv)];
        for (int64_t j = 0; j < total; ++j) {
          if (row[size_t(j)] == 0) continue;
          for (int64_t d = 0; d < Dv; ++d) out_y[d] += row[size_t(j)] * V.at(b, kh, j, d);
        }
        poll(uint64_t(total) * uint64_t(D + Dv) + 1);  // a query's row: total * (D + Dv) products
      }
    }
  }
  const DType t1 = q_in.dtype();
  if (q_in.rank() == 4) {
    store_doubles(ctx, 0, t1, {B, Hq, Sq, Dv}, y);
  } else {
    std::vector<double> y3(y.size());
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < Hq; ++h)
        for (int64_t i = 0; i < Sq; ++i)
          for (int64_t d = 0; d < Dv; ++d)
            y3[size_t((b * Sq + i) * Hq * Dv + h * Dv + d)] = y[size_t(((b * Hq + h) * Sq + i) * Dv + d)];
    store_doubles(ctx, 0, t1, {B, Sq, Hq * Dv}, y3);
  }
  if (wanted(ctx, 1)) store_doubles(ctx, 1, k_in.dtype(), {B, K.heads, total, D}, K.v);
  if (wanted(ctx, 2)) store_doubles(ctx, 2, v_in.dtype(), {B, V.heads, total, Dv}, V.v);
  if (wanted(ctx, 3)) store_doubles(ctx, 3, t1, {B, Hq, Sq, total}, qk);
}

// RotaryEmbedding-23: the first rotary_embedding_dim values of each head
// rotated in pairs (the two halves, or even and odd when interleaved) by the
// cos and sin of the token's position: cos_cache / sin_cache [max_pos,
// dim/2] indexed by position_ids [batch, seq], or [batch, seq, dim/2]
// without them.
void k_rotary(KernelContext& ctx) {
  const auto a = read<RotaryEmbeddingAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& cos_c = ctx.input(1);
  const Tensor& sin_c = ctx.input(2);
  int64_t batch, seq, heads, head;
  if (x.rank() == 4) {
    batch = x.dim(0), heads = x.dim(1), seq = x.dim(2), head = x.dim(3);
  } else if (x.rank() == 3) {
    if (!a.num_heads || *a.num_heads <= 0 || x.dim(2) % *a.num_heads != 0) {
      kernel_fail(Code::RotaryDims, "{}: X of shape [{}] is 3-D, which needs num_heads dividing its hidden size {}",
                  ctx.label(), fmt::join(x.shape(), ","), x.dim(2));
    }
    batch = x.dim(0), seq = x.dim(1), heads = *a.num_heads, head = x.dim(2) / heads;
  } else {
    kernel_fail(Code::InputRank, "{}: X has rank {}; it is [batch, heads, seq, head_size] or [batch, seq, hidden]",
                ctx.label(), x.rank());
  }
  const int64_t rot = a.rotary_embedding_dim ? a.rotary_embedding_dim : head;
  if (rot > head || rot < 0 || rot % 2) {
    kernel_fail(Code::RotaryDims, "{}: rotary_embedding_dim {} for a head size of {} (it is even and at most that)",
                ctx.label(), rot, head);
  }
  const int64_t half = rot / 2;
  std::vector<int64_t> pos;
  if (ctx.has_input(3)) {
    const Tensor& p = ctx.input(3);
    if (p.rank() != 2 || p.dim(0) != batch || p.dim(1) != seq) {
      kernel_fail(Code::RotaryDims, "{}: position_ids of shape [{}]; X needs [{}, {}]", ctx.label(),
                  fmt::join(p.shape(), ","), batch, seq);
    }
    for (uint64_t i = 0; i < p.count(); ++i) pos.push_back(p.as_int(i));
  }
  for (const Tensor* c : {&cos_c, &sin_c}) {
    const bool ok = pos.empty() ? c->rank() == 3 && c->dim(0) == batch && c->dim(1) == seq && c->dim(2) == half
                                : c->rank() == 2 && c->dim(1) == half;
    if (!ok) {
      kernel_fail(Code::RotaryDims, "{}: {} of shape [{}]; it is {}", ctx.label(), c == &cos_c ? "cos_cache" : "sin_cache",
                  fmt::join(c->shape(), ","),
                  pos.empty() ? fmt::format("[{}, {}, {}] without position_ids", batch, seq, half)
                              : fmt::format("[max_position + 1, {}] with position_ids", half));
    }
  }
  const int64_t max_pos = pos.empty() ? 0 : cos_c.dim(0);
  if (!pos.empty() && sin_c.dim(0) != max_pos) {
    kernel_fail(Code::RotaryDims, "{}: cos_cache has {} positions, sin_cache {}", ctx.label(), max_pos, sin_c.dim(0));
  }
  for (int64_t p : pos) {
    if (p < 0 || p >= max_pos) {
      kernel_fail(Code::RunIndexRange, "{}: position id {} is outside the caches' [0, {})", ctx.label(), p, max_pos);
    }
  }
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    std::copy(in, in + x.count(), out);
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t s = 0; s < seq; ++s) {
        const uint64_t row = pos.empty() ? uint64_t((b * seq + s) * half) : uint64_t(pos[size_t(b * seq + s)] * half);
        for (int64_t h = 0; h < heads; ++h) {
          const int64_t base = x.rank() == 4 ? ((b * heads + h) * seq + s) * head : (b * seq + s) * heads * head + h * head;
          for (int64_t k = 0; k < half; ++k) {
            const int64_t i1 = a.interleaved ? base + 2 * k : base + k;
            const int64_t i2 = a.interleaved ? base + 2 * k + 1 : base + k + half;
            const double c = cos_c.as_double(row + uint64_t(k)), sn = sin_c.as_double(row + uint64_t(k));
            const double x1 = load(in[i1]), x2 = load(in[i2]);
            out[i1] = store<T>(static_cast<Acc<T>>(c * x1 - sn * x2));
            out[i2] = store<T>(static_cast<Acc<T>>(sn * x1 + c * x2));
          }
        }
      }
  });
}

}  // namespace

void register_attention(Registry& r) {
  r.set_kernel("", "Attention", 23, k_attention);
  r.set_kernel("", "RotaryEmbedding", 23, k_rotary);
}

}  // namespace onnxscope::ops::kernels
