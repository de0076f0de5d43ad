/* onednn_int8.c: the int8 step of a QDQ pattern (cpu_qdq.h) as one oneDNN convolution or matmul.
 * oneDNN 2.x computes dst = zp_dst + post_ops(oscale[c] * (acc + bias[c])), acc the exact int32
 * sum of (x_q - zx) * w where padding counts as x_q = zx; so the weights are w_q - zw (computed
 * here once, in int8), oscale[c] = sx * sw[c] / sy (alpha folded in for gemm), bias[c] the float
 * bias divided by sx * sw[c], the activation's bounds divided by sy, and dst converted to int8 /
 * uint8 rounding half to even with saturation. All scales are rounded once, from double, to
 * float32. The step is a WnnOnednnExec (onednn.h): its int8 tensors may be linked between two
 * int8 steps in oneDNN's layout like float ones. */
#ifdef WNN_HAVE_ONEDNN
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_qdq.h"
#include "backends/cpu/onednn.h"
#include "graph/ops/conv.h"
#include "graph/ops/elementwise.h"

static dnnl_data_type_t dnnl_type(WNNOperandDataType t) {
    return t == WNNOperandDataType_Uint8 ? dnnl_u8 : t == WNNOperandDataType_Int8 ? dnnl_s8 : dnnl_f32;
}

/* What the pattern's constants give: per output channel, oscale and bias; the weights as int8. */
typedef struct Int8Params {
    uint32_t channels;
    int perChannel;
    float* oscale;
    float* bias; /* NULL: none */
    int8_t* w;
    int32_t zx, zy;
    double sy;
} Int8Params;

static void params_free(Int8Params* p) {
    free(p->oscale);
    free(p->bias);
    free(p->w);
}

/* Output channel of element i of w_q (the desc wd, channels along q->wAxis). */
static uint32_t channel_of(const WnnDesc* wd, uint32_t axis, size_t i) {
    for (uint32_t d = wd->rank; --d > axis;) i /= wd->shape[d];
    return (uint32_t)(i % wd->shape[axis]);
}

/* Element c of the op's own bias (q->b, one element: every channel's), dequantized as the spec's
 * float32 tensor would hold it. */
static double bias_at(const WnnGraphIR* ir, const WnnCpuQdq* q, uint32_t c) {
    const WnnIrOperand* b = &ir->operands[q->b];
    size_t i = wnn_desc_numel(&b->desc) == 1 ? 0 : c;
    if (q->bScale < 0) return ((const float*)b->data)[i];
    const WnnIrOperand *s = &ir->operands[q->bScale], *z = &ir->operands[q->bZp];
    size_t j = wnn_desc_numel(&s->desc) == 1 ? 0 : i;
    int64_t d = wnn_load_i64(b->data, b->desc.type, i) - wnn_load_i64(z->data, z->desc.type, j);
    return (float)((double)d * ((const float*)s->data)[j]);
}

/* Fills p; returns 0 (p freed) when a value is out of what the int8 step can represent. The op's
 * own bias is scaled by beta (gemm), alpha multiplies the product. */
static int make_params(const WnnGraphIR* ir, const WnnCpuFusion* f, const WnnCpuQdq* q, double beta, double alpha,
                       Int8Params* p) {
    memset(p, 0, sizeof *p);
    const WnnIrOperand *w = &ir->operands[q->w], *ws = &ir->operands[q->wScale], *wz = &ir->operands[q->wZp];
    const WnnDesc* wd = &w->desc;
    p->channels = wd->shape[q->wAxis];
    p->perChannel = ws->desc.shape[q->wAxis] != 1;
    double sx = ((const float*)ir->operands[q->xScale].data)[0];
    p->zx = (int32_t)wnn_load_i64(ir->operands[q->xZp].data, ir->operands[q->xZp].desc.type, 0);
    p->sy = q->yScale >= 0 ? ((const float*)ir->operands[q->yScale].data)[0] : 1.0;
    p->zy = q->yZp >= 0 ? (int32_t)wnn_load_i64(ir->operands[q->yZp].data, ir->operands[q->yZp].desc.type, 0) : 0;
    size_t wn = (size_t)wnn_desc_numel(wd);
    p->oscale = wnn_malloc(sizeof(float) * p->channels);
    p->w = wnn_malloc(wn ? wn : 1);
    int b0 = q->b >= 0;
    const WnnIrOperand* fb = f->bias >= 0 ? &ir->operands[f->bias] : NULL;
    if (b0 || fb) p->bias = wnn_malloc(sizeof(float) * p->channels);
    if (!p->oscale || !p->w || ((b0 || fb) && !p->bias)) goto fail;
    for (size_t i = 0; i < wn; i++) {
        uint32_t c = channel_of(wd, q->wAxis, i);
        int64_t v = wnn_load_i64(w->data, wd->type, i) - wnn_load_i64(wz->data, wz->desc.type, p->perChannel ? c : 0);
        if (v < INT8_MIN || v > INT8_MAX) goto fail;
        p->w[i] = (int8_t)v;
    }
    for (uint32_t c = 0; c < p->channels; c++) {
        double sxw = sx * ((const float*)ws->data)[p->perChannel ? c : 0]; /* exact: two float32s */
        double os = alpha * sxw / p->sy;
        if (!isfinite(os) || fabs(os) > 3.4e38 || os == 0.0) goto fail;
        p->oscale[c] = (float)os;
        if (!p->bias) continue;
        double b = 0;
        /* a per-channel constant is [C] or broadcasts as 1s and C; one element: all channels */
        if (b0) b += beta * bias_at(ir, q, c);
        if (fb) b += wnn_load_f64(fb->data, fb->desc.type, wnn_desc_numel(&fb->desc) == 1 ? 0 : c);
        double bs = b / (alpha * sxw);
        if (!isfinite(bs) || fabs(bs) > 3.4e38) goto fail;
        p->bias[c] = (float)bs;
    }
    return 1;
fail:
    params_free(p);
    return 0;
}

