/* cuda_conv.h: conv2d through cuDNN (legacy API with heuristic algorithm choice; the graph API and
 * measured autotuning are the next step). */
#ifndef WNN_BACKENDS_CUDA_CUDA_CONV_H_
#define WNN_BACKENDS_CUDA_CUDA_CONV_H_

#include "backends/cuda/cuda_device.h"

typedef struct CudaConv CudaConv;

/* Whether this conv2d can run here: symmetric padding, and a filter either in the layout cuDNN reads
 * for the input layout (oihw for nchw, ohwi for nhwc) or constant (re-laid out at build). */
bool wnn_cuda_conv_supported(const WnnGraphIR* ir, const WnnNode* node);
/* Builds descriptors, picks an algorithm, allocates the workspace; *filter receives a device copy
 * of a re-laid-out constant filter (or NULL: use the operand as it is). */
WNNStatus wnn_cuda_conv_prepare(CudaDevice* d, const WnnGraphIR* ir, const WnnNode* node, CudaConv** conv,
                                void** filter);
/* y = activation(conv(x, w) + bias); activation 0 none, 1 relu, 2 clamp [lo, hi] (a fused follower). */
WNNStatus wnn_cuda_conv_run(CudaDevice* d, CudaConv* conv, const void* x, const void* w, const void* bias, void* y,
                            int activation, float lo, float hi);
void wnn_cuda_conv_free(CudaConv* conv);

#endif
