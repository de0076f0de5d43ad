#!/usr/bin/env python3
"""Writes the quantized (QDQ) CPU workloads of this directory, in the format of
../../../shared/bench/README.md: every conv2d reads dequantizeLinear(uint8 activations) and
dequantizeLinear(int8 constant weights, one scale per output channel, zero point 0) with an int32
bias dequantized at scale sx * sw[c] (the way ONNX QDQ models store it), and its relu output is
quantized to uint8 (zero point 0). Weights and inputs come from the README's PRNG; per-channel
scales and the int32 biases are listed (derived from the same PRNG here, exactly as float32).

  python3 make_int8_workloads.py        (rewrites seed_conv_int8_nchw.json, resnet_block_int8_nchw.json)
"""
import json, math, os, sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "anchors"))
import workload_common as wc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class Graph:
    def __init__(self, name, description):
        self.g = {"name": name, "description": description, "inputs": {}, "operators": [], "expectedOutputs": {}}
        self.seed = 100

    def tensor(self, name, shape, dtype, data, constant=True):
        spec = {"descriptor": {"shape": list(shape), "dataType": dtype}, "data": data}
        if constant:
            spec["constant"] = True
        self.g["inputs"][name] = spec
        return name

    def random(self, name, shape, dtype, lo, hi, constant=True):
        self.seed += 1
        return self.tensor(name, shape, dtype, {"random": {"seed": self.seed, "min": lo, "max": hi}}, constant)

    def op(self, name, args, out, options=None):
        a = [{k: v} for k, v in args]
        if options:
            a.append({"options": options})
        self.g["operators"].append({"name": name, "arguments": a, "outputs": out})
        return out

    def scalar_param(self, name, value, dtype, rank=4):
        return self.tensor(name, [1] * rank, dtype, value)

    def dq(self, x, scale, zp, out):
        return self.op("dequantizeLinear", [("input", x), ("scale", scale), ("zeroPoint", zp)], out)

    def q(self, x, scale, zp, out):
        return self.op("quantizeLinear", [("input", x), ("scale", scale), ("zeroPoint", zp)], out)

    def qconv(self, name, xq, sx, cin, cout, k, sy, relu=True, stride=1):
        """y_q = quantize(relu(conv(dq(x_q), dq(w_q)) + dq(b_q))), weights uniform in +-127, scales set
        so the float weights are uniform in +-gain*sqrt(3/fan_in)."""
        fan_in = cin * k * k
        bound = math.sqrt(2.0) * math.sqrt(3.0 / fan_in)
        self.seed += 1
        sw = wc.prng(self.seed, cout, 0.8 * bound / 127, 1.2 * bound / 127)  # per channel, float32
        wq = self.random(f"{name}_wq", [cout, cin, k, k], "int8", -127.999, 127.999)
        sws = self.tensor(f"{name}_ws", [cout, 1, 1, 1], "float32", [float(v) for v in sw])
        wz = self.tensor(f"{name}_wz", [cout, 1, 1, 1], "int8", 0)
        bs = (np.float32(sx) * sw).astype(np.float32)  # exactly float32(sx * sw[c])
        self.seed += 1
        b = wc.prng(self.seed, cout, -0.05, 0.05)
        bq = [int(round(float(b[c]) / float(bs[c]))) for c in range(cout)]
        self.tensor(f"{name}_bq", [cout], "int32", bq)
        self.tensor(f"{name}_bs", [cout], "float32", [float(v) for v in bs])
        self.tensor(f"{name}_bz", [cout], "int32", 0)
        x = self.dq(xq, self.scalar_param(f"{name}_xs", float(np.float32(sx)), "float32"),
                    self.scalar_param(f"{name}_xz", 0, "uint8"), f"{name}_x")
        w = self.dq(wq, sws, wz, f"{name}_w")
        bias = self.dq(f"{name}_bq", f"{name}_bs", f"{name}_bz", f"{name}_b")
        p = (k - 1) // 2
        y = self.op("conv2d", [("input", x), ("filter", w)], f"{name}_conv",
                    {"padding": [p, p, p, p], "strides": [stride, stride], "bias": bias})
        if relu:
            y = self.op("relu", [("input", y)], f"{name}_relu")
        return self.q(y, self.scalar_param(f"{name}_ys", float(np.float32(sy)), "float32"),
                      self.scalar_param(f"{name}_yz", 0, "uint8"), f"{name}_yq")

    def output(self, name, shape, dtype):
        self.g["expectedOutputs"][name] = {"descriptor": {"shape": list(shape), "dataType": dtype}}

    def write(self):
        path = os.path.join(HERE, self.g["name"] + ".json")
        with open(path, "w") as f:
            json.dump(self.g, f)
            f.write("\n")
        print(path)


def seed_conv():
    g = Graph("seed_conv_int8_nchw", "seed_conv_nchw quantized (QDQ): uint8 input [1,100,100,100] (scale 0.02, "
              "zero point 0) -> conv2d 3x3 100->100 padding 1, int8 weights per output channel, int32 bias -> relu -> "
              "uint8 output (scale 0.08, zero point 0).")
    g.random("input", [1, 100, 100, 100], "uint8", 0, 255.999, constant=False)
    g.qconv("c", "input", 0.02, 100, 100, 3, 0.08)
    g.g["operators"][-1]["outputs"] = "output"
    g.output("output", [1, 100, 100, 100], "uint8")
    g.write()


def resnet_block():
    """A ResNet-50 stage-1 bottleneck with a projection, quantized: x_q [1,64,56,56] -> 1x1 64->64 ->
    3x3 64->64 -> 1x1 64->256, projection 1x1 64->256 of x_q, then dequantize both, add, relu,
    quantize."""
    g = Graph("resnet_block_int8_nchw", "ResNet-50 bottleneck with projection, quantized (QDQ): uint8 x [1,64,56,56] -> "
              "conv 1x1 64->64 relu -> conv 3x3 64->64 relu -> conv 1x1 64->256; projection conv 1x1 64->256 of x; "
              "dequantize both, add, relu, quantize to uint8. int8 per-channel weights, int32 biases, uint8 "
              "activations (zero point 0) between the layers.")
    g.random("input", [1, 64, 56, 56], "uint8", 0, 255.999, constant=False)
    a = g.qconv("a", "input", 0.02, 64, 64, 1, 0.03)
    b = g.qconv("b", a, 0.03, 64, 64, 3, 0.03)
    c = g.qconv("c", b, 0.03, 64, 256, 1, 0.05, relu=False)
    p = g.qconv("p", "input", 0.02, 64, 256, 1, 0.05, relu=False)
    # quantized without relu, the two branches need a signed type: uint8 with zero point 128
    for name in (c, p):
        for op in g.g["operators"]:
            if op["outputs"] == name:
                zp = op["arguments"][2]["zeroPoint"]
                g.g["inputs"][zp]["data"] = 128
    s = g.scalar_param
    cf = g.dq(c, s("cd_s", float(np.float32(0.05)), "float32"), s("cd_z", 128, "uint8"), "c_f")
    pf = g.dq(p, s("pd_s", float(np.float32(0.05)), "float32"), s("pd_z", 128, "uint8"), "p_f")
    y = g.op("add", [("a", cf), ("b", pf)], "sum")
    y = g.op("relu", [("input", y)], "sum_relu")
    g.q(y, s("out_s", float(np.float32(0.06)), "float32"), s("out_z", 0, "uint8"), "output")
    g.output("output", [1, 256, 56, 56], "uint8")
    g.write()


if __name__ == "__main__":
    seed_conv()
    resnet_block()
