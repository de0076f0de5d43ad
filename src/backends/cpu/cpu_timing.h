/* cpu_timing.h: build-time timing of a node's prepared state on scratch tensors, for choosing
 * between paths by measurement (cpu_prepare.c). The scratch tensors are zero (no denormals, no
 * NaNs: data-independent kernels take their usual time), constants are the graph's own. */
#ifndef WNN_BACKENDS_CPU_CPU_TIMING_H_
#define WNN_BACKENDS_CPU_CPU_TIMING_H_

#include "backends/cpu/conv_prepare.h"

/* Whether a build may choose between paths for an op of `flops` floating-point operations by
 * timing them: not below 8 MFLOP (about 20 us here: what timing could save is less than it costs,
 * and the W3C corpus's thousands of tiny convs would build several times slower), and not when
 * WNN_CPU_TUNE=0 (read at each call; for reproducible builds: then the first choice is taken). */
int wnn_cpu_tuning(double flops);
/* WNN_CPU_VERBOSE=1: the build prints its timed choices to stderr (read at each call). */
int wnn_cpu_verbose(void);
/* WNN_CPU_TUNE alone, for choices whose candidates are gated by their own size rule (Winograd's). */
int wnn_cpu_tuning_allowed(void);

/* Scratch for one node's run: its inputs (the residual of a fused chain last) and its output. */
typedef struct WnnCpuScratch {
    WnnCpuTensor in[8];
    WnnCpuTensor out[1];
    void* owned[9];
    uint32_t inCount;
} WnnCpuScratch;

/* Makes the scratch of node (fused with f when f->absorbedCount > 0: output f->output, the residual
 * read as one more input). bytes[j] (may be NULL, 0 = the descriptor's size) asks for larger
 * buffers: index j < inCount for inputs, inCount for the output. */
WNNStatus wnn_cpu_scratch_init(WnnCpuScratch* s, const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f,
                               const size_t* bytes);
void wnn_cpu_scratch_free(WnnCpuScratch* s);

/* The fastest of `runs` runs of p on s after `warmups` untimed ones, in milliseconds; < 0 if a run
 * failed. */
double wnn_cpu_time_state(const WnnCpuPrepared* p, const WnnNode* node, const WnnCpuScratch* s, WnnThreadPool* pool,
                          int warmups, int runs);

/* *ta, *tb: the fastest of 8 runs each of a and b (each on its scratch, with the chain fuse when
 * it took it in), after one untimed each, the two in turn so that a burst of other load on the
 * machine hits both alike (one after the other, seed_conv NHWC once took the direct conv, 6.3 ms,
 * over Winograd's 4.8); < 0 when one could not be timed. */
void wnn_cpu_time_two(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* fuse, WnnThreadPool* pool,
                      const WnnCpuPrepared* a, const WnnCpuPrepared* b, double* ta, double* tb);

/* The costs inside a graph of a Winograd state and of oneDNN's direct conv (*costD), from their
 * times on scratch tensors in ms (< 0: not timed): tw and td alone, twl and tl with their edges
 * linked (twl only where the Winograd links as the direct conv does). A direct conv in a blocked
 * layout is linked to oneDNN neighbours (no reorders), and a Winograd between them makes the
 * neighbours reorder instead, about what the direct conv's own reorders cost: so the direct conv
 * counts linked and the Winograd with that difference added, unless the Winograd links too: then
 * both count linked. A linked time above the unlinked one is the host's noise (linked, a step
 * only skips work): the unlinked one stands for it. Returns the Winograd's cost, < 0 if untimed. */
double wnn_cpu_winograd_costs(double tw, double twl, double td, double tl, double* costD);

#endif
