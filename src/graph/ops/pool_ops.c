/* pool_ops.c: builder functions and limits of averagePool2d, l2Pool2d, maxPool2d and resample2d. */
#include <math.h>
#include <string.h>

#include "graph/ops/conv.h"
#include "graph/ops/op_limits.h"

#define POOL_INFO(op, types)                                                                        \
    const WnnOpInfo wnn_opinfo_##op = {#op, 2, {SLOT("input", types, WNN_T_FLOAT, 4, 4, 4, 4),      \
                                                SLOT("output", types, WNN_T_FLOAT, 4, 4, 4, 4)}};
POOL_INFO(averagePool2d, WNN_T_FLOAT)
POOL_INFO(l2Pool2d, WNN_T_FLOAT)
POOL_INFO(maxPool2d, WNN_T_ANY)
POOL_INFO(resample2d, WNN_T_FLOAT | WNN_T_U8 | WNN_T_I8)

static WNNStatus pair(const WnnOpCall* call, const char* name, const uint32_t* v, size_t n, size_t want, uint32_t dflt,
                      uint32_t* out, int positive) {
    if (!v) {
        for (size_t i = 0; i < want; i++) out[i] = dflt;
        return WNNStatus_Success;
    }
    if (n != want) return wnn_op_fail(call, "%s must have %zu entries (got %zu)", name, want, n);
    for (size_t i = 0; i < want; i++) {
        if (positive && v[i] == 0) return wnn_op_fail(call, "%s entries must be > 0", name);
        out[i] = v[i];
    }
    return WNNStatus_Success;
}

