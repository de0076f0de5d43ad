/* onednn_deconv.c: convTranspose2d through oneDNN's deconvolution (float32, or float16 run in
 * float32; constant filter and bias; onednn.h). The filter, in any of WebNN's layouts (iohw, hwoi,
 * ohwi), is described by strides and reordered once into the primitive's layout; the bias (the
 * node's plus a fused constant add), a fused scalar scale and activation run inside the primitive.
 * outputPadding and outputSizes only lengthen the output: they become the right / bottom padding
 * oneDNN derives the output size from (negative when the output is longer than the padded
 * transposed convolution); a case oneDNN refuses runs on our kernel (k_conv.c).
 * Unless forced (WNN_CPU_CONV=onednn), oneDNN is only taken where it measures faster than ours,
 * which on 2 AVX-512 cores it never did: its jit:avx512_core took 2.9 ms for 64 -> 32 channels, 4x4,
 * stride 2 on 32x32 (ours 1.3 ms), 0.70 ms for 16 -> 16, 3x3 on 16x16 (ours 0.14) and 0.28 ms
 * for 8 -> 6 on 10x10 (ours 0.016). So convolutions too small to time (wnn_cpu_tuning) stay ours
 * without making a primitive. */
#ifdef WNN_HAVE_ONEDNN
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_timing.h"
#include "backends/cpu/onednn.h"

static WNNStatus run_own(const WnnCpuPrepared* self, const WnnCpuKernelArgs* args) {
    (void)self;
    return wnn_cpu_convTranspose2d(args);
}

/* 2 x the multiply-adds of the convTranspose2d. */
static double deconv_flops(const WnnGraphIR* ir, const WnnNode* node) {
    const WnnConvAttrs* a = node->attrs;
    return 2.0 * (double)wnn_desc_numel(&ir->operands[node->inputs[0]].desc) * (a->cout / a->groups) * a->kh * a->kw;
}

/* Is our kernel (unfused) faster than oneDNN's step e (with its fused chain f)? Not timed (0)
 * without a pool. */
static int own_faster(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f, WnnThreadPool* pool,
                      const WnnCpuPrepared* e) {
    if (!pool) return 0;
    WnnCpuPrepared own = {run_own, NULL, 0, 0, "own", 0, 0}; /* unfused: times on its own scratch */
    double to, te;
    wnn_cpu_time_two(ir, node, f, pool, &own, e, &to, &te);
    return to >= 0 && te >= 0 && to < te;
}

WNNStatus wnn_onednn_deconv_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f,
                                    WnnThreadPool* pool, WnnCpuPrepared** out) {
    *out = NULL;
    const WnnConvAttrs* a = node->attrs;
    const WnnDesc *in = &ir->operands[node->inputs[0]].desc, *od = &ir->operands[node->outputs[0]].desc;
    const WnnIrOperand* bo = NULL;
    if (!wnn_onednn_conv_fits(ir, node, &bo) || (pool && !wnn_cpu_tuning(deconv_flops(ir, node)))) return WNNStatus_Success;
    dnnl_primitive_attr_t attr = NULL;
    if (f && (f->residual >= 0 || !wnn_onednn_post_ops(f, NULL, &attr))) f = NULL; /* run the chain unfused */
    const WnnIrOperand* fb = f && f->bias >= 0 ? &ir->operands[f->bias] : NULL;
    dnnl_format_tag_t user = a->nhwc ? dnnl_nhwc : dnnl_nchw;
    /* The graph's own layout when a JIT kernel takes it; else oneDNN's layout with reorders. */
    dnnl_primitive_desc_t pd = NULL;
    int hasBias = bo || fb;
    if (wnn_onednn_conv_pd(a, 1, in, od, hasBias, NULL, user, NULL, NULL, attr, 0, 0, &pd) != dnnl_success ||
        strncmp(wnn_onednn_impl(pd), "jit", 3) != 0) {
        if (pd) dnnl_primitive_desc_destroy(pd);
        pd = NULL;
        if (wnn_onednn_conv_pd(a, 1, in, od, hasBias, NULL, dnnl_format_tag_any, NULL, NULL, attr, 0, 0, &pd) != dnnl_success)
            pd = NULL;
    }
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (!pd) return WNNStatus_Success; /* oneDNN cannot express it: ours runs it */

    WnnOnednnExec* e = NULL;
    dnnl_memory_desc_t uo;
    WNNStatus s = wnn_onednn_conv_step(ir, node, pd, f != NULL, &e, &uo);
    if (!e) {
        dnnl_primitive_desc_destroy(pd);
        return s;
    }
    if (!s && hasBias) s = wnn_onednn_channel_bias(e, bo, fb, a->cout);
    if (!s && own_faster(ir, node, f, pool, &e->base)) { /* before exec_finish counts it as a oneDNN node */
        wnn_onednn_exec_release(&e->base);
        dnnl_primitive_desc_destroy(pd);
        return WNNStatus_Success;
    }
    return wnn_onednn_exec_finish(e, pd, s, out);
}
#else
typedef int wnn_onednn_deconv_unused;
#endif
