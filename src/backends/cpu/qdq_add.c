/* qdq_add.c: the quantized add of cpu_qdq.h, y_q = quantize(act(dequantize(a_q) + dequantize(b_q))),
 * one pass over the int8 tensors, exactly as the float path computes it (float32 dequantize and
 * sum, the activation, the quantize's division in double, rounded half to even, saturated).
 *
 * Its output is a function of two bytes: a table of all 65536 results, each computed at build with
 * the float path's steps, makes a dispatch one lookup per element, exact by construction (about
 * 2 cycles an element: the 64 KiB table lives in L2).
 *
 * Between oneDNN int8 steps (an NCHW graph's residual block: both convs write NHWC inside) its
 * tensors may be linked in NHWC (onednn.h, wnn_onednn_nhwc_edges / _side): it then reads and
 * writes each tensor in whichever layout it holds, a segment of pixels at a time, through a small
 * NHWC stage for a tensor that keeps NCHW (transpose_tile.h), instead of oneDNN's reorders out of
 * the convs and back. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_qdq.h"
#include "backends/cpu/thread_scratch.h"
#include "backends/cpu/transpose_tile.h"
#include "core/threadpool.h"
#include "graph/ops/elementwise.h"
#ifdef WNN_HAVE_ONEDNN
#include "backends/cpu/onednn.h"
#endif

typedef struct QAdd {
#ifdef WNN_HAVE_ONEDNN
    WnnOnednnExec x; /* first: x.base; NHWC edges for the layout linking when the tensors are 4-D */
#else
    WnnCpuPrepared base;
#endif
    size_t N, C, HW; /* 4-D tensors as N, C, H x W: the NHWC views */
    uint8_t lut[65536]; /* [a byte << 8 | b byte]: y_q's byte */
} QAdd;

#ifdef WNN_HAVE_ONEDNN
#define QADD_BASE(q) (&(q)->x.base)
#else
#define QADD_BASE(q) (&(q)->base)
#endif

/* y[i] for i < n, every operand flat (one layout). */
static void qadd_flat(const QAdd* q, const uint8_t* a, const uint8_t* b, uint8_t* y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = q->lut[(uint32_t)a[i] << 8 | b[i]];
}

typedef struct QAddJob {
    const QAdd* q;
    const uint8_t *a, *b;
    uint8_t* y;
    int nhwc[3];  /* a, b, y: held in NHWC (linked), else NCHW */
    size_t seg;   /* pixels per segment (mixed layouts) */
    int* failed;  /* no stage buffer */
} QAddJob;

static void flat_range(void* ctx, size_t begin, size_t end) {
    const QAddJob* j = ctx;
    qadd_flat(j->q, j->a + begin, j->b + begin, j->y + begin, end - begin);
}

/* Segments [begin, end) (image n = s / segments, pixels from (s % segments) * seg): every operand
 * as an NHWC segment, those held in NCHW through the stage. */
static void segment_range(void* ctx, size_t begin, size_t end) {
    const QAddJob* j = ctx;
    const QAdd* q = j->q;
    size_t C = q->C, HW = q->HW, perImage = (HW + j->seg - 1) / j->seg;
    uint8_t* stage = (uint8_t*)wnn_thread_scratch((3 * j->seg * C + 3) / 4);
    if (!stage) {
        __atomic_store_n(j->failed, 1, __ATOMIC_RELAXED);
        return;
    }
    for (size_t s = begin; s < end; s++) {
        size_t n = s / perImage, p0 = (s % perImage) * j->seg, px = HW - p0 < j->seg ? HW - p0 : j->seg;
        const uint8_t* src[2] = {j->a, j->b};
        const uint8_t* in[2];
        for (int k = 0; k < 2; k++) {
            if (j->nhwc[k]) {
                in[k] = src[k] + (n * HW + p0) * C;
            } else { /* stage[p * C + c] = x[n][c][p0 + p] */
                uint8_t* st = stage + (size_t)k * j->seg * C;
                wnn_transpose_rect((char*)st, (int64_t)C, (const char*)(src[k] + n * C * HW + p0), (int64_t)HW, 1, C, px);
                in[k] = st;
            }
        }
        uint8_t* out = j->nhwc[2] ? j->y + (n * HW + p0) * C : stage + 2 * j->seg * C;
        qadd_flat(q, in[0], in[1], out, px * C);
        if (!j->nhwc[2]) /* y[n][c][p0 + p] = out[p * C + c] */
            wnn_transpose_rect((char*)(j->y + n * C * HW + p0), (int64_t)HW, (const char*)out, (int64_t)C, 1, px, C);
    }
}

