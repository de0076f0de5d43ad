/* onednn_conv.c: conv2d through oneDNN (float32, or float16 run in float32; constant filter;
 * onednn.h). The filter is reordered once into the layout the primitive picked; the bias (conv2d's
 * own plus a fused constant add) and a fused activation run inside the primitive. Activations stay in the graph's layout
 * unless the primitive only has a fast kernel for a blocked one: then they are reordered around it
 * (onednn.c), and that is only chosen when the plain-layout kernel is not a JIT one. A fused
 * residual add is a binary post-op reading the residual in the output's layout. */
#ifdef WNN_HAVE_ONEDNN
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_timing.h"
#include "backends/cpu/onednn.h"
#include "graph/ops/conv.h"

void wnn_onednn_filter_md(const WnnConvAttrs* a, const WnnDesc* fd, int transposed, dnnl_data_type_t dt,
                          dnnl_memory_desc_t* md) {
    dnnl_dims_t st4, dims, strides;
    st4[3] = 1;
    for (int i = 3; i-- > 0;) st4[i] = st4[i + 1] * fd->shape[i + 1];
    int64_t so = st4[a->fo], si = st4[a->fi], sh = st4[a->fh], sw = st4[a->fw];
    int64_t og = a->cout / a->groups, ig = a->cin / a->groups;
    if (a->groups > 1) {
        /* conv2d's groups run along the filter's output channels, convTranspose2d's along its input ones */
        dnnl_dims_t d = {a->groups, og, ig, a->kh, a->kw}, s = {transposed ? ig * si : og * so, so, si, sh, sw};
        memcpy(dims, d, sizeof d);
        memcpy(strides, s, sizeof s);
        dnnl_memory_desc_init_by_strides(md, 5, dims, dt, strides);
    } else {
        dnnl_dims_t d = {og, ig, a->kh, a->kw}, s = {so, si, sh, sw};
        memcpy(dims, d, sizeof d);
        memcpy(strides, s, sizeof s);
        dnnl_memory_desc_init_by_strides(md, 4, dims, dt, strides);
    }
}

dnnl_status_t wnn_onednn_conv_pd(const WnnConvAttrs* a, int transposed, const WnnDesc* in, const WnnDesc* out,
                                  int hasBias, const dnnl_data_type_t dt[3], dnnl_format_tag_t tag, const dnnl_memory_desc_t* srcMd,
                                  const dnnl_memory_desc_t* dstMd, dnnl_primitive_attr_t attr, int fastest, int side,
                                  dnnl_primitive_desc_t* pd) {
    int h = a->nhwc ? 1 : 2;
    dnnl_dims_t src = {in->shape[0], a->cin, in->shape[h], in->shape[h + 1]};
    dnnl_dims_t dst = {out->shape[0], a->cout, out->shape[h], out->shape[h + 1]};
    dnnl_dims_t bias = {a->cout};
    dnnl_dims_t wdims5 = {a->groups, a->cout / a->groups, a->cin / a->groups, a->kh, a->kw};
    dnnl_dims_t wdims4 = {a->cout, a->cin, a->kh, a->kw};
    dnnl_dims_t strides = {a->strides[0], a->strides[1]}, dil = {a->dilations[0] - 1, a->dilations[1] - 1};
    dnnl_dims_t padl = {a->pad[0], a->pad[2]}, padr = {a->pad[1], a->pad[3]};
    for (int i = 0; transposed && i < 2; i++) /* outputPadding / outputSizes: the end padding that gives the output size */
        padr[i] = (src[2 + i] - 1) * strides[i] + (int64_t)((i ? a->kw : a->kh) - 1) * a->dilations[i] + 1 - padl[i] - dst[2 + i];
    static const dnnl_data_type_t f32[3] = {dnnl_f32, dnnl_f32, dnnl_f32};
    if (!dt) dt = f32;
    dnnl_memory_desc_t sm, wm, bm, dm;
    dnnl_status_t s = dnnl_memory_desc_init_by_tag(&sm, 4, src, dt[0], tag);
    if (s == dnnl_success) s = dnnl_memory_desc_init_by_tag(&dm, 4, dst, dt[2], tag);
    if (s == dnnl_success)
        s = a->groups > 1 ? dnnl_memory_desc_init_by_tag(&wm, 5, wdims5, dt[1], dnnl_format_tag_any)
                          : dnnl_memory_desc_init_by_tag(&wm, 4, wdims4, dt[1], dnnl_format_tag_any);
    if (s == dnnl_success) s = dnnl_memory_desc_init_by_tag(&bm, 1, bias, dnnl_f32, dnnl_a);
    if (srcMd) sm = *srcMd;
    if (dstMd) dm = *dstMd;
    dnnl_convolution_desc_t cd;
    if (s == dnnl_success && transposed) /* dnnl_deconvolution_desc_t is the same struct */
        s = dnnl_dilated_deconvolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_deconvolution_direct, &sm, &wm,
                                                         hasBias ? &bm : NULL, &dm, strides, dil, padl, padr);
    else if (s == dnnl_success)
        s = dnnl_dilated_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct, &sm, &wm,
                                                       hasBias ? &bm : NULL, &dm, strides, dil, padl, padr);
    if (s == dnnl_success && fastest) {
        *pd = wnn_onednn_fastest(&cd, attr, side, transposed ? "convTranspose2d" : "conv2d", NULL);
        if (*pd) return dnnl_success;
    }
    if (s == dnnl_success) s = dnnl_primitive_desc_create(pd, &cd, attr, wnn_onednn_engine(), NULL);
    return s;
}

