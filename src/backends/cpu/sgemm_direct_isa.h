/* sgemm_direct_isa.h: the per-ISA entries behind sgemm_direct.h (sgemm_direct_avx512.c,
 * sgemm_direct_avx2.c), each built for its instruction set; sgemm_direct.c picks one for the CPU.
 * Each returns 0 in a build without its ISA (nothing done). */
#ifndef WNN_BACKENDS_CPU_SGEMM_DIRECT_ISA_H_
#define WNN_BACKENDS_CPU_SGEMM_DIRECT_ISA_H_

#include "backends/cpu/sgemm_direct.h"

int wnn_sgemm_direct_segments_avx512(size_t M, size_t N, size_t K, size_t segs, size_t segStride, const float* A,
                                     size_t lda, const float* B, size_t ldb, float* C, size_t ldc,
                                     const WnnSgemmEpilogue* e);
int wnn_sgemm_direct_segments_avx2(size_t M, size_t N, size_t K, size_t segs, size_t segStride, const float* A,
                                   size_t lda, const float* B, size_t ldb, float* C, size_t ldc,
                                   const WnnSgemmEpilogue* e);

/* The entry of a build without that ISA (not x86, or a compiler without the flag): does nothing. */
#define WNN_SGEMM_DIRECT_ABSENT(SUFFIX)                                                                       \
    int wnn_sgemm_direct_segments_##SUFFIX(size_t M, size_t N, size_t K, size_t segs, size_t segStride,       \
                                           const float* A, size_t lda, const float* B, size_t ldb, float* C,  \
                                           size_t ldc, const WnnSgemmEpilogue* e) {                           \
        (void)M, (void)N, (void)K, (void)segs, (void)segStride, (void)A, (void)lda, (void)B, (void)ldb;      \
        (void)C, (void)ldc, (void)e;                                                                         \
        return 0;                                                                                            \
    }

#endif
