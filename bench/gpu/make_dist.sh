#!/usr/bin/env bash
# Collects what a GPU-machine run needs into gpu-dist/ (ignored by git; carried by the device
# tool, xz-compressed when over its 64 MiB): the binaries and libraries built in build/, libcjson
# (and oneDNN when linked), the shared corpus and workloads, the project's own workloads, and
# run_cpu_tests.sh (cpu_test_runner.py): the CPU test suite without CMake.
# Usage: bench/gpu/make_dist.sh [BUILD_DIR]
set -eu
BUILD=${1:-build}
DIST=gpu-dist
SHARED=${WNN_SHARED_DIR:-../shared}
mkdir -p "$DIST"
for f in "$BUILD"/wnn-* "$BUILD"/test_* "$BUILD"/custom_op_cuda "$BUILD"/libwebnn.so* "$BUILD"/libwebnn_cuda.so; do
  [ -e "$f" ] && [ ! -d "$f" ] && cp -a "$f" "$DIST/"
done
cp -aL /usr/lib/x86_64-linux-gnu/libcjson.so.1 "$DIST/"
# oneDNN (the CPU backend's optional library) and what it loads, where libwebnn links it: the GPU
# machine's image has none of them.
for lib in libdnnl.so.2 libgomp.so.1 libOpenCL.so.1; do
  path=$(ldd "$BUILD/libwebnn.so" | awk -v l="$lib" '$1 == l {print $3}')
  [ -n "$path" ] && cp -aL "$path" "$DIST/"
done
mkdir -p "$DIST/shared"
cp -a "$SHARED/conformance" "$SHARED/bench" "$DIST/shared/"
# the project's own (int8) workloads and their float64 references, and the CPU tests as a script
cp -a bench/workloads/*.json bench/anchors/ort_cpu_2core.json "$DIST/"
python3 bench/gpu/cpu_test_runner.py "$BUILD" "$DIST" "$SHARED"
du -sh "$DIST"
