// cuda_reduce.cu: kernels of the reduce family (see cuda_reduce.h). As on the CPU (k_reduce.c,
// k_norm.c), floats accumulate in double and round once; integer sums and products wrap (computed in
// 64 bits, truncated on store); max, min and the arg ops compare exactly.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <type_traits>

#include "cuda_reduce.h"

namespace {

constexpr int kThreads = WNN_CUDA_RED_THREADS;

// ---- elements ----
template <typename T> __device__ __forceinline__ double to_d(T v) { return (double)v; }
template <> __device__ __forceinline__ double to_d<__half>(__half v) { return (double)__half2float(v); }
template <typename T> __device__ __forceinline__ T from_d(double v) { return (T)v; }
template <> __device__ __forceinline__ __half from_d<__half>(double v) { return __double2half(v); } // one rounding

template <typename T> struct IsFloat { static constexpr bool value = std::is_floating_point<T>::value; };
template <> struct IsFloat<__half> { static constexpr bool value = true; };

template <typename T> struct Limits; // own limits: std::numeric_limits is host-only without relaxed constexpr
template <> struct Limits<int8_t> { static constexpr int8_t lo = -128, hi = 127; };
template <> struct Limits<uint8_t> { static constexpr uint8_t lo = 0, hi = 255; };
template <> struct Limits<int32_t> { static constexpr int32_t lo = (-2147483647 - 1), hi = 2147483647; };
template <> struct Limits<uint32_t> { static constexpr uint32_t lo = 0, hi = 4294967295u; };
template <> struct Limits<int64_t> { static constexpr int64_t lo = (-9223372036854775807LL - 1), hi = 9223372036854775807LL; };
template <> struct Limits<uint64_t> { static constexpr uint64_t lo = 0, hi = 18446744073709551615ull; };

// ---- geometry (WnnCudaRedGeom) ----
// Offset of output o's first element; *p receives its scale/bias offset.
__device__ __forceinline__ int64_t kept_offset(const WnnCudaRedGeom& g, int64_t o, int64_t* p) {
    int64_t off = 0, poff = 0;
    for (int d = g.keptRank - 1; d >= 0; d--) {
        int64_t c = o % g.keptSize[d];
        o /= g.keptSize[d];
        off += c * g.keptStride[d];
        poff += c * g.keptPStride[d];
    }
    *p = poff;
    return off;
}

// Offset of reduced element r from its output's first element (the outermost reduced dimension
// needs no division); *p receives the scale/bias offset.
__device__ __forceinline__ int64_t red_offset(const WnnCudaRedGeom& g, int64_t r, int64_t* p) {
    if (g.redRank == 0) {
        *p = 0;
        return 0;
    }
    int64_t off = 0, poff = 0;
    for (int d = g.redRank - 1; d > 0; d--) {
        int64_t c = r % g.redSize[d];
        r /= g.redSize[d];
        off += c * g.redStride[d];
        poff += c * g.redPStride[d];
    }
    *p = poff + r * g.redPStride[0];
    return off + r * g.redStride[0];
}

// This thread's lane (position within its output's ry lanes) and output slot within the block.
__device__ __forceinline__ void lane_of(const WnnCudaRedGeom& g, int* lane, int* ox) {
    int t = threadIdx.x;
    *lane = g.rowMode ? t % g.ry : t / g.ox;
    *ox = g.rowMode ? t / g.ry : t % g.ox;
}

__device__ __forceinline__ int slot(const WnnCudaRedGeom& g, int ox, int lane) {
    return g.rowMode ? ox * g.ry + lane : lane * g.ox + ox;
}

// Combines the states of each output's ry lanes (a power of two) through shared memory; every lane
// gets the result. Called by all threads of the block.
template <class Op, typename S>
__device__ S group_combine(S s, S* buf, const WnnCudaRedGeom& g, int ox, int lane) {
    if (g.ry == 1) return s;
    buf[slot(g, ox, lane)] = s;
    __syncthreads();
    for (int k = g.ry / 2; k > 0; k /= 2) {
        if (lane < k) buf[slot(g, ox, lane)] = Op::combine(buf[slot(g, ox, lane)], buf[slot(g, ox, lane + k)]);
        __syncthreads();
    }
    S r = buf[slot(g, ox, 0)];
    __syncthreads(); // buf is reused by the next call
    return r;
}

// ---- the reductions: State, init, add (element at reduced index r), combine, store ----
template <typename T, int K>
struct FloatRed { // every float reduction but logSumExp
    typedef T In;
    typedef T Out;
    typedef double State;
    static __device__ State init() {
        return K == WNN_CU_RED_PRODUCT ? 1.0 : K == WNN_CU_RED_MAX ? -INFINITY : K == WNN_CU_RED_MIN ? INFINITY : 0.0;
    }
    static __device__ State combine(State a, State b) {
        switch (K) {
            case WNN_CU_RED_PRODUCT: return a * b;
            case WNN_CU_RED_MAX: return isnan(a) || isnan(b) ? nan("") : fmax(a, b);
            case WNN_CU_RED_MIN: return isnan(a) || isnan(b) ? nan("") : fmin(a, b);
            default: return a + b;
        }
    }
    static __device__ void add(State& s, T x, int64_t) {
        double v = to_d(x);
        switch (K) {
            case WNN_CU_RED_L1: s += fabs(v); break;
            case WNN_CU_RED_L2: case WNN_CU_RED_SUMSQUARE: s += v * v; break;
            default: s = combine(s, v); break;
        }
    }
    static __device__ void store(Out* y, int64_t o, State s, int64_t n) {
        double r = K == WNN_CU_RED_L2 ? sqrt(s) : K == WNN_CU_RED_LOGSUM ? log(s) : K == WNN_CU_RED_MEAN ? s / (double)n : s;
        y[o] = from_d<T>(r);
    }
};

// logSumExp in one pass: the running maximum m (NaN ignored, as fmax does on the CPU) and the sum of
// exp(v - m), rescaled when m grows. A NaN makes the sum NaN; -inf adds nothing; an infinite m is
// the result, as on the CPU.
struct LseState {
    double m, s;
};
template <typename T>
struct LogSumExp {
    typedef T In;
    typedef T Out;
    typedef LseState State;
    static __device__ State init() { return {-INFINITY, 0.0}; }
    static __device__ State combine(State a, State b) {
        double m = fmax(a.m, b.m);
        if (m == -INFINITY) return {m, a.s + b.s}; // keeps a NaN; exp(-inf - -inf) would invent one
        return {m, a.s * exp(a.m - m) + b.s * exp(b.m - m)};
    }
    static __device__ void add(State& s, T x, int64_t) {
        double v = to_d(x);
        if (isnan(v)) s.s = v;
        else if (v == -INFINITY) return;
        else if (v > s.m) {
            s.s = s.s * exp(s.m - v) + 1.0;
            s.m = v;
        } else s.s += exp(v - s.m);
    }
    static __device__ void store(Out* y, int64_t o, State s, int64_t) {
        y[o] = from_d<T>(isinf(s.m) ? s.m : s.m + log(s.s));
    }
};

// Integer L1, sum, sum of squares, product: modulo 2^64, truncated to T (= modulo T's width).
template <typename T, int K>
struct IntArith {
    typedef T In;
    typedef T Out;
    typedef uint64_t State;
    static __device__ State init() { return K == WNN_CU_RED_PRODUCT ? 1 : 0; }
    static __device__ State combine(State a, State b) { return K == WNN_CU_RED_PRODUCT ? a * b : a + b; }
    static __device__ void add(State& s, T x, int64_t) {
        uint64_t u = (uint64_t)x; // signed types sign-extend
        bool negative = std::is_signed<T>::value && (int64_t)x < 0;
        switch (K) {
            case WNN_CU_RED_L1: s += negative ? 0 - u : u; break;
            case WNN_CU_RED_SUMSQUARE: s += u * u; break;
            case WNN_CU_RED_PRODUCT: s *= u; break;
            default: s += u; break;
        }
    }
    static __device__ void store(Out* y, int64_t o, State s, int64_t) { y[o] = (T)s; }
};

template <typename T, bool Max>
struct IntExtreme {
    typedef T In;
    typedef T Out;
    typedef T State;
    static __device__ State init() { return Max ? Limits<T>::lo : Limits<T>::hi; }
    static __device__ State combine(State a, State b) { return Max ? (b > a ? b : a) : (b < a ? b : a); }
    static __device__ void add(State& s, T x, int64_t) { s = combine(s, x); }
    static __device__ void store(Out* y, int64_t o, State s, int64_t) { y[o] = s; }
};

// argMin / argMax: the first index of the extreme value; NaN never wins (all NaN: index 0).
template <typename T> struct CmpType { typedef T type; };
template <> struct CmpType<__half> { typedef float type; };
template <typename V> __device__ __forceinline__ bool is_nan(V) { return false; }
template <> __device__ __forceinline__ bool is_nan<float>(float v) { return isnan(v); }
template <typename T> __device__ __forceinline__ typename CmpType<T>::type cmp_value(T v) { return v; }
template <> __device__ __forceinline__ float cmp_value<__half>(__half v) { return __half2float(v); }

template <typename V>
struct ArgState {
    V v;
    int64_t i; // -1: no element yet
};
template <typename T, typename O, bool Max>
struct ArgExtreme {
    typedef T In;
    typedef O Out;
    typedef typename CmpType<T>::type V;
    typedef ArgState<V> State;
    static __device__ State init() { return {V(0), -1}; }
    static __device__ State combine(State a, State b) {
        if (a.i < 0) return b;
        if (b.i < 0) return a;
        bool an = is_nan(a.v), bn = is_nan(b.v);
        if (an != bn) return an ? b : a;
        if (!an) {
            if (Max ? b.v > a.v : b.v < a.v) return b;
            if (Max ? a.v > b.v : a.v < b.v) return a;
        }
        return a.i < b.i ? a : b; // a tie (or both NaN): the first index
    }
    static __device__ void add(State& s, T x, int64_t r) { s = combine(s, State{cmp_value(x), r}); }
    static __device__ void store(Out* y, int64_t o, State s, int64_t) { y[o] = (O)(s.i < 0 ? 0 : s.i); }
};

// One block reduces g.ox outputs (blockIdx.y: which chunk of a split reduction); lane 0 of each
// stores the result, or its partial state when the reduction is split.
template <class Op>
__global__ void __launch_bounds__(kThreads)
reduce_kernel(const typename Op::In* x, typename Op::Out* y, typename Op::State* partial, WnnCudaRedGeom g) {
    typedef typename Op::State S;
    __shared__ S buf[kThreads];
    int lane, ox;
    lane_of(g, &lane, &ox);
    const int64_t o = (int64_t)blockIdx.x * g.ox + ox;
    S s = Op::init();
    if (o < g.outCount) {
        int64_t p, base = kept_offset(g, o, &p);
        int64_t r0 = (int64_t)blockIdx.y * g.chunk, r1 = r0 + g.chunk < g.redCount ? r0 + g.chunk : g.redCount;
        for (int64_t r = r0 + lane; r < r1; r += g.ry) Op::add(s, x[base + red_offset(g, r, &p)], r);
    }
    s = group_combine<Op>(s, buf, g, ox, lane);
    if (lane == 0 && o < g.outCount) {
        if (g.splits == 1) Op::store(y, o, s, g.redCount);
        else partial[o * g.splits + blockIdx.y] = s;
    }
}

// The second step of a split reduction: a thread per output combines its partial states in order.
template <class Op>
__global__ void combine_kernel(typename Op::Out* y, const typename Op::State* partial, int64_t count, int64_t splits,
                               int64_t n) {
    for (int64_t o = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; o < count; o += (int64_t)gridDim.x * blockDim.x) {
        typename Op::State s = partial[o * splits];
        for (int64_t k = 1; k < splits; k++) s = Op::combine(s, partial[o * splits + k]);
        Op::store(y, o, s, n);
    }
}

unsigned blocks_for(int64_t count) {
    int64_t b = (count + 255) / 256;
    return (unsigned)(b < 65535 ? (b > 0 ? b : 1) : 65535);
}

template <class Op>
int launch_reduce(const void* x, void* y, void* partial, const WnnCudaRedGeom* g, cudaStream_t st) {
    typedef typename Op::State S;
    static_assert(sizeof(S) <= WNN_CUDA_RED_STATE_BYTES, "partial state larger than the scratch reserves");
    dim3 grid((unsigned)((g->outCount + g->ox - 1) / g->ox), (unsigned)g->splits);
    reduce_kernel<Op><<<grid, kThreads, 0, st>>>((const typename Op::In*)x, (typename Op::Out*)y, (S*)partial, *g);
    if (g->splits > 1) {
        cudaError_t e = cudaGetLastError();
        if (e != cudaSuccess) return (int)e;
        combine_kernel<Op><<<blocks_for(g->outCount), 256, 0, st>>>((typename Op::Out*)y, (const S*)partial,
                                                                     g->outCount, g->splits, g->redCount);
    }
    return (int)cudaGetLastError();
}

#define RED_ARGS x, y, partial, g, st

template <typename T>
int arg_reduce(int op, int outType, const void* x, void* y, void* partial, const WnnCudaRedGeom* g, cudaStream_t st) {
    bool mx = op == WNN_CU_RED_ARGMAX;
    if (outType == 2) // int32 (WNN_CT_I32)
        return mx ? launch_reduce<ArgExtreme<T, int32_t, true>>(RED_ARGS) : launch_reduce<ArgExtreme<T, int32_t, false>>(RED_ARGS);
    if (outType == 4) // int64 (WNN_CT_I64)
        return mx ? launch_reduce<ArgExtreme<T, int64_t, true>>(RED_ARGS) : launch_reduce<ArgExtreme<T, int64_t, false>>(RED_ARGS);
    return (int)cudaErrorInvalidValue;
}

template <typename T>
int float_reduce(int op, int outType, const void* x, void* y, void* partial, const WnnCudaRedGeom* g, cudaStream_t st) {
    switch (op) {
        case WNN_CU_RED_L1: return launch_reduce<FloatRed<T, WNN_CU_RED_L1>>(RED_ARGS);
        case WNN_CU_RED_L2: return launch_reduce<FloatRed<T, WNN_CU_RED_L2>>(RED_ARGS);
        case WNN_CU_RED_LOGSUM: return launch_reduce<FloatRed<T, WNN_CU_RED_LOGSUM>>(RED_ARGS);
        case WNN_CU_RED_LOGSUMEXP: return launch_reduce<LogSumExp<T>>(RED_ARGS);
        case WNN_CU_RED_MAX: return launch_reduce<FloatRed<T, WNN_CU_RED_MAX>>(RED_ARGS);
        case WNN_CU_RED_MEAN: return launch_reduce<FloatRed<T, WNN_CU_RED_MEAN>>(RED_ARGS);
        case WNN_CU_RED_MIN: return launch_reduce<FloatRed<T, WNN_CU_RED_MIN>>(RED_ARGS);
        case WNN_CU_RED_PRODUCT: return launch_reduce<FloatRed<T, WNN_CU_RED_PRODUCT>>(RED_ARGS);
        case WNN_CU_RED_SUM: return launch_reduce<FloatRed<T, WNN_CU_RED_SUM>>(RED_ARGS);
        case WNN_CU_RED_SUMSQUARE: return launch_reduce<FloatRed<T, WNN_CU_RED_SUMSQUARE>>(RED_ARGS);
        case WNN_CU_RED_ARGMIN: case WNN_CU_RED_ARGMAX: return arg_reduce<T>(op, outType, RED_ARGS);
        default: return (int)cudaErrorInvalidValue;
    }
}

// Integers: max, min and the arg ops for every type; the arithmetic ones (not allowed on 8-bit
// types) only where Arith.
template <typename T, bool Arith>
int int_reduce(int op, int outType, const void* x, void* y, void* partial, const WnnCudaRedGeom* g, cudaStream_t st) {
    switch (op) {
        case WNN_CU_RED_MAX: return launch_reduce<IntExtreme<T, true>>(RED_ARGS);
        case WNN_CU_RED_MIN: return launch_reduce<IntExtreme<T, false>>(RED_ARGS);
        case WNN_CU_RED_ARGMIN: case WNN_CU_RED_ARGMAX: return arg_reduce<T>(op, outType, RED_ARGS);
        default: break;
    }
    if constexpr (Arith) {
        switch (op) {
            case WNN_CU_RED_L1: return launch_reduce<IntArith<T, WNN_CU_RED_L1>>(RED_ARGS);
            case WNN_CU_RED_SUM: return launch_reduce<IntArith<T, WNN_CU_RED_SUM>>(RED_ARGS);
            case WNN_CU_RED_SUMSQUARE: return launch_reduce<IntArith<T, WNN_CU_RED_SUMSQUARE>>(RED_ARGS);
            case WNN_CU_RED_PRODUCT: return launch_reduce<IntArith<T, WNN_CU_RED_PRODUCT>>(RED_ARGS);
            default: break;
        }
    }
    return (int)cudaErrorInvalidValue;
}

// ---- normalizations ----
struct SumD {
    static __device__ double combine(double a, double b) { return a + b; }
};

// Each output group of g: mean, then the mean squared deviation, then the normalized elements.
template <typename T>
__global__ void __launch_bounds__(kThreads)
group_norm_kernel(const T* x, const T* scale, const T* bias, T* y, WnnCudaRedGeom g, double eps) {
    __shared__ double buf[kThreads];
    int lane, ox;
    lane_of(g, &lane, &ox);
    const int64_t o = (int64_t)blockIdx.x * g.ox + ox, n = g.redCount;
    const bool active = o < g.outCount;
    int64_t pbase = 0, p, base = active ? kept_offset(g, o, &pbase) : 0;
    double sum = 0.0, sq = 0.0;
    if (active)
        for (int64_t r = lane; r < n; r += g.ry) sum += to_d(x[base + red_offset(g, r, &p)]);
    const double mean = group_combine<SumD>(sum, buf, g, ox, lane) / (double)n;
    if (active)
        for (int64_t r = lane; r < n; r += g.ry) {
            double d = to_d(x[base + red_offset(g, r, &p)]) - mean;
            sq += d * d;
        }
    const double inv = 1.0 / sqrt(group_combine<SumD>(sq, buf, g, ox, lane) / (double)n + eps);
    if (!active) return; // no barrier follows
    for (int64_t r = lane; r < n; r += g.ry) {
        int64_t off = base + red_offset(g, r, &p);
        double v = (to_d(x[off]) - mean) * inv;
        v = v * (scale ? to_d(scale[pbase + p]) : 1.0) + (bias ? to_d(bias[pbase + p]) : 0.0);
        y[off] = from_d<T>(v);
    }
}

template <typename T>
__global__ void batch_norm_kernel(const T* x, const T* mean, const T* var, const T* scale, const T* bias, T* y,
                                  int64_t count, int64_t channels, int64_t inner, double eps) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x) {
        int64_t c = (i / inner) % channels;
        double v = (to_d(x[i]) - to_d(mean[c])) / sqrt(to_d(var[c]) + eps);
        y[i] = from_d<T>(v * (scale ? to_d(scale[c]) : 1.0) + (bias ? to_d(bias[c]) : 0.0));
    }
}