static WNNStatus build_pool(WnnOpId op, WNNGraphBuilder b, WNNOperand input, const WNNPool2dOptions* o,
                            WNNOperand* output) {
    WNNPool2dOptions dflt = WNN_POOL2D_OPTIONS_INIT;
    if (!o) o = &dflt;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, op, o->label, output);
    const WnnDesc* in;
    if (s || (s = wnn_op_operand(&call, "input", input, &in))) return s;
    if ((unsigned)o->layout > WNNInputOperandLayout_Nhwc) return wnn_op_fail(&call, "invalid layout %d", (int)o->layout);
    if ((unsigned)o->outputShapeRounding > WNNRoundingType_Ceil)
        return wnn_op_fail(&call, "invalid outputShapeRounding %d", (int)o->outputShapeRounding);
    WnnPoolAttrs a;
    memset(&a, 0, sizeof a);
    a.nhwc = o->layout == WNNInputOperandLayout_Nhwc;
    uint32_t h = in->shape[a.nhwc ? 1 : 2], w = in->shape[a.nhwc ? 2 : 3], whole[2] = {h, w};
    if ((s = pair(&call, "windowDimensions", o->windowDimensions, o->windowDimensionsCount, 2, 0, a.window, 1)) ||
        (s = pair(&call, "padding", o->padding, o->paddingCount, 4, 0, a.pad, 0)) ||
        (s = pair(&call, "strides", o->strides, o->stridesCount, 2, 1, a.strides, 1)) ||
        (s = pair(&call, "dilations", o->dilations, o->dilationsCount, 2, 1, a.dilations, 1)))
        return s;
    if (!o->windowDimensions) memcpy(a.window, whole, sizeof whole);
    if (o->outputSizes && o->outputSizesCount != 2) return wnn_op_fail(&call, "outputSizes must have 2 entries");
    uint32_t size[2], floorSize[2], ceilSize[2];
    for (int i = 0; i < 2; i++) {
        int64_t k = (int64_t)(a.window[i] - 1) * a.dilations[i] + 1;
        int64_t span = (int64_t)whole[i] + a.pad[2 * i] + a.pad[2 * i + 1] - k;
        if (span < 0) return wnn_op_fail(&call, "the window is larger than the padded input");
        floorSize[i] = (uint32_t)(span / a.strides[i] + 1);
        ceilSize[i] = (uint32_t)((span + a.strides[i] - 1) / a.strides[i] + 1);
        size[i] = o->outputShapeRounding == WNNRoundingType_Ceil ? ceilSize[i] : floorSize[i];
    }
    if (o->outputSizes) {
        int isFloor = o->outputSizes[0] == floorSize[0] && o->outputSizes[1] == floorSize[1];
        int isCeil = o->outputSizes[0] == ceilSize[0] && o->outputSizes[1] == ceilSize[1];
        if (!isFloor && !isCeil)
            return wnn_op_fail(&call, "outputSizes [%u,%u] must be [%u,%u] (floor) or [%u,%u] (ceil)", o->outputSizes[0],
                               o->outputSizes[1], floorSize[0], floorSize[1], ceilSize[0], ceilSize[1]);
        size[0] = o->outputSizes[0];
        size[1] = o->outputSizes[1];
    }
    WnnDesc out = *in;
    out.shape[a.nhwc ? 1 : 2] = size[0];
    out.shape[a.nhwc ? 2 : 3] = size[1];
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderAveragePool2d(WNNGraphBuilder b, WNNOperand input, const WNNPool2dOptions* o,
                                                  WNNOperand* output) {
    return build_pool(WNN_OP_averagePool2d, b, input, o, output);
}
WNN_EXPORT WNNStatus wnnGraphBuilderL2Pool2d(WNNGraphBuilder b, WNNOperand input, const WNNPool2dOptions* o,
                                             WNNOperand* output) {
    return build_pool(WNN_OP_l2Pool2d, b, input, o, output);
}
WNN_EXPORT WNNStatus wnnGraphBuilderMaxPool2d(WNNGraphBuilder b, WNNOperand input, const WNNPool2dOptions* o,
                                              WNNOperand* output) {
    return build_pool(WNN_OP_maxPool2d, b, input, o, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderResample2d(WNNGraphBuilder b, WNNOperand input, const WNNResample2dOptions* o,
                                               WNNOperand* output) {
    WNNResample2dOptions dflt = WNN_RESAMPLE2D_OPTIONS_INIT;
    if (!o) o = &dflt;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_resample2d, o->label, output);
    const WnnDesc* in;
    if (s || (s = wnn_op_operand(&call, "input", input, &in))) return s;
    if ((unsigned)o->mode > WNNInterpolationMode_Linear) return wnn_op_fail(&call, "invalid mode %d", (int)o->mode);
    WnnResampleAttrs a = {o->mode == WNNInterpolationMode_Linear, {2, 3}};
    if (o->axes) {
        if (o->axesCount != 2) return wnn_op_fail(&call, "axes must have 2 entries");
        if ((s = wnn_op_check_axes(&call, "axes", o->axes, 2, 4))) return s;
        a.axes[0] = o->axes[0];
        a.axes[1] = o->axes[1];
    }
    if (o->scales && o->scalesCount != 2) return wnn_op_fail(&call, "scales must have 2 entries");
    if (o->sizes && o->sizesCount != 2) return wnn_op_fail(&call, "sizes must have 2 entries");
    WnnDesc out = *in;
    for (int i = 0; i < 2; i++) {
        uint32_t axis = a.axes[i];
        if (o->sizes) {
            if (o->sizes[i] == 0) return wnn_op_fail(&call, "sizes[%d] is 0", i);
            out.shape[axis] = o->sizes[i];
        } else {
            float scale = o->scales ? o->scales[i] : 1.0f;
            if (!(scale > 0) || isinf(scale)) return wnn_op_fail(&call, "scales[%d] must be a positive number", i);
            double size = floor((double)in->shape[axis] * scale);
            if (size < 1 || size > 2147483647.0) return wnn_op_fail(&call, "the output size along axis %u is not a valid dimension", axis);
            out.shape[axis] = (uint32_t)size;
        }
    }
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}
