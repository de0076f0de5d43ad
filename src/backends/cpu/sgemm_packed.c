/* sgemm_packed.c: the packed float32 GEMM (sgemm_packed.h).
 *
 * Layout. B is cut into K slices of KC rows; slice s starts at s * KC * Npad floats and holds its
 * Npad / 16 panels one after the other, each kc x 16 floats row by row (columns past N are zero).
 * A is packed per call, per slice, into panels of the kernel's MR rows: element (r, p) of a panel
 * at p * MR + r.
 *
 * Micro-kernels (sgemm_micro.h): AVX-512's 12 x 32 in sgemm_avx512.c; here AVX2's and the
 * portable one, from one definition. 6 rows x 16 columns of C live in twelve 8-wide registers
 * while a slice streams by: per k, two loads of B, six broadcasts of A and twelve FMAs. On 2 AVX2
 * FMA pipes that is 12 cycles of FMAs against 8 loads, so the loads never limit it; the kc x 16 B
 * panel (16 KiB at KC = 256) stays in L1 while every 6-row panel of the A block (up to MC rows,
 * 192 KiB, in L2) passes it. This file is built with -ffp-contract=fast so that c += a * b is one FMA.
 *
 * Threads. The output is cut into mb x nb blocks, picked to re-read as little as possible: every
 * row block reads all of B's columns it covers and every column block packs A again. */
#include "backends/cpu/sgemm_packed.h"
#include "backends/cpu/simd_level.h"

#include "backends/cpu/sgemm_micro.h"

#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#define MR 6
#define NR WNN_SGEMM_NR
#define KC WNN_SGEMM_KC
#define MC 192 /* at most this many rows of A packed at once (192 KiB at KC = 256, in L2) */

typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4)));
#define load8(p) (*(const v8u*)(p))
typedef int v8i __attribute__((vector_size(32)));
#define pick(mask, x, y) ((v8)(((v8i)(x) & (mask)) | ((v8i)(y) & ~(mask)))) /* mask ? x : y */
#define splat(v) ((v8){v, v, v, v, v, v, v, v}) /* not 0 + v: that is an add (-0.0 + v) */

size_t wnn_sgemm_packed_size(size_t K, size_t N) { return K * ((N + NR - 1) / NR * NR); }

#define GROUP 64 /* panels packed together: 1024 columns of a row of B read in one run */

/* Rows [pc, pc + kc) (one K slice) of panels [g0, g1) of one B, row by row across the group, so
 * that a row-major B is read in runs of up to 4 KiB. Panel by panel (64 bytes a row, rows 4 KiB
 * apart) one thread packed 1024^2 in 0.75-1.16 ms; in groups of 8 panels 0.87, of 64 0.47-0.49. */
static void pack_group(size_t N, const float* B, size_t ldb, int transposed, size_t pc, size_t kc, size_t g0,
                       size_t g1, float* slice) {
    for (size_t p = 0; p < kc; p++) {
        size_t k = pc + p;
        for (size_t g = g0; g < g1; g++) {
            size_t j0 = g * NR, width = N - j0 < NR ? N - j0 : NR;
            float* row = slice + j0 * kc + p * NR;
            if (!transposed && width == NR) {
                memcpy(row, B + k * ldb + j0, NR * sizeof(float));
                continue;
            }
            for (size_t j = 0; j < NR; j++)
                row[j] = j >= width ? 0.0f : transposed ? B[(j0 + j) * ldb + k] : B[k * ldb + j0 + j];
        }
    }
}

typedef struct PackJob {
    size_t K, N, ldb, strideB, npan, groups, slices;
    int transposed;
    const float* B;
    float* packed;
} PackJob;

/* Items: (batch, K slice, group of panels). */
static void pack_groups(void* ctx, size_t begin, size_t end) {
    const PackJob* j = ctx;
    size_t npad = j->npan * NR;
    for (size_t i = begin; i < end; i++) {
        size_t g = i % j->groups, s = i / j->groups % j->slices, b = i / j->groups / j->slices;
        size_t pc = s * KC, kc = j->K - pc < KC ? j->K - pc : KC, g1 = (g + 1) * GROUP < j->npan ? (g + 1) * GROUP : j->npan;
        pack_group(j->N, j->B + b * j->strideB, j->ldb, j->transposed, pc, kc, g * GROUP, g1,
                   j->packed + b * wnn_sgemm_packed_size(j->K, j->N) + pc * npad);
    }
}

