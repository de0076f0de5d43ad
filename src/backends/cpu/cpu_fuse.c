/* cpu_fuse.c: finds op -> bias add -> residual add -> activation chains and builds the graph view without them
 * (cpu_fuse.h). */
#include "backends/cpu/cpu_fuse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph/ops/conv.h"
#include "graph/ops/movement.h"

WNNStatus wnn_cpu_fuse_uses(const WnnGraphIR* ir, uint32_t** uses) {
    uint32_t* u = wnn_calloc(ir->operandCount ? ir->operandCount : 1, sizeof *u);
    if (!u) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    for (uint32_t k = 0; k < ir->nodeCount; k++)
        for (uint32_t j = 0; j < ir->nodes[k].inputCount; j++)
            if (ir->nodes[k].inputs[j] >= 0) u[ir->nodes[k].inputs[j]]++;
    for (uint32_t i = 0; i < ir->outputCount; i++) u[ir->outputIds[i]]++;
    *uses = u;
    return WNNStatus_Success;
}

int32_t wnn_cpu_fuse_sole_consumer(const WnnGraphIR* ir, const uint32_t* uses, int32_t id, uint32_t after) {
    if (uses[id] != 1) return -1;
    for (uint32_t i = 0; i < ir->outputCount; i++)
        if ((int32_t)ir->outputIds[i] == id) return -1;
    for (uint32_t k = after + 1; k < ir->nodeCount; k++)
        for (uint32_t j = 0; j < ir->nodes[k].inputCount; j++)
            if (ir->nodes[k].inputs[j] == id) return (int32_t)k;
    return -1;
}

/* A constant that broadcasts to `out` along one axis only: all dimensions 1 but that axis's. */
static int per_channel_constant(const WnnIrOperand* c, const WnnDesc* out, uint32_t axis) {
    if (c->kind != WNN_OPERAND_CONSTANT || !c->data || c->desc.type != out->type || c->desc.rank > out->rank) return 0;
    for (uint32_t i = 0; i < c->desc.rank; i++) {
        uint32_t oi = out->rank - c->desc.rank + i, d = c->desc.shape[i];
        if (d != 1 && (oi != axis || d != out->shape[axis])) return 0;
    }
    return 1;
}

/* The factor a mul / div node a applies to operand cur when its other operand is a constant single
 * element of cur's type (div: cur the dividend, and 1 / divisor exact: a power of two); 0 if none. */
static int scalar_scale(const WnnGraphIR* ir, const WnnNode* a, int32_t cur, float* scale) {
    if ((a->op != WNN_OP_mul && a->op != WNN_OP_div) || a->inputCount != 2 || a->inputs[0] == a->inputs[1]) return 0;
    int32_t other = a->inputs[0] == cur ? a->inputs[1] : a->inputs[0];
    const WnnIrOperand* c = other >= 0 ? &ir->operands[other] : NULL;
    const WnnDesc* od = &ir->operands[cur].desc;
    if (!c || c->kind != WNN_OPERAND_CONSTANT || !c->data || c->desc.type != od->type || wnn_desc_numel(&c->desc) != 1 ||
        !wnn_desc_equal(&ir->operands[a->outputs[0]].desc, od) || (a->op == WNN_OP_div && a->inputs[0] != cur))
        return 0;
    float v;
    if (od->type == WNNOperandDataType_Float32) v = *(const float*)c->data;
    else if (od->type == WNNOperandDataType_Float16) v = wnn_half_to_float(*(const uint16_t*)c->data);
    else return 0;
    if (!isfinite(v)) return 0;
    int e;
    if (a->op == WNN_OP_div && (v == 0 || fabs(frexp(v, &e)) != 0.5)) return 0;
    *scale = a->op == WNN_OP_div ? 1.0f / v : v;
    return 1;
}

static int fusible_activation(WnnOpId op) {
    switch (op) {
        case WNN_OP_relu: case WNN_OP_clamp: case WNN_OP_sigmoid: case WNN_OP_tanh: case WNN_OP_leakyRelu:
        case WNN_OP_elu: case WNN_OP_gelu: case WNN_OP_hardSwish: case WNN_OP_hardSigmoid: case WNN_OP_softplus:
        case WNN_OP_linear: return 1;
        default: return 0;
    }
}

