/* onednn_conv_dw.c: a 1x1 conv2d and the depthwise 3x3 conv2d after it (a MobileNet block's expand
 * and depthwise steps, cpu_fuse.h: wnn_cpu_fuse_dw) as one oneDNN convolution with a depthwise
 * post-op, float32. The expanded tensor then lives only in the kernel's cache-sized rows: on 2 Zen 4
 * cores mobilenetv2's first such pair (16 -> 96 channels at 112 x 112, depthwise stride 2) wrote
 * and re-read 4.8 MB between two primitives that took 0.35 + 0.16 ms inside the graph.
 * Taken only where oneDNN has a JIT kernel for the pair, in the layout its producer writes (a
 * jit_1x1 primitive in nChw16c between brgemm steps in NHWC reordered on both sides and lost): its reference fallback runs the two
 * convolutions one after the other through a scratch tensor, which is slower than two linked
 * steps (0.44 against 0.27 ms for 24 -> 144 at 56 x 56). */
#ifdef WNN_HAVE_ONEDNN
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/onednn.h"
#include "graph/ops/conv.h"

/* The depthwise conv's filter (oneDNN's g x 1 x 1 x 3 x 3 in the graph's layout) and bias (zeros
 * when it has none) into the primitive's layouts, as e->dwWei and e->dwBias. */
static WNNStatus dw_constants(WnnOnednnExec* e, const WnnGraphIR* ir, const WnnNode* dn, dnnl_primitive_desc_t pd) {
    const WnnConvAttrs* d = dn->attrs;
    const WnnIrOperand* fo = &ir->operands[dn->inputs[1]];
    dnnl_memory_desc_t user;
    wnn_onednn_filter_md(d, &fo->desc, 0, dnnl_f32, &user);
    const dnnl_memory_desc_t* want = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, DNNL_ARG_ATTR_POST_OP_DW | DNNL_ARG_WEIGHTS);
    WNNStatus s = wnn_onednn_constant(e, &user, fo->data, want, &e->dwWei);
    if (s) return s;
    float* b = wnn_calloc(d->cout ? d->cout : 1, sizeof(float));
    if (!b) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    const WnnIrOperand* bo = dn->inputCount > 2 && dn->inputs[2] >= 0 ? &ir->operands[dn->inputs[2]] : NULL;
    if (bo) memcpy(b, bo->data, sizeof(float) * d->cout);
    dnnl_dims_t bd = {d->cout};
    dnnl_memory_desc_t bm;
    dnnl_memory_desc_init_by_tag(&bm, 1, bd, dnnl_f32, dnnl_a);
    s = wnn_onednn_constant(e, &bm, b, dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, DNNL_ARG_ATTR_POST_OP_DW | DNNL_ARG_BIAS),
                            &e->dwBias);
    free(b);
    return s;
}

/* The format tag of md among the activation layouts oneDNN's convolutions pick, or any. */
static dnnl_format_tag_t tag_of(const dnnl_memory_desc_t* md) {
    static const dnnl_format_tag_t tags[] = {dnnl_nhwc, dnnl_nChw16c, dnnl_nChw8c, dnnl_nchw};
    for (size_t i = 0; md && i < sizeof tags / sizeof *tags; i++) {
        dnnl_memory_desc_t t;
        if (dnnl_memory_desc_init_by_tag(&t, md->ndims, md->dims, md->data_type, tags[i]) == dnnl_success &&
            dnnl_memory_desc_equal(&t, md))
            return tags[i];
    }
    return dnnl_format_tag_any;
}

WNNStatus wnn_onednn_conv_dw_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f,
                                     const WnnCpuPrepared* producer, WnnCpuPrepared** out) {
    *out = NULL;
    const WnnIrOperand* bo = NULL;
    if (!f || !f->dw || !wnn_onednn_conv_fits(ir, node, &bo) ||
        ir->operands[node->inputs[0]].desc.type != WNNOperandDataType_Float32)
        return WNNStatus_Success;
    const WnnNode* dn = &ir->nodes[f->dw];
    const WnnConvAttrs* a = node->attrs;
    const WnnDesc *in = &ir->operands[node->inputs[0]].desc, *mid = &ir->operands[node->outputs[0]].desc;
    const WnnDesc* od = &ir->operands[f->output].desc;
    dnnl_primitive_attr_t attr = NULL;
    if (!wnn_onednn_post_ops_dw(f, (dnnl_dim_t)((const WnnConvAttrs*)dn->attrs)->strides[0], &attr)) return WNNStatus_Success;
    const WnnIrOperand* fb = f->bias >= 0 ? &ir->operands[f->bias] : NULL;
    dnnl_primitive_desc_t pd = NULL;
    /* the 1x1 conv's descriptor (its own output); the primitive's dst is the depthwise conv's. Its
     * src and dst in the layout the producer writes (the neighbours' choice where oneDNN's steps
     * follow one another: linked, no reorders), else oneDNN's */
    const dnnl_memory_desc_t* pl = producer && producer->onednn ? wnn_onednn_out_layout(producer) : NULL;
    if (wnn_onednn_conv_pd(a, 0, in, mid, bo || fb, NULL, tag_of(pl), NULL, NULL, attr, 0, 0, &pd) != dnnl_success)
        pd = NULL;
    dnnl_primitive_attr_destroy(attr);
    if (pd && strncmp(wnn_onednn_impl(pd), "jit", 3) != 0) { /* ref_fused_convolution: not a fusion */
        dnnl_primitive_desc_destroy(pd);
        pd = NULL;
    }
    if (!pd) return WNNStatus_Success;
    WnnOnednnExec* e = NULL;
    dnnl_memory_desc_t uo;
    WNNStatus s = wnn_onednn_conv_step(ir, node, od, pd, 1, &e, &uo);
    if (!e) {
        dnnl_primitive_desc_destroy(pd);
        return s;
    }
    if (!s && (bo || fb)) s = wnn_onednn_channel_bias(e, bo, fb, a->cout);
    if (!s) s = dw_constants(e, ir, dn, pd);
    return wnn_onednn_exec_finish(e, pd, s, out);
}
#else
typedef int wnn_onednn_conv_dw_unused;
#endif
