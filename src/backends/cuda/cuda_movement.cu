// cuda_movement.cu: the data-movement kernels (see cuda_movement.h). Elements move as unsigned
// words of their size, so the bytes arrive unchanged whatever the data type. Coordinates are split
// with 32-bit division (every tensor has fewer than 2^31 elements); offsets are 64-bit.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "cuda_movement.h"

namespace {

#define FOR_EACH(i, n) \
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < (n); i += (int64_t)gridDim.x * blockDim.x)

constexpr int kThreads = 256;

int blocks_for(int64_t count) {
    int64_t b = (count + kThreads - 1) / kThreads;
    return (int)(b < 1 ? 1 : b > 65535 ? 65535 : b);
}

// Calls f with a value of the unsigned word type of `esize` bytes (the element type of a kernel).
template <typename F> void by_size(int esize, F&& f) {
    switch (esize) {
        case 1: f(uint8_t{}); break;
        case 2: f(uint16_t{}); break;
        case 4: f(uint32_t{}); break;
        default: f(uint64_t{}); break;
    }
}

// Calls f with a value of the indices' type: 0 int32, 1 uint32, 2 int64.
template <typename F> void by_index(int itype, F&& f) {
    switch (itype) {
        case 0: f(int32_t{}); break;
        case 1: f(uint32_t{}); break;
        default: f(int64_t{}); break;
    }
}

// ---- the coordinate map: transpose, slice, reverse, expand, tile, pad ----

template <typename T, int KIND>
__global__ void map_kernel(const T* __restrict__ in, T* __restrict__ out, WnnMvMap m, int64_t count) {
    T fill = (T)m.fill; // little-endian: the element is the low bytes
    FOR_EACH(i, count) {
        uint32_t r = (uint32_t)i;
        int64_t off = m.base;
        bool filled = false;
        for (int d = m.rank - 1; d >= 0; d--) {
            uint32_t c = r % m.shape[d];
            r /= m.shape[d];
            int64_t x = c;
            if (KIND == WNN_MV_TILE) {
                x = c % m.inDim[d];
            } else if (KIND == WNN_MV_PAD) {
                int64_t n = m.inDim[d];
                x -= m.begin[d];
                if (x < 0 || x >= n) {
                    if (m.padMode == WNN_MV_PAD_CONSTANT) {
                        filled = true;
                        break;
                    }
                    // The builder keeps reflection padding below the dimension: one mirror lands inside.
                    if (m.padMode == WNN_MV_PAD_EDGE) x = x < 0 ? 0 : n - 1;
                    else x = x < 0 ? -x : 2 * (n - 1) - x;
                }
            }
            off += x * m.stride[d];
        }
        out[i] = filled ? fill : in[off];
    }
}

template <typename T>
__global__ void triangular_kernel(const T* __restrict__ in, T* __restrict__ out, int64_t count, uint32_t rows,
                                  uint32_t cols, int upper, int64_t diagonal) {
    FOR_EACH(i, count) {
        uint32_t u = (uint32_t)i, col = u % cols, row = (u / cols) % rows;
        int64_t diff = (int64_t)col - (int64_t)row;
        bool keep = upper ? diff >= diagonal : diff <= diagonal;
        out[i] = keep ? in[i] : (T)0; // all-zero bytes are zero in every data type
    }
}

// ---- concat and split ----

template <typename T>
__global__ void parts_kernel(T* whole, WnnMvParts p) {
    uint32_t width = (uint32_t)p.at[p.count];
    int64_t total = p.rows * (int64_t)width;
    FOR_EACH(i, total) {
        uint32_t u = (uint32_t)i, row = u / width, x = u % width;
        int lo = 0, hi = p.count - 1; // the part holding x: the last k with at[k] <= x
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (p.at[mid] <= x) lo = mid;
            else hi = mid - 1;
        }
        int64_t len = p.at[lo + 1] - p.at[lo];
        T* part = (T*)p.part[lo] + row * len + (x - p.at[lo]);
        T* w = whole + row * p.wholeRow + p.first + x;
        if (p.split) *part = *w;
        else *w = *part;
    }
}

// ---- gathers and scatters ----

// The CPU's rule (wnn_clamp_index): negative counts from the end, then clamp into [0, n).
template <typename I> __device__ __forceinline__ int64_t clamp_index(const I* idx, int64_t i, int64_t n) {
    int64_t v = (int64_t)idx[i];
    if (v < 0) v += n;
    return v < 0 ? 0 : v >= n ? n - 1 : v;
}

