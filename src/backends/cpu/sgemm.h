/* sgemm.h: float32 matrix products for conv2d, convTranspose2d, gemm and matmul.
 * C[M x N] = A[M x K] * B[K x N], all row-major with leading dimensions; C is overwritten. */
#ifndef WNN_BACKENDS_CPU_SGEMM_H_
#define WNN_BACKENDS_CPU_SGEMM_H_

#include <stddef.h>

#include "core/threadpool.h"

/* On the calling thread only. */
void wnn_sgemm_serial(size_t M, size_t N, size_t K, const float* A, size_t lda, const float* B, size_t ldb, float* C,
                      size_t ldc);
/* Split over the pool by strips of rows. */
void wnn_sgemm(size_t M, size_t N, size_t K, const float* A, size_t lda, const float* B, size_t ldb, float* C,
               size_t ldc, WnnThreadPool* pool);

#endif
