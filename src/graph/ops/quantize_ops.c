/* quantize_ops.c: builder functions and limits of quantizeLinear and dequantizeLinear. scale and
 * zeroPoint have the input's rank and equal shapes; each input dimension is a multiple of theirs
 * (blockwise broadcasting: a block of input.dim / scale.dim elements shares one scale). */
#include "graph/ops/op_limits.h"

#define QTYPES (WNN_T_U8 | WNN_T_I8 | WNN_T_U32 | WNN_T_I32)
#define Q8 (WNN_T_U8 | WNN_T_I8)
const WnnOpInfo wnn_opinfo_dequantizeLinear = {"dequantizeLinear", 4, {SLOT("input", QTYPES, Q8, 0, RANK_N, 0, 5),
    SLOT("scale", WNN_T_FLOAT, WNN_T_FLOAT, 0, RANK_N, 0, 5), SLOT("zeroPoint", QTYPES, Q8, 0, RANK_N, 0, 5),
    SLOT("output", WNN_T_FLOAT, WNN_T_FLOAT, 0, RANK_N, 0, 5)}};
const WnnOpInfo wnn_opinfo_quantizeLinear = {"quantizeLinear", 4, {SLOT("input", WNN_T_FLOAT, WNN_T_FLOAT, 0, RANK_N, 0, 5),
    SLOT("scale", WNN_T_FLOAT, WNN_T_FLOAT, 0, RANK_N, 0, 5), SLOT("zeroPoint", QTYPES, Q8, 0, RANK_N, 0, 5),
    SLOT("output", QTYPES, Q8, 0, RANK_N, 0, 5)}};

static WNNStatus build(WnnOpId op, WNNGraphBuilder b, WNNOperand input, WNNOperand scale, WNNOperand zeroPoint,
                       const WNNOperatorOptions* o, WNNOperand* output) {
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, op, o ? o->label : NULL, output);
    const WnnDesc *in, *sc, *zp;
    if (s || (s = wnn_op_operand(&call, "input", input, &in)) || (s = wnn_op_operand(&call, "scale", scale, &sc)) ||
        (s = wnn_op_operand(&call, "zeroPoint", zeroPoint, &zp)))
        return s;
    int quantize = op == WNN_OP_quantizeLinear;
    if (quantize && sc->type != in->type) return wnn_op_fail(&call, "scale data type must match input");
    if (!quantize && zp->type != in->type) return wnn_op_fail(&call, "zeroPoint data type must match input");
    if (sc->rank != in->rank || zp->rank != in->rank)
        return wnn_op_fail(&call, "scale and zeroPoint must have the input's rank %u", in->rank);
    for (uint32_t d = 0; d < in->rank; d++) {
        if (sc->shape[d] != zp->shape[d]) return wnn_op_fail(&call, "scale and zeroPoint shapes differ at dimension %u", d);
        if (in->shape[d] % sc->shape[d] != 0)
            return wnn_op_fail(&call, "input dimension %u (%u) is not a multiple of the scale's (%u)", d, in->shape[d],
                               sc->shape[d]);
    }
    WnnDesc out = *in;
    out.type = quantize ? zp->type : sc->type;
    WNNOperand ins[3] = {input, scale, zeroPoint};
    return wnn_op_finish(&call, ins, 3, NULL, 0, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderDequantizeLinear(WNNGraphBuilder b, WNNOperand input, WNNOperand scale,
                                                     WNNOperand zeroPoint, const WNNOperatorOptions* o, WNNOperand* output) {
    return build(WNN_OP_dequantizeLinear, b, input, scale, zeroPoint, o, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderQuantizeLinear(WNNGraphBuilder b, WNNOperand input, WNNOperand scale,
                                                   WNNOperand zeroPoint, const WNNOperatorOptions* o, WNNOperand* output) {
    return build(WNN_OP_quantizeLinear, b, input, scale, zeroPoint, o, output);
}
