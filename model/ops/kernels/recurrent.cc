// Recurrent layer kernels: RNN, GRU (linear_before_reset) and LSTM
// (peepholes, input_forget), forward, reverse or bidirectional, with their
// activations, clip, sequence_lens, initial states and both layouts. The
// input and recurrent products go through OpenBLAS.
#include <cblas.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "model/ops/kernels/nn.h"
#include "model/ops/recurrent.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

enum class Cell { Rnn, Gru, Lstm };

// An activation function of the spec's list with its alpha and beta.
struct Activation {
  std::string name;  // lower case
  double alpha = 0, beta = 0;
  double operator()(double x) const {
    if (name == "sigmoid") return 1 / (1 + std::exp(-x));
    if (name == "tanh") return std::tanh(x);
    if (name == "relu") return std::max(x, 0.0);
    if (name == "affine") return alpha * x + beta;
    if (name == "leakyrelu") return x >= 0 ? x : alpha * x;
    if (name == "thresholdedrelu") return x > alpha ? x : 0.0;
    if (name == "scaledtanh") return alpha * std::tanh(beta * x);
    if (name == "hardsigmoid") return std::clamp(alpha * x + beta, 0.0, 1.0);
    if (name == "elu") return x >= 0 ? x : alpha * (std::exp(x) - 1);
    if (name == "softsign") return x / (1 + std::abs(x));
    return std::log1p(std::exp(-std::abs(x))) + std::max(x, 0.0);  // softplus
  }
};

// The activations of every direction: the attribute's names (case
// insensitive) or the defaults; alpha and beta values are taken in order by
// the functions that have them, their operator's default where the list
// ends.
std::vector<Activation> activations(const KernelContext& ctx, const RecurrentAttrs& a, Cell cell, int64_t dirs) {
  const size_t per = cell == Cell::Rnn ? 1 : cell == Cell::Gru ? 2 : 3;
  std::vector<std::string> names;
  if (a.activations) {
    for (std::string_view n : *a.activations) {
      std::string s(n);
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      names.push_back(s);
    }
    // RNN's schema default (Tanh, Tanh) is for two directions; the first
    // serves one.
    if (cell == Cell::Rnn && dirs == 1 && names.size() == 2) names.resize(1);
    if (names.size() != per * static_cast<size_t>(dirs)) {
      kernel_fail(Code::RunFailed, "{}: {} activations for {} direction(s); {} per direction", ctx.label(),
                  names.size(), dirs, per);
    }
  } else {
    for (int64_t d = 0; d < dirs; ++d) {
      if (cell == Cell::Rnn) names.push_back("tanh");
      else if (cell == Cell::Gru) names.insert(names.end(), {"sigmoid", "tanh"});
      else names.insert(names.end(), {"sigmoid", "tanh", "tanh"});
    }
  }
  const std::vector<float> alphas = a.activation_alpha.value_or(std::vector<float>{});
  const std::vector<float> betas = a.activation_beta.value_or(std::vector<float>{});
  size_t ai = 0, bi = 0;
  std::vector<Activation> out;
  for (const std::string& n : names) {
    Activation f{n};
    double da = 0, db = 0;
    bool has_a = true, has_b = false;
    if (n == "affine") da = 1, db = 0, has_b = true;
    else if (n == "leakyrelu") da = 0.01;
    else if (n == "thresholdedrelu" || n == "elu") da = 1;
    else if (n == "scaledtanh") da = 1, db = 1, has_b = true;
    else if (n == "hardsigmoid") da = 0.2, db = 0.5, has_b = true;
    else if (n == "sigmoid" || n == "tanh" || n == "relu" || n == "softsign" || n == "softplus") has_a = false;
    else kernel_fail(Code::RunFailed, "{}: activation \"{}\" is not one of the recurrent activations", ctx.label(), n);
    f.alpha = has_a && ai < alphas.size() ? alphas[ai++] : da;
    f.beta = has_b && bi < betas.size() ? betas[bi++] : db;
    out.push_back(f);
  }
  return out;
}

template <class C>
void gemm_nt(const C* a, const C* b, C* c, int64_t m, int64_t n, int64_t k, C beta) {
  // c[m, n] = a[m, k] * b[n, k]^T + beta * c
  if (m == 0 || n == 0 || k == 0) return;
  if constexpr (std::is_same_v<C, float>) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(m), int(n), int(k), 1.0f, a, int(k), b, int(k), beta, c,
                int(n));
  } else {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(m), int(n), int(k), 1.0, a, int(k), b, int(k), beta, c,
                int(n));
  }
}

