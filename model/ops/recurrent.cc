// Recurrent layers: RNN (1 gate), GRU (3), LSTM (4).
#include <algorithm>
#include <map>
#include <cmath>
#include "model/ops/recurrent.h"
#include "model/ops/registry.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

// ---------------------------------------------------------------------------
// Recurrent layers: RNN (1 gate), GRU (3), LSTM (4)

template <class A>
void rnn_rule(Context& ctx) {
  const auto a = read<A>(ctx.attrs());
  std::string_view type = ctx.node().op_type;
  int64_t gates = type == "LSTM" ? 4 : type == "GRU" ? 3 : 1;
  // GRU-1's schema default is the misspelt "foward": it runs forward.
  std::string direction(ctx.version() < 3 && a.direction == "foward" ? "forward" : a.direction);
  Dim dirs;
  if (check_choice(ctx, "direction", direction, {"forward", "reverse", "bidirectional"}))
    dirs = ctx.dim(direction == "bidirectional" ? 2 : 1);
  bool batch_first = a.layout;
  const auto* x = ranked(ctx, 0, 3, 3, batch_first ? "[batch_size, seq_length, input_size] (layout 1)"
                                                    : "[seq_length, batch_size, input_size]");
  const auto* w = ranked(ctx, 1, 3, 3, "[num_directions, gates*hidden_size, input_size]");
  const auto* r = ranked(ctx, 2, 3, 3, "[num_directions, gates*hidden_size, hidden_size]");
  Dim seq, batch, input_size;
  if (x) {
    seq = (*x)[batch_first ? 1 : 0];
    batch = (*x)[batch_first ? 0 : 1];
    input_size = (*x)[2];
  }
  Dim hidden;
  if (auto h = a.hidden_size) {
    if (*h > 0) hidden = ctx.dim(*h);
    else ctx.report(Code::AttributeValue, Severity::Error, Phase::Load, fmt::format("{} hidden_size is {}", op(ctx), *h));
  } else if (r && (*r)[2]) {
    hidden = (*r)[2];
  } else if (w && (*w)[1]) {
    hidden = gates == 1 ? (*w)[1] : sym::floor_div((*w)[1], gates);
  }
  std::string gates_text = gates == 1 ? "" : fmt::format("{}*", gates);
  Dim gated = hidden ? hidden * gates : Dim();
  auto check = [&](size_t i, const std::vector<Dim>* d, size_t k, Dim want, const std::string& what,
                   const std::string& hint) {
    if (d && k < d->size()) {
      must_equal(ctx, (*d)[k], want, Code::RnnDims, fmt::format("{} {}", op(ctx), what), hint, name_of(ctx, i));
    }
  };
  check(1, w, 0, dirs, "W's first dimension vs the number of directions",
        "W holds one weight matrix per direction (2 when bidirectional)");
  check(1, w, 1, gated, fmt::format("W's second dimension vs {}hidden_size", gates_text),
        fmt::format("W is [num_directions, {}hidden_size, input_size]", gates_text));
  check(1, w, 2, input_size, "input_size: W's last dimension vs X's",
        "the input's feature size must be the layer's input_size; in PyTorch check the input_size of the RNN "
        "module against what reaches it");
  check(2, r, 0, dirs, "R's first dimension vs the number of directions",
        "R holds one recurrence matrix per direction (2 when bidirectional)");
  check(2, r, 1, gated, fmt::format("R's second dimension vs {}hidden_size", gates_text),
        fmt::format("R is [num_directions, {}hidden_size, hidden_size]", gates_text));
  check(2, r, 2, hidden, "R's last dimension vs hidden_size", "R is square in hidden_size per gate");
  if (const auto* b = ranked(ctx, 3, 2, 2, "[num_directions, 2*gates*hidden_size]")) {
    check(3, b, 0, dirs, "B's first dimension vs the number of directions", "B holds one bias per direction");
    check(3, b, 1, gated ? gated * 2 : Dim(), fmt::format("B's second dimension vs 2*{}hidden_size", gates_text),
          "B concatenates the input and recurrence biases of every gate");
  }
  if (const auto* s = ranked(ctx, 4, 1, 1, "[batch_size]")) {
    check(4, s, 0, batch, "sequence_lens length vs the batch size", "sequence_lens has one length per batch entry");
  }
  Dim state_dims[3] = {batch_first ? batch : dirs, batch_first ? dirs : batch, hidden};
  for (size_t i : {size_t{5}, size_t{6}}) {
    if (i == 6 && gates != 4) break;
    const auto* h = ranked(ctx, i, 3, 3,
                           batch_first ? "[batch_size, num_directions, hidden_size] (layout 1)"
                                       : "[num_directions, batch_size, hidden_size]");
    const char* what = i == 5 ? "initial_h" : "initial_c";
    const char* axes[3] = {batch_first ? "batch size" : "number of directions",
                           batch_first ? "number of directions" : "batch size", "hidden_size"};
    for (size_t k = 0; k < 3; ++k) {
      check(i, h, k, state_dims[k], fmt::format("{} dimension {} vs the {}", what, k, axes[k]),
            fmt::format("{} has the shape of Y_h", what));
    }
  }
  if (gates == 4) {
    if (const auto* p = ranked(ctx, 7, 2, 2, "[num_directions, 3*hidden_size]")) {
      check(7, p, 0, dirs, "P's first dimension vs the number of directions", "P holds one peephole per direction");
      check(7, p, 1, hidden ? hidden * 3 : Dim(), "P's second dimension vs 3*hidden_size",
            "P is [num_directions, 3*hidden_size]");
    }
  }
  std::vector<Dim> y = batch_first ? std::vector<Dim>{batch, seq, dirs, hidden}
                                   : std::vector<Dim>{seq, dirs, batch, hidden};
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(y)));
  for (size_t i = 1; i < ctx.num_outputs() && i < 3; ++i) {
    ctx.set_output(i, DType::Undefined, Shape::of({state_dims[0], state_dims[1], state_dims[2]}));
  }
}

}  // namespace

