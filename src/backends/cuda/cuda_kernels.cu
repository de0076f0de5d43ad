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
        /* Transcendental functions in double, rounded once: the float versions are off by more than
         * one ULP at times, and these kernels are bound by memory, not arithmetic. */
        case WNN_CU_COS: return (float)cos((double)x);
        case WNN_CU_ERF: return (float)erf((double)x);
        case WNN_CU_EXP: return (float)exp((double)x);
        case WNN_CU_FLOOR: return floorf(x);
        case WNN_CU_LOG: return (float)log((double)x);
        case WNN_CU_NEG: return -x;
        case WNN_CU_RECIPROCAL: return 1.0f / x;
        case WNN_CU_SIN: return (float)sin((double)x);
        case WNN_CU_SQRT: return sqrtf(x);
        case WNN_CU_TAN: return (float)tan((double)x);
        case WNN_CU_IDENTITY: return x;
        case WNN_CU_RELU: return x < 0.0f ? 0.0f : x;
        case WNN_CU_SIGMOID: return (float)(1.0 / (1.0 + exp(-(double)x)));
        case WNN_CU_TANH: return (float)tanh((double)x);
        case WNN_CU_GELU: return (float)(0.5 * x * (1.0 + erf(x * 0.70710678118654752440)));
        case WNN_CU_SOFTPLUS: { /* in double: float log1pf(expf(x)) is off by 2 ULP at times */
            double d = x;
            return (float)(d > 0.0 ? d + log1p(exp(-d)) : log1p(exp(d)));
        }
        case WNN_CU_SOFTSIGN: return x / (1.0f + fabsf(x));
        case WNN_CU_HARDSWISH: return x * fmaxf(0.0f, fminf(6.0f, x + 3.0f)) / 6.0f;
        case WNN_CU_ELU: return x > 0.0f ? x : (float)(alpha * expm1((double)x));
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
__global__ void fused_kernel(WnnCudaFused f, const T* in0, const T* in1, const T* in2, const T* in3, const T* in4,
                             T* out, int64_t count) {
    const T* in[WNN_CUDA_FUSED_MAX_INPUTS] = {in0, in1, in2, in3, in4};
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x) {
        int64_t off[WNN_CUDA_FUSED_MAX_INPUTS] = {i, i, i, i, i};
        if (f.broadcast) { /* some input broadcasts: walk the coordinates once for all of them */
            for (int k = 0; k < f.inputCount; k++) off[k] = 0;
            int64_t r = i;
            for (int d = f.rank - 1; d >= 0; d--) {
                int64_t c = r % f.shape[d];
                r /= f.shape[d];
                for (int k = 0; k < f.inputCount; k++) off[k] += c * f.strides[k][d];
            }
        }
        float v = load(in[0], off[0]);
        for (int k = 0; k < f.opCount; k++) {
            const WnnCudaFusedOp& o = f.ops[k];
            float other = o.operand < 0 ? v : load(in[o.operand], off[o.operand]);
            v = o.runningLeft ? apply(o.op, v, other, o.alpha, o.beta) : apply(o.op, other, v, o.alpha, o.beta);
        }
        store(out, i, v);
    }
}

__device__ __forceinline__ long long apply_int(int op, long long x, long long y, long long lo, long long hi) {
    switch (op) {
        case WNN_CU_ADD: return (long long)((unsigned long long)x + (unsigned long long)y);
        case WNN_CU_SUB: return (long long)((unsigned long long)x - (unsigned long long)y);
        case WNN_CU_MUL: return (long long)((unsigned long long)x * (unsigned long long)y);
        case WNN_CU_MAX: return x > y ? x : y;
        case WNN_CU_MIN: return x < y ? x : y;
        case WNN_CU_ABS: return x < 0 ? -x : x;
        case WNN_CU_NEG: return -x;
        case WNN_CU_RELU: return x < 0 ? 0 : x;
        case WNN_CU_CLAMP: return x < lo ? lo : x > hi ? hi : x;
        default: return x; // identity
    }
}

