// cuda_eltwise_ext.cu: kernels of the eltwise_ext family (see cuda_eltwise_ext.h). One grid-stride
// kernel maps an op functor over up to three broadcast inputs; the functor loads each input into its
// type's compute domain (double for float types, int64 for the other integers, uint64 for uint64),
// as the CPU's eltwise_engine does, and stores with the CPU's conversion to the output type.
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <math.h>

#include "backends/cuda/cuda_eltwise_ext.h"

namespace {

// ---- loads into the compute domain (overloads on the element type) ----
__device__ __forceinline__ double ld(const float* p, int64_t i) { return (double)p[i]; }
__device__ __forceinline__ double ld(const __half* p, int64_t i) { return (double)__half2float(p[i]); }
__device__ __forceinline__ int64_t ld(const int32_t* p, int64_t i) { return p[i]; }
__device__ __forceinline__ int64_t ld(const uint32_t* p, int64_t i) { return p[i]; }
__device__ __forceinline__ int64_t ld(const int64_t* p, int64_t i) { return p[i]; }
__device__ __forceinline__ uint64_t ld(const uint64_t* p, int64_t i) { return p[i]; }
__device__ __forceinline__ int64_t ld(const int8_t* p, int64_t i) { return p[i]; }
__device__ __forceinline__ int64_t ld(const uint8_t* p, int64_t i) { return p[i]; }

// ---- stores: to<O>(domain value) converts as the CPU's store does ----
template <class T> struct Lim;
#define WNN_LIM(T, LO, HI) \
    template <> struct Lim<T> { static constexpr T lo = LO, hi = HI; };
WNN_LIM(int8_t, INT8_MIN, INT8_MAX)
WNN_LIM(uint8_t, 0, UINT8_MAX)
WNN_LIM(int32_t, INT32_MIN, INT32_MAX)
WNN_LIM(uint32_t, 0, UINT32_MAX)
WNN_LIM(int64_t, INT64_MIN, INT64_MAX)
WNN_LIM(uint64_t, 0, UINT64_MAX)
#undef WNN_LIM

// Float to integer: truncate toward zero, saturate at the type's range, NaN -> 0 (dtype.c; saturating
// before truncating gives the same, the bounds being integers).
template <class O> __device__ __forceinline__ O to(double v) {
    if (isnan(v)) return 0;
    if (v <= (double)Lim<O>::lo) return Lim<O>::lo;
    if (v >= (double)Lim<O>::hi) return Lim<O>::hi;
    if constexpr (Lim<O>::lo < 0) return (O)(int64_t)v; // C conversions truncate
    else return (O)(uint64_t)v;
}
template <> __device__ __forceinline__ float to<float>(double v) { return __double2float_rn(v); }
template <> __device__ __forceinline__ __half to<__half>(double v) { return __double2half(v); } // one rounding
// Integers to integers wrap; to floats they go through double first, as on the CPU.
template <class O> __device__ __forceinline__ O to(int64_t v) { return (O)(uint64_t)v; }
template <> __device__ __forceinline__ float to<float>(int64_t v) { return __double2float_rn((double)v); }
template <> __device__ __forceinline__ __half to<__half>(int64_t v) { return __double2half((double)v); }
template <class O> __device__ __forceinline__ O to(uint64_t v) { return (O)v; }
template <> __device__ __forceinline__ float to<float>(uint64_t v) { return __double2float_rn((double)v); }
template <> __device__ __forceinline__ __half to<__half>(uint64_t v) { return __double2half((double)v); }

// ---- integer helpers (k_eltwise.c) ----
__device__ __forceinline__ int64_t wrap(uint64_t v) { return (int64_t)v; }
__device__ __forceinline__ int64_t idiv(int64_t x, int64_t y) {
    if (y == 0) return 0;
    if (y == -1) return wrap(0 - (uint64_t)x); // INT64_MIN / -1 wraps
    return x / y;
}
__device__ __forceinline__ uint64_t upow(uint64_t x, uint64_t y) {
    uint64_t r = 1;
    for (; y; y >>= 1, x *= x)
        if (y & 1) r *= x;
    return r;
}
__device__ __forceinline__ int64_t ipow(int64_t x, int64_t y) {
    if (y < 0) return x == 1 ? 1 : x == -1 ? ((y & 1) ? -1 : 1) : 0;
    return wrap(upow((uint64_t)x, (uint64_t)y));
}

// ---- op functors: f(out, i, a, b, c, ia, ib, ic) writes out[i] from the inputs at their offsets ----
struct Arith {
    int op;
    __device__ double apply(double x, double y) const {
        switch (op) {
            case WNN_EXT_ADD: return x + y;
            case WNN_EXT_SUB: return x - y;
            case WNN_EXT_MUL: return x * y;
            case WNN_EXT_DIV: return x / y;
            case WNN_EXT_MAX: return isnan(x) || isnan(y) ? (double)NAN : x > y ? x : y;
            case WNN_EXT_MIN: return isnan(x) || isnan(y) ? (double)NAN : x < y ? x : y;
            case WNN_EXT_POW: return pow(x, y);
            default: return x >= 0 ? x : y * x; // prelu
        }
    }
    __device__ int64_t apply(int64_t x, int64_t y) const {
        switch (op) {
            case WNN_EXT_ADD: return wrap((uint64_t)x + (uint64_t)y);
            case WNN_EXT_SUB: return wrap((uint64_t)x - (uint64_t)y);
            case WNN_EXT_MUL: return wrap((uint64_t)x * (uint64_t)y);
            case WNN_EXT_DIV: return idiv(x, y);
            case WNN_EXT_MAX: return x > y ? x : y;
            case WNN_EXT_MIN: return x < y ? x : y;
            case WNN_EXT_POW: return ipow(x, y);
            default: return x >= 0 ? x : wrap((uint64_t)y * (uint64_t)x); // prelu
        }
    }
    __device__ uint64_t apply(uint64_t x, uint64_t y) const {
        switch (op) {
            case WNN_EXT_ADD: return x + y;
            case WNN_EXT_SUB: return x - y;
            case WNN_EXT_MUL: return x * y;
            case WNN_EXT_DIV: return y ? x / y : 0;
            case WNN_EXT_MAX: return x > y ? x : y;
            case WNN_EXT_MIN: return x < y ? x : y;
            case WNN_EXT_POW: return upow(x, y);
            default: return x; // prelu: not offered for uint64
        }
    }
    template <class O, class A>
    __device__ void operator()(O* out, int64_t i, const A* a, const A* b, const A*, int64_t ia, int64_t ib,
                               int64_t) const {
        out[i] = to<O>(apply(ld(a, ia), ld(b, ib)));
    }
};

struct Unary {
    int op;
    double lo, hi;
    int64_t ilo, ihi;
    uint64_t ulo, uhi;
    __device__ double apply(double x) const {
        switch (op) {
            case WNN_EXT_ABS: return fabs(x);
            case WNN_EXT_NEG: return -x;
            case WNN_EXT_SIGN: return isnan(x) ? x : x > 0 ? 1.0 : x < 0 ? -1.0 : x; // keeps -0
            case WNN_EXT_RELU: return x < 0 ? 0.0 : x;
            case WNN_EXT_CLAMP: return x < lo ? lo : x > hi ? hi : x;               // NaN passes
            case WNN_EXT_ROUND_EVEN: return rint(x);                                 // ties to even
            default: return x;                                                       // identity
        }
    }
    __device__ int64_t apply(int64_t x) const {
        switch (op) {
            case WNN_EXT_ABS: return x < 0 ? wrap(0 - (uint64_t)x) : x;
            case WNN_EXT_NEG: return wrap(0 - (uint64_t)x);
            case WNN_EXT_SIGN: return x > 0 ? 1 : x < 0 ? -1 : 0;
            case WNN_EXT_RELU: return x < 0 ? 0 : x;
            case WNN_EXT_CLAMP: return x < ilo ? ilo : x > ihi ? ihi : x;
            default: return x;
        }
    }
    __device__ uint64_t apply(uint64_t x) const { // abs, relu, identity are the identity on uint64
        return op == WNN_EXT_CLAMP ? (x < ulo ? ulo : x > uhi ? uhi : x) : x;
    }
    template <class O, class A>
    __device__ void operator()(O* out, int64_t i, const A* a, const A*, const A*, int64_t ia, int64_t, int64_t) const {
        out[i] = to<O>(apply(ld(a, ia)));
    }
};

// Comparisons, logical ops and the NaN / infinity tests: 0 or 1, stored as uint8.
struct Predicate {
    int op;
    template <class D> __device__ bool compare(D x, D y) const {
        switch (op) {
            case WNN_EXT_EQUAL: return x == y;
            case WNN_EXT_NOT_EQUAL: return x != y;
            case WNN_EXT_GREATER: return x > y;
            case WNN_EXT_GREATER_OR_EQUAL: return x >= y;
            case WNN_EXT_LESSER: return x < y;
            case WNN_EXT_LESSER_OR_EQUAL: return x <= y;
            case WNN_EXT_LOGICAL_AND: return (x != 0) && (y != 0);
            case WNN_EXT_LOGICAL_OR: return (x != 0) || (y != 0);
            case WNN_EXT_LOGICAL_XOR: return (x != 0) != (y != 0);
            case WNN_EXT_LOGICAL_NOT: return x == 0;
            default: return false; // isNaN / isInfinite of an integer
        }
    }
    __device__ bool test(double x, double y) const {
        return op == WNN_EXT_IS_NAN ? isnan(x) : op == WNN_EXT_IS_INFINITE ? isinf(x) : compare(x, y);
    }
    __device__ bool test(int64_t x, int64_t y) const { return compare(x, y); }
    __device__ bool test(uint64_t x, uint64_t y) const { return compare(x, y); }
    template <class A>
    __device__ void operator()(uint8_t* out, int64_t i, const A* a, const A* b, const A*, int64_t ia, int64_t ib,
                               int64_t) const {
        auto x = ld(a, ia);
        out[i] = test(x, b ? ld(b, ib) : x) ? 1 : 0; // unary predicates have no b
    }
};

struct Cast {
    template <class O, class A>
    __device__ void operator()(O* out, int64_t i, const A* a, const A*, const A*, int64_t ia, int64_t, int64_t) const {
        out[i] = to<O>(ld(a, ia));
    }
};

// where: a select of the values' bits (the CPU's round trip through its domain keeps every value).
struct Where {
    template <class V>
    __device__ void operator()(V* out, int64_t i, const uint8_t* c, const V* t, const V* f, int64_t ic, int64_t it,
                               int64_t iff) const {
        out[i] = c[ic] ? t[it] : f[iff];
    }
};

// ---- the map kernel ----
// Offsets of element i in each input, from its coordinates; I is 32-bit when the count allows.
template <class I>
__device__ __forceinline__ void offsets(const WnnExtShape& s, I i, int64_t* off) {
    off[0] = off[1] = off[2] = 0;
    for (int d = s.rank - 1; d >= 0; d--) {
        I c = i;
        if (d > 0) {
            c = i % (I)s.shape[d];
            i /= (I)s.shape[d];
        }
#pragma unroll
        for (int k = 0; k < WNN_EXT_MAX_INPUTS; k++)
            if (k < s.inputs) off[k] += (int64_t)c * s.stride[k][d];
    }
}

template <class F, class O, class A, class B, class C>
__global__ void map_kernel(F f, O* out, const A* a, const B* b, const C* c, WnnExtShape s) {
    const int64_t step = (int64_t)gridDim.x * blockDim.x;
    int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
    if (!s.broadcast) {
        for (; i < s.count; i += step) f(out, i, a, b, c, i, i, i);
        return;
    }
    int64_t off[WNN_EXT_MAX_INPUTS];
    if (s.count <= (int64_t)UINT32_MAX) {
        for (; i < s.count; i += step) {
            offsets<uint32_t>(s, (uint32_t)i, off);
            f(out, i, a, b, c, off[0], off[1], off[2]);
        }
    } else {
        for (; i < s.count; i += step) {
            offsets<uint64_t>(s, (uint64_t)i, off);
            f(out, i, a, b, c, off[0], off[1], off[2]);
        }
    }
}

int blocks_for(int64_t count) {
    int64_t b = (count + 255) / 256;
    return (int)(b < 65535 ? (b > 0 ? b : 1) : 65535);
}

template <class O, class A, class B = A, class C = A, class F>
int launch(const F& f, void* out, const void* a, const void* b, const void* c, const WnnExtShape& s, cudaStream_t st) {
    if (s.count == 0) return 0;
    map_kernel<F, O, A, B, C>
        <<<blocks_for(s.count), 256, 0, st>>>(f, (O*)out, (const A*)a, (const B*)b, (const C*)c, s);
    return (int)cudaGetLastError();
}

// ---- quantize / dequantize (k_quantize.c) ----
template <class I>
__device__ __forceinline__ int64_t param_index(const WnnExtBlocks& b, I i) {
    if (b.mode == 0) return 0;
    if (b.mode == 1) return (int64_t)i;
    int64_t p = 0;
    for (int d = b.rank - 1; d >= 0; d--) {
        I c = i;
        if (d > 0) {
            c = i % (I)b.shape[d];
            i /= (I)b.shape[d];
        }
        if (b.stride[d]) p += (int64_t)(c / (I)b.block[d]) * b.stride[d];
    }
    return p;
}

// saturate(roundHalfEven(x / scale) + zeroPoint), NaN -> 0; the division and the sum in double.
template <class FT, class Q>
__device__ __forceinline__ void quantize_one(const FT* x, const FT* sc, const Q* zp, Q* out, int64_t i, int64_t p) {
    double q = rint(ld(x, i) / ld(sc, p));
    q += (double)zp[p];
    q = isnan(q) ? 0.0 : q < (double)Lim<Q>::lo ? (double)Lim<Q>::lo : q > (double)Lim<Q>::hi ? (double)Lim<Q>::hi : q;
    out[i] = (Q)(int64_t)q;
}

// (x - zeroPoint) * scale: the difference exact in int64, the product in double, rounded once more.
template <class Q, class FT>
__device__ __forceinline__ void dequantize_one(const Q* x, const FT* sc, const Q* zp, FT* out, int64_t i, int64_t p) {
    int64_t diff = (int64_t)x[i] - (int64_t)zp[p];
    out[i] = to<FT>((double)diff * ld(sc, p));
}

template <bool Quantize, class X, class S, class Z, class O>
__global__ void quantize_kernel(const X* x, const S* sc, const Z* zp, O* out, WnnExtBlocks b) {
    const int64_t step = (int64_t)gridDim.x * blockDim.x;
    const bool small = b.count <= (int64_t)UINT32_MAX;
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < b.count; i += step) {
        int64_t p = small ? param_index<uint32_t>(b, (uint32_t)i) : param_index<uint64_t>(b, (uint64_t)i);
        if constexpr (Quantize) quantize_one(x, sc, zp, out, i, p);
        else dequantize_one(x, sc, zp, out, i, p);
    }
}

