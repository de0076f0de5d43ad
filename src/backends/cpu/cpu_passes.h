/* cpu_passes.h: the CPU backend's build-time passes besides the conv2d / matmul fusion (cpu_fuse.h),
 * their off switches and what they did to the last graph compiled (for tests and profiling).
 *   constant folding (cpu_fold.c)    WNN_CPU_FOLD=0   nodes whose inputs are all constants run once
 *                                                      at build; their outputs become constants
 *   reshape aliases (cpu_alias.c)    WNN_CPU_ALIAS=0  reshape / identity share their input's buffer
 *   element-wise chains (cpu_chain.c) WNN_CPU_CHAIN=0 runs of element-wise nodes as one blocked loop
 * Each switch is read when a graph is built. */
#ifndef WNN_BACKENDS_CPU_CPU_PASSES_H_
#define WNN_BACKENDS_CPU_CPU_PASSES_H_

#include "backends/cpu/conv_prepare.h"

/* 0 when the environment variable is "0", else 1. */
int wnn_cpu_pass_on(const char* var);

/* What compiling the last graph on the CPU did (any thread's last build). */
typedef struct WnnCpuPassStats {
    unsigned steps;   /* node steps a dispatch runs (aliases excluded) */
    unsigned fused;   /* nodes absorbed into conv2d / matmul / gemm steps (cpu_fuse.h) */
    unsigned folded;  /* nodes evaluated at build */
    unsigned aliases; /* reshape / identity nodes that run no copy */
    unsigned chains;  /* element-wise chains made */
    unsigned chained; /* nodes in them */
} WnnCpuPassStats;
void wnn_cpu_last_stats(WnnCpuPassStats* out);
void wnn_cpu_set_last_stats(const WnnCpuPassStats* s);

/* ---- constant folding ---- */
typedef struct WnnCpuFolded {
    WnnGraphIR view; /* the graph without the folded nodes; borrows the original's nodes */
    void** data;     /* per operand: the folded value's bytes (owned), else NULL */
    unsigned count;  /* nodes folded */
} WnnCpuFolded;
/* Evaluates every foldable node of ir with the CPU kernels (on pool). Failing to fold a node is
 * not an error: it stays. Only OutOfMemory for the view itself is returned. */
WNNStatus wnn_cpu_fold(const WnnGraphIR* ir, WnnThreadPool* pool, WnnCpuFolded* out);
void wnn_cpu_folded_free(WnnCpuFolded* f);

/* ---- aliases ---- */
/* Does node n only reinterpret its input's bytes (reshape, identity), with neither operand held in
 * another layout (bytes[i] != 0: a linked oneDNN layout, cpu_backend.c)? */
int wnn_cpu_alias_candidate(const WnnGraphIR* ir, const WnnNode* n, const size_t* bytes);

/* ---- element-wise chains ---- */
/* Finds runs of element-wise nodes in ir (nodes without a prepared state, operands not linked:
 * bytes[i] == 0) and makes each one step: the run's last node gets a prepared state running the
 * whole run (prep[k]) and the run's external operands as its inputs; the others are marked
 * skip[k] = 1 (no step, no memory). *chains, *nodes: runs made and nodes in them. */
WNNStatus wnn_cpu_chain(WnnGraphIR* ir, WnnCpuPrepared** prep, char* skip, const size_t* bytes, unsigned* chains,
                        unsigned* nodes);

#endif