// ---- cumulativeSum: floats add in double, integers modulo 2^64 ----
template <typename T, bool F = IsFloat<T>::value> struct ScanAcc {
    typedef double A;
    static __device__ A load(T v) { return to_d(v); }
    static __device__ T store(A a) { return from_d<T>(a); }
};
template <typename T> struct ScanAcc<T, false> {
    typedef uint64_t A;
    static __device__ A load(T v) { return (uint64_t)v; }
    static __device__ T store(A a) { return (T)a; }
};

// A thread per line of `len` elements spaced `inner` apart (neighbouring threads, neighbouring lines).
template <typename T>
__global__ void cumsum_lines_kernel(const T* x, T* y, int64_t lines, int64_t len, int64_t inner, int exclusive,
                                    int reversed) {
    typedef ScanAcc<T> Acc;
    for (int64_t line = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; line < lines;
         line += (int64_t)gridDim.x * blockDim.x) {
        int64_t base = (line / inner) * len * inner + line % inner;
        typename Acc::A acc = 0;
        for (int64_t k = 0; k < len; k++) {
            int64_t i = base + (reversed ? len - 1 - k : k) * inner;
            typename Acc::A v = Acc::load(x[i]);
            if (!exclusive) acc += v;
            y[i] = Acc::store(acc);
            if (exclusive) acc += v;
        }
    }
}