template <bool Quantize, class X, class S, class Z, class O>
int launch_quantize(const void* const* in, void* out, const WnnExtBlocks& b, cudaStream_t st) {
    if (b.count == 0) return 0;
    quantize_kernel<Quantize, X, S, Z, O><<<blocks_for(b.count), 256, 0, st>>>((const X*)in[0], (const S*)in[1],
                                                                                (const Z*)in[2], (O*)out, b);
    return (int)cudaGetLastError();
}

// ---- type dispatch: fn(Tag<T>{}) for a WnnCudaType code ----
template <class T> struct Tag { using type = T; };

template <class Fn> int by_type(int code, Fn&& fn) {
    switch (code) {
        case WNN_EXT_T_F32: return fn(Tag<float>{});
        case WNN_EXT_T_F16: return fn(Tag<__half>{});
        case WNN_EXT_T_I32: return fn(Tag<int32_t>{});
        case WNN_EXT_T_U32: return fn(Tag<uint32_t>{});
        case WNN_EXT_T_I64: return fn(Tag<int64_t>{});
        case WNN_EXT_T_U64: return fn(Tag<uint64_t>{});
        case WNN_EXT_T_I8: return fn(Tag<int8_t>{});
        case WNN_EXT_T_U8: return fn(Tag<uint8_t>{});
        default: return (int)cudaErrorInvalidValue;
    }
}