/* The primitive attributes: output scales, zero points, the activation on y / sy. NULL: none. */
static dnnl_primitive_attr_t make_attr(const WnnCpuFusion* f, const Int8Params* p, int dstAxis) {
    WnnCpuFusion g = *f;
    WnnClampAttrs clamp;
    if (f->act == WNN_OP_clamp) { /* clamp(y) / sy = clamp(y / sy) with the bounds scaled too */
        clamp = *(const WnnClampAttrs*)f->actAttrs;
        clamp.minF /= p->sy;
        clamp.maxF /= p->sy;
        g.actAttrs = &clamp;
    }
    dnnl_primitive_attr_t attr = NULL;
    if (!wnn_onednn_post_ops(&g, NULL, &attr)) return NULL;
    if (!attr && dnnl_primitive_attr_create(&attr) != dnnl_success) return NULL;
    int ok = dnnl_primitive_attr_set_output_scales(attr, p->perChannel ? p->channels : 1,
                                                   p->perChannel ? 1 << dstAxis : 0, p->oscale) == dnnl_success;
    if (ok && p->zx) ok = dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_SRC, 1, 0, &p->zx) == dnnl_success;
    if (ok && p->zy) ok = dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_DST, 1, 0, &p->zy) == dnnl_success;
    if (!ok) {
        dnnl_primitive_attr_destroy(attr);
        return NULL;
    }
    return attr;
}

/* The step from its primitive: weights (user layout wm) and bias reordered once. */
static WNNStatus make_exec(const char* what, dnnl_primitive_desc_t pd, const dnnl_memory_desc_t* userIn,
                           const dnnl_memory_desc_t* userOut, const dnnl_memory_desc_t* wm, const dnnl_memory_desc_t* bm,
                           const Int8Params* p, WnnCpuPrepared** out) {
    WnnOnednnExec* e = wnn_calloc(1, sizeof *e);
    if (!e) {
        dnnl_primitive_desc_destroy(pd);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    }
    e->what = what;
    e->weiArg = -1;
    e->base.fused = 1;
    WNNStatus s = wnn_onednn_exec_init(e, pd, userIn, userOut);
    if (!s) s = wnn_onednn_constant(e, wm, p->w, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0), &e->wei);
    if (!s && p->bias) s = wnn_onednn_constant(e, bm, p->bias, bm, &e->bias);
    return wnn_onednn_exec_finish(e, pd, s, out);
}

static WNNStatus conv_int8(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f, const WnnCpuQdq* q,
                           WnnCpuPrepared** out) {
    const WnnConvAttrs* a = node->attrs;
    const WnnDesc *in = &ir->operands[q->x].desc, *od = &ir->operands[q->y].desc;
    Int8Params p;
    if (!make_params(ir, f, q, 1.0, 1.0, &p)) return WNNStatus_Success;
    dnnl_primitive_attr_t attr = make_attr(f, &p, 1);
    dnnl_data_type_t dt[3] = {dnnl_type(in->type), dnnl_s8, dnnl_type(od->type)};
    dnnl_format_tag_t user = a->nhwc ? dnnl_nhwc : dnnl_nchw;
    int hasBias = p.bias != NULL;
    /* The graph's layout when a kernel other than the reference one takes it (nhwc does), else
     * oneDNN's with reorders around the step. */
    dnnl_primitive_desc_t pd = NULL;
    if (attr && (wnn_onednn_conv_pd(a, 0, in, od, hasBias, dt, user, NULL, NULL, attr, 0, 0, &pd) != dnnl_success ||
                 !strncmp(wnn_onednn_impl(pd), "ref", 3))) {
        if (pd) dnnl_primitive_desc_destroy(pd);
        if (wnn_onednn_conv_pd(a, 0, in, od, hasBias, dt, dnnl_format_tag_any, NULL, NULL, attr, 0, 0, &pd) != dnnl_success) pd = NULL;
    }
    if (attr) dnnl_primitive_attr_destroy(attr);
    WNNStatus s = WNNStatus_Success;
    if (pd) {
        int h = a->nhwc ? 1 : 2;
        dnnl_dims_t src = {in->shape[0], a->cin, in->shape[h], in->shape[h + 1]};
        dnnl_dims_t dst = {od->shape[0], a->cout, od->shape[h], od->shape[h + 1]}, bd = {a->cout};
        dnnl_memory_desc_t um, uo, wm, bm;
        dnnl_memory_desc_init_by_tag(&um, 4, src, dt[0], user);
        dnnl_memory_desc_init_by_tag(&uo, 4, dst, dt[2], user);
        dnnl_memory_desc_init_by_tag(&bm, 1, bd, dnnl_f32, dnnl_a);
        wnn_onednn_filter_md(a, &ir->operands[q->w].desc, 0, dnnl_s8, &wm);
        s = make_exec("conv2d (int8)", pd, &um, &uo, &wm, &bm, &p, out);
    }
    params_free(&p);
    return s;
}

