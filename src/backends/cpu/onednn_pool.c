/* onednn_pool.c: maxPool2d and averagePool2d through oneDNN (float32, or float16 run in float32;
 * no dilation; onednn.h), so that a pool between convs reads and writes their blocked layout
 * (cpu_backend.c links it) instead of reordering out and back. Windows skip padding, as ours do (k_pool.c). */
#ifdef WNN_HAVE_ONEDNN
#include <string.h>

#include "backends/cpu/onednn.h"
#include "graph/ops/conv.h"

WNNStatus wnn_onednn_pool_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuPrepared* producer,
                                  WnnCpuPrepared** out) {
    *out = NULL;
    const WnnPoolAttrs* a = node->attrs;
    const WnnDesc *in = &ir->operands[node->inputs[0]].desc, *od = &ir->operands[node->outputs[0]].desc;
    int f16 = in->type == WNNOperandDataType_Float16; /* converted at the edges, run in float32 */
    if ((in->type != WNNOperandDataType_Float32 && !f16) || a->dilations[0] != 1 || a->dilations[1] != 1 || !wnn_onednn_engine())
        return WNNStatus_Success;
    int h = a->nhwc ? 1 : 2, c = a->nhwc ? 3 : 1;
    dnnl_dims_t src = {in->shape[0], in->shape[c], in->shape[h], in->shape[h + 1]};
    dnnl_dims_t dst = {od->shape[0], od->shape[c], od->shape[h], od->shape[h + 1]};
    dnnl_dims_t strides = {a->strides[0], a->strides[1]}, kernel = {a->window[0], a->window[1]};
    dnnl_dims_t padl = {a->pad[0], a->pad[2]}, padr;
    /* oneDNN wants the right padding that gives the output size exactly (ceil rounding, outputSizes) */
    for (int i = 0; i < 2; i++) {
        padr[i] = (dst[2 + i] - 1) * strides[i] + kernel[i] - src[2 + i] - padl[i];
        if (padr[i] < 0 || padr[i] >= kernel[i]) return WNNStatus_Success;
    }
    /* Inside: the layout of the oneDNN step before it (dst: the same, oneDNN's "any" for a pool),
     * so that the two link; without one, NCHW takes 8-channel blocks (oneDNN's AVX2 convs). */
    dnnl_format_tag_t user = a->nhwc ? dnnl_nhwc : dnnl_nchw, inside = a->nhwc ? dnnl_nhwc : dnnl_aBcd8b;
    const dnnl_memory_desc_t* like = wnn_onednn_out_layout(producer);
    dnnl_memory_desc_t sm, dm, um, uo;
    dnnl_memory_desc_init_by_tag(&sm, 4, src, dnnl_f32, inside);
    dnnl_memory_desc_init_by_tag(&dm, 4, dst, dnnl_f32, inside);
    if (like && like->ndims == 4 && like->data_type == dnnl_f32 && !memcmp(like->dims, src, sizeof(dnnl_dim_t) * 4)) {
        sm = *like;
        dnnl_memory_desc_init_by_tag(&dm, 4, dst, dnnl_f32, dnnl_format_tag_any);
    }
    dnnl_memory_desc_init_by_tag(&um, 4, src, dnnl_f32, user);
    dnnl_memory_desc_init_by_tag(&uo, 4, dst, dnnl_f32, user);
    dnnl_alg_kind_t alg = node->op == WNN_OP_maxPool2d ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding;
    dnnl_pooling_desc_t pdsc;
    dnnl_primitive_desc_t pd = NULL;
    if (dnnl_pooling_forward_desc_init(&pdsc, dnnl_forward_inference, alg, &sm, &dm, strides, kernel, padl, padr) !=
            dnnl_success ||
        dnnl_primitive_desc_create(&pd, &pdsc, NULL, wnn_onednn_engine(), NULL) != dnnl_success)
        return WNNStatus_Success;
    WnnOnednnExec* e = wnn_calloc(1, sizeof *e);
    if (!e) {
        dnnl_primitive_desc_destroy(pd);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    }
    e->what = node->op == WNN_OP_maxPool2d ? "maxPool2d" : "averagePool2d";
    e->weiArg = -1;
    e->f16 = f16; /* and between float16 convs, linked in their float32 layout */
    WNNStatus s = wnn_onednn_exec_init(e, pd, &um, &uo);
    return wnn_onednn_exec_finish(e, pd, s, out);
}
#else
typedef int wnn_onednn_pool_unused;
#endif
