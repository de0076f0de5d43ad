/* quantize_ops.c: builder functions and limits of quantizeLinear and dequantizeLinear.
 * scale and zeroPoint have the input's rank and equal shapes, and are blockwise broadcastable to the
 * input: each input dimension is a multiple of theirs, a block of input.dim / scale.dim elements
 * sharing one scale and zero point. The node has no attributes. */
#include "graph/ops/op_limits.h"

#define QTYPES (WNN_T_U8 | WNN_T_I8 | WNN_T_U32 | WNN_T_I32)
#define Q8 (WNN_T_U8 | WNN_T_I8)
const WnnOpInfo wnn_opinfo_dequantizeLinear = {"dequantizeLinear", 4, {SLOT("input", QTYPES, Q8, 0, RANK_N, 0, 5),
    SLOT("scale", WNN_T_FLOAT, WNN_T_FLOAT, 0, RANK_N, 0, 5),
    SLOT("zeroPoint", QTYPES, Q8 | WNN_T_I32, 0, RANK_N, 0, 5),
    SLOT("output", WNN_T_FLOAT, WNN_T_FLOAT, 0, RANK_N, 0, 5)}};
const WnnOpInfo wnn_opinfo_quantizeLinear = {"quantizeLinear", 4, {
    SLOT("input", WNN_T_FLOAT, WNN_T_FLOAT, 0, RANK_N, 0, 5), SLOT("scale", WNN_T_FLOAT, WNN_T_FLOAT, 0, RANK_N, 0, 5),
    SLOT("zeroPoint", QTYPES, Q8, 0, RANK_N, 0, 5), SLOT("output", QTYPES, Q8, 0, RANK_N, 0, 5)}};

/* The spec's steps after the data types: ranks, equal shapes, blockwise broadcasting. */
static WNNStatus check_params(const WnnOpCall* call, const WnnDesc* in, const WnnDesc* sc, const WnnDesc* zp) {
    char a[96], b[96];
    if (sc->rank != in->rank) return wnn_op_fail(call, "scale rank %u must equal the input's rank %u", sc->rank, in->rank);
    if (zp->rank != in->rank)
        return wnn_op_fail(call, "zeroPoint rank %u must equal the input's rank %u", zp->rank, in->rank);
    for (uint32_t d = 0; d < in->rank; d++)
        if (sc->shape[d] != zp->shape[d])
            return wnn_op_fail(call, "scale shape %s must equal zeroPoint shape %s",
                               wnn_dims_str(sc->shape, sc->rank, a, sizeof a), wnn_dims_str(zp->shape, zp->rank, b, sizeof b));
    for (uint32_t d = 0; d < in->rank; d++)
        if (in->shape[d] % sc->shape[d] != 0)
            return wnn_op_fail(call,
                               "scale shape %s is not blockwise broadcastable to input shape %s (dimension %u: %u is "
                               "not a multiple of %u)",
                               wnn_dims_str(sc->shape, sc->rank, a, sizeof a), wnn_dims_str(in->shape, in->rank, b, sizeof b),
                               d, in->shape[d], sc->shape[d]);
    return WNNStatus_Success;
}

static WNNStatus build(WnnOpId op, WNNGraphBuilder b, WNNOperand input, WNNOperand scale, WNNOperand zeroPoint,
                       const WNNOperatorOptions* o, WNNOperand* output) {
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, op, o ? o->label : NULL, output);
    const WnnDesc *in, *sc, *zp;
    if (s || (s = wnn_op_operand(&call, "input", input, &in)) || (s = wnn_op_operand(&call, "scale", scale, &sc)) ||
        (s = wnn_op_operand(&call, "zeroPoint", zeroPoint, &zp)))
        return s;
    int quantize = op == WNN_OP_quantizeLinear;
    /* quantize: scale has the input's (float) type; dequantize: zeroPoint has the input's (integer) type */
    const WnnDesc* same = quantize ? sc : zp;
    if (same->type != in->type)
        return wnn_op_fail(&call, "%s data type %s must match the input's (%s)", quantize ? "scale" : "zeroPoint",
                           wnn_type_name(same->type), wnn_type_name(in->type));
    if ((s = check_params(&call, in, sc, zp))) return s;
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
