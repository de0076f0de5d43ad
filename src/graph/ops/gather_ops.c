/* gather_ops.c: builder functions and limits of gather, gatherElements, gatherND, scatterElements
 * and scatterND. Indices may be negative (counted from the end); at run time indices out of range
 * are clamped into range, since they cannot be checked when the graph is built. */
#include "graph/ops/movement.h"
#include "graph/ops/op_limits.h"

#define IDX_TYPES (WNN_T_I32 | WNN_T_U32 | WNN_T_I64)
#define REQ_8 (REQ_INT | WNN_T_I8 | WNN_T_U8)
#define INDICES(rmin) SLOT("indices", IDX_TYPES, WNN_T_I32, rmin, RANK_N, rmin, 5)
#define INPUT(req) SLOT("input", WNN_T_ANY, req, 1, RANK_N, 1, 5)
#define SAME(slot, req) SLOT(slot, WNN_T_ANY, req, 1, RANK_N, 1, 5) /* the input's type and rank */
#define ANY_RANK(slot, req, qmin) SLOT(slot, WNN_T_ANY, req, 0, RANK_N, qmin, 5)
/* gather's output table says ranks 1..N, yet its steps (and WPT) give a scalar for a 1-D input
 * and scalar indices, so rank 0 is allowed; only 1..5 is required. */
const WnnOpInfo wnn_opinfo_gather = {"gather", 3, {INPUT(REQ_8), INDICES(0), ANY_RANK("output", REQ_8, 1)}};
const WnnOpInfo wnn_opinfo_gatherElements = {"gatherElements", 3,
                                             {INPUT(REQ_INT), INDICES(1), SAME("output", REQ_INT)}};
const WnnOpInfo wnn_opinfo_gatherND = {"gatherND", 3, {INPUT(REQ_8), INDICES(1), ANY_RANK("output", REQ_8, 0)}};
const WnnOpInfo wnn_opinfo_scatterElements = {
    "scatterElements", 4, {INPUT(REQ_INT), INDICES(1), SAME("updates", REQ_INT), SAME("output", REQ_INT)}};
const WnnOpInfo wnn_opinfo_scatterND = {
    "scatterND", 4, {INPUT(REQ_INT), INDICES(1), ANY_RANK("updates", REQ_INT, 0), SAME("output", REQ_INT)}};

static WNNStatus begin(WnnOpCall* call, WNNGraphBuilder b, WnnOpId op, const char* label, WNNOperand input,
                       WNNOperand indices, const WnnDesc** in, const WnnDesc** idx, WNNOperand* out) {
    WNNStatus s = wnn_movement_begin(call, b, op, label, input, in, out);
    return s ? s : wnn_op_operand(call, "indices", indices, idx);
}

static WNNStatus check_axis(const WnnOpCall* call, uint32_t axis, uint32_t rank) {
    return axis < rank ? WNNStatus_Success : wnn_op_fail(call, "axis %u is out of range for rank %u", axis, rank);
}

/* gatherElements / scatterElements: indices have the input's shape except along the axis. */
static WNNStatus check_element_indices(const WnnOpCall* call, const WnnDesc* in, const WnnDesc* idx, uint32_t axis) {
    WnnDesc want = *in;
    want.shape[axis] = idx->shape[axis];
    want.type = idx->type;
    if (idx->rank == in->rank && wnn_desc_equal(&want, idx)) return WNNStatus_Success;
    char g[128], w[128];
    return wnn_op_fail(call, "indices shape %s must equal the input shape %s except along axis %u",
                       wnn_dims_str(idx->shape, idx->rank, g, sizeof g), wnn_dims_str(in->shape, in->rank, w, sizeof w),
                       axis);
}

/* gatherND / scatterND: the shape of the output (gather) or updates (scatter): the indices'
 * leading dimensions, then the input's dimensions past the coordinate size. */
static WNNStatus nd_slab_shape(const WnnOpCall* call, const WnnDesc* in, const WnnDesc* idx, const char* what,
                               WnnDesc* out) {
    uint32_t k = idx->shape[idx->rank - 1];
    if (k > in->rank)
        return wnn_op_fail(call, "the indices' last dimension (coordinate size) %u exceeds the input rank %u", k,
                           in->rank);
    uint32_t rank = idx->rank - 1 + in->rank - k, n = 0;
    if (rank > WNN_MAX_RANK) return wnn_op_fail(call, "the %s rank %u exceeds %d", what, rank, WNN_MAX_RANK);
    out->type = in->type;
    out->rank = rank;
    for (uint32_t i = 0; i + 1 < idx->rank; i++) out->shape[n++] = idx->shape[i];
    for (uint32_t i = k; i < in->rank; i++) out->shape[n++] = in->shape[i];
    return WNNStatus_Success;
}

