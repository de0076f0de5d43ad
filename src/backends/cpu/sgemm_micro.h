/* sgemm_micro.h: what the packed GEMM's driver (sgemm_packed.c) asks of a micro-kernel, so that
 * each instruction set's kernel can live in a file built for it (sgemm_avx512.c).
 *
 * A kernel computes C's mr x nr corner at c (+)= a * b over k: a is one packed A panel (element
 * (r, p) at a[p * MR + r], MR the kernel's rows), b the first of the B panels it covers (16
 * columns each, k x 16 floats row by row, the next one 16 * k floats further on). acc: add to C
 * (not the first K slice); e: the epilogue, non-NULL on the last slice only; col: c's first
 * column (where the bias starts); res: the residual's corner matching c (same ldc), added after
 * the bias, or NULL. */
#ifndef WNN_BACKENDS_CPU_SGEMM_MICRO_H_
#define WNN_BACKENDS_CPU_SGEMM_MICRO_H_

#include <stddef.h>

#include "backends/cpu/sgemm_packed.h"

/* The packed B's layout (sgemm_packed.c): K slices of WNN_SGEMM_KC rows, each holding panels of
 * WNN_SGEMM_NR columns, kc x 16 floats row by row. */
#define WNN_SGEMM_KC 256
#define WNN_SGEMM_NR 16

typedef void (*WnnSgemmKernel)(size_t k, const float* a, const float* b, float* c, size_t ldc, size_t mr, size_t nr,
                               int acc, const WnnSgemmEpilogue* e, size_t col, const float* res);

typedef struct WnnSgemmMicro {
    const char* isa;       /* "avx512", "avx2", "portable" */
    size_t mr;             /* rows of an A panel */
    size_t nr;             /* columns one call of `wide` covers: 16 or 32 (two B panels) */
    WnnSgemmKernel wide;   /* nr columns (or fewer, down to 17 when nr is 32) */
    WnnSgemmKernel narrow; /* at most 16 columns: one B panel */
} WnnSgemmMicro;

/* C's mr x nr corner (+)= t (row r at t + r * tn), then scaled, biased, plus res (when not NULL)
 * and clamped when e is given: the scalar path every kernel takes for a tile that its registers
 * cannot store whole. */
void wnn_sgemm_store_tile(const float* t, size_t tn, float* c, size_t ldc, size_t mr, size_t nr, int acc,
                          const WnnSgemmEpilogue* e, size_t col, const float* res);

/* The whole product where M is 1 (sgemm_gemv.c): every batch's row against B, split over the pool
 * by columns. */
void wnn_sgemm_packed_gemv(const WnnSgemm* g, WnnThreadPool* pool);

/* The AVX-512 kernels (12 rows x 32 columns), or NULL in a build without them. The caller checks
 * that the CPU has AVX-512F. */
const WnnSgemmMicro* wnn_sgemm_micro_avx512(void);

#endif
