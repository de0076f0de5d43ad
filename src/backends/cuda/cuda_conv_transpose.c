/* cuda_conv_transpose.c: convTranspose2d on the GPU (see cuda_op.h) as cuDNN's backward-data
 * convolution (legacy API): the transposed convolution of x is the gradient of a forward
 * convolution whose output is x. float32 runs with CUDNN_FMA_MATH (IEEE float32, no TF32 unless
 * the context allows it); float16 may use tensor cores, accumulating in float32.
 *
 * cuDNN pads both sides of a dimension alike and finds the output size from the input size, so per
 * spatial dimension it gets a padding p <= padBegin, and computes the output rows from padBegin - p
 * on, in a scratch tensor cropped to ours when that is not exactly our output (asymmetric padding
 * that outputPadding / outputSizes do not make up for). The filter goes to cuDNN's layout (KCRS for
 * nchw: the iohw layout; KRSC for nhwc): a constant once at build, an input at every run. The bias
 * is added by our kernel afterwards. */
#include <cudnn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cuda/cuda_conv.h"
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/cuda_op.h"
#include "graph/ops/conv.h"

#define FIND_WORKSPACE_LIMIT ((size_t)256 << 20)

/* One spatial dimension: cuDNN's padding, the size of its result, and our output's first row in it. */
typedef struct Dim {
    int64_t pad, full, offset;
} Dim;

typedef struct Geometry {
    int64_t n, cin, h, w, cout, oh, ow;
    Dim dim[2];
} Geometry;

/* Per dimension: with p = padBegin - offset, cuDNN computes rows [0, full) where full must satisfy
 * floor((full + 2p - keff) / stride) + 1 = in, i.e. full in [lo, lo + stride) with
 * lo = (in - 1) * stride + keff - 2p; our rows are [offset, offset + out). The largest p that fits
 * (not above keff - 1: padding beyond the filter only makes rows we drop) gives the least to crop. */
static bool plan_dim(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t dil, int64_t pb, int64_t pe, Dim* d) {
    int64_t keff = (k - 1) * dil + 1, extra = out - ((in - 1) * stride + keff - pb - pe);
    if (extra < 0 || extra >= stride) return false; /* the builder's rule; not expected */
    int64_t p = pb;
    if (p > pe + stride - 1 - extra) p = pe + stride - 1 - extra;
    if (p > keff - 1) p = keff - 1;
    int64_t lo = (in - 1) * stride + keff - 2 * p;
    d->pad = p;
    d->offset = pb - p;
    d->full = lo > d->offset + out ? lo : d->offset + out;
    return d->full < lo + stride && d->full <= INT32_MAX && p <= INT32_MAX;
}

static bool geometry(const WnnGraphIR* ir, const WnnNode* n, Geometry* g) {
    const WnnConvAttrs* a = n->attrs;
    const WnnDesc *in = &ir->operands[n->inputs[0]].desc, *out = &ir->operands[n->outputs[0]].desc;
    g->n = in->shape[0];
    g->cin = a->cin;
    g->h = in->shape[a->nhwc ? 1 : 2];
    g->w = in->shape[a->nhwc ? 2 : 3];
    g->cout = a->cout;
    g->oh = out->shape[a->nhwc ? 1 : 2];
    g->ow = out->shape[a->nhwc ? 2 : 3];
    return plan_dim(g->h, g->oh, a->kh, a->strides[0], a->dilations[0], a->pad[0], a->pad[1], &g->dim[0]) &&
           plan_dim(g->w, g->ow, a->kw, a->strides[1], a->dilations[1], a->pad[2], a->pad[3], &g->dim[1]);
}

/* a * b * c * d <= INT32_MAX (each >= 1), without overflow. */
static bool count_fits(int64_t a, int64_t b, int64_t c, int64_t d) {
    return a <= INT32_MAX && b <= INT32_MAX / a && c <= INT32_MAX / (a * b) && d <= INT32_MAX / (a * b * c);
}

