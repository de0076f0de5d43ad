/* cuda_families.c: the op families the CUDA executor asks, in order (see cuda_op.h). */
#include "backends/cuda/cuda_op.h"

extern const CudaOpFamily wnn_cuda_family_reduce;
extern const CudaOpFamily wnn_cuda_family_movement;
extern const CudaOpFamily wnn_cuda_family_eltwise_ext;
extern const CudaOpFamily wnn_cuda_family_recurrent;
extern const CudaOpFamily wnn_cuda_family_conv_transpose;

const CudaOpFamily* const wnn_cuda_families[] = {
    &wnn_cuda_family_reduce, &wnn_cuda_family_movement, &wnn_cuda_family_eltwise_ext, &wnn_cuda_family_recurrent,
    &wnn_cuda_family_conv_transpose, NULL,
};
