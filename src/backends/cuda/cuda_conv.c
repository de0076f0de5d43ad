/* cuda_conv.c: see cuda_conv.h. Two paths:
 * - graph (cuda_conv_graph.c): one cuDNN plan for conv (+ bias) (+ activation), as much of it as
 *   cuDNN fuses exactly; our kernels apply the rest after it, in place;
 * - legacy (cudnnConvolutionForward, then our bias/activation kernels): when no graph plan
 *   finalizes, or WNN_CUDA_CONV=legacy. Built beside a graph plan (with the heuristics' algorithm,
 *   not measured), it also serves pointers without the plan's 16-byte alignment (imported memory).
 * float32 is IEEE float32 (no TF32) unless the context allows TF32; float16 may use tensor cores and
 * accumulates in float32. */
#include "backends/cuda/cuda_conv.h"

#include <cudnn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cuda/cuda_conv_graph.h"
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/cuda_timing.h"
#include "graph/ops/conv.h"

#define GRAPH_ALIGNMENT 16 /* bytes the plan may assume of every pointer (cudaMalloc gives 256) */
#define DEFAULT_TRIES 8    /* graph plans timed per convolution (WNN_CUDA_CONV_TRIES) */
#define MEASURE_LIMIT ((size_t)256 << 20)

/* The legacy API's descriptors. It pads both sides alike, so asymmetric padding runs as a
 * convolution with the begin padding grown by whole strides until it covers the end padding into
 * `wide`; y is the window of it that the requested padding gives. */
typedef struct Legacy {
    cudnnTensorDescriptor_t x, y;
    cudnnFilterDescriptor_t w;
    cudnnConvolutionDescriptor_t conv;
    cudnnConvolutionFwdAlgo_t algo;
    size_t workspaceBytes;
    void* wide;          /* NULL when the padding is symmetric (y is written directly) */
    WnnCudaShape window; /* y's shape with wide's strides */
    int64_t windowBase;  /* element offset of y's first element in wide */
} Legacy;

typedef struct Padded {
    WnnConvGraph* graph;
    int graphBias, graphAct;
    int64_t batch, inPixels, outPixels, cin, cinPad, cout, coutPad;
    void *xPad, *yPad, *wPad, *bPad;
    int biasIsInput; /* the bias is copied into bPad at each run (a constant is uploaded once) */
} Padded;

struct CudaConv {
    int dtype, nhwc, hasBias;
    int act; /* WnnCudaConvAct */
    float lo, hi;
    int64_t count, cout, inner; /* y's elements; bias index = (i / inner) % cout */
    WnnConvGraph* graph;
    int graphBias, graphAct; /* what the plan applies itself */
    WnnConvGraph* plain;     /* a conv-only plan (bias and activation by our kernels), timed against graph */
    Legacy* legacy;
    void* workspace; /* for either path (one runs at a time) */
    size_t workspaceBytes;
    int preferLegacy; /* both paths exist and the legacy one measured faster (e.g. depthwise) */
    /* A filter given as a graph input in a layout cuDNN does not read: re-laid out into filterCopy
     * at each run (the expand kernel with the permuting strides of filterShape). */
    void* filterCopy;
    WnnCudaShape filterShape;
    int64_t filterCount;
    /* The padded path (float16, one group, a constant filter): x repacked to NHWC with its channels
     * rounded up to a multiple of 8 (cuDNN's fast tensor-core engines need that alignment; for
     * 100 channels they run 1.8x faster), a plan on the padded shapes with a zero-padded filter and
     * bias, y repacked back. xPad / yPad are NULL where x / y can be used as they are. */
    Padded* padded;
    int usePadded; /* measured faster than the other paths, or WNN_CUDA_CONV=padded */
};

static cudnnHandle_t handle_of(CudaDevice* d) { return (cudnnHandle_t)d->dnn; }

static const char* const kActNames[WNN_CONV_ACT_COUNT] = {
    [WNN_CONV_ACT_NONE] = "", [WNN_CONV_ACT_RELU] = "relu", [WNN_CONV_ACT_CLAMP] = "clamp",
    [WNN_CONV_ACT_SIGMOID] = "sigmoid", [WNN_CONV_ACT_TANH] = "tanh", [WNN_CONV_ACT_LEAKY_RELU] = "leakyRelu",
    [WNN_CONV_ACT_GELU] = "gelu", [WNN_CONV_ACT_HARD_SWISH] = "hardSwish", [WNN_CONV_ACT_ELU] = "elu",
    [WNN_CONV_ACT_SOFTPLUS] = "softplus", [WNN_CONV_ACT_HARD_SIGMOID] = "hardSigmoid"};
/* Our element-wise kernel for each activation, run with alpha = lo, beta = hi. */
static const int kActOps[WNN_CONV_ACT_COUNT] = {
    [WNN_CONV_ACT_NONE] = WNN_CU_IDENTITY, [WNN_CONV_ACT_RELU] = WNN_CU_RELU, [WNN_CONV_ACT_CLAMP] = WNN_CU_CLAMP,
    [WNN_CONV_ACT_SIGMOID] = WNN_CU_SIGMOID, [WNN_CONV_ACT_TANH] = WNN_CU_TANH,
    [WNN_CONV_ACT_LEAKY_RELU] = WNN_CU_LEAKYRELU, [WNN_CONV_ACT_GELU] = WNN_CU_GELU,
    [WNN_CONV_ACT_HARD_SWISH] = WNN_CU_HARDSWISH, [WNN_CONV_ACT_ELU] = WNN_CU_ELU,
    [WNN_CONV_ACT_SOFTPLUS] = WNN_CU_SOFTPLUS, [WNN_CONV_ACT_HARD_SIGMOID] = WNN_CU_HARDSIGMOID};

