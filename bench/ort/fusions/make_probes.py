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


if __name__ == "__main__":
    main()
