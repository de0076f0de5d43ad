/* norm_ops.c: builder functions and limits of batchNormalization, instanceNormalization,
 * layerNormalization and softmax. */
#include "graph/ops/op_limits.h"
#include "graph/ops/reduce.h"

const WnnOpInfo wnn_opinfo_batchNormalization = {"batchNormalization", 6, {
    SLOT("input", WNN_T_FLOAT, WNN_T_FLOAT, 1, RANK_N, 3, 5), SLOT("mean", WNN_T_FLOAT, WNN_T_FLOAT, 1, 1, 1, 1),
    SLOT("variance", WNN_T_FLOAT, WNN_T_FLOAT, 1, 1, 1, 1), SLOT("scale", WNN_T_FLOAT, WNN_T_FLOAT, 1, 1, 1, 1),
    SLOT("bias", WNN_T_FLOAT, WNN_T_FLOAT, 1, 1, 1, 1), SLOT("output", WNN_T_FLOAT, WNN_T_FLOAT, 1, RANK_N, 3, 5)}};
const WnnOpInfo wnn_opinfo_instanceNormalization = {"instanceNormalization", 4, {
    SLOT("input", WNN_T_FLOAT, WNN_T_FLOAT, 4, 4, 4, 4), SLOT("scale", WNN_T_FLOAT, WNN_T_FLOAT, 1, 1, 1, 1),
    SLOT("bias", WNN_T_FLOAT, WNN_T_FLOAT, 1, 1, 1, 1), SLOT("output", WNN_T_FLOAT, WNN_T_FLOAT, 4, 4, 4, 4)}};
const WnnOpInfo wnn_opinfo_layerNormalization = {"layerNormalization", 4, {
    SLOT("input", WNN_T_FLOAT, WNN_T_FLOAT, 0, RANK_N, 0, 5), SLOT("scale", WNN_T_FLOAT, WNN_T_FLOAT, 0, RANK_N, 0, 5),
    SLOT("bias", WNN_T_FLOAT, WNN_T_FLOAT, 0, RANK_N, 0, 5), SLOT("output", WNN_T_FLOAT, WNN_T_FLOAT, 0, RANK_N, 0, 5)}};
const WnnOpInfo wnn_opinfo_softmax = {"softmax", 2, {SLOT("input", WNN_T_FLOAT, WNN_T_FLOAT, 1, RANK_N, 1, 5),
                                                     SLOT("output", WNN_T_FLOAT, WNN_T_FLOAT, 1, RANK_N, 1, 5)}};

/* A 1-D operand of `size` elements and the input's type (batch/instance normalization params). */
static WNNStatus check_vector(const WnnOpCall* call, const char* slot, WNNOperand x, const WnnDesc* in, uint32_t size) {
    const WnnDesc* d;
    WNNStatus s = wnn_op_optional_operand(call, slot, x, &d);
    if (s || !d) return s;
    if (d->type != in->type) return wnn_op_fail(call, "%s data type must match input", slot);
    if (d->shape[0] != size) return wnn_op_fail(call, "%s must have shape [%u] (got [%u])", slot, size, d->shape[0]);
    return WNNStatus_Success;
}

static double epsilon_or_default(WNNOptionalDouble e) { return e.present ? e.value : 1e-5; }

