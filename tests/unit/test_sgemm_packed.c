/* test_sgemm_packed.c: the packed float32 GEMM (sgemm_packed.h) against float64: shapes around
 * its tiles (6 x 16 on AVX2; 12 x 32, 12 x 16 and 12 x 8 on AVX-512), its K slice of 256 and its A
 * chunks of up to 192 rows (partial tiles, several slices and chunks), a transposed A and a
 * transposed B, batches with A or B repeated (stride 0), every part of the epilogue (scale, bias,
 * a residual, clamp, an activation function, a zero K), on pools of 1, 2 and 3 threads. It runs on the best
 * micro-kernel this CPU has; ctest runs it again with WNN_CPU_SIMD=avx2 and WNN_CPU_SIMD=0 (the
 * portable one). */
#include <math.h>
#include <stdlib.h>

#include "backends/cpu/sgemm_packed.h"
#include "wt.h"

static uint64_t g_seed = 7;

typedef struct Case {
    size_t batches, M, N, K;
    int aT, bT, repeatA, repeatB;
    int epilogue; /* 0 none, 1 scale + bias, 2 + clamp, 3 + gelu, 4 + residual + clamp */
} Case;

static double act(int epilogue, double v) {
    if (epilogue == 2 || epilogue == 4) return v < -0.5 ? -0.5 : v > 0.75 ? 0.75 : v;
    if (epilogue == 3) return 0.5 * v * (1 + erf(v / sqrt(2.0)));
    return v;
}

static void run_case(const Case* c, WnnThreadPool* pool) {
    size_t bA = c->repeatA ? 1 : c->batches, bB = c->repeatB ? 1 : c->batches;
    size_t nA = bA * c->M * c->K, nB = bB * c->K * c->N, nC = c->batches * c->M * c->N;
    float *A = malloc(sizeof(float) * (nA + 1)), *B = malloc(sizeof(float) * (nB + 1)), *C = malloc(sizeof(float) * nC);
    float* bias = malloc(sizeof(float) * c->N);
    for (size_t i = 0; i < nA; i++) A[i] = (float)wt_rand(&g_seed, -1, 1);
    for (size_t i = 0; i < nB; i++) B[i] = (float)wt_rand(&g_seed, -1, 1);
    float* res = malloc(sizeof(float) * (nC + 1));
    for (size_t i = 0; i < c->N; i++) bias[i] = (float)wt_rand(&g_seed, -1, 1);
    for (size_t i = 0; i < nC; i++) res[i] = (float)wt_rand(&g_seed, -1, 1);
    for (size_t i = 0; i < nC; i++) C[i] = NAN; /* every element must be written */
    size_t psize = wnn_sgemm_packed_size(c->K, c->N);
    float* packed = malloc(sizeof(float) * (psize * bB + 1));
    wnn_sgemm_pack_b(bB, c->K, c->N, B, c->bT ? c->K : c->N, c->K * c->N, c->bT, packed, pool);
    WnnSgemmEpilogue e = {.scale = 1.0f};
    if (c->epilogue >= 1) e.scale = 0.5f, e.bias = bias;
    if (c->epilogue == 2 || c->epilogue == 4) e.clamp = 1, e.lo = -0.5f, e.hi = 0.75f;
    if (c->epilogue == 4) e.residual = res;
    if (c->epilogue == 3) e.act = wnn_elt_float_op(WNN_OP_gelu);
    WnnSgemm g = {c->batches, c->M, c->N, c->K, A, c->aT ? c->M : c->K, c->repeatA ? 0 : c->M * c->K, c->aT,
                  packed, c->repeatB ? 0 : psize, C, c->N, c->M * c->N, c->epilogue ? &e : NULL};
    wnn_sgemm_packed(&g, pool);
    size_t bad = 0;
    for (size_t q = 0; q < c->batches; q++) {
        const float *a = A + (c->repeatA ? 0 : q * c->M * c->K), *b = B + (c->repeatB ? 0 : q * c->K * c->N);
        for (size_t i = 0; i < c->M; i++)
            for (size_t j = 0; j < c->N; j++) {
                double s = 0;
                for (size_t k = 0; k < c->K; k++)
                    s += (double)(c->aT ? a[k * c->M + i] : a[i * c->K + k]) * (c->bT ? b[j * c->K + k] : b[k * c->N + j]);
                if (c->epilogue) s = act(c->epilogue, 0.5 * s + bias[j] + (c->epilogue == 4 ? res[(q * c->M + i) * c->N + j] : 0));
                double got = C[(q * c->M + i) * c->N + j];
                if (!(fabs(got - s) <= 1e-5 * (1 + fabs(s)) * (1 + sqrt((double)c->K) / 8))) {
                    if (bad++ < 3)
                        fprintf(stderr, "batches %zu M %zu N %zu K %zu aT %d bT %d epilogue %d: [%zu,%zu,%zu] got %.7g want %.7g\n",
                                c->batches, c->M, c->N, c->K, c->aT, c->bT, c->epilogue, q, i, j, got, s);
                }
            }
    }
    wt_checks++;
    if (bad) wt_failures++;
    free(A), free(B), free(C), free(bias), free(res), free(packed);
}

