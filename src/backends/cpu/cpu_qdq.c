/* cpu_qdq.c: the build-time QDQ pattern around a conv2d / matmul / gemm (cpu_qdq.h). It only reads
 * the graph: any graph, however malformed for the pattern, gives 0 and leaves the float path. */
#include "backends/cpu/cpu_qdq.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/threadpool.h"
#include "graph/ops/conv.h"
#include "graph/ops/elementwise.h"
#ifdef WNN_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#endif

/* WNN_CPU_INT8: 0 own (never), 1 onednn (wherever it fits), 2 auto (the same today). */
static int int8_mode(void) {
    const char* v = getenv("WNN_CPU_INT8");
    if (v && !strcmp(v, "own")) return 0;
    if (v && !strcmp(v, "onednn")) return 1;
    return 2;
}

/* Exact int8 dot products need VNNI (or AMX, which implies it): oneDNN's AVX2 / AVX-512 kernels
 * without it sum pairs of u8 x s8 products in int16, which saturates (on 2 AMD Zen AVX2 cores,
 * forced on, conv2d and matmul outputs were off by up to 125 quantization steps). So no mode
 * takes oneDNN's int8 layers there. */
static int exact_int8_isa(void);
int wnn_cpu_int8_exact(void) { return exact_int8_isa(); }

static int exact_int8_isa(void) {
#ifdef WNN_HAVE_ONEDNN
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    return isa == dnnl_cpu_isa_avx2_vnni || (isa & dnnl_cpu_isa_avx512_core_vnni) == dnnl_cpu_isa_avx512_core_vnni;
#else
    return 0;
#endif
}

int wnn_cpu_qdq_may_run(void) {
    int mode = int8_mode();
    return mode != 0 && exact_int8_isa();
}

static int is_const(const WnnGraphIR* ir, int32_t id) {
    return id >= 0 && (uint32_t)id < ir->operandCount && ir->operands[id].kind == WNN_OPERAND_CONSTANT &&
           ir->operands[id].data;
}

static int int8_type(WNNOperandDataType t) { return t == WNNOperandDataType_Int8 || t == WNNOperandDataType_Uint8; }

/* Every element of constant id is the same value. */
static int uniform(const WnnIrOperand* o) {
    size_t n = (size_t)wnn_desc_numel(&o->desc);
    double v0 = wnn_load_f64(o->data, o->desc.type, 0);
    for (size_t i = 1; i < n; i++)
        if (wnn_load_f64(o->data, o->desc.type, i) != v0) return 0;
    return 1;
}

/* A float32 constant scale whose elements are all positive and finite. */
static int good_scale(const WnnGraphIR* ir, int32_t id) {
    if (!is_const(ir, id) || ir->operands[id].desc.type != WNNOperandDataType_Float32) return 0;
    const float* s = ir->operands[id].data;
    for (size_t i = 0, n = (size_t)wnn_desc_numel(&ir->operands[id].desc); i < n; i++)
        if (!(s[i] > 0.0f) || !isfinite(s[i])) return 0;
    return 1;
}

/* The dequantizeLinear node (before node `before`) that makes operand id from an int8 / uint8
 * tensor (or any integer one: anyInt), or NULL. */
static const WnnNode* dequantize_of(const WnnGraphIR* ir, int32_t id, uint32_t before, int anyInt) {
    if (id < 0 || (uint32_t)id >= ir->operandCount) return NULL;
    const WnnIrOperand* o = &ir->operands[id];
    if (o->kind != WNN_OPERAND_NODE_OUTPUT || o->node < 0 || (uint32_t)o->node >= before) return NULL;
    const WnnNode* d = &ir->nodes[o->node];
    if (d->op != WNN_OP_dequantizeLinear || d->inputCount != 3 || d->outputCount != 1 || d->outputs[0] != id) return NULL;
    for (uint32_t j = 0; j < 3; j++)
        if (d->inputs[j] < 0) return NULL;
    if (o->desc.type != WNNOperandDataType_Float32 || (!anyInt && !int8_type(ir->operands[d->inputs[0]].desc.type)))
        return NULL;
    if (!good_scale(ir, d->inputs[1]) || !is_const(ir, d->inputs[2])) return NULL;
    return d;
}

