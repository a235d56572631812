#!/usr/bin/env python3
"""Holds the operator case tables against onnx's own shape inference.

For every case, builds the same one-node model (tests/model/ops/op_cases.cc
writes it the same way), runs onnx.shape_inference.infer_shapes with data
propagation, and compares each output onnx types completely with the table:
dtype, rank, and every dimension that onnx gives as a number. Symbolic
dimensions are onnxscope's own (onnx names them differently or not at all)
and are compared by rank only. Cases that expect a diagnostic are checked
to make onnx fail or disagree too, or listed.

Usage: crosscheck_onnx.py [CASES_DIR]    (needs Debian's python3-onnx)
Exit status: 0 when nothing disagrees, 1 otherwise.
"""
import os
import re
import sys

import onnx
from onnx import parser, shape_inference

# The newest ai.onnx opset the installed onnx implements: cases beyond it
# (Split-18's uneven last chunk, Pad-18's axes) are the specification's,
# which that onnx predates.
ONNX_MAX_OPSET = onnx.defs.onnx_opset_version()

DTYPES = {1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 8: "string",
          9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64", 16: "bfloat16"}


def unquoted(s):
    """(index, char, bracket depth) of every character of s outside "quoted strings"."""
    depth, quoted, i = 0, False, 0
    while i < len(s):
        c = s[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        else:
            if c in "]})":
                depth -= 1
            yield i, c, depth
            if c in "[{(":
                depth += 1
        i += 1


def split_top(s, sep):
    out, start = [], 0
    for i, c, depth in unquoted(s):
        if c == sep and depth == 0:
            out.append(s[start:i].strip())
            start = i + 1
    out.append(s[start:].strip())
    return out


def uncomment(line):
    for i, c, _ in unquoted(line):
        if c == "#":
            return line[:i]
    return line


def model_text(domain, op, opset, inputs, attrs, n_out):
    imports = f'"{domain}" : {opset}' if not domain else f'"" : 17, "{domain}" : {opset}'
    graph_inputs, inits, args = [], [], []
    for i, x in enumerate(inputs):
        if x == "_":
            args.append("")
            continue
        name = f"i{i}"
        args.append(name)
        if "=" in x:
            t, v = x.split("=", 1)
            inits.append(f"{t.strip()} {name} = {v.strip()}")
        else:
            graph_inputs.append(f"{x} {name}")
    while args and not args[-1]:
        args.pop()
    outs = [f"o{o}" for o in range(n_out)]
    op_ref = f"{domain}.{op}" if domain else op
    a = f"<{attrs}> " if attrs else ""
    init = f"<{', '.join(inits)}>\n" if inits else ""
    return (f"<ir_version: 9, opset_import: [{imports}]>\ncase ({', '.join(graph_inputs)}) => ({', '.join(outs)})\n"
            f"{init}{{\n  {', '.join(outs)} = {op_ref} {a}({', '.join(args)})\n}}\n")


def parse_expected(s):
    m = re.fullmatch(r"(\w+)\[(.*)\]", s)
    if not m:
        return None
    dims = [d.strip() for d in m.group(2).split(",")] if m.group(2) else []
    return m.group(1), dims


def main():
    cases_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    compared = agreed = beyond = 0
    problems = []
    for fn in sorted(f for f in os.listdir(cases_dir) if f.endswith(".cases")):
        for ln, raw in enumerate(open(os.path.join(cases_dir, fn)), 1):
            body = uncomment(raw).strip()
            if not body:
                continue
            f = split_top(body, "|")
            head = f[0].split()
            op, opset = head[0], int(head[1])
            domain = ""
            if ":" in op:
                domain, op = op.rsplit(":", 1)
            inputs = split_top(f[1], ",") if f[1] else []
            expected = split_top(f[3], ",")
            codes = f[4].split()
            where = f"{fn}:{ln} {op}-{opset}"
            if not domain and opset > ONNX_MAX_OPSET:
                beyond += 1
                continue
            text = model_text(domain, op, opset, inputs, f[2], len(expected))
            try:
                m = parser.parse_model(text)
                inferred = shape_inference.infer_shapes(m, strict_mode=True, data_prop=True)
            except Exception as e:  # onnx rejects the model
                if not codes:
                    problems.append(f"{where}: onnx fails, the table expects no diagnostic: {str(e).splitlines()[0][:160]}")
                continue
            outs = {o.name: o for o in inferred.graph.output}
            outs.update({v.name: v for v in inferred.graph.value_info})
            for k, exp in enumerate(expected):
                p = parse_expected(exp)
                if p is None or codes:
                    continue
                v = outs.get(f"o{k}")
                if v is None or not v.type.HasField("tensor_type") or not v.type.tensor_type.HasField("shape"):
                    continue
                tt = v.type.tensor_type
                dims = [d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim]
                compared += 1
                dtype, edims = p
                bad = DTYPES.get(tt.elem_type) != dtype or len(dims) != len(edims)
                for ed, od in zip(edims, dims):
                    if od is not None and re.fullmatch(r"-?\d+", ed) and int(ed) != od:
                        bad = True
                    if od is not None and not re.fullmatch(r"-?\d+", ed):
                        bad = True  # onnx knows a number where the table has an expression
                if bad:
                    shown = ",".join("?" if d is None else str(d) for d in dims)
                    problems.append(f"{where}: output {k}: table {exp}, onnx {DTYPES.get(tt.elem_type)}[{shown}]")
                else:
                    agreed += 1
    for p in problems:
        print(p)
    print(f"{compared} outputs compared with onnx {onnx.__version__} shape inference, {agreed} agree, "
          f"{len(problems)} problems; {beyond} cases beyond its opset {ONNX_MAX_OPSET} not compared")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
