/* sgemm_direct.c: the in-place-A GEMM of sgemm_direct.h, built with AVX-512 (CMakeLists.txt).
 * A tile is MR rows x NV vectors of 16 columns, MR * NV <= 24 accumulators (of the 32 registers;
 * 8 or more hide the FMA's latency): each K step loads NV vectors of B's row and broadcasts MR
 * elements of A's column. The last vector of a row past N is stored under a mask; the rows past
 * the last full tile go in tiles of 4, 2 and 1 rows (25 rows of 160 x 960 in tiles of 6: 0.083
 * ms on one Zen 4 core against 0.065 for 24 rows, all in 6-row tiles). */
#include "backends/cpu/sgemm_direct.h"

#if defined(__AVX512F__)
#include <immintrin.h>

typedef struct Tile {
    size_t K, segs, segStride; /* A's row: segs runs of K floats, segStride apart */
    const float* A;
    size_t lda;
    const float* B;
    size_t ldb;
    float* C;
    size_t ldc;
    const float* R; /* residual at the tile's origin, laid out as C, or NULL */
    const float* bias;
    size_t mr;      /* rows to store */
    __mmask16 last; /* lanes of the tile's last vector inside N */
    int clamp;
    float lo, hi;
} Tile;

#define DEFINE_TILE(MR, NV)                                                                             \
    static void tile_##MR##x##NV(const Tile* t) {                                                      \
        __m512 acc[MR][NV];                                                                            \
        const float* a[MR];                                                                            \
        for (int i = 0; i < MR; i++) a[i] = t->A + ((size_t)i < t->mr ? (size_t)i : 0) * t->lda;        \
        for (int j = 0; j < NV; j++) {                                                                 \
            __m512 b = t->bias ? _mm512_loadu_ps(t->bias + 16 * j) : _mm512_setzero_ps();              \
            for (int i = 0; i < MR; i++) acc[i][j] = b;                                                \
        }                                                                                              \
        const float* bk = t->B;                                                                        \
        for (size_t s = 0; s < t->segs; s++)                                                           \
            for (size_t k = 0; k < t->K; k++, bk += t->ldb) {                                          \
                __m512 b[NV];                                                                          \
                for (int j = 0; j < NV; j++) b[j] = _mm512_loadu_ps(bk + 16 * j);                      \
                for (int i = 0; i < MR; i++) {                                                         \
                    __m512 x = _mm512_set1_ps(a[i][s * t->segStride + k]);                             \
                    for (int j = 0; j < NV; j++) acc[i][j] = _mm512_fmadd_ps(x, b[j], acc[i][j]);      \
                }                                                                                      \
            }                                                                                          \
        const __m512 lo = _mm512_set1_ps(t->lo), hi = _mm512_set1_ps(t->hi);                          \
        for (int i = 0; i < MR; i++) {                                                                 \
            if ((size_t)i >= t->mr) break;                                                             \
            for (int j = 0; j < NV; j++) {                                                             \
                __mmask16 m = j == NV - 1 ? t->last : (__mmask16)0xFFFF;                               \
                __m512 v = acc[i][j];                                                                  \
                if (t->R) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, t->R + i * t->ldc + 16 * j));  \
                if (t->clamp) v = _mm512_min_ps(_mm512_max_ps(v, lo), hi);                             \
                _mm512_mask_storeu_ps(t->C + i * t->ldc + 16 * j, m, v);                               \
            }                                                                                          \
        }                                                                                              \
    }

DEFINE_TILE(12, 1)
DEFINE_TILE(12, 2)
DEFINE_TILE(8, 3)
DEFINE_TILE(6, 4)
/* tails: the rows past the last full tile in tiles of 4, 2 and 1 rows */
DEFINE_TILE(4, 1)
DEFINE_TILE(4, 2)
DEFINE_TILE(4, 3)
DEFINE_TILE(4, 4)
DEFINE_TILE(2, 1)
DEFINE_TILE(2, 2)
DEFINE_TILE(2, 3)
DEFINE_TILE(2, 4)
DEFINE_TILE(1, 1)
DEFINE_TILE(1, 2)
DEFINE_TILE(1, 3)
DEFINE_TILE(1, 4)

int wnn_sgemm_direct(size_t M, size_t N, size_t K, const float* A, size_t lda, const float* B, size_t ldb, float* C,
                     size_t ldc, const WnnSgemmEpilogue* e) {
    return wnn_sgemm_direct_segments(M, N, K, 1, 0, A, lda, B, ldb, C, ldc, e);
}

int wnn_sgemm_direct_segments(size_t M, size_t N, size_t K, size_t segs, size_t segStride, const float* A, size_t lda,
                              const float* B, size_t ldb, float* C, size_t ldc, const WnnSgemmEpilogue* e) {
    typedef void (*TileFn)(const Tile*);
    static const TileFn tiles[4] = {tile_12x1, tile_12x2, tile_8x3, tile_6x4};
    static const TileFn tails[3][4] = {{tile_4x1, tile_4x2, tile_4x3, tile_4x4},
                                       {tile_2x1, tile_2x2, tile_2x3, tile_2x4},
                                       {tile_1x1, tile_1x2, tile_1x3, tile_1x4}};
    static const size_t rows[4] = {12, 12, 8, 6}, tailRows[3] = {4, 2, 1};
    /* column groups of 4 vectors, the rest (1-3 vectors) in one narrower group */
    for (size_t j0 = 0; j0 < N; j0 += 64) {
        size_t cols = N - j0 < 64 ? N - j0 : 64, nv = (cols + 15) / 16, tail = cols - 16 * (nv - 1);
        void (*tile)(const Tile*) = tiles[nv - 1];
        size_t mr = rows[nv - 1];
        Tile t = {K, segs, segStride, NULL, lda, B + j0, ldb, NULL, ldc, NULL, e && e->bias ? e->bias + j0 : NULL, 0,
                  (__mmask16)(tail == 16 ? 0xFFFF : (1u << tail) - 1), e ? e->clamp : 0, e ? e->lo : 0, e ? e->hi : 0};
        for (size_t i = 0; i < M;) {
            /* full tiles, then the rest in tiles of 4, 2 and 1 rows (a full tile's rows past M
             * would cost as much as stored ones) */
            size_t left = M - i, step = mr;
            TileFn fn = tile;
            for (int k = 0; left < mr && k < 3; k++)
                if (tailRows[k] <= left) {
                    step = tailRows[k], fn = tails[k][nv - 1];
                    break;
                }
            t.A = A + i * lda;
            t.C = C + i * ldc + j0;
            t.R = e && e->residual ? e->residual + i * ldc + j0 : NULL;
            t.mr = step;
            fn(&t);
            i += step;
        }
    }
    return 1;
}
#else
int wnn_sgemm_direct(size_t M, size_t N, size_t K, const float* A, size_t lda, const float* B, size_t ldb, float* C,
                     size_t ldc, const WnnSgemmEpilogue* e) {
    (void)M, (void)N, (void)K, (void)A, (void)lda, (void)B, (void)ldb, (void)C, (void)ldc, (void)e;
    return 0;
}

int wnn_sgemm_direct_segments(size_t M, size_t N, size_t K, size_t segs, size_t segStride, const float* A, size_t lda,
                              const float* B, size_t ldb, float* C, size_t ldc, const WnnSgemmEpilogue* e) {
    (void)M, (void)N, (void)K, (void)segs, (void)segStride, (void)A, (void)lda, (void)B, (void)ldb, (void)C, (void)ldc, (void)e;
    return 0;
}
#endif
