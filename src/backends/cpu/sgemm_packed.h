/* sgemm_packed.h: float32 C = act(scale * A * B + bias) with B packed once (a constant weight,
 * packed at build time) into panels of 16 columns by K slices, A packed per call into panels of
 * the micro-kernel's rows, and a register-blocked micro-kernel per instruction set: 12 x 32 on
 * AVX-512 (sgemm_avx512.c), 6 x 16 on AVX2 (sgemm_packed.c). Split over the pool by
 * blocks of rows and columns chosen per shape (the fewer re-reads of A and B). */
#ifndef WNN_BACKENDS_CPU_SGEMM_PACKED_H_
#define WNN_BACKENDS_CPU_SGEMM_PACKED_H_

#include <stddef.h>

#include "backends/cpu/eltwise_engine.h"
#include "core/threadpool.h"

/* What is applied to each result after the last K slice, in this order. */
typedef struct WnnSgemmEpilogue {
    float scale;                 /* 1: none */
    const float* bias;           /* per column (N floats, already times scale), or NULL */
    const float* residual;       /* added after the bias: a tensor laid out as C (ldc, strideC), or
                                    NULL (a residual connection: matmul -> add(bias) -> add(x)) */
    int clamp;                   /* relu or clamp: min(max(v, lo), hi) in registers */
    float lo, hi;
    const WnnEltFloatOp* act;    /* any other activation, applied to each finished row, or NULL */
    WnnEltFloatParams actParams;
} WnnSgemmEpilogue;

/* Floats one packed K x N matrix takes (its N rounded up to 16). */
size_t wnn_sgemm_packed_size(size_t K, size_t N);
/* Packs `batches` matrices B (K x N each, strideB floats apart; element (k, n) at B[k * ldb + n],
 * or at B[n * ldb + k] when transposed) one after the other, over the pool. */
void wnn_sgemm_pack_b(size_t batches, size_t K, size_t N, const float* B, size_t ldb, size_t strideB, int transposed,
                      float* packed, WnnThreadPool* pool);

/* batches x (C[M x N] = epilogue(A[M x K] * B)). A's element (i, k) at A[i * lda + k], or at
 * A[k * lda + i] when aTransposed; the strides (in floats) step from one batch to the next: 0
 * repeats A or B for every batch (strideB counts packed floats). */
typedef struct WnnSgemm {
    size_t batches, M, N, K;
    const float* A;
    size_t lda, strideA;
    int aTransposed;
    const float* packedB;
    size_t strideB;
    float* C;
    size_t ldc, strideC;
    const WnnSgemmEpilogue* e; /* or NULL */
} WnnSgemm;
void wnn_sgemm_packed(const WnnSgemm* g, WnnThreadPool* pool);
/* The micro-kernel this CPU runs: "avx512" (12 x 32, sgemm_avx512.c), "avx2" (6 x 16, AVX2 + FMA)
 * or "portable". WNN_CPU_SIMD=avx2 stops at AVX2, WNN_CPU_SIMD=0 takes the portable one (read
 * once). The packed layout of B is the same for all three. */
const char* wnn_sgemm_packed_isa(void);

#endif
