/* cuda_exec.c: graphs on a CUDA device. compile() turns each node into a step (our element-wise
 * kernels, cuBLAS for matmul and gemm), uploads constants and allocates intermediates; dispatch()
 * binds the tensors and enqueues the steps on the context's stream without waiting.
 * At build it also fuses (conv + activation, matmul/gemm + bias (+ relu) as cuBLASLt epilogues, runs
 * of element-wise ops), aliases reshapes, places intermediates in one arena by liveness, and may
 * rewrite float16 NCHW graphs to NHWC (cuda_layout.c); each dispatch replays one captured CUDA graph.
 * Ops outside the built-in steps go to the op families (cuda_op.h); nodes no one runs are placed on
 * the CPU by the partitioner. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cuda/cuda_conv.h"
#include "backends/cuda/cuda_device.h"
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/cuda_layout.h"
#include "backends/cuda/cuda_matmul.h"
#include "backends/cuda/cuda_op.h"
#include "compile/memory_plan.h"
#include "graph/ops/conv.h"
#include "graph/ops/elementwise.h"
#include "graph/ops/movement.h"
#include "graph/ops/reduce.h"

typedef enum { STEP_ELT, STEP_GEMM, STEP_CONV, STEP_COPY, STEP_STRIDED, STEP_CONCAT, STEP_SOFTMAX, STEP_LAYERNORM,
               STEP_POOL, STEP_FAMILY, STEP_FUSED } StepKind;

typedef struct Step {
    StepKind kind;
    int op, dtype;
    float alpha, beta;
    uint32_t a, b, c, out; /* operand ids; UINT32_MAX = none */
    WnnCudaShape shape;
    int64_t count;
    /* gemm / matmul, in cuBLAS's column-major view (C^T = op(B)^T op(A)^T) */
    int m, n, k, lda, ldb, ldc, batch, transA, transB;
    long long strideA, strideB, strideC;
    WnnCudaShape cShape; /* broadcast of gemm's c into the output */
    int64_t base;        /* strided copies: first source element */
    int64_t outer, len, inner; /* softmax, layerNormalization, concat (axis geometry) */
    uint32_t node;       /* the IR node (concat's inputs) */
    CudaConv* conv;
    int activation;   /* conv2d, matmul, gemm: the WnnCudaConvAct of an activation that followed it */
    float actLo, actHi;
    int skip;         /* fused into an earlier step: nothing to run */
    int alias;        /* STEP_COPY (reshape) whose output is its input's memory: no work */
    int integer;      /* element-wise on int32 (0), int8 (1) or uint8 (2) when >= 0; -1 otherwise */
    int64_t ilo, ihi; /* integer clamp bounds */
    WnnCudaPool pool;
    const CudaOpFamily* family; /* STEP_FAMILY: the family that planned the node, its state and scratch */
    void* familyState;
    void* scratch;
    /* matmul whose batch dimensions broadcast: operand a (0) / b (1) expanded to the output's batch
     * first (expanded[i] non-NULL), into memory of the step's own */
    WnnCudaShape expandShape[2];
    int64_t expandCount[2];
    void* expanded[2];
    CudaLt* lt;               /* STEP_GEMM through cuBLASLt, with the epilogue: */
    WnnLtEpilogue epilogue;   /* a bias add (and relu) that followed it */
    uint32_t bias;            /* the bias operand (a constant) */
    CudaMmGraph* mm;          /* STEP_GEMM with `activation`: one cuDNN graph, when it measured faster */
    WnnCudaFused* fused;      /* STEP_FUSED: a run of element-wise steps, reading fusedInputs */
    uint32_t fusedInputs[WNN_CUDA_FUSED_MAX_INPUTS];
} Step;

struct WnnCompiled {
    const WnnGraphIR* ir;
    WnnGraphIR* layoutIr; /* the NHWC rewrite of the graph's IR that ir points to, or NULL */
    uint8_t* layoutOwned;
    Step* steps;
    uint32_t stepCount;
    void** ptr;   /* per operand: device pointer (bound at dispatch for graph inputs and outputs) */
    uint8_t* own; /* per operand: ptr allocated by compile (constants) */
    void* arena;  /* the intermediates, placed by liveness (plan_memory) */
    size_t arenaBytes;
    void** filters; /* per step: a re-laid-out conv filter, or NULL */
    /* The steps captured as one CUDA graph for the tensors bound when it was captured; a dispatch
     * with other tensors captures again. */
    cudaGraphExec_t exec;
    void** capturedPtrs; /* bound input then output pointers of the capture */
    int noCapture;       /* capture failed once (or profiling): launch step by step */
};

#define NONE UINT32_MAX

static int elt_op(WnnOpId op) {
    switch (op) {
        case WNN_OP_add: return WNN_CU_ADD;
        case WNN_OP_sub: return WNN_CU_SUB;
        case WNN_OP_mul: return WNN_CU_MUL;
        case WNN_OP_div: return WNN_CU_DIV;
        case WNN_OP_max: return WNN_CU_MAX;
        case WNN_OP_min: return WNN_CU_MIN;
        case WNN_OP_pow: return WNN_CU_POW;
        case WNN_OP_abs: return WNN_CU_ABS;
        case WNN_OP_ceil: return WNN_CU_CEIL;
        case WNN_OP_cos: return WNN_CU_COS;
        case WNN_OP_erf: return WNN_CU_ERF;
        case WNN_OP_exp: return WNN_CU_EXP;
        case WNN_OP_floor: return WNN_CU_FLOOR;
        case WNN_OP_log: return WNN_CU_LOG;
        case WNN_OP_neg: return WNN_CU_NEG;
        case WNN_OP_reciprocal: return WNN_CU_RECIPROCAL;
        case WNN_OP_sin: return WNN_CU_SIN;
        case WNN_OP_sqrt: return WNN_CU_SQRT;
        case WNN_OP_tan: return WNN_CU_TAN;
        case WNN_OP_identity: return WNN_CU_IDENTITY;
        case WNN_OP_relu: return WNN_CU_RELU;
        case WNN_OP_sigmoid: return WNN_CU_SIGMOID;
        case WNN_OP_tanh: return WNN_CU_TANH;
        case WNN_OP_gelu: return WNN_CU_GELU;
        case WNN_OP_softplus: return WNN_CU_SOFTPLUS;
        case WNN_OP_softsign: return WNN_CU_SOFTSIGN;
        case WNN_OP_hardSwish: return WNN_CU_HARDSWISH;
        case WNN_OP_elu: return WNN_CU_ELU;
        case WNN_OP_leakyRelu: return WNN_CU_LEAKYRELU;
        case WNN_OP_linear: return WNN_CU_LINEAR;
        case WNN_OP_hardSigmoid: return WNN_CU_HARDSIGMOID;
        case WNN_OP_clamp: return WNN_CU_CLAMP;
        default: return -1;
    }
}

static int is_float(WNNOperandDataType t) { return t == WNNOperandDataType_Float32 || t == WNNOperandDataType_Float16; }