/* The node after `after` that is the only reader of operand id (which is no graph output), or -1. */
static int32_t only_reader(const WnnGraphIR* ir, const uint32_t* uses, int32_t id, uint32_t after) {
    if (uses[id] != 1) return -1; /* a graph output counts as a use: then there is none left */
    for (uint32_t k = after + 1; k < ir->nodeCount; k++)
        for (uint32_t j = 0; j < ir->nodes[k].inputCount; j++)
            if (ir->nodes[k].inputs[j] == id) return (int32_t)k;
    return -1;
}

/* The scale of w_q (shape `sd`) is one per tensor or one per index of dimension axis. */
static int per_channel(const WnnDesc* sd, const WnnDesc* wd, uint32_t axis) {
    for (uint32_t i = 0; i < sd->rank; i++)
        if (sd->shape[i] != 1 && (i != axis || sd->shape[i] != wd->shape[i])) return 0;
    return 1;
}

/* Cuts the chain after its bias add (if any): the rest stays nodes of their own. */
static void cut_after_bias(const WnnGraphIR* ir, const WnnNode* n, WnnCpuFusion* f) {
    f->absorbedCount = f->bias >= 0 ? 1 : 0;
    f->residual = -1;
    f->act = WNN_OP_COUNT;
    f->actAttrs = NULL;
    f->output = f->bias >= 0 ? ir->nodes[f->absorbed[0]].outputs[0] : n->outputs[0];
}

/* conv2d / matmul / gemm (cpu_qdq.h). */
static int layer_candidate(const WnnGraphIR* ir, const uint32_t* uses, uint32_t k, WnnCpuFusion* f, WnnCpuQdq* q) {
    const WnnNode* n = &ir->nodes[k];
    if (!exact_int8_isa()) return 0;
    if ((n->op != WNN_OP_conv2d && n->op != WNN_OP_matmul && n->op != WNN_OP_gemm) || n->outputCount != 1 ||
        n->inputCount < 2 || n->inputs[0] < 0 || n->inputs[1] < 0 || n->inputs[0] == n->inputs[1])
        return 0;
    const WnnNode* dx = dequantize_of(ir, n->inputs[0], k, 0);
    const WnnNode* dw = dequantize_of(ir, n->inputs[1], k, 0);
    if (!dx || !dw || !uniform(&ir->operands[dx->inputs[1]]) || !uniform(&ir->operands[dx->inputs[2]]) ||
        !is_const(ir, dw->inputs[0]))
        return 0;
    memset(q, 0, sizeof *q);
    q->x = dx->inputs[0], q->xScale = dx->inputs[1], q->xZp = dx->inputs[2];
    q->w = dw->inputs[0], q->wScale = dw->inputs[1], q->wZp = dw->inputs[2];
    const WnnDesc* wd = &ir->operands[q->w].desc;
    if (n->op == WNN_OP_conv2d) q->wAxis = ((const WnnConvAttrs*)n->attrs)->fo;
    else if (n->op == WNN_OP_gemm) q->wAxis = ((const WnnGemmAttrs*)n->attrs)->bTranspose ? 0 : 1;
    else q->wAxis = wd->rank - 1;
    if (wd->rank < 2 || q->wAxis >= wd->rank || !per_channel(&ir->operands[q->wScale].desc, wd, q->wAxis)) return 0;
    /* the op's own bias (conv2d) or c (gemm): a float32 constant or a dequantized integer one */
    int32_t bid = n->inputCount > 2 ? n->inputs[2] : -1;
    q->b = q->bScale = q->bZp = -1;
    if (bid >= 0 && is_const(ir, bid) && ir->operands[bid].desc.type == WNNOperandDataType_Float32) {
        q->b = bid;
    } else if (bid >= 0) {
        const WnnNode* db = dequantize_of(ir, bid, k, 1);
        uint64_t sn = db ? wnn_desc_numel(&ir->operands[db->inputs[1]].desc) : 0;
        if (!db || !is_const(ir, db->inputs[0]) || (sn != 1 && sn != wnn_desc_numel(&ir->operands[bid].desc))) return 0;
        q->b = db->inputs[0], q->bScale = db->inputs[1], q->bZp = db->inputs[2];
    }

    wnn_cpu_fuse_candidate(ir, uses, k, f);
    if (f->residual >= 0) cut_after_bias(ir, n, f); /* a residual add stays a node of its own */
    q->yScale = q->yZp = -1;
    int32_t at = only_reader(ir, uses, f->output, f->absorbedCount ? f->absorbed[f->absorbedCount - 1] : k);
    const WnnNode* qn = at >= 0 ? &ir->nodes[at] : NULL;
    int quantized = qn && qn->op == WNN_OP_quantizeLinear && qn->inputCount == 3 && qn->outputCount == 1 &&
                    qn->inputs[0] == f->output && qn->inputs[1] >= 0 && qn->inputs[2] >= 0 &&
                    good_scale(ir, qn->inputs[1]) && is_const(ir, qn->inputs[2]) &&
                    int8_type(ir->operands[qn->outputs[0]].desc.type) && uniform(&ir->operands[qn->inputs[1]]) &&
                    uniform(&ir->operands[qn->inputs[2]]);
    /* Quantized, the activation runs on y / sy: only those that commute with a positive scale. */
    if (quantized && f->act != WNN_OP_COUNT && f->act != WNN_OP_relu && f->act != WNN_OP_clamp &&
        f->act != WNN_OP_leakyRelu) {
        cut_after_bias(ir, n, f);
        quantized = 0; /* the activation and the quantizeLinear stay nodes */
    }
    if (quantized) {
        q->yScale = qn->inputs[1], q->yZp = qn->inputs[2];
        f->absorbed[f->absorbedCount++] = (uint32_t)at;
        f->output = qn->outputs[0];
    }
    /* A dequantizeLinear read by this op only goes with it (the op reads x_q / w_q itself). */
    if (uses[n->inputs[0]] == 1) f->absorbed[f->absorbedCount++] = (uint32_t)ir->operands[n->inputs[0]].node;
    if (uses[n->inputs[1]] == 1) f->absorbed[f->absorbedCount++] = (uint32_t)ir->operands[n->inputs[1]].node;
    if (q->bScale >= 0 && uses[bid] == 1) f->absorbed[f->absorbedCount++] = (uint32_t)ir->operands[bid].node;
    /* The fused view applies inputs only to a node that folds something (cpu_fuse.c). */
    if (!f->absorbedCount) return 0;
    f->input[0] = q->x;
    f->input[1] = q->w; /* not read (the weights are prepared), but a shared dequantizeLinear of them folds */
    q->y = f->output;
    return 1;
}