/* Filter layouts cuDNN reads as they are: oihw (KCRS) for nchw input, ohwi (KRSC) for nhwc. */
static int filter_matches(const WnnConvAttrs* a) {
    int oihw = a->fo == 0 && a->fi == 1 && a->fh == 2 && a->fw == 3;
    int ohwi = a->fo == 0 && a->fh == 1 && a->fw == 2 && a->fi == 3;
    return a->nhwc ? ohwi : oihw;
}

bool wnn_cuda_conv_supported(const WnnGraphIR* ir, const WnnNode* n) {
    (void)ir; /* every filter layout: constants re-laid out at build, inputs at each run */
    return n->op == WNN_OP_conv2d;
}

static void legacy_free(Legacy* l) {
    if (!l) return;
    if (l->x) cudnnDestroyTensorDescriptor(l->x);
    if (l->y) cudnnDestroyTensorDescriptor(l->y);
    if (l->w) cudnnDestroyFilterDescriptor(l->w);
    if (l->conv) cudnnDestroyConvolutionDescriptor(l->conv);
    if (l->wide) cudaFree(l->wide);
    free(l);
}

static void padded_free(Padded* p) {
    if (!p) return;
    wnn_cuda_conv_graph_free(p->graph);
    void* bufs[4] = {p->xPad, p->yPad, p->wPad, p->bPad};
    for (int i = 0; i < 4; i++)
        if (bufs[i]) cudaFree(bufs[i]);
    free(p);
}

void wnn_cuda_conv_free(CudaConv* c) {
    if (!c) return;
    wnn_cuda_conv_graph_free(c->graph);
    wnn_cuda_conv_graph_free(c->plain);
    legacy_free(c->legacy);
    if (c->workspace) cudaFree(c->workspace);
    if (c->filterCopy) cudaFree(c->filterCopy);
    padded_free(c->padded);
    free(c);
}

#define DNN_TRY(call)                                                                              \
    do {                                                                                           \
        cudnnStatus_t s_ = (call);                                                                 \
        if (s_ != CUDNN_STATUS_SUCCESS)                                                            \
            return wnn_error(WNNStatus_OperationError, "conv2d: %s failed: %s", #call,            \
                             cudnnGetErrorString(s_));                                             \
    } while (0)

/* A graph-input filter: the expand kernel's view that reads it in cuDNN's layout (oihw for nchw,
 * ohwi for nhwc), and the device memory it is copied into at each run. */
static WNNStatus plan_filter_copy(const WnnGraphIR* ir, const WnnNode* n, const WnnConvAttrs* a, CudaConv* c) {
    const WnnDesc* f = &ir->operands[n->inputs[1]].desc;
    int64_t stride[4], acc = 1;
    for (int d = 3; d >= 0; d--) {
        stride[d] = acc;
        acc *= f->shape[d];
    }
    const uint32_t order[2][4] = {{a->fo, a->fi, a->fh, a->fw}, {a->fo, a->fh, a->fw, a->fi}};
    memset(&c->filterShape, 0, sizeof c->filterShape);
    c->filterShape.rank = 4;
    for (int t = 0; t < 4; t++) {
        c->filterShape.shape[t] = f->shape[order[a->nhwc][t]];
        c->filterShape.strideA[t] = stride[order[a->nhwc][t]];
    }
    c->filterCount = (int64_t)wnn_desc_numel(f);
    cudaError_t e = cudaMalloc(&c->filterCopy, (size_t)wnn_desc_bytes(f) + 1);
    return e == cudaSuccess ? WNNStatus_Success : wnn_cuda_fail("conv2d", "cudaMalloc (filter copy)", e);
}

/* The constant filter on the device in cuDNN's oihw (nhwc = 0) or ohwi (nhwc = 1) layout, with
 * cinTo input and coutTo output channels (zeros past the filter's own). */
static WNNStatus upload_filter(const WnnGraphIR* ir, const WnnNode* n, const WnnConvAttrs* a, int nhwc, size_t cinTo,
                               size_t coutTo, void** out) {
    const WnnIrOperand* f = &ir->operands[n->inputs[1]];
    size_t esize = wnn_type_size(f->desc.type), count = coutTo * cinTo * a->kh * a->kw;
    char* host = calloc(count + 1, esize);
    if (!host) return wnn_error(WNNStatus_OutOfMemory, "conv2d: out of memory");
    uint32_t cin = a->cin / a->groups;
    for (uint32_t o = 0; o < a->cout; o++)
        for (uint32_t i = 0; i < cin; i++)
            for (uint32_t y = 0; y < a->kh; y++)
                for (uint32_t x = 0; x < a->kw; x++) {
                    uint32_t idx[4];
                    idx[a->fo] = o; idx[a->fi] = i; idx[a->fh] = y; idx[a->fw] = x;
                    size_t src = ((size_t)(idx[0] * f->desc.shape[1] + idx[1]) * f->desc.shape[2] + idx[2]) * f->desc.shape[3] + idx[3];
                    size_t dst = nhwc ? (((size_t)o * a->kh + y) * a->kw + x) * cinTo + i
                                      : (((size_t)o * cinTo + i) * a->kh + y) * a->kw + x;
                    memcpy(host + dst * esize, (const char*)f->data + src * esize, esize);
                }
    cudaError_t e = cudaMalloc(out, esize * count);
    if (e == cudaSuccess) {
        e = cudaMemcpy(*out, host, esize * count, cudaMemcpyHostToDevice);
        if (e != cudaSuccess) {
            cudaFree(*out);
            *out = NULL;
        }
    }
    free(host);
    return e == cudaSuccess ? WNNStatus_Success : wnn_cuda_fail("conv2d", "upload filter", e);
}

