/* app_kernels.cu: see app_kernels.h. */
#include <cuda_runtime.h>

#include "app_kernels.h"

static unsigned blocks_for(int64_t n) {
    int64_t b = (n + 255) / 256;
    return (unsigned)(b < 65535 * 16 ? (b > 0 ? b : 1) : 65535 * 16);
}

__global__ void k_affine(float* p, int64_t n, float mul, float add) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        p[i] = p[i] * mul + add;
}

__global__ void k_add_relu(const float* a, const float* b, int64_t bn, float* out, int64_t n) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        out[i] = fmaxf(a[i] + b[i % bn], 0.0f);
}

__global__ void k_count_mismatch(const float* p, int64_t n, float expect, unsigned* bad) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        if (!(fabsf(p[i] - expect) <= 0.0f)) atomicAdd(bad, 1u);
}

__global__ void k_spin(int64_t ns) {
    unsigned long long start;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
    for (;;) {
        unsigned long long now;
        asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
        if ((int64_t)(now - start) >= ns) break;
    }
}

extern "C" int app_affine(float* p, int64_t n, float mul, float add, void* stream) {
    k_affine<<<blocks_for(n), 256, 0, (cudaStream_t)stream>>>(p, n, mul, add);
    return (int)cudaGetLastError();
}

extern "C" int app_add_relu(const float* a, const float* b, int64_t bn, float* out, int64_t n, void* stream) {
    k_add_relu<<<blocks_for(n), 256, 0, (cudaStream_t)stream>>>(a, b, bn, out, n);
    return (int)cudaGetLastError();
}

extern "C" int app_count_mismatch(const float* p, int64_t n, float expect, unsigned* bad, void* stream) {
    k_count_mismatch<<<blocks_for(n), 256, 0, (cudaStream_t)stream>>>(p, n, expect, bad);
    return (int)cudaGetLastError();
}

extern "C" int app_spin(int64_t ns, void* stream) {
    k_spin<<<1, 1, 0, (cudaStream_t)stream>>>(ns);
    return (int)cudaGetLastError();
}
