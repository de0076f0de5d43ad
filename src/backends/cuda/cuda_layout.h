/* cuda_layout.h: the NHWC layout pass for float16 NCHW graphs (cuda_layout.c). */
#ifndef WNN_BACKENDS_CUDA_CUDA_LAYOUT_H_
#define WNN_BACKENDS_CUDA_CUDA_LAYOUT_H_

#include "backends/cuda/cuda_device.h"

/* A rewritten IR for the executor to compile, or *out = NULL when nothing changes (no float16 NCHW
 * conv2d, or WNN_CUDA_NO_LAYOUT set). is_eltwise says which ops may run on NHWC twins (element-wise,
 * layout-blind). The result borrows the source's constants, names and unchanged nodes; free it with
 * wnn_cuda_layout_free(ir, ownedNode). */
WNNStatus wnn_cuda_layout_nhwc(const WnnGraphIR* src, bool (*is_eltwise)(WnnOpId), WnnGraphIR** out,
                               uint8_t** ownedNode);
void wnn_cuda_layout_free(WnnGraphIR* ir, uint8_t* ownedNode);

#endif
