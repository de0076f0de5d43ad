/* softmax_f32.h: one softmax row of float32 in float32 vector arithmetic (AVX-512 or AVX2 + FMA,
 * chosen at run time; softmax_f32.c). */
#ifndef WNN_BACKENDS_CPU_SOFTMAX_F32_H_
#define WNN_BACKENDS_CPU_SOFTMAX_F32_H_

#include <stddef.h>

/* y = softmax(x) over len elements, e (len floats) as scratch. Returns 0, touching nothing, when it
 * does not apply: no vector unit (or WNN_CPU_SIMD=0, read once), or a non-finite x (the caller's
 * double path gives the spec's NaN / infinity results). */
int wnn_softmax_row_f32(const float* x, float* y, float* e, size_t len);

#endif
