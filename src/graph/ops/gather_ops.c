/* gather_ops.c: builder functions and limits of gather, gatherElements, gatherND, scatterElements
 * and scatterND. Indices may be negative (counted from the end); at run time indices out of range
 * are clamped into range, since they cannot be checked when the graph is built. */
#include "graph/ops/movement.h"
#include "graph/ops/op_limits.h"

#define IDX_TYPES (WNN_T_I32 | WNN_T_U32 | WNN_T_I64)
const WnnOpInfo wnn_opinfo_gather = {"gather", 3, {SLOT("input", WNN_T_ANY, REQ_INT | WNN_T_I8 | WNN_T_U8, 1, RANK_N, 1, 5),
                                                   SLOT("indices", IDX_TYPES, WNN_T_I32, 0, RANK_N, 0, 5),
                                                   SLOT("output", WNN_T_ANY, REQ_INT | WNN_T_I8 | WNN_T_U8, 0, RANK_N, 0, 5)}};
const WnnOpInfo wnn_opinfo_gatherElements = {"gatherElements", 3, {SLOT("input", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5),
                                                                   SLOT("indices", IDX_TYPES, WNN_T_I32, 1, RANK_N, 1, 5),
                                                                   SLOT("output", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5)}};
const WnnOpInfo wnn_opinfo_gatherND = {"gatherND", 3, {SLOT("input", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5),
                                                       SLOT("indices", IDX_TYPES, WNN_T_I32, 1, RANK_N, 1, 5),
                                                       SLOT("output", WNN_T_ANY, REQ_INT, 0, RANK_N, 0, 5)}};
const WnnOpInfo wnn_opinfo_scatterElements = {"scatterElements", 4, {SLOT("input", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5),
                                                                     SLOT("indices", IDX_TYPES, WNN_T_I32, 1, RANK_N, 1, 5),
                                                                     SLOT("updates", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5),
                                                                     SLOT("output", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5)}};
const WnnOpInfo wnn_opinfo_scatterND = {"scatterND", 4, {SLOT("input", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5),
                                                         SLOT("indices", IDX_TYPES, WNN_T_I32, 1, RANK_N, 1, 5),
                                                         SLOT("updates", WNN_T_ANY, REQ_INT, 0, RANK_N, 0, 5),
                                                         SLOT("output", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5)}};

static WNNStatus begin(WnnOpCall* call, WNNGraphBuilder b, WnnOpId op, const char* label, WNNOperand input,
                       WNNOperand indices, const WnnDesc** in, const WnnDesc** idx, WNNOperand* out) {
    WNNStatus s = wnn_op_begin(call, b, op, label, out);
    if (!s) s = wnn_op_operand(call, "input", input, in);
    if (!s) s = wnn_op_operand(call, "indices", indices, idx);
    return s;
}