template <typename T>
__global__ void eltwise_int_kernel(int op, const T* a, const T* b, T* out, WnnCudaShape s, int64_t count, long long lo,
                                   long long hi) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x) {
        int64_t r = i, ia = 0, ib = 0;
        for (int d = s.rank - 1; d >= 0; d--) {
            int64_t c = r % s.shape[d];
            r /= s.shape[d];
            ia += c * s.strideA[d];
            ib += c * s.strideB[d];
        }
        long long y = b ? (long long)b[ib] : 0;
        out[i] = (T)(unsigned long long)apply_int(op, (long long)a[ia], y, lo, hi); // wraps to T
    }
}

template <typename T>
__global__ void bias_kernel(T* data, const T* bias, int64_t count, int64_t channels, int64_t inner, int op,
                            float alpha, float beta) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x) {
        float v = load(data, i) + (bias ? load(bias, (i / inner) % channels) : 0.0f);
        store(data, i, apply(op, v, 0.0f, alpha, beta));
    }
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

extern "C" int wnn_cuda_fused_eltwise(int dtype, const void* const* in, void* out, const WnnCudaFused* f, int64_t count,
                                      void* stream) {
    cudaStream_t st = (cudaStream_t)stream;
    if (dtype == 0)
        fused_kernel<float><<<blocks_for(count), 256, 0, st>>>(*f, (const float*)in[0], (const float*)in[1],
                                                                (const float*)in[2], (const float*)in[3],
                                                                (const float*)in[4], (float*)out, count);
    else
        fused_kernel<__half><<<blocks_for(count), 256, 0, st>>>(*f, (const __half*)in[0], (const __half*)in[1],
                                                                 (const __half*)in[2], (const __half*)in[3],
                                                                 (const __half*)in[4], (__half*)out, count);
    return (int)cudaGetLastError();
}

extern "C" int wnn_cuda_bias_activation(int dtype, void* data, const void* bias, int64_t count, int64_t channels,
                                        int64_t inner, int op, float alpha, float beta, void* stream) {
    cudaStream_t st = (cudaStream_t)stream;
    if (dtype == 0)
        bias_kernel<float><<<blocks_for(count), 256, 0, st>>>((float*)data, (const float*)bias, count, channels, inner, op,
                                                              alpha, beta);
    else
        bias_kernel<__half><<<blocks_for(count), 256, 0, st>>>((__half*)data, (const __half*)bias, count, channels, inner,
                                                               op, alpha, beta);
    return (int)cudaGetLastError();
}

extern "C" int wnn_cuda_expand(int dtype, const void* src, void* dst, const WnnCudaShape* shape, int64_t count,
                               void* stream) {
    cudaStream_t st = (cudaStream_t)stream;
    if (dtype == 0) expand_kernel<float><<<blocks_for(count), 256, 0, st>>>((const float*)src, (float*)dst, *shape, count);
    else expand_kernel<__half><<<blocks_for(count), 256, 0, st>>>((const __half*)src, (__half*)dst, *shape, count);
    return (int)cudaGetLastError();
}

