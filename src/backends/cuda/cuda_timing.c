/* cuda_timing.c: see cuda_timing.h. */
#include "backends/cuda/cuda_timing.h"

#include "backends/cuda/cuda_kernels.h"

#define WARMUP 2
#define RUNS 10

float wnn_cuda_time_gpu(cudaStream_t stream, bool (*run)(void* arg), void* arg) {
    cudaEvent_t ev[2] = {NULL, NULL};
    float ms = -1.0f;
    bool ok = cudaEventCreate(&ev[0]) == cudaSuccess && cudaEventCreate(&ev[1]) == cudaSuccess;
    for (int i = 0; i < WARMUP + RUNS && ok; i++) {
        if (i == WARMUP) /* a head start for the host: the timed runs queue up and run back to back */
            ok = wnn_cuda_spin(500 * 1000, stream) == 0 && cudaEventRecord(ev[0], stream) == cudaSuccess;
        ok = ok && run(arg);
    }
    ok = ok && cudaEventRecord(ev[1], stream) == cudaSuccess && cudaEventSynchronize(ev[1]) == cudaSuccess &&
         cudaEventElapsedTime(&ms, ev[0], ev[1]) == cudaSuccess;
    cudaStreamSynchronize(stream);
    for (int i = 0; i < 2; i++)
        if (ev[i]) cudaEventDestroy(ev[i]);
    return ok ? ms / RUNS : -1.0f;
}