static bool supports(const WnnGraphIR* ir, const WnnNode* n) {
    if (n->op != WNN_OP_convTranspose2d || n->attrsSize != sizeof(WnnConvAttrs) || n->inputCount != 3 ||
        n->outputCount != 1 || n->inputs[0] < 0 || n->inputs[1] < 0)
        return false;
    WNNOperandDataType t = ir->operands[n->outputs[0]].desc.type;
    if (t != WNNOperandDataType_Float32 && t != WNNOperandDataType_Float16) return false;
    for (uint32_t i = 0; i < n->inputCount; i++)
        if (n->inputs[i] >= 0 && ir->operands[n->inputs[i]].desc.type != t) return false;
    const WnnConvAttrs* a = n->attrs;
    Geometry g;
    if (a->groups == 0 || a->cin % a->groups || a->cout % a->groups || !geometry(ir, n, &g)) return false;
    /* cuDNN's 4-d descriptors count elements in int */
    return count_fits(g.n, g.cin, g.h, g.w) && count_fits(g.n, g.cout, g.dim[0].full, g.dim[1].full) &&
           wnn_desc_numel(&ir->operands[n->inputs[1]].desc) <= INT32_MAX;
}

typedef struct ConvT {
    cudnnTensorDescriptor_t dy, dx;
    cudnnFilterDescriptor_t w;
    cudnnConvolutionDescriptor_t conv;
    cudnnConvolutionBwdDataAlgo_t algo;
    int dtype;
    size_t workspaceBytes, tempOff, filterOff; /* scratch: workspace at 0, then the cropped result and filter */
    int crop;          /* cuDNN's result goes to the scratch, then cropShape picks our output from it */
    WnnCudaShape cropShape;
    int64_t cropBase;
    int relayout;      /* the filter input is re-laid out at every run (filterShape) */
    WnnCudaShape filterShape;
    int64_t filterCount;
    void* filter;      /* a constant filter, re-laid out at build */
    int64_t count, cout, inner; /* for the bias */
    int act;           /* a fused activation (WnnCudaConvAct), applied with the bias in one kernel */
    float lo, hi;
} ConvT;

static void release(void* state) {
    ConvT* c = state;
    if (!c) return;
    if (c->dy) cudnnDestroyTensorDescriptor(c->dy);
    if (c->dx) cudnnDestroyTensorDescriptor(c->dx);
    if (c->w) cudnnDestroyFilterDescriptor(c->w);
    if (c->conv) cudnnDestroyConvolutionDescriptor(c->conv);
    if (c->filter) cudaFree(c->filter);
    free(c);
}

static size_t take(size_t* total, size_t bytes) {
    size_t at = *total;
    *total += (bytes + 255) & ~(size_t)255;
    return at;
}

/* The filter in cuDNN's layout as a gather from ours: dst shape with the source's strides. */
static void filter_gather(const WnnDesc* f, const WnnConvAttrs* a, WnnCudaShape* s) {
    int64_t stride[4], acc = 1;
    for (int i = 3; i >= 0; i--) {
        stride[i] = acc;
        acc *= f->shape[i];
    }
    const uint32_t nchw[4] = {a->fi, a->fo, a->fh, a->fw}, nhwc[4] = {a->fi, a->fh, a->fw, a->fo};
    const uint32_t* order = a->nhwc ? nhwc : nchw;
    memset(s, 0, sizeof *s);
    s->rank = 4;
    for (int i = 0; i < 4; i++) {
        s->shape[i] = f->shape[order[i]];
        s->strideA[i] = stride[order[i]];
    }
}

/* Whether the filter already is in cuDNN's layout. */
static bool filter_as_is(const WnnConvAttrs* a) { return !a->nhwc && a->fi == 0 && a->fo == 1 && a->fh == 2 && a->fw == 3; }