/* Batch strides for matmul: the batch dims of x must equal the output's or all be 1. */
static int batch_stride(const WnnDesc* x, const WnnDesc* out, long long matrix, long long* stride) {
    uint64_t n = 1, outN = 1;
    for (uint32_t i = 0; i + 2 < x->rank; i++) n *= x->shape[i];
    for (uint32_t i = 0; i + 2 < out->rank; i++) outN *= out->shape[i];
    if (n == 1) { *stride = 0; return 1; }
    if (n != outN || x->rank != out->rank) return 0;
    for (uint32_t i = 0; i + 2 < x->rank; i++)
        if (x->shape[i] != out->shape[i]) return 0;
    *stride = matrix;
    return 1;
}

/* Integer types the element-wise kernels run: 0 int32, 1 int8, 2 uint8, -1 none. */
static int int_code(WNNOperandDataType t) {
    return t == WNNOperandDataType_Int32 ? 0 : t == WNNOperandDataType_Int8 ? 1 : t == WNNOperandDataType_Uint8 ? 2 : -1;
}

/* Integer element-wise ops on the GPU: every operand of one of those types, and an op with integer meaning. */
static bool int_supported(const WnnGraphIR* ir, const WnnNode* n) {
    static const WnnOpId ops[] = {WNN_OP_add, WNN_OP_sub, WNN_OP_mul, WNN_OP_max, WNN_OP_min, WNN_OP_abs,
                                  WNN_OP_neg, WNN_OP_relu, WNN_OP_identity, WNN_OP_clamp};
    WNNOperandDataType t = ir->operands[n->outputs[0]].desc.type;
    if (int_code(t) < 0) return false;
    for (uint32_t i = 0; i < n->inputCount; i++)
        if (n->inputs[i] >= 0 && ir->operands[n->inputs[i]].desc.type != t) return false;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (ops[i] == n->op) return true;
    return false;
}

static bool builtin_supports(const WnnGraphIR* ir, const WnnNode* n) {
    const WnnDesc* out = &ir->operands[n->outputs[0]].desc;
    if (int_supported(ir, n)) return true;
    if (!is_float(out->type)) return false;
    for (uint32_t i = 0; i < n->inputCount; i++)
        if (n->inputs[i] >= 0 && !is_float(ir->operands[n->inputs[i]].desc.type)) return false;
    if (elt_op(n->op) >= 0) return true;
    switch (n->op) {
        case WNN_OP_conv2d: return wnn_cuda_conv_supported(ir, n);
        case WNN_OP_reshape: case WNN_OP_transpose: case WNN_OP_slice: case WNN_OP_expand: case WNN_OP_concat:
        case WNN_OP_softmax: case WNN_OP_averagePool2d: case WNN_OP_maxPool2d: case WNN_OP_l2Pool2d:
            return true;
        case WNN_OP_layerNormalization: { /* the trailing axes, in order */
            const WnnNormAttrs* a = n->attrs;
            uint32_t rank = ir->operands[n->inputs[0]].desc.rank;
            for (uint32_t i = 0; i < a->axesCount; i++)
                if (a->axes[i] != rank - a->axesCount + i) return false;
            return true;
        }
        default: break;
    }
    return n->op == WNN_OP_matmul || n->op == WNN_OP_gemm; /* broadcast batches are expanded first */
}

static const CudaOpFamily* family_for(const WnnGraphIR* ir, const WnnNode* n) {
    for (const CudaOpFamily* const* f = wnn_cuda_families; *f; f++)
        if ((*f)->supports(ir, n)) return *f;
    return NULL;
}

bool wnn_cuda_supports(WnnDevice* device, const WnnGraphIR* ir, const WnnNode* n) {
    (void)device;
    return builtin_supports(ir, n) || family_for(ir, n) != NULL;
}

/* Output shape with per-input strides (0 where an input broadcasts). */
static void broadcast_shape(const WnnDesc* out, const WnnDesc* a, const WnnDesc* b, WnnCudaShape* s) {
    memset(s, 0, sizeof *s);
    s->rank = (int)out->rank;
    for (uint32_t d = 0; d < out->rank; d++) s->shape[d] = out->shape[d];
    const WnnDesc* ins[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        if (!ins[k]) continue;
        int64_t* st = k ? s->strideB : s->strideA;
        int64_t stride = 1;
        for (uint32_t d = out->rank; d-- > 0;) {
            int32_t id = (int32_t)d - (int32_t)(out->rank - ins[k]->rank);
            if (id < 0) break;
            st[d] = ins[k]->shape[id] == 1 ? 0 : stride;
            stride *= ins[k]->shape[id];
        }
    }
}

static void plan_gemm(Step* st, int M, int N, int K, int aT, int bT) {
    /* Row-major C[M,N] = A B is column-major C^T = B^T A^T: cuBLAS computes (N x M) = op(B') op(A'). */
    st->m = N;
    st->n = M;
    st->k = K;
    st->transB = aT; /* second cuBLAS operand is A */
    st->transA = bT; /* first cuBLAS operand is B */
    st->lda = bT ? K : N;
    st->ldb = aT ? M : K;
    st->ldc = N;
}

/* Elements before, along and after `axis` of `out`. */
static void axis_geometry(const WnnDesc* out, uint32_t axis, Step* st) {
    st->outer = 1;
    st->inner = 1;
    for (uint32_t d = 0; d < axis; d++) st->outer *= out->shape[d];
    for (uint32_t d = axis + 1; d < out->rank; d++) st->inner *= out->shape[d];
    st->len = out->shape[axis];
}

static bool is_row_bias(const WnnGraphIR* ir, uint32_t id, const WnnDesc* out);

/* Operand `which` of a matmul, broadcast to the output's batch dimensions (its own last two kept):
 * the expand kernel's shape and strides; its batch stride becomes one matrix. */
static void plan_expand(Step* st, int which, const WnnDesc* x, const WnnDesc* out, long long* stride) {
    WnnDesc target = *out;
    target.shape[out->rank - 2] = x->shape[x->rank - 2];
    target.shape[out->rank - 1] = x->shape[x->rank - 1];
    broadcast_shape(&target, x, NULL, &st->expandShape[which]);
    st->expandCount[which] = (int64_t)wnn_desc_numel(&target);
    st->expanded[which] = (void*)1; /* allocated by the caller (expand_scratch) */
    *stride = (long long)x->shape[x->rank - 2] * x->shape[x->rank - 1];
}