// A block per line, in chunks of kThreads elements: a scan within each warp (shuffles), the warps'
// totals through shared memory, and the running total of the chunks before.
template <typename T>
__global__ void __launch_bounds__(kThreads)
cumsum_block_kernel(const T* x, T* y, int64_t lines, int64_t len, int64_t inner, int exclusive, int reversed) {
    typedef ScanAcc<T> Acc;
    typedef typename Acc::A A;
    __shared__ A warpTotal[kThreads / 32];
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    for (int64_t line = blockIdx.x; line < lines; line += gridDim.x) {
        int64_t base = (line / inner) * len * inner + line % inner;
        A carry = 0;
        for (int64_t k0 = 0; k0 < len; k0 += kThreads) {
            int64_t k = k0 + threadIdx.x, i = base + (reversed ? len - 1 - k : k) * inner;
            A v = k < len ? Acc::load(x[i]) : A(0), inc = v;
            for (int d = 1; d < 32; d *= 2) {
                A u = __shfl_up_sync(0xffffffffu, inc, d);
                if (lane >= d) inc += u;
            }
            A exc = __shfl_up_sync(0xffffffffu, inc, 1);
            if (lane == 0) exc = 0;
            if (lane == 31) warpTotal[warp] = inc;
            __syncthreads();
            A before = 0, total = 0;
            for (int w = 0; w < kThreads / 32; w++) {
                if (w < warp) before += warpTotal[w];
                total += warpTotal[w];
            }
            __syncthreads(); // warpTotal is rewritten by the next chunk
            if (k < len) y[i] = Acc::store(carry + before + (exclusive ? exc : inc));
            carry += total;
        }
    }
}

}  // namespace

