/* sgemm_gemv.c: the packed GEMM (sgemm_packed.h) where A is one row per batch (M = 1: a classifier
 * on one image). There the product is a stream of B from memory, and the tiled kernels stream it
 * slowly: a 6-row kernel spends 6 cycles of FMAs on each 64-byte row of one panel, a single stream
 * that the prefetchers do not run far enough ahead of (1 x 1280 x 1000, B cold: 0.67 ms on one Zen 3
 * core, 7.7 GB/s, where a plain read of the same bytes ran at 13.8). Here the row meets GROUP
 * panels at once (GROUP streams, two accumulators each), every stream prefetched AHEAD rows ahead,
 * over the whole of K (the sums stay in registers from one K slice to the next). Items for the
 * pool: (batch, group of panels). */
#include "backends/cpu/sgemm_micro.h"
#include "backends/cpu/simd_level.h"

#define KC WNN_SGEMM_KC
#define NR WNN_SGEMM_NR
#define GROUP 4 /* panels at once: 8 accumulators of 8 floats */
#define AHEAD 16 /* B rows (64-byte lines) each stream is prefetched ahead */

typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4)));
#define load8(p) (*(const v8u*)(p))
#define splat(v) ((v8){v, v, v, v, v, v, v, v})

/* out[0 .. np * NR) = a (element k at a[k * ks]) times panels [p0, p0 + np) of B (np <= GROUP;
 * a missing panel repeats the first one's reads, which the cache serves, and is not stored). */
#define DEFINE_GEMV(NAME, ATTR)                                                                    \
    ATTR static void NAME(const float* a, size_t ks, const float* B, size_t K, size_t npad, size_t p0, \
                          size_t np, float* out) {                                                 \
        v8 acc[GROUP][2];                                                                          \
        for (int q = 0; q < GROUP; q++) acc[q][0] = acc[q][1] = splat(0.0f);                       \
        for (size_t pc = 0; pc < K; pc += KC) {                                                    \
            size_t kc = K - pc < KC ? K - pc : KC;                                                 \
            const float* b[GROUP];                                                                 \
            for (int q = 0; q < GROUP; q++) b[q] = B + pc * npad + (p0 + ((size_t)q < np ? (size_t)q : 0)) * NR * kc; \
            const float* x = a + pc * ks;                                                          \
            for (size_t p = 0; p < kc; p++) {                                                      \
                v8 s = splat(x[p * ks]);                                                           \
                _Pragma("GCC unroll 4") for (int q = 0; q < GROUP; q++) {                          \
                    const float* r = b[q] + p * NR;                                                \
                    __builtin_prefetch(r + AHEAD * NR);                                            \
                    acc[q][0] += s * load8(r);                                                     \
                    acc[q][1] += s * load8(r + 8);                                                 \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        for (size_t q = 0; q < np; q++) *(v8u*)(out + q * NR) = acc[q][0], *(v8u*)(out + q * NR + 8) = acc[q][1]; \
    }

DEFINE_GEMV(gemv_generic, )
#if defined(__x86_64__) || defined(__i386__)
DEFINE_GEMV(gemv_avx2, __attribute__((target("avx2,fma"))))
#endif

typedef void (*GemvFn)(const float*, size_t, const float*, size_t, size_t, size_t, size_t, float*);

typedef struct Job {
    const WnnSgemm* g;
    size_t npan, groups, npad;
    GemvFn fn;
} Job;

static void run_groups(void* ctx, size_t begin, size_t end) {
    const Job* J = ctx;
    const WnnSgemm* g = J->g;
    const WnnSgemmEpilogue* e = g->e;
    size_t ks = g->aTransposed ? g->lda : 1;
    float out[GROUP * NR];
    for (size_t i = begin; i < end; i++) {
        size_t q = i / J->groups, p0 = i % J->groups * GROUP, np = J->npan - p0 < GROUP ? J->npan - p0 : GROUP;
        size_t col = p0 * NR, width = g->N - col < np * NR ? g->N - col : np * NR;
        float* c = g->C + q * g->strideC + col;
        const float* res = e && e->residual ? e->residual + q * g->strideC + col : NULL;
        J->fn(g->A + q * g->strideA, ks, g->packedB + q * g->strideB, g->K, J->npad, p0, np, out);
        wnn_sgemm_store_tile(out, 0, c, g->ldc, 1, width, 0, e, col, res);
        if (e && e->act) e->act->fn(&e->actParams, c, c, NULL, width);
    }
}

void wnn_sgemm_packed_gemv(const WnnSgemm* g, WnnThreadPool* pool) {
    size_t npan = (g->N + NR - 1) / NR;
    Job J = {g, npan, (npan + GROUP - 1) / GROUP, npan * NR, gemv_generic};
#if defined(__x86_64__) || defined(__i386__)
    if (wnn_cpu_simd_level() >= WNN_SIMD_AVX2) J.fn = gemv_avx2;
#endif
    wnn_parallel_for(pool, g->batches * J.groups, 1, run_groups, &J);
}