static WNNStatus relayout_filter(const WnnGraphIR* ir, const WnnNode* n, const WnnConvAttrs* a, void** out) {
    return upload_filter(ir, n, a, a->nhwc, a->cin / a->groups, a->cout, out);
}

/* ---- the legacy path ---- */

/* FFT and Winograd: not for IEEE float32 (as excluded() in cuda_conv_graph.c). */
static bool transform_algo(cudnnConvolutionFwdAlgo_t a) {
    return a == CUDNN_CONVOLUTION_FWD_ALGO_FFT || a == CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING ||
           a == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD || a == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED;
}

/* Descriptors, algorithm (measured with cudnnFindConvolutionForwardAlgorithmEx on scratch data when
 * `measure`, else the heuristics' first usable one), workspace size, and for asymmetric padding the
 * wide output buffer. */
static WNNStatus legacy_prepare(CudaDevice* d, const WnnGraphIR* ir, const WnnNode* n, CudaConv* c, int measure) {
    const WnnConvAttrs* a = n->attrs;
    const WnnDesc *in = &ir->operands[n->inputs[0]].desc, *od = &ir->operands[n->outputs[0]].desc;
    Legacy* l = calloc(1, sizeof *l);
    if (!l) return wnn_error(WNNStatus_OutOfMemory, "conv2d: out of memory");
    c->legacy = l;
    cudnnDataType_t t = c->dtype ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
    cudnnTensorFormat_t fmt = a->nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW;
    int n0 = (int)in->shape[0], k = (int)a->cout, pad[2], wide[2], off[2];
    int size[2] = {(int)in->shape[a->nhwc ? 1 : 2], (int)in->shape[a->nhwc ? 2 : 3]};
    int out[2] = {(int)od->shape[a->nhwc ? 1 : 2], (int)od->shape[a->nhwc ? 2 : 3]};
    for (int i = 0; i < 2; i++) {
        /* Output row r of the requested convolution reads input rows from r * s - begin; row
         * r + off of the wide one from (r + off) * s - pad, the same when pad = begin + off * s. */
        int begin = (int)a->pad[2 * i], end = (int)a->pad[2 * i + 1], s = (int)a->strides[i];
        int span = (int)(((i ? a->kw : a->kh) - 1) * a->dilations[i] + 1);
        off[i] = end > begin ? (end - begin + s - 1) / s : 0;
        pad[i] = begin + off[i] * s;
        wide[i] = (size[i] + 2 * pad[i] - span) / s + 1; /* >= off + out: pad >= end */
    }
    DNN_TRY(cudnnCreateTensorDescriptor(&l->x));
    DNN_TRY(cudnnCreateTensorDescriptor(&l->y));
    DNN_TRY(cudnnCreateFilterDescriptor(&l->w));
    DNN_TRY(cudnnCreateConvolutionDescriptor(&l->conv));
    DNN_TRY(cudnnSetTensor4dDescriptor(l->x, fmt, t, n0, (int)a->cin, size[0], size[1]));
    DNN_TRY(cudnnSetTensor4dDescriptor(l->y, fmt, t, n0, k, wide[0], wide[1]));
    DNN_TRY(cudnnSetFilter4dDescriptor(l->w, t, fmt, k, (int)(a->cin / a->groups), (int)a->kh, (int)a->kw));
    DNN_TRY(cudnnSetConvolution2dDescriptor(l->conv, pad[0], pad[1], (int)a->strides[0], (int)a->strides[1],
                                            (int)a->dilations[0], (int)a->dilations[1], CUDNN_CROSS_CORRELATION,
                                            CUDNN_DATA_FLOAT));
    DNN_TRY(cudnnSetConvolutionGroupCount(l->conv, (int)a->groups));
    /* float32: FMA math (IEEE) unless the context allows TF32 tensor cores. */
    int tensorOps = c->dtype || d->allowTf32;
    DNN_TRY(cudnnSetConvolutionMathType(l->conv, tensorOps ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH));
    cudnnConvolutionFwdAlgoPerf_t perf[8];
    int found = 0;
    size_t esize = c->dtype ? 2 : 4, wideBytes = (size_t)n0 * (size_t)k * (size_t)wide[0] * (size_t)wide[1] * esize;
    if (measure) { /* on random scratch data; a failure here only means the heuristics decide */
        size_t xb = (size_t)wnn_desc_numel(in) * esize, wb = (size_t)wnn_desc_numel(&ir->operands[n->inputs[1]].desc) * esize;
        void *sx = NULL, *sy = NULL, *sw = NULL, *sws = NULL;
        if (cudaMalloc(&sx, xb) == cudaSuccess && cudaMalloc(&sy, wideBytes) == cudaSuccess &&
            cudaMalloc(&sw, wb) == cudaSuccess && cudaMalloc(&sws, MEASURE_LIMIT) == cudaSuccess &&
            wnn_cuda_fill_random(c->dtype, sx, (int64_t)(xb / esize), 1, d->stream) == 0 &&
            wnn_cuda_fill_random(c->dtype, sw, (int64_t)(wb / esize), 2, d->stream) == 0 &&
            cudnnSetStream(handle_of(d), d->stream) == CUDNN_STATUS_SUCCESS &&
            cudnnFindConvolutionForwardAlgorithmEx(handle_of(d), l->x, sx, l->w, sw, l->conv, l->y, sy, 8, &found, perf,
                                                   sws, MEASURE_LIMIT) != CUDNN_STATUS_SUCCESS)
            found = 0;
        cudaStreamSynchronize(d->stream);
        cudaFree(sx);
        cudaFree(sy);
        cudaFree(sw);
        cudaFree(sws);
        cudaGetLastError();
    }
    if (found == 0)
        DNN_TRY(cudnnGetConvolutionForwardAlgorithm_v7(handle_of(d), l->x, l->w, l->conv, l->y, 8, &found, perf));
    int pick = -1;
    for (int i = 0; i < found && pick < 0; i++)
        if (perf[i].status == CUDNN_STATUS_SUCCESS && perf[i].memory <= MEASURE_LIMIT &&
            (tensorOps || (perf[i].mathType != CUDNN_TENSOR_OP_MATH && !transform_algo(perf[i].algo))))
            pick = i;
    if (pick < 0) return wnn_error(WNNStatus_NotSupportedError, "conv2d: cuDNN offers no algorithm for this shape");
    l->algo = perf[pick].algo;
    if (wnn_cuda_conv_tracing() && measure) /* what cuDNN's measurement or heuristics found */
        for (int i = 0; i < found; i++)
            fprintf(stderr, "[wnn-cuda-conv]   legacy algo %d status %d time %.4f ms memory %zu math %d%s\n",
                    (int)perf[i].algo, (int)perf[i].status, perf[i].time, perf[i].memory, (int)perf[i].mathType,
                    i == pick ? "  <- chosen" : "");
    DNN_TRY(cudnnGetConvolutionForwardWorkspaceSize(handle_of(d), l->x, l->w, l->conv, l->y, l->algo,
                                                    &l->workspaceBytes));
    if (wide[0] != out[0] || wide[1] != out[1]) {
        CUDA_TRY("conv2d", cudaMalloc(&l->wide, wideBytes));
        WnnCudaShape* w = &l->window;
        int64_t n64 = n0, k64 = k, w0 = wide[0], w1 = wide[1], o0 = out[0], o1 = out[1];
        memset(w, 0, sizeof *w);
        w->rank = 4;
        if (a->nhwc) {
            int64_t shape[4] = {n64, o0, o1, k64}, stride[4] = {w0 * w1 * k64, w1 * k64, k64, 1};
            memcpy(w->shape, shape, sizeof shape);
            memcpy(w->strideA, stride, sizeof stride);
            l->windowBase = ((int64_t)off[0] * w1 + off[1]) * k64;
        } else {
            int64_t shape[4] = {n64, k64, o0, o1}, stride[4] = {k64 * w0 * w1, w0 * w1, w1, 1};
            memcpy(w->shape, shape, sizeof shape);
            memcpy(w->strideA, stride, sizeof stride);
            l->windowBase = (int64_t)off[0] * w1 + off[1];
        }
    }
    return WNNStatus_Success;
}

