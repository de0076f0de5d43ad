/* attention.h: scaled dot-product attention as one step on the CPU:
 *
 *   matmul(Q, K^T) [-> mul / div by a constant scalar] -> softmax(last axis) -> matmul(., V)
 *       [-> transpose]
 *
 * each of Q, K^T and V read through the transpose that makes it, if one does (BERT's heads: a
 * [N, S, H, D] tensor viewed as [N, H, S, D]), and the result written through the transpose after
 * it. float32, rank 3 or 4, the batch dimensions equal (no broadcasting). Per head: K^T copied
 * dense (times the scale), the S x S2 scores on the in-place-A GEMM (sgemm_direct.h), their
 * softmax rows in place, then P V straight into the output's view. Separately the three steps
 * write the scores and the probabilities out and read them back, and oneDNN's batched matmul
 * runs 12 small products on strided views. AVX-512 only (the direct GEMM); elsewhere, or with
 * WNN_CPU_ATTENTION=0, the nodes run as before. */
#ifndef WNN_BACKENDS_CPU_ATTENTION_H_
#define WNN_BACKENDS_CPU_ATTENTION_H_

#include "backends/cpu/conv_prepare.h"
#include "backends/cpu/cpu_fuse.h"

typedef struct WnnCpuAttention {
    int32_t scores, softmax, context; /* node indices of the two matmuls and the softmax */
    int32_t tq, tk, tv, to;           /* the transposes read or written through, or -1 */
    float scale;                      /* 1 when no mul / div */
} WnnCpuAttention;

/* Does an attention step begin at node k (a matmul; uses: wnn_cpu_fuse_uses)? Then *f is the step
 * as one fused chain of k (f->input[0], input[1] and extra: what it reads as Q, K^T and V;
 * f->output what it writes) and *a its parts. */
int wnn_cpu_attention_candidate(const WnnGraphIR* ir, const uint32_t* uses, uint32_t k, WnnCpuFusion* f,
                                WnnCpuAttention* a);
/* The step's prepared state (*out; NULL when this CPU cannot run it: not an error). */
WNNStatus wnn_cpu_attention_prepare(const WnnGraphIR* ir, const WnnCpuAttention* a, WnnCpuPrepared** out);
/* Attention steps prepared since the process started (tests check the path ran). */
unsigned wnn_cpu_attention_count(void);

#endif