void wnn_sgemm_pack_b(size_t batches, size_t K, size_t N, const float* B, size_t ldb, size_t strideB, int transposed,
                      float* packed, WnnThreadPool* pool) {
    size_t npan = (N + NR - 1) / NR, groups = (npan + GROUP - 1) / GROUP, slices = (K + KC - 1) / KC;
    PackJob j = {K, N, ldb, strideB, npan, groups, slices, transposed, B, packed};
    wnn_parallel_for(pool, batches * slices * groups, 1 + 16384 / (KC * NR * GROUP), pack_groups, &j);
}

#if defined(__x86_64__) || defined(__i386__)
/* Six unit-stride rows, 8 columns at a time, into a 6-row panel (column p's six floats at 6 * p):
 * each 8 x 6 block as one 4 x 4 transpose per 128-bit half for rows 0-3 and interleaved pairs for
 * rows 4-5, stored 16 + 8 bytes a column. Returns the columns done (a multiple of 8). */
__attribute__((target("avx2"))) static size_t pack6_avx2(const float* const* rows, size_t kc, float* panel) {
    size_t p = 0;
    for (; p + 8 <= kc; p += 8, panel += 48) {
        __m256 t0 = _mm256_unpacklo_ps(_mm256_loadu_ps(rows[0] + p), _mm256_loadu_ps(rows[1] + p));
        __m256 t1 = _mm256_unpackhi_ps(_mm256_loadu_ps(rows[0] + p), _mm256_loadu_ps(rows[1] + p));
        __m256 t2 = _mm256_unpacklo_ps(_mm256_loadu_ps(rows[2] + p), _mm256_loadu_ps(rows[3] + p));
        __m256 t3 = _mm256_unpackhi_ps(_mm256_loadu_ps(rows[2] + p), _mm256_loadu_ps(rows[3] + p));
        __m256 u0 = _mm256_unpacklo_ps(_mm256_loadu_ps(rows[4] + p), _mm256_loadu_ps(rows[5] + p));
        __m256 u1 = _mm256_unpackhi_ps(_mm256_loadu_ps(rows[4] + p), _mm256_loadu_ps(rows[5] + p));
        /* q[c]'s half h: rows 0-3 of column 4h + c; u0's half h: rows 4-5 of columns 4h, 4h + 1 */
        __m256 q[4] = {_mm256_shuffle_ps(t0, t2, 0x44), _mm256_shuffle_ps(t0, t2, 0xEE),
                       _mm256_shuffle_ps(t1, t3, 0x44), _mm256_shuffle_ps(t1, t3, 0xEE)};
        for (int h = 0; h < 2; h++) {
            float* o = panel + 24 * h;
            __m128 v0 = h ? _mm256_extractf128_ps(u0, 1) : _mm256_castps256_ps128(u0);
            __m128 v1 = h ? _mm256_extractf128_ps(u1, 1) : _mm256_castps256_ps128(u1);
            for (int c = 0; c < 4; c++)
                _mm_storeu_ps(o + 6 * c, h ? _mm256_extractf128_ps(q[c], 1) : _mm256_castps256_ps128(q[c]));
            _mm_storel_pi((__m64*)(o + 4), v0), _mm_storeh_pi((__m64*)(o + 10), v0);
            _mm_storel_pi((__m64*)(o + 16), v1), _mm_storeh_pi((__m64*)(o + 22), v1);
        }
    }
    return p;
}
#endif

/* Rows [i0, i0 + mc) and columns [pc, pc + kc) of A (element (i, k) at A[i * rs + k * ks]) into
 * panels of mr rows; rows past M are zero. A panel is written in order, k by k across its rows:
 * AVX2 does six unit-stride rows in 8 x 6 blocks (one element at a time, the packing took 7-9% of a
 * 1024^3 product on Zen 3). */