static WNNStatus upload_filter(const WnnIrOperand* f, const WnnCudaShape* s, void** out) {
    size_t esize = wnn_type_size(f->desc.type), count = (size_t)wnn_desc_numel(&f->desc);
    char* host = malloc(esize * count + 1);
    if (!host) return wnn_error(WNNStatus_OutOfMemory, "convTranspose2d: out of memory");
    for (size_t i = 0; i < count; i++) {
        size_t r = i, src = 0;
        for (int d = 3; d >= 0; d--) {
            src += (r % (size_t)s->shape[d]) * (size_t)s->strideA[d];
            r /= (size_t)s->shape[d];
        }
        memcpy(host + i * esize, (const char*)f->data + src * esize, esize);
    }
    cudaError_t e = cudaMalloc(out, esize * count);
    if (e == cudaSuccess) e = cudaMemcpy(*out, host, esize * count, cudaMemcpyHostToDevice);
    free(host);
    return e == cudaSuccess ? WNNStatus_Success : wnn_cuda_fail("convTranspose2d", "upload filter", e);
}

#define DNN_TRY(call)                                                                                   \
    do {                                                                                                \
        cudnnStatus_t s_ = (call);                                                                      \
        if (s_ != CUDNN_STATUS_SUCCESS) {                                                               \
            release(c);                                                                                 \
            return wnn_error(WNNStatus_OperationError, "convTranspose2d: %s failed: %s", #call,         \
                             cudnnGetErrorString(s_));                                                  \
        }                                                                                               \
    } while (0)

/* The algorithms cuDNN measures on random data (zeros can run faster than real data), or its
 * heuristics when the measurement cannot run. Returns how many are in perf[]. */
static int find_algorithms(CudaDevice* d, const ConvT* c, const Geometry* g, size_t filterCount,
                           cudnnConvolutionBwdDataAlgoPerf_t* perf, int room) {
    cudnnHandle_t h = (cudnnHandle_t)d->dnn;
    size_t esize = c->dtype ? 2 : 4;
    int64_t dyCount = g->n * g->cin * g->h * g->w, dxCount = g->n * g->cout * g->dim[0].full * g->dim[1].full;
    void *dy = NULL, *dx = NULL, *w = NULL, *ws = NULL;
    int found = 0;
    if (cudaMalloc(&dy, (size_t)dyCount * esize) == cudaSuccess && cudaMalloc(&dx, (size_t)dxCount * esize) == cudaSuccess &&
        cudaMalloc(&w, filterCount * esize) == cudaSuccess && cudaMalloc(&ws, FIND_WORKSPACE_LIMIT) == cudaSuccess &&
        wnn_cuda_fill_random(c->dtype, dy, dyCount, 1, d->stream) == 0 &&
        wnn_cuda_fill_random(c->dtype, w, (int64_t)filterCount, 2, d->stream) == 0 &&
        cudnnSetStream(h, d->stream) == CUDNN_STATUS_SUCCESS &&
        cudnnFindConvolutionBackwardDataAlgorithmEx(h, c->w, w, c->dy, dy, c->conv, c->dx, dx, room, &found, perf, ws,
                                                    FIND_WORKSPACE_LIMIT) != CUDNN_STATUS_SUCCESS)
        found = 0;
    cudaStreamSynchronize(d->stream);
    cudaFree(dy);
    cudaFree(dx);
    cudaFree(w);
    cudaFree(ws);
    cudaGetLastError(); /* a failed scratch allocation only means no measurement */
    if (found == 0 &&
        cudnnGetConvolutionBackwardDataAlgorithm_v7(h, c->w, c->dy, c->conv, c->dx, room, &found, perf) != CUDNN_STATUS_SUCCESS)
        found = 0;
    return found;
}

/* Algorithms that sum the products directly: FFT and Winograd ones round differently, beyond the
 * spec's tolerance at times, so they run only where the context allows reduced float32 precision. */
static bool direct_sum(cudnnConvolutionBwdDataAlgo_t algo) {
    return algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_0 || algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
}