static WNNStatus make_step(const WnnGraphIR* ir, const WnnNode* n, Step* st) {
    memset(st, 0, sizeof *st);
    const WnnDesc* out = &ir->operands[n->outputs[0]].desc;
    st->dtype = out->type == WNNOperandDataType_Float16;
    st->out = (uint32_t)n->outputs[0];
    st->a = (uint32_t)n->inputs[0];
    st->b = st->c = NONE;
    st->count = (int64_t)wnn_desc_numel(out);
    int eop = elt_op(n->op);
    st->integer = int_code(out->type);
    if (eop >= 0) {
        st->kind = STEP_ELT;
        st->op = eop;
        if (n->inputCount > 1) st->b = (uint32_t)n->inputs[1];
        broadcast_shape(out, &ir->operands[st->a].desc, st->b != NONE ? &ir->operands[st->b].desc : NULL, &st->shape);
        if (n->op == WNN_OP_clamp) {
            const WnnClampAttrs* c = n->attrs;
            st->alpha = c->hasMin ? (float)c->minF : -INFINITY;
            st->beta = c->hasMax ? (float)c->maxF : INFINITY;
            st->ilo = c->hasMin ? c->minI : INT64_MIN;
            st->ihi = c->hasMax ? c->maxI : INT64_MAX;
        } else if (n->attrsSize == sizeof(WnnActivationAttrs)) {
            const WnnActivationAttrs* a = n->attrs;
            st->alpha = (float)a->alpha;
            st->beta = (float)a->beta;
        }
        return WNNStatus_Success;
    }
    const WnnDesc* in0 = &ir->operands[st->a].desc;
    int64_t strides[WNN_CUDA_MAX_RANK];
    for (int64_t d = (int64_t)in0->rank - 1, acc = 1; d >= 0; d--) {
        strides[d] = acc;
        acc *= in0->shape[d];
    }
    st->shape.rank = (int)out->rank;
    for (uint32_t d = 0; d < out->rank; d++) st->shape.shape[d] = out->shape[d];
    switch (n->op) {
        case WNN_OP_reshape: st->kind = STEP_COPY; return WNNStatus_Success;
        case WNN_OP_transpose: {
            const WnnLayoutAttrs* l = n->attrs;
            st->kind = STEP_STRIDED;
            for (uint32_t d = 0; d < out->rank; d++) st->shape.strideA[d] = strides[l->perm[d]];
            return WNNStatus_Success;
        }
        case WNN_OP_slice: {
            const WnnLayoutAttrs* l = n->attrs;
            st->kind = STEP_STRIDED;
            for (uint32_t d = 0; d < out->rank; d++) {
                st->shape.strideA[d] = strides[d] * l->strides[d];
                st->base += (int64_t)l->starts[d] * strides[d];
            }
            return WNNStatus_Success;
        }
        case WNN_OP_expand:
            st->kind = STEP_STRIDED;
            broadcast_shape(out, in0, NULL, &st->shape);
            return WNNStatus_Success;
        case WNN_OP_concat:
            st->kind = STEP_CONCAT;
            axis_geometry(out, ((const WnnAxisAttrs*)n->attrs)->axis, st);
            return WNNStatus_Success;
        case WNN_OP_softmax:
            st->kind = STEP_SOFTMAX;
            axis_geometry(out, ((const WnnNormAttrs*)n->attrs)->axis, st);
            return WNNStatus_Success;
        case WNN_OP_layerNormalization: {
            const WnnNormAttrs* a = n->attrs;
            st->kind = STEP_LAYERNORM;
            st->len = 1;
            for (uint32_t i = 0; i < a->axesCount; i++) st->len *= out->shape[a->axes[i]];
            st->outer = st->count / (st->len ? st->len : 1);
            st->alpha = (float)a->epsilon;
            st->b = n->inputs[1] >= 0 ? (uint32_t)n->inputs[1] : NONE; /* scale */
            st->c = n->inputs[2] >= 0 ? (uint32_t)n->inputs[2] : NONE; /* bias */
            return WNNStatus_Success;
        }
        case WNN_OP_averagePool2d: case WNN_OP_maxPool2d: case WNN_OP_l2Pool2d: {
            const WnnPoolAttrs* a = n->attrs;
            WnnCudaPool* p = &st->pool;
            st->kind = STEP_POOL;
            p->kind = n->op == WNN_OP_averagePool2d ? 0 : n->op == WNN_OP_maxPool2d ? 1 : 2;
            p->nhwc = a->nhwc;
            p->n = in0->shape[0];
            p->c = in0->shape[a->nhwc ? 3 : 1];
            p->h = in0->shape[a->nhwc ? 1 : 2];
            p->w = in0->shape[a->nhwc ? 2 : 3];
            p->oh = out->shape[a->nhwc ? 1 : 2];
            p->ow = out->shape[a->nhwc ? 2 : 3];
            for (int i = 0; i < 2; i++) {
                p->window[i] = (int)a->window[i];
                p->pad[i] = (int)a->pad[2 * i];
                p->strides[i] = (int)a->strides[i];
                p->dilations[i] = (int)a->dilations[i];
            }
            return WNNStatus_Success;
        }
        case WNN_OP_conv2d:
            st->kind = STEP_CONV;
            st->b = (uint32_t)n->inputs[1];
            st->c = n->inputs[2] >= 0 ? (uint32_t)n->inputs[2] : NONE;
            return WNNStatus_Success;
        default: break;
    }
    st->kind = STEP_GEMM;
    st->b = (uint32_t)n->inputs[1];
    const WnnDesc *da = &ir->operands[st->a].desc, *db = &ir->operands[st->b].desc;
    if (n->op == WNN_OP_matmul) {
        int M = (int)out->shape[out->rank - 2], N = (int)out->shape[out->rank - 1], K = (int)da->shape[da->rank - 1];
        plan_gemm(st, M, N, K, 0, 0);
        long long sa = 0, sb = 0;
        if (!batch_stride(da, out, (long long)M * K, &sa)) plan_expand(st, 0, da, out, &sa);
        if (!batch_stride(db, out, (long long)K * N, &sb)) plan_expand(st, 1, db, out, &sb);
        st->strideA = sb; /* cuBLAS's first operand is B */
        st->strideB = sa;
        st->strideC = (long long)M * N;
        st->batch = (int)(st->count / ((int64_t)M * N));
        st->alpha = 1;
        st->beta = 0;
        return WNNStatus_Success;
    }
    const WnnGemmAttrs* g = n->attrs;
    int M = (int)out->shape[0], N = (int)out->shape[1], K = g->aTranspose ? (int)da->shape[0] : (int)da->shape[1];
    plan_gemm(st, M, N, K, g->aTranspose, g->bTranspose);
    st->batch = 1;
    st->alpha = (float)g->alpha;
    st->beta = 0;
    if (n->inputCount > 2 && n->inputs[2] >= 0) {
        uint32_t cid = (uint32_t)n->inputs[2];
        if (g->beta == 1.0 && is_row_bias(ir, cid, out)) { /* a bias row: cuBLASLt's bias epilogue */
            st->epilogue = WNN_LT_BIAS;
            st->bias = cid;
            return WNNStatus_Success;
        }
        st->c = cid;
        st->beta = (float)g->beta;
        broadcast_shape(out, &ir->operands[st->c].desc, NULL, &st->cShape);
    }
    return WNNStatus_Success;
}

/* The conv activation code (cuda_conv.h) of a following element-wise op, or -1. */
static int conv_activation(WnnOpId op) {
    switch (op) {
        case WNN_OP_relu: return WNN_CONV_ACT_RELU;
        case WNN_OP_clamp: return WNN_CONV_ACT_CLAMP;
        case WNN_OP_sigmoid: return WNN_CONV_ACT_SIGMOID;
        case WNN_OP_tanh: return WNN_CONV_ACT_TANH;
        case WNN_OP_leakyRelu: return WNN_CONV_ACT_LEAKY_RELU;
        case WNN_OP_gelu: return WNN_CONV_ACT_GELU;
        case WNN_OP_hardSwish: return WNN_CONV_ACT_HARD_SWISH;
        case WNN_OP_elu: return WNN_CONV_ACT_ELU;
        case WNN_OP_softplus: return WNN_CONV_ACT_SOFTPLUS;
        case WNN_OP_hardSigmoid: return WNN_CONV_ACT_HARD_SIGMOID;
        default: return -1;
    }
}