/* ---- quantized add ---- */

static int add_candidate(const WnnGraphIR* ir, const uint32_t* uses, uint32_t k, WnnCpuFusion* f, WnnCpuQdq* q) {
    const WnnNode* n = &ir->nodes[k];
    if (n->inputCount != 2 || n->outputCount != 1 || n->inputs[0] < 0 || n->inputs[1] < 0) return 0;
    const WnnNode* da = dequantize_of(ir, n->inputs[0], k, 0);
    const WnnNode* db = dequantize_of(ir, n->inputs[1], k, 0);
    const WnnDesc* od = &ir->operands[n->outputs[0]].desc;
    if (!da || !db || !wnn_desc_same_shape(&ir->operands[da->inputs[0]].desc, od) ||
        !wnn_desc_same_shape(&ir->operands[db->inputs[0]].desc, od))
        return 0;
    for (int i = 0; i < 2; i++) {
        const WnnNode* d = i ? db : da;
        if (!uniform(&ir->operands[d->inputs[1]]) || !uniform(&ir->operands[d->inputs[2]])) return 0;
    }
    memset(f, 0, sizeof *f);
    f->bias = f->residual = -1;
    f->act = WNN_OP_COUNT;
    int32_t cur = n->outputs[0];
    int32_t at = only_reader(ir, uses, cur, k);
    if (at >= 0 && (ir->nodes[at].op == WNN_OP_relu || ir->nodes[at].op == WNN_OP_clamp) &&
        ir->nodes[at].outputCount == 1 && ir->nodes[at].inputs[0] == cur) {
        f->act = ir->nodes[at].op;
        f->actAttrs = ir->nodes[at].attrs;
        f->absorbed[f->absorbedCount++] = (uint32_t)at;
        cur = ir->nodes[at].outputs[0];
        at = only_reader(ir, uses, cur, (uint32_t)at);
    }
    const WnnNode* qn = at >= 0 ? &ir->nodes[at] : NULL;
    if (!qn || qn->op != WNN_OP_quantizeLinear || qn->inputCount != 3 || qn->outputCount != 1 || qn->inputs[0] != cur ||
        qn->inputs[1] < 0 || qn->inputs[2] < 0 || !good_scale(ir, qn->inputs[1]) || !is_const(ir, qn->inputs[2]) ||
        !int8_type(ir->operands[qn->outputs[0]].desc.type) || !uniform(&ir->operands[qn->inputs[1]]) ||
        !uniform(&ir->operands[qn->inputs[2]]))
        return 0;
    f->absorbed[f->absorbedCount++] = (uint32_t)at;
    memset(q, 0, sizeof *q);
    q->x = da->inputs[0], q->xScale = da->inputs[1], q->xZp = da->inputs[2];
    q->w = db->inputs[0], q->wScale = db->inputs[1], q->wZp = db->inputs[2];
    q->b = q->bScale = q->bZp = -1;
    q->yScale = qn->inputs[1], q->yZp = qn->inputs[2];
    q->y = f->output = qn->outputs[0];
    if (n->inputs[0] != n->inputs[1]) { /* add(x, x): its dequantizeLinear is read twice */
        if (uses[n->inputs[0]] == 1) f->absorbed[f->absorbedCount++] = (uint32_t)ir->operands[n->inputs[0]].node;
        if (uses[n->inputs[1]] == 1) f->absorbed[f->absorbedCount++] = (uint32_t)ir->operands[n->inputs[1]].node;
    }
    f->input[0] = q->x;
    f->input[1] = q->w;
    return 1;
}