/* 2 x the multiply-adds of the conv (od: its output). */
static double conv_flops(const WnnConvAttrs* a, const WnnDesc* od) {
    return 2.0 * (double)wnn_desc_numel(od) * (double)(a->cin / a->groups) * a->kh * a->kw;
}

int wnn_onednn_conv_fits(const WnnGraphIR* ir, const WnnNode* node, const WnnIrOperand** bias) {
    if (node->inputCount < 2 || node->inputs[0] < 0 || node->inputs[1] < 0 || node->outputCount != 1) return 0;
    const WnnIrOperand* fo = &ir->operands[node->inputs[1]];
    WNNOperandDataType t = ir->operands[node->inputs[0]].desc.type;
    int32_t bid = node->inputCount > 2 ? node->inputs[2] : -1;
    *bias = bid >= 0 ? &ir->operands[bid] : NULL;
    /* float16 is converted at the step's edges and runs in float32 */
    return (t == WNNOperandDataType_Float32 || t == WNNOperandDataType_Float16) && fo->kind == WNN_OPERAND_CONSTANT &&
           fo->data && (!*bias || ((*bias)->kind == WNN_OPERAND_CONSTANT && (*bias)->data)) && wnn_onednn_engine();
}

WNNStatus wnn_onednn_conv_step(const WnnGraphIR* ir, const WnnNode* node, dnnl_primitive_desc_t pd, int fused,
                               WnnOnednnExec** out, dnnl_memory_desc_t* userOut) {
    const WnnConvAttrs* a = node->attrs;
    const WnnIrOperand* fo = &ir->operands[node->inputs[1]];
    const WnnDesc *in = &ir->operands[node->inputs[0]].desc, *od = &ir->operands[node->outputs[0]].desc;
    WnnOnednnExec* e = *out = wnn_calloc(1, sizeof *e);
    if (!e) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    int transposed = node->op == WNN_OP_convTranspose2d;
    e->what = transposed ? "convTranspose2d" : "conv2d";
    e->weiArg = -1;
    e->base.fused = fused;
    e->f16 = in->type == WNNOperandDataType_Float16;
    int h = a->nhwc ? 1 : 2;
    dnnl_dims_t src = {in->shape[0], a->cin, in->shape[h], in->shape[h + 1]};
    dnnl_dims_t dst = {od->shape[0], a->cout, od->shape[h], od->shape[h + 1]};
    dnnl_format_tag_t user = a->nhwc ? dnnl_nhwc : dnnl_nchw;
    dnnl_memory_desc_t um, wm;
    dnnl_memory_desc_init_by_tag(&um, 4, src, dnnl_f32, user);
    dnnl_memory_desc_init_by_tag(userOut, 4, dst, dnnl_f32, user);
    wnn_onednn_filter_md(a, &fo->desc, transposed, dnnl_f32, &wm);
    WNNStatus s = wnn_onednn_exec_init(e, pd, &um, userOut);
    if (!s) s = wnn_onednn_weights(e, &wm, fo, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
    return s;
}

WNNStatus wnn_onednn_channel_bias(WnnOnednnExec* e, const WnnIrOperand* own, const WnnIrOperand* fused, uint32_t cout) {
    float* b = wnn_calloc(cout ? cout : 1, sizeof(float));
    if (!b) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    for (uint32_t c = 0; c < cout; c++) {
        if (own) b[c] += wnn_onednn_value(own->data, e->f16, c);
        if (fused) b[c] += wnn_onednn_value(fused->data, e->f16, wnn_desc_numel(&fused->desc) == 1 ? 0 : c);
    }
    dnnl_dims_t bd = {cout};
    dnnl_memory_desc_t bm;
    dnnl_memory_desc_init_by_tag(&bm, 1, bd, dnnl_f32, dnnl_a);
    WNNStatus s = wnn_onednn_constant(e, &bm, b, &bm, &e->bias);
    free(b);
    return s;
}

WNNStatus wnn_onednn_conv_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f,
                                  WnnCpuPrepared** out) {
    *out = NULL;
    const WnnConvAttrs* a = node->attrs;
    const WnnDesc *in = &ir->operands[node->inputs[0]].desc, *od = &ir->operands[node->outputs[0]].desc;
    const WnnIrOperand* bo = NULL;
    if (!wnn_onednn_conv_fits(ir, node, &bo)) return WNNStatus_Success;
    dnnl_primitive_attr_t attr = NULL;
    if (f && !wnn_onednn_post_ops(f, NULL, &attr)) f = NULL; /* no exact post-op: run the chain unfused */
    const WnnIrOperand* fb = f && f->bias >= 0 ? &ir->operands[f->bias] : NULL;
    int hasBias = bo || fb;
    dnnl_format_tag_t user = a->nhwc ? dnnl_nhwc : dnnl_nchw;
    /* The graph's own layout when a JIT kernel takes it; else oneDNN's layout with reorders. */
    dnnl_primitive_desc_t pd = NULL;
    if (wnn_onednn_conv_pd(a, 0, in, od, hasBias, NULL, user, NULL, NULL, attr, 0, 0, &pd) != dnnl_success ||
        strncmp(wnn_onednn_impl(pd), "jit", 3) != 0) {
        if (pd) dnnl_primitive_desc_destroy(pd);
        pd = NULL;
        if (wnn_onednn_conv_pd(a, 0, in, od, hasBias, NULL, dnnl_format_tag_any, NULL, NULL, attr, 0, 0, &pd) != dnnl_success) pd = NULL;
    }
    /* Within the layouts just chosen, the fastest implementation (they differ by up to 1.4x on a
     * strided 1x1 conv; the weights' layout is each one's own). Not for a residual: below. */
    int residual = f && f->residual >= 0;
    if (pd && !residual && wnn_cpu_tuning(conv_flops(a, od))) {
        dnnl_memory_desc_t sm = *dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
        dnnl_memory_desc_t dm = *dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
        dnnl_primitive_desc_t fast = NULL;
        if (wnn_onednn_conv_pd(a, 0, in, od, hasBias, NULL, user, &sm, &dm, attr, 1, 0, &fast) == dnnl_success) {
            dnnl_primitive_desc_destroy(pd);
            pd = fast;
        }
    }
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (!pd) return WNNStatus_Success; /* oneDNN has no kernel for it: ours runs it */
    /* A residual add: a binary post-op reading the residual in the layout just chosen for dst. If
     * oneDNN cannot, nothing of the chain is fused. */
    dnnl_memory_desc_t resMd;
    if (residual) {
        dnnl_memory_desc_t sm = *dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
        resMd = *dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
        dnnl_primitive_desc_t rpd = NULL;
        if (wnn_onednn_post_ops(f, &resMd, &attr) &&
            wnn_onednn_conv_pd(a, 0, in, od, hasBias, NULL, user, &sm, &resMd, attr, wnn_cpu_tuning(conv_flops(a, od)), 1, &rpd) == dnnl_success) {
            dnnl_primitive_desc_destroy(pd);
            pd = rpd;
        } else {
            f = NULL, fb = NULL, residual = 0, hasBias = bo != NULL;
            dnnl_primitive_desc_destroy(pd);
            pd = NULL;
            if (wnn_onednn_conv_pd(a, 0, in, od, hasBias, NULL, user, &sm, &resMd, NULL, 0, 0, &pd) != dnnl_success) pd = NULL;
        }
        if (attr) dnnl_primitive_attr_destroy(attr);
        if (!pd) return WNNStatus_Success;
    }

    WnnOnednnExec* e = NULL;
    dnnl_memory_desc_t uo;
    WNNStatus s = wnn_onednn_conv_step(ir, node, pd, f != NULL, &e, &uo);
    if (!e) {
        dnnl_primitive_desc_destroy(pd);
        return s;
    }
    if (!s && residual) s = wnn_onednn_side_init(e, (int)node->inputCount, &uo, &resMd);
    if (!s && hasBias) s = wnn_onednn_channel_bias(e, bo, fb, a->cout);
    return wnn_onednn_exec_finish(e, pd, s, out);
}
#else
typedef int wnn_onednn_conv_unused;
#endif
