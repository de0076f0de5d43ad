/* winograd_f4.c: see winograd_f4.h. Eight channels at a time in generic vectors, the 6 x 6 (or
 * 6 x 4) values of a tile in an array the compiler keeps in registers and L1; a channel tail is
 * copied into zero-padded vectors first, so one code path serves every count. Built for AVX2+FMA
 * and for the baseline ISA, picked at run time (simd_level.h).
 * Points 0, 1, -1, 2, -1/2 (and infinity):
 *   B^T = [1 3/2 -2 -3/2 1 0; 0 -1 -5/2 -1/2 1 0; 0 1 1/2 -5/2 1 0; 0 -1/2 -1 1/2 1 0;
 *          0 2 -1 -2 1 0; 0 1 3/2 -2 -3/2 1]
 *   G   = [1 0 0; -1/3 -1/3 -1/3; 1/3 -1/3 1/3; 1/15 2/15 4/15; -16/15 8/15 -4/15; 0 0 1]
 *   A^T = [1 1 1 1 1 0; 0 1 -1 2 -1/2 0; 0 1 1 4 1/4 0; 0 1 -1 8 -1/8 1] */
#include "backends/cpu/winograd_f4.h"

#include <string.h>

#include "backends/cpu/simd_level.h"

typedef float v8 __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4))); /* unaligned loads and stores */
#define load8(p) (*(const v8u*)(p))
#define store8(p, v) (*(v8u*)(p) = (v))
#define AI static inline __attribute__((always_inline))

/* o[k * so] = (B^T x)[k] for x[k * sx], k < 6 */
AI void bt6(v8* o, int so, const v8* x, int sx) {
    v8 x0 = x[0], x1 = x[sx], x2 = x[2 * sx], x3 = x[3 * sx], x4 = x[4 * sx], x5 = x[5 * sx];
    v8 t = x1 - x3, u = x4 - x2;
    o[0] = x0 - 2.0f * x2 + x4 + 1.5f * t;
    o[so] = x4 - x1 - 2.5f * x2 - 0.5f * x3;
    o[2 * so] = x4 + x1 + 0.5f * x2 - 2.5f * x3;
    o[3 * so] = u - 0.5f * t;
    o[4 * so] = u + 2.0f * t;
    o[5 * so] = x1 - 2.0f * x3 + x5 - 1.5f * u;
}

/* o[k * so] = (A^T x)[k] for x[k * sx], k < 4 */
AI void at6(v8* o, int so, const v8* x, int sx) {
    v8 a = x[sx] + x[2 * sx], b = x[sx] - x[2 * sx], m3 = x[3 * sx], m4 = x[4 * sx];
    o[0] = x[0] + a + m3 + m4;
    o[so] = b + 2.0f * m3 - 0.5f * m4;
    o[2 * so] = a + 4.0f * m3 + 0.25f * m4;
    o[3 * so] = b + 8.0f * m3 - 0.125f * m4 + x[5 * sx];
}

/* v = B^T x B for the 36 vectors x (row-major). */
AI void input_vectors(const v8* x, v8* v) {
    v8 t[36];
    for (int j = 0; j < 6; j++) bt6(t + j, 6, x + j, 6); /* t = B^T x: column by column */
    for (int i = 0; i < 6; i++) bt6(v + 6 * i, 1, t + 6 * i, 1); /* then t B: row by row */
}

/* y = A^T m A (16 vectors) + bias, clamped to [lo, hi] when act. */
AI void output_vectors(const v8* m, const v8* bias, int act, const v8* lo, const v8* hi, v8* y) {
    v8 s[24];
    for (int j = 0; j < 6; j++) at6(s + j, 6, m + j, 6);
    for (int i = 0; i < 4; i++) at6(y + 4 * i, 1, s + 6 * i, 1);
    for (int q = 0; q < 16; q++) {
        v8 v = y[q] + *bias;
        if (act) { /* v < lo ? lo : v > hi ? hi : v, lane by lane: a NaN compares false and stays */
            v8i below = v < *lo, above = v > *hi;
            v = (v8)(((v8i)*lo & below) | ((v8i)v & ~below));
            v = (v8)(((v8i)*hi & above) | ((v8i)v & ~above));
        }
        y[q] = v;
    }
}

