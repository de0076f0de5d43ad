/* norm_rows.h: the row-wise fast path of softmax and layerNormalization (norm_rows.c). */
#ifndef WNN_BACKENDS_CPU_NORM_ROWS_H_
#define WNN_BACKENDS_CPU_NORM_ROWS_H_

#include "backends/cpu/cpu_kernels.h"

/* Runs the op when it normalizes the last axis of a float32 tensor (layerNormalization: that axis
 * alone, scale and bias 1-D or absent) and returns 1 with *status set; else returns 0. */
int wnn_norm_rows(const WnnCpuKernelArgs* args, int layerNorm, WNNStatus* status);

/* One float32 softmax row: y = softmax(x) over len elements (y may be x), in float32 vectors
 * (rows_f32.h) or, for rows with non-finite values or without vectors, in double as k_norm.c does;
 * v: scratch of len doubles. */
void wnn_softmax_row(const float* x, float* y, double* v, size_t len);

#endif