/* The output a step writes: st->out, or a family step's single node output (NONE when several). */
static uint32_t single_output(const WnnCompiled* c, const Step* st) {
    if (st->kind != STEP_FAMILY || st->out != NONE) return st->out;
    const WnnNode* n = &c->ir->nodes[st->node];
    return n->outputCount == 1 && n->outputs[0] >= 0 ? (uint32_t)n->outputs[0] : NONE;
}

/* conv2d (or a family step that accepts it, as convTranspose2d) followed by an activation on its
 * result, which nothing else reads and the graph does not output: the activation runs in the
 * conv's cuDNN plan (or its bias kernel) and the step writes the activation's output directly.
 * Parameters: clamp's bounds, leakyRelu's / elu's alpha (lo), hardSigmoid's alpha and beta (lo, hi). */
static void fuse_activations(WnnCompiled* c, const uint8_t* bound, const uint32_t* readers, uint8_t* eliminated) {
    const WnnGraphIR* ir = c->ir;
    for (uint32_t k = 0; k + 1 < c->stepCount; k++) {
        Step *st = &c->steps[k], *act = &c->steps[k + 1];
        const WnnNode* an = &ir->nodes[act->node];
        uint32_t out = single_output(c, st);
        bool fusable = st->kind == STEP_CONV || (st->kind == STEP_FAMILY && st->family->fuse_activation);
        if (!fusable || out == NONE || act->kind != STEP_ELT || act->skip || act->integer >= 0 || act->a != out ||
            bound[out] || readers[out] != 1 || conv_activation(an->op) < 0)
            continue;
        int code = conv_activation(an->op);
        if (st->kind == STEP_FAMILY && !st->family->fuse_activation(st->familyState, code, act->alpha, act->beta))
            continue;
        st->activation = code;
        st->actLo = act->alpha;
        st->actHi = act->beta;
        eliminated[out] = 1; /* the step now writes the activation's output directly */
        st->out = act->out;
        act->skip = 1;
    }
}

/* A constant holding one value per column of `out` (shape [N] or [1, ..., 1, N]). */
static bool is_row_bias(const WnnGraphIR* ir, uint32_t id, const WnnDesc* out) {
    const WnnIrOperand* o = &ir->operands[id];
    if (o->kind != WNN_OPERAND_CONSTANT || o->desc.type != out->type || o->desc.rank == 0 || o->desc.rank > out->rank)
        return false;
    for (uint32_t d = 0; d + 1 < o->desc.rank; d++)
        if (o->desc.shape[d] != 1) return false;
    return o->desc.shape[o->desc.rank - 1] == out->shape[out->rank - 1];
}

/* matmul / gemm (without c) followed by the add of a bias row, and maybe an activation: a relu
 * after the bias joins cuBLASLt's epilogue; another activation (or a relu without a bias) is kept
 * on the step, for a cuDNN graph that applies it or for our kernel after cuBLASLt (prepare_lt
 * measures which). */
static void fuse_gemm_activation(WnnCompiled* c, uint32_t k, const uint8_t* bound, const uint32_t* readers,
                                 uint8_t* eliminated) {
    Step* g = &c->steps[k];
    if (k + 1 >= c->stepCount) return;
    Step* act = &c->steps[k + 1];
    while (act->skip && act < &c->steps[c->stepCount - 1]) act++; /* past the add it absorbed */
    int code = act->kind == STEP_ELT ? conv_activation(c->ir->nodes[act->node].op) : -1;
    if (act->skip || code < 0 || act->integer >= 0 || act->a != g->out || bound[g->out] || readers[g->out] != 1) return;
    if (code == WNN_CONV_ACT_RELU && g->epilogue == WNN_LT_BIAS) g->epilogue = WNN_LT_RELU_BIAS;
    else {
        g->activation = code;
        g->actLo = act->alpha;
        g->actHi = act->beta;
    }
    eliminated[g->out] = 1;
    g->out = act->out;
    act->skip = 1;
}

static void fuse_gemm_bias(WnnCompiled* c, const uint8_t* bound, const uint32_t* readers, uint8_t* eliminated) {
    const WnnGraphIR* ir = c->ir;
    for (uint32_t k = 0; k < c->stepCount; k++) {
        Step* g = &c->steps[k];
        if (g->skip || g->kind != STEP_GEMM || g->c != NONE) continue;
        Step* add = k + 1 < c->stepCount ? &c->steps[k + 1] : NULL;
        if (!g->epilogue && add && !add->skip && add->kind == STEP_ELT && add->integer < 0 &&
            ir->nodes[add->node].op == WNN_OP_add && !bound[g->out] && readers[g->out] == 1 &&
            (add->a == g->out || add->b == g->out)) {
            uint32_t other = add->a == g->out ? add->b : add->a;
            const WnnDesc* out = &ir->operands[add->out].desc;
            if (other != g->out && wnn_desc_same_shape(out, &ir->operands[g->out].desc) &&
                is_row_bias(ir, other, out)) {
                g->epilogue = WNN_LT_BIAS;
                g->bias = other;
                eliminated[g->out] = 1;
                g->out = add->out;
                add->skip = 1;
            }
        }
        if (!g->skip && g->kind == STEP_GEMM && g->c == NONE) fuse_gemm_activation(c, k, bound, readers, eliminated);
    }
}

/* Moves matmul / gemm steps without c to cuBLASLt (keeping cuBLAS where Lt has no algorithm). */
static WNNStatus prepare_lt(CudaDevice* d, WnnCompiled* c) {
    for (uint32_t k = 0; k < c->stepCount; k++) {
        Step* st = &c->steps[k];
        if (st->skip || st->kind != STEP_GEMM || st->c != NONE) continue;
        CudaLtShape sh = {st->dtype, st->m, st->n, st->k, st->lda, st->ldb, st->ldc, st->transA, st->transB, st->batch,
                          st->strideA, st->strideB, st->strideC, st->epilogue,
                          st->epilogue ? c->ptr[st->bias] : NULL};
        WNNStatus s = wnn_cuda_lt_prepare(d, &sh, &st->lt);
        if (s && s != WNNStatus_NotSupportedError) return s;
        if (st->activation && st->alpha == 1.0f &&
            (s = wnn_cuda_mm_graph_prepare(d, &sh, st->lt, st->activation, st->actLo, st->actHi, &st->mm)))
            return s;
    }
    return WNNStatus_Success;
}

/* The index of operand id among the fused step's inputs, added when new; -1 when full. */
static int fused_input(Step* st, const WnnGraphIR* ir, uint32_t id, const WnnDesc* out) {
    WnnCudaFused* f = st->fused;
    for (int i = 0; i < f->inputCount; i++)
        if (st->fusedInputs[i] == id) return i;
    if (f->inputCount == WNN_CUDA_FUSED_MAX_INPUTS) return -1;
    WnnCudaShape sh;
    broadcast_shape(out, &ir->operands[id].desc, NULL, &sh);
    memcpy(f->strides[f->inputCount], sh.strideA, sizeof sh.strideA);
    if (!wnn_desc_same_shape(&ir->operands[id].desc, out)) f->broadcast = 1;
    st->fusedInputs[f->inputCount] = id;
    return f->inputCount++;
}

