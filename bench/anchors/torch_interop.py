#!/usr/bin/env python3
"""PyTorch anchor for `wnn-bench interop`: the seed's four pipelines with PyTorch as the NN engine.
conv2d [1,100,100,100] channels_last, 3x3 filter 100->100, padding 1, then bias add and relu.
   1  torch's own conv, then torch add + relu on its output (everything in one framework)
   2  conv, output copied to pinned host memory and back to the device, then add + relu
   3  conv, then a custom add + relu reading the conv output in place (torch ops on the same tensor)
   4  fused: cuDNN's conv + bias + relu (torch.cudnn_convolution_relu), also as a CUDA graph
Each also chained twice (x2). Timing as in wnn-bench interop: wall time per iteration until the
result is complete on the GPU ("device"), and until it is in (pinned) host memory ("+read").
With the seed's constants the output is checked against 0.19 / 0.16 / 0.14.
   python3 bench/anchors/torch_interop.py [--iterations N] [--json FILE]"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F


def pipelines(x, w, b, dtype):
    pinned = torch.empty(x.shape, dtype=dtype, pin_memory=True).contiguous(memory_format=torch.channels_last)
    bias4 = b.view(1, -1, 1, 1)
    fused_op = getattr(torch, "cudnn_convolution_relu", None)

    def conv(t):
        return F.conv2d(t, w, None, 1, 1)

    def add_relu(y):
        return y.add_(bias4).relu_()

    def t1(t):
        return add_relu(conv(t))

    def t2(t):
        y = conv(t)
        pinned.copy_(y, non_blocking=True)
        torch.cuda.current_stream().synchronize()
        return add_relu(pinned.to("cuda", non_blocking=True))

    def t4(t):
        if fused_op is not None:
            return fused_op(t, w, b, (1, 1), (1, 1), (1, 1), 1)
        return F.conv2d(t, w, b, 1, 1).relu_()

    # Test 3 in PyTorch is test 1: the custom op reads the conv output where it is.
    return {1: t1, 2: t2, 3: t1, 4: t4}, pinned, fused_op is not None


def graphed(fn, x, chain):
    """fn chained `chain` times, captured as a CUDA graph (static input x)."""
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):
            y = x
            for _ in range(chain):
                y = fn(y)
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        y = x
        for _ in range(chain):
            y = fn(y)
    return g, y


def timed(step, iterations, warmup):
    for _ in range(warmup):
        step()
    t = []
    for _ in range(iterations):
        start = time.perf_counter()
        step()
        t.append((time.perf_counter() - start) * 1e3)
    t.sort()
    return {"median_ms": statistics.median(t), "p10_ms": t[len(t) // 10], "p90_ms": t[len(t) * 9 // 10]}


def check(y):
    v = y.float().cpu().permute(0, 2, 3, 1)[0]  # NHWC
    expect = {(50, 50): 0.19, (0, 50): 0.16, (0, 0): 0.14}
    return all(abs(v[i, j].max().item() - e) < 2e-3 and abs(v[i, j].min().item() - e) < 2e-3
               for (i, j), e in expect.items())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--json")
    a = ap.parse_args()
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    rows = []
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name()}, cuDNN {torch.backends.cudnn.version()}; "
          f"{a.iterations} iterations after {a.warmup} warm-up")
    for dtype in (torch.float32, torch.float16):
        name = "float32" if dtype == torch.float32 else "float16"
        cl = torch.channels_last
        x = torch.full((1, 100, 100, 100), 0.01, device="cuda", dtype=dtype).contiguous(memory_format=cl)
        w = torch.full((100, 100, 3, 3), 0.01, device="cuda", dtype=dtype).contiguous(memory_format=cl)
        b = torch.full((100,), 0.1, device="cuda", dtype=dtype)
        fns, pinned, fused = pipelines(x, w, b, dtype)
        print(f"\n{name}: median ms [p10-p90] (test 4 {'torch.cudnn_convolution_relu' if fused else 'conv(bias)+relu'})")
        print(f"{'mode':7} {'test':5} {'chain':5} {'device':>26} {'+read':>26}  check")
        for test in (1, 2, 3, 4):
            for chain in (1, 2):
                modes = [("eager", None)]
                if test != 2:  # a host round trip cannot be captured
                    modes.append(("graph", graphed(fns[test], x, chain)))
                for mode, cap in modes:
                    if cap:
                        g, out = cap

                        def run(g=g):
                            g.replay()
                            return out
                    else:
                        def run(test=test, chain=chain):
                            y = x
                            for _ in range(chain):
                                y = fns[test](y)
                            return y

                    def device(run=run):
                        run()
                        torch.cuda.synchronize()

                    def read(run=run):
                        pinned.copy_(run(), non_blocking=True)
                        torch.cuda.synchronize()

                    ok = check(run()) if chain == 1 else None  # x2 has no closed form
                    d, r = timed(device, a.iterations, a.warmup), timed(read, a.iterations, a.warmup)
                    print(f"{mode:7} {test:<5} x{chain:<4} {d['median_ms']:8.4f} [{d['p10_ms']:7.4f}-{d['p90_ms']:7.4f}] "
                          f"{r['median_ms']:8.4f} [{r['p10_ms']:7.4f}-{r['p90_ms']:7.4f}]  "
                          f"{'-' if ok is None else 'ok' if ok else 'FAILED'}")
                    rows.append({"dtype": name, "mode": mode, "test": test, "chain": chain, "device": d, "read": r,
                                 "check": ok})
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"torch": torch.__version__, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