/* Its output is a function of two bytes: a table of all 65536 results, each computed at build
 * with the float path's steps (float32 dequantize and sum, the activation, quantizeLinear's
 * rounding of the double quotient), so a dispatch is one lookup per element and exact. */
typedef struct QAdd {
    WnnCpuPrepared base;
    uint8_t lut[65536]; /* [a byte << 8 | b byte]: y_q's byte */
} QAdd;

typedef struct QAddJob {
    const QAdd* p;
    const WnnCpuKernelArgs* args;
} QAddJob;

static void qadd_range(void* ctx, size_t begin, size_t end) {
    const QAddJob* j = ctx;
    const uint8_t *lut = j->p->lut, *a = j->args->inputs[0].data, *b = j->args->inputs[1].data;
    uint8_t* y = j->args->outputs[0].data;
    for (size_t i = begin; i < end; i++) y[i] = lut[(uint32_t)a[i] << 8 | b[i]];
}

static WNNStatus qadd_run(const WnnCpuPrepared* self, const WnnCpuKernelArgs* args) {
    QAddJob j = {(const QAdd*)self, args};
    wnn_parallel_for(args->pool, (size_t)wnn_desc_numel(args->outputs[0].desc), 32768, qadd_range, &j);
    return WNNStatus_Success;
}

static void qadd_release(WnnCpuPrepared* self) { free(self); }

/* The value of byte v of an int8 / uint8 tensor (type t) minus zero point z, dequantized by s
 * to float32 (exact product rounded once, as k_quantize.c). */
static float dequantized(WNNOperandDataType t, uint32_t v, int64_t z, float s) {
    int64_t x = t == WNNOperandDataType_Uint8 ? (int64_t)v : (int64_t)(int8_t)(uint8_t)v;
    return (float)((double)(x - z) * s);
}

