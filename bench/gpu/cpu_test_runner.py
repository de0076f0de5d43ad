#!/usr/bin/env python3
"""Writes DIST/run_cpu_tests.sh: every CPU test of a build (from `ctest --show-only=json-v1` in
BUILD) as a command on the binaries collected in DIST by make_dist.sh, with the test's environment
(WNN_CPU_SIMD=sse2, WNN_CPU_INT8=onednn, ...) and paths moved into DIST, so that the GPU machine's
host CPU runs the same suite without CMake. The CUDA tests and the two that configure the source
tree (install_and_use, bench_anchor_before_build) are left out. The script prints each test's last
lines and PASS / FAIL / SKIP, then a count; it exits 1 when one failed.
Usage: bench/gpu/cpu_test_runner.py BUILD DIST SHARED"""
import json
import os
import subprocess
import sys

LEFT_OUT = ("install_and_use", "bench_anchor_before_build")


def main():
    build, dist, shared = (os.path.abspath(p) for p in sys.argv[1:4])
    tests = json.loads(subprocess.run(["ctest", "--show-only=json-v1"], cwd=build, check=True,
                                      capture_output=True, text=True).stdout)["tests"]
    repo = os.path.dirname(build)

    def moved(arg):
        for root, to in ((build + "/", "$D/"), (shared, "$D/shared"), (os.path.realpath(shared), "$D/shared")):
            if arg.startswith(root):
                return to + arg[len(root):]
        if arg.startswith(repo + "/"):  # the project's own workloads and references, copied flat
            return "$D/" + os.path.basename(arg)
        return arg

    lines = ["#!/usr/bin/env bash", "# written by bench/gpu/cpu_test_runner.py", 'D=$(cd "$(dirname "$0")" && pwd)',
             'export LD_LIBRARY_PATH="$D"', "pass=0; fail=0; skip=0"]
    for t in tests:
        name, cmd = t["name"], t.get("command")
        if not cmd or "cuda" in name or name in LEFT_OUT:
            continue
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        env = ['WNN_SHARED_DIR="$D/shared"'] + [
            f'{k}="{moved(v)}"' for k, v in (e.split("=", 1) for e in props.get("ENVIRONMENT", [])) if k != "WNN_SHARED_DIR"]
        argv = " ".join('"' + moved(a) + '"' for a in cmd)
        skip = str(props.get("SKIP_RETURN_CODE", "none"))
        lines.append(f'echo "== {name}"; env {" ".join(env)} timeout 600 {argv} > /tmp/wnn_test.log 2>&1; rc=$?; '
                     "tail -3 /tmp/wnn_test.log")
        lines.append(f'if [ $rc = 0 ]; then pass=$((pass+1)); echo "   PASS {name}"; elif [ "$rc" = "{skip}" ]; then '
                     f'skip=$((skip+1)); echo "   SKIP {name}"; else fail=$((fail+1)); echo "   FAIL {name} rc=$rc"; fi')
    lines += ['echo "cpu tests: $pass passed, $fail failed, $skip skipped"', '[ "$fail" = 0 ]']
    out = os.path.join(dist, "run_cpu_tests.sh")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(out, 0o755)
    count = sum(1 for line in lines if line.startswith('echo "=='))
    print(f"{out}: {count} tests")


if __name__ == "__main__":
    main()
