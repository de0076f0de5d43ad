/* conv_prepare.h: per-node prepared state of the CPU backend. At compile time cpu_backend.c asks
 * wnn_cpu_prepare_node for every node; an op that can do work once from the graph's constants
 * (conv2d: pack the filter and bias, pick its kernel; conv2d / matmul / gemm on oneDNN: make the
 * primitive, reorder the constant weights) returns a state whose run() then replaces the
 * kernel-table entry at every dispatch. The state is released with the compiled graph. Ops that
 * prepare nothing return NULL and run through wnn_cpu_kernels as before.
 * Path choice (cpu_prepare.c): WNN_CPU_CONV = own | onednn | winograd | auto (default),
 * WNN_CPU_MATMUL = own | onednn | auto. */
#ifndef WNN_BACKENDS_CPU_CONV_PREPARE_H_
#define WNN_BACKENDS_CPU_CONV_PREPARE_H_

#include "backends/cpu/cpu_fuse.h"
#include "backends/cpu/cpu_kernels.h"

typedef struct WnnCpuPrepared WnnCpuPrepared;
struct WnnCpuPrepared {
    WNNStatus (*run)(const WnnCpuPrepared* self, const WnnCpuKernelArgs* args);
    void (*release)(WnnCpuPrepared* self);
    int fused;  /* runs the fusion chain it was offered (cpu_fuse.h) */
    int onednn; /* a WnnOnednnExec (onednn.h): its tensors may be linked in oneDNN's layout */
    char path[40]; /* what runs it, for WNN_CPU_PROFILE: "own", "winograd", "onednn <impl>" */
    size_t bytes;  /* memory it holds (weights packed or reordered, its own buffers), for
                      wnnGraphGetMemoryInfo's preparedBytes */
    size_t threadScratch; /* bytes of each worker thread's scratch (thread_scratch.h) it uses: one
                             buffer per thread serves every step, so a graph counts its largest */
};

/* What a node's preparation may look at besides the graph. */
typedef struct WnnCpuPrepareEnv {
    WnnThreadPool* pool;            /* the context's: candidate paths are timed on it */
    const WnnCpuPrepared* producer; /* the state that writes the node's input 0, or NULL: a pool
                                       takes its internal layout so that the two link */
} WnnCpuPrepareEnv;

/* *out = the node's prepared state, or NULL when it has none. fuse (may be NULL) offers the chain
 * after the node; (*out)->fused says whether the state took it in. */
WNNStatus wnn_cpu_prepare_node(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* fuse,
                               const WnnCpuPrepareEnv* env, WnnCpuPrepared** out);
/* Nodes prepared on oneDNN since the process started (0 without oneDNN): tests check that a
 * forced path really ran. */
unsigned wnn_cpu_onednn_nodes(void);
/* Tensors (sets of operands) kept in oneDNN's layout between steps since the process started. */
unsigned wnn_cpu_linked_tensors(void);
/* Layout changes at oneDNN steps' edges made as our plain copies (onednn.h, WnnOnednnPlain) since
 * the process started. */
unsigned wnn_cpu_plain_reorders(void);
/* float32 matmul / gemm with a constant b on our packed GEMM (matmul_packed.c), or NULL where it
 * does not apply; wnn_cpu_packed_nodes counts the states made since the process started. */
WNNStatus wnn_cpu_matmul_packed_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* fuse,
                                        WnnCpuPrepared** out);
unsigned wnn_cpu_packed_nodes(void);
/* Our own conv2d kernels' state (k_conv.c): never fused. */
WNNStatus wnn_cpu_conv_prepare_own(const WnnGraphIR* ir, const WnnNode* node, WnnCpuPrepared** out);

#endif