/* What the plan did not apply (the bias, the activation) in one kernel. */
static WNNStatus finish(CudaDevice* d, const CudaConv* c, void* y, const void* bias, int biasDone, int actDone) {
    return wnn_cuda_bias_act(d, c->dtype, y, biasDone ? NULL : bias, c->count, c->cout, c->inner,
                             actDone ? WNN_CONV_ACT_NONE : c->act, c->lo, c->hi);
}

WNNStatus wnn_cuda_bias_act(CudaDevice* d, int dtype, void* y, const void* bias, int64_t count, int64_t channels,
                            int64_t inner, int act, float lo, float hi) {
    if (act < WNN_CONV_ACT_NONE || act >= WNN_CONV_ACT_COUNT) act = WNN_CONV_ACT_NONE;
    if (!bias && act == WNN_CONV_ACT_NONE) return WNNStatus_Success;
    int e = wnn_cuda_bias_activation(dtype, y, bias, count, channels, inner, kActOps[act], lo, hi, d->stream);
    return e ? wnn_cuda_fail(act ? kActNames[act] : "bias", "bias and activation kernel", (cudaError_t)e)
             : WNNStatus_Success;
}

WNNStatus wnn_cuda_activation(CudaDevice* d, int dtype, void* y, int64_t count, int act, float lo, float hi) {
    return wnn_cuda_bias_act(d, dtype, y, NULL, count, 1, 1, act, lo, hi);
}

static WNNStatus legacy_run(CudaDevice* d, const CudaConv* c, const void* x, const void* w, const void* bias, void* y) {
    const Legacy* l = c->legacy;
    const float one = 1.0f, zero = 0.0f;
    cudnnStatus_t s = cudnnConvolutionForward(handle_of(d), &one, l->x, x, l->w, w, l->conv, l->algo, c->workspace,
                                              c->workspaceBytes, &zero, l->y, l->wide ? l->wide : y);
    if (s != CUDNN_STATUS_SUCCESS)
        return wnn_error(WNNStatus_OperationError, "conv2d: cudnnConvolutionForward failed: %s", cudnnGetErrorString(s));
    if (l->wide) {
        size_t esize = c->dtype ? 2 : 4;
        int e = wnn_cuda_expand(c->dtype, (const char*)l->wide + (size_t)l->windowBase * esize, y, &l->window, c->count,
                                d->stream);
        if (e) return wnn_cuda_fail("conv2d", "window copy (expand kernel)", (cudaError_t)e);
    }
    return finish(d, c, y, bias, 0, 0);
}

/* ---- the graph path ---- */


static int tries_setting(void) {
    const char* t = getenv("WNN_CUDA_CONV_TRIES");
    int v = t ? atoi(t) : DEFAULT_TRIES;
    return v < 1 ? 1 : v;
}

