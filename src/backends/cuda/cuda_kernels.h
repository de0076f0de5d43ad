/* cuda_kernels.h: launchers of the CUDA backend's own kernels (cuda_kernels.cu), callable from C.
 * Every launcher enqueues on `stream` and returns the launch's cudaError_t as an int. */
#ifndef WNN_BACKENDS_CUDA_CUDA_KERNELS_H_
#define WNN_BACKENDS_CUDA_CUDA_KERNELS_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WNN_CUDA_MAX_RANK 8

/* Element-wise kernels: dtype 0 = float32, 1 = float16. */
typedef enum WnnCudaEltOp {
    WNN_CU_ADD, WNN_CU_SUB, WNN_CU_MUL, WNN_CU_DIV, WNN_CU_MAX, WNN_CU_MIN, WNN_CU_POW,
    WNN_CU_ABS, WNN_CU_CEIL, WNN_CU_COS, WNN_CU_ERF, WNN_CU_EXP, WNN_CU_FLOOR, WNN_CU_LOG, WNN_CU_NEG,
    WNN_CU_RECIPROCAL, WNN_CU_SIN, WNN_CU_SQRT, WNN_CU_TAN, WNN_CU_IDENTITY, WNN_CU_RELU, WNN_CU_SIGMOID,
    WNN_CU_TANH, WNN_CU_GELU, WNN_CU_SOFTPLUS, WNN_CU_SOFTSIGN, WNN_CU_HARDSWISH, WNN_CU_ELU,
    WNN_CU_LEAKYRELU, WNN_CU_LINEAR, WNN_CU_HARDSIGMOID, WNN_CU_CLAMP
} WnnCudaEltOp;

/* Output shape and, per input, element strides (0 on broadcast dimensions). */
typedef struct WnnCudaShape {
    int rank;
    int64_t shape[WNN_CUDA_MAX_RANK];
    int64_t strideA[WNN_CUDA_MAX_RANK];
    int64_t strideB[WNN_CUDA_MAX_RANK];
} WnnCudaShape;

int wnn_cuda_eltwise(int op, int dtype, const void* a, const void* b, void* out, const WnnCudaShape* shape,
                     int64_t count, float alpha, float beta, void* stream);
/* A chain of float element-wise ops in one pass (cuda_exec.c fuses runs of them): the value starts
 * as input 0 at the output coordinate, each op applies to it with, for binary ops, one operand:
 * another input (broadcast through its strides) or the running value itself (operand -1). */
#define WNN_CUDA_FUSED_MAX_OPS 8
#define WNN_CUDA_FUSED_MAX_INPUTS 5
typedef struct WnnCudaFusedOp {
    int op;          /* WnnCudaEltOp */
    int operand;     /* binary ops: input index, or -1 = the running value; unary: unused */
    int runningLeft; /* binary ops: the running value is the left operand */
    float alpha, beta;
} WnnCudaFusedOp;
typedef struct WnnCudaFused {
    int rank, inputCount, opCount;
    int broadcast; /* some input is not laid out like the output (else offsets are the index) */
    int64_t shape[WNN_CUDA_MAX_RANK];
    int64_t strides[WNN_CUDA_FUSED_MAX_INPUTS][WNN_CUDA_MAX_RANK];
    WnnCudaFusedOp ops[WNN_CUDA_FUSED_MAX_OPS];
} WnnCudaFused;
int wnn_cuda_fused_eltwise(int dtype, const void* const* inputs, void* out, const WnnCudaFused* f, int64_t count,
                           void* stream);

/* Integer element-wise ops (add, sub, mul, max, min, abs, neg, relu, identity, clamp to [lo, hi]):
 * idtype 0 = int32, 1 = int8, 2 = uint8; computed in 64 bits, wrapping on store. */
int wnn_cuda_eltwise_int(int op, int idtype, const void* a, const void* b, void* out, const WnnCudaShape* shape,
                         int64_t count, int64_t lo, int64_t hi, void* stream);

/* In place: data[i] += bias[(i / inner) % channels] (bias may be NULL), then the unary element-wise
 * op `op` (a WnnCudaEltOp: WNN_CU_IDENTITY for none) with its alpha and beta. NCHW has inner = H*W,
 * NHWC inner = 1. */
int wnn_cuda_bias_activation(int dtype, void* data, const void* bias, int64_t count, int64_t channels, int64_t inner,
                             int op, float alpha, float beta, void* stream);

/* Broadcast copy (expand) of src into dst with the shape's strideA. */
int wnn_cuda_expand(int dtype, const void* src, void* dst, const WnnCudaShape* shape, int64_t count, void* stream);

#ifdef __cplusplus
}
#endif

#endif

#ifdef __cplusplus
extern "C" {
#endif
/* Softmax along an axis: rows = outer * inner rows of `len` elements spaced `inner` apart. */
int wnn_cuda_softmax(int dtype, const void* x, void* y, int64_t outer, int64_t len, int64_t inner, void* stream);
/* Layer normalization over the trailing `len` elements of each of `rows` rows; scale/bias may be NULL. */
int wnn_cuda_layernorm(int dtype, const void* x, const void* scale, const void* bias, void* y, int64_t rows,
                       int64_t len, float epsilon, void* stream);
/* Pools: kind 0 average (excluding padding), 1 max, 2 L2; dims n, c, h, w, oh, ow; nhwc layout flag. */
typedef struct WnnCudaPool {
    int kind, nhwc;
    int64_t n, c, h, w, oh, ow;
    int window[2], pad[2], strides[2], dilations[2];
} WnnCudaPool;
int wnn_cuda_pool(int dtype, const void* x, void* y, const WnnCudaPool* p, void* stream);
/* Keeps the stream busy for about `ns` nanoseconds: queued before a timed region, it lets the host
 * enqueue the timed work ahead of the GPU, so that the events measure GPU time, not launch gaps. */
int wnn_cuda_spin(int64_t ns, void* stream);
/* Fills with pseudo-random values in [-1, 1) (scratch data for measuring algorithms: zeros can run
 * faster than real data). */
int wnn_cuda_fill_random(int dtype, void* p, int64_t count, uint64_t seed, void* stream);
/* Copies `batch` images of `pixels` pixels from src (srcC channels) to dst (dstC channels), each side
 * NCHW or NHWC: channels dst has beyond src's are zeros, channels src has beyond dst's are dropped
 * (a float16 conv on channels padded to a multiple of 8 runs this in and out). */
int wnn_cuda_repack_channels(int dtype, const void* src, void* dst, int64_t batch, int64_t pixels, int srcC, int dstC,
                             int srcNchw, int dstNchw, void* stream);
#ifdef __cplusplus
}
#endif