static void pack_a(const float* A, size_t rs, size_t ks, size_t M, size_t i0, size_t mc, size_t pc, size_t kc,
                   size_t mr, float* ap) {
    static const float zeros[1] = {0.0f};
    for (size_t r0 = 0; r0 < mc; r0 += mr) {
        float* panel = ap + r0 * kc;
        const float* rows[16]; /* mr <= 16; a missing row reads zeros with step 0 */
        size_t step[16];
        for (size_t r = 0; r < mr; r++) {
            size_t i = i0 + r0 + r;
            int live = i < M && r0 + r < mc;
            rows[r] = live ? A + i * rs + pc * ks : zeros;
            step[r] = live ? ks : 0;
        }
        size_t p = 0;
#if defined(__x86_64__) || defined(__i386__)
        if (mr == MR && ks == 1 && step[MR - 1] == 1 && wnn_cpu_simd_level() >= WNN_SIMD_AVX2)
            p = pack6_avx2(rows, kc, panel), panel += p * MR;
#endif
        for (; p < kc; p++, panel += mr)
            for (size_t r = 0; r < mr; r++) panel[r] = rows[r][p * step[r]];
    }
}

/* C's mr x nr corner (+)= t; after the last slice (e != NULL) scaled, biased and clamped. */
void wnn_sgemm_store_tile(const float* t, size_t tn, float* c, size_t ldc, size_t mr, size_t nr, int acc,
                          const WnnSgemmEpilogue* e, size_t col, const float* res) {
    for (size_t r = 0; r < mr; r++) {
        float* cr = c + r * ldc;
        const float* tr = t + r * tn;
        for (size_t j = 0; j < nr; j++) {
            float v = tr[j] + (acc ? cr[j] : 0.0f);
            if (e) {
                v = v * e->scale + (e->bias ? e->bias[col + j] : 0.0f) + (res ? res[r * ldc + j] : 0.0f);
                if (e->clamp) v = v < e->lo ? e->lo : v > e->hi ? e->hi : v;
            }
            cr[j] = v;
        }
    }
}

/* One row of a full tile in registers: (+ C), then the epilogue, stored. */
#define ROW_OUT(r, v0, v1)                                                                         \
    do {                                                                                           \
        float* cr = c + (r) * ldc;                                                                 \
        if (acc) v0 += load8(cr), v1 += load8(cr + 8);                                             \
        if (e) {                                                                                   \
            v0 = v0 * sc + b0, v1 = v1 * sc + b1;                                                  \
            if (res) v0 += load8(res + (r) * ldc), v1 += load8(res + (r) * ldc + 8);              \
            if (e->clamp) {                                                                        \
                v0 = pick(v0 < lo, lo, v0), v1 = pick(v1 < lo, lo, v1);                            \
                v0 = pick(v0 > hi, hi, v0), v1 = pick(v1 > hi, hi, v1); /* NaN stays */            \
            }                                                                                      \
        }                                                                                          \
        *(v8u*)cr = v0, *(v8u*)(cr + 8) = v1;                                                      \
    } while (0)

/* C's mr x nr corner at c (+)= a (6-row panel) * b (16-column panel) over k, then the epilogue
 * when e != NULL (the last slice; col: c's first column; res: the residual's matching corner or
 * NULL). A full tile goes straight from the registers, a partial one through t and
 * wnn_sgemm_store_tile. */
