// Signal processing: DFT, STFT, the window generators, MelWeightMatrix.
//
// Sizes (dft_length, frame_step, frame_length, window size, num_mel_bins) are
// scalar inputs: their tracked contents, when a shape computation or a
// constant provides them, become the output dimensions; otherwise the
// dimension is a fresh symbol.
#include <algorithm>

#include "model/ops/registry.h"
#include "model/ops/signal.h"
#include "model/ops/util.h"

namespace onnxscope::ops {
namespace {

// An `output_datatype` attribute's value (default 1, float) as a dtype; a
// value the output's constraint does not admit has no kernel: the session
// fails to load.
DType output_datatype(const Context& ctx, int64_t v, std::string_view constraint) {
  if (!is_known_dtype_enum(v) || v == 0 || !constraint_allows(ctx, constraint, static_cast<DType>(v))) {
    ctx.report(Code::DtypeAttribute, Severity::Error, Phase::Load,
               fmt::format("{}'s output_datatype is {}{}, which its output type {} does not allow", ctx.node().op_type,
                           v, is_known_dtype_enum(v) ? fmt::format(" ({})", dtype_onnx_name(static_cast<DType>(v))) : "",
                           constraint),
               "set output_datatype to a numeric type (1 = float, 11 = double, 10 = float16, 7 = int64, ...)");
    return is_known_dtype_enum(v) ? static_cast<DType>(v) : DType::Undefined;
  }
  return static_cast<DType>(v);
}

// A size input the spec makes a scalar. onnxruntime's kernels read any
// single-element tensor; onnx's shape inference, which onnxruntime runs when
// it loads the model, rejects a constant of rank > 0 for the inputs it reads
// (`onnx_reads_it`).
void check_scalar(const Context& ctx, size_t i, std::string_view what, bool onnx_reads_it) {
  if (!ctx.has_input(i) || !ctx.input_rank_known(i)) return;
  const Shape& s = ctx.input_shape(i);
  if (s.rank() == 0) return;
  Dim n = product(ctx, s.dims, 0, s.rank());
  if (n && sym::proven_ne(n, ctx.dim(1))) {
    ctx.report(Code::ScalarInput, Severity::Error, Phase::Run,
               fmt::format("{}'s {} must be a scalar, but it has shape {}", ctx.node().op_type, what,
                           facts::to_string(s)),
               "", std::string(ctx.input_name(i)));
  } else if (onnx_reads_it && ctx.input(i).ints) {
    ctx.report(Code::ScalarInput, Severity::Error, Phase::Load,
               fmt::format("{}'s {} must be a scalar (rank 0), but it has shape {}: onnx's shape inference rejects it",
                           ctx.node().op_type, what, facts::to_string(s)),
               "give it as a 0-D tensor", std::string(ctx.input_name(i)));
  }
}

// A positive size from a scalar input: its tracked value, or a null Dim when
// unknown. Provably non-positive values are diagnosed (the kernels reject
// them when they run).
Dim positive_size(const Context& ctx, size_t i, std::string_view what) {
  auto v = scalar_int(ctx, i);
  if (!v) return Dim();
  if (sym::range(*v).hi <= 0) {
    ctx.report(Code::SignalLength, Severity::Error, Phase::Run,
               fmt::format("{}'s {} is {}; it must be positive", ctx.node().op_type, what, sym::to_string(*v)), "",
               std::string(ctx.input_name(i)));
    return Dim();
  }
  return *v;
}

// DFT-17 (axis attribute, default 1) and DFT-20 (axis input, default -2).
// The last input dimension holds 1 (real) or 2 (real, imaginary) components;
// the output is complex ([..., 2]) except for the IRFFT (onesided=1,
// inverse=1), which returns the real signal ([..., 1]). Along the axis the
// output has dft_length elements (default: the input's length there, or
// 2*(n-1) for the IRFFT), floor(dft_length/2)+1 for the RFFT.
template <class A>
void dft_rule(Context& ctx) {
  const auto a = read<A>(ctx.attrs());
  bool onesided = a.onesided;
  bool inverse = a.inverse;
  bool irfft = onesided && inverse;
  check_scalar(ctx, 1, "dft_length", true);
  if (ctx.version() >= 20) check_scalar(ctx, 2, "axis", false);
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  std::vector<Dim> d = ctx.input_shape(0).dims;
  const size_t r = d.size();
  if (r < 2) {
    ctx.report(Code::SignalShape, Severity::Error, Phase::Load,
               fmt::format("DFT's input has rank {}; it must be [signal dims..., 1 or 2] (rank >= 2)", r));
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  auto comps = d[r - 1] ? d[r - 1].as_int() : std::nullopt;
  if (comps && *comps != 1 && *comps != 2) {
    ctx.report(Code::SignalShape, Severity::Error, Phase::Load,
               fmt::format("DFT's input ends in a dimension of {}; it must be 1 (real) or 2 (complex)", *comps));
  } else if (comps && onesided && !inverse && *comps == 2) {
    ctx.report(Code::SignalOnesided, Severity::Error, Phase::Load,
               "DFT with onesided=1 (RFFT) takes a real input ([..., 1]), but the input is complex ([..., 2])",
               "set onesided=0 for a complex input");
  } else if (comps && irfft && *comps == 1) {
    ctx.report(Code::SignalOnesided, Severity::Error, Phase::Load,
               "DFT with onesided=1 and inverse=1 (IRFFT) takes a complex one-sided spectrum ([..., 2]), but the "
               "input is real ([..., 1])");
  }
  if (r == 2) {
    // onnxruntime's DFT kernel reads every rank-2 input as a real
    // [batch, signal_length] without a component dimension, and returns
    // [batch, n, 2].
    ctx.report(Code::SignalOnnxruntime, Severity::Warning, Phase::Run,
               "onnxruntime's DFT kernel reads a rank-2 input as a real [batch, signal_length] signal (no component "
               "dimension), unlike the spec's [signal_length, 1 or 2]; its output has rank 3",
               "add the component dimension: give the input as [batch, signal_length, 1]");
  }
  if (irfft) {
    // onnxruntime's DFT kernel has no IRFFT: it sizes the output as a
    // one-sided complex spectrum.
    ctx.report(Code::SignalOnnxruntime, Severity::Warning, Phase::Run,
               "DFT with onesided=1 and inverse=1 (IRFFT) is not implemented as specified by onnxruntime's DFT "
               "kernel, which returns a one-sided complex output instead of the real signal");
  }

  // The axis.
  std::optional<int64_t> axis;
  bool axis_from_input = ctx.version() >= 20 && ctx.has_input(2);
  if (ctx.version() < 20) {
    axis = a.axis;
  } else if (!axis_from_input) {
    axis = -2;
  } else if (auto s = scalar_int(ctx, 2); s && s->as_int()) {
    axis = s->as_int();
  }
  auto ri = static_cast<int64_t>(r);
  if (axis && !((*axis >= -ri && *axis <= -2) || (*axis >= 0 && *axis <= ri - 2))) {
    ctx.report(Code::AxisRange, Severity::Error, axis_from_input ? Phase::Run : Phase::Load,
               fmt::format("DFT axis {} is outside [-{}, -2] and [0, {}] for an input of rank {} (the last "
                           "dimension holds the complex components)",
                           *axis, r, r - 2, r));
    return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(r)));
  }

