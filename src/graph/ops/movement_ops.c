/* movement_ops.c: builder functions and limits of the data-movement ops that change shapes:
 * concat, split, expand, reshape and tile (layout_ops.c has transpose, slice, reverse, pad and
 * triangular; gather_ops.c the gathers and scatters). Checks follow the spec's method steps in
 * order, each message naming the argument and the rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/ops/movement.h"
#include "graph/ops/op_limits.h"

#define SAME_IO_INFO(op, req)           \
    const WnnOpInfo wnn_opinfo_##op = { \
        #op, 2, {SLOT("input", WNN_T_ANY, req, 0, RANK_N, 0, 5), SLOT("output", WNN_T_ANY, req, 0, RANK_N, 0, 5)}};
SAME_IO_INFO(expand, REQ_INT)
SAME_IO_INFO(reshape, REQ_INT | WNN_T_I8 | WNN_T_U8)
SAME_IO_INFO(tile, REQ_INT)
const WnnOpInfo wnn_opinfo_concat = {
    "concat",
    2,
    {SLOT("inputs", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5), SLOT("output", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5)}};
const WnnOpInfo wnn_opinfo_split = {
    "split",
    2,
    {SLOT("input", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5), SLOT("outputs", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5)}};

WNNStatus wnn_movement_begin(WnnOpCall* call, WNNGraphBuilder b, WnnOpId op, const char* label, WNNOperand x,
                             const WnnDesc** d, WNNOperand* out) {
    WNNStatus s = wnn_op_begin(call, b, op, label, out);
    return s ? s : wnn_op_operand(call, "input", x, d);
}

WNNStatus wnn_movement_rank_list(const WnnOpCall* call, const char* what, const uint32_t* list, size_t count,
                                 uint32_t rank) {
    if (count != rank) return wnn_op_fail(call, "%s has %zu entries, the input rank is %u", what, count, rank);
    if (count && !list) return wnn_op_fail(call, "%s is NULL", what);
    return WNNStatus_Success;
}

/* A shape given as an argument: a rank the output allows, every entry a valid dimension. */
static WNNStatus shape_arg(const WnnOpCall* call, const char* what, const uint32_t* shape, size_t count, WnnDesc* out) {
    if (count > WNN_MAX_RANK)
        return wnn_op_fail(call, "%s has %zu entries, more than the maximum rank %d", what, count, WNN_MAX_RANK);
    if (count && !shape) return wnn_op_fail(call, "%s is NULL", what);
    out->rank = (uint32_t)count;
    for (size_t i = 0; i < count; i++) {
        if (shape[i] == 0 || shape[i] > WNN_MAX_DIMENSION)
            return wnn_op_fail(call, "%s[%zu] = %u is not a valid dimension (1..%u)", what, i, shape[i],
                               WNN_MAX_DIMENSION);
        out->shape[i] = shape[i];
    }
    return WNNStatus_Success;
}

