#!/usr/bin/env python3
"""Generate the two onnxscope demo models from real PyTorch exports.

Run from the repository root with a Python that has torch and onnx (the
committed files were made with torch 1.13 and onnx 1.12):

    /usr/bin/python3 share/demo/make_demo.py

Both .onnx files are committed; nothing in the build or the tests needs
torch.  Seeds are fixed, so re-running reproduces the same weights.

tiny_transformer.onnx -- a healthy export
-----------------------------------------
One transformer encoder block for sequence classification: token and
position embeddings, hand-written multi-head self-attention
(``x.view(B, T, heads, head_dim).transpose(1, 2)``), softmax, LayerNorm,
a GELU MLP, residual connections, mean pooling and a linear classifier.
vocab 100, d_model 32, 2 heads, MLP 64, 4 classes, opset 17.

    input  "input_ids"  int64   [batch, seq]
    output "logits"     float32 [batch, 4]

Every reshape takes its target shape from Shape/Gather of the live tensor,
so both dynamic axes survive export.

broken_export.onnx -- three classic export mistakes in one model
-----------------------------------------------------------------
A small image classifier (input "pixels" float32 [batch, 3, 8, 8], batch
declared dynamic, output "logits" [batch, 10]) exported at opset 17.

(a) Batch size baked into a Reshape.  ``forward`` flattens with
    ``x.view(int(x.size(0)), -1)``.  The ``int()`` turns the traced size
    into a Python constant, so the exporter writes the tracing batch size
    (2) into the shape:

        node "/Reshape" (Reshape), shape input "/Constant_output_0"
        = [2, -1] (a Constant node, not Shape of the input)

    although "pixels" declares dim 0 as the symbolic "batch".  For any
    other batch the Reshape itself still succeeds (8*8*8*batch is even) but
    yields [2, 256 * batch] instead of [batch, 512], which no longer
    matches the 512-wide LayerNormalization and Gemm weights after it, so
    the run fails there, far from the actual mistake.

(b) float64 meeting float32.  The per-channel normalisation statistics
    come from ``torch.from_numpy`` of NumPy float64 arrays, which is how
    they usually arrive from a preprocessing config; ``forward`` computes
    ``((pixels - mean) / std).float()``.  PyTorch silently promotes the
    float32 pixels to float64, and torch's exporter makes that promotion
    explicit with a Cast(to=DOUBLE) node "/Cast" on "pixels", which would be
    a valid (if slow) graph.  To show the mistake the way it reaches
    onnxruntime from exporters and graph tools that do not insert such
    casts, this generator post-edits the exported ModelProto
    (``drop_promotion_cast`` below): it deletes "/Cast" and feeds "pixels"
    straight into the subtraction.  The result:

        node "/Sub" (Sub): inputs "pixels" (float32 graph input) and
            "mean" (float64 initializer, shape [3, 1, 1])
        node "/Div" (Div): inputs "/Sub_output_0" and "std" (float64
            initializer)
        node "/Cast_1" (Cast to FLOAT): the user's own ``.float()``, kept

    Sub's type constraint T is bound to both float and double, so the graph
    is ill-typed.  onnx.checker.check_model(m) passes (it does not type-check
    nodes), check_model(m, full_check=True) fails with "[ShapeInferenceError]
    (op_type:Sub, node name: /Sub): B has inconsistent type tensor(double)",
    and onnxruntime refuses to load the model: "Type Error: Type parameter
    (T) of Optype (Sub) bound to different types (tensor(float) and
    tensor(double) in node (/Sub)."

(c) An operator newer than older runtimes.  ``nn.LayerNorm`` exported at
    opset 17 becomes a single LayerNormalization node
    ("/norm/LayerNormalization"), an operator that only exists in the
    default ONNX domain from opset 17 on (earlier exports decompose it into
    ReduceMean/Sub/Pow/Sqrt/Div).  The model imports opset 17; onnxruntime
    1.12 and later run it, but releases up to 1.11 implement ai.onnx only up
    to opset 16 and refuse the model at load ("Current official support for
    domain ai.onnx is till opset 16").  tiny_transformer.onnx shares this
    requirement (it is opset 17 with LayerNormalization too); what sets
    broken_export apart is that it pairs it with (a) and (b).

The exact node names are checked by ``check_broken`` after export, so if a
different torch version names them differently the script fails loudly
instead of writing a docstring that lies.
"""