template <class T>
std::vector<Acc<T>> to_acc(const Tensor& t) {
  std::vector<Acc<T>> v(t.count());
  const T* p = t.data<T>();
  for (uint64_t i = 0; i < t.count(); ++i) v[i] = load(p[i]);
  return v;
}

void expect_shape(const KernelContext& ctx, const Tensor& t, const std::vector<int64_t>& want, const char* what) {
  if (t.shape() != want) {
    kernel_fail(Code::RnnDims, "{}: {} has shape [{}]; the input and hidden_size make it [{}]", ctx.label(), what,
                fmt::join(t.shape(), ","), fmt::join(want, ","));
  }
}

template <Cell cell, class A>
void recurrent(KernelContext& ctx) {
  const auto a = read<A>(ctx.attrs());
  const RecurrentAttrs& ra = a;
  const int64_t gates = cell == Cell::Rnn ? 1 : cell == Cell::Gru ? 3 : 4;
  std::string_view direction = a.direction == "foward" ? "forward" : a.direction;
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional") {
    kernel_fail(Code::RunFailed, "{}: direction \"{}\"", ctx.label(), a.direction);
  }
  const int64_t dirs = direction == "bidirectional" ? 2 : 1;
  const bool batch_major = a.layout;
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  const Tensor& r = ctx.input(2);
  if (x.rank() != 3 || w.rank() != 3 || r.rank() != 3) {
    kernel_fail(Code::RnnDims, "{}: X, W and R have ranks {}, {} and {}; each has rank 3", ctx.label(), x.rank(),
                w.rank(), r.rank());
  }
  const int64_t seq = batch_major ? x.dim(1) : x.dim(0), batch = batch_major ? x.dim(0) : x.dim(1), in = x.dim(2);
  const int64_t hidden = a.hidden_size ? *a.hidden_size : r.dim(2);
  if (hidden <= 0 || hidden > INT32_MAX / 8 || in > INT32_MAX || batch > INT32_MAX) {
    kernel_fail(Code::RnnDims, "{}: hidden_size {} with input size {} and batch {}", ctx.label(), hidden, in, batch);
  }
  const int64_t gh = gates * hidden;
  expect_shape(ctx, w, {dirs, gh, in}, "W");
  expect_shape(ctx, r, {dirs, gh, hidden}, "R");
  const std::vector<int64_t> state_shape =
      batch_major ? std::vector<int64_t>{batch, dirs, hidden} : std::vector<int64_t>{dirs, batch, hidden};
  const bool has_b = ctx.has_input(3), has_h0 = ctx.has_input(5);
  const bool has_c0 = cell == Cell::Lstm && ctx.has_input(6), has_p = cell == Cell::Lstm && ctx.has_input(7);
  if (has_b) expect_shape(ctx, ctx.input(3), {dirs, 2 * gh}, "B");
  if (has_h0) expect_shape(ctx, ctx.input(5), state_shape, "initial_h");
  if (has_c0) expect_shape(ctx, ctx.input(6), state_shape, "initial_c");
  if (has_p) expect_shape(ctx, ctx.input(7), {dirs, 3 * hidden}, "P");
  std::vector<int64_t> lens(static_cast<size_t>(batch), seq);
  if (ctx.has_input(4)) {
    const Tensor& sl = ctx.input(4);
    if (sl.rank() != 1 || sl.dim(0) != batch) {
      kernel_fail(Code::RnnDims, "{}: sequence_lens has shape [{}]; the batch makes it [{}]", ctx.label(),
                  fmt::join(sl.shape(), ","), batch);
    }
    for (int64_t b = 0; b < batch; ++b) {
      const auto l = static_cast<int64_t>(sl.as_double(static_cast<uint64_t>(b)));
      if (l < 0 || l > seq) {
        kernel_fail(Code::RunFailed, "{}: sequence_lens[{}] is {}, outside [0, {}] (the sequence length)", ctx.label(),
                    b, l, seq);
      }
      lens[static_cast<size_t>(b)] = l;
    }
  }
  const std::vector<Activation> acts = activations(ctx, ra, cell, dirs);
  const size_t per = cell == Cell::Rnn ? 1 : cell == Cell::Gru ? 2 : 3;
  const double clip = a.clip ? static_cast<double>(*a.clip) : 0;
  const bool clipping = a.clip.has_value();
  // The spec's clip "is applied to the input of activations": every one,
  // LSTM's h(C) included.
  auto act = [&](const Activation& f, double v) { return f(clipping ? std::clamp(v, -clip, clip) : v); };

  const bool want_y = wanted(ctx, 0), want_h = wanted(ctx, 1), want_c = cell == Cell::Lstm && wanted(ctx, 2);
  const std::vector<int64_t> y_shape = batch_major ? std::vector<int64_t>{batch, seq, dirs, hidden}
                                                   : std::vector<int64_t>{seq, dirs, batch, hidden};
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    using C = Acc<T>;
    Tensor* y = want_y ? &ctx.output(0, x.dtype(), y_shape) : nullptr;
    Tensor* yh = want_h ? &ctx.output(1, x.dtype(), state_shape) : nullptr;
    Tensor* yc = want_c ? &ctx.output(2, x.dtype(), state_shape) : nullptr;
    // Scratch: X in time-major order, its products with W, the states.
    const std::vector<int64_t> xw_shape{seq, batch, gh};
    const auto counted = value::element_count(xw_shape);
    if (!counted) kernel_fail(Code::RunFailed, "{}: {} x {} x {} gate values overflow", ctx.label(), seq, batch, gh);
    const uint64_t xw_count = *counted;
    ctx.host().charge((xw_count + x.count() + w.count() + r.count()) * sizeof(C), "recurrent layer scratch");
    std::vector<C> xs(x.count());
    const T* xp = x.data<T>();
    for (int64_t t = 0; t < seq; ++t) {
      for (int64_t b = 0; b < batch; ++b) {
        const int64_t src = batch_major ? (b * seq + t) * in : (t * batch + b) * in;
        for (int64_t i = 0; i < in; ++i) xs[static_cast<size_t>((t * batch + b) * in + i)] = load(xp[src + i]);
      }
    }
    const std::vector<C> wv = to_acc<T>(w), rv = to_acc<T>(r);
    const std::vector<C> bv = has_b ? to_acc<T>(ctx.input(3)) : std::vector<C>(static_cast<size_t>(dirs * 2 * gh), C{});
    const std::vector<C> pv = has_p ? to_acc<T>(ctx.input(7)) : std::vector<C>(static_cast<size_t>(dirs * 3 * hidden), C{});
    std::vector<C> xw(xw_count), hr(static_cast<size_t>(batch * gh)), rh(static_cast<size_t>(batch * hidden));
    std::vector<C> h(static_cast<size_t>(batch * hidden)), c(h.size()), hn(h.size());
    auto state_at = [&](int64_t d, int64_t b) { return batch_major ? (b * dirs + d) * hidden : (d * batch + b) * hidden; };
    for (int64_t d = 0; d < dirs; ++d) {
      const bool reverse = direction == "reverse" || d == 1;
      const C* wd = wv.data() + d * gh * in;
      const C* rd = rv.data() + d * gh * hidden;
      const C* wb = bv.data() + d * 2 * gh;
      const C* rb = wb + gh;
      const C* pd = pv.data() + d * 3 * hidden;
      const Activation* f = acts.data() + d * static_cast<int64_t>(per);
      gemm_nt<C>(xs.data(), wd, xw.data(), seq * batch, gh, in, C{0});
      for (int64_t b = 0; b < batch; ++b) {
        for (int64_t j = 0; j < hidden; ++j) {
          const auto k = static_cast<size_t>(b * hidden + j), at = static_cast<size_t>(state_at(d, b) + j);
          h[k] = has_h0 ? load(ctx.input(5).data<T>()[at]) : C{};
          c[k] = has_c0 ? load(ctx.input(6).data<T>()[at]) : C{};
        }
      }
      for (int64_t s = 0; s < seq; ++s) {
        poll(uint64_t(batch) * uint64_t(gh) * uint64_t(hidden));
        // H_{t-1} R^T for every gate (GRU's h gate without linear_before_reset
        // is redone below on r (.) H).
        gemm_nt<C>(h.data(), rd, hr.data(), batch, gh, hidden, C{0});
        hn = h;
        if (cell == Cell::Gru && !a.linear_before_reset) {
          // rh = (r (.) H) for the rows that step.
          for (int64_t b = 0; b < batch; ++b) {
            if (s >= lens[static_cast<size_t>(b)]) continue;
            const int64_t t = reverse ? lens[static_cast<size_t>(b)] - 1 - s : s;
            const C* g = xw.data() + (t * batch + b) * gh;
            const C* q = hr.data() + b * gh;
            for (int64_t j = 0; j < hidden; ++j) {
              const double rg = act(f[0], double(g[hidden + j]) + q[hidden + j] + wb[hidden + j] + rb[hidden + j]);
              rh[static_cast<size_t>(b * hidden + j)] = static_cast<C>(rg * double(h[static_cast<size_t>(b * hidden + j)]));
            }
          }
          // hr's h-gate part becomes (r (.) H) Rh^T.
          std::vector<C> tmp(static_cast<size_t>(batch * hidden));
          gemm_nt<C>(rh.data(), rd + 2 * hidden * hidden, tmp.data(), batch, hidden, hidden, C{0});
          for (int64_t b = 0; b < batch; ++b) {
            for (int64_t j = 0; j < hidden; ++j) hr[static_cast<size_t>(b * gh + 2 * hidden + j)] = tmp[static_cast<size_t>(b * hidden + j)];
          }
        }
        for (int64_t b = 0; b < batch; ++b) {
          if (s >= lens[static_cast<size_t>(b)]) continue;
          const int64_t t = reverse ? lens[static_cast<size_t>(b)] - 1 - s : s;
          const C* g = xw.data() + (t * batch + b) * gh;
          const C* q = hr.data() + b * gh;
          for (int64_t j = 0; j < hidden; ++j) {
            const auto k = static_cast<size_t>(b * hidden + j);
            double out;
            if constexpr (cell == Cell::Rnn) {
              out = act(f[0], double(g[j]) + q[j] + wb[j] + rb[j]);
            } else if constexpr (cell == Cell::Gru) {
              const int64_t zj = j, rj = hidden + j, hj = 2 * hidden + j;
              const double zg = act(f[0], double(g[zj]) + q[zj] + wb[zj] + rb[zj]);
              double hg;
              if (a.linear_before_reset) {
                const double rg = act(f[0], double(g[rj]) + q[rj] + wb[rj] + rb[rj]);
                hg = act(f[1], double(g[hj]) + rg * (double(q[hj]) + rb[hj]) + wb[hj]);
              } else {
                hg = act(f[1], double(g[hj]) + q[hj] + rb[hj] + wb[hj]);
              }
              out = (1 - zg) * hg + zg * double(h[k]);
            } else {
              // Gate order i, o, f, c; peepholes i, o, f.
              const int64_t ij = j, oj = hidden + j, fj = 2 * hidden + j, cj = 3 * hidden + j;
              const double cp = c[k];
              const double ig = act(f[0], double(g[ij]) + q[ij] + wb[ij] + rb[ij] + pd[j] * cp);
              const double fg = a.input_forget ? 1 - ig : act(f[0], double(g[fj]) + q[fj] + wb[fj] + rb[fj] + pd[2 * hidden + j] * cp);
              const double cg = act(f[1], double(g[cj]) + q[cj] + wb[cj] + rb[cj]);
              const double cn = fg * cp + ig * cg;
              const double og = act(f[0], double(g[oj]) + q[oj] + wb[oj] + rb[oj] + pd[hidden + j] * cn);
              c[k] = static_cast<C>(cn);
              out = og * act(f[2], cn);
            }
            hn[k] = static_cast<C>(out);
            if (y) {
              const int64_t at = batch_major ? ((b * seq + t) * dirs + d) * hidden + j : ((t * dirs + d) * batch + b) * hidden + j;
              y->data<T>()[at] = store<T>(out);
            }
          }
        }
        std::swap(h, hn);
      }
      for (int64_t b = 0; b < batch; ++b) {
        for (int64_t j = 0; j < hidden; ++j) {
          const auto k = static_cast<size_t>(b * hidden + j), at = static_cast<size_t>(state_at(d, b) + j);
          if (yh) yh->data<T>()[at] = store<T>(h[k]);
          if (yc) yc->data<T>()[at] = store<T>(c[k]);
        }
      }
    }
  });
}

}  // namespace

void register_recurrent(Registry& r) {
  r.set_kernel("", "RNN", 1, recurrent<Cell::Rnn, RNNAttrs>, 13);
  r.set_kernel("", "RNN", 14, recurrent<Cell::Rnn, RNN14Attrs>);
  r.set_kernel("", "GRU", 1, recurrent<Cell::Gru, GRUAttrs>, 13);
  r.set_kernel("", "GRU", 14, recurrent<Cell::Gru, GRU14Attrs>);
  r.set_kernel("", "LSTM", 1, recurrent<Cell::Lstm, LSTMAttrs>, 13);
  r.set_kernel("", "LSTM", 14, recurrent<Cell::Lstm, LSTM14Attrs>);
}

}  // namespace onnxscope::ops::kernels