// Input element that axis-op element i ([outer, count, inner]) addresses.
template <typename I> __device__ __forceinline__ int64_t axis_source(const I* idx, const WnnMvIndex& x, int64_t i) {
    uint32_t u = (uint32_t)i, inner = (uint32_t)x.inner, count = (uint32_t)x.count;
    uint32_t j = u % inner, row = u / inner, k = row % count, o = row / count;
    int64_t r = clamp_index(idx, x.elements ? i : (int64_t)k, x.dim);
    return ((int64_t)o * x.dim + r) * x.inner + j;
}

// Slab (in units of slabs) that ND tuple t selects.
template <typename I> __device__ __forceinline__ int64_t tuple_slab(const I* idx, const WnnMvIndex& x, int64_t t) {
    int64_t off = 0;
    for (int d = 0; d < x.k; d++) off = off * x.dims[d] + clamp_index(idx, t * x.k + d, x.dims[d]);
    return off;
}

template <typename T, typename I>
__global__ void gather_kernel(const T* __restrict__ in, const I* __restrict__ idx, T* __restrict__ out, WnnMvIndex x,
                              int64_t total) {
    FOR_EACH(i, total) out[i] = in[axis_source(idx, x, i)];
}

template <typename T, typename I>
__global__ void gather_nd_kernel(const T* __restrict__ in, const I* __restrict__ idx, T* __restrict__ out,
                                 WnnMvIndex x, int64_t total) {
    FOR_EACH(i, total) {
        uint32_t u = (uint32_t)i, slab = (uint32_t)x.slab;
        out[i] = in[tuple_slab(idx, x, u / slab) * x.slab + u % slab];
    }
}

// Scatter pass 1: each target records the highest (last in row-major order) update aiming at it, + 1.
template <typename I>
__global__ void scatter_claim_kernel(const I* __restrict__ idx, uint32_t* winner, WnnMvIndex x, int nd, int64_t n) {
    FOR_EACH(i, n) atomicMax(&winner[nd ? tuple_slab(idx, x, i) : axis_source(idx, x, i)], (uint32_t)i + 1u);
}

// Scatter pass 2: only the winning update of each target writes it.
template <typename T, typename I>
__global__ void scatter_write_kernel(const I* __restrict__ idx, const T* __restrict__ upd, T* out,
                                     const uint32_t* winner, WnnMvIndex x, int nd, int64_t total) {
    FOR_EACH(i, total) {
        if (nd) {
            uint32_t u = (uint32_t)i, slab = (uint32_t)x.slab, t = u / slab;
            int64_t s = tuple_slab(idx, x, t);
            if (winner[s] == t + 1u) out[s * x.slab + u % slab] = upd[i];
        } else {
            int64_t dst = axis_source(idx, x, i);
            if (winner[dst] == (uint32_t)i + 1u) out[dst] = upd[i];
        }
    }
}

// ---- resample2d ----

__device__ __forceinline__ double load_d(const float* p, int64_t i) { return (double)p[i]; }
__device__ __forceinline__ double load_d(const __half* p, int64_t i) { return (double)__half2float(p[i]); }
__device__ __forceinline__ double load_d(const int8_t* p, int64_t i) { return (double)p[i]; }
__device__ __forceinline__ double load_d(const uint8_t* p, int64_t i) { return (double)p[i]; }

// The CPU's wnn_store_f64: floats rounded once (float16 NaN as 0x7e00), integers truncated and saturated.
__device__ __forceinline__ void store_d(float* p, int64_t i, double v) { p[i] = __double2float_rn(v); }
__device__ __forceinline__ void store_d(__half* p, int64_t i, double v) {
    p[i] = isnan(v) ? __ushort_as_half((unsigned short)0x7e00) : __double2half(v);
}
__device__ __forceinline__ void store_d(int8_t* p, int64_t i, double v) {
    v = isnan(v) ? 0.0 : trunc(v);
    p[i] = (int8_t)(v <= -128.0 ? -128.0 : v >= 127.0 ? 127.0 : v);
}
__device__ __forceinline__ void store_d(uint8_t* p, int64_t i, double v) {
    v = isnan(v) || v <= 0.0 ? 0.0 : trunc(v);
    p[i] = (uint8_t)(v >= 255.0 ? 255.0 : v);
}

