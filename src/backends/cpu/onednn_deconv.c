/* onednn_deconv.c: convTranspose2d through oneDNN's deconvolution (float32, or float16 run in
 * float32; constant filter and bias; onednn.h). The filter, in any of WebNN's layouts (iohw, hwoi,
 * ohwi), is described by strides and reordered once into the primitive's layout; the bias (the
 * node's plus a fused constant add), a fused scalar scale and activation run inside the primitive.
 * outputPadding and outputSizes only lengthen the output: they become the right / bottom padding
 * oneDNN derives the output size from (negative when the output is longer than the padded
 * transposed convolution); a case oneDNN refuses runs on our kernel (k_conv.c), and so does one
 * where ours measures faster (on 2 AVX-512 cores, 64 -> 32 channels, 4x4, stride 2 on 32x32:
 * oneDNN's 2.9 ms, ours 1.7 ms; its kernels compute a strided deconvolution as a backward-data
 * convolution). */
#ifdef WNN_HAVE_ONEDNN
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_timing.h"
#include "backends/cpu/onednn.h"

/* A deconvolution primitive descriptor with src / dst in `tag` (dnnl_format_tag_any: oneDNN's
 * choice). */
static dnnl_status_t deconv_pd(const WnnConvAttrs* a, const WnnDesc* in, const WnnDesc* out, int hasBias,
                               dnnl_format_tag_t tag, dnnl_primitive_attr_t attr, dnnl_primitive_desc_t* pd) {
    int h = a->nhwc ? 1 : 2;
    dnnl_dims_t src = {in->shape[0], a->cin, in->shape[h], in->shape[h + 1]};
    dnnl_dims_t dst = {out->shape[0], a->cout, out->shape[h], out->shape[h + 1]};
    dnnl_dims_t bias = {a->cout};
    dnnl_dims_t wdims5 = {a->groups, a->cout / a->groups, a->cin / a->groups, a->kh, a->kw};
    dnnl_dims_t wdims4 = {a->cout, a->cin, a->kh, a->kw};
    dnnl_dims_t strides = {a->strides[0], a->strides[1]}, dil = {a->dilations[0] - 1, a->dilations[1] - 1};
    dnnl_dims_t padl = {a->pad[0], a->pad[2]}, padr;
    for (int i = 0; i < 2; i++) /* the end padding that gives the graph's output size */
        padr[i] = (src[2 + i] - 1) * strides[i] + (int64_t)((i ? a->kw : a->kh) - 1) * a->dilations[i] + 1 - padl[i] - dst[2 + i];
    dnnl_memory_desc_t sm, wm, bm, dm;
    dnnl_status_t s = dnnl_memory_desc_init_by_tag(&sm, 4, src, dnnl_f32, tag);
    if (s == dnnl_success) s = dnnl_memory_desc_init_by_tag(&dm, 4, dst, dnnl_f32, tag);
    if (s == dnnl_success)
        s = a->groups > 1 ? dnnl_memory_desc_init_by_tag(&wm, 5, wdims5, dnnl_f32, dnnl_format_tag_any)
                          : dnnl_memory_desc_init_by_tag(&wm, 4, wdims4, dnnl_f32, dnnl_format_tag_any);
    if (s == dnnl_success) s = dnnl_memory_desc_init_by_tag(&bm, 1, bias, dnnl_f32, dnnl_a);
    dnnl_deconvolution_desc_t dd;
    if (s == dnnl_success)
        s = dnnl_dilated_deconvolution_forward_desc_init(&dd, dnnl_forward_inference, dnnl_deconvolution_direct, &sm, &wm,
                                                         hasBias ? &bm : NULL, &dm, strides, dil, padl, padr);
    if (s == dnnl_success) s = dnnl_primitive_desc_create(pd, &dd, attr, wnn_onednn_engine(), NULL);
    return s;
}

static WNNStatus run_own(const WnnCpuPrepared* self, const WnnCpuKernelArgs* args) {
    (void)self;
    return wnn_cpu_convTranspose2d(args);
}

/* Is our kernel (unfused) faster than oneDNN's step e (with its fused chain f)? Only timed for
 * convolutions worth it (wnn_cpu_tuning). */
