/* cpu_kernels.h: the CPU kernel interface and the kernel table (one wnn_cpu_<op> per op of
 * ops.def, defined in k_<family>.c). */
#ifndef WNN_BACKENDS_CPU_CPU_KERNELS_H_
#define WNN_BACKENDS_CPU_CPU_KERNELS_H_

#include "core/threadpool.h"
#include "graph/graph.h"

typedef struct WnnCpuTensor {
    void* data;          /* NULL for an absent optional input */
    const WnnDesc* desc; /* NULL for an absent optional input */
} WnnCpuTensor;

typedef struct WnnCpuKernelArgs {
    const WnnNode* node; /* node->attrs is the op's attribute struct */
    const WnnCpuTensor* inputs;  /* node->inputCount entries */
    const WnnCpuTensor* outputs; /* node->outputCount entries; never alias an input */
    WnnThreadPool* pool;         /* may be NULL */
} WnnCpuKernelArgs;

/* A kernel writes every element of its outputs. It may allocate scratch memory (OutOfMemory on
 * failure) and must never read or write outside its tensors whatever the data holds (indices are
 * clamped into range). */
typedef WNNStatus (*WnnCpuKernelFn)(const WnnCpuKernelArgs* args);

#define WNN_OP(name, family) WNNStatus wnn_cpu_##name(const WnnCpuKernelArgs* args);
#include "graph/ops.def"
#undef WNN_OP

extern const WnnCpuKernelFn wnn_cpu_kernels[WNN_OP_COUNT];

#endif
