/* movement_ops.c: builder functions and limits of the data-movement ops: concat, expand, pad,
 * reshape, reverse, slice, split, tile, transpose, triangular (gather and scatter are in
 * gather_ops.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/ops/movement.h"
#include "graph/ops/op_limits.h"

#define REQ_8 (REQ_INT | WNN_T_I8 | WNN_T_U8)
#define IO_INFO(op, req, rmin)                                                                    \
    const WnnOpInfo wnn_opinfo_##op = {#op, 2, {SLOT("input", WNN_T_ANY, req, rmin, RANK_N, rmin, 5), \
                                                SLOT("output", WNN_T_ANY, req, rmin, RANK_N, rmin, 5)}};
IO_INFO(expand, REQ_INT, 0)
IO_INFO(pad, WNN_T_FLOAT, 0)
IO_INFO(reshape, REQ_8, 0)
IO_INFO(reverse, REQ_INT, 0)
IO_INFO(slice, REQ_8, 0)
IO_INFO(tile, REQ_INT, 0)
IO_INFO(transpose, REQ_INT, 0)
IO_INFO(triangular, WNN_T_FLOAT, 2)
const WnnOpInfo wnn_opinfo_concat = {"concat", 2, {SLOT("inputs", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5),
                                                   SLOT("output", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5)}};
const WnnOpInfo wnn_opinfo_split = {"split", 2, {SLOT("input", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5),
                                                 SLOT("outputs", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5)}};

#define MAX_TENSORS 8192 /* the spec's valid tensor count */

static const char* label_of(const WNNOperatorOptions* o) { return o ? o->label : NULL; }

static WNNStatus begin_unary(WnnOpCall* call, WNNGraphBuilder b, WnnOpId op, const char* label, WNNOperand x,
                             const WnnDesc** d, WNNOperand* out) {
    WNNStatus s = wnn_op_begin(call, b, op, label, out);
    return s ? s : wnn_op_operand(call, "input", x, d);
}

/* A list argument that must have one entry per input dimension. */
static WNNStatus check_rank_list(const WnnOpCall* call, const char* what, const uint32_t* list, size_t count,
                                 uint32_t rank) {
    if (count != rank) return wnn_op_fail(call, "%s has %zu entries, the input rank is %u", what, count, rank);
    if (count && !list) return wnn_op_fail(call, "%s is NULL", what);
    return WNNStatus_Success;
}