template <class Fn> int by_float_type(int code, Fn&& fn) {
    if (code == WNN_EXT_T_F32) return fn(Tag<float>{});
    if (code == WNN_EXT_T_F16) return fn(Tag<__half>{});
    return (int)cudaErrorInvalidValue;
}

template <class Fn> int by_quant_type(int code, Fn&& fn) { // the integer types of quantize / dequantize
    switch (code) {
        case WNN_EXT_T_I32: return fn(Tag<int32_t>{});
        case WNN_EXT_T_U32: return fn(Tag<uint32_t>{});
        case WNN_EXT_T_I8: return fn(Tag<int8_t>{});
        case WNN_EXT_T_U8: return fn(Tag<uint8_t>{});
        default: return (int)cudaErrorInvalidValue;
    }
}

// Bit containers of each element size (where moves bits only).
template <class Fn> int by_size(int code, Fn&& fn) {
    switch (code) {
        case WNN_EXT_T_F16: return fn(Tag<uint16_t>{});
        case WNN_EXT_T_F32: case WNN_EXT_T_I32: case WNN_EXT_T_U32: return fn(Tag<uint32_t>{});
        case WNN_EXT_T_I64: case WNN_EXT_T_U64: return fn(Tag<uint64_t>{});
        case WNN_EXT_T_I8: case WNN_EXT_T_U8: return fn(Tag<uint8_t>{});
        default: return (int)cudaErrorInvalidValue;
    }
}

}  // namespace

