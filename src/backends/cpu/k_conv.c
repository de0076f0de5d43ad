/* k_conv.c: conv2d and convTranspose2d on the CPU.
 * conv2d: see conv_plan.h (the kernels, the packed filter, what is prepared at compile time) and
 * conv_depthwise.c (the depthwise kernel). The GEMM kernels form im2col blocks strip by strip (of
 * output pixels, on the thread pool) and multiply them with sgemm.
 * convTranspose2d works in float32 NHWC: inputs in another layout or in float16 are converted
 * once, the filter is packed per group, the product runs through sgemm and is scattered (col2im). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/conv_plan.h"
#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/sgemm.h"
#include "graph/ops/conv.h"

#define IN(k) (args->inputs[k])
#define OUT(k) (args->outputs[k])
#define STRIP 64       /* GEMM_NHWC: output pixels per task */
#define NCHW_STRIP 128 /* GEMM_NCHW: output pixels per task (a multiple of 16) */

/* Element i as float: float32 and float16 directly, anything else through wnn_load_f64. */
static inline float ldf(const void* data, WNNOperandDataType t, size_t i) {
    if (t == WNNOperandDataType_Float32) return ((const float*)data)[i];
    if (t == WNNOperandDataType_Float16) return wnn_half_to_float(((const uint16_t*)data)[i]);
    return (float)wnn_load_f64(data, t, i);
}

/* dst[n][h][w][c] (float) from src in NCHW or NHWC, float32 or float16. */
static float* to_nhwc_f32(const WnnCpuTensor* t, int nhwc, int* owned) {
    const WnnDesc* d = t->desc;
    if (nhwc && d->type == WNNOperandDataType_Float32) {
        *owned = 0;
        return t->data;
    }
    size_t n = d->shape[0], c = nhwc ? d->shape[3] : d->shape[1], h = nhwc ? d->shape[1] : d->shape[2],
           w = nhwc ? d->shape[2] : d->shape[3];
    float* out = malloc(sizeof(float) * n * c * h * w + 1);
    if (!out) return NULL;
    *owned = 1;
    for (size_t i = 0; i < n; i++)
        for (size_t y = 0; y < h; y++)
            for (size_t x = 0; x < w; x++)
                for (size_t ch = 0; ch < c; ch++) {
                    size_t src = nhwc ? ((i * h + y) * w + x) * c + ch : ((i * c + ch) * h + y) * w + x;
                    out[((i * h + y) * w + x) * c + ch] = ldf(t->data, d->type, src);
                }
    return out;
}

/* Writes one output value (float) at NHWC coordinates into the output in its layout and type. */
static inline void put(const WnnCpuTensor* o, int nhwc, size_t n, size_t y, size_t x, size_t c, float v) {
    const WnnDesc* d = o->desc;
    size_t H = nhwc ? d->shape[1] : d->shape[2], W = nhwc ? d->shape[2] : d->shape[3], C = nhwc ? d->shape[3] : d->shape[1];
    size_t i = nhwc ? ((n * H + y) * W + x) * C + c : ((n * C + c) * H + y) * W + x;
    if (d->type == WNNOperandDataType_Float32) ((float*)o->data)[i] = v;
    else ((uint16_t*)o->data)[i] = wnn_float_to_half(v);
}

static float bias_of(const WnnCpuTensor* b, size_t c) {
    return b->data ? ldf(b->data, b->desc->type, c) : 0.0f;
}

/* Filter value for (output channel o within all, input channel i within group, ky, kx). */
static float filter_at(const WnnCpuTensor* f, const WnnConvAttrs* a, size_t o, size_t i, size_t ky, size_t kx) {
    return ldf(f->data, f->desc->type, wnn_conv_filter_offset(a, f->desc->shape, o, i, ky, kx));
}

/* ---- conv2d ---- */

static WnnConvKind conv_kind(const WnnConvAttrs* a) {
    if (a->groups == a->cin) return WNN_CONV_DEPTHWISE;
    return a->nhwc ? WNN_CONV_GEMM_NHWC : WNN_CONV_GEMM_NCHW;
}

static WNNStatus conv_run_prepared(const WnnCpuPrepared* self, const WnnCpuKernelArgs* args);
static void conv_release(WnnCpuPrepared* self);

