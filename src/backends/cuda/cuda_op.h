/* cuda_op.h: the contract between the CUDA executor (cuda_exec.c: operands, device memory,
 * order of steps, CUDA graph capture) and the op families in cuda_<family>.c, each of which runs a
 * group of ops on the GPU. The executor asks every family in wnn_cuda_families[] whether it runs a
 * node; the first that says yes plans it at build and runs it at every dispatch.
 *
 * Rules for a family:
 * - supports() looks only at the node (op, attributes, operand types and shapes); it must not
 *   allocate or touch the GPU. A node no family supports runs on the CPU (partitioner).
 * - plan() runs at build on the context's device: it may allocate device memory (tables, re-laid-out
 *   constants) and read constant operands' host data (ir->operands[id].data when kind is
 *   WNN_OPERAND_CONSTANT). It asks for `scratchBytes` of device memory, which the executor allocates
 *   and passes to every run().
 * - run() enqueues work on d->stream only: no host synchronisation, no allocation, no cudaMemcpy
 *   between host and device (it may be recorded into a CUDA graph). in[i] is node input i's device
 *   pointer (NULL for an absent optional input), out[j] output j's. Every launch is checked and a
 *   failure reported with wnn_cuda_fail naming the kernel.
 * - release() frees what plan() made (state may be NULL).
 * - fuse_activation() (optional, NULL for none) is asked after plan() whether the family applies an
 *   activation that follows the node (a WnnCudaConvAct of cuda_conv.h, with its parameters) to the
 *   node's single output itself; when it returns true, run() writes the activation's result to
 *   out[0] and the executor drops the activation's own step. */
#ifndef WNN_BACKENDS_CUDA_CUDA_OP_H_
#define WNN_BACKENDS_CUDA_CUDA_OP_H_

#include "backends/cuda/cuda_device.h"

typedef struct CudaOpFamily {
    const char* name;
    bool (*supports)(const WnnGraphIR* ir, const WnnNode* node);
    WNNStatus (*plan)(CudaDevice* d, const WnnGraphIR* ir, const WnnNode* node, void** state, size_t* scratchBytes);
    WNNStatus (*run)(CudaDevice* d, const void* state, const void* const* in, void* const* out, void* scratch);
    void (*release)(void* state);
    bool (*fuse_activation)(void* state, int act, float lo, float hi);
} CudaOpFamily;

/* NULL-terminated, in the order the executor asks them (cuda_families.c). */
extern const CudaOpFamily* const wnn_cuda_families[];

/* Element codes the families share: 0 float32, 1 float16, 2 int32, 3 uint32, 4 int64, 5 uint64,
 * 6 int8, 7 uint8 (the order of WnnCudaType). */
typedef enum WnnCudaType {
    WNN_CT_F32, WNN_CT_F16, WNN_CT_I32, WNN_CT_U32, WNN_CT_I64, WNN_CT_U64, WNN_CT_I8, WNN_CT_U8
} WnnCudaType;

static inline int wnn_cuda_type(WNNOperandDataType t) {
    switch (t) {
        case WNNOperandDataType_Float32: return WNN_CT_F32;
        case WNNOperandDataType_Float16: return WNN_CT_F16;
        case WNNOperandDataType_Int32: return WNN_CT_I32;
        case WNNOperandDataType_Uint32: return WNN_CT_U32;
        case WNNOperandDataType_Int64: return WNN_CT_I64;
        case WNNOperandDataType_Uint64: return WNN_CT_U64;
        case WNNOperandDataType_Int8: return WNN_CT_I8;
        case WNNOperandDataType_Uint8: return WNN_CT_U8;
        default: return -1;
    }
}

#endif
