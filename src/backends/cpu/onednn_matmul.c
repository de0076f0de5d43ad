/* onednn_matmul.c: matmul and gemm through oneDNN's matmul (float32, or float16 run in float32;
 * onednn.h). A constant b is copied once into a padded row-major layout, else bound per dispatch;
 * a fused constant bias add (per output column), residual add (a binary post-op) and activation
 * run inside the primitive. gemm goes this way when alpha is 1
 * and c is absent or a constant per column (beta * c becomes the bias); other gemms stay ours. */
#ifdef WNN_HAVE_ONEDNN
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_timing.h"
#include "backends/cpu/onednn.h"
#include "graph/ops/conv.h"

/* Dense row-major strides of dims[0..r). */
static void dense(int r, const dnnl_dims_t dims, dnnl_dims_t st) {
    st[r - 1] = 1;
    for (int i = r - 1; i-- > 0;) st[i] = st[i + 1] * dims[i + 1];
}

/* d's shape right-aligned to rank r (leading 1s) as oneDNN dims. */
static void padded(const WnnDesc* d, int r, dnnl_dims_t dims) {
    for (int i = 0; i < r; i++) dims[i] = i < r - (int)d->rank ? 1 : d->shape[i - (r - (int)d->rank)];
}

/* The view of a transpose's input x (dense) as the transpose's result, right-aligned to rank r:
 * result dimension d is x's dimension perm[d], with its stride. */
static void transposed_view(const WnnDesc* x, const uint32_t* perm, int r, dnnl_dims_t dims, dnnl_dims_t st) {
    dnnl_dims_t xd, xs;
    int xr = (int)x->rank, lead = r - xr;
    padded(x, xr, xd);
    dense(xr, xd, xs);
    for (int i = 0; i < lead; i++) dims[i] = 1, st[i] = xs[0] * xd[0];
    for (int d = 0; d < xr; d++) dims[lead + d] = xd[perm[d]], st[lead + d] = xs[perm[d]];
}

/* Strides of a result c (dims cd, rank r) written so that a transpose by perm of it is dense. */
static void transposed_dst(int r, const dnnl_dims_t cd, const uint32_t* perm, dnnl_dims_t cs) {
    dnnl_dims_t td, ts;
    for (int d = 0; d < r; d++) td[d] = cd[perm[d]];
    dense(r, td, ts);
    for (int d = 0; d < r; d++) cs[perm[d]] = ts[d];
}

/* The float32 buffer a float16 b bound per dispatch is converted into (layout bm). */
static WNNStatus b_buffer(WnnOnednnExec* e, const dnnl_memory_desc_t* bm) {
    size_t bytes = dnnl_memory_desc_get_size(bm);
    e->weiN = bytes / sizeof(float);
    if (!(e->wei32 = wnn_malloc(bytes ? bytes : 1))) return wnn_error(WNNStatus_OutOfMemory, "%s: out of memory", e->what);
    return WNNStatus_Success;
}

static const char* e_what(const WnnNode* node) { return node->op == WNN_OP_gemm ? "gemm" : "matmul"; }

