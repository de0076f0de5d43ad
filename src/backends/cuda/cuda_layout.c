/* cuda_layout.c: NHWC inside float16 graphs written in NCHW. cuDNN's fast float16 (tensor core)
 * convolutions read and write NHWC; a graph in NCHW would otherwise run them on NCHW engines. The
 * pass rewrites the IR the executor compiles:
 *   - each float16 NCHW conv2d (and pool) becomes its NHWC form, reading an NHWC twin of its input
 *     (a transpose is inserted once per operand that has no twin yet);
 *   - element-wise ops whose 4-D inputs all have twins (other inputs: scalars, or [1,C,1,1]
 *     constants, which are the same bytes as [1,1,1,C]) run on the twins;
 *   - an operand's NCHW form is made (a transpose back) only where something else reads it, or the
 *     graph outputs it.
 * So a chain conv -> add -> relu -> conv ... runs in NHWC with one transpose at each end. Graphs
 * with one conv are left alone. */
#include <stdlib.h>
#include <string.h>

#include "backends/cuda/cuda_layout.h"
#include "graph/ops/conv.h"
#include "graph/ops/movement.h"

typedef struct Rewriter {
    const WnnGraphIR* src;
    WnnGraphIR* ir;
    uint32_t operandCap, nodeCap;
    int32_t* twin;    /* per source operand: its NHWC twin, or -1 */
    uint8_t* pending; /* per source operand: produced only as its twin so far */
    uint8_t* ownedNode; /* per new node: inputs, outputs and attrs allocated here */
    bool failed;
} Rewriter;

static int32_t add_operand(Rewriter* r, const WnnDesc* desc, WnnOperandKind kind, const void* data) {
    if (r->ir->operandCount == r->operandCap) {
        uint32_t cap = r->operandCap * 2 + 16;
        void* p = realloc(r->ir->operands, cap * sizeof *r->ir->operands);
        if (!p) return r->failed = true, -1;
        r->ir->operands = p;
        r->operandCap = cap;
    }
    struct WnnIrOperand* o = &r->ir->operands[r->ir->operandCount];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->desc = *desc;
    o->data = data;
    o->node = -1;
    return (int32_t)r->ir->operandCount++;
}

static WnnNode* add_node(Rewriter* r, bool owned) {
    if (r->ir->nodeCount == r->nodeCap) {
        uint32_t cap = r->nodeCap * 2 + 16;
        void* p = realloc(r->ir->nodes, cap * sizeof *r->ir->nodes);
        void* q = realloc(r->ownedNode, cap);
        if (p) r->ir->nodes = p;
        if (q) r->ownedNode = q;
        if (!p || !q) return r->failed = true, NULL;
        r->nodeCap = cap;
    }
    r->ownedNode[r->ir->nodeCount] = owned;
    WnnNode* n = &r->ir->nodes[r->ir->nodeCount++];
    memset(n, 0, sizeof *n);
    return n;
}

/* A node of ours: op, copies of the given inputs / outputs and attrs. */
static WnnNode* new_node(Rewriter* r, WnnOpId op, const int32_t* in, uint32_t nin, const int32_t* out, uint32_t nout,
                         const void* attrs, size_t attrsSize) {
    WnnNode* n = add_node(r, true);
    if (!n) return NULL;
    n->op = op;
    n->inputs = malloc(sizeof(int32_t) * (nin + 1));
    n->outputs = malloc(sizeof(int32_t) * (nout + 1));
    n->attrs = attrsSize ? malloc(attrsSize) : NULL;
    if (!n->inputs || !n->outputs || (attrsSize && !n->attrs)) return r->failed = true, NULL;
    memcpy(n->inputs, in, sizeof(int32_t) * nin);
    memcpy(n->outputs, out, sizeof(int32_t) * nout);
    if (attrsSize) memcpy(n->attrs, attrs, attrsSize);
    n->inputCount = nin;
    n->outputCount = nout;
    n->attrsSize = attrsSize;
    for (uint32_t j = 0; j < nout; j++) r->ir->operands[out[j]].node = (int32_t)(r->ir->nodeCount - 1);
    return n;
}

static WnnDesc permuted(const WnnDesc* d, const uint32_t* perm) {
    WnnDesc out = *d;
    for (uint32_t i = 0; i < d->rank; i++) out.shape[i] = d->shape[perm[i]];
    return out;
}

