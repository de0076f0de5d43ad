#!/usr/bin/env python3
"""ONNX Runtime anchor for the workloads of ../shared/bench/workloads: each WebNN graph is converted
to an ONNX model (onnx's helper API; nhwc inputs and non-oihw filters become Transposes, constant
filters are transposed once at conversion; dequantizeLinear / quantizeLinear become DequantizeLinear /
QuantizeLinear with constant per-tensor or per-axis parameters, so ORT fuses QDQ groups into its int8
kernels) and run by onnxruntime's CPU execution provider with
intra_op_num_threads = --threads, on the same weights and inputs (the bench README's PRNG).
Timed: InferenceSession.run on numpy inputs made once (ORT reads them in place), returning the
outputs as new numpy arrays; wall clock per call.

  python3 ort_workloads.py [--workloads DIR] [--only NAME[,NAME]] [--runs N] [--rounds R] [--threads T] [--json FILE]
      prints per workload the median and p10-p90 of R x N runs and the checksums against float64
  python3 ort_workloads.py --serve --workload FILE --runs N [--threads T]
      the line protocol of workload_common.py, driven by `wnn-bench workloads --vs ort`
"""
import argparse, json, os, statistics, sys, time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workload_common as wc  # noqa: E402

OPSET = 20  # Gelu (erf form) is an ONNX op from opset 20

UNARY = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "exp": "Exp", "log": "Log", "abs": "Abs",
         "neg": "Neg", "sqrt": "Sqrt", "erf": "Erf", "floor": "Floor", "ceil": "Ceil", "reciprocal": "Reciprocal",
         "sin": "Sin", "cos": "Cos", "identity": "Identity", "softsign": "Softsign", "softplus": "Softplus",
         "hardSwish": "HardSwish", "sign": "Sign"}
BINARY = {"add": "Add", "sub": "Sub", "mul": "Mul", "div": "Div", "max": "Max", "min": "Min", "pow": "Pow"}
# Filter layouts as permutations to ONNX's: Conv wants oihw, ConvTranspose iohw.
CONV_FILTER = {"oihw": None, "hwio": (3, 2, 0, 1), "ohwi": (0, 3, 1, 2), "ihwo": (3, 0, 1, 2)}
CONV_TRANSPOSE_FILTER = {"iohw": None, "hwoi": (3, 2, 0, 1), "ohwi": (3, 0, 1, 2)}
TO_NCHW, TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]