/* The spec of node n's convolution with cin / cout channels in the given layout (the padded path
 * asks for more channels than the node has, in nhwc). */
static void conv_spec(CudaDevice* d, const CudaConv* c, const WnnGraphIR* ir, const WnnNode* n, int64_t cin,
                      int64_t cout, int nhwc, WnnConvGraphSpec* sp) {
    const WnnConvAttrs* a = n->attrs;
    const WnnDesc *in = &ir->operands[n->inputs[0]].desc, *od = &ir->operands[n->outputs[0]].desc;
    int h = a->nhwc ? 1 : 2, w = a->nhwc ? 2 : 3;
    memset(sp, 0, sizeof *sp);
    sp->half = c->dtype;
    sp->allowTf32 = d->allowTf32;
    sp->lo = c->lo;
    sp->hi = c->hi;
    sp->alignment = GRAPH_ALIGNMENT;
    sp->tries = tries_setting();
    sp->device = d->ordinal;
    wnn_cuda_graph_dims(sp->x, sp->xStride, in->shape[0], cin, in->shape[h], in->shape[w], nhwc);
    wnn_cuda_graph_dims(sp->w, sp->wStride, cout, cin / a->groups, a->kh, a->kw, nhwc); /* as filter_matches */
    wnn_cuda_graph_dims(sp->y, sp->yStride, od->shape[0], cout, od->shape[h], od->shape[w], nhwc);
    for (int i = 0; i < 2; i++) {
        sp->prePad[i] = a->pad[2 * i];
        sp->postPad[i] = a->pad[2 * i + 1];
        sp->stride[i] = a->strides[i];
        sp->dilation[i] = a->dilations[i];
    }
}

/* The most fused plan that finalizes, from conv + bias + activation down to the conv alone (cuDNN
 * may run a convolution but not its fusion); NULL when none does. *bias / *act say what it applies. */
static WnnConvGraph* most_fused_plan(CudaDevice* d, const CudaConv* c, WnnConvGraphSpec* sp, int* bias, int* act,
                                     const char* label) {
    int fusable = wnn_cuda_conv_graph_can_fuse(c->act, c->dtype) ? c->act : 0;
    const int rungs[3][2] = {{c->hasBias, fusable}, {c->hasBias, 0}, {0, 0}};
    for (int r = 0; r < 3; r++) {
        if (r > 0 && rungs[r][0] == rungs[r - 1][0] && rungs[r][1] == rungs[r - 1][1]) continue;
        sp->bias = rungs[r][0];
        sp->act = rungs[r][1];
        char why[384];
        WnnConvGraph* g = NULL;
        if (wnn_cuda_conv_graph_build(handle_of(d), d->stream, sp, &g, why, sizeof why) == CUDNN_STATUS_SUCCESS) {
            *bias = sp->bias;
            *act = sp->act;
            return g;
        }
        if (wnn_cuda_conv_tracing())
            fprintf(stderr, "[wnn-cuda-conv] %s: no graph plan for conv%s%s%s: %s\n", label, sp->bias ? "+bias" : "",
                    sp->act ? "+" : "", kActNames[sp->act], why);
    }
    return NULL;
}

/* c->graph: the most fused plan; with a fusion, c->plain too: fused engines are a subset of the
 * conv engines, so a conv-only plan plus our bias / activation kernel can win (pick_faster times
 * them). c->graph stays NULL when no plan finalizes. */
static void graph_prepare(CudaDevice* d, const WnnGraphIR* ir, const WnnNode* n, CudaConv* c, const char* label) {
    const WnnConvAttrs* a = n->attrs;
    WnnConvGraphSpec sp;
    conv_spec(d, c, ir, n, a->cin, a->cout, a->nhwc, &sp);
    c->graph = most_fused_plan(d, c, &sp, &c->graphBias, &c->graphAct, label);
    if (c->graph && (c->graphBias || c->graphAct)) {
        char why[384];
        sp.bias = sp.act = 0;
        if (wnn_cuda_conv_graph_build(handle_of(d), d->stream, &sp, &c->plain, why, sizeof why) != CUDNN_STATUS_SUCCESS)
            c->plain = NULL;
    }
}

/* ---- the padded path ---- */

static int64_t round8(int64_t v) { return (v + 7) / 8 * 8; }

/* Whether the padded path is a candidate: float16 (float32 engines gained nothing from it when
 * measured), one group, a constant filter, and something to gain: unaligned channels or an nchw
 * tensor (the fast engines read nhwc). */
static bool padded_candidate(const CudaConv* c, const WnnGraphIR* ir, const WnnNode* n) {
    const WnnConvAttrs* a = n->attrs;
    return c->dtype && a->groups == 1 && ir->operands[n->inputs[1]].kind == WNN_OPERAND_CONSTANT &&
           ir->operands[n->inputs[1]].data && (!a->nhwc || a->cin % 8 || a->cout % 8);
}

/* Plans the padded path into c->padded (left NULL when cuDNN has no plan for it). Fails only on
 * device errors. */