WNN_EXPORT WNNStatus wnnGraphBuilderConcat(WNNGraphBuilder b, const WNNOperand* inputs, size_t inputCount,
                                           uint32_t axis, const WNNOperatorOptions* options, WNNOperand* output) {
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_concat, options ? options->label : NULL, output);
    if (s) return s;
    if (inputCount && !inputs) return wnn_op_fail(&call, "inputs is NULL");
    for (size_t i = 0; i < inputCount; i++)
        if ((s = wnn_op_operand(&call, "inputs", inputs[i], NULL))) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", wnnGetLastErrorMessage());
            return wnn_error(s, "%s (inputs[%zu])", msg, i);
        }
    if (inputCount < 1 || inputCount > WNN_MAX_TENSOR_COUNT)
        return wnn_op_fail(&call, "inputs has %zu operands, not a valid tensor count (1..%d)", inputCount,
                           WNN_MAX_TENSOR_COUNT);
    const WnnDesc* first = wnn_operand_desc(inputs[0]);
    if (axis >= first->rank) return wnn_op_fail(&call, "axis %u is out of range for rank %u", axis, first->rank);
    WnnDesc out = *first;
    uint64_t size = first->shape[axis];
    for (size_t i = 1; i < inputCount; i++) {
        const WnnDesc* d = wnn_operand_desc(inputs[i]);
        char g[128], w[128];
        if (d->type != first->type)
            return wnn_op_fail(&call, "inputs[%zu] data type %s differs from inputs[0] data type %s", i,
                               wnn_type_name(d->type), wnn_type_name(first->type));
        if (d->rank != first->rank)
            return wnn_op_fail(&call, "inputs[%zu] rank %u differs from inputs[0] rank %u", i, d->rank, first->rank);
        for (uint32_t k = 0; k < d->rank; k++)
            if (k != axis && d->shape[k] != first->shape[k])
                return wnn_op_fail(&call, "inputs[%zu] shape %s differs from inputs[0] shape %s outside axis %u", i,
                                   wnn_dims_str(d->shape, d->rank, g, sizeof g),
                                   wnn_dims_str(first->shape, first->rank, w, sizeof w), axis);
        size += d->shape[axis];
        if (size > WNN_MAX_DIMENSION)
            return wnn_op_fail(&call, "the inputs' sizes along axis %u sum past %u (not a valid dimension)", axis,
                               WNN_MAX_DIMENSION);
    }
    out.shape[axis] = (uint32_t)size;
    WnnAxisAttrs a = {axis};
    return wnn_op_finish(&call, inputs, (uint32_t)inputCount, &a, sizeof a, &out, 1, output);
}

/* split: `sizes` NULL means the count form (`count` equal parts). */
static WNNStatus split_common(WNNGraphBuilder b, WNNOperand input, uint32_t count, const uint32_t* sizes,
                              size_t sizesCount, int list, const WNNSplitOptions* o, WNNOperand* outputs,
                              size_t capacity, size_t* outputCount) {
    if (outputCount) *outputCount = 0;
    for (size_t i = 0; outputs && i < capacity && i < WNN_MAX_TENSOR_COUNT; i++) outputs[i] = NULL;
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = wnn_movement_begin(&call, b, WNN_OP_split, o ? o->label : NULL, input, &in, NULL);
    if (s) return s;
    uint32_t axis = o ? o->axis : 0, dim;
    if (axis >= in->rank) return wnn_op_fail(&call, "axis %u is out of range for rank %u", axis, in->rank);
    dim = in->shape[axis];
    size_t n = list ? sizesCount : count;
    if (!list) {
        if (count < 1 || count > WNN_MAX_TENSOR_COUNT)
            return wnn_op_fail(&call, "splits %u is not a valid tensor count (1..%d)", count, WNN_MAX_TENSOR_COUNT);
        if (dim % count != 0)
            return wnn_op_fail(&call, "splits %u does not divide the input's axis %u dimension %u", count, axis, dim);
    } else {
        if (sizesCount < 1 || sizesCount > WNN_MAX_TENSOR_COUNT)
            return wnn_op_fail(&call, "splits has %zu entries, not a valid tensor count (1..%d)", sizesCount,
                               WNN_MAX_TENSOR_COUNT);
        if (!sizes) return wnn_op_fail(&call, "splits is NULL");
        uint64_t sum = 0;
        for (size_t i = 0; i < sizesCount; i++) {
            if (sizes[i] == 0) return wnn_op_fail(&call, "splits[%zu] is 0", i);
            sum += sizes[i];
        }
        if (sum != dim)
            return wnn_op_fail(&call, "splits sum to %llu, the input's axis %u dimension is %u",
                               (unsigned long long)sum, axis, dim);
    }
    if (!outputs || capacity < n)
        return wnn_op_fail(&call, "outputs has room for %zu operands, %zu are needed", outputs ? capacity : 0, n);
    WnnDesc* descs = wnn_malloc(n * sizeof *descs);
    if (!descs) return wnn_op_failv(&call, WNNStatus_OutOfMemory, "out of memory");
    for (size_t i = 0; i < n; i++) {
        descs[i] = *in;
        descs[i].shape[axis] = list ? sizes[i] : dim / count;
    }
    WnnAxisAttrs a = {axis};
    s = wnn_op_finish(&call, &input, 1, &a, sizeof a, descs, (uint32_t)n, outputs);
    free(descs);
    if (!s && outputCount) *outputCount = n;
    return s;
}