void register_recurrent(Registry& r) {
  r.define({.name = "RNN", .since = 1, .rule = rnn_rule<RNNAttrs>, .attrs = specs<RNNAttrs>()});
  r.define({.name = "GRU", .since = 1, .rule = rnn_rule<GRUAttrs>, .attrs = specs<GRUAttrs>()});
  r.define({.name = "LSTM", .since = 1, .rule = rnn_rule<LSTMAttrs>, .attrs = specs<LSTMAttrs>()});
  // layout=1 (from version 14): refused by every measured release, 1.10 to
  // 1.30 (node/test_{simple_rnn,gru,lstm}_batchwise, bench/ort/live_check.js).
  struct Layout {
    std::string_view name;
    Rule rule;
    std::vector<AttrSpec> attrs;
  };
  for (const Layout& l : {Layout{"RNN", rnn_rule<RNN14Attrs>, specs<RNN14Attrs>()},
                          Layout{"GRU", rnn_rule<GRU14Attrs>, specs<GRU14Attrs>()},
                          Layout{"LSTM", rnn_rule<LSTM14Attrs>, specs<LSTM14Attrs>()}}) {
    r.define({.domain = "",
              .name = l.name,
              .since = 14,
              .rule = l.rule,
              .attrs = l.attrs,
              .quirks = {.refused = {{.attr = "layout",
                                      .value = 1,
                                      .meaning = "batch-major inputs and outputs",
                                      .runtime_says = "layout_ == 0 was false. Batchwise recurrent operations "
                                                      "(layout == 1) are not supported",
                                      .fix = "give the operator sequence-major tensors (layout=0) with Transposes "
                                             "around it, which is what torch.onnx.export writes for "
                                             "batch_first=True"}}}});
  }
}

}  // namespace onnxscope::ops
