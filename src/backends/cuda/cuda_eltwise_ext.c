/* cuda_eltwise_ext.c: the eltwise_ext op family on the GPU (see cuda_op.h): the element-wise ops and
 * types the executor's built-in path does not run. Comparisons, logical ops, isNaN / isInfinite,
 * sign, roundEven, where, cast, prelu, quantizeLinear / dequantizeLinear, and the integer arithmetic
 * and unary ops on every integer type, with the CPU kernels' semantics (cuda_eltwise_ext.h). plan()
 * only fills a WnnExtPlan (shapes and strides merged once); run() launches one kernel. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cuda/cuda_eltwise_ext.h"
#include "backends/cuda/cuda_op.h"
#include "graph/ops/elementwise.h"

_Static_assert((int)WNN_EXT_T_F32 == (int)WNN_CT_F32 && (int)WNN_EXT_T_F16 == (int)WNN_CT_F16 &&
                   (int)WNN_EXT_T_I32 == (int)WNN_CT_I32 && (int)WNN_EXT_T_U32 == (int)WNN_CT_U32 &&
                   (int)WNN_EXT_T_I64 == (int)WNN_CT_I64 && (int)WNN_EXT_T_U64 == (int)WNN_CT_U64 &&
                   (int)WNN_EXT_T_I8 == (int)WNN_CT_I8 && (int)WNN_EXT_T_U8 == (int)WNN_CT_U8,
               "the kernels' type codes are WnnCudaType's");

/* Masks of WnnCudaType codes. */
#define T_(c) (1u << (c))
#define FLOATS (T_(WNN_CT_F32) | T_(WNN_CT_F16))
#define INTS (T_(WNN_CT_I32) | T_(WNN_CT_U32) | T_(WNN_CT_I64) | T_(WNN_CT_U64) | T_(WNN_CT_I8) | T_(WNN_CT_U8))
#define ALL (FLOATS | INTS)
#define SIGNED (FLOATS | T_(WNN_CT_I64) | T_(WNN_CT_I32) | T_(WNN_CT_I8)) /* the spec's abs/neg/sign/relu/prelu */
#define U8ONLY T_(WNN_CT_U8)
#define QINTS (T_(WNN_CT_I32) | T_(WNN_CT_U32) | T_(WNN_CT_I8) | T_(WNN_CT_U8))

/* Output type of an op: that of its deciding input, uint8, or free (cast). */
enum { OUT_SAME, OUT_U8, OUT_ANY };

typedef struct ExtOpInfo {
    WnnOpId op;
    int ext;        /* WnnExtOp */
    uint32_t types; /* allowed types of the deciding input (CPU kernels exist for all of them) */
    int out;
} ExtOpInfo;