void wnn_cpu_fuse_candidate(const WnnGraphIR* ir, const uint32_t* uses, uint32_t k, WnnCpuFusion* f) {
    const WnnNode* n = &ir->nodes[k];
    memset(f, 0, sizeof *f);
    f->bias = -1;
    f->residual = -1;
    f->input[0] = f->input[1] = -1;
    f->act = WNN_OP_COUNT;
    if (n->outputCount != 1) return;
    int32_t cur = n->outputs[0];
    const WnnDesc* od = &ir->operands[cur].desc;
    f->channelAxis = od->rank - 1;
    if (n->op == WNN_OP_conv2d || n->op == WNN_OP_convTranspose2d)
        f->channelAxis = ((const WnnConvAttrs*)n->attrs)->nhwc ? 3 : 1;
    int32_t at = wnn_cpu_fuse_sole_consumer(ir, uses, cur, k);
    if (at >= 0 && scalar_scale(ir, &ir->nodes[at], cur, &f->scale)) {
        f->hasScale = 1;
        f->absorbed[f->absorbedCount++] = (uint32_t)at;
        cur = ir->nodes[at].outputs[0];
        at = wnn_cpu_fuse_sole_consumer(ir, uses, cur, (uint32_t)at);
    }
    if (at >= 0 && !f->hasScale && ir->nodes[at].op == WNN_OP_add) {
        const WnnNode* a = &ir->nodes[at];
        int32_t other = a->inputs[0] == cur ? a->inputs[1] : a->inputs[0];
        const WnnDesc* ad = &ir->operands[a->outputs[0]].desc;
        if (other != cur && other >= 0 && wnn_desc_equal(ad, od) &&
            per_channel_constant(&ir->operands[other], od, f->channelAxis)) {
            f->bias = other;
            f->absorbed[f->absorbedCount++] = (uint32_t)at;
            cur = a->outputs[0];
            at = wnn_cpu_fuse_sole_consumer(ir, uses, cur, (uint32_t)at);
        }
    }
    int residualOp = n->op == WNN_OP_conv2d || n->op == WNN_OP_matmul || n->op == WNN_OP_gemm;
    if (at >= 0 && !f->hasScale && residualOp && ir->nodes[at].op == WNN_OP_add) {
        const WnnNode* a = &ir->nodes[at];
        int32_t other = a->inputs[0] == cur ? a->inputs[1] : a->inputs[0];
        const WnnIrOperand* o = other >= 0 ? &ir->operands[other] : NULL;
        /* made before the op (the fused step runs at the op's place), same shape and type */
        if (o && other != cur && o->kind != WNN_OPERAND_CONSTANT && (o->node < 0 || (uint32_t)o->node < k) &&
            wnn_desc_equal(&o->desc, od) && wnn_desc_equal(&ir->operands[a->outputs[0]].desc, od)) {
            f->residual = other;
            f->absorbed[f->absorbedCount++] = (uint32_t)at;
            cur = a->outputs[0];
            at = wnn_cpu_fuse_sole_consumer(ir, uses, cur, (uint32_t)at);
        }
    }
    if (at >= 0 && fusible_activation(ir->nodes[at].op) && ir->nodes[at].outputCount == 1 &&
        wnn_desc_equal(&ir->operands[ir->nodes[at].outputs[0]].desc, od)) {
        f->act = ir->nodes[at].op;
        f->actAttrs = ir->nodes[at].attrs;
        f->absorbed[f->absorbedCount++] = (uint32_t)at;
        cur = ir->nodes[at].outputs[0];
    }
    f->output = cur;
}

/* The transpose node making operand id, when id is float32 and read by one node only. */
static int32_t transpose_making(const WnnGraphIR* ir, const uint32_t* uses, int32_t id) {
    const WnnIrOperand* o = id >= 0 ? &ir->operands[id] : NULL;
    if (!o || o->kind != WNN_OPERAND_NODE_OUTPUT || o->node < 0 || uses[id] != 1 || o->desc.type != WNNOperandDataType_Float32)
        return -1;
    return ir->nodes[o->node].op == WNN_OP_transpose ? o->node : -1;
}

