"""A stand-in for bench/anchors/ort_workloads.py that takes a second to set itself up (as ONNX
Runtime does, converting and warming a model) and then answers every round with fixed times and no
checksums. tests/bench/anchor_before_build.py runs `wnn-bench workloads` against it."""
import json
import sys
import time


def main():
    args = sys.argv[1:]
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 1
    time.sleep(1.0)  # the set-up that ours must not overlap
    print(json.dumps({"ready": True, "anchor": "slow_anchor (tests/bench)"}), flush=True)
    k = 0
    for line in sys.stdin:
        if line.strip() != "round":
            break
        k += 1
        print(json.dumps({"round": k, "times_ms": [1.0] * runs, "checksums": {}}), flush=True)


if __name__ == "__main__":
    main()