/* Float binary arithmetic is the built-in path's, so it is not offered here. */
static const ExtOpInfo k_ops[] = {
    {WNN_OP_add, WNN_EXT_ADD, INTS, OUT_SAME},
    {WNN_OP_sub, WNN_EXT_SUB, INTS, OUT_SAME},
    {WNN_OP_mul, WNN_EXT_MUL, INTS, OUT_SAME},
    {WNN_OP_div, WNN_EXT_DIV, INTS, OUT_SAME},
    {WNN_OP_max, WNN_EXT_MAX, INTS, OUT_SAME},
    {WNN_OP_min, WNN_EXT_MIN, INTS, OUT_SAME},
    {WNN_OP_pow, WNN_EXT_POW, INTS, OUT_SAME},
    {WNN_OP_prelu, WNN_EXT_PRELU, SIGNED, OUT_SAME},
    {WNN_OP_abs, WNN_EXT_ABS, SIGNED, OUT_SAME},
    {WNN_OP_neg, WNN_EXT_NEG, SIGNED, OUT_SAME},
    {WNN_OP_sign, WNN_EXT_SIGN, SIGNED, OUT_SAME},
    {WNN_OP_relu, WNN_EXT_RELU, SIGNED, OUT_SAME},
    {WNN_OP_identity, WNN_EXT_IDENTITY, ALL, OUT_SAME},
    {WNN_OP_clamp, WNN_EXT_CLAMP, ALL, OUT_SAME},
    {WNN_OP_roundEven, WNN_EXT_ROUND_EVEN, FLOATS, OUT_SAME},
    {WNN_OP_equal, WNN_EXT_EQUAL, ALL, OUT_U8},
    {WNN_OP_notEqual, WNN_EXT_NOT_EQUAL, ALL, OUT_U8},
    {WNN_OP_greater, WNN_EXT_GREATER, ALL, OUT_U8},
    {WNN_OP_greaterOrEqual, WNN_EXT_GREATER_OR_EQUAL, ALL, OUT_U8},
    {WNN_OP_lesser, WNN_EXT_LESSER, ALL, OUT_U8},
    {WNN_OP_lesserOrEqual, WNN_EXT_LESSER_OR_EQUAL, ALL, OUT_U8},
    {WNN_OP_logicalAnd, WNN_EXT_LOGICAL_AND, U8ONLY, OUT_U8},
    {WNN_OP_logicalOr, WNN_EXT_LOGICAL_OR, U8ONLY, OUT_U8},
    {WNN_OP_logicalXor, WNN_EXT_LOGICAL_XOR, U8ONLY, OUT_U8},
    {WNN_OP_logicalNot, WNN_EXT_LOGICAL_NOT, U8ONLY, OUT_U8},
    {WNN_OP_isNaN, WNN_EXT_IS_NAN, ALL, OUT_U8},
    {WNN_OP_isInfinite, WNN_EXT_IS_INFINITE, ALL, OUT_U8},
    {WNN_OP_where, WNN_EXT_WHERE, ALL, OUT_SAME},
    {WNN_OP_cast, WNN_EXT_CAST, ALL, OUT_ANY},
    {WNN_OP_quantizeLinear, WNN_EXT_QUANTIZE, FLOATS, OUT_ANY},
    {WNN_OP_dequantizeLinear, WNN_EXT_DEQUANTIZE, QINTS, OUT_ANY},
};

static const ExtOpInfo* find_op(WnnOpId op) {
    for (size_t i = 0; i < sizeof k_ops / sizeof k_ops[0]; i++)
        if (k_ops[i].op == op) return &k_ops[i];
    return NULL;
}

static const WnnDesc* desc_of(const WnnGraphIR* ir, int32_t id) { return &ir->operands[id].desc; }

/* Inputs of an op: where and quantize / dequantize 3, the unary ops 1, the rest 2. */
static uint32_t arity(int ext) {
    switch (ext) {
        case WNN_EXT_WHERE: case WNN_EXT_QUANTIZE: case WNN_EXT_DEQUANTIZE: return 3;
        case WNN_EXT_CAST: case WNN_EXT_LOGICAL_NOT: case WNN_EXT_IS_NAN: case WNN_EXT_IS_INFINITE: return 1;
        default: return ext >= WNN_EXT_ABS && ext <= WNN_EXT_ROUND_EVEN ? 1 : 2;
    }
}

/* Every input the op reads, present, of a known type and rank; the type of the input that decides. */
static bool inputs_ok(const WnnGraphIR* ir, const WnnNode* n, int ext, int* decides) {
    uint32_t need = arity(ext);
    if (n->inputCount != need || n->outputCount != 1) return false;
    for (uint32_t i = 0; i < need; i++)
        if (n->inputs[i] < 0 || wnn_cuda_type(desc_of(ir, n->inputs[i])->type) < 0 ||
            desc_of(ir, n->inputs[i])->rank > WNN_CUDA_MAX_RANK)
            return false;
    *decides = wnn_cuda_type(desc_of(ir, n->inputs[ext == WNN_EXT_WHERE ? 1 : 0])->type);
    return true;
}

