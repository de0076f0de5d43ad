/* attention.c: scaled dot-product attention as one step (attention.h).
 *
 * A task is one (batch, head) pair. Its scratch, the worker thread's (thread_scratch.h): K^T dense
 * and times the scale (D x S2p, S2p = S2 rounded up to 16, as the direct GEMM reads B), the scores
 * (S x S2p), a row of doubles for softmax's double path, and copies of Q / V / the output where
 * their views do not suit the GEMM (Q's and the output's columns not contiguous, V's not
 * contiguous or not a whole number of 16-float vectors). BERT-base's head: 32 + 64 KiB, in L2. */
#include "backends/cpu/attention.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/norm_rows.h"
#include "backends/cpu/sgemm_direct.h"
#include "backends/cpu/sgemm_packed.h"
#include "backends/cpu/thread_scratch.h"
#include "graph/ops/movement.h"
#include "graph/ops/reduce.h"

static atomic_uint g_steps;
unsigned wnn_cpu_attention_count(void) { return atomic_load(&g_steps); }

#define MAX_SCRATCH (1u << 20) /* floats a task may use: 4 MiB */

/* ---- finding one ---- */

/* Operand id exists before node k runs (the fused step runs in k's place). */
static int ready_before(const WnnGraphIR* ir, int32_t id, uint32_t k) {
    const WnnIrOperand* o = &ir->operands[id];
    return o->kind != WNN_OPERAND_NODE_OUTPUT || (o->node >= 0 && (uint32_t)o->node < k);
}

static const WnnDesc* desc_of(const WnnGraphIR* ir, int32_t id) { return id >= 0 ? &ir->operands[id].desc : NULL; }

/* A float32 operand of rank `rank` whose batch dimensions (all but the last two) are out's. */
static int batch_matches(const WnnGraphIR* ir, int32_t id, const WnnDesc* out) {
    const WnnDesc* d = desc_of(ir, id);
    if (!d || d->type != WNNOperandDataType_Float32 || d->rank != out->rank) return 0;
    for (uint32_t i = 0; i + 2 < d->rank; i++)
        if (d->shape[i] != out->shape[i]) return 0;
    return 1;
}

int wnn_cpu_attention_candidate(const WnnGraphIR* ir, const uint32_t* uses, uint32_t k, WnnCpuFusion* f,
                                WnnCpuAttention* a) {
    memset(a, 0, sizeof *a);
    a->tq = a->tk = a->tv = a->to = -1;
    a->scale = 1.0f;
    const WnnNode* n = &ir->nodes[k];
    if (n->op != WNN_OP_matmul || n->inputCount != 2 || n->outputCount != 1) return 0;
    const WnnDesc* sd = desc_of(ir, n->outputs[0]);
    if (sd->type != WNNOperandDataType_Float32 || sd->rank < 3 || sd->rank > 4) return 0;
    if (!batch_matches(ir, n->inputs[0], sd) || !batch_matches(ir, n->inputs[1], sd)) return 0;
    /* the scores: alone, or times a constant scalar and nothing more */
    WnnCpuFusion c;
    wnn_cpu_fuse_candidate(ir, uses, k, &c);
    if (c.absorbedCount && (!c.hasScale || c.absorbedCount != 1)) return 0;
    int32_t cur = c.absorbedCount ? c.output : n->outputs[0];
    int32_t sm = wnn_cpu_fuse_sole_consumer(ir, uses, cur, k);
    if (sm < 0) return 0;
    const WnnNode* smn = &ir->nodes[sm];
    if (smn->op != WNN_OP_softmax || smn->inputs[0] != cur || ((const WnnNormAttrs*)smn->attrs)->axis != sd->rank - 1)
        return 0;
    int32_t cx = wnn_cpu_fuse_sole_consumer(ir, uses, smn->outputs[0], (uint32_t)sm);
    if (cx < 0) return 0;
    const WnnNode* cn = &ir->nodes[cx];
    if (cn->op != WNN_OP_matmul || cn->inputCount != 2 || cn->inputs[0] != smn->outputs[0] ||
        cn->inputs[1] == smn->outputs[0] || !batch_matches(ir, cn->inputs[1], sd))
        return 0;
    const WnnDesc* od = desc_of(ir, cn->outputs[0]);
    if (od->type != WNNOperandDataType_Float32) return 0;
    size_t S = sd->shape[sd->rank - 2], S2 = sd->shape[sd->rank - 1], D = desc_of(ir, n->inputs[0])->shape[sd->rank - 1];
    size_t Dv = od->shape[od->rank - 1], S2p = (S2 + 15) / 16 * 16;
    if (!S || !S2 || !D || !Dv || (D + S) * S2p + 2 * S2 + S * D + S2 * (Dv + 15) + S * Dv > MAX_SCRATCH) return 0;

    memset(f, 0, sizeof *f);
    f->bias = f->residual = -1;
    f->input[0] = f->input[1] = -1;
    f->act = WNN_OP_COUNT;
    f->channelAxis = sd->rank - 1;
    if (c.absorbedCount) a->scale = c.scale, f->absorbed[f->absorbedCount++] = c.absorbed[0];
    a->scores = (int32_t)k, a->softmax = sm, a->context = cx;
    f->absorbed[f->absorbedCount++] = (uint32_t)sm;
    f->absorbed[f->absorbedCount++] = (uint32_t)cx;
    if ((a->tq = wnn_cpu_fuse_transpose_making(ir, uses, n->inputs[0])) >= 0) {
        f->input[0] = ir->nodes[a->tq].inputs[0];
        f->absorbed[f->absorbedCount++] = (uint32_t)a->tq;
    }
    if ((a->tk = wnn_cpu_fuse_transpose_making(ir, uses, n->inputs[1])) >= 0) {
        f->input[1] = ir->nodes[a->tk].inputs[0];
        f->absorbed[f->absorbedCount++] = (uint32_t)a->tk;
    }
    f->hasExtra = 1;
    f->extra = cn->inputs[1];
    if ((a->tv = wnn_cpu_fuse_transpose_making(ir, uses, cn->inputs[1])) >= 0) {
        f->extra = ir->nodes[a->tv].inputs[0];
        f->absorbed[f->absorbedCount++] = (uint32_t)a->tv;
    }
    if (!ready_before(ir, f->extra, k)) return 0; /* V made after the scores: the step cannot run in k's place */
    f->output = cn->outputs[0];
    int32_t t = wnn_cpu_fuse_sole_consumer(ir, uses, f->output, (uint32_t)cx);
    if (t >= 0 && ir->nodes[t].op == WNN_OP_transpose && ir->nodes[t].outputCount == 1) {
        a->to = t;
        f->output = ir->nodes[t].outputs[0];
        f->absorbed[f->absorbedCount++] = (uint32_t)t;
    }
    return 1;
}

