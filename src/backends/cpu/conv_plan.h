/* conv_plan.h: conv2d on the CPU, shared by k_conv.c and conv_depthwise.c. A plan is what depends
 * only on the node and its constants: the kernel (kind), the filter packed for that kernel and the
 * bias as float32. Built once at compile time when the filter is a constant (conv_prepare.h), else
 * per dispatch. Kernels work in float32 in the node's own layout (float16 is converted around them),
 * so neither layout ever needs a transpose:
 *   GEMM_NHWC:  out[pixels x cout]  = im2col(x)[pixels x K] * W[K x cout], per group, strips of pixels.
 *   GEMM_NCHW:  out[cout x pixels]  = W[cout x K] * im2col(x)[K x pixels] (a 1x1 stride-1 unpadded
 *               conv reads x itself as the right operand), per image, group and strip of pixels.
 *   DEPTHWISE:  groups == input channels: direct vectorized loops, no GEMM. */
#ifndef WNN_BACKENDS_CPU_CONV_PLAN_H_
#define WNN_BACKENDS_CPU_CONV_PLAN_H_

#include "backends/cpu/conv_prepare.h"
#include "graph/ops/conv.h"

typedef enum WnnConvKind { WNN_CONV_GEMM_NHWC, WNN_CONV_GEMM_NCHW, WNN_CONV_DEPTHWISE } WnnConvKind;

typedef struct WnnConvPlan {
    WnnCpuPrepared base;
    WnnConvAttrs a;
    WnnConvKind kind;
    size_t cing, coutg, K; /* per group: input channels, output channels, kh*kw*cing */
    size_t ldw;            /* GEMM_NHWC: columns of the packed filter (coutg rounded up to 8) */
    size_t wcount;         /* floats in the packed filter */
    float* w;              /* packed filter; NULL when not constant (packed per dispatch) */
    float* bias;           /* cout floats (zeros when absent); NULL when not constant */
} WnnConvPlan;

/* One dispatch: float32 tensors in the node's layout. */
typedef struct WnnConvRun {
    const WnnConvPlan* p;
    const float* x;
    float* y;
    const float* w;
    const float* bias;
    size_t N, H, W, OH, OW;
    WnnThreadPool* pool;
} WnnConvRun;

/* Depthwise filter packing: NCHW w[co][ky*kw + kx], NHWC w[ky*kw + kx][co]. */
WNNStatus wnn_conv_depthwise(const WnnConvRun* r);

#endif