static void plan_init(WnnConvPlan* p, const WnnConvAttrs* a) {
    memset(p, 0, sizeof *p);
    p->base.run = conv_run_prepared;
    snprintf(p->base.path, sizeof p->base.path, "own");
    p->base.release = conv_release;
    p->a = *a;
    p->kind = conv_kind(a);
    p->cing = a->cin / a->groups;
    p->coutg = a->cout / a->groups;
    p->K = a->kh * a->kw * p->cing;
    p->ldw = (p->coutg + 7) & ~(size_t)7;
    p->wcount = p->kind == WNN_CONV_GEMM_NHWC ? a->groups * p->K * p->ldw : a->cout * p->K;
}

/* w (wcount floats, zeroed) = the filter in the layout of p->kind (conv_plan.h). */
static void pack_filter(const WnnConvPlan* p, const WnnCpuTensor* f, float* w) {
    const WnnConvAttrs* a = &p->a;
    size_t taps = a->kh * a->kw;
    for (size_t co = 0; co < a->cout; co++) {
        size_t g = co / p->coutg, c = co % p->coutg;
        for (size_t ci = 0; ci < p->cing; ci++)
            for (size_t ky = 0; ky < a->kh; ky++)
                for (size_t kx = 0; kx < a->kw; kx++) {
                    float v = filter_at(f, a, co, ci, ky, kx);
                    size_t t = ky * a->kw + kx;
                    switch (p->kind) {
                        case WNN_CONV_DEPTHWISE: w[a->nhwc ? t * a->cout + co : co * taps + t] = v; break;
                        case WNN_CONV_GEMM_NHWC: w[(g * p->K + t * p->cing + ci) * p->ldw + c] = v; break;
                        case WNN_CONV_GEMM_NCHW: w[co * p->K + ci * taps + t] = v; break;
                    }
                }
    }
}

static void pack_bias(const WnnConvPlan* p, const WnnCpuTensor* b, float* out) {
    for (size_t c = 0; c < p->a.cout; c++) out[c] = bias_of(b, c);
}

typedef struct GemmJob {
    const WnnConvRun* r;
    size_t strips, msplit, mrows;
    int direct; /* the im2col block is the input itself */
    int oom;
} GemmJob;

/* NHWC: task = (group, strip of STRIP output pixels); acc[pixels x ldw] = col * W_g. */
static void nhwc_strips(void* ctx, size_t begin, size_t end) {
    GemmJob* j = ctx;
    const WnnConvRun* r = j->r;
    const WnnConvPlan* p = r->p;
    const WnnConvAttrs* a = &p->a;
    size_t rows = r->N * r->OH * r->OW;
    float* col = j->direct ? NULL : malloc(sizeof(float) * STRIP * p->K + 1);
    float* acc = malloc(sizeof(float) * STRIP * p->ldw + 1);
    if ((!j->direct && !col) || !acc) {
        j->oom = 1;
        free(col);
        free(acc);
        return;
    }
    for (size_t task = begin; task < end; task++) {
        size_t g = task / j->strips, r0 = (task % j->strips) * STRIP;
        size_t count = rows - r0 < STRIP ? rows - r0 : STRIP;
        const float* A;
        size_t lda;
        if (j->direct) {
            A = r->x + r0 * p->cing;
            lda = p->cing;
        } else {
            for (size_t i = 0; i < count; i++) {
                size_t pix = r0 + i, n = pix / (r->OH * r->OW), oy = pix / r->OW % r->OH, ox = pix % r->OW;
                float* dst = col + i * p->K;
                for (size_t ky = 0; ky < a->kh; ky++) {
                    long iy = (long)(oy * a->strides[0] + ky * a->dilations[0]) - (long)a->pad[0];
                    for (size_t kx = 0; kx < a->kw; kx++, dst += p->cing) {
                        long ix = (long)(ox * a->strides[1] + kx * a->dilations[1]) - (long)a->pad[2];
                        if (iy < 0 || iy >= (long)r->H || ix < 0 || ix >= (long)r->W)
                            memset(dst, 0, sizeof(float) * p->cing);
                        else
                            memcpy(dst, r->x + ((n * r->H + (size_t)iy) * r->W + (size_t)ix) * a->cin + g * p->cing,
                                   sizeof(float) * p->cing);
                    }
                }
            }
            A = col;
            lda = p->K;
        }
        wnn_sgemm_serial(count, p->ldw, p->K, A, lda, r->w + g * p->K * p->ldw, p->ldw, acc, p->ldw);
        const float* b = r->bias + g * p->coutg;
        for (size_t i = 0; i < count; i++) {
            float* dst = r->y + (r0 + i) * a->cout + g * p->coutg;
            for (size_t c = 0; c < p->coutg; c++) dst[c] = acc[i * p->ldw + c] + b[c];
        }
    }
    free(col);
    free(acc);
}