/* ---- the prepared state ---- */

typedef struct Attention {
    WnnCpuPrepared base;
    size_t N, H, S, S2, D, Dv, S2p, Dvp;
    /* strides in floats of the (batch, head, row, column) dimensions of Q, K^T, V and the result
     * in the buffers the step reads and writes (batch 0 for rank 3) */
    size_t q[4], k[4], v[4], o[4];
    float scale;
    int copyQ, copyV, copyO;
    size_t scratch; /* floats per task */
} Attention;

static void contiguous(const WnnDesc* d, size_t st[WNN_MAX_RANK]) {
    size_t s = 1;
    for (uint32_t i = d->rank; i-- > 0;) st[i] = s, s *= d->shape[i];
}

/* The 4 strides of operand id as the step sees it. An input read through transpose t: its input's
 * strides permuted (dimension i of t's output is dimension perm[i] of t's input). The result
 * written through transpose t: t's output laid out contiguously, dimension perm[i] of the result
 * is dimension i there. Else id's own contiguous strides. */
static void view_strides(const WnnGraphIR* ir, int32_t t, int32_t id, int written, size_t out[4]) {
    size_t st[WNN_MAX_RANK], view[WNN_MAX_RANK];
    const WnnDesc* d = desc_of(ir, id);
    if (t >= 0) {
        const uint32_t* perm = ((const WnnLayoutAttrs*)ir->nodes[t].attrs)->perm;
        contiguous(desc_of(ir, written ? ir->nodes[t].outputs[0] : ir->nodes[t].inputs[0]), st);
        for (uint32_t i = 0; i < d->rank; i++)
            if (written) view[perm[i]] = st[i];
            else view[i] = st[perm[i]];
    } else {
        contiguous(d, view);
    }
    uint32_t lead = 4 - d->rank; /* rank 3: no batch dimension */
    for (uint32_t i = 0; i < 4; i++) out[i] = i < lead ? 0 : view[i - lead];
}

/* floats rounded up to whole 64-byte lines, so that every part of the scratch is aligned */
static size_t lines(size_t floats) { return (floats + 15) / 16 * 16; }

typedef struct Run {
    const Attention* a;
    const float *q, *k, *v;
    float* o;
    atomic_int failed;
} Run;