WNN_EXPORT WNNStatus wnnGraphBuilderSplit(WNNGraphBuilder b, WNNOperand input, uint32_t count, const WNNSplitOptions* o,
                                          WNNOperand* outputs, size_t capacity, size_t* outputCount) {
    return split_common(b, input, count, NULL, 0, 0, o, outputs, capacity, outputCount);
}

WNN_EXPORT WNNStatus wnnGraphBuilderSplitSizes(WNNGraphBuilder b, WNNOperand input, const uint32_t* splits,
                                               size_t splitsCount, const WNNSplitOptions* o, WNNOperand* outputs,
                                               size_t capacity, size_t* outputCount) {
    return split_common(b, input, 0, splits, splitsCount, 1, o, outputs, capacity, outputCount);
}

WNN_EXPORT WNNStatus wnnGraphBuilderExpand(WNNGraphBuilder b, WNNOperand input, const uint32_t* newShape, size_t count,
                                           const WNNOperatorOptions* options, WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = wnn_movement_begin(&call, b, WNN_OP_expand, options ? options->label : NULL, input, &in, output);
    if (s) return s;
    WnnDesc to = {in->type, 0, {0}};
    if ((s = shape_arg(&call, "newShape", newShape, count, &to))) return s;
    if (!wnn_broadcast_unidirectional(in, &to)) {
        char g[128], w[128];
        return wnn_op_fail(&call, "input shape %s is not unidirectionally broadcastable to newShape %s",
                           wnn_dims_str(in->shape, in->rank, g, sizeof g),
                           wnn_dims_str(to.shape, to.rank, w, sizeof w));
    }
    return wnn_op_finish(&call, &input, 1, NULL, 0, &to, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderReshape(WNNGraphBuilder b, WNNOperand input, const uint32_t* newShape, size_t count,
                                            const WNNOperatorOptions* options, WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = wnn_movement_begin(&call, b, WNN_OP_reshape, options ? options->label : NULL, input, &in, output);
    if (s) return s;
    WnnDesc out = {in->type, 0, {0}};
    if ((s = shape_arg(&call, "newShape", newShape, count, &out))) return s;
    uint64_t n = 1; /* at most 8 factors below 2^31 each: stop once past any element count */
    for (uint32_t i = 0; i < out.rank && n <= WNN_MAX_DIMENSION; i++) n *= out.shape[i];
    if (n != wnn_desc_numel(in)) {
        char g[128];
        return wnn_op_fail(&call, "newShape %s does not hold the input's %llu elements",
                           wnn_dims_str(out.shape, out.rank, g, sizeof g), (unsigned long long)wnn_desc_numel(in));
    }
    return wnn_op_finish(&call, &input, 1, NULL, 0, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderTile(WNNGraphBuilder b, WNNOperand input, const uint32_t* reps, size_t count,
                                         const WNNOperatorOptions* options, WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = wnn_movement_begin(&call, b, WNN_OP_tile, options ? options->label : NULL, input, &in, output);
    if (s) return s;
    if ((s = wnn_movement_rank_list(&call, "repetitions", reps, count, in->rank))) return s;
    WnnDesc out = *in;
    for (uint32_t i = 0; i < in->rank; i++) {
        if (reps[i] == 0) return wnn_op_fail(&call, "repetitions[%u] is 0", i);
        uint64_t d = (uint64_t)in->shape[i] * reps[i];
        if (d > WNN_MAX_DIMENSION)
            return wnn_op_fail(&call, "dimension %u (%u) times repetitions[%u] (%u) is not a valid dimension", i,
                               in->shape[i], i, reps[i]);
        out.shape[i] = (uint32_t)d;
    }
    return wnn_op_finish(&call, &input, 1, NULL, 0, &out, 1, output);
}