extern "C" int wnn_cuda_reduce(int op, int dtype, int outType, const void* x, void* y, void* partial,
                               const WnnCudaRedGeom* g, void* stream) {
    cudaStream_t st = (cudaStream_t)stream;
    switch (dtype) { // WnnCudaType codes
        case 0: return float_reduce<float>(op, outType, RED_ARGS);
        case 1: return float_reduce<__half>(op, outType, RED_ARGS);
        case 2: return int_reduce<int32_t, true>(op, outType, RED_ARGS);
        case 3: return int_reduce<uint32_t, true>(op, outType, RED_ARGS);
        case 4: return int_reduce<int64_t, true>(op, outType, RED_ARGS);
        case 5: return int_reduce<uint64_t, true>(op, outType, RED_ARGS);
        case 6: return int_reduce<int8_t, false>(op, outType, RED_ARGS);
        case 7: return int_reduce<uint8_t, false>(op, outType, RED_ARGS);
        default: return (int)cudaErrorInvalidValue;
    }
}

extern "C" int wnn_cuda_group_norm(int dtype, const void* x, const void* scale, const void* bias, void* y,
                                   const WnnCudaRedGeom* g, double epsilon, void* stream) {
    cudaStream_t st = (cudaStream_t)stream;
    unsigned blocks = (unsigned)((g->outCount + g->ox - 1) / g->ox);
    if (dtype == 0)
        group_norm_kernel<float><<<blocks, kThreads, 0, st>>>((const float*)x, (const float*)scale, (const float*)bias,
                                                               (float*)y, *g, epsilon);
    else if (dtype == 1)
        group_norm_kernel<__half><<<blocks, kThreads, 0, st>>>((const __half*)x, (const __half*)scale,
                                                                (const __half*)bias, (__half*)y, *g, epsilon);
    else
        return (int)cudaErrorInvalidValue;
    return (int)cudaGetLastError();
}

