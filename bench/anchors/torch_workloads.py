#!/usr/bin/env python3
"""PyTorch anchor for the workloads of ../shared/bench/workloads: the same graphs, weights (the
bench README's splitmix64 PRNG) and inputs, run with cuDNN in eager mode and as a CUDA graph, in
NCHW and channels_last, float32 (TF32 off) and float16. Prints per variant the median time of the
graph alone (inputs already on the GPU) and with the input upload and output read-back, and the
output checksums.   python3 torch_workloads.py [--workloads DIR] [--only NAME[,NAME]] [--runs N] [--json FILE]

With --serve it speaks the line protocol of workload_common.py for `wnn-bench workloads --vs torch`:
  python3 torch_workloads.py --serve --workload FILE --runs N [--device cuda|cpu] [--fp16] [--threads T]
timing per run, wall clock: on cuda the faster layout's (nchw or channels_last, chosen at setup)
CUDA graph round trip: upload of the inputs from pinned memory, replay, read-back of the outputs to
pinned memory, synchronize; on cpu one eager forward (torch.set_num_threads(T)) on inputs made once."""
import argparse, json, os, statistics, sys, time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workload_common as wc  # noqa: E402


def tensor_of(spec):
    return torch.from_numpy(wc.array_of(spec))


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
        args, o = wc.split_arguments(op)
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
    return wc.checksum(t.double().cpu().numpy())


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


class CudaRig:
    """One workload on the GPU in one dtype and layout: eager call, captured CUDA graph, and the
    round trip through pinned host buffers."""

    def __init__(self, g, dtype, channels_last):
        consts = {k: tensor_of(s).cuda().to(dtype) for k, s in g["inputs"].items() if s.get("constant")}
        self.host_in = {k: tensor_of(s).to(dtype).pin_memory() for k, s in g["inputs"].items() if not s.get("constant")}
        self.dev_in = {k: t.cuda() for k, t in self.host_in.items()}
        if channels_last:
            consts = {k: t.contiguous(memory_format=torch.channels_last) if t.dim() == 4 else t for k, t in consts.items()}
            self.dev_in = {k: t.contiguous(memory_format=torch.channels_last) if t.dim() == 4 else t
                           for k, t in self.dev_in.items()}
        with torch.no_grad():
            self.call = lambda: run_graph(g, {**consts, **self.dev_in})
            for _ in range(5):
                self.outs = self.call()
            stream = torch.cuda.Stream()
            stream.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(stream):
                for _ in range(3):
                    self.call()
            torch.cuda.current_stream().wait_stream(stream)
            self.graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(self.graph):
                self.static_outs = self.call()
        self.host_out = [torch.empty(o.shape, dtype=o.dtype, pin_memory=True) for o in self.static_outs]

    def round_trip(self):  # upload, run, read back, as wnn-run --bench measures
        for k, t in self.host_in.items():
            self.dev_in[k].copy_(t, non_blocking=True)
        self.graph.replay()
        for h, o in zip(self.host_out, self.static_outs):
            h.copy_(o, non_blocking=True)

    def synced_round_trip(self):  # for wall-clock timing: returns when the outputs are on the host
        self.round_trip()
        torch.cuda.synchronize()
        return self.host_out


def bench(g, dtype, channels_last, runs):
    rig = CudaRig(g, dtype, channels_last)
    with torch.no_grad():
        eager = timed(rig.call, runs)
        replay = timed(rig.graph.replay, runs)
        with_io = timed(rig.round_trip, runs)
    return {"eager_ms": eager, "cuda_graph_ms": replay, "cuda_graph_with_io_ms": with_io,
            "checksums": [checksum(o) for o in rig.outs]}


def prepare_serve(path, device, fp16, threads):
    """(info, run, output names) for the serve protocol of workload_common.py."""
    g = json.load(open(path))
    dtype = torch.float16 if fp16 else torch.float32
    names = list(g["expectedOutputs"])
    t0 = time.perf_counter()
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cudnn.benchmark = True
        best = None
        for cl in (False, True):  # keep the faster layout, as the table's "best variant"
            rig = CudaRig(g, dtype, cl)
            ms = statistics.median(wc.time_runs(rig.synced_round_trip, 10)[0])
            if best is None or ms < best[0]:
                best = (ms, rig, "channels_last" if cl else "nchw")
        _, rig, layout = best
        run = rig.synced_round_trip
        what = (f"torch {torch.__version__}, {torch.cuda.get_device_name()}, CUDA graph, {layout}, TF32 off; timed: "
                "upload of the inputs from pinned memory + replay + read-back to pinned memory + synchronize")
    elif device == "cpu":
        torch.set_num_threads(threads)
        env = {k: tensor_of(s).to(dtype) for k, s in g["inputs"].items()}

        def run():
            with torch.no_grad():
                return run_graph(g, env)
        for _ in range(3):
            run()
        what = (f"torch {torch.__version__}, CPU, {threads} threads, eager; timed: one forward on inputs made once, "
                "outputs as new tensors")
    else:
        raise ValueError(f"unknown device {device}")
    return {"anchor": what, "threads": threads, "setup_ms": (time.perf_counter() - t0) * 1e3}, run, names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workloads", default=wc.default_workloads_dir())
    ap.add_argument("--only", help="comma-separated workload names")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--json")
    ap.add_argument("--serve", action="store_true", help="the wnn-bench line protocol on --workload")
    ap.add_argument("--workload", help="with --serve: the workload file")
    ap.add_argument("--device", default="cuda", choices=("cuda", "cpu"), help="with --serve")
    ap.add_argument("--fp16", action="store_true", help="with --serve: float16")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="with --serve on cpu")
    a = ap.parse_args()
    if a.serve:
        if not a.workload:
            ap.error("--serve needs --workload FILE")
        return wc.serve(lambda: prepare_serve(a.workload, a.device, a.fp16, a.threads), a.runs)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    results = {}
    print(f"{'workload':<18} {'variant':<26} {'eager ms':>9} {'graph ms':>9} {'graph+io ms':>12}")
    for name, path, g in wc.workload_files(a.workloads, a.only):
        for dtype in (torch.float32, torch.float16):
            for cl in (False, True):
                variant = f"{'fp32' if dtype == torch.float32 else 'fp16'} {'channels_last' if cl else 'nchw'}"
                r = bench(g, dtype, cl, a.runs)
                results.setdefault(name, {})[variant] = r
                print(f"{name:<18} {variant:<26} {r['eager_ms']:9.3f} {r['cuda_graph_ms']:9.3f} {r['cuda_graph_with_io_ms']:12.3f}")
    if a.json:
        json.dump(results, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    sys.exit(main())