#define DEFINE_KERNEL(NAME, ATTR)                                                                  \
    ATTR static void NAME(size_t k, const float* a, const float* b, float* c, size_t ldc, size_t mr, \
                          size_t nr, int acc, const WnnSgemmEpilogue* e, size_t col,               \
                          const float* res) {                                                      \
        v8 c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0};                       \
        v8 c30 = {0}, c31 = {0}, c40 = {0}, c41 = {0}, c50 = {0}, c51 = {0};                       \
        _Pragma("GCC unroll 4") for (size_t p = 0; p < k; p++) {                                   \
            v8 b0 = load8(b), b1 = load8(b + 8), x;                                                \
            x = splat(a[0]); c00 += x * b0; c01 += x * b1;                                         \
            x = splat(a[1]); c10 += x * b0; c11 += x * b1;                                         \
            x = splat(a[2]); c20 += x * b0; c21 += x * b1;                                         \
            x = splat(a[3]); c30 += x * b0; c31 += x * b1;                                         \
            x = splat(a[4]); c40 += x * b0; c41 += x * b1;                                         \
            x = splat(a[5]); c50 += x * b0; c51 += x * b1;                                         \
            a += MR;                                                                               \
            b += NR;                                                                               \
        }                                                                                          \
        if (mr == MR && nr == NR) {                                                                \
            v8 b0 = {0}, b1 = {0}, sc = splat(1.0f), lo = sc, hi = sc;                             \
            if (e) {                                                                               \
                sc = splat(e->scale), lo = splat(e->lo), hi = splat(e->hi);                        \
                if (e->bias) b0 = load8(e->bias + col), b1 = load8(e->bias + col + 8);             \
            }                                                                                      \
            ROW_OUT(0, c00, c01); ROW_OUT(1, c10, c11); ROW_OUT(2, c20, c21);                      \
            ROW_OUT(3, c30, c31); ROW_OUT(4, c40, c41); ROW_OUT(5, c50, c51);                      \
            return;                                                                                \
        }                                                                                          \
        float t[MR * NR] __attribute__((aligned(32)));                                             \
        v8u* o = (v8u*)t;                                                                          \
        o[0] = c00, o[1] = c01, o[2] = c10, o[3] = c11, o[4] = c20, o[5] = c21;                    \
        o[6] = c30, o[7] = c31, o[8] = c40, o[9] = c41, o[10] = c50, o[11] = c51;                  \
        wnn_sgemm_store_tile(t, NR, c, ldc, mr, nr, acc, e, col, res);                             \
    }

DEFINE_KERNEL(kernel_generic, )
#if defined(__x86_64__) || defined(__i386__)
DEFINE_KERNEL(kernel_avx2, __attribute__((target("avx2,fma"))))
#endif

/* The micro-kernel this CPU runs (read once): AVX-512 where the CPU has it, else AVX2 + FMA, else
 * portable C. WNN_CPU_SIMD=avx2 stops at AVX2 and WNN_CPU_SIMD=0 takes the portable one (tests). */
static const WnnSgemmMicro* micro(void) {
    static const WnnSgemmMicro portable = {"portable", MR, NR, kernel_generic, kernel_generic};
    static const WnnSgemmMicro* chosen;
    const WnnSgemmMicro* u = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
    if (u) return u;
    u = &portable;
#if defined(__x86_64__) || defined(__i386__)
    static const WnnSgemmMicro avx2 = {"avx2", MR, NR, kernel_avx2, kernel_avx2};
    WnnSimdLevel level = wnn_cpu_simd_level();
    if (level >= WNN_SIMD_AVX2) u = &avx2;
    if (level >= WNN_SIMD_AVX512 && wnn_sgemm_micro_avx512()) u = wnn_sgemm_micro_avx512();
#endif
    __atomic_store_n(&chosen, u, __ATOMIC_RELEASE);
    return u;
}

const char* wnn_sgemm_packed_isa(void) { return micro()->isa; }

typedef struct Job {
    size_t M, N, K, rs, ks, ldc, npad, mpan, npan, mb, nb;
    const float *A, *B; /* this batch's */
    float* C;
    const float* R; /* this batch's residual (the epilogue's), or NULL */
    const WnnSgemmMicro* u;
    const WnnSgemm* g; /* strides, epilogue */
} Job;

/* e's activation (other than clamp) over rows [0, rows) of C, columns [0, width). */
static void activate_rows(const WnnSgemmEpilogue* e, float* C, size_t ldc, size_t rows, size_t width) {
    if (!e || !e->act) return;
    for (size_t i = 0; i < rows; i++) e->act->fn(&e->actParams, C + i * ldc, C + i * ldc, NULL, width);
}

