#!/usr/bin/env bash
# Runs on the GPU machine (device tool) from the repository root, with the binaries built here
# carried in gpu-dist/ (see README: "GPU checks"). Writes a report to $OUT/report.txt.
set -u
DIST=${DIST:-gpu-dist}
export LD_LIBRARY_PATH="$PWD/$DIST:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
SHARED=${WNN_SHARED_DIR:-$PWD/$DIST/shared}
[ -d "$SHARED/conformance" ] || SHARED=$PWD/../shared
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
{
  echo "== nvidia-smi"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1
  echo "== wnn-info"; "$DIST/wnn-info" | head -4
  echo "== unit tests on the CPU"; for t in "$DIST"/test_*; do "$t" 2>&1 | tail -1; done
  echo "== conformance --device cuda"; "$DIST/wnn-conformance" --device cuda --corpus "$SHARED/conformance" --json "$OUT/conformance_cuda.json" > "$OUT/conformance_cuda.txt" 2>&1; echo "exit $?"; grep -E "^FAIL" "$OUT/conformance_cuda.txt" | head -20; tail -1 "$OUT/conformance_cuda.txt"
  echo "== conformance --device cpu"; "$DIST/wnn-conformance" --device cpu --corpus "$SHARED/conformance" | tail -1
  echo "== demo on the default device"; "$DIST/wnn-demo"
  for w in seed_conv_nhwc seed_conv_nchw matmul_1024 bert_base_layer mobilenetv2_nchw resnet50_nchw; do
    echo "== $w --device cuda"; "$DIST/wnn-run" "$SHARED/bench/workloads/$w.json" --device cuda --bench 20 2>&1 | grep -E "placement|reference|bench:"
  done
  if command -v compute-sanitizer >/dev/null; then
    echo "== compute-sanitizer memcheck (conformance, element-wise and matmul families)"
    for op in add mul relu sigmoid clamp matmul gemm gelu; do
      compute-sanitizer --tool memcheck --print-limit 5 "$DIST/wnn-conformance" --device cuda --corpus "$SHARED/conformance" --op $op 2>&1 | grep -E "ERROR SUMMARY|passed,"
    done
  fi
} 2>&1 | tee "$OUT/report.txt"