namespace {

template <typename T>
__global__ void softmax_kernel(const T* x, T* y, int64_t outer, int64_t len, int64_t inner) {
    int64_t row = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
    if (row >= outer * inner) return;
    int64_t base = (row / inner) * len * inner + row % inner;
    float m = -INFINITY, s = 0.0f;
    for (int64_t k = 0; k < len; k++) m = fmaxf(m, load(x, base + k * inner));
    for (int64_t k = 0; k < len; k++) s += expf(load(x, base + k * inner) - m);
    for (int64_t k = 0; k < len; k++) store(y, base + k * inner, expf(load(x, base + k * inner) - m) / s);
}

// Sum or max over the block (blockDim.x a multiple of 32, at most 1024): shuffles within each
// warp, then the warps' results through shared memory. Every thread gets the result.
template <bool Max>
__device__ float block_reduce(float v) {
    __shared__ float partial[32];
    for (int o = 16; o > 0; o /= 2) {
        float u = __shfl_xor_sync(0xffffffffu, v, o);
        v = Max ? fmaxf(v, u) : v + u;
    }
    int warp = threadIdx.x / 32, warps = blockDim.x / 32;
    __syncthreads(); // partial[] may still be read by a previous call
    if (threadIdx.x % 32 == 0) partial[warp] = v;
    __syncthreads();
    v = Max ? -INFINITY : 0.0f;
    for (int w = 0; w < warps; w++) v = Max ? fmaxf(v, partial[w]) : v + partial[w];
    return v;
}

// Softmax along a contiguous axis: one block per row.
template <typename T>
__global__ void softmax_rows_kernel(const T* x, T* y, int64_t len) {
    const int64_t base = blockIdx.x * len;
    float m = -INFINITY;
    for (int64_t k = threadIdx.x; k < len; k += blockDim.x) m = fmaxf(m, load(x, base + k));
    m = block_reduce<true>(m);
    float s = 0.0f;
    for (int64_t k = threadIdx.x; k < len; k += blockDim.x) s += expf(load(x, base + k) - m);
    s = block_reduce<false>(s);
    for (int64_t k = threadIdx.x; k < len; k += blockDim.x) store(y, base + k, expf(load(x, base + k) - m) / s);
}

// One block per row: mean, then variance of the deviations, then the normalized row.
template <typename T>
__global__ void layernorm_kernel(const T* x, const T* scale, const T* bias, T* y, int64_t rows, int64_t len, float eps) {
    const int64_t base = blockIdx.x * len;
    float sum = 0.0f;
    for (int64_t k = threadIdx.x; k < len; k += blockDim.x) sum += load(x, base + k);
    float mean = block_reduce<false>(sum) / (float)len, sq = 0.0f;
    for (int64_t k = threadIdx.x; k < len; k += blockDim.x) {
        float d = load(x, base + k) - mean;
        sq += d * d;
    }
    float inv = rsqrtf(block_reduce<false>(sq) / (float)len + eps);
    for (int64_t k = threadIdx.x; k < len; k += blockDim.x) {
        float v = (load(x, base + k) - mean) * inv;
        if (scale) v *= load(scale, k);
        if (bias) v += load(bias, k);
        store(y, base + k, v);
    }
}

template <typename T>
__global__ void pool_kernel(const T* x, T* y, WnnCudaPool p) {
    int64_t total = p.n * p.c * p.oh * p.ow;
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
        int64_t n, c, oy, ox;
        if (p.nhwc) { c = i % p.c; ox = i / p.c % p.ow; oy = i / (p.c * p.ow) % p.oh; n = i / (p.c * p.ow * p.oh); }
        else { ox = i % p.ow; oy = i / p.ow % p.oh; c = i / (p.ow * p.oh) % p.c; n = i / (p.ow * p.oh * p.c); }
        float acc = p.kind == 1 ? -INFINITY : 0.0f;
        int count = 0;
        bool nan = false;
        for (int ky = 0; ky < p.window[0]; ky++) {
            int64_t iy = oy * p.strides[0] + ky * p.dilations[0] - p.pad[0];
            if (iy < 0 || iy >= p.h) continue;
            for (int kx = 0; kx < p.window[1]; kx++) {
                int64_t ix = ox * p.strides[1] + kx * p.dilations[1] - p.pad[1];
                if (ix < 0 || ix >= p.w) continue;
                int64_t src = p.nhwc ? ((n * p.h + iy) * p.w + ix) * p.c + c : ((n * p.c + c) * p.h + iy) * p.w + ix;
                float v = load(x, src);
                count++;
                if (p.kind == 1) { nan |= isnan(v); acc = fmaxf(acc, v); }
                else acc += p.kind == 2 ? v * v : v;
            }
        }
        float r = p.kind == 1 ? (nan ? nanf("") : acc) : p.kind == 2 ? sqrtf(acc) : (count ? acc / (float)count : 0.0f);
        store(y, i, r);
    }
}

}  // namespace

