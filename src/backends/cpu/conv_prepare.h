/* conv_prepare.h: per-node prepared state of the CPU backend. At compile time cpu_backend.c asks
 * wnn_cpu_prepare_node for every node; an op that can do work once from the graph's constants
 * (conv2d: pack the filter and bias, pick its kernel) returns a state whose run() then replaces the
 * kernel-table entry at every dispatch. The state is read-only while it runs (per-dispatch scratch
 * is the kernel's own), and is released with the compiled graph. Ops that prepare nothing return
 * NULL and run through wnn_cpu_kernels as before. (Only conv2d prepares today: should another op
 * need it, this hook belongs in cpu_kernels.h.) */
#ifndef WNN_BACKENDS_CPU_CONV_PREPARE_H_
#define WNN_BACKENDS_CPU_CONV_PREPARE_H_

#include "backends/cpu/cpu_kernels.h"

typedef struct WnnCpuPrepared WnnCpuPrepared;
struct WnnCpuPrepared {
    WNNStatus (*run)(const WnnCpuPrepared* self, const WnnCpuKernelArgs* args);
    void (*release)(WnnCpuPrepared* self);
};

/* *out = the node's prepared state, or NULL when it has none. Fails only on OutOfMemory. */
WNNStatus wnn_cpu_prepare_node(const WnnGraphIR* ir, const WnnNode* node, WnnCpuPrepared** out);

#endif