/* col[K x P] for image n, group g, output pixels [p0, p0 + P): row (ci, ky, kx) holds the input
 * value under that tap for each pixel, 0 in the padding. */
static void im2col_nchw(const WnnConvRun* r, size_t n, size_t g, size_t p0, size_t P, float* col) {
    const WnnConvPlan* p = r->p;
    const WnnConvAttrs* a = &p->a;
    size_t sw = a->strides[1];
    for (size_t ci = 0; ci < p->cing; ci++) {
        const float* xc = r->x + (n * a->cin + g * p->cing + ci) * r->H * r->W;
        for (size_t ky = 0; ky < a->kh; ky++)
            for (size_t kx = 0; kx < a->kw; kx++) {
                float* dst = col + ((ci * a->kh + ky) * a->kw + kx) * P;
                size_t oy = p0 / r->OW, ox = p0 % r->OW;
                for (size_t q = 0; q < P; ox = 0, oy++) { /* one output row segment at a time */
                    size_t len = r->OW - ox < P - q ? r->OW - ox : P - q;
                    long iy = (long)(oy * a->strides[0] + ky * a->dilations[0]) - (long)a->pad[0];
                    long ix0 = (long)(ox * sw + kx * a->dilations[1]) - (long)a->pad[2];
                    if (iy < 0 || iy >= (long)r->H) {
                        memset(dst + q, 0, sizeof(float) * len);
                    } else {
                        const float* row = xc + (size_t)iy * r->W;
                        if (sw == 1 && ix0 >= 0 && ix0 + (long)len <= (long)r->W) {
                            memcpy(dst + q, row + ix0, sizeof(float) * len);
                        } else {
                            for (size_t t = 0; t < len; t++) {
                                long ix = ix0 + (long)(t * sw);
                                dst[q + t] = ix >= 0 && ix < (long)r->W ? row[ix] : 0.0f;
                            }
                        }
                    }
                    q += len;
                }
            }
    }
}

/* NCHW: task = (image, group, strip of NCHW_STRIP pixels, block of mrows output channels);
 * y[channels x pixels] = W_g[channels x K] * col[K x pixels], written in place. */
static void nchw_strips(void* ctx, size_t begin, size_t end) {
    GemmJob* j = ctx;
    const WnnConvRun* r = j->r;
    const WnnConvPlan* p = r->p;
    const WnnConvAttrs* a = &p->a;
    size_t HW = r->OH * r->OW;
    float* col = j->direct ? NULL : malloc(sizeof(float) * NCHW_STRIP * p->K + 1);
    if (!j->direct && !col) {
        j->oom = 1;
        return;
    }
    for (size_t task = begin; task < end; task++) {
        size_t mb = task % j->msplit, t = task / j->msplit, s = t % j->strips;
        t /= j->strips;
        size_t g = t % a->groups, n = t / a->groups;
        size_t p0 = s * NCHW_STRIP, P = HW - p0 < NCHW_STRIP ? HW - p0 : NCHW_STRIP;
        size_t m0 = mb * j->mrows;
        if (m0 >= p->coutg) continue;
        size_t M = p->coutg - m0 < j->mrows ? p->coutg - m0 : j->mrows;
        const float* B;
        size_t ldb;
        if (j->direct) {
            B = r->x + (n * a->cin + g * p->cing) * HW + p0;
            ldb = HW;
        } else {
            im2col_nchw(r, n, g, p0, P, col);
            B = col;
            ldb = P;
        }
        size_t co = g * p->coutg + m0;
        float* C = r->y + (n * a->cout + co) * HW + p0;
        wnn_sgemm_serial(M, P, p->K, r->w + co * p->K, p->K, B, ldb, C, HW);
        for (size_t i = 0; i < M; i++) {
            float b = r->bias[co + i], *row = C + i * HW;
            for (size_t q = 0; q < P; q++) row[q] += b;
        }
    }
    free(col);
}