/* Threads per row for the row kernels: enough for the row, a multiple of 32, at most 1024. */
static int row_threads(int64_t len) {
    int64_t t = (len + 31) / 32 * 32;
    return (int)(t < 32 ? 32 : t > 1024 ? 1024 : t);
}

extern "C" int wnn_cuda_softmax(int dtype, const void* x, void* y, int64_t outer, int64_t len, int64_t inner,
                                void* stream) {
    if (outer == 0 || len == 0 || inner == 0) return 0;
    if (inner == 1) { /* the usual case, the last axis: a block per row, coalesced */
        cudaStream_t st = (cudaStream_t)stream;
        int t = row_threads(len);
        if (dtype == 0) softmax_rows_kernel<float><<<(unsigned)outer, t, 0, st>>>((const float*)x, (float*)y, len);
        else softmax_rows_kernel<__half><<<(unsigned)outer, t, 0, st>>>((const __half*)x, (__half*)y, len);
        return (int)cudaGetLastError();
    }
    int64_t rows = outer * inner;
    int blocks = (int)((rows + 127) / 128);
    if (dtype == 0) softmax_kernel<float><<<blocks, 128, 0, (cudaStream_t)stream>>>((const float*)x, (float*)y, outer, len, inner);
    else softmax_kernel<__half><<<blocks, 128, 0, (cudaStream_t)stream>>>((const __half*)x, (__half*)y, outer, len, inner);
    return (int)cudaGetLastError();
}

extern "C" int wnn_cuda_layernorm(int dtype, const void* x, const void* scale, const void* bias, void* y, int64_t rows,
                                  int64_t len, float epsilon, void* stream) {
    if (rows == 0 || len == 0) return 0;
    unsigned blocks = (unsigned)rows; // a block per row
    int t = row_threads(len) < 256 ? row_threads(len) : 256;
    if (dtype == 0)
        layernorm_kernel<float><<<blocks, t, 0, (cudaStream_t)stream>>>((const float*)x, (const float*)scale,
                                                                         (const float*)bias, (float*)y, rows, len, epsilon);
    else
        layernorm_kernel<__half><<<blocks, t, 0, (cudaStream_t)stream>>>((const __half*)x, (const __half*)scale,
                                                                          (const __half*)bias, (__half*)y, rows, len, epsilon);
    return (int)cudaGetLastError();
}

extern "C" int wnn_cuda_pool(int dtype, const void* x, void* y, const WnnCudaPool* p, void* stream) {
    int64_t total = p->n * p->c * p->oh * p->ow;
    if (dtype == 0) pool_kernel<float><<<blocks_for(total), 256, 0, (cudaStream_t)stream>>>((const float*)x, (float*)y, *p);
    else pool_kernel<__half><<<blocks_for(total), 256, 0, (cudaStream_t)stream>>>((const __half*)x, (__half*)y, *p);
    return (int)cudaGetLastError();
}

namespace {
template <typename T>
__global__ void fill_kernel(T* p, int64_t count, uint64_t seed) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x) {
        uint64_t z = seed + (uint64_t)(i + 1) * 0x9E3779B97F4A7C15ull; // splitmix64
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        store(p, i, (float)(z >> 40) / 8388608.0f - 1.0f);
    }
}
}  // namespace

__global__ void spin_kernel(int64_t ns) {
    unsigned long long start, now;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
    do {
        asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
    } while ((int64_t)(now - start) < ns);
}

extern "C" int wnn_cuda_spin(int64_t ns, void* stream) {
    spin_kernel<<<1, 1, 0, (cudaStream_t)stream>>>(ns);
    return (int)cudaGetLastError();
}

extern "C" int wnn_cuda_fill_random(int dtype, void* p, int64_t count, uint64_t seed, void* stream) {
    if (dtype == 0) fill_kernel<float><<<blocks_for(count), 256, 0, (cudaStream_t)stream>>>((float*)p, count, seed);
    else fill_kernel<__half><<<blocks_for(count), 256, 0, (cudaStream_t)stream>>>((__half*)p, count, seed);
    return (int)cudaGetLastError();
}

