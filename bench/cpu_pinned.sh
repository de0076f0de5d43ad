#!/usr/bin/env bash
# CPU benchmarks pinned to two cores of a larger machine (the device tool's GPU host has 16), for
# quiet A/B timings while the 2-core development machine is busy. Reads the binaries collected by
# bench/gpu/make_dist.sh in gpu-dist/ (and an older build's wnn-run + libwebnn in gpu-dist/base/,
# when there), writes to OUT (default ./cpu-pinned-out).
# Usage: bench/cpu_pinned.sh [CORES, default 2,3] [ROUNDS, default 2]
set -u
CORES=${1:-2,3}
ROUNDS=${2:-2}
D=gpu-dist
OUT=${OUT:-cpu-pinned-out}
mkdir -p "$OUT"
export WNN_SHARED_DIR=$D/shared
W=$D/shared/bench/workloads
PY=$(command -v python3)
[ -x /opt/torch/.venv/bin/python3 ] && PY=/opt/torch/.venv/bin/python3
lscpu > "$OUT/lscpu.txt"
grep -m1 "Model name" "$OUT/lscpu.txt"
LD_LIBRARY_PATH=$D taskset -c "$CORES" $D/wnn-bench peak
run() { # label libdir env... -- workload
  local label=$1 lib=$2; shift 2
  for w in resnet50_nchw mobilenetv2_nchw seed_conv_nchw seed_conv_nhwc bert_base_layer matmul_1024; do
    printf '%-8s %-18s ' "$label" "$w"
    env LD_LIBRARY_PATH="$lib" "$@" taskset -c "$CORES" "$lib/wnn-run" "$W/$w.json" --bench 15 2>&1 |
      grep -E "^build:|median" | sed -E 's/bench: 15 runs, //; s/, spread.*//' | tr '\n' ' '
    echo
  done
}
for r in $(seq "$ROUNDS"); do
  [ -x $D/base/wnn-run ] && run base "$D/base:$D"
  run new "$D"
  run notune "$D" WNN_CPU_TUNE=0
done 2>&1 | tee "$OUT/wnn_run.txt"
LD_LIBRARY_PATH=$D taskset -c "$CORES" $D/wnn-bench workloads --device cpu --vs ort --python "$PY" --rounds 2 --runs 5 \
  --json "$OUT/workloads.json" 2>&1 | tee "$OUT/workloads.txt"