/* desc d as a row-major oneDNN md of rank r (leading 1s); transposed: its last two dimensions
 * swapped, read through swapped strides. */
static void matrix_md(const WnnDesc* d, int r, int transposed, dnnl_data_type_t t, dnnl_memory_desc_t* md) {
    dnnl_dims_t dims, st;
    int64_t step = 1;
    for (int i = r; i-- > 0;) {
        int j = i - (r - (int)d->rank);
        dims[i] = j >= 0 ? d->shape[j] : 1;
        st[i] = step;
        step *= dims[i];
    }
    if (transposed) {
        int64_t x = dims[r - 1];
        dims[r - 1] = dims[r - 2], dims[r - 2] = x;
        x = st[r - 1], st[r - 1] = st[r - 2], st[r - 2] = x;
    }
    dnnl_memory_desc_init_by_strides(md, r, dims, t, st);
}

static WNNStatus matmul_int8(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f, const WnnCpuQdq* q,
                             WnnCpuPrepared** out) {
    const WnnDesc *da = &ir->operands[q->x].desc, *db = &ir->operands[q->w].desc, *od = &ir->operands[q->y].desc;
    int r = (int)od->rank, ta = 0, tb = 0;
    double alpha = 1.0, beta = 1.0;
    int32_t c = -1;
    if (r < 2 || da->rank < 2 || db->rank < 2) return WNNStatus_Success;
    if (node->op == WNN_OP_gemm) {
        const WnnGemmAttrs* g = node->attrs;
        ta = g->aTranspose, tb = g->bTranspose, alpha = g->alpha, beta = g->beta;
        c = node->inputCount > 2 ? node->inputs[2] : -1;
        if (c >= 0)
            for (uint32_t i = 0; i + 1 < ir->operands[c].desc.rank; i++)
                if (ir->operands[c].desc.shape[i] != 1) return WNNStatus_Success; /* c varies by row */
        if (!isfinite(alpha) || alpha == 0.0 || !isfinite(beta)) return WNNStatus_Success;
    }
    Int8Params p;
    if (!make_params(ir, f, q, beta, alpha, &p)) return WNNStatus_Success;
    dnnl_primitive_attr_t attr = make_attr(f, &p, r - 1);
    dnnl_memory_desc_t am, bm, cm, biasm, bany;
    matrix_md(da, r, ta, dnnl_type(da->type), &am);
    matrix_md(db, r, tb, dnnl_s8, &bm);
    matrix_md(od, r, 0, dnnl_type(od->type), &cm);
    dnnl_dims_t biasd;
    for (int i = 0; i < r; i++) biasd[i] = i == r - 1 ? od->shape[r - 1] : 1;
    dnnl_memory_desc_init_by_tag(&biasm, r, biasd, dnnl_f32, r == 2 ? dnnl_ab : r == 3 ? dnnl_abc : r == 4 ? dnnl_abcd : dnnl_abcde);
    dnnl_memory_desc_init_by_tag(&bany, r, bm.dims, dnnl_s8, dnnl_format_tag_any);
    dnnl_matmul_desc_t md;
    dnnl_primitive_desc_t pd = NULL;
    if (!attr || r > 5 || dnnl_matmul_desc_init(&md, &am, &bany, p.bias ? &biasm : NULL, &cm) != dnnl_success ||
        dnnl_primitive_desc_create(&pd, &md, attr, wnn_onednn_engine(), NULL) != dnnl_success)
        pd = NULL;
    if (attr) dnnl_primitive_attr_destroy(attr);
    WNNStatus s = pd ? make_exec(node->op == WNN_OP_gemm ? "gemm (int8)" : "matmul (int8)", pd, &am, &cm, &bm, &biasm, &p, out)
                     : WNNStatus_Success;
    params_free(&p);
    return s;
}

WNNStatus wnn_onednn_int8_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f,
                                  const WnnCpuQdq* q, WnnCpuPrepared** out) {
    *out = NULL;
    if (!wnn_onednn_engine()) return WNNStatus_Success;
    return node->op == WNN_OP_conv2d ? conv_int8(ir, node, f, q, out) : matmul_int8(ir, node, f, q, out);
}
#else
typedef int wnn_onednn_int8_unused;
#endif