static void head(const Attention* a, const float* q, const float* k, const float* v, float* o, float* scratch) {
    const size_t S = a->S, S2 = a->S2, D = a->D, Dv = a->Dv, S2p = a->S2p;
    float* kt = scratch;
    float* sc = kt + lines(D * S2p);
    double* row = (double*)(sc + lines(S * S2p));
    float* more = (float*)row + lines(2 * S2);
    /* K^T dense, times the scale (exact for BERT's 1/8; elsewhere one rounding more than the
     * unfused path's, inside matmul's tolerance) */
    for (size_t j = 0; j < S2; j++)
        for (size_t d = 0; d < D; d++) kt[d * S2p + j] = k[d * a->k[2] + j * a->k[3]] * a->scale;
    const float* A = q;
    size_t lda = a->q[2];
    if (a->copyQ) {
        float* qc = more;
        more += lines(S * D);
        for (size_t i = 0; i < S; i++)
            for (size_t d = 0; d < D; d++) qc[i * D + d] = q[i * a->q[2] + d * a->q[3]];
        A = qc, lda = D;
    }
    wnn_sgemm_direct(S, S2, D, A, lda, kt, S2p, sc, S2p, NULL);
    for (size_t i = 0; i < S; i++) wnn_softmax_row(sc + i * S2p, sc + i * S2p, row, S2);
    const float* B = v;
    size_t ldb = a->v[2];
    if (a->copyV) {
        float* vc = more;
        more += lines(S2 * a->Dvp);
        for (size_t j = 0; j < S2; j++)
            for (size_t c = 0; c < Dv; c++) vc[j * a->Dvp + c] = v[j * a->v[2] + c * a->v[3]];
        B = vc, ldb = a->Dvp;
    }
    float* C = o;
    size_t ldc = a->o[2];
    if (a->copyO) C = more, ldc = Dv;
    wnn_sgemm_direct(S, Dv, S2, sc, S2p, B, ldb, C, ldc, NULL);
    if (a->copyO)
        for (size_t i = 0; i < S; i++)
            for (size_t c = 0; c < Dv; c++) o[i * a->o[2] + c * a->o[3]] = C[i * Dv + c];
}

static void heads(void* ctx, size_t begin, size_t end) {
    Run* r = ctx;
    const Attention* a = r->a;
    float* scratch = wnn_thread_scratch(a->scratch);
    if (!scratch) {
        atomic_store(&r->failed, 1);
        return;
    }
    for (size_t t = begin; t < end; t++) {
        size_t n = t / a->H, h = t % a->H;
        head(a, r->q + n * a->q[0] + h * a->q[1], r->k + n * a->k[0] + h * a->k[1], r->v + n * a->v[0] + h * a->v[1],
             r->o + n * a->o[0] + h * a->o[1], scratch);
    }
}

static WNNStatus attention_run(const WnnCpuPrepared* self, const WnnCpuKernelArgs* args) {
    const Attention* a = (const Attention*)self;
    Run r = {a, args->inputs[0].data, args->inputs[1].data, args->inputs[2].data, args->outputs[0].data, 0};
    wnn_parallel_for(args->pool, a->N * a->H, 1, heads, &r);
    if (atomic_load(&r.failed)) return wnn_error(WNNStatus_OutOfMemory, "matmul: out of memory (attention scores)");
    return WNNStatus_Success;
}

static void attention_release(WnnCpuPrepared* self) { free(self); }

WNNStatus wnn_cpu_attention_prepare(const WnnGraphIR* ir, const WnnCpuAttention* at, WnnCpuPrepared** out) {
    *out = NULL;
    const char* env = getenv("WNN_CPU_ATTENTION");
    if ((env && !strcmp(env, "0")) || strcmp(wnn_sgemm_packed_isa(), "avx512") != 0) return WNNStatus_Success;
    const WnnNode *sn = &ir->nodes[at->scores], *cn = &ir->nodes[at->context];
    const WnnDesc *sd = desc_of(ir, sn->outputs[0]), *od = desc_of(ir, cn->outputs[0]);
    Attention* a = wnn_calloc(1, sizeof *a);
    if (!a) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    uint32_t r = sd->rank;
    a->N = r == 4 ? sd->shape[0] : 1, a->H = sd->shape[r - 3], a->S = sd->shape[r - 2], a->S2 = sd->shape[r - 1];
    a->D = desc_of(ir, sn->inputs[0])->shape[r - 1], a->Dv = od->shape[r - 1];
    a->S2p = lines(a->S2), a->Dvp = lines(a->Dv);
    a->scale = at->scale;
    view_strides(ir, at->tq, sn->inputs[0], 0, a->q);
    view_strides(ir, at->tk, sn->inputs[1], 0, a->k);
    view_strides(ir, at->tv, cn->inputs[1], 0, a->v);
    view_strides(ir, at->to, cn->outputs[0], 1, a->o);
    a->copyQ = a->q[3] != 1;
    a->copyV = a->v[3] != 1 || a->Dv % 16 != 0;
    a->copyO = a->o[3] != 1;
    a->scratch = lines(a->D * a->S2p) + lines(a->S * a->S2p) + lines(2 * a->S2) + (a->copyQ ? lines(a->S * a->D) : 0) +
                 (a->copyV ? lines(a->S2 * a->Dvp) : 0) + (a->copyO ? lines(a->S * a->Dv) : 0);
    a->base.run = attention_run;
    a->base.release = attention_release;
    a->base.fused = 1;
    a->base.bytes = sizeof *a;
    snprintf(a->base.path, sizeof a->base.path, "attention");
    atomic_fetch_add(&g_steps, 1);
    *out = &a->base;
    return WNNStatus_Success;
}
