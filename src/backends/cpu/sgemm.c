/* sgemm.c: a register-blocked float32 GEMM. The micro-kernel keeps a 4 x 16 block of C in eight
 * 8-wide vector registers while streaming a K-slice of A and B; K is split in slices of 256 so the
 * B panel (256 x 16 floats, 16 KiB) stays in L1 while it is reused for every 4 rows of a strip.
 * The same source is compiled twice, for AVX2+FMA and for the baseline ISA, and picked at run
 * time. (This file is built with -ffp-contract=fast so that a*b+c becomes one FMA.) */
#include "backends/cpu/sgemm.h"

#include <string.h>

typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4))); /* for unaligned loads and stores */

#define KC 256
#define MC 64

#define load8(p) (*(const v8u*)(p))
#define store8(p, v) (*(v8u*)(p) = (v))

/* C[rows x n] (+)= A[rows x k] * B[k x n] for one K slice; `acc` says whether to add to C. */
#define DEFINE_STRIP(NAME, ATTR)                                                                        \
    ATTR static void NAME(size_t rows, size_t n, size_t k, const float* A, size_t lda, const float* B,  \
                          size_t ldb, float* C, size_t ldc, int acc) {                                  \
        size_t j = 0;                                                                                   \
        float pb[KC * 16]; /* the B panel, packed contiguously: no cache-set conflicts */              \
        for (; j + 16 <= n; j += 16) {                                                                  \
            for (size_t p = 0; p < k; p++) memcpy(pb + p * 16, B + p * ldb + j, 16 * sizeof(float));    \
            size_t i = 0;                                                                               \
            for (; i + 4 <= rows; i += 4) {                                                             \
                v8 c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0}, c30 = {0}, c31 = {0}; \
                const float* a = A + i * lda;                                                           \
                for (size_t p = 0; p < k; p++) {                                                        \
                    v8 b0 = load8(pb + p * 16), b1 = load8(pb + p * 16 + 8);                           \
                    v8 a0 = (v8){0} + a[p], a1 = (v8){0} + a[lda + p];                                  \
                    v8 a2 = (v8){0} + a[2 * lda + p], a3 = (v8){0} + a[3 * lda + p];                    \
                    c00 += a0 * b0; c01 += a0 * b1; c10 += a1 * b0; c11 += a1 * b1;                    \
                    c20 += a2 * b0; c21 += a2 * b1; c30 += a3 * b0; c31 += a3 * b1;                    \
                }                                                                                       \
                float* c = C + i * ldc + j;                                                             \
                if (acc) {                                                                              \
                    c00 += load8(c); c01 += load8(c + 8); c10 += load8(c + ldc); c11 += load8(c + ldc + 8); \
                    c20 += load8(c + 2 * ldc); c21 += load8(c + 2 * ldc + 8);                           \
                    c30 += load8(c + 3 * ldc); c31 += load8(c + 3 * ldc + 8);                           \
                }                                                                                       \
                store8(c, c00); store8(c + 8, c01); store8(c + ldc, c10); store8(c + ldc + 8, c11);     \
                store8(c + 2 * ldc, c20); store8(c + 2 * ldc + 8, c21);                                 \
                store8(c + 3 * ldc, c30); store8(c + 3 * ldc + 8, c31);                                 \
            }                                                                                           \
            for (; i < rows; i++) {                                                                     \
                v8 c0 = {0}, c1 = {0};                                                                  \
                for (size_t p = 0; p < k; p++) {                                                        \
                    v8 a0 = (v8){0} + A[i * lda + p];                                                   \
                    c0 += a0 * load8(pb + p * 16);                                                      \
                    c1 += a0 * load8(pb + p * 16 + 8);                                                  \
                }                                                                                       \
                float* c = C + i * ldc + j;                                                             \
                if (acc) { c0 += load8(c); c1 += load8(c + 8); }                                        \
                store8(c, c0); store8(c + 8, c1);                                                       \
            }                                                                                           \
        }                                                                                               \
        for (; j + 8 <= n; j += 8)                                                                      \
            for (size_t i = 0; i < rows; i++) {                                                         \
                v8 c0 = {0};                                                                            \
                for (size_t p = 0; p < k; p++) c0 += ((v8){0} + A[i * lda + p]) * load8(B + p * ldb + j); \
                float* c = C + i * ldc + j;                                                             \
                if (acc) c0 += load8(c);                                                                \
                store8(c, c0);                                                                          \
            }                                                                                           \
        for (; j < n; j++)                                                                              \
            for (size_t i = 0; i < rows; i++) {                                                         \
                float s = acc ? C[i * ldc + j] : 0.0f;                                                  \
                for (size_t p = 0; p < k; p++) s += A[i * lda + p] * B[p * ldb + j];                    \
                C[i * ldc + j] = s;                                                                     \
            }                                                                                           \
    }

DEFINE_STRIP(strip_generic, )
#if defined(__x86_64__) || defined(__i386__)
DEFINE_STRIP(strip_avx2, __attribute__((target("avx2,fma"))))
#endif

typedef void (*StripFn)(size_t, size_t, size_t, const float*, size_t, const float*, size_t, float*, size_t, int);

static StripFn pick(void) {
#if defined(__x86_64__) || defined(__i386__)
    static StripFn fn;
    if (!fn) {
        __builtin_cpu_init();
        fn = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? strip_avx2 : strip_generic;
    }
    return fn;
#else
    return strip_generic;
#endif
}

void wnn_sgemm_serial(size_t M, size_t N, size_t K, const float* A, size_t lda, const float* B, size_t ldb, float* C,
                      size_t ldc) {
    StripFn fn = pick();
    if (K == 0) {
        for (size_t i = 0; i < M; i++) memset(C + i * ldc, 0, N * sizeof(float));
        return;
    }
    for (size_t p = 0; p < K; p += KC) {
        size_t kc = K - p < KC ? K - p : KC;
        fn(M, N, kc, A + p, lda, B + p * ldb, ldb, C, ldc, p > 0);
    }
}

typedef struct Job {
    size_t M, N, K, lda, ldb, ldc;
    const float *A, *B;
    float* C;
} Job;

static void run_strips(void* p, size_t begin, size_t end) {
    const Job* j = p;
    for (size_t s = begin; s < end; s++) {
        size_t i = s * MC, rows = j->M - i < MC ? j->M - i : MC;
        wnn_sgemm_serial(rows, j->N, j->K, j->A + i * j->lda, j->lda, j->B, j->ldb, j->C + i * j->ldc, j->ldc);
    }
}

void wnn_sgemm(size_t M, size_t N, size_t K, const float* A, size_t lda, const float* B, size_t ldb, float* C,
               size_t ldc, WnnThreadPool* pool) {
    Job j = {M, N, K, lda, ldb, ldc, A, B, C};
    wnn_parallel_for(pool, (M + MC - 1) / MC, 1, run_strips, &j);
}
