#!/usr/bin/env python3
"""PyTorch anchor for the workloads of ../shared/bench/workloads: the same graphs, weights (the
bench README's splitmix64 PRNG) and inputs, run with cuDNN in eager mode and as a CUDA graph, in
NCHW and channels_last, float32 (TF32 off) and float16. Prints per variant the median time of the
graph alone (inputs already on the GPU) and with the input upload and output read-back, and the
output checksums.   python3 torch_workloads.py [--workloads DIR] [--runs N] [--json FILE]"""
import argparse, glob, json, os, statistics

import numpy as np
import torch
import torch.nn.functional as F

MASK = (1 << 64) - 1


def prng(seed, n, lo, hi):
    i = np.arange(1, n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + i * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    u = (z >> np.uint64(40)).astype(np.float64) / 16777216.0
    return (lo + (hi - lo) * u).astype(np.float32)


def tensor_of(spec):
    shape = spec["descriptor"]["shape"]
    n = int(np.prod(shape)) if shape else 1
    data = spec["data"]
    if isinstance(data, dict):
        r = data["random"]
        arr = prng(r["seed"], n, r["min"], r["max"])
    elif isinstance(data, list):
        arr = np.array(data, dtype=np.float32)
    else:
        arr = np.full(n, data, dtype=np.float32)
    return torch.from_numpy(arr.reshape(shape))


def conv2d(x, w, o, env):
    nhwc = o.get("inputLayout") == "nhwc"
    layout = o.get("filterLayout", "oihw")
    w = w.permute(*{"oihw": (0, 1, 2, 3), "hwio": (3, 2, 0, 1), "ohwi": (0, 3, 1, 2), "ihwo": (3, 0, 1, 2)}[layout])
    if nhwc:
        x = x.permute(0, 3, 1, 2)
    p = o.get("padding", [0, 0, 0, 0])
    if p[0] != p[1] or p[2] != p[3]:
        x = F.pad(x, (p[2], p[3], p[0], p[1]))
        p = [0, 0, 0, 0]
    b = env[o["bias"]] if "bias" in o else None
    y = F.conv2d(x, w, b, tuple(o.get("strides", [1, 1])), (p[0], p[2]), tuple(o.get("dilations", [1, 1])), o.get("groups", 1))
    return y.permute(0, 2, 3, 1) if nhwc else y


def pool(kind, x, o):
    p = o.get("padding", [0, 0, 0, 0])
    win = o.get("windowDimensions", list(x.shape[2:]))
    s = o.get("strides", [1, 1])
    if kind == "max":
        if p[0] != p[1] or p[2] != p[3]:
            x = F.pad(x, (p[2], p[3], p[0], p[1]), value=float("-inf"))
            p = [0, 0, 0, 0]
        return F.max_pool2d(x, win, s, (p[0], p[2]))
    return F.avg_pool2d(x, win, s, (p[0], p[2]), count_include_pad=False)


def run_graph(g, env):
    env = dict(env)
    for op in g["operators"]:
        args = [list(a.values())[0] for a in op["arguments"] if "options" not in a]
        o = next((a["options"] for a in op["arguments"] if "options" in a), {})
        v = lambda k: env[args[k]]
        n = op["name"]
        if n == "conv2d": y = conv2d(v(0), v(1), o, env)
        elif n == "relu": y = F.relu(v(0))
        elif n == "clamp": y = torch.clamp(v(0), o.get("minValue"), o.get("maxValue"))
        elif n == "add": y = v(0) + v(1)
        elif n == "mul": y = v(0) * v(1)
        elif n == "averagePool2d": y = pool("avg", v(0), o)
        elif n == "maxPool2d": y = pool("max", v(0), o)
        elif n == "reshape": y = v(0).reshape(args[1])
        elif n == "gemm":
            b = v(1).t() if o.get("bTranspose") else v(1)
            y = v(0) @ b + (env[o["c"]] if "c" in o else 0)
        elif n == "softmax": y = torch.softmax(v(0), args[1])
        elif n == "matmul": y = v(0) @ v(1)
        elif n == "transpose": y = v(0).permute(*o["permutation"])
        elif n == "layerNormalization":
            axes = o["axes"]
            shape = [v(0).shape[a] for a in axes]
            y = F.layer_norm(v(0), shape, env.get(o.get("scale")), env.get(o.get("bias")), o.get("epsilon", 1e-5))
        elif n == "gelu": y = F.gelu(v(0))
        else: raise NotImplementedError(n)
        env[op["outputs"]] = y
    return [env[k] for k in g["expectedOutputs"]]


def checksum(t):
    x = t.double().flatten().cpu().numpy()
    w = (np.arange(x.size) % 251 + 1) / 251.0
    return {"sum": float(x.sum()), "sumsq": float((x * x).sum()), "sumabs": float(np.abs(x).sum()), "wsum": float((x * w).sum())}


def timed(fn, runs):
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(runs):
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def bench(g, dtype, channels_last, runs):
    consts = {k: tensor_of(s).cuda().to(dtype) for k, s in g["inputs"].items() if s.get("constant")}
    host_in = {k: tensor_of(s).to(dtype).pin_memory() for k, s in g["inputs"].items() if not s.get("constant")}
    dev_in = {k: t.cuda() for k, t in host_in.items()}
    if channels_last:
        consts = {k: t.contiguous(memory_format=torch.channels_last) if t.dim() == 4 else t for k, t in consts.items()}
        dev_in = {k: t.contiguous(memory_format=torch.channels_last) if t.dim() == 4 else t for k, t in dev_in.items()}
    with torch.no_grad():
        call = lambda: run_graph(g, {**consts, **dev_in})
        for _ in range(5):
            outs = call()
        eager = timed(call, runs)
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for _ in range(3):
                call()
        torch.cuda.current_stream().wait_stream(stream)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            static_outs = call()
        replay = timed(graph.replay, runs)
        host_out = [torch.empty(o.shape, dtype=o.dtype, pin_memory=True) for o in static_outs]

        def round_trip():  # upload, run, read back, as wnn-run --bench measures
            for k, t in host_in.items():
                dev_in[k].copy_(t, non_blocking=True)
            graph.replay()
            for h, o in zip(host_out, static_outs):
                h.copy_(o, non_blocking=True)

        with_io = timed(round_trip, runs)
    return {"eager_ms": eager, "cuda_graph_ms": replay, "cuda_graph_with_io_ms": with_io,
            "checksums": [checksum(o) for o in outs]}


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--workloads", default=os.path.join(here, "..", "..", "..", "shared", "bench", "workloads"))
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--json")
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    results = {}
    print(f"{'workload':<18} {'variant':<26} {'eager ms':>9} {'graph ms':>9} {'graph+io ms':>12}")
    for path in sorted(glob.glob(os.path.join(a.workloads, "*.json"))):
        g = json.load(open(path))
        name = g.get("name", os.path.basename(path)[:-5])
        for dtype in (torch.float32, torch.float16):
            for cl in (False, True):
                variant = f"{'fp32' if dtype == torch.float32 else 'fp16'} {'channels_last' if cl else 'nchw'}"
                r = bench(g, dtype, cl, a.runs)
                results.setdefault(name, {})[variant] = r
                print(f"{name:<18} {variant:<26} {r['eager_ms']:9.3f} {r['cuda_graph_ms']:9.3f} {r['cuda_graph_with_io_ms']:12.3f}")
    if a.json:
        json.dump(results, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