// Nearest copies an element as the CPU's trip through double does: a float32 NaN comes back
// quiet (x86 sets the quiet bit, keeping sign and payload), a float16 NaN as 0x7e00.
__device__ __forceinline__ float through_double(float v) {
    unsigned b = __float_as_uint(v);
    return (b & 0x7fffffffu) > 0x7f800000u ? __uint_as_float(b | 0x00400000u) : v;
}
__device__ __forceinline__ __half through_double(__half v) {
    return (__half_as_ushort(v) & 0x7fffu) > 0x7c00u ? __ushort_as_half((unsigned short)0x7e00) : v;
}
__device__ __forceinline__ int8_t through_double(int8_t v) { return v; }
__device__ __forceinline__ uint8_t through_double(uint8_t v) { return v; }

// Half-pixel source coordinate, clamped into [0, inSize - 1]; the CPU's operations one by one
// (explicit roundings: no fused multiply-add anywhere in this file's double math).
__device__ __forceinline__ double source_coord(uint32_t o, uint32_t inSize, uint32_t outSize) {
    double scale = __ddiv_rn((double)outSize, (double)inSize);
    double x = __dsub_rn(__ddiv_rn(__dadd_rn((double)o, 0.5), scale), 0.5);
    double top = (double)(inSize - 1);
    return x < 0 ? 0 : x > top ? top : x;
}

template <typename T>
__global__ void resample_kernel(const T* __restrict__ in, T* __restrict__ out, WnnMvResample r, int64_t total) {
    int64_t stride[4], s = 1;
    for (int d = 3; d >= 0; d--) {
        stride[d] = s;
        s *= r.in[d];
    }
    const int a0 = r.ax0, a1 = r.ax1;
    FOR_EACH(i, total) {
        uint32_t c[4], u = (uint32_t)i;
        for (int d = 3; d >= 0; d--) {
            c[d] = u % r.out[d];
            u /= r.out[d];
        }
        int64_t base = 0;
        for (int d = 0; d < 4; d++)
            if (d != a0 && d != a1) base += c[d] * stride[d];
        double y = source_coord(c[a0], r.in[a0], r.out[a0]), x = source_coord(c[a1], r.in[a1], r.out[a1]);
        if (!r.linear) { // nearest: round half down, the spec's ceil(x - 0.5)
            int64_t iy = (int64_t)ceil(__dsub_rn(y, 0.5)), ix = (int64_t)ceil(__dsub_rn(x, 0.5));
            out[i] = through_double(in[base + iy * stride[a0] + ix * stride[a1]]);
            continue;
        }
        int64_t y0 = (int64_t)floor(y), x0 = (int64_t)floor(x);
        int64_t y1 = y0 + 1 < r.in[a0] ? y0 + 1 : y0, x1 = x0 + 1 < r.in[a1] ? x0 + 1 : x0;
        double fy = __dsub_rn(y, (double)y0), fx = __dsub_rn(x, (double)x0);
        double gy = __dsub_rn(1.0, fy), gx = __dsub_rn(1.0, fx);
        double v00 = load_d(in, base + y0 * stride[a0] + x0 * stride[a1]);
        double v01 = load_d(in, base + y0 * stride[a0] + x1 * stride[a1]);
        double v10 = load_d(in, base + y1 * stride[a0] + x0 * stride[a1]);
        double v11 = load_d(in, base + y1 * stride[a0] + x1 * stride[a1]);
        // (1 - fy) * ((1 - fx) * v00 + fx * v01) + fy * ((1 - fx) * v10 + fx * v11), in the CPU's order
        double rowTop = __dadd_rn(__dmul_rn(gx, v00), __dmul_rn(fx, v01));
        double rowBottom = __dadd_rn(__dmul_rn(gx, v10), __dmul_rn(fx, v11));
        store_d(out, i, __dadd_rn(__dmul_rn(gy, rowTop), __dmul_rn(fy, rowBottom)));
    }
}

}  // namespace

extern "C" int wnn_cuda_mv_map(int esize, const void* in, void* out, const WnnMvMap* m, int64_t count, void* stream) {
    cudaStream_t st = (cudaStream_t)stream;
    by_size(esize, [&](auto word) {
        using T = decltype(word);
        const T* src = (const T*)in;
        T* dst = (T*)out;
        int b = blocks_for(count);
        if (m->kind == WNN_MV_TILE) map_kernel<T, WNN_MV_TILE><<<b, kThreads, 0, st>>>(src, dst, *m, count);
        else if (m->kind == WNN_MV_PAD) map_kernel<T, WNN_MV_PAD><<<b, kThreads, 0, st>>>(src, dst, *m, count);
        else map_kernel<T, WNN_MV_STRIDED><<<b, kThreads, 0, st>>>(src, dst, *m, count);
    });
    return (int)cudaGetLastError();
}