static WNNStatus qadd_run(const WnnCpuPrepared* self, const WnnCpuKernelArgs* args) {
    const QAdd* q = (const QAdd*)self;
    int failed = 0;
    QAddJob j = {q, args->inputs[0].data, args->inputs[1].data, args->outputs[0].data, {0, 0, 0}, 0, &failed};
#ifdef WNN_HAVE_ONEDNN
    j.nhwc[0] = q->x.inLinked, j.nhwc[1] = q->x.sideLinked, j.nhwc[2] = q->x.outLinked;
#endif
    size_t n = (size_t)wnn_desc_numel(args->outputs[0].desc);
    if (j.nhwc[0] == j.nhwc[1] && j.nhwc[1] == j.nhwc[2]) {
        wnn_parallel_for(args->pool, n, 32768, flat_range, &j);
        return WNNStatus_Success;
    }
    /* mixed layouts (4-D only: linking needs the NHWC edges): about 8 KiB an operand a segment,
     * small enough for the threads to share out evenly (resnet's 256 x 56 x 56: 98 segments) */
    j.seg = q->C >= 8192 ? 1 : 8192 / q->C;
    if (j.seg > q->HW) j.seg = q->HW;
    size_t segments = q->N * ((q->HW + j.seg - 1) / j.seg);
    wnn_parallel_for(args->pool, segments, 2, segment_range, &j);
    return failed ? wnn_error(WNNStatus_OutOfMemory, "quantized add: out of memory (stage)") : WNNStatus_Success;
}

static void qadd_release(WnnCpuPrepared* self) {
    QAdd* q = (QAdd*)self;
#ifdef WNN_HAVE_ONEDNN
    wnn_onednn_edges_release(&q->x);
#endif
    free(q);
}

/* The value of byte v of an int8 / uint8 tensor (type t) minus zero point z, dequantized by s
 * to float32 (exact product rounded once, as k_quantize.c). */
static float dequantized(WNNOperandDataType t, uint32_t v, int64_t z, float s) {
    int64_t x = t == WNNOperandDataType_Uint8 ? (int64_t)v : (int64_t)(int8_t)(uint8_t)v;
    return (float)((double)(x - z) * s);
}

#ifdef WNN_HAVE_ONEDNN
static dnnl_data_type_t dnnl_type(WNNOperandDataType t) { return t == WNNOperandDataType_Int8 ? dnnl_s8 : dnnl_u8; }

/* NHWC edges for the linking where the tensors are 4-D (N, C, H, W as the graph holds them). */
static WNNStatus linkable_edges(QAdd* p, const WnnDesc* d, WNNOperandDataType ta, WNNOperandDataType tb, WNNOperandDataType ty) {
    if (d->rank != 4 || !wnn_onednn_engine()) return WNNStatus_Success;
    p->N = d->shape[0], p->C = d->shape[1], p->HW = (size_t)d->shape[2] * d->shape[3];
    if (!p->N || !p->C || !p->HW) return WNNStatus_Success;
    dnnl_dims_t dims = {d->shape[0], d->shape[1], d->shape[2], d->shape[3]};
    WNNStatus s = wnn_onednn_nhwc_edges(&p->x, dnnl_type(ta), dims, dnnl_type(ty), dims, 0);
    if (!s) s = wnn_onednn_nhwc_side(&p->x, dnnl_type(tb), 1, dims);
    p->x.base.onednn = !s;
    return s;
}
#endif

WNNStatus wnn_cpu_qadd_prepare(const WnnGraphIR* ir, const WnnCpuFusion* f, const WnnCpuQdq* q, WnnCpuPrepared** out) {
    *out = NULL;
    QAdd* p = wnn_calloc(1, sizeof *p);
    if (!p) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
#ifdef WNN_HAVE_ONEDNN
    if (pthread_mutex_init(&p->x.lock, NULL)) { /* edges_release destroys it */
        free(p);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of resources");
    }
    p->x.what = "add";
    p->x.weiArg = -1;
#endif
    WnnCpuPrepared* base = QADD_BASE(p);
    base->run = qadd_run;
    base->release = qadd_release;
    base->fused = 1;
    snprintf(base->path, sizeof base->path, "quantized add");
    const WnnIrOperand* o = ir->operands;
    WNNOperandDataType ta = o[q->x].desc.type, tb = o[q->w].desc.type, ty = o[q->y].desc.type;
    float sa = ((const float*)o[q->xScale].data)[0], sb = ((const float*)o[q->wScale].data)[0];
    double sy = ((const float*)o[q->yScale].data)[0];
    int64_t za = wnn_load_i64(o[q->xZp].data, o[q->xZp].desc.type, 0);
    int64_t zb = wnn_load_i64(o[q->wZp].data, o[q->wZp].desc.type, 0);
    int64_t zy = wnn_load_i64(o[q->yZp].data, o[q->yZp].desc.type, 0);
    int uy = ty == WNNOperandDataType_Uint8;
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
    WNNStatus s = WNNStatus_Success;
#ifdef WNN_HAVE_ONEDNN
    s = linkable_edges(p, &o[q->y].desc, ta, tb, ty);
#endif
    if (s) {
        qadd_release(base);
        return s;
    }
    *out = base;
    return WNNStatus_Success;
}