WNN_EXPORT WNNStatus wnnGraphBuilderGather(WNNGraphBuilder b, WNNOperand input, WNNOperand indices,
                                           const WNNGatherOptions* o, WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc *in, *idx;
    WNNStatus s = begin(&call, b, WNN_OP_gather, o ? o->label : NULL, input, indices, &in, &idx, output);
    if (s) return s;
    uint32_t axis = o ? o->axis : 0;
    if (axis >= in->rank) return wnn_op_fail(&call, "axis %u is out of range for rank %u", axis, in->rank);
    if (in->rank - 1 + idx->rank > WNN_MAX_RANK) return wnn_op_fail(&call, "the output rank exceeds %d", WNN_MAX_RANK);
    WnnDesc out = {in->type, in->rank - 1 + idx->rank, {0}};
    uint32_t k = 0;
    for (uint32_t i = 0; i < axis; i++) out.shape[k++] = in->shape[i];
    for (uint32_t i = 0; i < idx->rank; i++) out.shape[k++] = idx->shape[i];
    for (uint32_t i = axis + 1; i < in->rank; i++) out.shape[k++] = in->shape[i];
    WnnAxisAttrs a = {axis};
    WNNOperand ins[2] = {input, indices};
    return wnn_op_finish(&call, ins, 2, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderGatherElements(WNNGraphBuilder b, WNNOperand input, WNNOperand indices,
                                                   const WNNGatherOptions* o, WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc *in, *idx;
    WNNStatus s = begin(&call, b, WNN_OP_gatherElements, o ? o->label : NULL, input, indices, &in, &idx, output);
    if (s) return s;
    uint32_t axis = o ? o->axis : 0;
    if (axis >= in->rank) return wnn_op_fail(&call, "axis %u is out of range for rank %u", axis, in->rank);
    if (idx->rank != in->rank) return wnn_op_fail(&call, "indices rank %u must equal the input rank %u", idx->rank, in->rank);
    for (uint32_t i = 0; i < in->rank; i++)
        if (i != axis && idx->shape[i] != in->shape[i])
            return wnn_op_fail(&call, "indices dimension %u is %u, the input has %u", i, idx->shape[i], in->shape[i]);
    WnnDesc out = *idx;
    out.type = in->type;
    WnnAxisAttrs a = {axis};
    WNNOperand ins[2] = {input, indices};
    return wnn_op_finish(&call, ins, 2, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderGatherND(WNNGraphBuilder b, WNNOperand input, WNNOperand indices,
                                             const WNNOperatorOptions* o, WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc *in, *idx;
    WNNStatus s = begin(&call, b, WNN_OP_gatherND, o ? o->label : NULL, input, indices, &in, &idx, output);
    if (s) return s;
    uint32_t k = idx->shape[idx->rank - 1];
    if (k > in->rank) return wnn_op_fail(&call, "the last indices dimension %u exceeds the input rank %u", k, in->rank);
    uint32_t rank = idx->rank - 1 + in->rank - k;
    if (rank > WNN_MAX_RANK) return wnn_op_fail(&call, "the output rank exceeds %d", WNN_MAX_RANK);
    WnnDesc out = {in->type, rank, {0}};
    uint32_t n = 0;
    for (uint32_t i = 0; i + 1 < idx->rank; i++) out.shape[n++] = idx->shape[i];
    for (uint32_t i = k; i < in->rank; i++) out.shape[n++] = in->shape[i];
    WNNOperand ins[2] = {input, indices};
    return wnn_op_finish(&call, ins, 2, NULL, 0, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderScatterElements(WNNGraphBuilder b, WNNOperand input, WNNOperand indices,
                                                    WNNOperand updates, const WNNScatterOptions* o, WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc *in, *idx, *up;
    WNNStatus s = begin(&call, b, WNN_OP_scatterElements, o ? o->label : NULL, input, indices, &in, &idx, output);
    if (!s) s = wnn_op_operand(&call, "updates", updates, &up);
    if (s) return s;
    uint32_t axis = o ? o->axis : 0;
    if (axis >= in->rank) return wnn_op_fail(&call, "axis %u is out of range for rank %u", axis, in->rank);
    if (up->type != in->type) return wnn_op_fail(&call, "updates data type must match input");
    if (idx->rank != in->rank || up->rank != in->rank)
        return wnn_op_fail(&call, "indices and updates must have the input's rank %u", in->rank);
    for (uint32_t i = 0; i < in->rank; i++) {
        if (idx->shape[i] != up->shape[i]) return wnn_op_fail(&call, "indices and updates shapes differ at dimension %u", i);
        if (i != axis && idx->shape[i] != in->shape[i])
            return wnn_op_fail(&call, "indices dimension %u is %u, the input has %u", i, idx->shape[i], in->shape[i]);
    }
    WnnDesc out = *in;
    WnnAxisAttrs a = {axis};
    WNNOperand ins[3] = {input, indices, updates};
    return wnn_op_finish(&call, ins, 3, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderScatterND(WNNGraphBuilder b, WNNOperand input, WNNOperand indices,
                                              WNNOperand updates, const WNNOperatorOptions* o, WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc *in, *idx, *up;
    WNNStatus s = begin(&call, b, WNN_OP_scatterND, o ? o->label : NULL, input, indices, &in, &idx, output);
    if (!s) s = wnn_op_operand(&call, "updates", updates, &up);
    if (s) return s;
    if (up->type != in->type) return wnn_op_fail(&call, "updates data type must match input");
    uint32_t k = idx->shape[idx->rank - 1];
    if (k > in->rank) return wnn_op_fail(&call, "the last indices dimension %u exceeds the input rank %u", k, in->rank);
    uint32_t rank = idx->rank - 1 + in->rank - k, n = 0;
    WnnDesc want = {in->type, rank, {0}};
    if (rank > WNN_MAX_RANK) return wnn_op_fail(&call, "the updates rank exceeds %d", WNN_MAX_RANK);
    for (uint32_t i = 0; i + 1 < idx->rank; i++) want.shape[n++] = idx->shape[i];
    for (uint32_t i = k; i < in->rank; i++) want.shape[n++] = in->shape[i];
    if (!wnn_desc_equal(&want, up)) {
        char w[128], g[128];
        return wnn_op_fail(&call, "updates shape must be %s (got %s)", wnn_desc_str(&want, w, sizeof w),
                           wnn_desc_str(up, g, sizeof g));
    }
    WnnDesc out = *in;
    WNNOperand ins[3] = {input, indices, updates};
    return wnn_op_finish(&call, ins, 3, NULL, 0, &out, 1, output);
}