static WNNStatus conv_gemm(const WnnConvRun* r) {
    const WnnConvPlan* p = r->p;
    const WnnConvAttrs* a = &p->a;
    GemmJob j;
    memset(&j, 0, sizeof j);
    j.r = r;
    j.direct = a->kh == 1 && a->kw == 1 && a->strides[0] == 1 && a->strides[1] == 1 && !a->pad[0] && !a->pad[1] &&
               !a->pad[2] && !a->pad[3] && (p->kind == WNN_CONV_GEMM_NCHW || a->groups == 1);
    if (p->kind == WNN_CONV_GEMM_NHWC) {
        j.strips = (r->N * r->OH * r->OW + STRIP - 1) / STRIP;
        wnn_parallel_for(r->pool, a->groups * j.strips, 1, nhwc_strips, &j);
    } else {
        /* Small images give few pixel strips: split the output channels too, so every thread works. */
        size_t threads = wnn_threadpool_size(r->pool), tasks;
        j.strips = (r->OH * r->OW + NCHW_STRIP - 1) / NCHW_STRIP;
        j.msplit = 1;
        tasks = r->N * a->groups * j.strips;
        while (tasks * j.msplit < 4 * threads && p->coutg / (j.msplit * 2) >= 16) j.msplit *= 2;
        j.mrows = ((p->coutg + j.msplit - 1) / j.msplit + 3) & ~(size_t)3;
        wnn_parallel_for(r->pool, tasks * j.msplit, 1, nchw_strips, &j);
    }
    return j.oom ? WNNStatus_OutOfMemory : WNNStatus_Success;
}

/* Runs conv2d with plan p: float16 tensors are converted around the float32 kernel, a filter or
 * bias that the plan does not hold is packed for this dispatch. Returns the bare status. */
static WNNStatus conv_exec(const WnnConvPlan* p, const WnnCpuKernelArgs* args) {
    const WnnConvAttrs* a = &p->a;
    const WnnDesc *in = IN(0).desc, *out = OUT(0).desc;
    WnnConvRun r = {p, NULL, NULL, p->w, p->bias, in->shape[0], in->shape[a->nhwc ? 1 : 2], in->shape[a->nhwc ? 2 : 3],
                    out->shape[a->nhwc ? 1 : 2], out->shape[a->nhwc ? 2 : 3], args->pool};
    size_t nx = (size_t)wnn_desc_numel(in), ny = (size_t)wnn_desc_numel(out);
    float *xt = NULL, *yt = NULL, *wt = NULL, *bt = NULL;
    WNNStatus s = WNNStatus_OutOfMemory;
    if (in->type == WNNOperandDataType_Float32) {
        r.x = IN(0).data;
    } else if ((xt = malloc(sizeof(float) * nx + 1))) {
        for (size_t i = 0; i < nx; i++) xt[i] = ldf(IN(0).data, in->type, i);
        r.x = xt;
    }
    if (out->type == WNNOperandDataType_Float32) r.y = OUT(0).data;
    else r.y = yt = malloc(sizeof(float) * ny + 1);
    if (!r.w && (wt = calloc(p->wcount + 1, sizeof(float)))) {
        pack_filter(p, &IN(1), wt);
        r.w = wt;
    }
    if (!r.bias && (bt = malloc(sizeof(float) * a->cout + 1))) {
        pack_bias(p, &IN(2), bt);
        r.bias = bt;
    }
    if (r.x && r.y && r.w && r.bias) {
        s = p->kind == WNN_CONV_DEPTHWISE ? wnn_conv_depthwise(&r) : conv_gemm(&r);
        if (yt && !s)
            for (size_t i = 0; i < ny; i++) ((uint16_t*)OUT(0).data)[i] = wnn_float_to_half(yt[i]);
    }
    free(xt);
    free(yt);
    free(wt);
    free(bt);
    return s;
}

static WNNStatus conv_run_prepared(const WnnCpuPrepared* self, const WnnCpuKernelArgs* args) {
    WNNStatus s = conv_exec((const WnnConvPlan*)self, args);
    return s ? wnn_error(s, "conv2d: out of memory") : WNNStatus_Success;
}

static void conv_release(WnnCpuPrepared* self) {
    WnnConvPlan* p = (WnnConvPlan*)self;
    free(p->w);
    free(p->bias);
    free(p);
}

WNNStatus wnn_cpu_conv2d(const WnnCpuKernelArgs* args) {
    WnnConvPlan p;
    plan_init(&p, args->node->attrs);
    WNNStatus s = conv_exec(&p, args);
    return s ? wnn_error(s, "conv2d: out of memory") : WNNStatus_Success;
}

/* conv2d with a constant filter: the plan and the packed filter (and bias, when constant or absent)
 * are made here, once. */