static WNNStatus padded_prepare(CudaDevice* d, const WnnGraphIR* ir, const WnnNode* n, CudaConv* c, const char* label) {
    const WnnConvAttrs* a = n->attrs;
    const WnnDesc *in = &ir->operands[n->inputs[0]].desc, *od = &ir->operands[n->outputs[0]].desc;
    Padded* p = calloc(1, sizeof *p);
    if (!p) return wnn_error(WNNStatus_OutOfMemory, "conv2d: out of memory");
    p->batch = in->shape[0];
    p->inPixels = (int64_t)in->shape[a->nhwc ? 1 : 2] * in->shape[a->nhwc ? 2 : 3];
    p->outPixels = (int64_t)od->shape[a->nhwc ? 1 : 2] * od->shape[a->nhwc ? 2 : 3];
    p->cin = a->cin;
    p->cout = a->cout;
    p->cinPad = round8(a->cin);
    p->coutPad = round8(a->cout);
    WnnConvGraphSpec sp;
    conv_spec(d, c, ir, n, p->cinPad, p->coutPad, 1, &sp);
    p->graph = most_fused_plan(d, c, &sp, &p->graphBias, &p->graphAct, label);
    if (!p->graph) {
        free(p);
        return WNNStatus_Success;
    }
    c->padded = p;
    WNNStatus s = upload_filter(ir, n, a, 1, (size_t)p->cinPad, (size_t)p->coutPad, &p->wPad);
    size_t es = 2;
    cudaError_t e = cudaSuccess;
    if (!s && (a->nhwc == 0 || p->cin != p->cinPad))
        e = cudaMalloc(&p->xPad, (size_t)(p->batch * p->inPixels * p->cinPad) * es);
    if (!s && e == cudaSuccess && (a->nhwc == 0 || p->cout != p->coutPad))
        e = cudaMalloc(&p->yPad, (size_t)(p->batch * p->outPixels * p->coutPad) * es);
    if (!s && e == cudaSuccess && p->graphBias) {
        const WnnIrOperand* b = &ir->operands[n->inputs[2]];
        p->biasIsInput = b->kind != WNN_OPERAND_CONSTANT || !b->data;
        e = cudaMalloc(&p->bPad, (size_t)p->coutPad * es);
        if (e == cudaSuccess) e = cudaMemset(p->bPad, 0, (size_t)p->coutPad * es);
        if (e == cudaSuccess && !p->biasIsInput) e = cudaMemcpy(p->bPad, b->data, (size_t)p->cout * es, cudaMemcpyHostToDevice);
    }
    if (!s && e != cudaSuccess) s = wnn_cuda_fail("conv2d", "cudaMalloc/cudaMemcpy (padded path)", e);
    return s;
}

static WNNStatus padded_run(CudaDevice* d, const CudaConv* c, const void* x, const void* bias, void* y) {
    const Padded* p = c->padded;
    int e = 0;
    if (p->xPad) {
        e = wnn_cuda_repack_channels(1, x, p->xPad, p->batch, p->inPixels, (int)p->cin, (int)p->cinPad, !c->nhwc, 0,
                                     d->stream);
        if (e) return wnn_cuda_fail("conv2d", "channel repack kernel (input)", (cudaError_t)e);
        x = p->xPad;
    }
    if (p->graphBias && p->biasIsInput && bias)
        CUDA_TRY("conv2d", cudaMemcpyAsync(p->bPad, bias, (size_t)p->cout * 2, cudaMemcpyDeviceToDevice, d->stream));
    char why[384];
    void* out = p->yPad ? p->yPad : y;
    if (wnn_cuda_conv_graph_run(handle_of(d), p->graph, x, p->wPad, p->bPad, out, c->workspace, why, sizeof why) !=
        CUDNN_STATUS_SUCCESS)
        return wnn_error(WNNStatus_OperationError, "conv2d: %s", why);
    if (p->yPad) {
        e = wnn_cuda_repack_channels(1, p->yPad, y, p->batch, p->outPixels, (int)p->coutPad, (int)p->cout, 0, !c->nhwc,
                                     d->stream);
        if (e) return wnn_cuda_fail("conv2d", "channel repack kernel (output)", (cudaError_t)e);
    }
    return finish(d, c, y, bias, p->graphBias, p->graphAct);
}

/* "f16 nhwc x[1,100,100,100] 3x3 100->100 groups 1 pad [1,1,1,1] strides [1,1] dilations [1,1] +bias +relu" */
static void describe(const CudaConv* c, const WnnGraphIR* ir, const WnnNode* n, char* out, size_t size) {
    const WnnConvAttrs* a = n->attrs;
    const WnnDesc* in = &ir->operands[n->inputs[0]].desc;
    snprintf(out, size, "conv2d %s %s x[%u,%u,%u,%u] %ux%u %u->%u groups %u pad [%u,%u,%u,%u] strides [%u,%u] "
             "dilations [%u,%u]%s%s%s", c->dtype ? "f16" : "f32", a->nhwc ? "nhwc" : "nchw", in->shape[0], in->shape[1],
             in->shape[2], in->shape[3], a->kh, a->kw, a->cin, a->cout, a->groups, a->pad[0], a->pad[1], a->pad[2],
             a->pad[3], a->strides[0], a->strides[1], a->dilations[0], a->dilations[1], c->hasBias ? " +bias" : "",
             c->act ? " +" : "", kActNames[c->act]);
}

/* ---- the contract ---- */

enum { PATH_GRAPH, PATH_LEGACY, PATH_PLAIN, PATH_PADDED };

/* One run of a path: the fused graph plan, the legacy algorithm, the plain graph plan or the
 * padded path, each with what it leaves to our kernels. */
static WNNStatus run_path(CudaDevice* d, const CudaConv* c, int path, const void* x, const void* w, const void* bias,
                          void* y) {
    if (path == PATH_LEGACY) return legacy_run(d, c, x, w, bias, y);
    if (path == PATH_PADDED) return padded_run(d, c, x, bias, y);
    int fused = path == PATH_GRAPH;
    char why[384];
    if (wnn_cuda_conv_graph_run(handle_of(d), fused ? c->graph : c->plain, x, w, fused ? bias : NULL, y, c->workspace,
                                why, sizeof why) != CUDNN_STATUS_SUCCESS)
        return wnn_error(WNNStatus_OperationError, "conv2d: %s", why);
    return finish(d, c, y, bias, fused ? c->graphBias : 0, fused ? c->graphAct : 0);
}

