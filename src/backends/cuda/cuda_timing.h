/* cuda_timing.h: the GPU time of a candidate at build (engine, plan and path choices). */
#ifndef WNN_BACKENDS_CUDA_CUDA_TIMING_H_
#define WNN_BACKENDS_CUDA_CUDA_TIMING_H_

#include <cuda_runtime_api.h>
#include <stdbool.h>

/* Milliseconds per call of run(arg), which enqueues one run on `stream` and says whether it could:
 * 2 warm-up calls, then 10 timed ones queued behind a 0.5 ms spin kernel, so that the events
 * measure GPU time rather than launch gaps. -1 when a call or the timing fails. Synchronizes. */
float wnn_cuda_time_gpu(cudaStream_t stream, bool (*run)(void* arg), void* arg);

#endif