WNNStatus wnn_cpu_conv_prepare_own(const WnnGraphIR* ir, const WnnNode* node, WnnCpuPrepared** out) {
    *out = NULL;
    if (node->op != WNN_OP_conv2d || node->inputCount < 2 || node->inputs[1] < 0) return WNNStatus_Success;
    const WnnIrOperand* f = &ir->operands[node->inputs[1]];
    if (f->kind != WNN_OPERAND_CONSTANT || !f->data) return WNNStatus_Success;
    int32_t bid = node->inputCount > 2 ? node->inputs[2] : -1;
    const WnnIrOperand* b = bid >= 0 ? &ir->operands[bid] : NULL;
    WnnConvPlan* p = wnn_malloc(sizeof *p);
    if (!p) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory packing a conv2d filter");
    plan_init(p, node->attrs);
    p->w = wnn_calloc(p->wcount + 1, sizeof(float));
    int constBias = !b || (b->kind == WNN_OPERAND_CONSTANT && b->data);
    if (constBias) p->bias = wnn_malloc(sizeof(float) * p->a.cout + 1);
    if (!p->w || (constBias && !p->bias)) {
        conv_release(&p->base);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory packing a conv2d filter");
    }
    WnnCpuTensor ft = {(void*)f->data, &f->desc};
    pack_filter(p, &ft, p->w);
    if (constBias) {
        WnnCpuTensor bt = {b ? (void*)b->data : NULL, b ? &b->desc : NULL};
        pack_bias(p, &bt, p->bias);
    }
    p->base.bytes = sizeof(float) * (p->wcount + (p->bias ? p->a.cout : 0));
    *out = &p->base;
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_convTranspose2d(const WnnCpuKernelArgs* args) {
    const WnnConvAttrs* a = args->node->attrs;
    const WnnDesc *in = IN(0).desc, *out = OUT(0).desc;
    size_t N = in->shape[0], H = in->shape[a->nhwc ? 1 : 2], W = in->shape[a->nhwc ? 2 : 3];
    size_t OH = out->shape[a->nhwc ? 1 : 2], OW = out->shape[a->nhwc ? 2 : 3];
    size_t cing = a->cin / a->groups, coutg = a->cout / a->groups, cols = a->kh * a->kw * coutg;
    size_t rows = N * H * W;
    int owned = 0;
    float* x = to_nhwc_f32(&IN(0), a->nhwc, &owned);
    float* xg = malloc(sizeof(float) * rows * cing + 1);
    float* w = malloc(sizeof(float) * cing * cols + 1);
    float* prod = malloc(sizeof(float) * rows * cols + 1);
    float* acc = calloc(N * OH * OW * a->cout + 1, sizeof(float));
    WNNStatus s = WNNStatus_Success;
    if (!x || !xg || !w || !prod || !acc) {
        s = wnn_error(WNNStatus_OutOfMemory, "convTranspose2d: out of memory");
        goto done;
    }
    for (size_t g = 0; g < a->groups; g++) {
        /* xg = this group's input channels; w[ci][(ky*kw + kx)*coutg + c] */
        for (size_t r = 0; r < rows; r++) memcpy(xg + r * cing, x + r * a->cin + g * cing, sizeof(float) * cing);
        for (size_t ci = 0; ci < cing; ci++)
            for (size_t ky = 0; ky < a->kh; ky++)
                for (size_t kx = 0; kx < a->kw; kx++)
                    for (size_t c = 0; c < coutg; c++)
                        w[ci * cols + (ky * a->kw + kx) * coutg + c] = filter_at(&IN(1), a, c, g * cing + ci, ky, kx);
        wnn_sgemm(rows, cols, cing, xg, cing, w, cols, prod, cols, args->pool);
        for (size_t r = 0; r < rows; r++) {
            size_t n = r / (H * W), iy = r / W % H, ix = r % W;
            for (size_t ky = 0; ky < a->kh; ky++) {
                long oy = (long)(iy * a->strides[0] + ky * a->dilations[0]) - (long)a->pad[0];
                if (oy < 0 || oy >= (long)OH) continue;
                for (size_t kx = 0; kx < a->kw; kx++) {
                    long ox = (long)(ix * a->strides[1] + kx * a->dilations[1]) - (long)a->pad[2];
                    if (ox < 0 || ox >= (long)OW) continue;
                    const float* src = prod + r * cols + (ky * a->kw + kx) * coutg;
                    float* dst = acc + ((n * OH + (size_t)oy) * OW + (size_t)ox) * a->cout + g * coutg;
                    for (size_t c = 0; c < coutg; c++) dst[c] += src[c];
                }
            }
        }
    }
    for (size_t n = 0; n < N; n++)
        for (size_t y = 0; y < OH; y++)
            for (size_t xx = 0; xx < OW; xx++)
                for (size_t c = 0; c < a->cout; c++)
                    put(&OUT(0), a->nhwc, n, y, xx, c, acc[((n * OH + y) * OW + xx) * a->cout + c] + bias_of(&IN(2), c));
done:
    if (owned) free(x);
    free(xg);
    free(w);
    free(prod);
    free(acc);
    return s;
}