static const uint32_t k_to_nhwc[4] = {0, 2, 3, 1}, k_to_nchw[4] = {0, 3, 1, 2};

static void transpose(Rewriter* r, int32_t from, int32_t to, const uint32_t* perm) {
    WnnLayoutAttrs a;
    memset(&a, 0, sizeof a);
    for (int i = 0; i < 4; i++) a.perm[i] = perm[i];
    new_node(r, WNN_OP_transpose, &from, 1, &to, 1, &a, sizeof a);
}

/* The NHWC twin of a 4-D source operand, made by a transpose when it has none. */
static int32_t twin_of(Rewriter* r, int32_t id) {
    if (r->twin[id] >= 0) return r->twin[id];
    WnnDesc d = permuted(&r->src->operands[id].desc, k_to_nhwc);
    int32_t t = add_operand(r, &d, WNN_OPERAND_NODE_OUTPUT, NULL);
    if (t < 0) return -1;
    transpose(r, id, t, k_to_nhwc);
    return r->twin[id] = t;
}

/* Makes the NCHW form of an operand that so far exists only as its twin. */
static void materialize(Rewriter* r, int32_t id) {
    if (id < 0 || !r->pending[id]) return;
    r->pending[id] = 0;
    transpose(r, r->twin[id], id, k_to_nchw);
}

static bool is_float16_4d(const WnnDesc* d) { return d->type == WNNOperandDataType_Float16 && d->rank == 4; }

static bool convertible_conv(const WnnGraphIR* ir, const WnnNode* n) {
    if (n->op != WNN_OP_conv2d) return false;
    const WnnConvAttrs* a = n->attrs;
    const WnnIrOperand* w = &ir->operands[n->inputs[1]];
    bool ohwi = a->fo == 0 && a->fh == 1 && a->fw == 2 && a->fi == 3;
    /* The NHWC conv reads an ohwi filter: a constant is re-laid out at build, an input must be one. */
    return !a->nhwc && is_float16_4d(&ir->operands[n->inputs[0]].desc) && (w->kind == WNN_OPERAND_CONSTANT || ohwi);
}

static bool is_pool(WnnOpId op) {
    return op == WNN_OP_averagePool2d || op == WNN_OP_maxPool2d || op == WNN_OP_l2Pool2d;
}

/* Whether an element-wise node can run on twins: its 4-D inputs have them, the rest are scalars or
 * [1,C,1,1] constants (their twin is the same bytes, shaped [1,1,1,C]). */
static bool eltwise_on_twins(Rewriter* r, const WnnNode* n, bool (*is_eltwise)(WnnOpId)) {
    if (!is_eltwise(n->op) || n->outputCount != 1) return false;
    const WnnDesc* out = &r->src->operands[n->outputs[0]].desc;
    if (!is_float16_4d(out)) return false;
    bool anyTwin = false;
    for (uint32_t i = 0; i < n->inputCount; i++) {
        int32_t id = n->inputs[i];
        if (id < 0) continue;
        const WnnIrOperand* o = &r->src->operands[id];
        bool sameShape = wnn_desc_same_shape(&o->desc, out);
        bool channel = o->kind == WNN_OPERAND_CONSTANT && o->desc.rank == 4 && o->desc.shape[0] == 1 &&
                       o->desc.shape[2] == 1 && o->desc.shape[3] == 1;
        if (sameShape && r->twin[id] >= 0) anyTwin = true;
        else if (!(o->desc.rank == 0 || channel)) return false;
    }
    return anyTwin;
}

