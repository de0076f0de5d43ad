#!/usr/bin/env bash
# Per-step GPU time of workloads (WNN_CUDA_PROFILE=1; the last of 4 dispatches, summed per kind of
# step): bench/gpu/profile.sh WORKLOAD... (FP16=1 for float16, TOP=N rows). Binaries from make_dist.sh.
DIST=${DIST:-gpu-dist}
export LD_LIBRARY_PATH="$PWD/$DIST:${LD_LIBRARY_PATH:-}"
W=$DIST/shared/bench/workloads
for w in "$@"; do
  WNN_CUDA_PROFILE=1 "$DIST/wnn-run" "$W/$w.json" --device cuda ${FP16:+--fp16} --bench 3 2>&1 | grep wnn-cuda-profile |
    awk '/ total / {saved = block; total = $0; block = ""; next} {block = block $0 "\n"} END {printf "%s%s\n", saved, total}' > /tmp/last.txt
  echo "== $w ${FP16:+fp16}: $(tail -1 /tmp/last.txt | sed 's/.*total/total/')"
  head -n -1 /tmp/last.txt | awk '{n[$4]++; t[$4] += $(NF-1)} END {for (k in t) printf "  %-22s %3d steps %8.4f ms\n", k, n[k], t[k]}' |
    sort -k4 -n -r | head -${TOP:-8}
done
