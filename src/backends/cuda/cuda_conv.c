/* cuda_conv.c: see cuda_conv.h. float32 runs with CUDNN_FMA_MATH (IEEE float32, no TF32); float16
 * may use tensor cores. The bias is added by our kernel after the convolution. */
#include "backends/cuda/cuda_conv.h"

#include <cudnn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cuda/cuda_kernels.h"
#include "graph/ops/conv.h"

struct CudaConv {
    cudnnTensorDescriptor_t x, y;
    cudnnFilterDescriptor_t w;
    cudnnConvolutionDescriptor_t conv;
    cudnnConvolutionFwdAlgo_t algo;
    void* workspace;
    size_t workspaceBytes;
    int dtype, nhwc;
    int64_t count, cout, inner;
};

static cudnnHandle_t handle_of(CudaDevice* d) { return (cudnnHandle_t)d->dnn; }

/* Filter layouts cuDNN reads as they are: oihw (KCRS) for nchw input, ohwi (KRSC) for nhwc. */
static int filter_matches(const WnnConvAttrs* a) {
    int oihw = a->fo == 0 && a->fi == 1 && a->fh == 2 && a->fw == 3;
    int ohwi = a->fo == 0 && a->fh == 1 && a->fw == 2 && a->fi == 3;
    return a->nhwc ? ohwi : oihw;
}

bool wnn_cuda_conv_supported(const WnnGraphIR* ir, const WnnNode* n) {
    if (n->op != WNN_OP_conv2d) return false;
    const WnnConvAttrs* a = n->attrs;
    if (a->pad[0] != a->pad[1] || a->pad[2] != a->pad[3]) return false;
    return filter_matches(a) || ir->operands[n->inputs[1]].kind == WNN_OPERAND_CONSTANT;
}

void wnn_cuda_conv_free(CudaConv* c) {
    if (!c) return;
    if (c->x) cudnnDestroyTensorDescriptor(c->x);
    if (c->y) cudnnDestroyTensorDescriptor(c->y);
    if (c->w) cudnnDestroyFilterDescriptor(c->w);
    if (c->conv) cudnnDestroyConvolutionDescriptor(c->conv);
    if (c->workspace) cudaFree(c->workspace);
    free(c);
}

#define DNN_TRY(call)                                                                              \
    do {                                                                                           \
        cudnnStatus_t s_ = (call);                                                                 \
        if (s_ != CUDNN_STATUS_SUCCESS) {                                                          \
            wnn_cuda_conv_free(c);                                                                 \
            return wnn_error(WNNStatus_OperationError, "conv2d: %s failed: %s", #call,            \
                             cudnnGetErrorString(s_));                                             \
        }                                                                                          \
    } while (0)

/* The constant filter re-laid out to what cuDNN reads, on the device. */
static WNNStatus relayout_filter(const WnnGraphIR* ir, const WnnNode* n, const WnnConvAttrs* a, void** out) {
    const WnnIrOperand* f = &ir->operands[n->inputs[1]];
    size_t esize = wnn_type_size(f->desc.type), count = (size_t)wnn_desc_numel(&f->desc);
    char* host = malloc(esize * count + 1);
    if (!host) return wnn_error(WNNStatus_OutOfMemory, "conv2d: out of memory");
    uint32_t cin = a->cin / a->groups;
    for (uint32_t o = 0; o < a->cout; o++)
        for (uint32_t i = 0; i < cin; i++)
            for (uint32_t y = 0; y < a->kh; y++)
                for (uint32_t x = 0; x < a->kw; x++) {
                    uint32_t idx[4];
                    idx[a->fo] = o; idx[a->fi] = i; idx[a->fh] = y; idx[a->fw] = x;
                    size_t src = ((size_t)(idx[0] * f->desc.shape[1] + idx[1]) * f->desc.shape[2] + idx[2]) * f->desc.shape[3] + idx[3];
                    size_t dst = a->nhwc ? (((size_t)o * a->kh + y) * a->kw + x) * cin + i : (((size_t)o * cin + i) * a->kh + y) * a->kw + x;
                    memcpy(host + dst * esize, (const char*)f->data + src * esize, esize);
                }
    cudaError_t e = cudaMalloc(out, esize * count);
    if (e == cudaSuccess) e = cudaMemcpy(*out, host, esize * count, cudaMemcpyHostToDevice);
    free(host);
    return e == cudaSuccess ? WNNStatus_Success : wnn_cuda_fail("conv2d", "upload filter", e);
}

