/* sgemm_direct.h: float32 C = epilogue(A * B) for the small products inside a fused block
 * (conv_block.h), with A read in place and B a dense K x ldb matrix (ldb: N rounded up to 16,
 * zeros past N). Where N or K is small (a block's project to 16-32 channels, its expand from
 * 16-32), packing A per call costs as much as the product; this kernel broadcasts A's elements
 * straight from their rows into register tiles of up to 12 rows x 64 columns (AVX-512) or 24
 * columns (AVX2), on the packed GEMM's instruction set (sgemm_direct.c picks it; the tiles are
 * sgemm_direct_tiles.inc). No portable version: where wnn_sgemm_direct_isa() is NULL the calls
 * do nothing and return 0. */
#ifndef WNN_BACKENDS_CPU_SGEMM_DIRECT_H_
#define WNN_BACKENDS_CPU_SGEMM_DIRECT_H_

#include <stddef.h>

#include "backends/cpu/sgemm_packed.h"

/* "avx512" or "avx2": the kernel these calls run on this CPU, or NULL where there is none (a
 * CPU without AVX2 + FMA, WNN_CPU_SIMD=0, or a build without the ISA's file). */
const char* wnn_sgemm_direct_isa(void);

/* The epilogue's bias must hold ldb floats (zeros past N); its residual is laid out as C (ldc);
 * its `act` is not applied (clamp is). Returns 0 where wnn_sgemm_direct_isa() is NULL (nothing done). */
int wnn_sgemm_direct(size_t M, size_t N, size_t K, const float* A, size_t lda, const float* B, size_t ldb, float* C,
                     size_t ldc, const WnnSgemmEpilogue* e);
/* The same with each row of A in segs runs of K floats, segStride apart (B: segs * K rows): a
 * convolution's window read in place from an NHWC image, a run per window row (lda the pixels'
 * stride, segStride the image rows'), instead of gathered patches. */
int wnn_sgemm_direct_segments(size_t M, size_t N, size_t K, size_t segs, size_t segStride, const float* A, size_t lda,
                              const float* B, size_t ldb, float* C, size_t ldc, const WnnSgemmEpilogue* e);

#endif
