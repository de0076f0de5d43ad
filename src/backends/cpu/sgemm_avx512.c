/* sgemm_avx512.c: the packed GEMM's AVX-512 micro-kernel (sgemm_micro.h), built with -mavx512f
 * (CMakeLists.txt) and run only where the CPU has it.
 *
 * 12 rows x 32 columns of C (two 16-column B panels) live in 24 of the 32 zmm registers while a
 * K slice streams by: per k, two loads of B, twelve broadcasts of A (folded into the FMAs) and 24
 * FMAs, so loads stay well under the FMA rate on one 512-bit pipe (Zen 4) or two (Xeon). The
 * slice's two B panels (2 x 16 KiB) are shared by every A panel of the block. A tile of at most
 * 16 columns takes the one-panel variant (12 FMAs per k), of at most 8 an 8-wide one. */
#include "backends/cpu/sgemm_micro.h"

#if defined(__AVX512F__)

#define MR 12

typedef float v16 __attribute__((vector_size(64)));
typedef float v16u __attribute__((vector_size(64), aligned(4)));
typedef int v16i __attribute__((vector_size(64)));
#define load16(p) (*(const v16u*)(p))
#define splat(v) ((v16){v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v})
#define pick(mask, x, y) ((v16)(((v16i)(x) & (mask)) | ((v16i)(y) & ~(mask)))) /* mask ? x : y */

/* The kernel for the first `rows` rows of the A panel and `panels` (1 or 2) B panels; inlined into
 * each variant so that its loops unroll and its accumulators stay in registers. */
static inline __attribute__((always_inline)) void tile(size_t k, const float* a, const float* b, float* c,
                                                       size_t ldc, size_t nr, int acc, const WnnSgemmEpilogue* e,
                                                       size_t col, const float* res, const int rows, const int panels) {
    v16 s[MR][2];
#pragma GCC unroll 12
    for (int r = 0; r < rows; r++) s[r][0] = s[r][1] = splat(0.0f);
    const float* b2 = b + 16 * k;
    for (size_t p = 0; p < k; p++) {
        v16 x0 = load16(b + 16 * p), x1 = panels > 1 ? load16(b2 + 16 * p) : x0;
#pragma GCC unroll 12
        for (int r = 0; r < rows; r++) {
            v16 x = splat(a[r]);
            s[r][0] += x * x0;
            if (panels > 1) s[r][1] += x * x1;
        }
        a += MR;
    }
    if (nr == 16 * (size_t)panels) {
        v16 sc = splat(1.0f), lo = sc, hi = sc, bias[2] = {splat(0.0f), splat(0.0f)};
        if (e) {
            sc = splat(e->scale), lo = splat(e->lo), hi = splat(e->hi);
            if (e->bias)
                for (int q = 0; q < panels; q++) bias[q] = load16(e->bias + col + 16 * q);
        }
#pragma GCC unroll 12
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < panels; q++) {
                float* cr = c + r * ldc + 16 * q;
                v16 v = s[r][q];
                if (acc) v += load16(cr);
                if (e) {
                    v = v * sc + bias[q];
                    if (res) v += load16(res + r * ldc + 16 * q);
                    if (e->clamp) v = pick(v < lo, lo, v), v = pick(v > hi, hi, v); /* NaN stays */
                }
                *(v16u*)cr = v;
            }
        return;
    }
    float t[MR * 32] __attribute__((aligned(64)));
    for (int r = 0; r < rows; r++)
        for (int q = 0; q < panels; q++) *(v16u*)(t + r * 32 + 16 * q) = s[r][q];
    wnn_sgemm_store_tile(t, 32, c, ldc, (size_t)rows, nr, acc, e, col, res);
}

/* A partial panel (mr < 12, the last of M) runs only its rows: M = 50 with a 2-row panel computed
 * in full wasted a sixth of the products. */
