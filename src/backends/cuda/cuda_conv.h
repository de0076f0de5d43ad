/* cuda_conv.h: conv2d with its bias and a following activation through cuDNN: the backend (graph)
 * API with a measured engine choice (cuda_conv_graph.c) first, the legacy API as the fallback. */
#ifndef WNN_BACKENDS_CUDA_CUDA_CONV_H_
#define WNN_BACKENDS_CUDA_CUDA_CONV_H_

#include "backends/cuda/cuda_device.h"

typedef struct CudaConv CudaConv;

/* The activation applied to the convolution's result (a WebNN op the executor fused into it), with
 * its parameters in (lo, hi). Codes 0..2 are those the executor passes today. */
typedef enum WnnCudaConvAct {
    WNN_CONV_ACT_NONE = 0,
    WNN_CONV_ACT_RELU = 1,
    WNN_CONV_ACT_CLAMP = 2,        /* clamp to [lo, hi] (either may be infinite) */
    WNN_CONV_ACT_SIGMOID = 3,
    WNN_CONV_ACT_TANH = 4,
    WNN_CONV_ACT_LEAKY_RELU = 5,   /* alpha = lo */
    WNN_CONV_ACT_GELU = 6,         /* the erf form, as WebNN's gelu */
    WNN_CONV_ACT_HARD_SWISH = 7,
    WNN_CONV_ACT_ELU = 8,          /* alpha = lo */
    WNN_CONV_ACT_SOFTPLUS = 9,
    WNN_CONV_ACT_HARD_SIGMOID = 10, /* alpha = lo, beta = hi */
    WNN_CONV_ACT_COUNT
} WnnCudaConvAct;

/* Whether this conv2d can run here: always. A filter not in the layout cuDNN reads for the input
 * layout (oihw for nchw, ohwi for nhwc) is re-laid out: once at build when it is a constant, at each
 * run when it is a graph input. Any padding. */
bool wnn_cuda_conv_supported(const WnnGraphIR* ir, const WnnNode* node);
/* Plans y = activation(conv(x, w) + bias): builds the cuDNN plan (or the legacy descriptors),
 * measures the candidates, allocates the workspace. activation is a WnnCudaConvAct with its
 * parameters; an unknown code is a NotSupportedError (nothing allocated). *filter receives a device
 * copy of a re-laid-out constant filter (or NULL: use the operand as it is). */
WNNStatus wnn_cuda_conv_prepare(CudaDevice* d, const WnnGraphIR* ir, const WnnNode* node, int activation, float lo,
                                float hi, CudaConv** conv, void** filter);
/* Enqueues the planned computation on d->stream (capturable: no host synchronisation). bias is the
 * node's bias (NULL when it has none); y receives the activation's result. */
WNNStatus wnn_cuda_conv_run(CudaDevice* d, CudaConv* conv, const void* x, const void* w, const void* bias, void* y);
void wnn_cuda_conv_free(CudaConv* conv);
/* In place, one kernel: y = activation(y + bias) over count elements, bias (may be NULL) indexed by
 * (i / inner) % channels, activation a WnnCudaConvAct with its parameters (what a plan could not
 * fuse: the epilogues of conv2d, convTranspose2d, matmul and gemm). */
WNNStatus wnn_cuda_bias_act(CudaDevice* d, int dtype, void* y, const void* bias, int64_t count, int64_t channels,
                            int64_t inner, int act, float lo, float hi);
/* The same without a bias. */
WNNStatus wnn_cuda_activation(CudaDevice* d, int dtype, void* y, int64_t count, int act, float lo, float hi);

#endif
