/* kernel_table.c: the CPU kernel table, expanded from ops.def (a missing kernel is a link error). */
#include "backends/cpu/cpu_kernels.h"

const WnnCpuKernelFn wnn_cpu_kernels[WNN_OP_COUNT] = {
#define WNN_OP(name, family) wnn_cpu_##name,
#include "graph/ops.def"
#undef WNN_OP
};
