/* rows_f32.h: one softmax or layerNormalization row of float32 in vector arithmetic (AVX-512, AVX2
 * or baseline x86-64 as simd_level.h says; rows_f32.c), for norm_rows.c. */
#ifndef WNN_BACKENDS_CPU_ROWS_F32_H_
#define WNN_BACKENDS_CPU_ROWS_F32_H_

#include <stddef.h>

/* y = softmax(x) over len elements, e (len floats) as scratch. Returns 0, touching nothing, when it
 * does not apply: no vector unit (or WNN_CPU_SIMD=0, read once), or a non-finite x (the caller's
 * double path gives the spec's NaN / infinity results). */
int wnn_softmax_row_f32(const float* x, float* y, float* e, size_t len);

/* y = (x - mean) / sqrt(variance + eps) * scale + bias over len elements (scale, bias may be NULL)
 * with norm_rows.c's double arithmetic, vectorised (sums in another order). Returns 0, touching
 * nothing, without a vector unit or with WNN_CPU_SIMD=0. */
int wnn_layernorm_row_f32(const float* x, float* y, size_t len, double eps, const float* scale, const float* bias);

#endif
