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


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for src in TYPES:
        for dst in TYPES:
            layernorm(out, src, dst)
    for t in TYPES:
        activation(out, "quickgelu", t)
        activation(out, "silu", t)
    constant_folding(out, "Gather")
    constant_folding(out, "Reshape")


if __name__ == "__main__":
    main()