/* The B panels run_block's step after (slice pc of kc rows, columns [j, j + step)) reads, as their
 * first byte and *lines, their 64-byte lines (a row of a 16-column panel is one): the next columns
 * of this slice, else its first ones again for the next chunk of rows (moreRows), else the next
 * slice's first ones; *lines = 0 after the block's last step. They are pulled into L2 a share per
 * kernel call: a constant weight comes from memory, and the first A panel to meet it would stream
 * it at the kernel's pace (64 bytes a k, ~6 cycles), which memory cannot feed. */
static const char* next_panels(const Job* J, size_t pc, size_t kc, int moreRows, size_t j, size_t j0, size_t j1,
                               size_t step, size_t* lines) {
    size_t col = j0;
    if (j + step < j1) col = j + step;
    else if (!moreRows) {
        pc += kc;
        if (pc >= J->K) return *lines = 0, NULL;
        kc = J->K - pc < KC ? J->K - pc : KC;
    }
    size_t width = j1 - col < step ? j1 - col : step;
    *lines = kc * ((width + NR - 1) / NR);
    return (const char*)(J->B + pc * J->npad + col * kc);
}

/* One output block: rows [i0, i1), columns [j0, j1); ap holds cap rows of packed A. */
static void run_block(const Job* J, size_t i0, size_t i1, size_t j0, size_t j1, float* ap, size_t cap) {
    const WnnSgemmMicro* u = J->u;
    /* the rows in equal chunks of whole panels: 128 rows in 120 + 8 streamed B's slice twice, the
     * second time for 8 rows */
    size_t chunks = (i1 - i0 + cap - 1) / cap, even = ((i1 - i0 + chunks - 1) / chunks + u->mr - 1) / u->mr * u->mr;
    if (even < cap) cap = even;
    for (size_t pc = 0; pc < J->K; pc += KC) {
        size_t kc = J->K - pc < KC ? J->K - pc : KC;
        int last = pc + kc >= J->K;
        const float* slice = J->B + pc * J->npad;
        for (size_t ib = i0; ib < i1; ib += cap) {
            size_t mc = i1 - ib < cap ? i1 - ib : cap;
            pack_a(J->A, J->rs, J->ks, J->M, ib, mc, pc, kc, u->mr, ap);
            for (size_t j = j0; j < j1; j += u->nr) {
                const float* panel = slice + j * kc;
                size_t nr = j1 - j < u->nr ? j1 - j : u->nr;
                WnnSgemmKernel kernel = nr > NR ? u->wide : u->narrow;
                size_t lines, calls = (mc + u->mr - 1) / u->mr;
                const char* next = next_panels(J, pc, kc, ib + cap < i1, j, j0, j1, u->nr, &lines);
                size_t per = (lines + calls - 1) / calls;
                for (size_t r = 0; r < mc; r += u->mr) {
                    for (size_t q = 0; q < per && lines; q++, lines--, next += 64) __builtin_prefetch(next, 0, 2);
                    float* c = J->C + (ib + r) * J->ldc + j;
                    size_t mr = mc - r < u->mr ? mc - r : u->mr;
                    /* C's tile is read (or written) only after the kernel's ~3000 cycles: fetch it
                     * meanwhile (left to the cache's own prefetcher, 1024^3 ran 20% slower) */
                    for (size_t q = 0; q < mr; q++) __builtin_prefetch(c + q * J->ldc, 1), __builtin_prefetch(c + q * J->ldc + nr - 1, 1);
                    const float* res = last && J->R ? J->R + (ib + r) * J->ldc + j : NULL;
                    kernel(kc, ap + r * kc, panel, c, J->ldc, mr, nr, pc > 0, last ? J->g->e : NULL, j, res);
                }
            }
        }
    }
    activate_rows(J->g->e, J->C + i0 * J->ldc + j0, J->ldc, i1 - i0, j1 - j0);
}