extern "C" int wnn_cuda_eltwise_int(int op, int idtype, const void* a, const void* b, void* out,
                                    const WnnCudaShape* shape, int64_t count, int64_t lo, int64_t hi, void* stream) {
    cudaStream_t st = (cudaStream_t)stream;
    int blocks = blocks_for(count);
    if (idtype == 0)
        eltwise_int_kernel<int32_t><<<blocks, 256, 0, st>>>(op, (const int32_t*)a, (const int32_t*)b, (int32_t*)out,
                                                             *shape, count, lo, hi);
    else if (idtype == 1)
        eltwise_int_kernel<int8_t><<<blocks, 256, 0, st>>>(op, (const int8_t*)a, (const int8_t*)b, (int8_t*)out, *shape,
                                                            count, lo, hi);
    else
        eltwise_int_kernel<uint8_t><<<blocks, 256, 0, st>>>(op, (const uint8_t*)a, (const uint8_t*)b, (uint8_t*)out,
                                                             *shape, count, lo, hi);
    return (int)cudaGetLastError();
}

namespace {

/* One 32-channel x 32-pixel tile through shared memory, so that reads and writes are both
 * coalesced whichever side is NCHW (there the pixels are contiguous, in NHWC the channels).
 * tile[c][p] holds channel c0 + c of pixel p0 + p. */
template <typename T>
__global__ void repack_kernel(const T* src, T* dst, int64_t pixels, int srcC, int dstC, int srcNchw, int dstNchw) {
    __shared__ T tile[32][33];
    const int64_t p0 = (int64_t)blockIdx.x * 32;
    const int c0 = blockIdx.y * 32;
    const T* s = src + (int64_t)blockIdx.z * pixels * srcC;
    T* d = dst + (int64_t)blockIdx.z * pixels * dstC;
    for (int j = threadIdx.y; j < 32; j += blockDim.y) {
        int tc = srcNchw ? j : threadIdx.x, tp = srcNchw ? threadIdx.x : j;
        int64_t p = p0 + tp;
        int c = c0 + tc;
        T v = T(0); /* channels past the source's are the zero padding */
        if (p < pixels && c < srcC) v = srcNchw ? s[(int64_t)c * pixels + p] : s[p * srcC + c];
        tile[tc][tp] = v;
    }
    __syncthreads();
    for (int j = threadIdx.y; j < 32; j += blockDim.y) {
        int tc = dstNchw ? j : threadIdx.x, tp = dstNchw ? threadIdx.x : j;
        int64_t p = p0 + tp;
        int c = c0 + tc;
        if (p < pixels && c < dstC) {
            if (dstNchw) d[(int64_t)c * pixels + p] = tile[tc][tp];
            else d[p * dstC + c] = tile[tc][tp];
        }
    }
}

}  // namespace

extern "C" int wnn_cuda_repack_channels(int dtype, const void* src, void* dst, int64_t batch, int64_t pixels, int srcC,
                                        int dstC, int srcNchw, int dstNchw, void* stream) {
    if (batch <= 0 || pixels <= 0 || dstC <= 0) return 0;
    if (batch > 65535) return (int)cudaErrorInvalidConfiguration;
    dim3 grid((unsigned)((pixels + 31) / 32), (unsigned)((dstC + 31) / 32), (unsigned)batch), block(32, 8);
    cudaStream_t st = (cudaStream_t)stream;
    if (dtype == 0)
        repack_kernel<uint32_t><<<grid, block, 0, st>>>((const uint32_t*)src, (uint32_t*)dst, pixels, srcC, dstC, srcNchw, dstNchw);
    else
        repack_kernel<uint16_t><<<grid, block, 0, st>>>((const uint16_t*)src, (uint16_t*)dst, pixels, srcC, dstC, srcNchw, dstNchw);
    return (int)cudaGetLastError();
}
