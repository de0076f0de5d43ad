/* cuda_matmul.h: matmul and gemm through cuBLASLt, with a bias (and relu) epilogue fused in, or
 * through a cuDNN graph when a following activation is fused too.
 * Operands in cuBLAS's column-major view, as cuda_exec.c plans them: D (m x n, ldc) = alpha *
 * op(A) op(B) [+ bias per row of D] [relu], batched with strides. float32 math is IEEE float32
 * (CUBLAS_COMPUTE_32F) unless the context allows TF32. */
#ifndef WNN_BACKENDS_CUDA_CUDA_MATMUL_H_
#define WNN_BACKENDS_CUDA_CUDA_MATMUL_H_

#include "backends/cuda/cuda_device.h"

typedef enum { WNN_LT_NONE = 0, WNN_LT_BIAS = 1, WNN_LT_RELU_BIAS = 2 } WnnLtEpilogue;

typedef struct CudaLtShape {
    int dtype; /* 0 float32, 1 float16 */
    int m, n, k, lda, ldb, ldc, transA, transB, batch;
    long long strideA, strideB, strideC;
    WnnLtEpilogue epilogue;
    const void* bias; /* device pointer (fixed: a constant), m elements */
} CudaLtShape;

typedef struct CudaLt CudaLt;

/* Descriptors and the algorithm (cuBLASLt's heuristic); NotSupportedError when cuBLASLt has none. */
WNNStatus wnn_cuda_lt_prepare(CudaDevice* d, const CudaLtShape* shape, CudaLt** lt);
WNNStatus wnn_cuda_lt_run(CudaDevice* d, const CudaLt* lt, const void* a, const void* b, void* out, float alpha);
void wnn_cuda_lt_free(CudaLt* lt);
/* float16 matmul / gemm (alpha 1) + the shape's bias (if any) + an activation (a WnnCudaConvAct
 * with its parameters) as one cuDNN graph (cuda_conv_graph.c). *graph is set only when cuDNN has a plan
 * that applies the activation exactly and it measured faster on scratch data than `lt` (may be
 * NULL) followed by our activation kernel; otherwise it stays NULL and nothing fails. */
typedef struct CudaMmGraph CudaMmGraph;
WNNStatus wnn_cuda_mm_graph_prepare(CudaDevice* d, const CudaLtShape* shape, const CudaLt* lt, int act, float lo,
                                    float hi, CudaMmGraph** graph);
/* Same operands as wnn_cuda_lt_run (a: cuBLAS's first operand), bias the shape's; every pointer
 * 16-byte aligned. */
WNNStatus wnn_cuda_mm_graph_run(CudaDevice* d, const CudaMmGraph* graph, const void* a, const void* b,
                                const void* bias, void* out);
void wnn_cuda_mm_graph_free(CudaMmGraph* graph);
/* The device's cuBLASLt handle and workspace, released with the device. */
void wnn_cuda_lt_device_free(CudaDevice* d);

#endif