int wnn_cpu_fuse_transposes(const WnnGraphIR* ir, const uint32_t* uses, uint32_t k, WnnCpuFusion* f) {
    const WnnNode* n = &ir->nodes[k];
    int any = 0;
    if (n->op != WNN_OP_matmul || n->inputCount < 2 || n->outputCount != 1 ||
        ir->operands[n->outputs[0]].desc.type != WNNOperandDataType_Float32)
        return 0;
    for (uint32_t j = 0; j < 2 && f->absorbedCount < 12; j++) {
        int32_t t = transpose_making(ir, uses, n->inputs[j]);
        if (t < 0) continue;
        const WnnLayoutAttrs* a = ir->nodes[t].attrs;
        f->input[j] = ir->nodes[t].inputs[0];
        f->inPermuted[j] = 1;
        memcpy(f->inPerm[j], a->perm, sizeof a->perm);
        f->absorbed[f->absorbedCount++] = (uint32_t)t;
        any = 1;
    }
    int32_t t = f->residual < 0 && f->absorbedCount < 12 ? wnn_cpu_fuse_sole_consumer(ir, uses, f->output, k) : -1;
    if (t >= 0 && ir->nodes[t].op == WNN_OP_transpose && ir->nodes[t].outputCount == 1) {
        const WnnLayoutAttrs* a = ir->nodes[t].attrs;
        f->outPermuted = 1;
        memcpy(f->outPerm, a->perm, sizeof a->perm);
        f->absorbed[f->absorbedCount++] = (uint32_t)t;
        f->output = ir->nodes[t].outputs[0];
        any = 1;
    }
    return any;
}

int wnn_cpu_fuse_permuted(const WnnCpuFusion* f) { return f && (f->inPermuted[0] || f->inPermuted[1] || f->outPermuted); }

WNNStatus wnn_cpu_fused_ir(const WnnGraphIR* ir, const WnnCpuFusion* fused, WnnCpuFusedIR* out) {
    memset(out, 0, sizeof *out);
    uint32_t nn = ir->nodeCount ? ir->nodeCount : 1;
    char* drop = wnn_calloc(nn, 1);
    out->view = *ir;
    out->view.borrowed = true;
    out->view.nodes = wnn_calloc(nn, sizeof(WnnNode));
    out->view.operands = wnn_malloc(sizeof(WnnIrOperand) * (ir->operandCount ? ir->operandCount : 1));
    out->origin = wnn_calloc(nn, sizeof(uint32_t));
    out->outputs = wnn_calloc(nn, sizeof(int32_t));
    out->inputs = wnn_calloc(nn, sizeof(int32_t*));
    if (!drop || !out->view.nodes || !out->view.operands || !out->origin || !out->outputs || !out->inputs) {
        free(drop);
        wnn_cpu_fused_ir_free(out);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    }
    memcpy(out->view.operands, ir->operands, sizeof(WnnIrOperand) * ir->operandCount);
    for (uint32_t k = 0; k < ir->nodeCount; k++)
        for (uint32_t j = 0; j < fused[k].absorbedCount; j++) drop[fused[k].absorbed[j]] = 1;
    uint32_t m = 0;
    for (uint32_t k = 0; k < ir->nodeCount; k++) {
        if (drop[k]) continue;
        WnnNode* n = &out->view.nodes[m];
        *n = ir->nodes[k]; /* shares inputs, attrs and label with the original */
        if (fused[k].absorbedCount) {
            out->outputs[m] = fused[k].output;
            n->outputs = &out->outputs[m];
        }
        if (fused[k].absorbedCount && (fused[k].residual >= 0 || fused[k].input[0] >= 0 || fused[k].input[1] >= 0)) {
            int32_t* in = wnn_malloc(sizeof(int32_t) * (n->inputCount + 1));
            if (!in) {
                free(drop);
                wnn_cpu_fused_ir_free(out);
                return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
            }
            memcpy(in, n->inputs, sizeof(int32_t) * n->inputCount);
            if (fused[k].residual >= 0) in[n->inputCount++] = fused[k].residual; /* the residual: last input */
            for (uint32_t j = 0; j < 2 && j < n->inputCount; j++)
                if (fused[k].input[j] >= 0) in[j] = fused[k].input[j];
            n->inputs = out->inputs[m] = in;
        }
        for (uint32_t j = 0; j < n->outputCount; j++) out->view.operands[n->outputs[j]].node = (int32_t)m;
        out->origin[m++] = k;
    }
    out->view.nodeCount = m;
    free(drop);
    return WNNStatus_Success;
}

void wnn_cpu_fused_ir_free(WnnCpuFusedIR* f) {
    for (uint32_t k = 0; f->inputs && k < f->view.nodeCount; k++) free(f->inputs[k]);
    free(f->inputs);
    free(f->view.nodes);
    free(f->view.operands);
    free(f->origin);
    free(f->outputs);
    memset(f, 0, sizeof *f);
}
