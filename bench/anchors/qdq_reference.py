#!/usr/bin/env python3
"""A float64 evaluation of this project's quantized (QDQ) workloads (../workloads/*_int8_*.json), op by
op in numpy as the WebNN spec defines them (each op computed in float64, its float32 outputs then
rounded to float32 as the graph stores them), written as the float64 reference checksums that
wnn-bench and wnn-run compare against (../workloads/../anchors/ort_cpu_2core.json, the shared corpus'
format: {"workloads": {name: {"checksums_float64_reference": {output: checksums}}}}).

It covers the ops those graphs use: dequantizeLinear, quantizeLinear (round half to even,
saturated), conv2d (NCHW, OIHW filter, padding, strides, bias), relu and add. Without it the only
check of an int8 output was ONNX Runtime's, which is not exact everywhere: on AVX2 CPUs without
VNNI its u8 x s8 kernels saturate 16-bit pair sums.

  python3 bench/anchors/qdq_reference.py [--workloads DIR] [--write FILE]   (prints the checksums)
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workload_common as wc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
INTEGER_RANGES = {"uint8": (0, 255), "int8": (-128, 127), "int32": (-2**31, 2**31 - 1)}


def conv2d(x, w, options, values):
    """NCHW x, OIHW w (groups 1, dilation 1), float64."""
    pt, pb, pl, pr = options.get("padding", [0, 0, 0, 0])
    sh, sw = options.get("strides", [1, 1])
    if options.get("groups", 1) != 1 or options.get("dilations", [1, 1]) != [1, 1]:
        raise ValueError("conv2d: only groups 1 and dilation 1 are evaluated here")
    if options.get("inputLayout", "nchw") != "nchw" or options.get("filterLayout", "oihw") != "oihw":
        raise ValueError("conv2d: only nchw input and oihw filters are evaluated here")
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh, ow = (h + pt + pb - kh) // sh + 1, (wd + pl + pr - kw) // sw + 1
    y = np.zeros((n, o, oh, ow))
    for dy in range(kh):
        for dx in range(kw):
            patch = xp[:, :, dy:dy + sh * oh:sh, dx:dx + sw * ow:sw]  # n, c, oh, ow
            y += np.einsum("nchw,oc->nohw", patch, w[:, :, dy, dx], optimize=True)
    if "bias" in options:
        y += values[options["bias"]].reshape(1, o, 1, 1)
    return y


def evaluate(graph):
    """{output name: float64 array} of the graph; integer tensors as their exact values."""
    values, types = {}, {}
    for name, spec in graph["inputs"].items():
        values[name] = wc.array_of(spec).astype(np.float64)
        types[name] = spec["descriptor"].get("dataType", "float32")
    for op in graph["operators"]:
        _, options = wc.split_arguments(op)
        args = {k: v for a in op["arguments"] for k, v in a.items() if k != "options"}  # by name
        arg = lambda k: values[args[k]]  # noqa: E731
        kind = op["name"]
        if kind == "dequantizeLinear":
            y, t = (arg("input") - arg("zeroPoint")) * arg("scale"), "float32"
        elif kind == "quantizeLinear":
            t = types[args["zeroPoint"]]
            lo, hi = INTEGER_RANGES[t]
            y = np.clip(np.round(arg("input") / arg("scale")) + arg("zeroPoint"), lo, hi)  # half to even
        elif kind == "conv2d":
            y, t = conv2d(arg("input"), arg("filter"), options, values), "float32"
        elif kind == "relu":
            y, t = np.maximum(arg("input"), 0.0), types[args["input"]]
        elif kind == "add":
            y, t = arg("a") + arg("b"), types[args["a"]]
        else:
            raise ValueError(f"{op['name']}: not evaluated by this reference")
        if t == "float32":  # the tensor the graph holds (a dequantized activation is not exact in float32)
            y = y.astype(np.float32).astype(np.float64)
        values[op["outputs"]], types[op["outputs"]] = y, t
    return {name: values[name] for name in graph["expectedOutputs"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workloads", default=os.path.join(HERE, "..", "workloads"))
    ap.add_argument("--write", help="the references file to write (default: print only)")
    a = ap.parse_args()
    refs = {}
    for _, _, graph in wc.workload_files(a.workloads):
        outs = {k: wc.checksum(v) for k, v in evaluate(graph).items()}
        refs[graph["name"]] = {"checksums_float64_reference": outs}
        for k, v in outs.items():
            print(f"{graph['name']} {k}: " + ", ".join(f"{m} {x:.17g}" for m, x in v.items()))
    if a.write:
        with open(a.write, "w") as f:
            json.dump({"what": "float64 evaluations of the workloads beside this file's ../workloads, by "
                       "bench/anchors/qdq_reference.py", "workloads": refs}, f, indent=1)
            f.write("\n")
        print(a.write)


if __name__ == "__main__":
    main()
