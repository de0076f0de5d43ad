/* cuda_eltwise_ext.h: the kernels of the eltwise_ext family (cuda_eltwise_ext.cu), callable from C:
 * the element-wise ops and types the executor's built-in path lacks (comparisons, logical ops, tests,
 * sign, roundEven, where, cast, prelu, quantize / dequantize, integer arithmetic on every type).
 * Semantics are the CPU kernels' (k_eltwise.c, eltwise_engine.c, k_quantize.c): floats compute in
 * double and round once on store, integers in int64 (uint64 for uint64) and wrap on store, float to
 * integer truncates and saturates with NaN -> 0. */
#ifndef WNN_BACKENDS_CUDA_CUDA_ELTWISE_EXT_H_
#define WNN_BACKENDS_CUDA_CUDA_ELTWISE_EXT_H_

#include <stdint.h>

#include "backends/cuda/cuda_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WNN_EXT_MAX_INPUTS 3

/* Element types: WnnCudaType's codes (cuda_op.h, which CUDA C++ cannot include; checked in
 * cuda_eltwise_ext.c). */
enum { WNN_EXT_T_F32, WNN_EXT_T_F16, WNN_EXT_T_I32, WNN_EXT_T_U32, WNN_EXT_T_I64, WNN_EXT_T_U64, WNN_EXT_T_I8,
       WNN_EXT_T_U8 };

typedef enum WnnExtOp {
    /* binary arithmetic: output of the inputs' type */
    WNN_EXT_ADD, WNN_EXT_SUB, WNN_EXT_MUL, WNN_EXT_DIV, WNN_EXT_MAX, WNN_EXT_MIN, WNN_EXT_POW, WNN_EXT_PRELU,
    /* unary: output of the input's type */
    WNN_EXT_ABS, WNN_EXT_NEG, WNN_EXT_SIGN, WNN_EXT_RELU, WNN_EXT_IDENTITY, WNN_EXT_CLAMP, WNN_EXT_ROUND_EVEN,
    /* predicates: uint8 0 / 1 output */
    WNN_EXT_EQUAL, WNN_EXT_NOT_EQUAL, WNN_EXT_GREATER, WNN_EXT_GREATER_OR_EQUAL, WNN_EXT_LESSER,
    WNN_EXT_LESSER_OR_EQUAL, WNN_EXT_LOGICAL_AND, WNN_EXT_LOGICAL_OR, WNN_EXT_LOGICAL_XOR, WNN_EXT_LOGICAL_NOT,
    WNN_EXT_IS_NAN, WNN_EXT_IS_INFINITE,
    /* the rest */
    WNN_EXT_WHERE, WNN_EXT_CAST, WNN_EXT_QUANTIZE, WNN_EXT_DEQUANTIZE
} WnnExtOp;

/* Output shape (size-1 dimensions dropped, neighbours merged where every input allows) and each
 * input's element strides, 0 where it broadcasts. broadcast == 0: every input is laid out like the
 * output, so an element's offset is its index. */
typedef struct WnnExtShape {
    int rank, inputs, broadcast;
    int64_t count;
    int64_t shape[WNN_CUDA_MAX_RANK];
    int64_t stride[WNN_EXT_MAX_INPUTS][WNN_CUDA_MAX_RANK];
} WnnExtShape;

/* quantize / dequantize: the scale (and zero point) element of input element i. mode 0: one for all;
 * 1: one per element (index i); 2: each coordinate of i divided by its block, times the scale's
 * stride (0 where the scale has one element along the dimension). */
typedef struct WnnExtBlocks {
    int rank, mode;
    int64_t count;
    int64_t shape[WNN_CUDA_MAX_RANK]; /* the input's dimensions (merged) */
    int64_t block[WNN_CUDA_MAX_RANK]; /* input elements per scale element */
    int64_t stride[WNN_CUDA_MAX_RANK];
} WnnExtBlocks;

/* One node, planned. type: the element type whose domain decides the arithmetic (input 0; where's
 * values; quantize's float input; dequantize's integer input); outType: the output's. */
typedef struct WnnExtPlan {
    int op, type, outType;
    WnnExtShape shape;   /* every op but quantize / dequantize */
    WnnExtBlocks blocks; /* quantize / dequantize */
    double lo, hi;       /* clamp bounds for float types (-inf / +inf when absent) */
    int64_t ilo, ihi;    /* for the int64 domain (every integer type but uint64) */
    uint64_t ulo, uhi;   /* for uint64 */
} WnnExtPlan;

/* Enqueues the node's kernel on `stream`: in[] the node's inputs, out its output. Returns the launch's
 * cudaError_t as an int (cudaErrorInvalidValue for a combination without a kernel). */
int wnn_cuda_ext_launch(const WnnExtPlan* p, const void* const* in, void* out, void* stream);

#ifdef __cplusplus
}
#endif

#endif