WNNStatus wnn_onednn_matmul_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f,
                                    WnnCpuPrepared** out) {
    *out = NULL;
    const WnnDesc *da = &ir->operands[node->inputs[0]].desc, *db = &ir->operands[node->inputs[1]].desc;
    const WnnDesc* od = &ir->operands[node->outputs[0]].desc;
    int permuted = wnn_cpu_fuse_permuted(f); /* transposes read / written as strided views */
    const WnnIrOperand* bo = &ir->operands[f && f->inPermuted[1] ? f->input[1] : node->inputs[1]];
    int f16 = da->type == WNNOperandDataType_Float16; /* converted at the edges, run in float32 */
    if ((permuted && (f16 || node->op != WNN_OP_matmul)) || (da->type != WNNOperandDataType_Float32 && !f16) || !wnn_onednn_engine() || od->rank < 2 || da->rank < 2 || db->rank < 2)
        return WNNStatus_Success;
    int r = (int)od->rank;
    dnnl_dims_t ad, bd, cd, as, bs, cs;
    padded(da, r, ad);
    padded(db, r, bd);
    padded(od, r, cd);
    dense(r, ad, as);
    dense(r, bd, bs);
    dense(r, cd, cs);
    if (f && f->inPermuted[0]) transposed_view(&ir->operands[f->input[0]].desc, f->inPerm[0], r, ad, as);
    if (f && f->inPermuted[1]) transposed_view(&bo->desc, f->inPerm[1], r, bd, bs);
    if (f && f->outPermuted) transposed_dst(r, cd, f->outPerm, cs);
    const WnnIrOperand* co = NULL; /* gemm's c, as a bias */
    float beta = 1.0f;
    if (node->op == WNN_OP_gemm) {
        const WnnGemmAttrs* g = node->attrs;
        co = node->inputCount > 2 && node->inputs[2] >= 0 ? &ir->operands[node->inputs[2]] : NULL;
        if (g->alpha != 1.0 || (co && (co->kind != WNN_OPERAND_CONSTANT || !co->data || co->desc.type != da->type)))
            return WNNStatus_Success;
        if (co) {
            for (uint32_t i = 0; i + 1 < co->desc.rank; i++)
                if (co->desc.shape[i] != 1) return WNNStatus_Success; /* c varies by row: ours */
        }
        beta = (float)g->beta;
        /* a transposed operand is the stored matrix read with swapped strides */
        if (g->aTranspose) ad[0] = da->shape[1], ad[1] = da->shape[0], as[0] = 1, as[1] = da->shape[1];
        if (g->bTranspose) bd[0] = db->shape[1], bd[1] = db->shape[0], bs[0] = 1, bs[1] = db->shape[1];
    }
    int constB = bo->kind == WNN_OPERAND_CONSTANT && bo->data;
    dnnl_memory_desc_t am, bm, cm, biasm, bwant;
    dnnl_memory_desc_init_by_strides(&am, r, ad, dnnl_f32, as);
    dnnl_memory_desc_init_by_strides(&bm, r, bd, dnnl_f32, bs);
    dnnl_memory_desc_init_by_strides(&cm, r, cd, dnnl_f32, cs);
    /* a fused residual: a binary post-op reading a tensor laid out as the output */
    int residual = f && f->residual >= 0;
    dnnl_primitive_attr_t attr = NULL;
    if (f && !wnn_onednn_post_ops(f, residual ? &cm : NULL, &attr)) {
        if (permuted) return WNNStatus_Success; /* (the caller prepares it again without the views) */
        f = NULL, residual = 0;
    }
    const WnnIrOperand* fb = f && f->bias >= 0 ? &ir->operands[f->bias] : NULL;
    int hasBias = co || fb;
    dnnl_dims_t biasd, biass;
    for (int i = 0; i < r; i++) biasd[i] = i == r - 1 ? cd[r - 1] : 1;
    dense(r, biasd, biass);
    dnnl_memory_desc_init_by_strides(&biasm, r, biasd, dnnl_f32, biass);
    bwant = bm;
    if (constB) {
        /* A constant b is laid out once with rows 16 floats longer than N: oneDNN's gemm (it keeps
         * b row-major) read rows of 3072 floats at half speed (4 KiB-aliased cache sets), and every
         * BERT shape measured ran 10-50% faster padded (2 AVX2 cores). */
        dnnl_dims_t ps;
        ps[r - 1] = 1;
        ps[r - 2] = bd[r - 1] + 16;
        for (int i = r - 2; i-- > 0;) ps[i] = ps[i + 1] * bd[i + 1];
        dnnl_memory_desc_init_by_strides(&bwant, r, bd, dnnl_f32, ps);
    }
    dnnl_matmul_desc_t md;
    dnnl_primitive_desc_t pd = NULL;
    double ms = -1, flops = 2.0 * (double)wnn_desc_numel(od) * (double)ad[r - 1];
    if (dnnl_matmul_desc_init(&md, &am, &bwant, hasBias ? &biasm : NULL, &cm) != dnnl_success) md.primitive_kind = dnnl_undefined_primitive;
    if (md.primitive_kind == dnnl_matmul && wnn_cpu_tuning(flops)) pd = wnn_onednn_fastest(&md, attr, residual, e_what(node), &ms);
    if (!pd && md.primitive_kind == dnnl_matmul && dnnl_primitive_desc_create(&pd, &md, attr, wnn_onednn_engine(), NULL) != dnnl_success)
        pd = NULL;
    /* A constant b may also take the layout an implementation packs it in (oneDNN's brgemm on
     * AVX-512: blocked panels), when that measures faster. */
    dnnl_memory_desc_t bany;
    dnnl_matmul_desc_t mdAny;
    if (pd && constB && wnn_cpu_tuning(flops) && dnnl_memory_desc_init_by_tag(&bany, r, bd, dnnl_f32, dnnl_format_tag_any) == dnnl_success &&
        dnnl_matmul_desc_init(&mdAny, &am, &bany, hasBias ? &biasm : NULL, &cm) == dnnl_success) {
        double msAny = -1;
        dnnl_primitive_desc_t pdAny = wnn_onednn_fastest(&mdAny, attr, residual, e_what(node), &msAny);
        if (pdAny && msAny >= 0 && (ms < 0 || msAny < ms)) {
            dnnl_primitive_desc_destroy(pd);
            pd = pdAny;
        } else if (pdAny) {
            dnnl_primitive_desc_destroy(pdAny);
        }
    }
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (!pd) return WNNStatus_Success;

    WnnOnednnExec* e = wnn_calloc(1, sizeof *e);
    if (!e) {
        dnnl_primitive_desc_destroy(pd);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    }
    e->what = e_what(node);
    e->weiArg = constB ? -1 : 1;
    e->base.fused = f != NULL;
    e->f16 = f16;
    WNNStatus s = wnn_onednn_exec_init(e, pd, &am, &cm);
    if (!s && residual) s = wnn_onednn_side_init(e, (int)node->inputCount, &cm, &cm);
    const dnnl_memory_desc_t* want = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    if (!s && constB) s = wnn_onednn_weights(e, &bm, bo, want);
    if (!s && !constB)
        s = wnn_onednn_check(dnnl_memory_create(&e->wei, &bm, wnn_onednn_engine(), DNNL_MEMORY_NONE), e->what,
                             "dnnl_memory_create");
    if (!s && !constB && f16) s = b_buffer(e, &bm);
    if (!s && hasBias) {
        size_t n = (size_t)cd[r - 1];
        float* b = wnn_calloc(n, sizeof(float));
        if (!b) s = wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
        for (size_t c = 0; b && c < n; c++) {
            if (co) b[c] += beta * wnn_onednn_value(co->data, f16, wnn_desc_numel(&co->desc) == 1 ? 0 : c);
            if (fb) b[c] += wnn_onednn_value(fb->data, f16, wnn_desc_numel(&fb->desc) == 1 ? 0 : c);
        }
        if (!s) s = wnn_onednn_constant(e, &biasm, b, &biasm, &e->bias);
        free(b);
    }
    return wnn_onednn_exec_finish(e, pd, s, out);
}
#else
typedef int wnn_onednn_matmul_unused;
#endif