static int own_faster(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f, WnnThreadPool* pool,
                      const WnnCpuPrepared* e) {
    const WnnConvAttrs* a = node->attrs;
    const WnnDesc* in = &ir->operands[node->inputs[0]].desc;
    double flops = 2.0 * (double)wnn_desc_numel(in) * (a->cout / a->groups) * a->kh * a->kw;
    if (!pool || !wnn_cpu_tuning(flops)) return 0;
    WnnCpuPrepared own = {run_own, NULL, 0, 0, "own"};
    WnnCpuScratch so, se;
    double to = -1, te = -1;
    if (!wnn_cpu_scratch_init(&so, ir, node, NULL, NULL)) {
        to = wnn_cpu_time_state(&own, node, &so, pool, 3);
        wnn_cpu_scratch_free(&so);
    }
    if (!wnn_cpu_scratch_init(&se, ir, node, e->fused ? f : NULL, NULL)) {
        te = wnn_cpu_time_state(e, node, &se, pool, 3);
        wnn_cpu_scratch_free(&se);
    }
    return to >= 0 && te >= 0 && to < te;
}

WNNStatus wnn_onednn_deconv_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f,
                                    WnnThreadPool* pool, WnnCpuPrepared** out) {
    *out = NULL;
    const WnnConvAttrs* a = node->attrs;
    if (node->inputCount < 2 || node->inputs[0] < 0 || node->inputs[1] < 0 || node->outputCount != 1) return WNNStatus_Success;
    const WnnIrOperand* fo = &ir->operands[node->inputs[1]];
    const WnnDesc *in = &ir->operands[node->inputs[0]].desc, *od = &ir->operands[node->outputs[0]].desc;
    int32_t bid = node->inputCount > 2 ? node->inputs[2] : -1;
    const WnnIrOperand* bo = bid >= 0 ? &ir->operands[bid] : NULL;
    int f16 = in->type == WNNOperandDataType_Float16; /* converted at the edges, run in float32 */
    if ((in->type != WNNOperandDataType_Float32 && !f16) || fo->kind != WNN_OPERAND_CONSTANT || !fo->data ||
        (bo && (bo->kind != WNN_OPERAND_CONSTANT || !bo->data)) || !wnn_onednn_engine())
        return WNNStatus_Success;
    dnnl_primitive_attr_t attr = NULL;
    if (f && (f->residual >= 0 || !wnn_onednn_post_ops(f, NULL, &attr))) f = NULL; /* run the chain unfused */
    const WnnIrOperand* fb = f && f->bias >= 0 ? &ir->operands[f->bias] : NULL;
    dnnl_format_tag_t user = a->nhwc ? dnnl_nhwc : dnnl_nchw;
    /* The graph's own layout when a JIT kernel takes it; else oneDNN's layout with reorders. */
    dnnl_primitive_desc_t pd = NULL;
    if (deconv_pd(a, in, od, bo || fb, user, attr, &pd) != dnnl_success || strncmp(wnn_onednn_impl(pd), "jit", 3) != 0) {
        if (pd) dnnl_primitive_desc_destroy(pd);
        pd = NULL;
        if (deconv_pd(a, in, od, bo || fb, dnnl_format_tag_any, attr, &pd) != dnnl_success) pd = NULL;
    }
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (!pd) return WNNStatus_Success; /* oneDNN cannot express it: ours runs it */

    WnnOnednnExec* e = wnn_calloc(1, sizeof *e);
    if (!e) {
        dnnl_primitive_desc_destroy(pd);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    }
    e->what = "convTranspose2d";
    e->weiArg = -1;
    e->base.fused = f != NULL;
    e->f16 = f16;
    int h = a->nhwc ? 1 : 2;
    dnnl_dims_t src = {in->shape[0], a->cin, in->shape[h], in->shape[h + 1]};
    dnnl_dims_t dst = {od->shape[0], a->cout, od->shape[h], od->shape[h + 1]};
    dnnl_memory_desc_t um, uo, wm;
    dnnl_memory_desc_init_by_tag(&um, 4, src, dnnl_f32, user);
    dnnl_memory_desc_init_by_tag(&uo, 4, dst, dnnl_f32, user);
    wnn_onednn_filter_md(a, &fo->desc, 1, &wm);
    WNNStatus s = wnn_onednn_exec_init(e, pd, &um, &uo);
    if (!s) s = wnn_onednn_weights(e, &wm, fo, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
    if (!s && (bo || fb)) s = wnn_onednn_channel_bias(e, bo, fb, a->cout);
    if ((s = wnn_onednn_exec_finish(e, pd, s, out)) || !own_faster(ir, node, f, pool, *out)) return s;
    (*out)->release(*out);
    *out = NULL;
    return WNNStatus_Success;
}
#else
typedef int wnn_onednn_deconv_unused;
#endif