extern "C" int wnn_cuda_batch_norm(int dtype, const void* x, const void* mean, const void* variance, const void* scale,
                                   const void* bias, void* y, int64_t count, int64_t channels, int64_t inner,
                                   double epsilon, void* stream) {
    cudaStream_t st = (cudaStream_t)stream;
    if (dtype == 0)
        batch_norm_kernel<float><<<blocks_for(count), 256, 0, st>>>((const float*)x, (const float*)mean,
                                                                     (const float*)variance, (const float*)scale,
                                                                     (const float*)bias, (float*)y, count, channels,
                                                                     inner, epsilon);
    else if (dtype == 1)
        batch_norm_kernel<__half><<<blocks_for(count), 256, 0, st>>>((const __half*)x, (const __half*)mean,
                                                                      (const __half*)variance, (const __half*)scale,
                                                                      (const __half*)bias, (__half*)y, count, channels,
                                                                      inner, epsilon);
    else
        return (int)cudaErrorInvalidValue;
    return (int)cudaGetLastError();
}

namespace {
template <typename T>
int launch_cumsum(const void* x, void* y, int64_t outer, int64_t len, int64_t inner, int exclusive, int reversed,
                  cudaStream_t st) {
    int64_t lines = outer * inner;
    // Long lines that are contiguous, or too few for a thread each to fill the GPU: a block per line.
    if (len > 64 && (inner == 1 || lines < 8192)) {
        unsigned blocks = (unsigned)(lines < (1 << 20) ? lines : (1 << 20));
        cumsum_block_kernel<T><<<blocks, kThreads, 0, st>>>((const T*)x, (T*)y, lines, len, inner, exclusive, reversed);
    } else {
        cumsum_lines_kernel<T><<<blocks_for(lines), 256, 0, st>>>((const T*)x, (T*)y, lines, len, inner, exclusive,
                                                                  reversed);
    }
    return (int)cudaGetLastError();
}
}  // namespace

extern "C" int wnn_cuda_cumsum(int dtype, const void* x, void* y, int64_t outer, int64_t len, int64_t inner,
                               int exclusive, int reversed, void* stream) {
    cudaStream_t st = (cudaStream_t)stream;
    switch (dtype) {
        case 0: return launch_cumsum<float>(x, y, outer, len, inner, exclusive, reversed, st);
        case 1: return launch_cumsum<__half>(x, y, outer, len, inner, exclusive, reversed, st);
        case 2: return launch_cumsum<int32_t>(x, y, outer, len, inner, exclusive, reversed, st);
        case 3: return launch_cumsum<uint32_t>(x, y, outer, len, inner, exclusive, reversed, st);
        case 4: return launch_cumsum<int64_t>(x, y, outer, len, inner, exclusive, reversed, st);
        case 5: return launch_cumsum<uint64_t>(x, y, outer, len, inner, exclusive, reversed, st);
        default: return (int)cudaErrorInvalidValue;
    }
}