/* Appends element-wise step e (reading the running value `running`) to the fused step; false when
 * it does not fit. */
static bool fuse_append(Step* st, const WnnGraphIR* ir, const Step* e, uint32_t running, const WnnDesc* out) {
    WnnCudaFused* f = st->fused;
    if (f->opCount == WNN_CUDA_FUSED_MAX_OPS) return false;
    WnnCudaFusedOp o = {e->op, -1, 1, e->alpha, e->beta};
    if (e->b != NONE) {
        uint32_t other = e->a == running ? e->b : e->a;
        o.runningLeft = e->a == running;
        if (other != running && (o.operand = fused_input(st, ir, other, out)) < 0) return false;
    }
    f->ops[f->opCount++] = o;
    return true;
}

/* Runs of float element-wise steps, each the only reader of the previous one's result (which the
 * graph does not output) and all of one output shape, become one kernel. */
static void fuse_eltwise_chains(WnnCompiled* c, const uint8_t* bound, const uint32_t* readers, uint8_t* eliminated) {
    const WnnGraphIR* ir = c->ir;
    for (uint32_t k = 0; k + 1 < c->stepCount; k++) {
        Step* st = &c->steps[k];
        if (st->skip || st->kind != STEP_ELT || st->integer >= 0) continue;
        const WnnDesc* out = &ir->operands[st->out].desc;
        if (!wnn_desc_same_shape(&ir->operands[st->a].desc, out)) continue; /* the running value starts at full shape */
        uint32_t j = k + 1;
        Step* next = &c->steps[j];
        if (next->skip || next->kind != STEP_ELT || next->integer >= 0 || next->dtype != st->dtype ||
            bound[st->out] || readers[st->out] != 1 || (next->a != st->out && next->b != st->out) ||
            !wnn_desc_same_shape(&ir->operands[next->out].desc, out))
            continue;
        WnnCudaFused* f = calloc(1, sizeof *f);
        if (!f) return; /* fusion is an optimisation only */
        Step fused = *st;
        fused.kind = STEP_FUSED;
        fused.b = fused.c = NONE;
        fused.fused = f;
        f->rank = (int)out->rank;
        for (uint32_t d = 0; d < out->rank; d++) f->shape[d] = out->shape[d];
        fused_input(&fused, ir, st->a, out);
        WnnCudaFusedOp o0 = {st->op, -1, 1, st->alpha, st->beta};
        if (st->b != NONE && st->b != st->a) o0.operand = fused_input(&fused, ir, st->b, out);
        f->ops[f->opCount++] = o0;
        uint32_t running = st->out;
        for (; j < c->stepCount; j++) {
            next = &c->steps[j];
            if (next->skip || next->kind != STEP_ELT || next->integer >= 0 || next->dtype != st->dtype ||
                bound[running] || readers[running] != 1 || (next->a != running && next->b != running) ||
                !wnn_desc_same_shape(&ir->operands[next->out].desc, out) || !fuse_append(&fused, ir, next, running, out))
                break;
            eliminated[running] = 1;
            next->skip = 1;
            running = next->out;
        }
        fused.out = running;
        *st = fused;
    }
}

size_t wnn_cuda_compiled_arena_bytes(const WnnCompiled* c) { return c->arenaBytes; }

void wnn_cuda_compiled_free(WnnDevice* device, WnnCompiled* c) {
    if (!c) return;
    for (uint32_t i = 0; c->own && i < c->ir->operandCount; i++)
        if (c->own[i]) cudaFree(c->ptr[i]);
    if (c->arena) cudaFree(c->arena);
    for (uint32_t k = 0; c->steps && k < c->stepCount; k++) {
        wnn_cuda_conv_free(c->steps[k].conv);
        if (c->steps[k].family) c->steps[k].family->release(c->steps[k].familyState);
        free(c->steps[k].fused);
        for (int i = 0; i < 2; i++)
            if (c->steps[k].expanded[i]) cudaFree(c->steps[k].expanded[i]);
        wnn_cuda_lt_free(c->steps[k].lt);
        wnn_cuda_mm_graph_free(c->steps[k].mm);
        cudaFree(c->steps[k].scratch);
        if (c->filters && c->filters[k]) cudaFree(c->filters[k]);
    }
    free(c->filters);
    if (c->exec) cudaGraphExecDestroy(c->exec);
    free(c->capturedPtrs);
    wnn_cuda_layout_free(c->layoutIr, c->layoutOwned);
    free(c->steps);
    free(c->ptr);
    free(c->own);
    free(c);
}

/* A reshape whose result the graph does not output uses its input's memory (no copy). */
static void alias_reshapes(WnnCompiled* c, const uint8_t* bound) {
    for (uint32_t k = 0; k < c->stepCount; k++) {
        Step* st = &c->steps[k];
        if (!st->skip && st->kind == STEP_COPY && !bound[st->out]) st->alias = 1;
    }
}

/* The operand ids a step writes: a family's node outputs, else st->out. */
static uint32_t step_outputs(const WnnCompiled* c, const Step* st, const int32_t** ids, uint32_t* single) {
    if (st->kind == STEP_FAMILY && st->out == NONE) { /* not fused: the node's outputs */
        const WnnNode* n = &c->ir->nodes[st->node];
        *ids = n->outputs;
        return n->outputCount;
    }
    *single = st->out;
    *ids = (const int32_t*)single;
    return 1;
}

/* Places every intermediate in one arena (compile/memory_plan.c): two share memory only when no
 * step needs both (their step intervals, from the first write to the last read, do not overlap). */
static WNNStatus plan_memory(WnnCompiled* c, const uint8_t* bound, const uint8_t* eliminated) {
    const WnnGraphIR* ir = c->ir;
    uint32_t n = ir->operandCount;
    WnnPlanItem* items = calloc(n + 1, sizeof *items);
    uint32_t* ids = malloc(sizeof(uint32_t) * (n + 1));   /* per item: its operand */
    int* slot = malloc(sizeof(int) * (n + 1));             /* per operand: its item, or -1 */
    uint32_t* root = malloc(sizeof(uint32_t) * (n + 1));   /* per operand: whose memory it uses (aliases) */
    WNNStatus s = WNNStatus_Success;
    if (!items || !ids || !slot || !root) {
        s = wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < n; i++) {
        slot[i] = -1;
        root[i] = i;
    }
    uint32_t count = 0;
    for (uint32_t k = 0; k < c->stepCount; k++) {
        const Step* st = &c->steps[k];
        if (st->skip) continue;
        if (st->alias) {
            root[st->out] = root[st->a];
            continue;
        }
        const int32_t* outs;
        uint32_t single, m = step_outputs(c, st, &outs, &single);
        for (uint32_t j = 0; j < m; j++) {
            uint32_t id = (uint32_t)outs[j];
            if (outs[j] < 0 || bound[id] || eliminated[id] || slot[id] >= 0) continue;
            slot[id] = (int)count;
            ids[count] = id;
            items[count++] = (WnnPlanItem){(size_t)wnn_desc_bytes(&ir->operands[id].desc), k, k, 0};
        }
    }
    /* Reads, at the node's own step (a fused step reads earlier: later is the safe side). */
    for (uint32_t k = 0; k < ir->nodeCount; k++)
        for (uint32_t j = 0; j < ir->nodes[k].inputCount; j++) {
            int32_t id = ir->nodes[k].inputs[j];
            if (id < 0 || slot[root[id]] < 0) continue;
            WnnPlanItem* it = &items[slot[root[id]]];
            if (it->last < k) it->last = k;
        }
    c->arenaBytes = wnn_memory_plan(items, count, 256);
    if (c->arenaBytes) {
        cudaError_t e = cudaMalloc(&c->arena, c->arenaBytes);
        if (e != cudaSuccess) s = wnn_cuda_fail("build", "cudaMalloc (intermediates)", e);
        for (uint32_t i = 0; i < count && !s; i++) c->ptr[ids[i]] = (char*)c->arena + items[i].offset;
    }
done:
    free(items);
    free(ids);
    free(slot);
    free(root);
    return s;
}

