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

/* The fastest of `runs` runs of p on s (one untimed first), in milliseconds; < 0 if a run failed. */
double wnn_cpu_time_state(const WnnCpuPrepared* p, const WnnNode* node, const WnnCpuScratch* s, WnnThreadPool* pool,
                          int runs);

#endif
