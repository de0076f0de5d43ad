"""wnn-bench workloads must build ours only after the anchor has set itself up: the build times
candidate kernels, and on 2 cores an anchor warming up beside it once made the build keep the
slower matmul (tools/bench/workload_run.c). Runs wnn-bench on a one-op workload against
slow_anchor/ort_workloads.py (a second of set-up) and checks the times it reports in --json.
Usage: anchor_before_build.py WNN_BENCH"""
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
workload = {
    "name": "relu_small",
    "inputs": {"x": {"descriptor": {"shape": [4, 4], "dataType": "float32"},
                     "data": {"random": {"seed": 1, "min": -1, "max": 1}}}},
    "operators": [{"name": "relu", "arguments": [{"input": "x"}], "outputs": "output"}],
    "expectedOutputs": {"output": {"descriptor": {"shape": [4, 4], "dataType": "float32"}}},
}
with tempfile.TemporaryDirectory() as tmp:
    os.mkdir(os.path.join(tmp, "workloads"))
    with open(os.path.join(tmp, "workloads", "relu_small.json"), "w") as f:
        json.dump(workload, f)
    out = os.path.join(tmp, "out.json")
    subprocess.run([sys.argv[1], "workloads", "--device", "cpu", "--vs", "ort", "--rounds", "1", "--runs", "2",
                    "--peak-gflops", "1", "--workloads", os.path.join(tmp, "workloads"),
                    "--anchors", os.path.join(here, "slow_anchor"), "--json", out], check=False)
    with open(out) as f:
        rec = json.load(f)["workloads"][0]
ready, start = rec.get("anchor_ready_ms"), rec.get("build_start_ms")
print(f"anchor ready at {ready} ms, our build started at {start} ms")
if ready is None or start is None or ready < 900 or start < ready:
    print("FAILED: the build must start after the anchor's set-up (about 1000 ms)")
    sys.exit(1)
print("PASSED")
