// cuda_recurrent.cu: see cuda_recurrent.h. The gate equations follow the CPU kernel (k_recurrent.c)
// term by term, in double, so that NaN and infinities land where they land there.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "cuda_recurrent.h"

namespace {

template <typename T> __device__ __forceinline__ double load_d(const T* p, int64_t i);
template <> __device__ __forceinline__ double load_d<float>(const float* p, int64_t i) { return p[i]; }
template <> __device__ __forceinline__ double load_d<__half>(const __half* p, int64_t i) {
    return (double)__half2float(p[i]);
}
template <typename T> __device__ __forceinline__ void store_d(T* p, int64_t i, double v);
template <> __device__ __forceinline__ void store_d<float>(float* p, int64_t i, double v) { p[i] = (float)v; }
template <> __device__ __forceinline__ void store_d<__half>(__half* p, int64_t i, double v) { p[i] = __double2half(v); }

__device__ __forceinline__ double activate(int f, double x) {
    switch (f) {
        case WNN_RNN_RELU: return x < 0 ? 0.0 : x;  // NaN and -0 pass
        case WNN_RNN_TANH: return tanh(x);
        default: return 1.0 / (1.0 + exp(-x));
    }
}

template <typename T>
__global__ void to_double_kernel(const T* src, double* dst, int64_t count) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x)
        dst[i] = load_d(src, i);
}

// Where state element i (over directions, batch, hidden) finds its rows.
struct At {
    int64_t d, j, u, xrow, hrow, brow; // direction, index within the direction, unit; row offsets
};

__device__ __forceinline__ At locate(const WnnRnnStep& p, int64_t i) {
    At a;
    int64_t n = p.batch * p.hidden, gh = (p.lstm ? 4 : 3) * p.hidden;
    a.d = i / n;
    a.j = i % n;
    a.u = a.j % p.hidden;
    int64_t b = a.j / p.hidden;
    a.xrow = a.d * p.xpDirStride + (p.xpRow[a.d] * p.batch + b) * gh;
    a.hrow = (a.d * p.batch + b) * gh;
    a.brow = a.d * gh;
    return a;
}

// Gate k's input part (x . W + bias) and recurrent part (h . R + recurrentBias), as the CPU sums them.
__device__ __forceinline__ double xpart(const WnnRnnStep& p, const At& a, int k) {
    int64_t col = p.gateOrder[k] * p.hidden + a.u;
    return p.bias ? p.bias[a.brow + col] + p.xp[a.xrow + col] : p.xp[a.xrow + col];
}
__device__ __forceinline__ double hpart(const WnnRnnStep& p, const At& a, int k) {
    int64_t col = p.gateOrder[k] * p.hidden + a.u;
    return p.rbias ? p.rbias[a.brow + col] + p.hp[a.hrow + col] : p.hp[a.hrow + col];
}

__global__ void gru_reset_kernel(WnnRnnStep p, double* rh) {
    int64_t count = p.directions * p.batch * p.hidden;
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x) {
        At a = locate(p, i);
        rh[i] = activate(p.act[0], xpart(p, a, 1) + hpart(p, a, 1)) * p.h[i];
    }
}

template <typename T>
__global__ void gates_kernel(WnnRnnStep p) {
    int64_t n = p.batch * p.hidden, count = p.directions * n;
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x) {
        At a = locate(p, i);
        double h;
        if (p.lstm) {
            double c = p.c[i];
            const double* pw = p.peephole ? p.peephole + a.d * 3 * p.hidden + a.u : nullptr;
            // an absent peephole adds nothing (not 0 * c, which is NaN for an infinite c)
            double pi = pw ? pw[0] * c : 0.0, po = pw ? pw[p.hidden] * c : 0.0, pf = pw ? pw[2 * p.hidden] * c : 0.0;
            double ig = activate(p.act[0], xpart(p, a, 0) + hpart(p, a, 0) + pi);
            double og = activate(p.act[0], xpart(p, a, 1) + hpart(p, a, 1) + po);
            double fg = activate(p.act[0], xpart(p, a, 2) + hpart(p, a, 2) + pf);
            double gg = activate(p.act[1], xpart(p, a, 3) + hpart(p, a, 3));
            c = fg * c + ig * gg;
            h = og * activate(p.act[2], c);
            p.c[i] = c;
            if (p.cOut) store_d((T*)p.cOut, i, c);
        } else {
            double z = activate(p.act[0], xpart(p, a, 0) + hpart(p, a, 0));
            double hn = hpart(p, a, 2);
            if (p.resetAfter) hn *= activate(p.act[0], xpart(p, a, 1) + hpart(p, a, 1));
            double nn = activate(p.act[1], xpart(p, a, 2) + hn);
            h = (1.0 - z) * nn + z * p.h[i];
        }
        p.h[i] = h;
        if (p.sequence) store_d((T*)p.sequence, (p.time[a.d] * p.directions + a.d) * n + a.j, h);
        if (p.hOut) store_d((T*)p.hOut, i, h);
    }
}

int blocks_for(int64_t count) {
    int64_t b = (count + 255) / 256;
    return (int)(b < 65535 ? (b > 0 ? b : 1) : 65535);
}

}  // namespace

extern "C" int wnn_rnn_to_double(int dtype, const void* src, double* dst, int64_t count, void* stream) {
    cudaStream_t st = (cudaStream_t)stream;
    if (dtype == 0) to_double_kernel<float><<<blocks_for(count), 256, 0, st>>>((const float*)src, dst, count);
    else to_double_kernel<__half><<<blocks_for(count), 256, 0, st>>>((const __half*)src, dst, count);
    return (int)cudaGetLastError();
}

extern "C" int wnn_rnn_gru_reset(const WnnRnnStep* p, double* rh, void* stream) {
    gru_reset_kernel<<<blocks_for(p->directions * p->batch * p->hidden), 256, 0, (cudaStream_t)stream>>>(*p, rh);
    return (int)cudaGetLastError();
}

extern "C" int wnn_rnn_gates(const WnnRnnStep* p, void* stream) {
    int blocks = blocks_for(p->directions * p->batch * p->hidden);
    if (p->dtype == 0) gates_kernel<float><<<blocks, 256, 0, (cudaStream_t)stream>>>(*p);
    else gates_kernel<__half><<<blocks, 256, 0, (cudaStream_t)stream>>>(*p);
    return (int)cudaGetLastError();
}