  Dim length;  // dft_length, when given
  bool has_length = ctx.has_input(1);
  if (has_length) length = positive_size(ctx, 1, "dft_length");
  bool changes_axis = onesided || has_length;
  // The size along the transformed axis of length n.
  auto transformed = [&](Dim n) -> Dim {
    Dim len = has_length ? length : (irfft ? (n ? (n - 1) * 2 : Dim()) : n);
    if (!len) return Dim();
    return onesided && !inverse ? sym::floor_div(len, 2) + 1 : len;
  };
  std::vector<Dim> out = d;
  if (axis) {
    size_t a = static_cast<size_t>(*axis < 0 ? *axis + ri : *axis);
    out[a] = transformed(d[a]);
  } else if (changes_axis) {
    // Which axis changes is known only when the model runs.
    for (size_t i = 0; i + 1 < r; ++i) out[i] = Dim();
  }
  out[r - 1] = ctx.dim(irfft ? 1 : 2);
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

// STFT-17: signal [batch, signal_length, 1 or 2] (onnxruntime also takes a
// real [batch, signal_length]); the DFT size is frame_length, else the
// window's length. Output [batch, frames, bins, 2] with
// frames = floor((signal_length - dft_size) / frame_step) + 1 and
// bins = floor(dft_size/2)+1 when onesided, else dft_size.
void stft_rule(Context& ctx) {
  bool onesided = read<STFTAttrs>(ctx.attrs()).onesided;
  check_scalar(ctx, 1, "frame_step", false);
  check_scalar(ctx, 3, "frame_length", true);
  Dim batch, signal;
  if (ctx.input_rank_known(0)) {
    const auto& d = ctx.input_shape(0).dims;
    if (d.size() != 2 && d.size() != 3) {
      ctx.report(Code::SignalShape, Severity::Error, Phase::Load,
                 fmt::format("STFT's signal has rank {}; it must be [batch_size, signal_length, 1 or 2]", d.size()));
    } else {
      batch = d[0];
      signal = d[1];
      auto comps = d.size() == 3 && d[2] ? d[2].as_int() : std::nullopt;
      if (comps && *comps != 1 && *comps != 2) {
        ctx.report(Code::SignalShape, Severity::Error, Phase::Load,
                   fmt::format("STFT's signal ends in a dimension of {}; it must be 1 (real) or 2 (complex)", *comps));
      } else if (comps && *comps == 2 && onesided) {
        ctx.report(Code::SignalOnesided, Severity::Error, Phase::Load,
                   "STFT with onesided=1 takes a real signal, but the signal is complex ([..., 2])",
                   "set onesided=0 for a complex signal");
      }
    }
  }
  Dim step = positive_size(ctx, 1, "frame_step");
  Dim window;  // the window's length
  if (ctx.has_input(2) && ctx.input_rank_known(2)) {
    const auto& w = ctx.input_shape(2).dims;
    if (w.size() != 1) {
      ctx.report(Code::SignalShape, Severity::Error, Phase::Load,
                 fmt::format("STFT's window has rank {}; it must be 1-D", w.size()));
    } else {
      window = w[0];
    }
  }
  Dim frame;  // frame_length
  if (ctx.has_input(3)) frame = positive_size(ctx, 3, "frame_length");
  if (!ctx.has_input(2) && !ctx.has_input(3)) {
    ctx.report(Code::SignalLength, Severity::Error, Phase::Load,
               "STFT has neither a window nor a frame_length: the size of its DFTs is undefined",
               "give the window, or frame_length");
  }
  if (window && frame && sym::proven_ne(window, frame)) {
    ctx.report(Code::SignalLength, Severity::Error, Phase::Load,
               fmt::format("STFT's window has {} elements but frame_length is {}; they must agree",
                           sym::to_string(window), sym::to_string(frame)));
  }
  Dim size = frame ? frame : (ctx.has_input(3) ? Dim() : window);
  Dim frames, bins;
  if (size) {
    bins = onesided ? sym::floor_div(size, 2) + 1 : size;
    if (signal && sym::proven_gt(size, signal)) {
      ctx.report(Code::SignalLength, Severity::Error, Phase::Run,
                 fmt::format("STFT's DFT size {} exceeds the signal length {}", sym::to_string(size),
                             sym::to_string(signal)));
    } else if (signal && step) {
      frames = sym::floor_div(signal - size, step) + 1;
    }
  }
  ctx.set_output(0, DType::Undefined, Shape::of({batch, frames, bins, ctx.dim(2)}));
}

// HannWindow, HammingWindow, BlackmanWindow: [size] of output_datatype.
void window_rule(Context& ctx) {
  DType dt = output_datatype(ctx, read<WindowAttrs>(ctx.attrs()).output_datatype, "T2");
  check_scalar(ctx, 0, "size", true);
  ctx.set_output(0, dt, Shape::of({positive_size(ctx, 0, "size")}));
}

// MelWeightMatrix: [floor(dft_length/2)+1, num_mel_bins] of output_datatype.
void mel_weight_matrix_rule(Context& ctx) {
  DType dt = output_datatype(ctx, read<MelWeightMatrixAttrs>(ctx.attrs()).output_datatype, "T3");
  check_scalar(ctx, 0, "num_mel_bins", true);
  check_scalar(ctx, 1, "dft_length", true);
  check_scalar(ctx, 2, "sample_rate", false);
  check_scalar(ctx, 3, "lower_edge_hertz", false);
  check_scalar(ctx, 4, "upper_edge_hertz", false);
  Dim bins = positive_size(ctx, 0, "num_mel_bins");
  Dim length = positive_size(ctx, 1, "dft_length");
  positive_size(ctx, 2, "sample_rate");
  ctx.set_output(0, dt, Shape::of({length ? sym::floor_div(length, 2) + 1 : Dim(), bins}));
}

}  // namespace

void register_signal(Registry& r) {
  // DFT: the axis an attribute (17), an input (20).
  r.define({.name = "DFT", .since = 17, .until = 19, .rule = dft_rule<DFT17Attrs>, .attrs = specs<DFT17Attrs>()});
  r.define({.name = "DFT", .since = 20, .rule = dft_rule<DFT20Attrs>, .attrs = specs<DFT20Attrs>()});
  r.define({.name = "STFT", .since = 17, .rule = stft_rule, .attrs = specs<STFTAttrs>()});
  for (std::string_view name : {"HannWindow", "HammingWindow", "BlackmanWindow"}) {
    r.define({.name = name, .since = 17, .rule = window_rule, .attrs = specs<WindowAttrs>()});
  }
  r.define({.name = "MelWeightMatrix", .since = 17, .rule = mel_weight_matrix_rule,
            .attrs = specs<MelWeightMatrixAttrs>()});
}

}  // namespace onnxscope::ops
