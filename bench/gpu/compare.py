#!/usr/bin/env python3
"""Side-by-side run on the GPU machine: libwebnn (wnn-run --device cuda) and the PyTorch anchor
(../anchors/torch_workloads.py) on the same workloads, float32 and float16. Prints a markdown table
of medians and the ratio ours / PyTorch's best.   python3 compare.py DIST_DIR WORKLOADS_DIR OUT_DIR"""
import json, os, re, subprocess, sys

dist, workloads, out = sys.argv[1], sys.argv[2], sys.argv[3]
here = os.path.dirname(os.path.abspath(__file__))
anchor_json = os.path.join(out, "torch.json")
subprocess.run([sys.executable, os.path.join(here, "..", "anchors", "torch_workloads.py"), "--workloads", workloads,
                "--runs", "50", "--json", anchor_json], check=True)
torch_results = json.load(open(anchor_json))


def ours(path, fp16):
    args = [os.path.join(dist, "wnn-run"), path, "--device", "cuda", "--bench", "30", "--bench-dispatch", "200"]
    if fp16:
        args.append("--fp16")
    text = subprocess.run(args, capture_output=True, text=True).stdout
    io = re.search(r"bench: .* median ([0-9.]+) ms", text)
    dev = re.search(r"bench-dispatch: .* ([0-9.]+) ms per dispatch", text)
    ok = re.search(r"vs float64 reference: max relative difference ([0-9.e+-]+)", text)
    place = re.search(r"placement: (.*)", text)
    return (float(io.group(1)) if io else float("nan"), float(dev.group(1)) if dev else float("nan"),
            ok.group(1) if ok else "-", place.group(1) if place else "?")


rows = ["| workload | precision | ours: graph (ms) | PyTorch best graph (ms) | ratio | ours: with io (ms) | PyTorch graph+io (ms) | ratio | checksum vs float64 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|"]
for name in sorted(torch_results):
    path = os.path.join(workloads, name + ".json")
    for prec in ("fp32", "fp16"):
        t = {k: v for k, v in torch_results[name].items() if k.startswith(prec)}
        best = min(min(v["eager_ms"], v["cuda_graph_ms"]) for v in t.values())
        best_io = min(v["cuda_graph_with_io_ms"] for v in t.values())
        io, dev, ok, place = ours(path, prec == "fp16")
        rows.append(f"| {name} | {prec} | {dev:.3f} | {best:.3f} | {dev / best:.2f} | {io:.3f} | {best_io:.3f} | {io / best_io:.2f} | {ok} |")
table = "\n".join(rows)
print(table)
open(os.path.join(out, "compare.md"), "w").write(table + "\n")