WNNStatus wnn_cuda_conv_prepare(CudaDevice* d, const WnnGraphIR* ir, const WnnNode* n, CudaConv** out, void** filter) {
    *out = NULL;
    *filter = NULL;
    const WnnConvAttrs* a = n->attrs;
    const WnnDesc *in = &ir->operands[n->inputs[0]].desc, *od = &ir->operands[n->outputs[0]].desc;
    CudaConv* c = calloc(1, sizeof *c);
    if (!c) return wnn_error(WNNStatus_OutOfMemory, "conv2d: out of memory");
    c->dtype = in->type == WNNOperandDataType_Float16;
    c->nhwc = a->nhwc;
    c->count = (int64_t)wnn_desc_numel(od);
    c->cout = a->cout;
    c->inner = a->nhwc ? 1 : (int64_t)od->shape[2] * od->shape[3];
    cudnnDataType_t t = c->dtype ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
    cudnnTensorFormat_t fmt = a->nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW;
    int n0 = (int)in->shape[0], h = (int)in->shape[a->nhwc ? 1 : 2], w = (int)in->shape[a->nhwc ? 2 : 3];
    int oh = (int)od->shape[a->nhwc ? 1 : 2], ow = (int)od->shape[a->nhwc ? 2 : 3];
    DNN_TRY(cudnnCreateTensorDescriptor(&c->x));
    DNN_TRY(cudnnCreateTensorDescriptor(&c->y));
    DNN_TRY(cudnnCreateFilterDescriptor(&c->w));
    DNN_TRY(cudnnCreateConvolutionDescriptor(&c->conv));
    DNN_TRY(cudnnSetTensor4dDescriptor(c->x, fmt, t, n0, (int)a->cin, h, w));
    DNN_TRY(cudnnSetTensor4dDescriptor(c->y, fmt, t, n0, (int)a->cout, oh, ow));
    DNN_TRY(cudnnSetFilter4dDescriptor(c->w, t, fmt, (int)a->cout, (int)(a->cin / a->groups), (int)a->kh, (int)a->kw));
    DNN_TRY(cudnnSetConvolution2dDescriptor(c->conv, (int)a->pad[0], (int)a->pad[2], (int)a->strides[0],
                                            (int)a->strides[1], (int)a->dilations[0], (int)a->dilations[1],
                                            CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    DNN_TRY(cudnnSetConvolutionGroupCount(c->conv, (int)a->groups));
    /* float32: FMA math (IEEE) unless the context allows TF32 tensor cores. */
    int tensorOps = c->dtype || d->allowTf32;
    DNN_TRY(cudnnSetConvolutionMathType(c->conv, tensorOps ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH));
    /* Measured choice (cudnnFind...Ex) on random scratch data, falling back to the heuristics. */
    cudnnConvolutionFwdAlgoPerf_t perf[8];
    int found = 0;
    size_t esize = c->dtype ? 2 : 4, limit = (size_t)256 << 20;
    size_t xb = (size_t)wnn_desc_numel(in) * esize, yb = (size_t)c->count * esize,
           wb = (size_t)wnn_desc_numel(&ir->operands[n->inputs[1]].desc) * esize;
    void *sx = NULL, *sy = NULL, *sw = NULL, *sws = NULL;
    if (cudaMalloc(&sx, xb) == cudaSuccess && cudaMalloc(&sy, yb) == cudaSuccess && cudaMalloc(&sw, wb) == cudaSuccess &&
        cudaMalloc(&sws, limit) == cudaSuccess &&
        wnn_cuda_fill_random(c->dtype, sx, (int64_t)(xb / esize), 1, d->stream) == 0 &&
        wnn_cuda_fill_random(c->dtype, sw, (int64_t)(wb / esize), 2, d->stream) == 0 &&
        cudnnSetStream(handle_of(d), d->stream) == CUDNN_STATUS_SUCCESS)
        cudnnFindConvolutionForwardAlgorithmEx(handle_of(d), c->x, sx, c->w, sw, c->conv, c->y, sy, 8, &found, perf, sws, limit);
    cudaStreamSynchronize(d->stream);
    cudaFree(sx);
    cudaFree(sy);
    cudaFree(sw);
    cudaFree(sws);
    cudaGetLastError(); /* a failed scratch allocation only means no measurement */
    if (found == 0)
        DNN_TRY(cudnnGetConvolutionForwardAlgorithm_v7(handle_of(d), c->x, c->w, c->conv, c->y, 8, &found, perf));
    int pick = -1;
    for (int i = 0; i < found && pick < 0; i++)
        if (perf[i].status == CUDNN_STATUS_SUCCESS && perf[i].memory <= limit &&
            (tensorOps || perf[i].mathType != CUDNN_TENSOR_OP_MATH))
            pick = i;
    if (pick < 0) {
        wnn_cuda_conv_free(c);
        return wnn_error(WNNStatus_NotSupportedError, "conv2d: cuDNN offers no algorithm for this shape");
    }
    c->algo = perf[pick].algo;
    if (getenv("WNN_CUDA_TRACE")) /* which algorithm cuDNN's measurement or heuristics chose, and the others */
        for (int i = 0; i < found; i++)
            fprintf(stderr, "conv2d %s cin %u cout %u k %ux%u: algo %d status %d time %.4f ms memory %zu math %d%s\n",
                    c->dtype ? "f16" : "f32", a->cin, a->cout, a->kh, a->kw, (int)perf[i].algo, (int)perf[i].status,
                    perf[i].time, perf[i].memory, (int)perf[i].mathType, i == pick ? "  <- chosen" : "");
    DNN_TRY(cudnnGetConvolutionForwardWorkspaceSize(handle_of(d), c->x, c->w, c->conv, c->y, c->algo, &c->workspaceBytes));
    if (c->workspaceBytes && cudaMalloc(&c->workspace, c->workspaceBytes) != cudaSuccess) {
        wnn_cuda_conv_free(c);
        return wnn_error(WNNStatus_OutOfMemory, "conv2d: cannot allocate a %zu-byte cuDNN workspace", c->workspaceBytes);
    }
    if (!filter_matches(a)) {
        WNNStatus s = relayout_filter(ir, n, a, filter);
        if (s) {
            wnn_cuda_conv_free(c);
            return s;
        }
    }
    *out = c;
    return WNNStatus_Success;
}

WNNStatus wnn_cuda_conv_run(CudaDevice* d, CudaConv* c, const void* x, const void* w, const void* bias, void* y,
                            int activation, float lo, float hi) {
    const float one = 1.0f, zero = 0.0f;
    cudnnStatus_t s = cudnnSetStream(handle_of(d), d->stream);
    if (s == CUDNN_STATUS_SUCCESS)
        s = cudnnConvolutionForward(handle_of(d), &one, c->x, x, c->w, w, c->conv, c->algo, c->workspace,
                                    c->workspaceBytes, &zero, c->y, y);
    if (s != CUDNN_STATUS_SUCCESS)
        return wnn_error(WNNStatus_OperationError, "conv2d: cudnnConvolutionForward failed: %s", cudnnGetErrorString(s));
    if (bias || activation) {
        int e = wnn_cuda_bias_activation(c->dtype, y, bias, c->count, c->cout, c->inner, activation, lo, hi, d->stream);
        if (e) return wnn_cuda_fail("conv2d", "bias and activation kernel", (cudaError_t)e);
    }
    return WNNStatus_Success;
}
