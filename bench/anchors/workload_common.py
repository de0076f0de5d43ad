"""What the workload anchors share: the seeded data of ../shared/bench/README.md (splitmix64 PRNG),
checksums, the argument layout of a workload operator, and the line protocol through which
`wnn-bench workloads` interleaves its rounds with an anchor's (tools/bench/anchor_proc.h):

  anchor, once set up:   {"ready": true, "anchor": "<what runs, and what is timed>", ...}
  wnn-bench: "round"     anchor: 1 untimed run, then --runs timed ones, and answers
                         {"round": k, "times_ms": [...], "checksums": {OUTPUT: {sum, sumsq, sumabs, wsum}}}
  stdin closes           anchor exits 0
  any failure            {"error": "..."}, exit 1
"""
import glob, json, os, sys, time, traceback

import numpy as np

NUMPY_TYPES = {"float32": np.float32, "float16": np.float16, "int32": np.int32, "uint32": np.uint32,
               "int64": np.int64, "uint64": np.uint64, "int8": np.int8, "uint8": np.uint8}


def prng(seed, n, lo, hi):
    """n float32 values of the bench README's splitmix64 stream (element i uses seed + (i+1)*golden)."""
    i = np.arange(1, n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + i * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    u = (z >> np.uint64(40)).astype(np.float64) / 16777216.0
    return (lo + (hi - lo) * u).astype(np.float32)


def array_of(spec):
    """The data of an `inputs` entry as a numpy array of its declared shape and type."""
    desc = spec["descriptor"]
    shape = desc["shape"]
    n = int(np.prod(shape)) if shape else 1
    dtype = NUMPY_TYPES[desc.get("dataType", "float32")]
    data = spec["data"]
    if isinstance(data, dict):
        r = data["random"]
        arr = prng(r["seed"], n, r["min"], r["max"])  # drawn in float32, as the C side does
    elif isinstance(data, list):
        arr = np.array(data, dtype=np.float64)
    else:
        arr = np.full(n, data, dtype=np.float64)
    return arr.astype(dtype).reshape(shape)


def checksum(x):
    """sum, sumsq, sumabs and wsum (weights (i mod 251 + 1) / 251) in float64, row-major."""
    x = np.asarray(x, dtype=np.float64).ravel()
    w = (np.arange(x.size) % 251 + 1) / 251.0
    return {"sum": float(x.sum()), "sumsq": float((x * x).sum()), "sumabs": float(np.abs(x).sum()),
            "wsum": float((x * w).sum())}


def checksum_diff(a, ref):
    """Largest relative difference of checksums a from ref, as the bench README compares them."""
    scale = ref["sumabs"] or 1.0
    return max(abs(a["sum"] - ref["sum"]) / scale, abs(a["sumsq"] - ref["sumsq"]) / (ref["sumsq"] or 1.0),
               abs(a["wsum"] - ref["wsum"]) / scale)


def split_arguments(op):
    """An operator's positional argument values and its options dict."""
    args = [next(iter(a.values())) for a in op["arguments"] if "options" not in a]
    opts = next((a["options"] for a in op["arguments"] if "options" in a), {})
    return args, opts


def default_workloads_dir():
    shared = os.environ.get("WNN_SHARED_DIR")
    if shared:
        return os.path.join(shared, "bench", "workloads")
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "..", "shared", "bench", "workloads")


def workload_files(directory, only=None):
    """(name, path, graph) of DIR/*.json, filtered by a comma-separated --only of names or file names."""
    wanted = set(only.split(",")) if only else None
    out = []
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        g = json.load(open(path))
        base = os.path.basename(path)[:-5]
        name = g.get("name", base)
        if wanted is None or name in wanted or base in wanted:
            out.append((name, path, g))
    if wanted and not out:
        sys.exit(f"--only {only}: no such workload in {directory}")
    return out


def float64_references(directory):
    """Checksums of the float64 evaluation from ../anchors/ort_cpu_2core.json, by workload and output."""
    path = os.path.join(directory, "..", "anchors", "ort_cpu_2core.json")
    if not os.path.exists(path):
        return {}
    return {k: v.get("checksums_float64_reference", {}) for k, v in json.load(open(path)).get("workloads", {}).items()}


def time_runs(run, runs):
    """Wall-clock milliseconds of each of `runs` calls of run() (run must return only when its outputs
    are complete on the host); returns (times, last outputs)."""
    times, outs = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        outs = run()
        times.append((time.perf_counter() - t0) * 1e3)
    return times, outs


def serve(setup, runs):
    """The anchor side of the protocol. setup() returns (info dict with "anchor", run, output names);
    run() performs one timed unit and returns the outputs as arrays, in the order of the names."""
    proto = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever else prints (libraries included) goes to stderr, not into the protocol
    sys.stdout = sys.stderr

    def say(obj):
        try:
            proto.write(json.dumps(obj) + "\n")
            proto.flush()
        except BrokenPipeError:  # wnn-bench has gone (it failed on its side): nobody left to tell
            os._exit(1)

    try:
        info, run, names = setup()
        say({"ready": True, **info})
        k = 0
        for line in sys.stdin:
            if line.strip() != "round":
                say({"error": f"unknown request {line.strip()!r}"})
                return 1
            run()  # untimed: settles caches and thread pools after the other side's turn
            times, outs = time_runs(run, runs)
            k += 1
            say({"round": k, "times_ms": times, "checksums": {n: checksum(o) for n, o in zip(names, outs)}})
        return 0
    except Exception as e:  # report any failure through the protocol, the details on stderr
        if not isinstance(e, (ValueError, NotImplementedError)):  # those two say all in their message
            traceback.print_exc()
        say({"error": f"{type(e).__name__}: {e}"})
        return 1
