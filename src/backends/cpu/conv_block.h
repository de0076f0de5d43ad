/* conv_block.h: an inverted-residual block (MobileNetV2's) as one step on the CPU:
 *
 *   [1x1 conv "expand" (+ bias, relu / clamp)] -> depthwise conv (+ bias, relu / clamp)
 *       -> 1x1 conv "project" (+ bias) [+ the block's input] [-> relu / clamp]
 *
 * or with a stem as its expand: a dense conv on an image's few channels with a window of its own
 * (MobileNetV2's first conv, 3 -> 32, 3x3, stride 2, and the block after it), its windows read in
 * place by the products (0.36-0.39 ms against 0.48 for oneDNN's three steps in that graph).
 *
 * float32, constant filters and biases, either graph layout; run in NHWC a few output rows at a
 * time, so that the expanded tensor (6x the block's channels) lives only in a ring of rows in the
 * core's L2 and never goes through memory. Separately the expand writes it out and the depthwise
 * conv reads it back: at MobileNetV2's 112 x 112 and 56 x 56 blocks that traffic is most of their
 * time. The products run on our in-place-A GEMM where it exists for the CPU (sgemm_direct.h:
 * AVX-512, AVX2), else on the packed one (sgemm_packed.h), the depthwise taps on vectors of
 * channels. An NCHW graph's block is, like the
 * NHWC Winograd, a WnnOnednnExec to the layout linking (onednn.h): linked, it reads and writes
 * its oneDNN neighbours' NHWC buffers directly. Built only with oneDNN (the edge reorders are its).
 * Taken, on AVX-512, where the depthwise conv reads at least 14 x 14 pixels after an expand (at
 * stride 2 where the expanded tensor is large, or a core's L2 small: conv_block.c, worth_it);
 * WNN_CPU_BLOCK=0 turns blocks off, =1 takes every one that fits. */
#ifndef WNN_BACKENDS_CPU_CONV_BLOCK_H_
#define WNN_BACKENDS_CPU_CONV_BLOCK_H_

#include "backends/cpu/conv_prepare.h"
#include "backends/cpu/cpu_fuse.h"

typedef struct WnnCpuBlock {
    int32_t expand;        /* node index of the expand conv, or -1 (the block begins at the depthwise conv) */
    int stem;              /* the expand is a stem conv (its own window), not 1x1 */
    int32_t dw, project;   /* node indices */
    WnnCpuFusion chain[3]; /* what each conv's output goes through (cpu_fuse.h); only chain[2] may
                              hold a residual, and then it is the block's input */
} WnnCpuBlock;

/* Does a block begin at node k (uses: wnn_cpu_fuse_uses)? Then *f is the block as one fused chain
 * of k (every node after k absorbed, f->output the block's result) and *b its parts. */
int wnn_cpu_block_candidate(const WnnGraphIR* ir, const uint32_t* uses, uint32_t k, WnnCpuFusion* f, WnnCpuBlock* b);
/* The block's prepared state (*out, NULL when it cannot run it: not an error). */
WNNStatus wnn_cpu_block_prepare(const WnnGraphIR* ir, const WnnCpuBlock* b, WnnCpuPrepared** out);
/* One core's L2 in bytes (sysconf; 1 MiB where it does not say): the automatic choice reads it. */
uint64_t wnn_cpu_l2_bytes(void);
/* Blocks prepared since the process started (tests check the path ran). */
unsigned wnn_cpu_block_count(void);

#endif