class Converter:
    """Builds the ONNX graph op by op. env maps workload operand names to ONNX value names."""

    def __init__(self):
        from onnx import helper
        self.h = helper
        self.nodes, self.inputs, self.inits = [], [], []
        self.consts, self.feeds, self.env = {}, {}, {}
        self.count = 0

    def fresh(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def const(self, array, hint="c"):
        from onnx import numpy_helper
        name = self.fresh(hint)
        # (not np.ascontiguousarray: it turns a 0-d scale into shape [1], which ONNX Runtime 1.30's
        # QLinearAdd fusion rejects as not a scalar)
        self.inits.append(numpy_helper.from_array(np.array(array, order="C", copy=True), name))
        self.consts[name] = array
        return name

    def node(self, op, inputs, out=None, **attrs):
        out = out or self.fresh(op.lower())
        self.nodes.append(self.h.make_node(op, inputs, [out], **attrs))
        return out

    def val(self, name):
        return self.env[name]

    def permuted(self, name, perm):
        """The operand `name` permuted: a transposed initializer when constant, else a Transpose."""
        v = self.val(name)
        if perm is None:
            return v
        if v in self.consts:
            return self.const(self.consts[v].transpose(perm), "filter")
        return self.node("Transpose", [v], perm=list(perm))

    def shape(self, value):
        """Inferred static shape of a value (onnx shape inference over the graph so far)."""
        import onnx
        g = self.h.make_graph(self.nodes, "probe", self.inputs, [], self.inits)
        m = onnx.shape_inference.infer_shapes(self.h.make_model(g, opset_imports=[self.h.make_opsetid("", OPSET)]))
        for vi in list(m.graph.value_info) + list(m.graph.input):
            if vi.name == value:
                return [d.dim_value for d in vi.type.tensor_type.shape.dim]
        if value in self.consts:
            return list(self.consts[value].shape)
        raise ValueError(f"no static shape for {value}")


def conv(c, args, o, out, transpose):
    nhwc = o.get("inputLayout", "nchw") == "nhwc"
    x = c.val(args[0])
    if nhwc:
        x = c.node("Transpose", [x], perm=TO_NCHW)
    layouts = CONV_TRANSPOSE_FILTER if transpose else CONV_FILTER
    w = c.permuted(args[1], layouts[o.get("filterLayout", "iohw" if transpose else "oihw")])
    inputs = [x, w] + ([c.val(o["bias"])] if "bias" in o else [])
    p = o.get("padding", [0, 0, 0, 0])  # WebNN [beginH, endH, beginW, endW]; ONNX [beginH, beginW, endH, endW]
    attrs = {"pads": [p[0], p[2], p[1], p[3]], "strides": o.get("strides", [1, 1]),
             "dilations": o.get("dilations", [1, 1]), "group": o.get("groups", 1)}
    if transpose:
        if "outputPadding" in o:
            attrs["output_padding"] = o["outputPadding"]
        if "outputSizes" in o:
            attrs["output_shape"] = o["outputSizes"]
    y = c.node("ConvTranspose" if transpose else "Conv", inputs, None if nhwc else out, **attrs)
    return c.node("Transpose", [y], out, perm=TO_NHWC) if nhwc else y


def pool(c, args, o, out, kind):
    nhwc = o.get("layout", "nchw") == "nhwc"
    x = c.val(args[0])
    if nhwc:
        x = c.node("Transpose", [x], perm=TO_NCHW)
    if "outputSizes" in o:
        raise NotImplementedError("pool outputSizes")
    win, p = o.get("windowDimensions"), o.get("padding", [0, 0, 0, 0])
    if win is None and not any(p) and o.get("strides", [1, 1]) == [1, 1]:
        y = c.node("Global" + kind, [x], None if nhwc else out)
    else:
        if win is None:
            win = c.shape(x)[2:]
        attrs = {"kernel_shape": win, "pads": [p[0], p[2], p[1], p[3]], "strides": o.get("strides", [1, 1]),
                 "ceil_mode": int(o.get("roundingType", "floor") == "ceil")}
        if "dilations" in o:
            attrs["dilations"] = o["dilations"]
        if kind == "AveragePool":
            attrs["count_include_pad"] = 0  # WebNN averages over the window's elements inside the input
        y = c.node(kind, [x], None if nhwc else out, **attrs)
    return c.node("Transpose", [y], out, perm=TO_NHWC) if nhwc else y


def layer_norm(c, args, o, out):
    x = c.val(args[0])
    shape = c.shape(x)
    axes = list(o.get("axes", range(1, len(shape))))
    if not axes or axes != list(range(axes[0], len(shape))):
        raise NotImplementedError(f"layerNormalization over axes {axes} (ONNX normalizes trailing axes)")
    scale = c.val(o["scale"]) if "scale" in o else c.const(np.ones(shape[axes[0]:], np.float32), "ones")
    inputs = [x, scale] + ([c.val(o["bias"])] if "bias" in o else [])
    return c.node("LayerNormalization", inputs, out, axis=axes[0], epsilon=float(o.get("epsilon", 1e-5)))


def clamp(c, args, o, out):
    lo = c.const(np.array(o["minValue"], np.float32), "min") if "minValue" in o else ""
    hi = c.const(np.array(o["maxValue"], np.float32), "max") if "maxValue" in o else ""
    return c.node("Clip", [c.val(args[0]), lo, hi], out)


def gemm(c, args, o, out):
    inputs = [c.val(args[0]), c.val(args[1])] + ([c.val(o["c"])] if "c" in o else [])
    return c.node("Gemm", inputs, out, alpha=float(o.get("alpha", 1.0)), beta=float(o.get("beta", 1.0)),
                  transA=int(bool(o.get("aTranspose"))), transB=int(bool(o.get("bTranspose"))))


def quantize(c, args, out, onnx_op):
    """dequantizeLinear / quantizeLinear -> ONNX DequantizeLinear / QuantizeLinear. WebNN's scale and
    zeroPoint have the input's rank (blockwise); ONNX takes a scalar (per tensor) or a 1-D tensor along
    `axis` (per axis): the constants are reshaped to that, other blockings are not converted."""
    x, scale, zp = (c.val(a) for a in args[:3])
    if scale not in c.consts or zp not in c.consts:
        raise NotImplementedError(f"{onnx_op}: scale and zeroPoint must be constants")
    s, z = c.consts[scale], c.consts[zp]
    axes = [i for i, d in enumerate(s.shape) if d != 1]
    if not axes:
        return c.node(onnx_op, [x, c.const(s.reshape(()), "scale"), c.const(z.reshape(()), "zp")], out)
    if len(axes) == 1:
        return c.node(onnx_op, [x, c.const(s.reshape(-1), "scale"), c.const(z.reshape(-1), "zp")], out, axis=axes[0])
    raise NotImplementedError(f"{onnx_op}: blockwise scale of shape {list(s.shape)}")


def convert_op(c, op, out):
    n = op["name"]
    args, o = wc.split_arguments(op)
    if n in UNARY:
        return c.node(UNARY[n], [c.val(args[0])], out)
    if n in BINARY:
        return c.node(BINARY[n], [c.val(args[0]), c.val(args[1])], out)
    if n in ("conv2d", "convTranspose2d"):
        return conv(c, args, o, out, n == "convTranspose2d")
    if n in ("averagePool2d", "maxPool2d"):
        return pool(c, args, o, out, "AveragePool" if n == "averagePool2d" else "MaxPool")
    if n == "clamp":
        return clamp(c, args, o, out)
    if n in ("dequantizeLinear", "quantizeLinear"):
        return quantize(c, args, out, "DequantizeLinear" if n == "dequantizeLinear" else "QuantizeLinear")
    if n == "gemm":
        return gemm(c, args, o, out)
    if n == "matmul":
        return c.node("MatMul", [c.val(args[0]), c.val(args[1])], out)
    if n == "reshape":
        return c.node("Reshape", [c.val(args[0]), c.const(np.array(args[1], np.int64), "shape")], out)
    if n == "transpose":
        perm = o.get("permutation")
        return c.node("Transpose", [c.val(args[0])], out, **({"perm": perm} if perm is not None else {}))
    if n == "softmax":
        return c.node("Softmax", [c.val(args[0])], out, axis=args[1])
    if n == "concat":
        return c.node("Concat", [c.val(a) for a in args[0]], out, axis=args[1])
    if n == "layerNormalization":
        return layer_norm(c, args, o, out)
    if n == "gelu":
        return c.node("Gelu", [c.val(args[0])], out)  # approximate="none": the erf form, as WebNN's
    if n == "leakyRelu":
        return c.node("LeakyRelu", [c.val(args[0])], out, alpha=float(o.get("alpha", 0.01)))
    if n == "elu":
        return c.node("Elu", [c.val(args[0])], out, alpha=float(o.get("alpha", 1.0)))
    if n == "hardSigmoid":
        return c.node("HardSigmoid", [c.val(args[0])], out, alpha=float(o.get("alpha", 0.2)),
                      beta=float(o.get("beta", 0.5)))
    raise NotImplementedError(f"no ONNX conversion for WebNN op {n}")


def to_onnx(graph):
    """(ModelProto, feeds {input name: array}, output names) of a workload graph."""
    from onnx import helper
    c = Converter()
    for name, spec in graph["inputs"].items():
        arr = wc.array_of(spec)
        if spec.get("constant"):
            c.env[name] = c.const(arr, "w")
        else:
            c.inputs.append(helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(arr.dtype), arr.shape))
            c.feeds[name] = arr
            c.env[name] = name
    outputs = list(graph["expectedOutputs"])
    last = {op["outputs"]: i for i, op in enumerate(graph["operators"]) if isinstance(op["outputs"], str)}
    for i, op in enumerate(graph["operators"]):
        name = op["outputs"]
        if not isinstance(name, str):
            raise NotImplementedError(f"{op['name']}: ops with several outputs")
        # The op that finally defines a graph output writes the ONNX output itself (no Identity copy).
        c.env[name] = convert_op(c, op, name if name in outputs and last[name] == i else None)
    infos = []
    for name in outputs:
        desc = graph["expectedOutputs"][name]["descriptor"]
        dtype = helper.np_dtype_to_tensor_dtype(np.dtype(wc.NUMPY_TYPES[desc.get("dataType", "float32")]))
        infos.append(helper.make_tensor_value_info(name, dtype, desc["shape"]))
        if c.env[name] != name:
            c.node("Identity", [c.env[name]], name)
    used = {i for n in c.nodes for i in n.input}  # a filter transposed at conversion leaves its original unused
    g = helper.make_graph(c.nodes, graph.get("name", "workload"), c.inputs, infos, [t for t in c.inits if t.name in used])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="libwebnn ort_workloads.py")
    # A newer onnx stamps an IR version an older onnxruntime refuses (onnx 1.23 writes 14, ORT 1.30
    # reads up to 13); opset 20 needs IR 9, which every onnxruntime that has opset 20 reads.
    model.ir_version = min(model.ir_version, 9)
    return model, c.feeds, outputs


