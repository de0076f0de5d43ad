/* matmul_packed.c: float32 matmul and gemm on our packed GEMM (sgemm_packed.h, conv_prepare.h).
 * A constant b is packed once at build time, any other at each dispatch into the state's buffer.
 * A matmul's batch of a over one constant b becomes one tall product; otherwise a and b each have
 * the output's batch or none. gemm's alpha, beta * c (a constant per column or a single value) and
 * a fused bias, scale and activation run in the GEMM's epilogue. Anything else (float16, a c that
 * varies by row, a batch broadcast partly) is left to the other paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/conv_prepare.h"
#include "backends/cpu/sgemm_packed.h"
#include "graph/ops/conv.h"

typedef struct PackedMatmul {
    WnnCpuPrepared base;
    WnnSgemm g;  /* A, C and (for a b packed per dispatch) packedB set at each run */
    int constB;  /* else b is packed per dispatch: */
    size_t batchesB, ldb, strideB;
    int bTransposed;
    float* packed;
    float* bias; /* N floats, or NULL */
    int residualArg; /* the node input added after the bias (a fused residual), or -1 */
    int hasEpilogue;
    WnnSgemmEpilogue e;
} PackedMatmul;

static unsigned g_built; /* states made since the process started, for tests */

unsigned wnn_cpu_packed_nodes(void) { return __atomic_load_n(&g_built, __ATOMIC_RELAXED); }

static WNNStatus run(const WnnCpuPrepared* self, const WnnCpuKernelArgs* args) {
    const PackedMatmul* p = (const PackedMatmul*)self;
    WnnSgemm g = p->g;
    if (!p->constB)
        wnn_sgemm_pack_b(p->batchesB, g.K, g.N, args->inputs[1].data, p->ldb, p->strideB, p->bTransposed, p->packed, args->pool);
    g.A = args->inputs[0].data;
    g.C = args->outputs[0].data;
    g.packedB = p->packed;
    WnnSgemmEpilogue e = p->e;
    if (p->residualArg >= 0) e.residual = args->inputs[p->residualArg].data;
    g.e = p->hasEpilogue ? &e : NULL;
    wnn_sgemm_packed(&g, args->pool);
    return WNNStatus_Success;
}

static void release(WnnCpuPrepared* self) {
    PackedMatmul* p = (PackedMatmul*)self;
    free(p->packed);
    free(p->bias);
    free(p);
}

static int is_f32_constant(const WnnIrOperand* o) {
    return o->kind == WNN_OPERAND_CONSTANT && o->data && o->desc.type == WNNOperandDataType_Float32;
}

/* Whether every dimension of d but the last is 1 (a value per column, or a single value). */
static int per_column(const WnnDesc* d) {
    for (uint32_t i = 0; i + 1 < d->rank; i++)
        if (d->shape[i] != 1) return 0;
    return 1;
}

/* The chain f as the epilogue's scale, bias, residual and activation on top of gemm's alpha and
 * c; 0 when this GEMM cannot run it (an activation without a float32 function, odd bounds). The
 * residual (the output's shape and type: cpu_fuse.c) is read at each dispatch, the node's input
 * after its own ones. */
static int take_chain(const WnnNode* node, const WnnIrOperand* biasOp, const WnnCpuFusion* f, PackedMatmul* p) {
    if (f->input[0] >= 0 || f->input[1] >= 0) return 0;
    if (biasOp && !is_f32_constant(biasOp)) return 0;
    WnnSgemmEpilogue* e = &p->e;
    if (f->act == WNN_OP_relu) {
        e->clamp = 1, e->lo = 0.0f, e->hi = __builtin_inff();
    } else if (f->act == WNN_OP_clamp) {
        if (!wnn_elt_clamp_bounds(f->actAttrs, &e->lo, &e->hi)) return 0;
        e->clamp = 1;
    } else if (f->act != WNN_OP_COUNT) {
        WnnNode act = {.op = f->act, .attrs = (void*)f->actAttrs};
        if (!(e->act = wnn_elt_float_op(f->act)) || e->act->inputs != 1 || !wnn_elt_float_params(e->act, &act, &e->actParams))
            return 0;
    }
    p->residualArg = f->residual >= 0 ? (int)node->inputCount : -1;
    return 1;
}

/* Matrices in d's batch: the product of its dimensions before the last two. */
static size_t batch_of(const WnnDesc* d) {
    size_t n = 1;
    for (uint32_t i = 0; i + 2 < d->rank; i++) n *= d->shape[i];
    return n;
}

