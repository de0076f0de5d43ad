/* cpu_fuse.h: the CPU backend's build-time fusion of conv2d / matmul / gemm with what follows them.
 * A chain  op -> add(constant per-channel bias) -> add(residual) -> activation  (each part
 * optional), or  op -> mul / div by a constant scalar -> activation  (the op's own bias inside
 * the scale, as the graph has it; the residual add, a tensor of the output's shape made before the op, not after convTranspose2d) whose
 * intermediates have no other consumer and are not graph outputs is a candidate; the op's prepared
 * state (conv_prepare.h) decides whether it can run the chain as one step (oneDNN post-ops). The
 * accepted chains are then dropped from a private view of the graph in which the op writes the
 * chain's last operand directly. */
#ifndef WNN_BACKENDS_CPU_CPU_FUSE_H_
#define WNN_BACKENDS_CPU_CPU_FUSE_H_

#include "graph/graph.h"

typedef struct WnnCpuFusion {
    uint32_t absorbedCount; /* 0: no chain */
    uint32_t absorbed[12];  /* node indices folded into the op (a QDQ pattern, cpu_qdq.h, also
                               folds the dequantizeLinear nodes before it and the quantizeLinear) */
    int hasScale;           /* the op's result (its own bias included) times `scale` first; then no
                               bias or residual follows */
    float scale;
    int32_t bias;           /* constant added after the op, per output channel (channelAxis), or -1 */
    int32_t residual;       /* tensor of the output's shape added after the bias, or -1; the fused
                               node reads it as its last input (wnn_cpu_fused_ir) */
    uint32_t channelAxis;   /* of the op's output */
    WnnOpId act;            /* activation applied last, or WNN_OP_COUNT */
    const void* actAttrs;
    int32_t output;         /* operand the fused step writes */
    int32_t input[2];       /* operands the fused step reads as its inputs 0 and 1 instead of the op's, or -1 */
    /* matmul only (wnn_cpu_fuse_transposes): input j read through an absorbed transpose (input[j]
     * that transpose's input, inPerm[j] its permutation); the result written through one (outPerm) */
    uint8_t inPermuted[2], outPermuted;
    uint32_t inPerm[2][WNN_MAX_RANK], outPerm[WNN_MAX_RANK];
} WnnCpuFusion;

/* uses[i] = consumers of operand i, +1 when it is a graph output. */
WNNStatus wnn_cpu_fuse_uses(const WnnGraphIR* ir, uint32_t** uses);

/* The single node after `after` reading operand id (uses[id] == 1 and not a graph output), or -1. */
int32_t wnn_cpu_fuse_sole_consumer(const WnnGraphIR* ir, const uint32_t* uses, int32_t id, uint32_t after);

/* The longest fusible chain after node k (a conv2d, convTranspose2d, matmul or gemm; no residual
 * after convTranspose2d); f->absorbedCount = 0 if none. */
void wnn_cpu_fuse_candidate(const WnnGraphIR* ir, const uint32_t* uses, uint32_t k, WnnCpuFusion* f);

/* Adds to f (node k's chain from wnn_cpu_fuse_candidate; k a float32 matmul) the transposes that
 * make its inputs and are read by nothing else, and the transpose that alone reads the chain's
 * result (not after a residual add): the step reads and writes them as strided views. Returns 1
 * if it added any. Only oneDNN's matmul runs such a chain (cpu_prepare.c). */
int wnn_cpu_fuse_transposes(const WnnGraphIR* ir, const uint32_t* uses, uint32_t k, WnnCpuFusion* f);

/* f reads or writes through a transpose. */
int wnn_cpu_fuse_permuted(const WnnCpuFusion* f);

/* The graph as the CPU runs it: fused[k].absorbedCount > 0 marks an accepted chain of node k. */
typedef struct WnnCpuFusedIR {
    WnnGraphIR view;    /* borrowed operands' data; own node and operand arrays */
    uint32_t* origin;   /* per view node: its index in the original IR */
    int32_t* outputs;   /* one output id per fused node (the nodes' outputs point here) */
    int32_t** inputs;   /* per view node: its own input list when a residual was appended, else NULL */
} WnnCpuFusedIR;

WNNStatus wnn_cpu_fused_ir(const WnnGraphIR* ir, const WnnCpuFusion* fused, WnnCpuFusedIR* out);
void wnn_cpu_fused_ir_free(WnnCpuFusedIR* f);

#endif