WNN_EXPORT WNNStatus wnnGraphBuilderConcat(WNNGraphBuilder b, const WNNOperand* inputs, size_t inputCount,
                                           uint32_t axis, const WNNOperatorOptions* options, WNNOperand* output) {
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_concat, label_of(options), output);
    if (s) return s;
    if (inputCount < 1 || inputCount > MAX_TENSORS || !inputs)
        return wnn_op_fail(&call, "inputs must hold 1..%d operands (got %zu)", MAX_TENSORS, inputCount);
    const WnnDesc* first;
    if ((s = wnn_op_operand(&call, "inputs", inputs[0], &first))) return s;
    if (axis >= first->rank) return wnn_op_fail(&call, "axis %u is out of range for rank %u", axis, first->rank);
    WnnDesc out = *first;
    uint64_t sum = first->shape[axis];
    for (size_t i = 1; i < inputCount; i++) {
        const WnnDesc* d;
        if ((s = wnn_op_operand(&call, "inputs", inputs[i], &d))) return s;
        if (d->type != first->type) return wnn_op_fail(&call, "inputs[%zu] data type differs from inputs[0]", i);
        if (d->rank != first->rank) return wnn_op_fail(&call, "inputs[%zu] rank %u differs from inputs[0] rank %u", i, d->rank, first->rank);
        for (uint32_t k = 0; k < d->rank; k++)
            if (k != axis && d->shape[k] != first->shape[k])
                return wnn_op_fail(&call, "inputs[%zu] dimension %u is %u, inputs[0] has %u", i, k, d->shape[k], first->shape[k]);
        sum += d->shape[axis];
    }
    if (sum > 0x7fffffffu) return wnn_op_fail(&call, "the concatenated axis size is not a valid dimension");
    out.shape[axis] = (uint32_t)sum;
    WnnAxisAttrs a = {axis};
    return wnn_op_finish(&call, inputs, (uint32_t)inputCount, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderExpand(WNNGraphBuilder b, WNNOperand input, const uint32_t* newShape,
                                           size_t count, const WNNOperatorOptions* options, WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = begin_unary(&call, b, WNN_OP_expand, label_of(options), input, &in, output);
    if (s) return s;
    if (count > WNN_MAX_RANK) return wnn_op_fail(&call, "newShape rank %zu exceeds %d", count, WNN_MAX_RANK);
    if (count && !newShape) return wnn_op_fail(&call, "newShape is NULL");
    WnnDesc to = {in->type, (uint32_t)count, {0}}, out;
    for (size_t i = 0; i < count; i++) to.shape[i] = newShape[i];
    if (!wnn_broadcast_shapes(in, &to, &out) || out.rank != to.rank || memcmp(out.shape, to.shape, sizeof to.shape))
        return wnn_op_fail(&call, "the input shape is not broadcastable to newShape");
    return wnn_op_finish(&call, &input, 1, NULL, 0, &to, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderPad(WNNGraphBuilder b, WNNOperand input, const uint32_t* beginning,
                                        size_t beginningCount, const uint32_t* ending, size_t endingCount,
                                        const WNNPadOptions* o, WNNOperand* output) {
    WNNPadOptions dflt = WNN_PAD_OPTIONS_INIT;
    if (!o) o = &dflt;
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = begin_unary(&call, b, WNN_OP_pad, o->label, input, &in, output);
    if (s) return s;
    if ((s = check_rank_list(&call, "beginningPadding", beginning, beginningCount, in->rank)) ||
        (s = check_rank_list(&call, "endingPadding", ending, endingCount, in->rank)))
        return s;
    WnnPadAttrs a;
    memset(&a, 0, sizeof a);
    a.mode = o->mode ? o->mode : WNNPaddingMode_Constant;
    if (a.mode > WNNPaddingMode_Reflection) return wnn_op_fail(&call, "invalid mode %d", (int)o->mode);
    WnnDesc out = *in;
    for (uint32_t i = 0; i < in->rank; i++) {
        uint64_t size = (uint64_t)in->shape[i] + beginning[i] + ending[i];
        if (size > 0x7fffffffu) return wnn_op_fail(&call, "padded dimension %u is not a valid dimension", i);
        if (a.mode == WNNPaddingMode_Reflection && (beginning[i] >= in->shape[i] || ending[i] >= in->shape[i]))
            return wnn_op_fail(&call, "reflection padding of dimension %u must be smaller than its size %u", i, in->shape[i]);
        if (a.mode == WNNPaddingMode_Edge && (beginning[i] > 0 || ending[i] > 0) && in->shape[i] == 0)
            return wnn_op_fail(&call, "edge padding needs a non-empty dimension %u", i);
        out.shape[i] = (uint32_t)size;
        a.begin[i] = beginning[i];
    }
    if (o->value.type != WNNNumberType_Undefined) wnn_store_number(&a.value, in->type, 0, o->value);
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderReshape(WNNGraphBuilder b, WNNOperand input, const uint32_t* newShape,
                                            size_t count, const WNNOperatorOptions* options, WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = begin_unary(&call, b, WNN_OP_reshape, label_of(options), input, &in, output);
    if (s) return s;
    if (count > WNN_MAX_RANK) return wnn_op_fail(&call, "newShape rank %zu exceeds %d", count, WNN_MAX_RANK);
    if (count && !newShape) return wnn_op_fail(&call, "newShape is NULL");
    WnnDesc out = {in->type, (uint32_t)count, {0}};
    uint64_t n = 1;
    for (size_t i = 0; i < count; i++) {
        if (newShape[i] == 0) return wnn_op_fail(&call, "newShape[%zu] is 0, not a valid dimension", i);
        out.shape[i] = newShape[i];
        n *= newShape[i];
        if (n > 0x7fffffffu) break;
    }
    if (n != wnn_desc_numel(in))
        return wnn_op_fail(&call, "newShape has %llu elements, the input has %llu", (unsigned long long)n,
                           (unsigned long long)wnn_desc_numel(in));
    return wnn_op_finish(&call, &input, 1, NULL, 0, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderReverse(WNNGraphBuilder b, WNNOperand input, const WNNReverseOptions* o,
                                            WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = begin_unary(&call, b, WNN_OP_reverse, o ? o->label : NULL, input, &in, output);
    if (s) return s;
    WnnLayoutAttrs a;
    memset(&a, 0, sizeof a);
    if (o && o->axes) {
        if ((s = wnn_op_check_axes(&call, "axes", o->axes, o->axesCount, in->rank))) return s;
        for (size_t i = 0; i < o->axesCount; i++) a.reversed[o->axes[i]] = 1;
    } else {
        for (uint32_t i = 0; i < in->rank; i++) a.reversed[i] = 1;
    }
    WnnDesc out = *in;
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderSlice(WNNGraphBuilder b, WNNOperand input, const uint32_t* starts,
                                          size_t startsCount, const uint32_t* sizes, size_t sizesCount,
                                          const WNNSliceOptions* o, WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = begin_unary(&call, b, WNN_OP_slice, o ? o->label : NULL, input, &in, output);
    if (s) return s;
    if ((s = check_rank_list(&call, "starts", starts, startsCount, in->rank)) ||
        (s = check_rank_list(&call, "sizes", sizes, sizesCount, in->rank)))
        return s;
    if (o && o->strides && (s = check_rank_list(&call, "strides", o->strides, o->stridesCount, in->rank))) return s;
    WnnLayoutAttrs a;
    memset(&a, 0, sizeof a);
    WnnDesc out = *in;
    for (uint32_t i = 0; i < in->rank; i++) {
        uint32_t step = o && o->strides ? o->strides[i] : 1;
        if (sizes[i] == 0) return wnn_op_fail(&call, "sizes[%u] is 0", i);
        if (step == 0) return wnn_op_fail(&call, "strides[%u] is 0", i);
        if ((uint64_t)starts[i] + sizes[i] > in->shape[i])
            return wnn_op_fail(&call, "starts[%u] + sizes[%u] = %llu exceeds the dimension %u", i, i,
                               (unsigned long long)starts[i] + sizes[i], in->shape[i]);
        a.starts[i] = starts[i];
        a.strides[i] = step;
        out.shape[i] = (sizes[i] + step - 1) / step;
    }
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}

static WNNStatus split_common(WNNGraphBuilder b, WNNOperand input, uint32_t count, const uint32_t* sizes,
                              size_t sizesCount, const WNNSplitOptions* o, WNNOperand* outputs, size_t capacity,
                              size_t* outputCount) {
    if (outputCount) *outputCount = 0;
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = begin_unary(&call, b, WNN_OP_split, o ? o->label : NULL, input, &in, NULL);
    if (s) return s;
    uint32_t axis = o ? o->axis : 0;
    if (axis >= in->rank) return wnn_op_fail(&call, "axis %u is out of range for rank %u", axis, in->rank);
    size_t n = sizes ? sizesCount : count;
    if (n < 1 || n > MAX_TENSORS) return wnn_op_fail(&call, "splits must give 1..%d outputs (got %zu)", MAX_TENSORS, n);
    if (!sizes && in->shape[axis] % count != 0)
        return wnn_op_fail(&call, "splits %u does not divide the axis dimension %u", count, in->shape[axis]);
    if (!outputs || capacity < n) return wnn_op_fail(&call, "outputs has room for %zu operands, %zu are needed", capacity, n);
    WnnDesc* descs = wnn_malloc(n * sizeof *descs);
    if (!descs) return wnn_op_failv(&call, WNNStatus_OutOfMemory, "out of memory");
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        descs[i] = *in;
        uint32_t size = sizes ? sizes[i] : in->shape[axis] / count;
        if (size == 0) {
            free(descs);
            return wnn_op_fail(&call, "splits[%zu] is 0", i);
        }
        descs[i].shape[axis] = size;
        sum += size;
    }
    if (sum != in->shape[axis]) {
        free(descs);
        return wnn_op_fail(&call, "splits sum to %llu, the axis dimension is %u", (unsigned long long)sum, in->shape[axis]);
    }
    WnnAxisAttrs a = {axis};
    s = wnn_op_finish(&call, &input, 1, &a, sizeof a, descs, (uint32_t)n, outputs);
    free(descs);
    if (!s && outputCount) *outputCount = n;
    return s;
}

WNN_EXPORT WNNStatus wnnGraphBuilderSplit(WNNGraphBuilder b, WNNOperand input, uint32_t count, const WNNSplitOptions* o,
                                          WNNOperand* outputs, size_t capacity, size_t* outputCount) {
    return split_common(b, input, count, NULL, 0, o, outputs, capacity, outputCount);
}

WNN_EXPORT WNNStatus wnnGraphBuilderSplitSizes(WNNGraphBuilder b, WNNOperand input, const uint32_t* splits,
                                               size_t splitsCount, const WNNSplitOptions* o, WNNOperand* outputs,
                                               size_t capacity, size_t* outputCount) {
    if (!splits) {
        if (outputCount) *outputCount = 0;
        return wnn_error(WNNStatus_TypeError, "split: splits is NULL");
    }
    return split_common(b, input, 0, splits, splitsCount, o, outputs, capacity, outputCount);
}

WNN_EXPORT WNNStatus wnnGraphBuilderTile(WNNGraphBuilder b, WNNOperand input, const uint32_t* reps, size_t count,
                                         const WNNOperatorOptions* options, WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = begin_unary(&call, b, WNN_OP_tile, label_of(options), input, &in, output);
    if (s) return s;
    if ((s = check_rank_list(&call, "repetitions", reps, count, in->rank))) return s;
    WnnDesc out = *in;
    for (uint32_t i = 0; i < in->rank; i++) {
        if (reps[i] == 0) return wnn_op_fail(&call, "repetitions[%u] is 0", i);
        uint64_t d = (uint64_t)in->shape[i] * reps[i];
        if (d > 0x7fffffffu) return wnn_op_fail(&call, "tiled dimension %u is not a valid dimension", i);
        out.shape[i] = (uint32_t)d;
    }
    return wnn_op_finish(&call, &input, 1, NULL, 0, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderTranspose(WNNGraphBuilder b, WNNOperand input, const WNNTransposeOptions* o,
                                              WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = begin_unary(&call, b, WNN_OP_transpose, o ? o->label : NULL, input, &in, output);
    if (s) return s;
    WnnLayoutAttrs a;
    memset(&a, 0, sizeof a);
    if (o && o->permutation) {
        if ((s = check_rank_list(&call, "permutation", o->permutation, o->permutationCount, in->rank)) ||
            (s = wnn_op_check_axes(&call, "permutation", o->permutation, o->permutationCount, in->rank)))
            return s;
        memcpy(a.perm, o->permutation, in->rank * sizeof(uint32_t));
    } else {
        for (uint32_t i = 0; i < in->rank; i++) a.perm[i] = in->rank - 1 - i;
    }
    WnnDesc out = *in;
    for (uint32_t i = 0; i < in->rank; i++) out.shape[i] = in->shape[a.perm[i]];
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderTriangular(WNNGraphBuilder b, WNNOperand input, const WNNTriangularOptions* o,
                                               WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = begin_unary(&call, b, WNN_OP_triangular, o ? o->label : NULL, input, &in, output);
    if (s) return s;
    WnnTriangularAttrs a = {!o || o->upper != WNNOptionalBool_False, o ? o->diagonal : 0};
    WnnDesc out = *in;
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}
