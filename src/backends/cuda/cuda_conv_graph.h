/* cuda_conv_graph.h: y = activation(conv(x, w) + bias), or activation(matmul(x, w) + bias), as one
 * cuDNN backend ("graph") API plan: an operation graph conv_fwd (or matmul) -> pointwise add (bias)
 * -> pointwise activation, the engine configs of the heuristics, the fastest of the first few that
 * finalize (measured on scratch data), and a process-wide cache of that choice so that the same
 * operation is measured once. */
#ifndef WNN_BACKENDS_CUDA_CUDA_CONV_GRAPH_H_
#define WNN_BACKENDS_CUDA_CUDA_CONV_GRAPH_H_

#include <cudnn.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct WnnConvGraph WnnConvGraph;

/* What the plan computes. A convolution's dimensions are in cuDNN's order whatever the memory layout
 * (x: N, C, H, W; w: K, C/groups, R, S; y: N, K, OH, OW); the strides say where the elements are.
 * cuDNN infers the group count from C / (C/groups). A matmul (matmul = 1) uses the first three
 * entries: x [batch, M, K], w [batch, K, N], y [batch, M, N], and its bias has N elements. */
typedef struct WnnConvGraphSpec {
    int matmul;    /* a matmul, not a convolution (the padding, stride and dilation are unused) */
    int half;      /* float16 tensors, else float32; the math is float32 either way */
    int allowTf32; /* float32 may use TF32 tensor cores */
    int64_t x[4], xStride[4];
    int64_t w[4], wStride[4];
    int64_t y[4], yStride[4];
    int64_t prePad[2], postPad[2], stride[2], dilation[2]; /* (H, W) */
    int bias;      /* add a per-channel bias of K elements */
    int act;       /* a WnnCudaConvAct the plan applies (wnn_cuda_conv_graph_can_fuse), or 0 */
    float lo, hi;  /* its parameters, as wnn_cuda_conv_prepare takes them */
    int64_t alignment; /* the byte alignment every data pointer given to run will have */
    int tries;     /* how many plans to time (1: take the first that finalizes) */
    int device;    /* the CUDA ordinal (the cache holds choices per device) */
} WnnConvGraphSpec;

/* cuDNN's (n, c, h, w) dimensions and their element strides in a packed nchw (nhwc = 0) or nhwc
 * tensor; for a filter, (k, c, r, s) in kcrs or krsc. */
void wnn_cuda_graph_dims(int64_t* dims, int64_t* strides, int64_t n, int64_t c, int64_t h, int64_t w, int nhwc);

/* Whether the plan can apply this activation exactly (float32: the ones without transcendental
 * functions, whose accuracy inside cuDNN is not documented; float16: also sigmoid, tanh, gelu, elu). */
bool wnn_cuda_conv_graph_can_fuse(int act, int half);

/* Builds the plan on the handle's device; measures on `stream` (synchronized). Returns
 * CUDNN_STATUS_SUCCESS, or the failing status with `why` naming the call that failed (a shape or
 * pattern no engine supports is a NOT_SUPPORTED status, not a bug). */
cudnnStatus_t wnn_cuda_conv_graph_build(cudnnHandle_t handle, cudaStream_t stream, const WnnConvGraphSpec* spec,
                                        WnnConvGraph** graph, char* why, size_t whySize);
/* The workspace the plan needs (bytes). */
size_t wnn_cuda_conv_graph_workspace(const WnnConvGraph* graph);
/* "engine 12 knobs 2=3,14=1, 0.0412 ms of 8 timed": the chosen plan, for traces. */
const char* wnn_cuda_conv_graph_describe(const WnnConvGraph* graph);
/* Enqueues the plan on the handle's stream (no host synchronisation: capturable into a CUDA graph).
 * bias is ignored unless the spec had one; every pointer must have the spec's alignment. */
cudnnStatus_t wnn_cuda_conv_graph_run(cudnnHandle_t handle, const WnnConvGraph* graph, const void* x, const void* w,
                                      const void* bias, void* y, void* workspace, char* why, size_t whySize);
void wnn_cuda_conv_graph_free(WnnConvGraph* graph);
/* WNN_CUDA_TRACE is set (and not "0"): print which path and engine each conv2d got. */
bool wnn_cuda_conv_tracing(void);

#endif