static WNNStatus add_prepare(const WnnGraphIR* ir, const WnnCpuFusion* f, const WnnCpuQdq* q, WnnCpuPrepared** out) {
    QAdd* p = wnn_calloc(1, sizeof *p);
    if (!p) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    p->base.run = qadd_run;
    p->base.release = qadd_release;
    p->base.fused = 1;
    const WnnIrOperand* o = ir->operands;
    WNNOperandDataType ta = o[q->x].desc.type, tb = o[q->w].desc.type;
    float sa = ((const float*)o[q->xScale].data)[0], sb = ((const float*)o[q->wScale].data)[0];
    double sy = ((const float*)o[q->yScale].data)[0];
    int64_t za = wnn_load_i64(o[q->xZp].data, o[q->xZp].desc.type, 0);
    int64_t zb = wnn_load_i64(o[q->wZp].data, o[q->wZp].desc.type, 0);
    int64_t zy = wnn_load_i64(o[q->yZp].data, o[q->yZp].desc.type, 0);
    int uy = o[q->y].desc.type == WNNOperandDataType_Uint8;
    double qlo = uy ? 0 : INT8_MIN, qhi = uy ? UINT8_MAX : INT8_MAX;
    float lo = -INFINITY, hi = INFINITY;
    if (f->act == WNN_OP_relu) lo = 0.0f;
    if (f->act == WNN_OP_clamp) {
        const WnnClampAttrs* c = f->actAttrs;
        if (c->hasMin) lo = (float)c->minF;
        if (c->hasMax) hi = (float)c->maxF;
    }
    for (uint32_t a = 0; a < 256; a++) {
        float fa = dequantized(ta, a, za, sa);
        for (uint32_t b = 0; b < 256; b++) {
            float s = fa + dequantized(tb, b, zb, sb);
            s = s < lo ? lo : s > hi ? hi : s; /* relu / clamp as their float kernels */
            double v = nearbyint((double)s / sy) + (double)zy;
            v = isnan(v) ? 0.0 : v < qlo ? qlo : v > qhi ? qhi : v;
            p->lut[a << 8 | b] = uy ? (uint8_t)v : (uint8_t)(int8_t)v;
        }
    }
    *out = &p->base;
    return WNNStatus_Success;
}

/* ---- entry points ---- */

static atomic_uint g_int8;

unsigned wnn_cpu_int8_nodes(void) { return atomic_load(&g_int8); }

int wnn_cpu_qdq_candidate(const WnnGraphIR* ir, const uint32_t* uses, uint32_t k, WnnCpuFusion* f, WnnCpuQdq* q) {
    if (!int8_mode()) return 0;
    return ir->nodes[k].op == WNN_OP_add ? add_candidate(ir, uses, k, f, q) : layer_candidate(ir, uses, k, f, q);
}

WNNStatus wnn_cpu_qdq_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f, const WnnCpuQdq* q,
                              WnnCpuPrepared** out) {
    *out = NULL;
    WNNStatus s = WNNStatus_Success;
    if (node->op == WNN_OP_add) s = add_prepare(ir, f, q, out);
#ifdef WNN_HAVE_ONEDNN
    else s = wnn_onednn_int8_prepare(ir, node, f, q, out);
#endif
    if (*out) atomic_fetch_add(&g_int8, 1);
    return s;
}

void wnn_cpu_qdq_fold_shared(const WnnGraphIR* ir, WnnCpuPrepared* const* prep, WnnCpuFusion* fused, char* absorbed) {
    for (uint32_t d = 0; d < ir->nodeCount; d++) {
        const WnnNode* dn = &ir->nodes[d];
        if (dn->op != WNN_OP_dequantizeLinear || absorbed[d] || prep[d] || dn->outputCount != 1) continue;
        int32_t x = dn->outputs[0];
        int dead = 1, first = -1;
        for (uint32_t i = 0; i < ir->outputCount; i++) dead &= (int32_t)ir->outputIds[i] != x;
        for (uint32_t m = d + 1; dead && m < ir->nodeCount; m++) {
            const WnnNode* n = &ir->nodes[m];
            for (uint32_t j = 0; j < n->inputCount; j++) {
                if (n->inputs[j] != x) continue;
                /* read where an int8 step reads its own operand instead */
                if (absorbed[m] || !fused[m].absorbedCount || j > 1 || fused[m].input[j] < 0) dead = 0;
                else if (first < 0) first = (int32_t)m;
            }
        }
        if (!dead || first < 0 || fused[first].absorbedCount >= sizeof fused[first].absorbed / sizeof(uint32_t)) continue;
        fused[first].absorbed[fused[first].absorbedCount++] = d;
        absorbed[d] = 1;
    }
}