extern "C" int wnn_cuda_mv_triangular(int esize, const void* in, void* out, int64_t count, int64_t rows, int64_t cols,
                                      int upper, int64_t diagonal, void* stream) {
    by_size(esize, [&](auto word) {
        using T = decltype(word);
        triangular_kernel<T><<<blocks_for(count), kThreads, 0, (cudaStream_t)stream>>>(
            (const T*)in, (T*)out, count, (uint32_t)rows, (uint32_t)cols, upper, diagonal);
    });
    return (int)cudaGetLastError();
}

extern "C" int wnn_cuda_mv_parts(int esize, void* whole, const WnnMvParts* p, void* stream) {
    by_size(esize, [&](auto word) {
        using T = decltype(word);
        parts_kernel<T><<<blocks_for(p->rows * p->at[p->count]), kThreads, 0, (cudaStream_t)stream>>>((T*)whole, *p);
    });
    return (int)cudaGetLastError();
}

extern "C" int wnn_cuda_mv_gather(int esize, const void* in, const void* indices, void* out, const WnnMvIndex* x,
                                  void* stream) {
    int64_t total = x->outer * x->count * x->inner;
    by_index(x->itype, [&](auto index) {
        using I = decltype(index);
        by_size(esize, [&](auto word) {
            using T = decltype(word);
            gather_kernel<T, I><<<blocks_for(total), kThreads, 0, (cudaStream_t)stream>>>(
                (const T*)in, (const I*)indices, (T*)out, *x, total);
        });
    });
    return (int)cudaGetLastError();
}

extern "C" int wnn_cuda_mv_gather_nd(int esize, const void* in, const void* indices, void* out, const WnnMvIndex* x,
                                     void* stream) {
    int64_t total = x->tuples * x->slab;
    by_index(x->itype, [&](auto index) {
        using I = decltype(index);
        by_size(esize, [&](auto word) {
            using T = decltype(word);
            gather_nd_kernel<T, I><<<blocks_for(total), kThreads, 0, (cudaStream_t)stream>>>(
                (const T*)in, (const I*)indices, (T*)out, *x, total);
        });
    });
    return (int)cudaGetLastError();
}

extern "C" int wnn_cuda_mv_scatter(int esize, int nd, const void* indices, const void* updates, void* out,
                                   uint32_t* winner, int64_t slots, const WnnMvIndex* x, void* stream) {
    cudaStream_t st = (cudaStream_t)stream;
    int64_t claims = nd ? x->tuples : x->outer * x->count * x->inner;
    int64_t total = nd ? x->tuples * x->slab : claims;
    cudaError_t e = cudaMemsetAsync(winner, 0, (size_t)slots * sizeof(uint32_t), st);
    if (e != cudaSuccess) return (int)e;
    by_index(x->itype, [&](auto index) {
        using I = decltype(index);
        scatter_claim_kernel<I><<<blocks_for(claims), kThreads, 0, st>>>((const I*)indices, winner, *x, nd, claims);
        if (cudaPeekAtLastError() != cudaSuccess) return;
        by_size(esize, [&](auto word) {
            using T = decltype(word);
            scatter_write_kernel<T, I><<<blocks_for(total), kThreads, 0, st>>>((const I*)indices, (const T*)updates,
                                                                               (T*)out, winner, *x, nd, total);
        });
    });
    return (int)cudaGetLastError();
}

extern "C" int wnn_cuda_mv_resample(const void* in, void* out, const WnnMvResample* r, void* stream) {
    int64_t total = (int64_t)r->out[0] * r->out[1] * r->out[2] * r->out[3];
    cudaStream_t st = (cudaStream_t)stream;
    int b = blocks_for(total);
    switch (r->dtype) {
        case 0: resample_kernel<float><<<b, kThreads, 0, st>>>((const float*)in, (float*)out, *r, total); break;
        case 1: resample_kernel<__half><<<b, kThreads, 0, st>>>((const __half*)in, (__half*)out, *r, total); break;
        case 2: resample_kernel<int8_t><<<b, kThreads, 0, st>>>((const int8_t*)in, (int8_t*)out, *r, total); break;
        default: resample_kernel<uint8_t><<<b, kThreads, 0, st>>>((const uint8_t*)in, (uint8_t*)out, *r, total); break;
    }
    return (int)cudaGetLastError();
}