/* One run of a path on scratch data (wnn_cuda_time_gpu's callback). */
typedef struct TimedPath {
    CudaDevice* d;
    const CudaConv* c;
    int path;
    void* const* buf; /* x, w, bias, y */
} TimedPath;

static bool run_timed_path(void* arg) {
    const TimedPath* t = arg;
    return run_path(t->d, t->c, t->path, t->buf[0], t->buf[1], t->c->hasBias ? t->buf[2] : NULL, t->buf[3]) ==
           WNNStatus_Success;
}

static float time_path(CudaDevice* d, const CudaConv* c, int path, void* const* buf) {
    TimedPath t = {d, c, path, buf};
    return wnn_cuda_time_gpu(d->stream, run_timed_path, &t);
}

/* WNN_CUDA_CONV=padded: the padded path wherever it is a candidate (tests of that path). */
static bool padded_forced(void) {
    const char* mode = getenv("WNN_CUDA_CONV");
    return mode && strcmp(mode, "padded") == 0;
}

/* Times the paths that exist (fused graph plan, plain plan + our kernels, legacy algorithm, padded
 * path) on random data and keeps the fastest: cuDNN's graph engines lose to the legacy API on some
 * shapes (depthwise convolutions, for one). Only measuring errors fail the build. */
static WNNStatus pick_faster(CudaDevice* d, const WnnGraphIR* ir, const WnnNode* n, CudaConv* c, const char* label) {
    size_t es = c->dtype ? 2 : 4;
    size_t bytes[4] = {(size_t)wnn_desc_bytes(&ir->operands[n->inputs[0]].desc),
                       (size_t)wnn_desc_bytes(&ir->operands[n->inputs[1]].desc), (size_t)c->cout * es,
                       (size_t)c->count * es};
    void* buf[4] = {NULL, NULL, NULL, NULL};
    WNNStatus s = WNNStatus_Success;
    cudaSetDevice(d->ordinal);
    for (int i = 0; i < 4 && !s; i++) {
        cudaError_t e = cudaMalloc(&buf[i], bytes[i] ? bytes[i] : 1);
        if (e == cudaSuccess) e = (cudaError_t)wnn_cuda_fill_random(c->dtype, buf[i], (int64_t)(bytes[i] / es), 7 + i, d->stream);
        if (e != cudaSuccess) s = wnn_cuda_fail("conv2d", "cudaMalloc (timing scratch)", e);
    }
    if (!s && cudnnSetStream(handle_of(d), d->stream) != CUDNN_STATUS_SUCCESS)
        s = wnn_error(WNNStatus_OperationError, "conv2d: cudnnSetStream failed");
    if (!s) {
        float g = c->graph ? time_path(d, c, PATH_GRAPH, buf) : -1.0f;
        float l = c->legacy ? time_path(d, c, PATH_LEGACY, buf) : -1.0f;
        float p = c->plain ? time_path(d, c, PATH_PLAIN, buf) : -1.0f;
        if (p > 0 && (g < 0 || p < 0.97f * g)) { /* the plain plan and our kernels beat the fused plan */
            wnn_cuda_conv_graph_free(c->graph);
            c->graph = c->plain;
            c->graphBias = c->graphAct = 0;
            c->plain = NULL;
            g = p;
        }
        c->preferLegacy = l > 0 && (g < 0 || l < 0.97f * g);
        float best = c->preferLegacy ? l : g;
        float q = c->padded ? time_path(d, c, PATH_PADDED, buf) : -1.0f;
        c->usePadded = q > 0 && (best < 0 || q < 0.97f * best || padded_forced());
        if (wnn_cuda_conv_tracing())
            fprintf(stderr, "[wnn-cuda-conv] %s: fused graph %.4f ms, plain graph %.4f ms, legacy %.4f ms, padded %.4f ms"
                    " -> %s\n", label, g, p, l, q, c->usePadded ? "padded" : c->preferLegacy ? "legacy"
                    : c->graphBias || c->graphAct || !c->hasBias ? "graph" : "plain graph");
    }
    if (!c->usePadded) { /* its buffers are not needed */
        padded_free(c->padded);
        c->padded = NULL;
    }
    wnn_cuda_conv_graph_free(c->plain);
    c->plain = NULL;
    cudaGetLastError();
    cudaStreamSynchronize(d->stream);
    for (int i = 0; i < 4; i++) cudaFree(buf[i]);
    return s;
}

