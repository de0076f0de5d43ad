/* cuda_eltwise_ext.c: the eltwise_ext op family on the GPU (see cuda_op.h). Being written: runs nothing yet, so
 * the partitioner keeps these ops on the CPU. */
#include "backends/cuda/cuda_op.h"

static bool supports(const WnnGraphIR* ir, const WnnNode* node) {
    (void)ir;
    (void)node;
    return false;
}

const CudaOpFamily wnn_cuda_family_eltwise_ext = {"eltwise_ext", supports, NULL, NULL, NULL};
