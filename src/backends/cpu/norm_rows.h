/* norm_rows.h: the row-wise fast path of softmax and layerNormalization (norm_rows.c). */
#ifndef WNN_BACKENDS_CPU_NORM_ROWS_H_
#define WNN_BACKENDS_CPU_NORM_ROWS_H_

#include "backends/cpu/cpu_kernels.h"

/* Runs the op when it normalizes the last axis of a float32 tensor (layerNormalization: that axis
 * alone, scale and bias 1-D or absent) and returns 1 with *status set; else returns 0. */
int wnn_norm_rows(const WnnCpuKernelArgs* args, int layerNorm, WNNStatus* status);

#endif