WNNStatus wnn_cuda_conv_prepare(CudaDevice* d, const WnnGraphIR* ir, const WnnNode* n, int activation, float lo,
                                float hi, CudaConv** out, void** filter) {
    *out = NULL;
    *filter = NULL;
    if (activation < 0 || activation >= WNN_CONV_ACT_COUNT)
        return wnn_error(WNNStatus_NotSupportedError, "conv2d: unknown fused activation %d", activation);
    const WnnConvAttrs* a = n->attrs;
    const WnnDesc* od = &ir->operands[n->outputs[0]].desc;
    CudaConv* c = calloc(1, sizeof *c);
    if (!c) return wnn_error(WNNStatus_OutOfMemory, "conv2d: out of memory");
    c->dtype = ir->operands[n->inputs[0]].desc.type == WNNOperandDataType_Float16;
    c->nhwc = a->nhwc;
    c->hasBias = n->inputCount > 2 && n->inputs[2] >= 0;
    c->act = activation;
    c->lo = lo;
    c->hi = hi;
    c->count = (int64_t)wnn_desc_numel(od);
    c->cout = a->cout;
    c->inner = a->nhwc ? 1 : (int64_t)od->shape[2] * od->shape[3];
    bool trace = wnn_cuda_conv_tracing();
    char label[256];
    describe(c, ir, n, label, sizeof label);
    const char* mode = getenv("WNN_CUDA_CONV"); /* "legacy": the legacy path only (A/B measurements) */
    bool legacyOnly = mode && strcmp(mode, "legacy") == 0;
    if (!legacyOnly) graph_prepare(d, ir, n, c, label);
    WNNStatus s = WNNStatus_Success;
    if (!c->graph) {
        s = legacy_prepare(d, ir, n, c, 1);
    } else if (a->pad[0] == a->pad[1] && a->pad[2] == a->pad[3]) {
        /* The fallback for unaligned pointers, and a candidate: measured, then timed against the
         * graph plan below (not for asymmetric padding: its wide buffer would double the output's
         * memory for a case imported memory alone can reach). */
        WNNStatus f = legacy_prepare(d, ir, n, c, 1);
        if (f) {
            if (trace) fprintf(stderr, "[wnn-cuda-conv] %s: no legacy fallback for unaligned pointers (status %d)\n", label, (int)f);
            legacy_free(c->legacy);
            c->legacy = NULL;
        }
    }
    if (!s && !legacyOnly && padded_candidate(c, ir, n)) s = padded_prepare(d, ir, n, c, label);
    size_t ws = c->graph ? wnn_cuda_conv_graph_workspace(c->graph) : 0;
    if (c->padded && wnn_cuda_conv_graph_workspace(c->padded->graph) > ws) ws = wnn_cuda_conv_graph_workspace(c->padded->graph);
    if (c->plain && wnn_cuda_conv_graph_workspace(c->plain) > ws) ws = wnn_cuda_conv_graph_workspace(c->plain);
    if (c->legacy && c->legacy->workspaceBytes > ws) ws = c->legacy->workspaceBytes;
    if (!s && ws) {
        cudaError_t e = cudaMalloc(&c->workspace, ws);
        if (e == cudaSuccess) c->workspaceBytes = ws;
        else s = wnn_error(WNNStatus_OutOfMemory, "conv2d: cannot allocate a %zu-byte cuDNN workspace", ws);
    }
    if (!s && !filter_matches(a))
        s = ir->operands[n->inputs[1]].kind == WNN_OPERAND_CONSTANT ? relayout_filter(ir, n, a, filter)
                                                                    : plan_filter_copy(ir, n, a, c);
    if (!s && ((c->graph && (c->legacy || c->plain)) || c->padded)) s = pick_faster(d, ir, n, c, label);
    if (s) {
        wnn_cuda_conv_free(c);
        return s;
    }
    if (trace) {
        if (c->usePadded)
            fprintf(stderr, "[wnn-cuda-conv] %s: padded nhwc %lld->%lld channels, graph conv%s%s%s, %s\n", label,
                    (long long)c->padded->cin, (long long)c->padded->cinPad, c->padded->graphBias ? "+bias" : "",
                    c->padded->graphAct ? "+" : "", kActNames[c->padded->graphAct],
                    wnn_cuda_conv_graph_describe(c->padded->graph));
        else if (c->graph)
            fprintf(stderr, "[wnn-cuda-conv] %s: %sgraph conv%s%s%s, %s; workspace %zu bytes%s\n", label,
                    c->preferLegacy ? "legacy (measured faster) over " : "",
                    c->graphBias ? "+bias" : "", c->graphAct ? "+" : "", kActNames[c->graphAct],
                    wnn_cuda_conv_graph_describe(c->graph), ws, c->legacy ? "" : "; no unaligned fallback");
        else
            fprintf(stderr, "[wnn-cuda-conv] %s: legacy algo %d%s; workspace %zu bytes\n", label, (int)c->legacy->algo,
                    c->legacy->wide ? " (asymmetric padding through a wide output)" : "", ws);
    }
    *out = c;
    return WNNStatus_Success;
}

static bool aligned(const void* p) { return ((uintptr_t)p & (GRAPH_ALIGNMENT - 1)) == 0; }

WNNStatus wnn_cuda_conv_run(CudaDevice* d, CudaConv* c, const void* x, const void* w, const void* bias, void* y) {
    if (c->filterCopy) {
        int e = wnn_cuda_expand(c->dtype, w, c->filterCopy, &c->filterShape, c->filterCount, d->stream);
        if (e) return wnn_cuda_fail("conv2d", "filter re-layout (expand kernel)", (cudaError_t)e);
        w = c->filterCopy;
    }
    cudnnStatus_t s = cudnnSetStream(handle_of(d), d->stream);
    if (s != CUDNN_STATUS_SUCCESS)
        return wnn_error(WNNStatus_OperationError, "conv2d: cudnnSetStream failed: %s", cudnnGetErrorString(s));
    bool fit = aligned(x) && aligned(bias) && aligned(y);
    if (c->usePadded && fit) return run_path(d, c, PATH_PADDED, x, w, bias, y);
    if (c->graph && !c->preferLegacy && fit && aligned(w) && (bias || !c->graphBias))
        return run_path(d, c, PATH_GRAPH, x, w, bias, y);
    if (!c->legacy)
        return wnn_error(WNNStatus_OperationError,
                         "conv2d: an operand is not %d-byte aligned and this convolution (asymmetric padding) has no "
                         "plan for unaligned memory", GRAPH_ALIGNMENT);
    return legacy_run(d, c, x, w, bias, y);
}
