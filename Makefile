# libwebnn: `make run` (set up, build, run the seed demo) and `make test` (set up, build, run every
# test). Both install missing Debian packages first. Extra targets: asan, fuzz, no-onednn (the CPU
# backend built and tested without oneDNN, our own kernels alone), clean, and bench-cpu
# (wnn-bench workloads against ONNX Runtime; bench-deps pip-installs the anchors' Python packages).
JOBS ?= $(shell nproc)
SHARED_DIR ?= $(abspath ../shared)
FUZZ_SECONDS ?= 60
PACKAGES := cmake gcc g++ make pkg-config libcjson-dev libdlpack-dev libdnnl-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTHON ?= python3
BENCH_ARGS ?=

.PHONY: run test deps build asan fuzz no-onednn clean bench-deps bench-cpu

deps:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; fi

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DWNN_SHARED_DIR=$(SHARED_DIR) >/dev/null
	@cmake --build build -j$(JOBS)

run: build
	./build/wnn-demo

test: build
	cd build && ctest --output-on-failure -j$(JOBS)

asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWNN_SANITIZE=ON -DWNN_SHARED_DIR=$(SHARED_DIR) >/dev/null
	@cmake --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j$(JOBS)

no-onednn: deps
	@cmake -S . -B build-no-onednn -DCMAKE_BUILD_TYPE=Release -DWNN_ONEDNN=OFF -DWNN_CUDA=OFF -DWNN_SHARED_DIR=$(SHARED_DIR) >/dev/null
	@cmake --build build-no-onednn -j$(JOBS)
	cd build-no-onednn && ctest --output-on-failure -j$(JOBS)

fuzz: deps
	@command -v clang >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq clang libclang-rt-14-dev)
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWNN_FUZZ=ON -DWNN_SANITIZE=ON \
	  -DWNN_BUILD_TESTS=OFF -DWNN_BUILD_TOOLS=OFF -DWNN_CUDA=OFF >/dev/null
	@cmake --build build-fuzz -j$(JOBS) --target fuzz_builder
	@rm -rf build-fuzz/corpus && cp -r tests/fuzz/corpus build-fuzz/corpus
	./build-fuzz/tests/fuzz/fuzz_builder -max_total_time=$(FUZZ_SECONDS) -max_len=512 -print_final_stats=1 build-fuzz/corpus

# The ONNX Runtime anchor's packages (bench/anchors/ort_workloads.py), from PyPI.
bench-deps:
	@$(PYTHON) -c "import numpy, onnx, onnxruntime" 2>/dev/null || $(PYTHON) -m pip install --quiet numpy onnx onnxruntime

bench-cpu: build bench-deps
	WNN_SHARED_DIR=$(SHARED_DIR) ./build/wnn-bench workloads --device cpu --vs ort --python $(PYTHON) $(BENCH_ARGS)

clean:
	rm -rf build build-asan build-fuzz build-no-onednn