static void rewrite_node(Rewriter* r, const WnnNode* n, bool (*is_eltwise)(WnnOpId)) {
    const WnnGraphIR* src = r->src;
    int32_t in[16];
    bool conv = convertible_conv(src, n);
    bool pool = is_pool(n->op) && !((const WnnPoolAttrs*)n->attrs)->nhwc && r->twin[n->inputs[0]] >= 0;
    bool elt = !conv && !pool && n->inputCount <= 16 && eltwise_on_twins(r, n, is_eltwise);
    if (conv || pool || elt) {
        int32_t y = n->outputs[0];
        for (uint32_t i = 0; i < n->inputCount; i++) {
            int32_t id = n->inputs[i];
            in[i] = id;
            if (id < 0) continue;
            const WnnIrOperand* o = &src->operands[id];
            if ((conv || pool) && i > 0) continue; /* filter and bias as they are */
            if (o->desc.rank == 4 && (conv || pool || r->twin[id] >= 0)) in[i] = twin_of(r, id);
            else if (o->desc.rank == 4) { /* a [1,C,1,1] constant */
                WnnDesc d = permuted(&o->desc, k_to_nhwc);
                in[i] = add_operand(r, &d, WNN_OPERAND_CONSTANT, o->data);
            }
        }
        WnnDesc yd = permuted(&src->operands[y].desc, k_to_nhwc);
        int32_t yt = add_operand(r, &yd, WNN_OPERAND_NODE_OUTPUT, NULL);
        if (r->failed) return;
        WnnNode* m = new_node(r, n->op, in, n->inputCount, &yt, 1, n->attrs, n->attrsSize);
        if (!m) return;
        if (conv) ((WnnConvAttrs*)m->attrs)->nhwc = 1;
        if (pool) ((WnnPoolAttrs*)m->attrs)->nhwc = 1;
        r->twin[y] = yt;
        r->pending[y] = 1;
        return;
    }
    for (uint32_t i = 0; i < n->inputCount; i++) materialize(r, n->inputs[i]);
    WnnNode* copy = add_node(r, false); /* the source node, borrowed as it is */
    if (!copy) return;
    *copy = *n;
    for (uint32_t j = 0; j < n->outputCount; j++)
        if (n->outputs[j] >= 0) r->ir->operands[n->outputs[j]].node = (int32_t)(r->ir->nodeCount - 1);
}

void wnn_cuda_layout_free(WnnGraphIR* ir, uint8_t* ownedNode) {
    if (!ir) return;
    for (uint32_t k = 0; k < ir->nodeCount; k++) {
        if (!ownedNode || !ownedNode[k]) continue;
        free(ir->nodes[k].inputs);
        free(ir->nodes[k].outputs);
        free(ir->nodes[k].attrs);
    }
    free(ir->nodes);
    free(ir->operands);
    free(ir);
    free(ownedNode);
}

WNNStatus wnn_cuda_layout_nhwc(const WnnGraphIR* src, bool (*is_eltwise)(WnnOpId), WnnGraphIR** out,
                               uint8_t** ownedNode) {
    *out = NULL;
    *ownedNode = NULL;
    /* One conv alone does not pay for the transposes at its two ends (H100, seed_conv_nchw float16:
     * 0.047 ms as it is, 0.052 ms in NHWC with them). */
    uint32_t convs = 0;
    for (uint32_t k = 0; k < src->nodeCount; k++) convs += convertible_conv(src, &src->nodes[k]);
    if (convs < 2 || getenv("WNN_CUDA_NO_LAYOUT")) return WNNStatus_Success;
    Rewriter r;
    memset(&r, 0, sizeof r);
    r.src = src;
    r.ir = calloc(1, sizeof *r.ir);
    r.twin = malloc(sizeof(int32_t) * (src->operandCount + 1));
    r.pending = calloc(src->operandCount + 1, 1);
    if (!r.ir || !r.twin || !r.pending) r.failed = true;
    if (!r.failed) {
        *r.ir = *src; /* graph inputs, outputs and names are the source's (borrowed) */
        r.ir->borrowed = true;
        r.ir->operands = NULL;
        r.ir->nodes = NULL;
        r.ir->operandCount = r.ir->nodeCount = 0;
        for (uint32_t i = 0; i < src->operandCount && !r.failed; i++) {
            r.twin[i] = -1;
            if (add_operand(&r, &src->operands[i].desc, src->operands[i].kind, src->operands[i].data) >= 0)
                r.ir->operands[i].node = src->operands[i].node;
        }
    }
    for (uint32_t k = 0; k < src->nodeCount && !r.failed; k++) rewrite_node(&r, &src->nodes[k], is_eltwise);
    for (uint32_t i = 0; i < src->outputCount && !r.failed; i++) materialize(&r, (int32_t)src->outputIds[i]);
    free(r.twin);
    free(r.pending);
    if (r.failed) {
        wnn_cuda_layout_free(r.ir, r.ownedNode);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory (NHWC layout pass)");
    }
    *out = r.ir;
    *ownedNode = r.ownedNode;
    return WNNStatus_Success;
}
