#!/usr/bin/env bash
# Issue 3's acceptance run on the GPU machine (binaries from bench/gpu/make_dist.sh in gpu-dist/):
# every unit test on the GPU adapter with fallbacks counted as failures, the W3C corpus with
# --device cuda (and --require-device), compute-sanitizer memcheck over the whole corpus, the GPU
# tests. Report in $OUT/full_check.txt.
set -u
DIST=${DIST:-gpu-dist}
export LD_LIBRARY_PATH="$PWD/$DIST:${LD_LIBRARY_PATH:-}"
SHARED=$DIST/shared
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
{
  echo "== unit tests on the GPU (WNN_TEST_ADAPTER=1, WNN_TEST_REQUIRE_DEVICE=1)"
  for t in "$DIST"/test_ops_* "$DIST"/test_fusions "$DIST"/test_runtime; do WNN_TEST_ADAPTER=1 WNN_TEST_REQUIRE_DEVICE=1 timeout 300 "$t" > "$OUT/$(basename $t).log" 2>&1; echo "$(tail -1 "$OUT/$(basename $t).log")  [exit $?]"; grep -m5 -E "ran on the CPU|off by|failed" "$OUT/$(basename $t).log"; done
  echo "== conformance --device cuda"
  "$DIST/wnn-conformance" --device cuda --corpus "$SHARED/conformance" --json "$OUT/conformance_cuda.json" > "$OUT/conformance_cuda.txt" 2>&1
  grep -E "^FAIL" "$OUT/conformance_cuda.txt" | head -20; tail -3 "$OUT/conformance_cuda.txt"
  echo "== conformance --device cuda --require-device (cases with a CPU fallback fail)"
  "$DIST/wnn-conformance" --device cuda --require-device --corpus "$SHARED/conformance" > "$OUT/conformance_require.txt" 2>&1
  grep -E "^FAIL" "$OUT/conformance_require.txt" | sed 's/ -- .*//' | awk '{print $2}' | sort | uniq -c | head -30; tail -1 "$OUT/conformance_require.txt"
  echo "== compute-sanitizer memcheck, whole corpus"
  compute-sanitizer --tool memcheck --print-limit 10 "$DIST/wnn-conformance" --device cuda --corpus "$SHARED/conformance" > "$OUT/memcheck.txt" 2>&1
  grep -E "ERROR SUMMARY|passed," "$OUT/memcheck.txt"
  echo "== GPU tests"
  for t in test_cuda_interop test_cuda_errors test_cuda_two_gpus custom_op_cuda; do "$DIST/$t" 2>&1 | tail -2; echo "[$t exit $?]"; done
} 2>&1 | tee "$OUT/full_check.txt"