#define BY_ROWS(panels)                                                                                \
    switch (mr) {                                                                                      \
    case 1: tile(k, a, b, c, ldc, nr, acc, e, col, res, 1, panels); break;                             \
    case 2: tile(k, a, b, c, ldc, nr, acc, e, col, res, 2, panels); break;                             \
    case 3: tile(k, a, b, c, ldc, nr, acc, e, col, res, 3, panels); break;                             \
    case 4: tile(k, a, b, c, ldc, nr, acc, e, col, res, 4, panels); break;                             \
    case 5: tile(k, a, b, c, ldc, nr, acc, e, col, res, 5, panels); break;                             \
    case 6: tile(k, a, b, c, ldc, nr, acc, e, col, res, 6, panels); break;                             \
    case 7: tile(k, a, b, c, ldc, nr, acc, e, col, res, 7, panels); break;                             \
    case 8: tile(k, a, b, c, ldc, nr, acc, e, col, res, 8, panels); break;                             \
    case 9: tile(k, a, b, c, ldc, nr, acc, e, col, res, 9, panels); break;                             \
    case 10: tile(k, a, b, c, ldc, nr, acc, e, col, res, 10, panels); break;                           \
    case 11: tile(k, a, b, c, ldc, nr, acc, e, col, res, 11, panels); break;                           \
    default: tile(k, a, b, c, ldc, nr, acc, e, col, res, MR, panels); break;                           \
    }

static void kernel_12x32(size_t k, const float* a, const float* b, float* c, size_t ldc, size_t mr, size_t nr,
                         int acc, const WnnSgemmEpilogue* e, size_t col, const float* res) {
    BY_ROWS(2)
}

typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4)));
typedef int v8i __attribute__((vector_size(32)));
#define splat8(v) ((v8){v, v, v, v, v, v, v, v})
#define pick8(mask, x, y) ((v8)(((v8i)(x) & (mask)) | ((v8i)(y) & ~(mask))))

/* A full panel's rows by at most 8 columns (the left half of one B panel) in 8-wide registers:
 * two of them per FMA cycle where one 16-wide runs, so a tail such as 100 channels' last 4 costs
 * half the 16-column kernel. */
static void tile_12x8(size_t k, const float* a, const float* b, float* c, size_t ldc, size_t nr, int acc,
                      const WnnSgemmEpilogue* e, size_t col, const float* res) {
    v8 s[MR];
#pragma GCC unroll 12
    for (int r = 0; r < MR; r++) s[r] = splat8(0.0f);
    for (size_t p = 0; p < k; p++) {
        v8 x0 = *(const v8u*)(b + 16 * p);
#pragma GCC unroll 12
        for (int r = 0; r < MR; r++) s[r] += splat8(a[r]) * x0;
        a += MR;
    }
    if (nr == 8) {
        v8 sc = splat8(1.0f), lo = sc, hi = sc, bias = splat8(0.0f);
        if (e) {
            sc = splat8(e->scale), lo = splat8(e->lo), hi = splat8(e->hi);
            if (e->bias) bias = *(const v8u*)(e->bias + col);
        }
#pragma GCC unroll 12
        for (int r = 0; r < MR; r++) {
            float* cr = c + r * ldc;
            v8 v = s[r];
            if (acc) v += *(const v8u*)cr;
            if (e) {
                v = v * sc + bias;
                if (res) v += *(const v8u*)(res + r * ldc);
                if (e->clamp) v = pick8(v < lo, lo, v), v = pick8(v > hi, hi, v); /* NaN stays */
            }
            *(v8u*)cr = v;
        }
        return;
    }
    float t[MR * 8] __attribute__((aligned(32)));
    for (int r = 0; r < MR; r++) *(v8u*)(t + r * 8) = s[r];
    wnn_sgemm_store_tile(t, 8, c, ldc, MR, nr, acc, e, col, res);
}

static void kernel_12x16(size_t k, const float* a, const float* b, float* c, size_t ldc, size_t mr, size_t nr,
                         int acc, const WnnSgemmEpilogue* e, size_t col, const float* res) {
    if (nr <= 8 && mr == MR) {
        tile_12x8(k, a, b, c, ldc, nr, acc, e, col, res);
        return;
    }
    BY_ROWS(1)
}

const WnnSgemmMicro* wnn_sgemm_micro_avx512(void) {
    static const WnnSgemmMicro micro = {"avx512", MR, 32, kernel_12x32, kernel_12x16};
    return &micro;
}

#else

const WnnSgemmMicro* wnn_sgemm_micro_avx512(void) { return NULL; }

#endif