import math
import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = 17


def seed(n=0):
    torch.manual_seed(n)
    np.random.seed(n)


# ---------------------------------------------------------------------------
# tiny_transformer.onnx
# ---------------------------------------------------------------------------


class SelfAttention(nn.Module):
    def __init__(self, d_model, heads):
        super().__init__()
        assert d_model % heads == 0
        self.heads = heads
        self.head_dim = d_model // heads
        self.q = nn.Linear(d_model, d_model)
        self.k = nn.Linear(d_model, d_model)
        self.v = nn.Linear(d_model, d_model)
        self.out = nn.Linear(d_model, d_model)

    def split(self, x):
        # [B, T, C] -> [B, H, T, D]; sizes read from the live tensor.
        return x.view(x.size(0), x.size(1), self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x):
        q = self.split(self.q(x))
        k = self.split(self.k(x))
        v = self.split(self.v(x))
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.head_dim)
        attn = F.softmax(scores, dim=-1)
        ctx = torch.matmul(attn, v)  # [B, H, T, D]
        ctx = ctx.transpose(1, 2).contiguous()
        ctx = ctx.view(ctx.size(0), ctx.size(1), -1)  # [B, T, C]
        return self.out(ctx)


class TinyTransformer(nn.Module):
    def __init__(self, vocab=100, d_model=32, heads=2, d_mlp=64, max_len=64, classes=4):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = SelfAttention(d_model, heads)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_mlp), nn.GELU(), nn.Linear(d_mlp, d_model))
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, classes)

    def forward(self, input_ids):
        positions = torch.arange(input_ids.size(1), device=input_ids.device)
        x = self.tok(input_ids) + self.pos(positions)
        x = x + self.attn(self.ln1(x))
        x = x + self.mlp(self.ln2(x))
        x = self.ln_f(x).mean(dim=1)
        return self.head(x)


def perturb_layernorms(model, scale=0.05):
    """Give every LayerNorm slightly "trained" affine parameters.  Freshly
    initialised LayerNorms all hold ones/zeros, and torch's exporter would
    then de-duplicate them into one initializer plus Identity nodes, an
    artifact a real trained checkpoint does not show."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.add_(scale * torch.randn_like(m.weight))
                m.bias.add_(scale * torch.randn_like(m.bias))


def make_tiny_transformer(path):
    seed(0)
    model = TinyTransformer().eval()
    perturb_layernorms(model)
    ids = torch.randint(0, 100, (2, 7), dtype=torch.int64)
    torch.onnx.export(
        model,
        (ids,),
        path,
        opset_version=OPSET,
        input_names=["input_ids"],
        output_names=["logits"],
        dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch"}},
        do_constant_folding=True,
    )
    return model


# ---------------------------------------------------------------------------
# broken_export.onnx
# ---------------------------------------------------------------------------


class BrokenClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        # (b) normalisation statistics straight from NumPy: float64 buffers.
        mean = np.array([0.485, 0.456, 0.406]).reshape(3, 1, 1)
        std = np.array([0.229, 0.224, 0.225]).reshape(3, 1, 1)
        self.register_buffer("mean", torch.from_numpy(mean))
        self.register_buffer("std", torch.from_numpy(std))
        self.conv = nn.Conv2d(3, 8, kernel_size=3, padding=1)
        self.norm = nn.LayerNorm(8 * 8 * 8)  # (c) LayerNormalization @ opset 17
        self.fc = nn.Linear(8 * 8 * 8, 10)

    def forward(self, pixels):
        x = (pixels - self.mean) / self.std  # float32 meets float64
        x = x.float()
        x = F.relu(self.conv(x))
        x = x.view(int(x.size(0)), -1)  # (a) int() bakes the batch size
        x = self.norm(x)
        return self.fc(x)


def drop_promotion_cast(model, input_name, buffer_names):
    """Remove the Cast(float -> double) that the exporter inserted on the
    graph input for PyTorch's implicit type promotion, so the float input
    meets the double initializers directly.  The later Cast back to float
    ("/Cast_1") comes from the user's own ``x.float()`` and is kept."""
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    for b in buffer_names:
        assert inits[b].data_type == TensorProto.DOUBLE, b
    removed = []
    for n in list(g.node):
        if n.op_type != "Cast" or n.input[0] != input_name:
            continue
        to = next(a.i for a in n.attribute if a.name == "to")
        if to != TensorProto.DOUBLE:
            continue
        for m in g.node:
            for i, name in enumerate(m.input):
                if name == n.output[0]:
                    m.input[i] = input_name
        for vi in [v for v in g.value_info if v.name == n.output[0]]:
            g.value_info.remove(vi)
        g.node.remove(n)
        removed.append(n.name)
    assert removed, "exporter inserted no promotion Cast; nothing to undo"
    return removed