static WNNStatus plan(CudaDevice* d, const WnnGraphIR* ir, const WnnNode* n, void** state, size_t* scratchBytes) {
    const WnnConvAttrs* a = n->attrs;
    const WnnIrOperand* f = &ir->operands[n->inputs[1]];
    Geometry g;
    geometry(ir, n, &g);
    ConvT* c = calloc(1, sizeof *c);
    if (!c) return wnn_error(WNNStatus_OutOfMemory, "convTranspose2d: out of memory");
    c->dtype = f->desc.type == WNNOperandDataType_Float16;
    c->count = g.n * g.cout * g.oh * g.ow;
    c->cout = g.cout;
    c->inner = a->nhwc ? 1 : g.oh * g.ow;
    cudnnDataType_t t = c->dtype ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
    cudnnTensorFormat_t fmt = a->nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW;
    int64_t fh = g.dim[0].full, fw = g.dim[1].full;
    DNN_TRY(cudnnCreateTensorDescriptor(&c->dy));
    DNN_TRY(cudnnCreateTensorDescriptor(&c->dx));
    DNN_TRY(cudnnCreateFilterDescriptor(&c->w));
    DNN_TRY(cudnnCreateConvolutionDescriptor(&c->conv));
    /* the forward convolution this is the gradient of: x is its output, ours its input */
    DNN_TRY(cudnnSetTensor4dDescriptor(c->dy, fmt, t, (int)g.n, (int)g.cin, (int)g.h, (int)g.w));
    DNN_TRY(cudnnSetTensor4dDescriptor(c->dx, fmt, t, (int)g.n, (int)g.cout, (int)fh, (int)fw));
    DNN_TRY(cudnnSetFilter4dDescriptor(c->w, t, fmt, (int)g.cin, (int)(g.cout / a->groups), (int)a->kh, (int)a->kw));
    DNN_TRY(cudnnSetConvolution2dDescriptor(c->conv, (int)g.dim[0].pad, (int)g.dim[1].pad, (int)a->strides[0],
                                            (int)a->strides[1], (int)a->dilations[0], (int)a->dilations[1],
                                            CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    DNN_TRY(cudnnSetConvolutionGroupCount(c->conv, (int)a->groups));
    int tensorOps = c->dtype || d->allowTf32, reduced = !c->dtype && d->allowTf32;
    DNN_TRY(cudnnSetConvolutionMathType(c->conv, tensorOps ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH));
    size_t filterCount = (size_t)wnn_desc_numel(&f->desc), esize = c->dtype ? 2 : 4;
    cudnnConvolutionBwdDataAlgoPerf_t perf[8];
    int found = find_algorithms(d, c, &g, filterCount, perf, 8), pick = -1;
    for (int i = 0; i < found && pick < 0; i++)
        if (perf[i].status == CUDNN_STATUS_SUCCESS && perf[i].memory <= FIND_WORKSPACE_LIMIT &&
            (tensorOps || perf[i].mathType != CUDNN_TENSOR_OP_MATH) && (reduced || direct_sum(perf[i].algo)))
            pick = i;
    if (pick < 0) {
        release(c);
        return wnn_error(WNNStatus_NotSupportedError, "convTranspose2d: cuDNN offers no algorithm for this shape");
    }
    c->algo = perf[pick].algo;
    if (getenv("WNN_CUDA_TRACE"))
        fprintf(stderr, "convTranspose2d %s cin %lld cout %lld k %ux%u: algo %d time %.4f ms memory %zu math %d\n",
                c->dtype ? "f16" : "f32", (long long)g.cin, (long long)g.cout, a->kh, a->kw, (int)c->algo,
                perf[pick].time, perf[pick].memory, (int)perf[pick].mathType);
    DNN_TRY(cudnnGetConvolutionBackwardDataWorkspaceSize((cudnnHandle_t)d->dnn, c->w, c->dy, c->conv, c->dx, c->algo,
                                                         &c->workspaceBytes));
    size_t total = 0;
    take(&total, c->workspaceBytes);
    c->crop = g.dim[0].offset || g.dim[1].offset || fh != g.oh || fw != g.ow;
    if (c->crop) {
        c->tempOff = take(&total, (size_t)(g.n * g.cout * fh * fw) * esize);
        WnnCudaShape* s = &c->cropShape;
        s->rank = 4;
        int64_t shape[4] = {g.n, g.cout, g.oh, g.ow}, stride[4] = {g.cout * fh * fw, fh * fw, fw, 1};
        if (a->nhwc) {
            int64_t sh[4] = {g.n, g.oh, g.ow, g.cout}, st[4] = {fh * fw * g.cout, fw * g.cout, g.cout, 1};
            memcpy(shape, sh, sizeof sh);
            memcpy(stride, st, sizeof st);
        }
        memcpy(s->shape, shape, sizeof shape);
        memcpy(s->strideA, stride, sizeof stride);
        c->cropBase = (g.dim[0].offset * fw + g.dim[1].offset) * (a->nhwc ? g.cout : 1);
    }
    if (!filter_as_is(a)) {
        WnnCudaShape s;
        filter_gather(&f->desc, a, &s);
        if (f->kind == WNN_OPERAND_CONSTANT && f->data) {
            WNNStatus st = upload_filter(f, &s, &c->filter);
            if (st) {
                release(c);
                return st;
            }
        } else {
            c->relayout = 1;
            c->filterShape = s;
            c->filterCount = (int64_t)filterCount;
            c->filterOff = take(&total, filterCount * esize);
        }
    }
    *scratchBytes = total;
    *state = c;
    return WNNStatus_Success;
}

static WNNStatus run(CudaDevice* d, const void* state, const void* const* in, void* const* out, void* scratch) {
    const ConvT* c = state;
    char* base = scratch;
    const void* w = c->filter ? c->filter : in[1];
    if (c->relayout) {
        int e = wnn_cuda_expand(c->dtype, in[1], base + c->filterOff, &c->filterShape, c->filterCount, d->stream);
        if (e) return wnn_cuda_fail("convTranspose2d", "filter layout kernel", (cudaError_t)e);
        w = base + c->filterOff;
    }
    void* y = c->crop ? base + c->tempOff : out[0];
    const float one = 1.0f, zero = 0.0f;
    cudnnHandle_t h = (cudnnHandle_t)d->dnn;
    cudnnStatus_t s = cudnnSetStream(h, d->stream);
    if (s == CUDNN_STATUS_SUCCESS)
        s = cudnnConvolutionBackwardData(h, &one, c->w, w, c->dy, in[0], c->conv, c->algo,
                                         c->workspaceBytes ? scratch : NULL, c->workspaceBytes, &zero, c->dx, y);
    if (s != CUDNN_STATUS_SUCCESS)
        return wnn_error(WNNStatus_OperationError, "convTranspose2d: cudnnConvolutionBackwardData failed: %s",
                         cudnnGetErrorString(s));
    if (c->crop) {
        int e = wnn_cuda_expand(c->dtype, (const char*)y + c->cropBase * (c->dtype ? 2 : 4), out[0], &c->cropShape,
                                c->count, d->stream);
        if (e) return wnn_cuda_fail("convTranspose2d", "crop kernel", (cudaError_t)e);
    }
    return wnn_cuda_bias_act(d, c->dtype, out[0], in[2], c->count, c->cout, c->inner, c->act, c->lo, c->hi);
}

static bool fuse_activation(void* state, int act, float lo, float hi) {
    ConvT* c = state;
    c->act = act;
    c->lo = lo;
    c->hi = hi;
    return true;
}

const CudaOpFamily wnn_cuda_family_conv_transpose = {"convTranspose2d", supports, plan, run, release, fuse_activation};