/* quantize / dequantize: scale and zeroPoint of the input's rank and one shape, blockwise, and the
 * types of the CPU kernel (scale float of the float side, zeroPoint of the integer side). */
static bool quantize_ok(const WnnGraphIR* ir, const WnnNode* n, int outType) {
    const WnnDesc *x = desc_of(ir, n->inputs[0]), *sc = desc_of(ir, n->inputs[1]), *zp = desc_of(ir, n->inputs[2]);
    bool q = n->op == WNN_OP_quantizeLinear;
    int ftype = wnn_cuda_type(q ? x->type : sc->type), itype = wnn_cuda_type(q ? zp->type : x->type);
    if (!(FLOATS & T_(ftype)) || !(QINTS & T_(itype)) || outType != (q ? itype : ftype) ||
        wnn_cuda_type(q ? sc->type : zp->type) != (q ? ftype : itype) || sc->rank != x->rank || zp->rank != x->rank)
        return false;
    for (uint32_t d = 0; d < x->rank; d++)
        if (sc->shape[d] != zp->shape[d] || sc->shape[d] == 0 || x->shape[d] % sc->shape[d] != 0) return false;
    return true;
}

static bool supports(const WnnGraphIR* ir, const WnnNode* n) {
    const ExtOpInfo* info = find_op(n->op);
    int decides, outType;
    if (!info || !inputs_ok(ir, n, info->ext, &decides) || !(info->types & T_(decides))) return false;
    const WnnDesc* out = desc_of(ir, n->outputs[0]);
    if ((outType = wnn_cuda_type(out->type)) < 0 || out->rank > WNN_CUDA_MAX_RANK) return false;
    if (info->out == OUT_SAME && outType != decides) return false;
    if (info->out == OUT_U8 && outType != WNN_CT_U8) return false;
    switch (n->op) {
        case WNN_OP_quantizeLinear: case WNN_OP_dequantizeLinear: return quantize_ok(ir, n, outType);
        case WNN_OP_where: return wnn_cuda_type(desc_of(ir, n->inputs[0])->type) == WNN_CT_U8 &&
                                  wnn_cuda_type(desc_of(ir, n->inputs[2])->type) == decides;
        case WNN_OP_clamp: return n->attrs && n->attrsSize == sizeof(WnnClampAttrs);
        default: break;
    }
    for (uint32_t i = 1; i < n->inputCount; i++) /* binary ops: both operands of one type */
        if (wnn_cuda_type(desc_of(ir, n->inputs[i])->type) != decides) return false;
    return true;
}

/* Broadcast strides of the inputs into the output, size-1 output dimensions dropped and neighbours
 * merged where every input's strides continue across them. */
static void plan_shape(const WnnGraphIR* ir, const WnnNode* n, WnnExtShape* s) {
    const WnnDesc* out = desc_of(ir, n->outputs[0]);
    memset(s, 0, sizeof *s);
    s->inputs = (int)n->inputCount;
    s->count = (int64_t)wnn_desc_numel(out);
    int64_t full[WNN_EXT_MAX_INPUTS][WNN_CUDA_MAX_RANK] = {{0}};
    for (int k = 0; k < s->inputs; k++) {
        const WnnDesc* in = desc_of(ir, n->inputs[k]);
        if ((int64_t)wnn_desc_numel(in) != s->count) s->broadcast = 1;
        int64_t stride = 1;
        for (uint32_t d = out->rank; d-- > 0;) {
            int32_t id = (int32_t)d - (int32_t)(out->rank - in->rank);
            if (id < 0) break;
            full[k][d] = in->shape[id] == 1 ? 0 : stride;
            stride *= in->shape[id];
        }
    }
    for (uint32_t d = 0; d < out->rank; d++) {
        if (out->shape[d] == 1) continue;
        bool merge = s->rank > 0;
        for (int k = 0; k < s->inputs && merge; k++)
            merge = s->stride[k][s->rank - 1] == full[k][d] * (int64_t)out->shape[d];
        if (merge) {
            s->shape[s->rank - 1] *= out->shape[d];
            for (int k = 0; k < s->inputs; k++) s->stride[k][s->rank - 1] = full[k][d];
            continue;
        }
        s->shape[s->rank] = out->shape[d];
        for (int k = 0; k < s->inputs; k++) s->stride[k][s->rank] = full[k][d];
        s->rank++;
    }
}