def make_broken(path):
    seed(1)
    model = BrokenClassifier().eval()
    pixels = torch.randn(2, 3, 8, 8)
    torch.onnx.export(
        model,
        (pixels,),
        path,
        opset_version=OPSET,
        input_names=["pixels"],
        output_names=["logits"],
        dynamic_axes={"pixels": {0: "batch"}, "logits": {0: "batch"}},
        do_constant_folding=True,
    )
    m = onnx.load(path)
    removed = drop_promotion_cast(m, "pixels", ["mean", "std"])
    onnx.save(m, path)
    return removed


def check_broken(path):
    m = onnx.load(path)
    g = m.graph
    nodes = {n.name: n for n in g.node}
    inits = {t.name: t for t in g.initializer}
    consts = {n.output[0]: n for n in g.node if n.op_type == "Constant"}

    # (a)
    r = nodes["/Reshape"]
    assert r.op_type == "Reshape"
    shape_src = r.input[1]
    assert shape_src == "/Constant_output_0" and shape_src in consts, shape_src
    shape = onnx.numpy_helper.to_array(consts[shape_src].attribute[0].t).tolist()
    assert shape == [2, -1], shape
    dim0 = g.input[0].type.tensor_type.shape.dim[0]
    assert dim0.dim_param == "batch", dim0

    # (b)
    sub, div = nodes["/Sub"], nodes["/Div"]
    assert list(sub.input) == ["pixels", "mean"], sub.input
    assert div.input[0] == sub.output[0] and div.input[1] == "std", div.input
    assert g.input[0].type.tensor_type.elem_type == TensorProto.FLOAT
    assert inits["mean"].data_type == TensorProto.DOUBLE
    assert inits["std"].data_type == TensorProto.DOUBLE
    assert "/Cast" not in nodes
    cast1 = nodes["/Cast_1"]
    assert cast1.input[0] == div.output[0]
    assert [a.i for a in cast1.attribute if a.name == "to"] == [TensorProto.FLOAT]

    # (c)
    assert nodes["/norm/LayerNormalization"].op_type == "LayerNormalization"
    assert [o.version for o in m.opset_import if o.domain in ("", "ai.onnx")] == [OPSET]
    return shape_src


def check_tiny(path):
    """Healthy: every Reshape shape is computed from live shapes, the
    inputs/outputs carry the declared symbols, no dedup Identity nodes."""
    m = onnx.load(path)
    g = m.graph
    producers = {o: n for n in g.node for o in n.output}
    reshapes = [n for n in g.node if n.op_type == "Reshape"]
    assert len(reshapes) == 4, [n.name for n in reshapes]
    for n in reshapes:
        assert producers[n.input[1]].op_type == "Concat", n.name
    assert not [n for n in g.node if n.op_type == "Identity"]
    dims = [d.dim_param or d.dim_value for d in g.input[0].type.tensor_type.shape.dim]
    assert g.input[0].name == "input_ids" and dims == ["batch", "seq"], dims
    assert g.input[0].type.tensor_type.elem_type == TensorProto.INT64
    dims = [d.dim_param or d.dim_value for d in g.output[0].type.tensor_type.shape.dim]
    assert g.output[0].name == "logits" and dims == ["batch", 4], dims
    onnx.checker.check_model(m, full_check=True)


def main():
    tiny = os.path.join(HERE, "tiny_transformer.onnx")
    broken = os.path.join(HERE, "broken_export.onnx")
    make_tiny_transformer(tiny)
    check_tiny(tiny)
    removed = make_broken(broken)
    shape_src = check_broken(broken)
    for p in (tiny, broken):
        onnx.checker.check_model(onnx.load(p))
        print(f"{os.path.relpath(p)}: {os.path.getsize(p)} bytes")
    print(f"broken_export: removed casts {removed}; baked shape from {shape_src}")


if __name__ == "__main__":
    sys.exit(main())