/* WNN_CUDA_PROFILE=1: each step timed with events (no capture), printed once per dispatch. Read
 * once per process. */
static bool profiling(void) {
    static int on = -1;
    if (on < 0) on = getenv("WNN_CUDA_PROFILE") && getenv("WNN_CUDA_PROFILE")[0] == '1';
    return on;
}

static bool layout_blind(WnnOpId op) { return elt_op(op) >= 0; }

WNNStatus wnn_cuda_compile(WnnDevice* device, const WnnGraphIR* ir, WnnCompiled** out) {
    CudaDevice* d = (CudaDevice*)device;
    WnnCompiled* c = calloc(1, sizeof *c);
    if (!c) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    WNNStatus ls = wnn_cuda_layout_nhwc(ir, layout_blind, &c->layoutIr, &c->layoutOwned);
    if (ls) {
        free(c);
        return ls;
    }
    if (c->layoutIr) ir = c->layoutIr;
    c->ir = ir;
    c->noCapture = profiling(); /* profiling times each step: no CUDA graph */
    c->steps = calloc(ir->nodeCount + 1, sizeof(Step));
    c->ptr = calloc(ir->operandCount + 1, sizeof(void*));
    c->own = calloc(ir->operandCount + 1, 1);
    c->filters = calloc(ir->nodeCount + 1, sizeof(void*));
    WNNStatus s = WNNStatus_Success;
    if (!c->steps || !c->ptr || !c->own || !c->filters) {
        s = wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
        goto fail;
    }
    if (cudaSetDevice(d->ordinal) != cudaSuccess) {
        s = wnn_error(WNNStatus_OperationError, "build: cudaSetDevice failed");
        goto fail;
    }
    uint8_t* bound = calloc(ir->operandCount + 1, 1);
    if (!bound) {
        s = wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
        goto fail;
    }
    for (uint32_t i = 0; i < ir->inputCount; i++) bound[ir->inputIds[i]] = 1;
    for (uint32_t i = 0; i < ir->outputCount; i++) bound[ir->outputIds[i]] = 1;
    for (uint32_t k = 0; k < ir->nodeCount && !s; k++) {
        const WnnNode* n = &ir->nodes[k];
        if (!wnn_cuda_supports(device, ir, n)) {
            s = wnn_error(WNNStatus_NotSupportedError, "build: operation %d is not supported on CUDA", (int)n->op);
            break;
        }
        Step* st = &c->steps[c->stepCount++];
        if (builtin_supports(ir, n)) {
            s = make_step(ir, n, st);
        } else {
            memset(st, 0, sizeof *st);
            st->kind = STEP_FAMILY;
            st->a = st->b = st->c = st->out = NONE;
            st->family = family_for(ir, n);
            size_t scratch = 0;
            s = st->family->plan(d, ir, n, &st->familyState, &scratch);
            if (!s && scratch) {
                cudaError_t e = cudaMalloc(&st->scratch, scratch);
                if (e != cudaSuccess) s = wnn_cuda_fail("build", "cudaMalloc (scratch)", e);
            }
        }
        st->node = k;
        for (int i = 0; i < 2 && !s; i++) {
            if (!st->expanded[i]) continue;
            st->expanded[i] = NULL;
            cudaError_t e = cudaMalloc(&st->expanded[i], (size_t)st->expandCount[i] * (st->dtype ? 2 : 4));
            if (e != cudaSuccess) s = wnn_cuda_fail("build", "cudaMalloc (broadcast matmul operand)", e);
        }
        /* Constants are uploaded once; intermediates are placed by plan_memory after fusion. */
        for (uint32_t j = 0; j < n->inputCount && !s; j++) {
            int32_t id = n->inputs[j];
            if (id < 0 || bound[id] || c->ptr[id] || ir->operands[id].kind != WNN_OPERAND_CONSTANT) continue;
            const WnnIrOperand* o = &ir->operands[id];
            size_t bytes = (size_t)wnn_desc_bytes(&o->desc);
            cudaError_t e = cudaMalloc(&c->ptr[id], bytes ? bytes : 1);
            if (e == cudaSuccess) c->own[id] = 1;
            if (e == cudaSuccess && o->kind == WNN_OPERAND_CONSTANT && o->data)
                e = cudaMemcpy(c->ptr[id], o->data, bytes, cudaMemcpyHostToDevice);
            if (e != cudaSuccess) s = wnn_cuda_fail("build", "cudaMalloc/cudaMemcpy", e);
        }
    }
    uint32_t* readers = calloc(ir->operandCount + 1, sizeof(uint32_t));
    uint8_t* eliminated = calloc(ir->operandCount + 1, 1);
    if (!s && (!readers || !eliminated)) s = wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    if (!s) {
        for (uint32_t k = 0; k < ir->nodeCount; k++)
            for (uint32_t j = 0; j < ir->nodes[k].inputCount; j++)
                if (ir->nodes[k].inputs[j] >= 0) readers[ir->nodes[k].inputs[j]]++;
        fuse_activations(c, bound, readers, eliminated);
        /* conv2d is planned once its activation is known (cuDNN applies it in the same plan). */
        for (uint32_t k = 0; k < c->stepCount && !s; k++)
            if (c->steps[k].kind == STEP_CONV)
                s = wnn_cuda_conv_prepare(d, ir, &ir->nodes[c->steps[k].node], c->steps[k].activation,
                                          c->steps[k].actLo, c->steps[k].actHi, &c->steps[k].conv,
                                          &c->filters[c->steps[k].node]);
    }
    if (!s) {
        fuse_gemm_bias(c, bound, readers, eliminated);
        fuse_eltwise_chains(c, bound, readers, eliminated);
        alias_reshapes(c, bound);
        s = plan_memory(c, bound, eliminated);
        if (!s) s = prepare_lt(d, c);
    }
    free(readers);
    free(eliminated);
    free(bound);
    if (s) goto fail;
    *out = c;
    return WNNStatus_Success;
fail:
    wnn_cuda_compiled_free(device, c);
    return s;
}

