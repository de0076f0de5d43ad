/* f16_convert.h: float16 <-> float32 / float64 over arrays, F16C-vectorised where the CPU has it
 * (f16_convert.c), for the float16 kernels that compute in float32 (eltwise_f16.c, norm_rows.c,
 * onednn_f16.c). */
#ifndef WNN_BACKENDS_CPU_F16_CONVERT_H_
#define WNN_BACKENDS_CPU_F16_CONVERT_H_

#include <stddef.h>
#include <stdint.h>

/* 1 when the F16C loops run: the CPU has F16C, AVX2 and FMA and WNN_CPU_F16C is not "0" (the
 * tests force the portable loops that way). Decided once per process. */
int wnn_f16c_enabled(void);

/* Exact: every float16 is a float32. */
void wnn_f16_to_f32_n(const uint16_t* h, float* f, size_t n);
/* Rounds to nearest even, as wnn_float_to_half. */
void wnn_f32_to_f16_n(const float* f, uint16_t* h, size_t n);
/* Rounds each double once to nearest even, as wnn_double_to_half. */
void wnn_f64_to_f16_n(const double* d, uint16_t* h, size_t n);

#endif