WNN_EXPORT WNNStatus wnnGraphBuilderBatchNormalization(WNNGraphBuilder b, WNNOperand input, WNNOperand mean,
                                                       WNNOperand variance, const WNNBatchNormalizationOptions* o,
                                                       WNNOperand* output) {
    WNNBatchNormalizationOptions dflt = WNN_BATCH_NORMALIZATION_OPTIONS_INIT;
    if (!o) o = &dflt;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_batchNormalization, o->label, output);
    const WnnDesc* in;
    if (s || (s = wnn_op_operand(&call, "input", input, &in))) return s;
    uint32_t axis = o->axis.present ? o->axis.value : 1;
    if (axis >= in->rank) return wnn_op_fail(&call, "axis %u is out of range for rank %u", axis, in->rank);
    if ((s = wnn_op_operand(&call, "mean", mean, NULL)) || (s = wnn_op_operand(&call, "variance", variance, NULL)) ||
        (s = check_vector(&call, "mean", mean, in, in->shape[axis])) ||
        (s = check_vector(&call, "variance", variance, in, in->shape[axis])) ||
        (s = check_vector(&call, "scale", o->scale, in, in->shape[axis])) ||
        (s = check_vector(&call, "bias", o->bias, in, in->shape[axis])))
        return s;
    WnnNormAttrs a = {axis, {0}, 0, epsilon_or_default(o->epsilon)};
    WnnDesc out = *in;
    WNNOperand ins[5] = {input, mean, variance, o->scale, o->bias};
    return wnn_op_finish(&call, ins, 5, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderInstanceNormalization(WNNGraphBuilder b, WNNOperand input,
                                                          const WNNInstanceNormalizationOptions* o, WNNOperand* output) {
    WNNInstanceNormalizationOptions dflt = WNN_INSTANCE_NORMALIZATION_OPTIONS_INIT;
    if (!o) o = &dflt;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_instanceNormalization, o->label, output);
    const WnnDesc* in;
    if (s || (s = wnn_op_operand(&call, "input", input, &in))) return s;
    if ((unsigned)o->layout > WNNInputOperandLayout_Nhwc) return wnn_op_fail(&call, "invalid layout %d", (int)o->layout);
    uint32_t axis = o->layout == WNNInputOperandLayout_Nhwc ? 3 : 1;
    if ((s = check_vector(&call, "scale", o->scale, in, in->shape[axis])) ||
        (s = check_vector(&call, "bias", o->bias, in, in->shape[axis])))
        return s;
    WnnNormAttrs a = {axis, {0}, 0, epsilon_or_default(o->epsilon)};
    WnnDesc out = *in;
    WNNOperand ins[3] = {input, o->scale, o->bias};
    return wnn_op_finish(&call, ins, 3, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderLayerNormalization(WNNGraphBuilder b, WNNOperand input,
                                                       const WNNLayerNormalizationOptions* o, WNNOperand* output) {
    WNNLayerNormalizationOptions dflt = WNN_LAYER_NORMALIZATION_OPTIONS_INIT;
    if (!o) o = &dflt;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_layerNormalization, o->label, output);
    const WnnDesc* in;
    if (s || (s = wnn_op_operand(&call, "input", input, &in))) return s;
    WnnNormAttrs a = {0, {0}, 0, epsilon_or_default(o->epsilon)};
    if (o->axes) {
        if ((s = wnn_op_check_axes(&call, "axes", o->axes, o->axesCount, in->rank))) return s;
        for (size_t i = 0; i < o->axesCount; i++) a.axes[a.axesCount++] = o->axes[i];
    } else {
        for (uint32_t d = 1; d < in->rank; d++) a.axes[a.axesCount++] = d;
    }
    const char* names[2] = {"scale", "bias"};
    WNNOperand params[2] = {o->scale, o->bias};
    for (int k = 0; k < 2; k++) {
        const WnnDesc* d;
        if ((s = wnn_op_optional_operand(&call, names[k], params[k], &d))) return s;
        if (!d) continue;
        if (d->type != in->type) return wnn_op_fail(&call, "%s data type must match input", names[k]);
        if (d->rank != a.axesCount) return wnn_op_fail(&call, "%s rank %u must equal the number of axes %u", names[k], d->rank, a.axesCount);
        for (uint32_t i = 0; i < a.axesCount; i++)
            if (d->shape[i] != in->shape[a.axes[i]])
                return wnn_op_fail(&call, "%s dimension %u is %u, input dimension %u is %u", names[k], i, d->shape[i],
                                   a.axes[i], in->shape[a.axes[i]]);
    }
    WnnDesc out = *in;
    WNNOperand ins[3] = {input, o->scale, o->bias};
    return wnn_op_finish(&call, ins, 3, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderSoftmax(WNNGraphBuilder b, WNNOperand input, uint32_t axis,
                                            const WNNOperatorOptions* o, WNNOperand* output) {
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_softmax, o ? o->label : NULL, output);
    const WnnDesc* in;
    if (s || (s = wnn_op_operand(&call, "input", input, &in))) return s;
    if (axis >= in->rank) return wnn_op_fail(&call, "axis %u is out of range for rank %u", axis, in->rank);
    WnnNormAttrs a = {axis, {axis}, 1, 0};
    WnnDesc out = *in;
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}