WNNStatus wnn_cpu_matmul_packed_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* fuse,
                                        WnnCpuPrepared** out) {
    *out = NULL;
    const WnnIrOperand *ao = &ir->operands[node->inputs[0]], *bo = &ir->operands[node->inputs[1]];
    const WnnDesc *da = &ao->desc, *db = &bo->desc, *od = &ir->operands[node->outputs[0]].desc;
    if (da->type != WNNOperandDataType_Float32 || db->type != WNNOperandDataType_Float32 ||
        od->type != WNNOperandDataType_Float32 || da->rank < 2 || db->rank < 2 || od->rank < 2)
        return WNNStatus_Success;
    int constB = is_f32_constant(bo), aT = 0, bT = 0;
    double alpha = 1, beta = 1;
    const WnnIrOperand* co = NULL;
    if (node->op == WNN_OP_gemm) {
        const WnnGemmAttrs* g = node->attrs;
        aT = g->aTranspose, bT = g->bTranspose, alpha = g->alpha, beta = g->beta;
        co = node->inputCount > 2 && node->inputs[2] >= 0 ? &ir->operands[node->inputs[2]] : NULL;
        if (co && (!is_f32_constant(co) || !per_column(&co->desc))) return WNNStatus_Success;
    }
    size_t M = od->shape[od->rank - 2], N = od->shape[od->rank - 1], K = aT ? da->shape[0] : da->shape[da->rank - 1];
    size_t batches = batch_of(od), bA = batch_of(da), bB = batch_of(db);
    if ((bA != 1 && bA != batches) || (bB != 1 && bB != batches)) return WNNStatus_Success; /* partly broadcast */
    if (M == 0 || N == 0 || batches == 0) return WNNStatus_Success;

    PackedMatmul* p = wnn_calloc(1, sizeof *p);
    if (!p) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    p->base.run = run;
    p->base.release = release;
    p->residualArg = -1;
    snprintf(p->base.path, sizeof p->base.path, "packed %s", wnn_sgemm_packed_isa());
    WnnSgemm* g = &p->g;
    *g = (WnnSgemm){batches, M, N, K, NULL, aT ? M : K, bA == 1 ? 0 : M * K, aT, NULL, 0, NULL, N, M * N, NULL};
    if (bB == 1 && bA == batches) /* one b: the batch is one tall product */
        g->M = M * batches, g->batches = 1;
    else if (bB != 1)
        g->strideB = wnn_sgemm_packed_size(K, N);
    p->constB = constB, p->batchesB = bB, p->ldb = bT ? K : N, p->strideB = K * N, p->bTransposed = bT;
    const WnnIrOperand* fb = NULL;
    if (fuse && fuse->absorbedCount > 0) {
        fb = fuse->bias >= 0 ? &ir->operands[fuse->bias] : NULL;
        p->base.fused = take_chain(node, fb, fuse, p);
        if (!p->base.fused) fb = NULL, p->residualArg = -1, memset(&p->e, 0, sizeof p->e); /* its scale is set below */
    }
    double s = p->base.fused && fuse->hasScale ? fuse->scale : 1.0;
    p->e.scale = (float)(alpha * s);
    if (co || fb) {
        if (!(p->bias = wnn_calloc(N, sizeof(float)))) return release(&p->base), wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
        for (size_t j = 0; j < N; j++) {
            double v = 0;
            if (co) v += beta * ((const float*)co->data)[wnn_desc_numel(&co->desc) == 1 ? 0 : j];
            if (fb) v += ((const float*)fb->data)[wnn_desc_numel(&fb->desc) == 1 ? 0 : j];
            p->bias[j] = (float)(v * s);
        }
        p->e.bias = p->bias;
    }
    p->hasEpilogue = p->e.scale != 1.0f || p->bias || p->residualArg >= 0 || p->e.clamp || p->e.act;
    if (!(p->packed = wnn_malloc(sizeof(float) * wnn_sgemm_packed_size(K, N) * bB + 1)))
        return release(&p->base), wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    if (constB) wnn_sgemm_pack_b(bB, K, N, bo->data, p->ldb, p->strideB, bT, p->packed, NULL);
    p->base.bytes = sizeof(float) * (wnn_sgemm_packed_size(K, N) * bB + (p->bias ? N : 0));
    __atomic_add_fetch(&g_built, 1, __ATOMIC_RELAXED);
    *out = &p->base;
    return WNNStatus_Success;
}
