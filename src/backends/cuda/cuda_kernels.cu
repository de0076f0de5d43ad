// cuda_kernels.cu: the CUDA backend's own kernels. Float16 is computed in float32 and rounded once.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "cuda_kernels.h"

namespace {

template <typename T> __device__ __forceinline__ float load(const T* p, int64_t i);
template <> __device__ __forceinline__ float load<float>(const float* p, int64_t i) { return p[i]; }
template <> __device__ __forceinline__ float load<__half>(const __half* p, int64_t i) { return __half2float(p[i]); }
template <typename T> __device__ __forceinline__ void store(T* p, int64_t i, float v);
template <> __device__ __forceinline__ void store<float>(float* p, int64_t i, float v) { p[i] = v; }
template <> __device__ __forceinline__ void store<__half>(__half* p, int64_t i, float v) { p[i] = __float2half_rn(v); }

__device__ __forceinline__ float apply(int op, float x, float y, float alpha, float beta) {
    switch (op) {
        case WNN_CU_ADD: return x + y;
        case WNN_CU_SUB: return x - y;
        case WNN_CU_MUL: return x * y;
        case WNN_CU_DIV: return x / y;
        case WNN_CU_MAX: return (isnan(x) || isnan(y)) ? nanf("") : fmaxf(x, y);
        case WNN_CU_MIN: return (isnan(x) || isnan(y)) ? nanf("") : fminf(x, y);
        case WNN_CU_POW: return powf(x, y);
        case WNN_CU_ABS: return fabsf(x);
        case WNN_CU_CEIL: return ceilf(x);
        case WNN_CU_COS: return cosf(x);
        case WNN_CU_ERF: return erff(x);
        case WNN_CU_EXP: return expf(x);
        case WNN_CU_FLOOR: return floorf(x);
        case WNN_CU_LOG: return logf(x);
        case WNN_CU_NEG: return -x;
        case WNN_CU_RECIPROCAL: return 1.0f / x;
        case WNN_CU_SIN: return sinf(x);
        case WNN_CU_SQRT: return sqrtf(x);
        case WNN_CU_TAN: return tanf(x);
        case WNN_CU_IDENTITY: return x;
        case WNN_CU_RELU: return x < 0.0f ? 0.0f : x;
        case WNN_CU_SIGMOID: return 1.0f / (1.0f + expf(-x));
        case WNN_CU_TANH: return tanhf(x);
        case WNN_CU_GELU: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
        case WNN_CU_SOFTPLUS: return x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x));
        case WNN_CU_SOFTSIGN: return x / (1.0f + fabsf(x));
        case WNN_CU_HARDSWISH: return x * fmaxf(0.0f, fminf(6.0f, x + 3.0f)) / 6.0f;
        case WNN_CU_ELU: return x > 0.0f ? x : alpha * expm1f(x);
        case WNN_CU_LEAKYRELU: return x >= 0.0f ? x : alpha * x;
        case WNN_CU_LINEAR: return alpha * x + beta;
        case WNN_CU_HARDSIGMOID: return fmaxf(0.0f, fminf(1.0f, alpha * x + beta));
        case WNN_CU_CLAMP: return x < alpha ? alpha : x > beta ? beta : x; // NaN passes through
        default: return 0.0f;
    }
}

template <typename T>
__global__ void eltwise_kernel(int op, const T* a, const T* b, T* out, WnnCudaShape s, int64_t count, float alpha,
                               float beta, int contiguous) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x) {
        int64_t ia = i, ib = i;
        if (!contiguous) {
            int64_t r = i;
            ia = 0;
            ib = 0;
            for (int d = s.rank - 1; d >= 0; d--) {
                int64_t c = r % s.shape[d];
                r /= s.shape[d];
                ia += c * s.strideA[d];
                ib += c * s.strideB[d];
            }
        }
        float x = load(a, ia), y = b ? load(b, ib) : 0.0f;
        store(out, i, apply(op, x, y, alpha, beta));
    }
}

template <typename T>
__global__ void bias_kernel(T* data, const T* bias, int64_t count, int64_t channels, int64_t inner) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x)
        store(data, i, load(data, i) + load(bias, (i / inner) % channels));
}

template <typename T>
__global__ void expand_kernel(const T* src, T* dst, WnnCudaShape s, int64_t count) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x) {
        int64_t r = i, off = 0;
        for (int d = s.rank - 1; d >= 0; d--) {
            off += (r % s.shape[d]) * s.strideA[d];
            r /= s.shape[d];
        }
        dst[i] = src[off];
    }
}

int blocks_for(int64_t count) {
    int64_t b = (count + 255) / 256;
    return (int)(b < 65535 ? (b > 0 ? b : 1) : 65535);
}

bool is_contiguous(const WnnCudaShape* s, bool binary) {
    int64_t stride = 1;
    for (int d = s->rank - 1; d >= 0; d--) {
        if (s->strideA[d] != stride || (binary && s->strideB[d] != stride)) return false;
        stride *= s->shape[d];
    }
    return true;
}

}  // namespace

extern "C" int wnn_cuda_eltwise(int op, int dtype, const void* a, const void* b, void* out, const WnnCudaShape* shape,
                                int64_t count, float alpha, float beta, void* stream) {
    cudaStream_t st = (cudaStream_t)stream;
    int contiguous = is_contiguous(shape, b != nullptr);
    if (dtype == 0)
        eltwise_kernel<float><<<blocks_for(count), 256, 0, st>>>(op, (const float*)a, (const float*)b, (float*)out,
                                                                  *shape, count, alpha, beta, contiguous);
    else
        eltwise_kernel<__half><<<blocks_for(count), 256, 0, st>>>(op, (const __half*)a, (const __half*)b, (__half*)out,
                                                                   *shape, count, alpha, beta, contiguous);
    return (int)cudaGetLastError();
}

extern "C" int wnn_cuda_add_bias(int dtype, void* data, const void* bias, int64_t count, int64_t channels,
                                 int64_t inner, void* stream) {
    cudaStream_t st = (cudaStream_t)stream;
    if (dtype == 0) bias_kernel<float><<<blocks_for(count), 256, 0, st>>>((float*)data, (const float*)bias, count, channels, inner);
    else bias_kernel<__half><<<blocks_for(count), 256, 0, st>>>((__half*)data, (const __half*)bias, count, channels, inner);
    return (int)cudaGetLastError();
}

extern "C" int wnn_cuda_expand(int dtype, const void* src, void* dst, const WnnCudaShape* shape, int64_t count,
                               void* stream) {
    cudaStream_t st = (cudaStream_t)stream;
    if (dtype == 0) expand_kernel<float><<<blocks_for(count), 256, 0, st>>>((const float*)src, (float*)dst, *shape, count);
    else expand_kernel<__half><<<blocks_for(count), 256, 0, st>>>((const __half*)src, (__half*)dst, *shape, count);
    return (int)cudaGetLastError();
}