#define DEFINE_TILES(SUF, ATTR)                                                                          \
    ATTR static void input_##SUF(const float* const* d, float* out, size_t plane, size_t c) {             \
        v8 x[36], v[36];                                                                                 \
        size_t ci = 0;                                                                                   \
        for (; ci + 8 <= c; ci += 8) {                                                                   \
            for (int k = 0; k < 36; k++) x[k] = load8(d[k] + ci);                                        \
            input_vectors(x, v);                                                                         \
            for (int e = 0; e < 36; e++) store8(out + (size_t)e * plane + ci, v[e]);                     \
        }                                                                                                \
        if (ci < c) {                                                                                    \
            size_t n = c - ci;                                                                           \
            memset(x, 0, sizeof x);                                                                      \
            for (int k = 0; k < 36; k++) memcpy(&x[k], d[k] + ci, n * sizeof(float));                    \
            input_vectors(x, v);                                                                         \
            for (int e = 0; e < 36; e++) memcpy(out + (size_t)e * plane + ci, &v[e], n * sizeof(float)); \
        }                                                                                                \
    }                                                                                                    \
    ATTR static void output_##SUF(const float* m, size_t plane, size_t c, const float* bias, int act,     \
                                  float lo, float hi, float* const* dst) {                               \
        v8 x[36], y[16], vlo = (v8){0} + lo, vhi = (v8){0} + hi;                                         \
        size_t co = 0;                                                                                   \
        for (; co + 8 <= c; co += 8) {                                                                   \
            for (int e = 0; e < 36; e++) x[e] = load8(m + (size_t)e * plane + co);                       \
            v8 b = load8(bias + co);                                                                     \
            output_vectors(x, &b, act, &vlo, &vhi, y);                                                   \
            for (int q = 0; q < 16; q++) store8(dst[q] + co, y[q]);                                      \
        }                                                                                                \
        if (co < c) {                                                                                    \
            size_t n = c - co;                                                                           \
            v8 b = {0};                                                                                  \
            memset(x, 0, sizeof x);                                                                      \
            for (int e = 0; e < 36; e++) memcpy(&x[e], m + (size_t)e * plane + co, n * sizeof(float));   \
            memcpy(&b, bias + co, n * sizeof(float));                                                    \
            output_vectors(x, &b, act, &vlo, &vhi, y);                                                   \
            for (int q = 0; q < 16; q++) memcpy(dst[q] + co, &y[q], n * sizeof(float));                  \
        }                                                                                                \
    }

DEFINE_TILES(generic, )
#if defined(__x86_64__) || defined(__i386__)
DEFINE_TILES(avx2, __attribute__((target("avx2,fma"))))
#define HAVE_AVX2_TILES 1
#else
#define HAVE_AVX2_TILES 0
#endif

void wnn_wino4_input_tile(const float* const* d, float* out, size_t plane, size_t c) {
#if HAVE_AVX2_TILES
    if (wnn_cpu_simd_level() >= WNN_SIMD_AVX2) {
        input_avx2(d, out, plane, c);
        return;
    }
#endif
    input_generic(d, out, plane, c);
}

void wnn_wino4_output_tile(const float* m, size_t plane, size_t c, const float* bias, int act, float lo, float hi,
                           float* const* dst) {
#if HAVE_AVX2_TILES
    if (wnn_cpu_simd_level() >= WNN_SIMD_AVX2) {
        output_avx2(m, plane, c, bias, act, lo, hi, dst);
        return;
    }
#endif
    output_generic(m, plane, c, bias, act, lo, hi, dst);
}

void wnn_wino4_filter(const double* g, float* u) {
    static const double G[6][3] = {{1, 0, 0},
                                   {-1.0 / 3, -1.0 / 3, -1.0 / 3},
                                   {1.0 / 3, -1.0 / 3, 1.0 / 3},
                                   {1.0 / 15, 2.0 / 15, 4.0 / 15},
                                   {-16.0 / 15, 8.0 / 15, -4.0 / 15},
                                   {0, 0, 1}};
    double t[6][3]; /* G g */
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 3; j++) t[i][j] = G[i][0] * g[j] + G[i][1] * g[3 + j] + G[i][2] * g[6 + j];
    for (int i = 0; i < 6; i++) /* (G g) G^T */
        for (int l = 0; l < 6; l++) u[i * 6 + l] = (float)(t[i][0] * G[l][0] + t[i][1] * G[l][1] + t[i][2] * G[l][2]);
}
