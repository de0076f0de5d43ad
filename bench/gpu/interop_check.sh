#!/usr/bin/env bash
# GPU buffer sharing on the GPU machine (device tool), binaries from bench/gpu/make_dist.sh carried in
# gpu-dist/: the rent-cycle tests, the examples (C and PyTorch through DLPack), compute-sanitizer
# (memcheck, racecheck, synccheck) over the tests, and `wnn-bench interop`. Report in $OUT.
set -u
DIST=${DIST:-gpu-dist}
export LD_LIBRARY_PATH="$PWD/$DIST:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
OUT=${OUT:-/tmp/out}
BENCH=${BENCH:-$DIST/wnn-bench interop}
mkdir -p "$OUT"
{
  echo "== nvidia-smi"; nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1
  echo "== test_cuda_interop"; "$DIST/test_cuda_interop" 1000 2>&1 | tail -15; echo "exit $?"
  echo "== test_interop_api"; "$DIST/test_interop_api" 2>&1 | tail -3
  echo "== custom_op_cuda"; "$DIST/custom_op_cuda" 2>&1
  echo "== examples/torch_dlpack.py"; python3 examples/torch_dlpack.py "$DIST/libwebnn.so" 2>&1 | tail -8
  if command -v compute-sanitizer >/dev/null; then
    for tool in memcheck racecheck synccheck; do
      echo "== compute-sanitizer --tool $tool test_cuda_interop 20"
      compute-sanitizer --tool $tool --print-limit 5 "$DIST/test_cuda_interop" 20 2>&1 | grep -E "ERROR SUMMARY|RACECHECK SUMMARY|checks|Error" | head -8
    done
  fi
  echo "== wnn-bench interop"; $BENCH --iterations ${ITER:-200} --json "$OUT/interop.json" 2>&1
} 2>&1 | tee "$OUT/interop_report.txt"
