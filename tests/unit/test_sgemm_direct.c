/* test_sgemm_direct.c: the fused block's in-place-A GEMM (sgemm_direct.h) against float64: every
 * M from 1 to 40 (its full tiles of 12, 8 and 6 rows and its tail tiles of 4, 2 and 1), N across
 * one to four vectors and past 64 (masked last vectors), K from 1 to 600, strided A and C, with
 * and without bias, residual and clamp; and rows of A in segments (wnn_sgemm_direct_segments: a
 * stem's windows read in place, rows overlapping). On the CPU's kernel (AVX-512 or AVX2; CMake also
 * runs it with WNN_CPU_SIMD=avx2); skipped (and said so) where there is none. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/sgemm_direct.h"
#include "wt.h"

static uint64_t g_seed = 5;

static void run_case(size_t M, size_t N, size_t K, int epi) {
    size_t ldb = (N + 15) / 16 * 16, lda = K + 3, ldc = N + 5;
    float* A = malloc(sizeof(float) * (M * lda + 1));
    float* B = calloc(K * ldb + 1, sizeof(float));
    float* bias = calloc(ldb, sizeof(float));
    float* R = malloc(sizeof(float) * (M * ldc + 1));
    float* C = malloc(sizeof(float) * (M * ldc + 1));
    for (size_t i = 0; i < M * lda; i++) A[i] = (float)wt_rand(&g_seed, -1, 1);
    for (size_t k = 0; k < K; k++)
        for (size_t j = 0; j < N; j++) B[k * ldb + j] = (float)wt_rand(&g_seed, -1, 1);
    for (size_t j = 0; j < N; j++) bias[j] = (float)wt_rand(&g_seed, -1, 1);
    for (size_t i = 0; i < M * ldc; i++) R[i] = (float)wt_rand(&g_seed, -2, 2), C[i] = 1234.5f;
    WnnSgemmEpilogue e = {.scale = 1.0f, .bias = epi & 1 ? bias : NULL, .residual = epi & 2 ? R : NULL,
                          .clamp = epi >> 2 & 1, .lo = -0.5f, .hi = 1.5f};
    wnn_sgemm_direct(M, N, K, A, lda, B, ldb, C, ldc, &e);
    size_t bad = 0;
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < ldc; j++) {
            double want = 1234.5; /* past N: untouched */
            if (j < N) {
                want = epi & 1 ? bias[j] : 0;
                for (size_t k = 0; k < K; k++) want += (double)A[i * lda + k] * B[k * ldb + j];
                if (epi & 2) want += R[i * ldc + j];
                if (epi & 4) want = want < -0.5 ? -0.5 : want > 1.5 ? 1.5 : want;
            }
            double got = C[i * ldc + j];
            if (!(fabs(got - want) <= 1e-5 * (1 + sqrt((double)K)) * (1 + fabs(want))) && bad++ < 3)
                fprintf(stderr, "M %zu N %zu K %zu epilogue %d: C[%zu][%zu] = %.7g, want %.7g\n", M, N, K, epi, i, j, got, want);
        }
    wt_checks++;
    if (bad) wt_failures++;
    free(A), free(B), free(bias), free(R), free(C);
}

/* A row i of M: segs runs of K floats at A + i * lda + s * segStride (lda < K: rows overlap, as a
 * stride-2 window's do), B segs * K rows; bias and clamp. */
static void run_segments(size_t M, size_t N, size_t K, size_t segs, size_t lda, size_t segStride) {
    size_t ldb = (N + 15) / 16 * 16, span = (M - 1) * lda + (segs - 1) * segStride + K;
    float* A = malloc(sizeof(float) * span);
    float* B = calloc(segs * K * ldb, sizeof(float));
    float* bias = calloc(ldb, sizeof(float));
    float* C = malloc(sizeof(float) * M * ldb);
    for (size_t i = 0; i < span; i++) A[i] = (float)wt_rand(&g_seed, -1, 1);
    for (size_t k = 0; k < segs * K; k++)
        for (size_t j = 0; j < N; j++) B[k * ldb + j] = (float)wt_rand(&g_seed, -1, 1);
    for (size_t j = 0; j < N; j++) bias[j] = (float)wt_rand(&g_seed, -1, 1);
    WnnSgemmEpilogue e = {.scale = 1.0f, .bias = bias, .clamp = 1, .lo = -1.0f, .hi = 2.0f};
    wnn_sgemm_direct_segments(M, N, K, segs, segStride, A, lda, B, ldb, C, ldb, &e);
    size_t bad = 0;
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            double want = bias[j];
            for (size_t s = 0; s < segs; s++)
                for (size_t k = 0; k < K; k++) want += (double)A[i * lda + s * segStride + k] * B[(s * K + k) * ldb + j];
            want = want < -1 ? -1 : want > 2 ? 2 : want;
            if (!(fabs(C[i * ldb + j] - want) <= 1e-5 * (1 + fabs(want))) && bad++ < 3)
                fprintf(stderr, "segments M %zu N %zu K %zu x %zu: C[%zu][%zu] = %.7g, want %.7g\n", M, N, K, segs, i, j,
                        C[i * ldb + j], want);
        }
    wt_checks++;
    if (bad) wt_failures++;
    free(A), free(B), free(bias), free(C);
}

int main(void) {
    if (!wnn_sgemm_direct_isa()) {
        printf("test_sgemm_direct: skipped, no in-place-A kernel for the CPU's GEMM path (%s)\n", wnn_sgemm_packed_isa());
        return 77;
    }
    printf("test_sgemm_direct: the %s kernel\n", wnn_sgemm_direct_isa());
    static const size_t Ns[] = {1, 8, 16, 20, 24, 32, 40, 48, 64, 80, 100, 144};
    static const size_t Ks[] = {1, 16, 27, 96, 600};
    for (size_t M = 1; M <= 40; M++)
        for (size_t n = 0; n < sizeof Ns / sizeof *Ns; n++)
            run_case(M, Ns[n], Ks[(M + n) % 5], (int)(M + n) % 8);
    for (int epi = 0; epi < 8; epi++) run_case(25, 160, 960, epi); /* a 7 x 7 block's project, split */
    run_segments(110, 32, 9, 3, 6, 672);  /* MobileNetV2's stem row: 3 x 3 x 3 windows, stride 2 */
    run_segments(37, 24, 20, 5, 8, 300);  /* 5 x 5 x 4 windows, stride 2 */
    run_segments(13, 70, 3, 2, 3, 100);   /* 2 x 1 windows, stride 1 */
    run_segments(1, 16, 9, 1, 0, 0);
    return wt_summary("test_sgemm_direct");
}