static bool aligned16(const void* p) { return ((uintptr_t)p & 15) == 0; }

static WNNStatus run_gemm(CudaDevice* d, WnnCompiled* c, const Step* st) {
    const void* pa = c->ptr[st->a];
    const void* pb = c->ptr[st->b];
    for (int i = 0; i < 2; i++) {
        if (!st->expanded[i]) continue;
        int e = wnn_cuda_expand(st->dtype, i ? pb : pa, st->expanded[i], &st->expandShape[i], st->expandCount[i], d->stream);
        if (e) return wnn_cuda_fail("dispatch", "expand kernel (broadcast matmul)", (cudaError_t)e);
        if (i) pb = st->expanded[i];
        else pa = st->expanded[i];
    }
    /* cuBLASLt's algorithm and the cuDNN plan were chosen for 16-byte aligned operands (imported
     * memory may not be). */
    bool aligned = aligned16(pa) && aligned16(pb) && aligned16(c->ptr[st->out]);
    if (st->mm && aligned)
        return wnn_cuda_mm_graph_run(d, st->mm, pb, pa, st->epilogue ? c->ptr[st->bias] : NULL, c->ptr[st->out]);
    if (st->lt && aligned) {
        WNNStatus s = wnn_cuda_lt_run(d, st->lt, pb, pa, c->ptr[st->out], st->alpha);
        return s ? s : wnn_cuda_activation(d, st->dtype, c->ptr[st->out], st->count, st->activation, st->actLo, st->actHi);
    }
    if (st->c != NONE) {
        int e = wnn_cuda_expand(st->dtype, c->ptr[st->c], c->ptr[st->out], &st->cShape, st->count, d->stream);
        if (e) return wnn_cuda_fail("dispatch", "expand kernel", (cudaError_t)e);
    }
    cudaDataType t = st->dtype ? CUDA_R_16F : CUDA_R_32F;
    /* CUBLAS_COMPUTE_32F: IEEE float32, no TF32, unless the context allows it. */
    cublasStatus_t bs = cublasGemmStridedBatchedEx(
        d->blas, st->transA ? CUBLAS_OP_T : CUBLAS_OP_N, st->transB ? CUBLAS_OP_T : CUBLAS_OP_N, st->m, st->n, st->k,
        &st->alpha, pb, t, st->lda, st->strideA, pa, t, st->ldb, st->strideB, &st->beta,
        c->ptr[st->out], t, st->ldc, st->strideC, st->batch,
        !st->dtype && d->allowTf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    if (bs != CUBLAS_STATUS_SUCCESS)
        return wnn_error(WNNStatus_OperationError, "dispatch: cublasGemmStridedBatchedEx failed (status %d)", (int)bs);
    if (st->epilogue) { /* the fused bias (relu) that cuBLASLt would have applied */
        int64_t cols = c->ir->operands[st->out].desc.shape[c->ir->operands[st->out].desc.rank - 1];
        return wnn_cuda_bias_act(d, st->dtype, c->ptr[st->out], c->ptr[st->bias], st->count, cols, 1,
                                 st->epilogue == WNN_LT_RELU_BIAS ? WNN_CONV_ACT_RELU : st->activation, st->actLo,
                                 st->actHi);
    }
    return wnn_cuda_activation(d, st->dtype, c->ptr[st->out], st->count, st->activation, st->actLo, st->actHi);
}

static WNNStatus run_family(CudaDevice* d, WnnCompiled* c, const Step* st) {
    const WnnNode* n = &c->ir->nodes[st->node];
    const void* inStack[16];
    void* outStack[16];
    const void** in = n->inputCount <= 16 ? inStack : malloc(n->inputCount * sizeof(void*));
    void** out = n->outputCount <= 16 ? outStack : malloc(n->outputCount * sizeof(void*));
    WNNStatus s = wnn_error(WNNStatus_OutOfMemory, "dispatch: out of memory");
    if (in && out) {
        for (uint32_t i = 0; i < n->inputCount; i++) in[i] = n->inputs[i] >= 0 ? c->ptr[n->inputs[i]] : NULL;
        for (uint32_t j = 0; j < n->outputCount; j++) out[j] = c->ptr[n->outputs[j]];
        if (st->out != NONE) out[0] = c->ptr[st->out]; /* an activation fused into the step */
        s = st->family->run(d, st->familyState, in, out, st->scratch);
    }
    if (in != inStack) free((void*)in);
    if (out != outStack) free(out);
    return s;
}

static WNNStatus run_fused(CudaDevice* d, WnnCompiled* c, const Step* st) {
    const void* in[WNN_CUDA_FUSED_MAX_INPUTS] = {NULL, NULL, NULL, NULL, NULL};
    for (int i = 0; i < st->fused->inputCount; i++) in[i] = c->ptr[st->fusedInputs[i]];
    int e = wnn_cuda_fused_eltwise(st->dtype, in, c->ptr[st->out], st->fused, st->count, d->stream);
    return e ? wnn_cuda_fail("dispatch", "fused element-wise kernel", (cudaError_t)e) : WNNStatus_Success;
}

static WNNStatus run_step(CudaDevice* d, WnnCompiled* c, const Step* st) {
    if (st->kind == STEP_FAMILY) return run_family(d, c, st);
    if (st->kind == STEP_FUSED) return run_fused(d, c, st);
    size_t esize = st->dtype ? 2 : 4;
    void* out = c->ptr[st->out];
    const void* a = c->ptr[st->a];
    int e = 0;
    switch (st->kind) {
        case STEP_GEMM: return run_gemm(d, c, st);
        case STEP_CONV: {
            const void* w = c->filters[st->node] ? c->filters[st->node] : c->ptr[st->b];
            return wnn_cuda_conv_run(d, st->conv, a, w, st->c != NONE ? c->ptr[st->c] : NULL, out);
        }
        case STEP_COPY:
            if (st->alias) return WNNStatus_Success;
            CUDA_TRY("dispatch", cudaMemcpyAsync(out, a, (size_t)st->count * esize, cudaMemcpyDeviceToDevice, d->stream));
            return WNNStatus_Success;
        case STEP_STRIDED:
            e = wnn_cuda_expand(st->dtype, (const char*)a + st->base * (int64_t)esize, out, &st->shape, st->count, d->stream);
            break;
        case STEP_CONCAT: {
            const WnnNode* n = &c->ir->nodes[st->node];
            size_t done = 0, row = (size_t)(st->len * st->inner) * esize;
            for (uint32_t i = 0; i < n->inputCount; i++) {
                size_t width = (size_t)c->ir->operands[n->inputs[i]].desc.shape[((const WnnAxisAttrs*)n->attrs)->axis] *
                               (size_t)st->inner * esize;
                CUDA_TRY("dispatch", cudaMemcpy2DAsync((char*)out + done, row, c->ptr[n->inputs[i]], width, width,
                                                       (size_t)st->outer, cudaMemcpyDeviceToDevice, d->stream));
                done += width;
            }
            return WNNStatus_Success;
        }
        case STEP_SOFTMAX: e = wnn_cuda_softmax(st->dtype, a, out, st->outer, st->len, st->inner, d->stream); break;
        case STEP_LAYERNORM:
            e = wnn_cuda_layernorm(st->dtype, a, st->b != NONE ? c->ptr[st->b] : NULL, st->c != NONE ? c->ptr[st->c] : NULL,
                                   out, st->outer, st->len, st->alpha, d->stream);
            break;
        case STEP_POOL: e = wnn_cuda_pool(st->dtype, a, out, &st->pool, d->stream); break;
        case STEP_FAMILY: case STEP_FUSED: break;
        case STEP_ELT:
            if (st->integer >= 0) {
                e = wnn_cuda_eltwise_int(st->op, st->integer, a, st->b != NONE ? c->ptr[st->b] : NULL, out, &st->shape,
                                         st->count, st->ilo, st->ihi, d->stream);
                break;
            }
            e = wnn_cuda_eltwise(st->op, st->dtype, a, st->b != NONE ? c->ptr[st->b] : NULL, out, &st->shape, st->count,
                                 st->alpha, st->beta, d->stream);
            break;
    }
    return e ? wnn_cuda_fail("dispatch", "kernel launch", (cudaError_t)e) : WNNStatus_Success;
}

static const char* step_name(const WnnCompiled* c, const Step* st) {
    static const char* const kinds[] = {"elementwise", "gemm", "conv", "copy", "strided", "concat", "softmax",
                                        "layernorm", "pool", "family", "fused"};
    return st->kind == STEP_FAMILY || st->kind == STEP_ELT || st->kind == STEP_CONV ? wnn_op_name(c->ir->nodes[st->node].op)
                                                                                     : kinds[st->kind];
}

/* Times each step (WNN_CUDA_PROFILE; see profiling()). */
static WNNStatus run_profiled(CudaDevice* d, WnnCompiled* c) {
    cudaEvent_t ev[2];
    CUDA_TRY("profile", cudaEventCreate(&ev[0]));
    CUDA_TRY("profile", cudaEventCreate(&ev[1]));
    double total = 0;
    for (uint32_t k = 0; k < c->stepCount; k++) {
        const Step* st = &c->steps[k];
        if (st->skip || st->alias) continue;
        cudaEventRecord(ev[0], d->stream);
        WNNStatus s = run_step(d, c, st);
        cudaEventRecord(ev[1], d->stream);
        if (s) return s;
        float ms = 0;
        cudaEventSynchronize(ev[1]);
        cudaEventElapsedTime(&ms, ev[0], ev[1]);
        total += ms;
        const WnnDesc* o = &c->ir->operands[st->out != NONE ? st->out : (uint32_t)c->ir->nodes[st->node].outputs[0]].desc;
        char shape[96];
        fprintf(stderr, "[wnn-cuda-profile] step %3u %-20s %-24s %8.4f ms\n", k, step_name(c, st),
                wnn_desc_str(o, shape, sizeof shape), ms);
    }
    fprintf(stderr, "[wnn-cuda-profile] total %.4f ms, intermediates %.1f MB\n", total, c->arenaBytes / 1e6);
    cudaEventDestroy(ev[0]);
    cudaEventDestroy(ev[1]);
    return WNNStatus_Success;
}

static WNNStatus run_steps(CudaDevice* d, WnnCompiled* c, WnnBuffer* const* outputs) {
    const WnnGraphIR* ir = c->ir;
    if (profiling()) {
        WNNStatus s = run_profiled(d, c);
        if (s) return s;
    } else {
        for (uint32_t k = 0; k < c->stepCount; k++) {
            if (c->steps[k].skip) continue;
            WNNStatus s = run_step(d, c, &c->steps[k]);
            if (s) return s;
        }
    }
    /* One operand under several output names: copy to the others. */
    for (uint32_t i = 0; i < ir->outputCount; i++)
        if (c->ptr[ir->outputIds[i]] != outputs[i]->ptr)
            CUDA_TRY("dispatch", cudaMemcpyAsync(outputs[i]->ptr, c->ptr[ir->outputIds[i]], outputs[i]->bytes,
                                                 cudaMemcpyDeviceToDevice, d->stream));
    return WNNStatus_Success;
}

/* Captures the steps for the bound tensors as a CUDA graph (one launch per dispatch afterwards).
 * Returns 0 when the graph is ready to launch. */
static int capture(CudaDevice* d, WnnCompiled* c, WnnBuffer* const* outputs, uint32_t bound) {
    if (c->exec) {
        cudaGraphExecDestroy(c->exec);
        c->exec = NULL;
    }
    cudaGraph_t graph = NULL;
    if (cudaStreamBeginCapture(d->stream, cudaStreamCaptureModeThreadLocal) != cudaSuccess) return -1;
    WNNStatus s = run_steps(d, c, outputs);
    cudaError_t e = cudaStreamEndCapture(d->stream, &graph);
    if (s || e != cudaSuccess || !graph || cudaGraphInstantiate(&c->exec, graph, 0) != cudaSuccess) {
        if (graph) cudaGraphDestroy(graph);
        c->exec = NULL;
        cudaGetLastError();
        return -1;
    }
    cudaGraphDestroy(graph);
    for (uint32_t i = 0; i < bound; i++) c->capturedPtrs[i] = c->ptr[i < c->ir->inputCount ? c->ir->inputIds[i] : c->ir->outputIds[i - c->ir->inputCount]];
    return 0;
}

WNNStatus wnn_cuda_dispatch(WnnDevice* device, WnnCompiled* c, WnnBuffer* const* inputs, WnnBuffer* const* outputs) {
    CudaDevice* d = (CudaDevice*)device;
    const WnnGraphIR* ir = c->ir;
    uint32_t bound = ir->inputCount + ir->outputCount;
    int same = c->exec != NULL;
    for (uint32_t i = 0; i < ir->inputCount; i++) {
        same = same && c->capturedPtrs[i] == inputs[i]->ptr;
        c->ptr[ir->inputIds[i]] = inputs[i]->ptr;
    }
    for (uint32_t i = 0; i < ir->outputCount; i++) {
        same = same && c->capturedPtrs[ir->inputCount + i] == outputs[i]->ptr;
        c->ptr[ir->outputIds[i]] = outputs[i]->ptr;
    }
    for (uint32_t k = 0; k < c->stepCount; k++) /* in order: an alias of an alias resolves too */
        if (c->steps[k].alias) c->ptr[c->steps[k].out] = c->ptr[c->steps[k].a];
    CUDA_TRY("dispatch", cudaSetDevice(d->ordinal));
    if (cublasSetStream(d->blas, d->stream) != CUBLAS_STATUS_SUCCESS)
        return wnn_error(WNNStatus_OperationError, "dispatch: cublasSetStream failed");
    if (!c->noCapture && !c->capturedPtrs) c->capturedPtrs = calloc(bound + 1, sizeof(void*));
    if (!c->noCapture && c->capturedPtrs && (same || capture(d, c, outputs, bound) == 0)) {
        CUDA_TRY("dispatch", cudaGraphLaunch(c->exec, d->stream));
        return WNNStatus_Success;
    }
    c->noCapture = 1;
    return run_steps(d, c, outputs);
}
