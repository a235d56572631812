#!/usr/bin/env python3
"""Writes the fusion probes of bench/ort/measure_fusions.sh: tiny models in
the shape PyTorch exports them, each a pattern that one of onnxruntime's
graph fusions rewrites, in every dtype that reaches it.

  layernorm-cast:A>B  x (A) -> Cast(to B) -> ReduceMean, Sub, Pow,
                      ReduceMean, Add, Sqrt, Div, Mul (scale), Add (bias),
                      all in B (LayerNormFusion)
  layernorm:T         the same without the Cast, in T
  quickgelu:T         x * Sigmoid(1.702 * x) in T (QuickGeluFusion)
  silu:T              x * Sigmoid(x) in T
  constant-folding:Gather   a Gather of a constant by constant indices out of
                      range, and constant-folding:Reshape, a Reshape of a
                      constant to a shape that does not hold its elements
                      (ConstantFolding evaluates such nodes while the
                      session is created)
  rmsnorm-div:T       x -> Pow(2) -> ReduceMean -> Add(eps) -> Sqrt -> Div(x, .)
                      -> Mul(scale), in T (SimplifiedLayerNormFusion)
  rmsnorm-recip:T     the same with Sqrt -> Reciprocal -> Mul(x, .)
  rmsnorm-inv:T       the same with Sqrt -> Div(1, .) -> Mul(x, .) (torch.rsqrt)
  rmsnorm-cast:A>B    x (A) -> Cast(to B) -> rmsnorm-div in B
  rmsnorm-cast-recip:A>B, rmsnorm-cast-inv:A>B  the same before rmsnorm-recip,
                      rmsnorm-inv
  rmsnorm-t5:A>B      x (A) -> Cast(to B) -> rmsnorm-inv in B -> Cast(to A)
                      -> Mul(scale in A), as T5 and Llama write it
  gelu:T              x * 0.5 * (1 + Erf(x / sqrt(2))) as torch.onnx.export
                      writes it: Div, Erf, Add, Mul(x, .), Mul(., 0.5)
                      (GeluFusion)
  biasgelu:T          Add(x, bias) then gelu (GeluFusion, BiasGeluFusion)
  fastgelu:T          x * 0.5 * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 *
                      Pow(x, 3)))) (FastGeluFusion)
  fastgelu-torch:T    the same as torch.onnx.export writes approximate='tanh':
                      x * x * x, constants first, 0.5 * (x * (1 + Tanh(.)))

The node whose name onnxruntime prints for the fused node is named "{mul}"
(the Mul of the scale; the last Mul of the activation), so that the
harness can fold the model's own name out of the messages.

usage: make_probes.py OUT_DIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

TYPES = {"float16": (T.FLOAT16, np.float16), "float32": (T.FLOAT, np.float32), "float64": (T.DOUBLE, np.float64)}
INTS = {"int32": (T.INT32, np.int32), "int64": (T.INT64, np.int64), "uint32": (T.UINT32, np.uint32),
        "uint64": (T.UINT64, np.uint64)}
MUL = "{mul}"


def save(model, path):
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def layernorm(out, src, dst):
    """x of type src, cast to dst (no Cast when they are the same)."""
    et, nt = TYPES[dst]
    nodes, x = [], "x"
    if src != dst:
        nodes.append(h.make_node("Cast", ["x"], ["xc"], to=et, name="ln/Cast"))
        x = "xc"
    nodes += [
        h.make_node("ReduceMean", [x], ["mean"], axes=[-1], name="ln/ReduceMean"),
        h.make_node("Sub", [x, "mean"], ["d"], name="ln/Sub"),
        h.make_node("Pow", ["d", "two"], ["sq"], name="ln/Pow"),
        h.make_node("ReduceMean", ["sq"], ["var"], axes=[-1], name="ln/ReduceMean_1"),
        h.make_node("Add", ["var", "eps"], ["ve"], name="ln/Add"),
        h.make_node("Sqrt", ["ve"], ["sd"], name="ln/Sqrt"),
        h.make_node("Div", ["d", "sd"], ["n"], name="ln/Div"),
        h.make_node("Mul", ["n", "scale"], ["ns"], name=MUL),
        h.make_node("Add", ["ns", "bias"], ["y"], name="ln/Add_1"),
    ]
    inits = [nh.from_array(np.array(2, nt), "two"), nh.from_array(np.array(1e-5, nt), "eps"),
             nh.from_array(np.ones(4, nt), "scale"), nh.from_array(np.zeros(4, nt), "bias")]
    g = h.make_graph(nodes, "probe", [h.make_tensor_value_info("x", TYPES[src][0], [2, 4])],
                     [h.make_tensor_value_info("y", et, [2, 4])], inits)
    name = f"layernorm-cast_{src}_{dst}" if src != dst else f"layernorm_{dst}"
    save(h.make_model(g, opset_imports=[h.make_opsetid("", 13)]), os.path.join(out, name + ".onnx"))


def activation(out, kind, t):
    et, nt = TYPES[t]
    nodes, inits, s = [], [], "x"
    if kind == "quickgelu":
        nodes.append(h.make_node("Mul", ["x", "k"], ["kx"], name="act/Mul"))
        inits.append(nh.from_array(np.array(1.702, nt), "k"))
        s = "kx"
    nodes += [h.make_node("Sigmoid", [s], ["sg"], name="act/Sigmoid"), h.make_node("Mul", ["x", "sg"], ["y"], name=MUL)]
    g = h.make_graph(nodes, "probe", [h.make_tensor_value_info("x", et, [2, 4])],
                     [h.make_tensor_value_info("y", et, [2, 4])], inits)
    save(h.make_model(g, opset_imports=[h.make_opsetid("", 13)]), os.path.join(out, f"{kind}_{t}.onnx"))


def constant_folding(out, op):
    """y = x + f(constants), f failing on its constant inputs."""
    if op == "Gather":
        nodes = [h.make_node("Gather", ["c", "i"], ["r"], axis=0, name="/Gather")]
        inits = [nh.from_array(np.ones((2, 3), np.float32), "c"), nh.from_array(np.array([0, 5], np.int64), "i")]
        nodes.append(h.make_node("Add", ["x", "r"], ["y"], name="/Add"))
    else:
        nodes = [h.make_node("Reshape", ["c", "s"], ["r"], name="/Reshape"),
                 h.make_node("ReduceSum", ["r"], ["rs"], keepdims=0, name="/ReduceSum"),
                 h.make_node("Add", ["x", "rs"], ["y"], name="/Add")]
        inits = [nh.from_array(np.ones(6, np.float32), "c"), nh.from_array(np.array([4, 2], np.int64), "s")]
    g = h.make_graph(nodes, "probe", [h.make_tensor_value_info("x", T.FLOAT, [2, 3])],
                     [h.make_tensor_value_info("y", T.FLOAT, [2, 3])], inits)
    save(h.make_model(g, opset_imports=[h.make_opsetid("", 13)]), os.path.join(out, f"constant-folding_{op}.onnx"))
def graph(nodes, inits, src, dst):
    return h.make_graph(nodes, "probe", [h.make_tensor_value_info("x", TYPES[src][0], [2, 4])],
                        [h.make_tensor_value_info("y", TYPES[dst][0], [2, 4])], inits)


def rmsnorm(out, form, src, dst):
    """x of type src, cast to dst (no Cast when they are the same); form is
    div, recip, inv or t5 (inv in dst between two Casts)."""
    et, nt = TYPES[dst]
    nodes, x = [], "x"
    if src != dst:
        nodes.append(h.make_node("Cast", ["x"], ["xc"], to=et, name="rms/Cast"))
        x = "xc"
    nodes += [
        h.make_node("Pow", [x, "two"], ["sq"], name="rms/Pow"),
        h.make_node("ReduceMean", ["sq"], ["var"], axes=[-1], name="rms/ReduceMean"),
        h.make_node("Add", ["var", "eps"], ["ve"], name="rms/Add"),
        h.make_node("Sqrt", ["ve"], ["sd"], name="rms/Sqrt"),
    ]
    inits = [nh.from_array(np.array(2, nt), "two"), nh.from_array(np.array(1e-6, nt), "eps")]
    if form == "div":
        nodes.append(h.make_node("Div", [x, "sd"], ["n"], name="rms/Div"))
    else:
        if form == "recip":
            nodes.append(h.make_node("Reciprocal", ["sd"], ["inv"], name="rms/Reciprocal"))
        else:
            nodes.append(h.make_node("Div", ["one", "sd"], ["inv"], name="rms/Div"))
            inits.append(nh.from_array(np.array(1, nt), "one"))
        nodes.append(h.make_node("Mul", [x, "inv"], ["n"], name="rms/Mul"))
    out_t = dst
    if form == "t5":
        nodes.append(h.make_node("Cast", ["n"], ["nb"], to=TYPES[src][0], name="rms/Cast_1"))
        nodes.append(h.make_node("Mul", ["scale", "nb"], ["y"], name=MUL))
        inits.append(nh.from_array(np.ones(4, TYPES[src][1]), "scale"))
        out_t = src
    else:
        nodes.append(h.make_node("Mul", ["n", "scale"], ["y"], name=MUL))
        inits.append(nh.from_array(np.ones(4, nt), "scale"))
    kind = f"rmsnorm-{form}"
    if src != dst and form != "t5":
        kind = "rmsnorm-cast" if form == "div" else f"rmsnorm-cast-{form}"
    name = f"{kind}_{src}_{dst}" if src != dst else f"{kind}_{dst}"
    save(h.make_model(graph(nodes, inits, src, out_t), opset_imports=[h.make_opsetid("", 13)]),
         os.path.join(out, name + ".onnx"))


def gelu(out, kind, t):
    """kind: gelu, biasgelu, fastgelu or fastgelu-torch."""
    nt = TYPES[t][1]
    c = lambda name, v: nh.from_array(np.array(v, nt), name)
    nodes, inits, x = [], [], "x"
    if kind == "biasgelu":
        nodes.append(h.make_node("Add", ["x", "bias"], ["xb"], name="act/Add_bias"))
        inits.append(nh.from_array(np.full(4, 0.5, nt), "bias"))
        x = "xb"
    if kind in ("gelu", "biasgelu"):
        nodes += [h.make_node("Div", [x, "sqrt2"], ["xd"], name="act/Div"),
                  h.make_node("Erf", ["xd"], ["e"], name="act/Erf"),
                  h.make_node("Add", ["e", "one"], ["e1"], name="act/Add"),
                  h.make_node("Mul", [x, "e1"], ["xe"], name="act/Mul"),
                  h.make_node("Mul", ["xe", "half"], ["y"], name=MUL)]
        inits += [c("sqrt2", 1.4142135623730951), c("one", 1.0), c("half", 0.5)]
    elif kind == "fastgelu":
        nodes += [h.make_node("Pow", [x, "three"], ["x3"], name="act/Pow"),
                  h.make_node("Mul", ["x3", "kappa"], ["kx3"], name="act/Mul"),
                  h.make_node("Add", [x, "kx3"], ["s"], name="act/Add"),
                  h.make_node("Mul", ["s", "beta"], ["bs"], name="act/Mul_1"),
                  h.make_node("Tanh", ["bs"], ["th"], name="act/Tanh"),
                  h.make_node("Add", ["th", "one"], ["t1"], name="act/Add_1"),
                  h.make_node("Mul", [x, "half"], ["xh"], name="act/Mul_2"),
                  h.make_node("Mul", ["xh", "t1"], ["y"], name=MUL)]
        inits += [c("three", 3.0), c("kappa", 0.044715), c("beta", 0.7978845608028654), c("one", 1.0),
                  c("half", 0.5)]
    else:
        nodes += [h.make_node("Mul", [x, x], ["xx"], name="act/Mul"),
                  h.make_node("Mul", [x, "xx"], ["x3"], name="act/Mul_1"),
                  h.make_node("Mul", ["kappa", "x3"], ["kx3"], name="act/Mul_2"),
                  h.make_node("Add", [x, "kx3"], ["s"], name="act/Add"),
                  h.make_node("Mul", ["beta", "s"], ["bs"], name="act/Mul_3"),
                  h.make_node("Tanh", ["bs"], ["th"], name="act/Tanh"),
                  h.make_node("Add", ["one", "th"], ["t1"], name="act/Add_1"),
                  h.make_node("Mul", [x, "t1"], ["xt"], name="act/Mul_4"),
                  h.make_node("Mul", ["half", "xt"], ["y"], name=MUL)]
        inits += [c("kappa", 0.044715), c("beta", 0.7978845608028654), c("one", 1.0), c("half", 0.5)]
    save(h.make_model(graph(nodes, inits, t, t), opset_imports=[h.make_opsetid("", 13)]),
         os.path.join(out, f"{kind}_{t}.onnx"))


def model(nodes, inits, inputs, outputs, opset=13):
    g = h.make_graph(nodes, "probe", [h.make_tensor_value_info(n, t, s) for n, t, s in inputs],
                     [h.make_tensor_value_info(n, t, s) for n, t, s in outputs], inits)
    return h.make_model(g, opset_imports=[h.make_opsetid("", opset)])


def linear(out, kind, t):
    """kind: matmul-add (MatMulAddFusion -> Gemm), matmul-add-3d (the same
    on a 3-D input), matmul-scale (Mul by a constant before MatMul ->
    FusedMatMul), transpose-matmul (Transpose of the last two axes of
    MatMul's A -> FusedMatMul), transpose-matmul-b (of its B), gemm-relu,
    gemm-sigmoid, gemm-tanh, gemm-leakyrelu (Gemm then the activation ->
    FusedGemm, named "fused " and the Gemm's name)."""
    et, nt = {**TYPES, **INTS}[t]
    rank3 = kind == "matmul-add-3d"
    xs = [2, 3, 4] if rank3 else [3, 4]
    ys = [2, 3, 5] if rank3 else [3, 5]
    w = nh.from_array(np.ones((4, 5), nt), "w")
    if kind in ("matmul-add", "matmul-add-3d"):
        nodes = [h.make_node("MatMul", ["x", "w"], ["m"], name="lin/MatMul"),
                 h.make_node("Add", ["m", "b"], ["y"], name=MUL)]
        inits = [w, nh.from_array(np.ones(5, nt), "b")]
    elif kind == "matmul-scale":
        nodes = [h.make_node("Mul", ["x", "k"], ["xk"], name="lin/Mul"),
                 h.make_node("MatMul", ["xk", "w"], ["y"], name=MUL)]
        inits = [w, nh.from_array(np.array(2, nt), "k")]
    elif kind == "transpose-matmul":
        xs = [4, 3]
        nodes = [h.make_node("Transpose", ["x"], ["xt"], perm=[1, 0], name="lin/Transpose"),
                 h.make_node("MatMul", ["xt", "w"], ["y"], name=MUL)]
        inits = [w]
    elif kind == "transpose-matmul-b":
        nodes = [h.make_node("Transpose", ["w"], ["wt"], perm=[1, 0], name="lin/Transpose"),
                 h.make_node("MatMul", ["x", "wt"], ["y"], name=MUL)]
        inits = [nh.from_array(np.ones((5, 4), nt), "w")]
    else:
        act = {"gemm-relu": "Relu", "gemm-sigmoid": "Sigmoid", "gemm-tanh": "Tanh", "gemm-leakyrelu": "LeakyRelu"}[kind]
        nodes = [h.make_node("Gemm", ["x", "w", "b"], ["g"], name=MUL),
                 h.make_node(act, ["g"], ["y"], name="lin/" + act)]
        inits = [w, nh.from_array(np.ones(5, nt), "b")]
    save(model(nodes, inits, [("x", et, xs)], [("y", et, ys)]), os.path.join(out, f"{kind}_{t}.onnx"))


def conv(out, kind, t):
    """A 3x3 Conv on 1x8x6x6 followed by what a fusion folds into it:
    conv-bn (BatchNormalization: ConvBNFusion), conv-add (Add of a constant
    per channel: ConvAddFusion), conv-mul (ConvMulFusion), conv-relu, conv-
    sigmoid, conv-clip, conv-leakyrelu (ConvActivationFusion -> FusedConv),
    conv-add-relu (Conv + Add of another tensor + Relu: FusedConv with Z),
    pad-conv (Pad of zeros before the Conv: PadFusion)."""
    et, nt = TYPES[t]
    c = 8
    inits = [nh.from_array(np.full((c, c, 3, 3), 0.1, nt), "w"), nh.from_array(np.zeros(c, nt), "cb")]
    nodes = [h.make_node("Conv", ["x", "w", "cb"], ["cv"], pads=[1, 1, 1, 1], name="conv/Conv")]
    inputs = [("x", et, [1, c, 6, 6])]
    last = "cv"
    if kind == "pad-conv":
        nodes = [h.make_node("Pad", ["x", "pads"], ["xp"], mode="constant", name="conv/Pad"),
                 h.make_node("Conv", ["xp", "w", "cb"], ["y"], name=MUL)]
        inits.append(nh.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads"))
        save(model(nodes, inits, inputs, [("y", et, [1, c, 6, 6])]), os.path.join(out, f"{kind}_{t}.onnx"))
        return
    if kind == "conv-bn":
        nodes.append(h.make_node("BatchNormalization", ["cv", "s", "bb", "m", "v"], ["y"], name=MUL))
        inits += [nh.from_array(np.ones(c, nt), n) for n in ("s", "v")]
        inits += [nh.from_array(np.zeros(c, nt), n) for n in ("bb", "m")]
    elif kind in ("conv-add", "conv-mul"):
        op = "Add" if kind == "conv-add" else "Mul"
        nodes.append(h.make_node(op, ["cv", "k"], ["y"], name=MUL))
        inits.append(nh.from_array(np.full((c, 1, 1), 0.5, nt), "k"))
    elif kind == "conv-add-relu":
        nodes += [h.make_node("Add", ["cv", "z"], ["a"], name="conv/Add"),
                  h.make_node("Relu", ["a"], ["y"], name=MUL)]
        inputs.append(("z", et, [1, c, 6, 6]))
    else:
        act = {"conv-relu": "Relu", "conv-sigmoid": "Sigmoid", "conv-clip": "Clip",
               "conv-leakyrelu": "LeakyRelu"}[kind]
        ins = ["cv", "lo", "hi"] if act == "Clip" else ["cv"]
        if act == "Clip":
            inits += [nh.from_array(np.array(0, nt), "lo"), nh.from_array(np.array(6, nt), "hi")]
        nodes.append(h.make_node(act, ins, ["y"], name=MUL))
    save(model(nodes, inits, inputs, [("y", et, [1, c, 6, 6])]), os.path.join(out, f"{kind}_{t}.onnx"))


def nchwc(out, kind):
    """float32 convolutions that the NCHWc layout transformer (level all, on
    x86-64 with AVX2 or AVX-512) rewrites to com.microsoft.nchwc ops:
    conv (3 input channels, 16 output), conv-group (grouped), conv-depthwise,
    conv-dilated-strided, conv-asym-pads, and a Conv followed by MaxPool
    (ceil_mode), AveragePool (count_include_pad), GlobalAveragePool,
    Resize (nearest, scale 2), Upsample, Concat of two Convs, Add of two Convs,
    BatchNormalization, or a Conv1d/Conv3d (not rewritten)."""
    f = np.float32
    c = 16
    x = ("x", T.FLOAT, [1, 3, 8, 8])
    inits = [nh.from_array(np.full((c, 3, 3, 3), 0.1, f), "w"), nh.from_array(np.zeros(c, f), "b")]
    conv = lambda i, o, w="w", b="b", name="nchwc/Conv", **kw: h.make_node("Conv", [i, w, b], [o], name=name, **kw)
    nodes = [conv("x", "c0", pads=[1, 1, 1, 1])]
    out_shape = [1, c, 8, 8]
    tail = {
        "maxpool": lambda: [h.make_node("MaxPool", ["c0"], ["y"], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1,
                                        name=MUL)],
        "avgpool": lambda: [h.make_node("AveragePool", ["c0"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                                        count_include_pad=1, name=MUL)],
        "globalavgpool": lambda: [h.make_node("GlobalAveragePool", ["c0"], ["y"], name=MUL)],
        "resize": lambda: [h.make_node("Resize", ["c0", "", "sc"], ["y"], mode="nearest", name=MUL)],
        "upsample": lambda: [h.make_node("Upsample", ["c0", "sc"], ["y"], mode="nearest", name=MUL)],
        "concat": lambda: [conv("x", "c1", "w", "b", name="nchwc/Conv_1", pads=[1, 1, 1, 1]),
                           h.make_node("Concat", ["c0", "c1"], ["y"], axis=1, name=MUL)],
        "add": lambda: [conv("x", "c1", "w", "b", name="nchwc/Conv_1", pads=[1, 1, 1, 1]),
                        h.make_node("Add", ["c0", "c1"], ["y"], name=MUL)],
        "bn": lambda: [h.make_node("BatchNormalization", ["c0", "s", "b", "m", "v"], ["y"], name=MUL)],
    }
    shapes = {"maxpool": [1, c, 4, 4], "globalavgpool": [1, c, 1, 1], "resize": [1, c, 16, 16],
              "upsample": [1, c, 16, 16], "concat": [1, 2 * c, 8, 8]}
    opset = 13
    if kind in tail:
        if kind in ("resize", "upsample"):
            scales = np.array([1, 1, 2, 2], f)
            inits.append(nh.from_array(scales, "sc"))
            if kind == "upsample":
                opset = 9
        if kind == "bn":
            inits += [nh.from_array(np.ones(c, f), "s"), nh.from_array(np.zeros(c, f), "m"),
                      nh.from_array(np.ones(c, f), "v")]
        nodes += tail[kind]()
        out_shape = shapes.get(kind, out_shape)
    else:
        nodes = []
        if kind == "conv":
            nodes = [conv("x", "y", pads=[1, 1, 1, 1], name=MUL)]
        elif kind == "conv-group":
            x = ("x", T.FLOAT, [1, 16, 8, 8])
            inits[0] = nh.from_array(np.full((c, 4, 3, 3), 0.1, f), "w")
            nodes = [conv("x", "y", pads=[1, 1, 1, 1], group=4, name=MUL)]
        elif kind == "conv-depthwise":
            x = ("x", T.FLOAT, [1, 16, 8, 8])
            inits[0] = nh.from_array(np.full((c, 1, 3, 3), 0.1, f), "w")
            nodes = [conv("x", "y", pads=[1, 1, 1, 1], group=16, name=MUL)]
        elif kind == "conv-dilated-strided":
            nodes = [conv("x", "y", pads=[2, 2, 2, 2], dilations=[2, 2], strides=[2, 2], name=MUL)]
            out_shape = [1, c, 4, 4]
        elif kind == "conv-asym-pads":
            nodes = [conv("x", "y", pads=[0, 1, 2, 1], name=MUL)]
            out_shape = [1, c, 8, 8]
        elif kind == "conv1d":
            x = ("x", T.FLOAT, [1, 3, 8])
            inits[0] = nh.from_array(np.full((c, 3, 3), 0.1, f), "w")
            nodes = [conv("x", "y", pads=[1, 1], name=MUL)]
            out_shape = [1, c, 8]
        elif kind == "conv3d":
            x = ("x", T.FLOAT, [1, 3, 4, 8, 8])
            inits[0] = nh.from_array(np.full((c, 3, 3, 3, 3), 0.1, f), "w")
            nodes = [conv("x", "y", pads=[1, 1, 1, 1, 1, 1], name=MUL)]
            out_shape = [1, c, 4, 8, 8]
    save(model(nodes, inits, [x], [("y", T.FLOAT, out_shape)], opset), os.path.join(out, f"nchwc-{kind}_float32.onnx"))


def skip_layernorm(out, t):
    """Add(x, skip) then LayerNormalization (opset 17): SkipLayerNormFusion
    -> com.microsoft.SkipLayerNormalization."""
    et, nt = TYPES[t]
    nodes = [h.make_node("Add", ["x", "skip"], ["s"], name="sln/Add"),
             h.make_node("LayerNormalization", ["s", "scale", "bias"], ["y"], axis=-1, name=MUL)]
    inits = [nh.from_array(np.ones(4, nt), "scale"), nh.from_array(np.zeros(4, nt), "bias")]
    save(model(nodes, inits, [("x", et, [2, 3, 4]), ("skip", et, [2, 3, 4])], [("y", et, [2, 3, 4])], 17),
         os.path.join(out, f"skip-layernorm_{t}.onnx"))


def attention(out, t):
    """BERT's self-attention as AttentionFusion (level extended) matches it,
    opset 12: the LayerNorm decomposition in T (LayerNormFusion makes it the
    LayerNormalization the pattern starts from), three MatMul + Add +
    Reshape([0, 0, N, H]) + Transpose for Q, K (perm 0,2,3,1) and V,
    MatMul(Q, K) / sqrt(H) + (1 - mask) * -10000, Softmax(axis 3), MatMul
    with V, Transpose, Reshape([0, 0, W]), the output MatMul + Add and the
    residual Add; W = 4, N = 2 heads, H = 2. AttentionFusion takes float and
    float16 weights only."""
    et, nt = TYPES[t]
    w, n, hd = 4, 2, 2
    c = lambda name, v: nh.from_array(np.array(v, nt), name)
    nodes = [
        h.make_node("ReduceMean", ["x"], ["mean"], axes=[-1], name="ln/ReduceMean"),
        h.make_node("Sub", ["x", "mean"], ["d"], name="ln/Sub"),
        h.make_node("Pow", ["d", "two"], ["sq"], name="ln/Pow"),
        h.make_node("ReduceMean", ["sq"], ["var"], axes=[-1], name="ln/ReduceMean_1"),
        h.make_node("Add", ["var", "eps"], ["ve"], name="ln/Add"),
        h.make_node("Sqrt", ["ve"], ["sd"], name="ln/Sqrt"),
        h.make_node("Div", ["d", "sd"], ["nrm"], name="ln/Div"),
        h.make_node("Mul", ["nrm", "ln_scale"], ["ns"], name="ln/Mul"),
        h.make_node("Add", ["ns", "ln_bias"], ["ln"], name="ln/Add_1"),
    ]
    inits = [c("two", 2), c("eps", 1e-5), nh.from_array(np.ones(w, nt), "ln_scale"),
             nh.from_array(np.zeros(w, nt), "ln_bias"), nh.from_array(np.array([0, 0, n, hd], np.int64), "heads"),
             nh.from_array(np.array([0, 0, w], np.int64), "merge")]
    perms = {"q": [0, 2, 1, 3], "k": [0, 2, 3, 1], "v": [0, 2, 1, 3]}
    for p in "qkv":
        nodes += [h.make_node("MatMul", ["ln", p + "_w"], [p + "_mm"], name=f"attn/{p}/MatMul"),
                  h.make_node("Add", [p + "_mm", p + "_b"], [p + "_a"], name=f"attn/{p}/Add"),
                  h.make_node("Reshape", [p + "_a", "heads"], [p + "_r"], name=f"attn/{p}/Reshape"),
                  h.make_node("Transpose", [p + "_r"], [p + "_t"], perm=perms[p], name=f"attn/{p}/Transpose")]
        inits += [nh.from_array(np.full((w, w), 0.1, nt), p + "_w"), nh.from_array(np.zeros(w, nt), p + "_b")]
    nodes += [
        h.make_node("Unsqueeze", ["mask"], ["m1"], axes=[1], name="mask/Unsqueeze"),
        h.make_node("Unsqueeze", ["m1"], ["m2"], axes=[2], name="mask/Unsqueeze_1"),
        h.make_node("Cast", ["m2"], ["mc"], to=et, name="mask/Cast"),
        h.make_node("Sub", ["one", "mc"], ["ms"], name="mask/Sub"),
        h.make_node("Mul", ["ms", "big"], ["mm"], name="mask/Mul"),
        h.make_node("MatMul", ["q_t", "k_t"], ["qk"], name="attn/qk/MatMul"),
        h.make_node("Div", ["qk", "scale"], ["qkd"], name="attn/qk/Div"),
        h.make_node("Add", ["qkd", "mm"], ["qkm"], name="attn/qk/Add"),
        h.make_node("Softmax", ["qkm"], ["sm"], axis=3, name="attn/Softmax"),
        h.make_node("MatMul", ["sm", "v_t"], ["ctx"], name="attn/qkv/MatMul"),
        h.make_node("Transpose", ["ctx"], ["ctx_t"], perm=[0, 2, 1, 3], name="attn/qkv/Transpose"),
        h.make_node("Reshape", ["ctx_t", "merge"], ["ctx_r"], name=MUL),
        h.make_node("MatMul", ["ctx_r", "o_w"], ["o_mm"], name="attn/o/MatMul"),
        h.make_node("Add", ["o_mm", "o_b"], ["o"], name="attn/o/Add"),
        h.make_node("Add", ["o", "ln"], ["y"], name="attn/residual/Add"),
    ]
    inits += [c("one", 1), c("big", -10000), c("scale", float(np.sqrt(hd))),
              nh.from_array(np.full((w, w), 0.1, nt), "o_w"), nh.from_array(np.zeros(w, nt), "o_b")]
    save(model(nodes, inits, [("x", et, [1, 3, w]), ("mask", T.INT64, [1, 3])], [("y", et, [1, 3, w])], 12),
         os.path.join(out, f"attention_{t}.onnx"))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for src in TYPES:
        for dst in TYPES:
            layernorm(out, src, dst)
    for t in TYPES:
        activation(out, "quickgelu", t)
        activation(out, "silu", t)
        for form in ("div", "recip", "inv"):
            rmsnorm(out, form, t, t)
        for kind in ("gelu", "biasgelu", "fastgelu", "fastgelu-torch"):
            gelu(out, kind, t)
    for src in TYPES:
        for dst in TYPES:
            if src != dst:
                for form in ("div", "recip", "inv"):
                    rmsnorm(out, form, src, dst)
    for src in ("float16", "float64"):
        rmsnorm(out, "t5", src, "float32")
    constant_folding(out, "Gather")
    constant_folding(out, "Reshape")
    for t in list(TYPES) + list(INTS):
        for kind in ("matmul-add", "matmul-add-3d", "matmul-scale", "transpose-matmul", "transpose-matmul-b"):
            linear(out, kind, t)
    for t in TYPES:  # the activations take no integers before opset 14
        for kind in ("gemm-relu", "gemm-sigmoid", "gemm-tanh", "gemm-leakyrelu"):
            linear(out, kind, t)
    for t in TYPES:
        for kind in ("conv-bn", "conv-add", "conv-mul", "conv-relu", "conv-sigmoid", "conv-clip", "conv-leakyrelu",
                     "conv-add-relu", "pad-conv"):
            conv(out, kind, t)
        skip_layernorm(out, t)
    for t in TYPES:
        attention(out, t)
    for kind in ("conv", "conv-group", "conv-depthwise", "conv-dilated-strided", "conv-asym-pads", "conv1d",
                 "conv3d", "maxpool", "avgpool", "globalavgpool", "resize", "upsample", "concat", "add", "bn"):
        nchwc(out, kind)


if __name__ == "__main__":
    main()