static WNNStatus check_updates(const WnnOpCall* call, const WnnDesc* in, const WnnDesc* up) {
    if (up->type == in->type) return WNNStatus_Success;
    return wnn_op_fail(call, "updates data type %s differs from the input data type %s", wnn_type_name(up->type),
                       wnn_type_name(in->type));
}

static WNNStatus check_updates_shape(const WnnOpCall* call, const WnnDesc* want, const WnnDesc* up) {
    if (wnn_desc_equal(want, up)) return WNNStatus_Success;
    char w[128], g[128];
    return wnn_op_fail(call, "updates shape must be %s (got %s)", wnn_dims_str(want->shape, want->rank, w, sizeof w),
                       wnn_dims_str(up->shape, up->rank, g, sizeof g));
}

WNN_EXPORT WNNStatus wnnGraphBuilderGather(WNNGraphBuilder b, WNNOperand input, WNNOperand indices,
                                           const WNNGatherOptions* o, WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc *in, *idx;
    WNNStatus s = begin(&call, b, WNN_OP_gather, o ? o->label : NULL, input, indices, &in, &idx, output);
    uint32_t axis = o ? o->axis : 0;
    if (s || (s = check_axis(&call, axis, in->rank))) return s;
    uint32_t rank = in->rank - 1 + idx->rank, k = 0;
    if (rank > WNN_MAX_RANK) return wnn_op_fail(&call, "the output rank %u exceeds %d", rank, WNN_MAX_RANK);
    WnnDesc out = {in->type, rank, {0}};
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
    uint32_t axis = o ? o->axis : 0;
    if (s || (s = check_axis(&call, axis, in->rank)) || (s = check_element_indices(&call, in, idx, axis))) return s;
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
    WnnDesc out;
    WNNStatus s = begin(&call, b, WNN_OP_gatherND, o ? o->label : NULL, input, indices, &in, &idx, output);
    if (s || (s = nd_slab_shape(&call, in, idx, "output", &out))) return s;
    WNNOperand ins[2] = {input, indices};
    return wnn_op_finish(&call, ins, 2, NULL, 0, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderScatterElements(WNNGraphBuilder b, WNNOperand input, WNNOperand indices,
                                                    WNNOperand updates, const WNNScatterOptions* o,
                                                    WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc *in, *idx, *up;
    WNNStatus s = begin(&call, b, WNN_OP_scatterElements, o ? o->label : NULL, input, indices, &in, &idx, output);
    uint32_t axis = o ? o->axis : 0;
    if (s || (s = wnn_op_operand(&call, "updates", updates, &up)) || (s = check_updates(&call, in, up)) ||
        (s = check_axis(&call, axis, in->rank)) || (s = check_element_indices(&call, in, idx, axis)))
        return s;
    WnnDesc want = *idx;
    want.type = up->type;
    if ((s = check_updates_shape(&call, &want, up))) return s;
    WnnDesc out = *in;
    WnnAxisAttrs a = {axis};
    WNNOperand ins[3] = {input, indices, updates};
    return wnn_op_finish(&call, ins, 3, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderScatterND(WNNGraphBuilder b, WNNOperand input, WNNOperand indices,
                                              WNNOperand updates, const WNNOperatorOptions* o, WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc *in, *idx, *up;
    WnnDesc want;
    WNNStatus s = begin(&call, b, WNN_OP_scatterND, o ? o->label : NULL, input, indices, &in, &idx, output);
    if (s || (s = wnn_op_operand(&call, "updates", updates, &up)) || (s = check_updates(&call, in, up)) ||
        (s = nd_slab_shape(&call, in, idx, "updates", &want)) || (s = check_updates_shape(&call, &want, up)))
        return s;
    WnnDesc out = *in;
    WNNOperand ins[3] = {input, indices, updates};
    return wnn_op_finish(&call, ins, 3, NULL, 0, &out, 1, output);
}