def session(model, threads):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3  # errors only: its notes would go to stderr between our rows
    # Its workers spin during a run (its own speed unchanged) but stop when the run returns: left
    # spinning, they took the cores from our turn of the interleaved benchmark (BERT 6.5 -> 7.6 ms on
    # the 2-core AVX-512 machine, with a 200 ms or a 1 s pause between turns alike).
    so.add_session_config_entry("session.force_spinning_stop", "1")
    return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])


def describe(threads):
    import onnxruntime as ort
    return (f"onnxruntime {ort.__version__}, CPUExecutionProvider, {threads} intra-op threads, all graph "
            "optimizations; timed: InferenceSession.run on numpy inputs made once (read in place), outputs "
            "returned as new numpy arrays")


def prepare(path, threads, fp16, device):
    """(info, run, output names) for the serve protocol, or raises."""
    if device != "cpu":
        raise ValueError("this anchor runs ONNX Runtime's CPU execution provider only")
    if fp16:
        raise ValueError("float16 is not covered by the ONNX Runtime anchor (its CPU provider lacks float16 "
                         "kernels for most of these ops)")
    graph = json.load(open(path))
    t0 = time.perf_counter()
    model, feeds, names = to_onnx(graph)
    sess = session(model, threads)
    run = lambda: sess.run(names, feeds)  # noqa: E731
    for _ in range(3):
        run()
    return {"anchor": describe(threads), "threads": threads, "setup_ms": (time.perf_counter() - t0) * 1e3}, run, names


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workloads", default=wc.default_workloads_dir())
    ap.add_argument("--only", help="comma-separated workload names")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--json", help="write the results to this file")
    ap.add_argument("--serve", action="store_true", help="the wnn-bench line protocol on --workload")
    ap.add_argument("--workload", help="with --serve: the workload file")
    ap.add_argument("--device", default="cpu", help="with --serve: must be cpu")
    ap.add_argument("--fp16", action="store_true", help="with --serve: refused (float32 only)")
    a = ap.parse_args()
    if a.runs < 1 or a.rounds < 1 or a.threads < 1:
        ap.error("--runs, --rounds and --threads must be at least 1")
    if a.serve:
        if not a.workload:
            ap.error("--serve needs --workload FILE")
        return wc.serve(lambda: prepare(a.workload, a.threads, a.fp16, a.device), a.runs)
    refs = wc.float64_references(a.workloads)
    results = {}
    print(f"{describe(a.threads)}\n{a.rounds} rounds x {a.runs} runs\n")
    print(f"{'workload':<18} {'median ms':>10} {'p10-p90 ms':>18}  checksum vs float64")
    for name, path, graph in wc.workload_files(a.workloads, a.only):
        info, run, names = prepare(path, a.threads, False, "cpu")
        times = []
        for _ in range(a.rounds):
            run()
            t, outs = wc.time_runs(run, a.runs)
            times += t
        sums = {n: wc.checksum(o) for n, o in zip(names, outs)}
        ref = refs.get(name, {})
        diff = max((wc.checksum_diff(sums[n], ref[n]) for n in names if n in ref), default=float("nan"))
        q = statistics.quantiles(times, n=10) if len(times) > 1 else times * 9
        results[name] = {"median_ms": statistics.median(times), "p10_ms": q[0], "p90_ms": q[-1], "times_ms": times,
                         "setup_ms": info["setup_ms"], "checksums": sums, "checksum_vs_float64": diff}
        print(f"{name:<18} {statistics.median(times):10.3f} {q[0]:8.3f}-{q[-1]:<9.3f}  {diff:.1e}", flush=True)
    if a.json:
        json.dump({"anchor": describe(a.threads), "runs": a.runs, "rounds": a.rounds, "workloads": results},
                  open(a.json, "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