extern "C" int wnn_cuda_ext_launch(const WnnExtPlan* p, const void* const* in, void* out, void* stream) {
    cudaStream_t st = (cudaStream_t)stream;
    const WnnExtShape& s = p->shape;
    const void* b = s.inputs > 1 ? in[1] : nullptr;
    const int op = p->op;
    if (op <= WNN_EXT_PRELU)
        return by_type(p->type, [&](auto t) {
            using T = typename decltype(t)::type;
            return launch<T, T>(Arith{op}, out, in[0], b, nullptr, s, st);
        });
    if (op <= WNN_EXT_ROUND_EVEN) {
        const Unary f{op, p->lo, p->hi, p->ilo, p->ihi, p->ulo, p->uhi};
        return by_type(p->type, [&](auto t) {
            using T = typename decltype(t)::type;
            return launch<T, T>(f, out, in[0], nullptr, nullptr, s, st);
        });
    }
    if (op <= WNN_EXT_IS_INFINITE)
        return by_type(p->type, [&](auto t) {
            using T = typename decltype(t)::type;
            return launch<uint8_t, T>(Predicate{op}, out, in[0], b, nullptr, s, st);
        });
    if (op == WNN_EXT_WHERE)
        return by_size(p->type, [&](auto t) {
            using V = typename decltype(t)::type;
            return launch<V, uint8_t, V, V>(Where{}, out, in[0], in[1], in[2], s, st);
        });
    if (op == WNN_EXT_CAST) {
        if (p->type == p->outType) { // same type: the CPU's round trip through its domain keeps every value
            size_t size = p->type == WNN_EXT_T_F16 ? 2 : p->type == WNN_EXT_T_I64 || p->type == WNN_EXT_T_U64 ? 8
                          : p->type == WNN_EXT_T_I8 || p->type == WNN_EXT_T_U8 ? 1 : 4;
            return (int)cudaMemcpyAsync(out, in[0], (size_t)s.count * size, cudaMemcpyDeviceToDevice, st);
        }
        return by_type(p->type, [&](auto ti) {
            using A = typename decltype(ti)::type;
            return by_type(p->outType, [&](auto to_) {
                using O = typename decltype(to_)::type;
                return launch<O, A>(Cast{}, out, in[0], nullptr, nullptr, s, st);
            });
        });
    }
    if (op == WNN_EXT_QUANTIZE)
        return by_float_type(p->type, [&](auto tf) {
            using FT = typename decltype(tf)::type;
            return by_quant_type(p->outType, [&](auto tq) {
                using Q = typename decltype(tq)::type;
                return launch_quantize<true, FT, FT, Q, Q>(in, out, p->blocks, st);
            });
        });
    if (op == WNN_EXT_DEQUANTIZE)
        return by_quant_type(p->type, [&](auto tq) {
            using Q = typename decltype(tq)::type;
            return by_float_type(p->outType, [&](auto tf) {
                using FT = typename decltype(tf)::type;
                return launch_quantize<false, Q, FT, Q, FT>(in, out, p->blocks, st);
            });
        });
    return (int)cudaErrorInvalidValue;
}