int main(void) {
    const size_t shapes[][3] = {{1, 1, 1},     {5, 17, 3},   {6, 16, 256}, {7, 33, 257}, {12, 32, 512},
                                {130, 50, 600}, {13, 1000, 40}, {241, 19, 9}, {64, 64, 1},   {3, 5, 0},
                                {24, 64, 256},  {25, 47, 300},  {11, 31, 5},  {36, 96, 513},
                                {20, 40, 70},   {33, 48, 129},  {14, 16, 31}, {15, 100, 100},
                                {24, 36, 600},  {12, 8, 300}};
    printf("micro-kernel: %s\n", wnn_sgemm_packed_isa());
    WnnThreadPool* pools[3] = {NULL, wnn_threadpool_create(2), wnn_threadpool_create(3)};
    for (int p = 0; p < 3; p++)
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
            for (int v = 0; v < 4; v++) {
                Case c = {1, shapes[s][0], shapes[s][1], shapes[s][2], v & 1, v >> 1, 0, 0, (int)(s + v) % 5};
                run_case(&c, pools[p]);
            }
    for (int p = 0; p < 3; p++) /* batches, with a or b repeated */
        for (int r = 0; r < 4; r++) {
            Case c = {3, 14, 21, 300, r == 3, 0, r & 1, r >> 1 & 1, r};
            run_case(&c, pools[p]);
            c.epilogue = 4; /* the residual per batch */
            run_case(&c, pools[p]);
        }
    /* one row per batch (sgemm_gemv.c): panel groups of 4 and a partial last one, K across slices,
     * A transposed (strided), batches with A or B repeated, every epilogue */
    static const size_t rowShapes[][2] = {{1000, 1280}, {17, 5}, {64, 256}, {65, 257}, {130, 600}, {3, 1}};
    for (int p = 0; p < 3; p++)
        for (size_t s = 0; s < sizeof rowShapes / sizeof *rowShapes; s++)
            for (int v = 0; v < 5; v++) {
                Case c = {v < 2 ? 1 : 3, 1, rowShapes[s][0], rowShapes[s][1], v & 1, (int)s & 1, v == 3, v == 4, (int)(s + v) % 5};
                run_case(&c, pools[p]);
            }
    for (int e = 0; e < 5; e++) { /* a zero K: the epilogue of zeros */
        Case c = {2, 9, 18, 0, 0, 0, 0, 0, e};
        run_case(&c, pools[1]);
    }
    wnn_threadpool_destroy(pools[1]);
    wnn_threadpool_destroy(pools[2]);
    return wt_summary("test_sgemm_packed");
}