/* The scale element of each input element (see WnnExtBlocks): size-1 input dimensions dropped;
 * neighbours merged where both have one scale element (stride 0) or one per input element. */
static void plan_blocks(const WnnDesc* x, const WnnDesc* sc, WnnExtBlocks* b) {
    memset(b, 0, sizeof *b);
    b->count = (int64_t)wnn_desc_numel(x);
    int64_t scStride[WNN_CUDA_MAX_RANK], stride = 1;
    for (uint32_t d = x->rank; d-- > 0;) {
        scStride[d] = sc->shape[d] == 1 ? 0 : stride;
        stride *= sc->shape[d];
    }
    bool none = true, each = true;
    for (uint32_t d = 0; d < x->rank; d++) {
        if (x->shape[d] == 1) continue;
        int64_t block = x->shape[d] / sc->shape[d];
        none = none && scStride[d] == 0;
        each = each && block == 1;
        int r = b->rank - 1;
        if (r >= 0 && ((b->stride[r] == 0 && scStride[d] == 0) ||
                       (b->block[r] == 1 && block == 1 && b->stride[r] == scStride[d] * (int64_t)x->shape[d]))) {
            b->shape[r] *= x->shape[d];
            b->block[r] = b->stride[r] ? 1 : b->shape[r];
            b->stride[r] = scStride[d];
            continue;
        }
        b->shape[b->rank] = x->shape[d];
        b->block[b->rank] = block;
        b->stride[b->rank] = scStride[d];
        b->rank++;
    }
    b->mode = none ? 0 : each ? 1 : 2;
}

static WNNStatus plan(CudaDevice* d, const WnnGraphIR* ir, const WnnNode* n, void** state, size_t* scratchBytes) {
    (void)d;
    WnnExtPlan* p = calloc(1, sizeof *p);
    if (!p) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    int decides = 0;
    p->op = find_op(n->op)->ext;
    inputs_ok(ir, n, p->op, &decides);
    p->type = decides;
    p->outType = wnn_cuda_type(desc_of(ir, n->outputs[0])->type);
    if (p->op == WNN_EXT_QUANTIZE || p->op == WNN_EXT_DEQUANTIZE)
        plan_blocks(desc_of(ir, n->inputs[0]), desc_of(ir, n->inputs[1]), &p->blocks);
    else
        plan_shape(ir, n, &p->shape);
    if (p->op == WNN_EXT_CLAMP) { /* an absent bound is the domain's extreme: the same comparisons as the CPU's */
        const WnnClampAttrs* c = n->attrs;
        p->lo = c->hasMin ? c->minF : -INFINITY;
        p->hi = c->hasMax ? c->maxF : INFINITY;
        p->ilo = c->hasMin ? c->minI : INT64_MIN;
        p->ihi = c->hasMax ? c->maxI : INT64_MAX;
        p->ulo = c->hasMin ? c->minU : 0;
        p->uhi = c->hasMax ? c->maxU : UINT64_MAX;
    }
    *state = p;
    *scratchBytes = 0;
    return WNNStatus_Success;
}

static WNNStatus run(CudaDevice* d, const void* state, const void* const* in, void* const* out, void* scratch) {
    (void)scratch;
    const WnnExtPlan* p = state;
    int e = wnn_cuda_ext_launch(p, in, out[0], d->stream);
    return e ? wnn_cuda_fail("dispatch", "eltwise_ext kernel", (cudaError_t)e) : WNNStatus_Success;
}

static void release(void* state) { free(state); }

const CudaOpFamily wnn_cuda_family_eltwise_ext = {"eltwise_ext", supports, plan, run, release, NULL};