static void run_blocks(void* ctx, size_t begin, size_t end) {
    const Job* J0 = ctx;
    float small[16 * KC]; /* when the MC-row buffer cannot be had: one panel (mr <= 16) at a time */
    size_t mr = J0->u->mr, block = MC / mr * mr;
    size_t rows = J0->mpan * mr < block ? J0->mpan * mr : block, depth = J0->K < KC ? J0->K : KC;
    float* ap = malloc(sizeof(float) * rows * depth);
    size_t cap = ap ? rows : mr, blocks = J0->mb * J0->nb;
    for (size_t b = begin; b < end; b++) {
        Job batch = *J0, *J = &batch;
        size_t q = b / blocks;
        J->A += q * J0->g->strideA, J->B += q * J0->g->strideB, J->C += q * J0->g->strideC;
        if (J->R) J->R += q * J0->g->strideC;
        size_t bi = b % blocks / J->nb, bj = b % J->nb;
        size_t i0 = J->mpan * bi / J->mb * mr, i1 = J->mpan * (bi + 1) / J->mb * mr;
        size_t j0 = J->npan * bj / J->nb * J->u->nr, j1 = J->npan * (bj + 1) / J->nb * J->u->nr;
        if (i1 > J->M) i1 = J->M;
        if (j1 > J->N) j1 = J->N;
        if (i0 < i1 && j0 < j1) run_block(J, i0, i1, j0, j1, ap ? ap : small, cap);
    }
    free(ap);
}

/* mb x nb blocks, at least `want` where the panels allow, with the least re-reading: B's K x N
 * once per row block, A's M x K packed once per column block (counted twice: read and written). */
static void split(size_t M, size_t N, size_t mpan, size_t npan, size_t want, size_t* mb, size_t* nb) {
    double best = -1;
    *mb = *nb = 1;
    for (size_t m = 1; m <= mpan && m <= want; m++) {
        size_t n = (want + m - 1) / m;
        if (n > npan) n = npan;
        if (m * n < want && m < mpan && m * n < mpan * npan) continue;
        double cost = (double)m * (double)N + 2.0 * (double)n * (double)M;
        if (best < 0 || cost < best) best = cost, *mb = m, *nb = n;
    }
}

void wnn_sgemm_packed(const WnnSgemm* g, WnnThreadPool* pool) {
    size_t M = g->M, N = g->N, K = g->K;
    if (M == 0 || N == 0 || g->batches == 0) return;
    const WnnSgemmMicro* u = micro();
    /* mpan and npan count the kernel's row panels and column steps (one or two B panels) */
    Job J = {M, N, K, g->aTransposed ? 1 : g->lda, g->aTransposed ? g->lda : 1, g->ldc, (N + NR - 1) / NR * NR,
             (M + u->mr - 1) / u->mr, (N + u->nr - 1) / u->nr, 1, 1, g->A, g->packedB, g->C,
             g->e ? g->e->residual : NULL, u, g};
    if (K == 0) { /* the epilogue of a zero product */
        float t[NR] = {0};
        for (size_t q = 0; q < g->batches; q++) {
            float* C = g->C + q * g->strideC;
            const float* R = g->e && g->e->residual ? g->e->residual + q * g->strideC : NULL;
            for (size_t i = 0; i < M; i++)
                for (size_t j = 0; j < N; j += NR)
                    wnn_sgemm_store_tile(t, 0, C + i * g->ldc + j, g->ldc, 1, N - j < NR ? N - j : NR, 0, g->e, j,
                                         R ? R + i * g->ldc + j : NULL);
            activate_rows(g->e, C, g->ldc, M, N);
        }
        return;
    }
    if (M == 1) { /* one row: bound by streaming B, which the tiled kernels do at half the pace */
        wnn_sgemm_packed_gemv(g, pool);
        return;
    }
    size_t threads = wnn_threadpool_size(pool), want = threads > 1 ? 4 * threads : 1;
    want = (want + g->batches - 1) / g->batches;
    split(M, N, J.mpan, J.npan, want, &J.mb, &J.nb);
    wnn_parallel_for(pool, g->batches * J.mb * J.nb, 1, run_blocks, &J);
}
