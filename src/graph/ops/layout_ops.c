/* layout_ops.c: builder functions and limits of the data-movement ops that keep the input's
 * rank: transpose, slice, reverse, pad and triangular. Checks follow the spec's method steps in
 * order, each message naming the argument and the rule. */
#include <math.h>
#include <string.h>

#include "graph/ops/movement.h"
#include "graph/ops/op_limits.h"

#define SAME_IO_INFO(op, req, rmin)                                                           \
    const WnnOpInfo wnn_opinfo_##op = {#op,                                                   \
                                       2,                                                     \
                                       {SLOT("input", WNN_T_ANY, req, rmin, RANK_N, rmin, 5), \
                                        SLOT("output", WNN_T_ANY, req, rmin, RANK_N, rmin, 5)}};
SAME_IO_INFO(transpose, REQ_INT, 0)
SAME_IO_INFO(slice, REQ_INT | WNN_T_I8 | WNN_T_U8, 0)
SAME_IO_INFO(reverse, REQ_INT, 0)
SAME_IO_INFO(pad, WNN_T_FLOAT, 0)
SAME_IO_INFO(triangular, WNN_T_FLOAT, 2)

WNN_EXPORT WNNStatus wnnGraphBuilderTranspose(WNNGraphBuilder b, WNNOperand input, const WNNTransposeOptions* o,
                                              WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = wnn_movement_begin(&call, b, WNN_OP_transpose, o ? o->label : NULL, input, &in, output);
    if (s) return s;
    WnnLayoutAttrs a;
    memset(&a, 0, sizeof a);
    if (o && o->permutation) {
        if ((s = wnn_movement_rank_list(&call, "permutation", o->permutation, o->permutationCount, in->rank)) ||
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

WNN_EXPORT WNNStatus wnnGraphBuilderSlice(WNNGraphBuilder b, WNNOperand input, const uint32_t* starts,
                                          size_t startsCount, const uint32_t* sizes, size_t sizesCount,
                                          const WNNSliceOptions* o, WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = wnn_movement_begin(&call, b, WNN_OP_slice, o ? o->label : NULL, input, &in, output);
    if (s) return s;
    if (sizesCount && !sizes) return wnn_op_fail(&call, "sizes is NULL");
    for (size_t i = 0; i < sizesCount; i++)
        if (sizes[i] == 0) return wnn_op_fail(&call, "sizes[%zu] is 0", i);
    if ((s = wnn_movement_rank_list(&call, "starts", starts, startsCount, in->rank)) ||
        (s = wnn_movement_rank_list(&call, "sizes", sizes, sizesCount, in->rank)))
        return s;
    const uint32_t* strides = o ? o->strides : NULL;
    if (strides && (s = wnn_movement_rank_list(&call, "strides", strides, o->stridesCount, in->rank))) return s;
    WnnLayoutAttrs a;
    memset(&a, 0, sizeof a);
    WnnDesc out = *in;
    for (uint32_t i = 0; i < in->rank; i++) {
        uint32_t step = strides ? strides[i] : 1;
        if (step < 1) return wnn_op_fail(&call, "strides[%u] is 0, must be at least 1", i);
        if (starts[i] > in->shape[i])
            return wnn_op_fail(&call, "starts[%u] = %u is past the input dimension %u", i, starts[i], in->shape[i]);
        if ((uint64_t)starts[i] + sizes[i] > in->shape[i])
            return wnn_op_fail(&call, "starts[%u] + sizes[%u] = %llu exceeds the input dimension %u", i, i,
                               (unsigned long long)starts[i] + sizes[i], in->shape[i]);
        a.starts[i] = starts[i];
        a.strides[i] = step;
        out.shape[i] = sizes[i] / step + (sizes[i] % step != 0);
    }
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderReverse(WNNGraphBuilder b, WNNOperand input, const WNNReverseOptions* o,
                                            WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = wnn_movement_begin(&call, b, WNN_OP_reverse, o ? o->label : NULL, input, &in, output);
    if (s) return s;
    WnnLayoutAttrs a;
    memset(&a, 0, sizeof a);
    if (o && o->axes) { /* a given list, possibly empty (then the output is a copy) */
        if ((s = wnn_op_check_axes(&call, "axes", o->axes, o->axesCount, in->rank))) return s;
        for (size_t i = 0; i < o->axesCount; i++) a.reversed[o->axes[i]] = 1;
    } else {
        for (uint32_t i = 0; i < in->rank; i++) a.reversed[i] = 1;
    }
    WnnDesc out = *in;
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}

/* The spec's cast of the pad value to the input type. wnn_store_number truncates a double bound
 * for an integer type where ConvertToInt rounds half to even, and converts a 64-bit integer to
 * float32 through double (rounding twice), so those two cases are settled here. */
static void cast_pad_value(WNNNumber v, WNNOperandDataType t, uint64_t* out) {
    *out = 0;
    if (v.type == WNNNumberType_Undefined) return; /* the default 0 */
    if (v.type == WNNNumberType_Double && !wnn_type_is_float(t)) v.asDouble = nearbyint(v.asDouble);
    if (t == WNNOperandDataType_Float32 && v.type != WNNNumberType_Double) {
        float f = v.type == WNNNumberType_Int64 ? (float)v.asInt64 : (float)v.asUint64;
        memcpy(out, &f, sizeof f);
        return;
    }
    wnn_store_number(out, t, 0, v);
}

WNN_EXPORT WNNStatus wnnGraphBuilderPad(WNNGraphBuilder b, WNNOperand input, const uint32_t* beginning,
                                        size_t beginningCount, const uint32_t* ending, size_t endingCount,
                                        const WNNPadOptions* o, WNNOperand* output) {
    WNNPadOptions dflt = WNN_PAD_OPTIONS_INIT;
    if (!o) o = &dflt;
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = wnn_movement_begin(&call, b, WNN_OP_pad, o->label, input, &in, output);
    if (s) return s;
    WnnPadAttrs a;
    memset(&a, 0, sizeof a);
    a.mode = o->mode == WNNPaddingMode_Undefined ? WNNPaddingMode_Constant : o->mode;
    if (a.mode != WNNPaddingMode_Constant && a.mode != WNNPaddingMode_Edge && a.mode != WNNPaddingMode_Reflection)
        return wnn_op_fail(&call, "mode %d is not a padding mode (constant, edge or reflection)", (int)o->mode);
    if ((s = wnn_movement_rank_list(&call, "beginningPadding", beginning, beginningCount, in->rank)) ||
        (s = wnn_movement_rank_list(&call, "endingPadding", ending, endingCount, in->rank)))
        return s;
    WnnDesc out = *in;
    for (uint32_t i = 0; i < in->rank; i++) {
        if (a.mode == WNNPaddingMode_Reflection && (beginning[i] >= in->shape[i] || ending[i] >= in->shape[i]))
            return wnn_op_fail(&call,
                               "reflection padding of dimension %u (beginning %u, ending %u) must be smaller than "
                               "its size %u",
                               i, beginning[i], ending[i], in->shape[i]);
        uint64_t size = (uint64_t)in->shape[i] + beginning[i] + ending[i];
        if (size > WNN_MAX_DIMENSION)
            return wnn_op_fail(&call, "padded dimension %u is %llu, not a valid dimension", i,
                               (unsigned long long)size);
        out.shape[i] = (uint32_t)size;
        a.begin[i] = beginning[i];
    }
    cast_pad_value(o->value, in->type, &a.value);
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderTriangular(WNNGraphBuilder b, WNNOperand input, const WNNTriangularOptions* o,
                                               WNNOperand* output) {
    WnnOpCall call;
    const WnnDesc* in;
    WNNStatus s = wnn_movement_begin(&call, b, WNN_OP_triangular, o ? o->label : NULL, input, &in, output);
    if (s) return s;
    WNNOptionalBool upper = o ? o->upper : WNNOptionalBool_Undefined;
    if (upper != WNNOptionalBool_Undefined && upper != WNNOptionalBool_False && upper != WNNOptionalBool_True)
        return wnn_op_fail(&call, "upper %d is not a WNNOptionalBool", (int)upper);
    WnnTriangularAttrs a = {upper != WNNOptionalBool_False, o ? o->diagonal : 0};
    WnnDesc out = *in;
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}
