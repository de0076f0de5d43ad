/* reduce_ops.c: builder functions and limits of the reductions, argMin / argMax and cumulativeSum. */
#include "graph/ops/op_limits.h"
#include "graph/ops/reduce.h"

#define REDUCE_INFO(op, types, req)                                                              \
    const WnnOpInfo wnn_opinfo_##op = {#op, 2, {SLOT("input", types, req, 0, RANK_N, 0, 5),      \
                                                SLOT("output", types, req, 0, RANK_N, 0, 5)}};
REDUCE_INFO(reduceL1, NUMERIC_NO8, REQ_INT)
REDUCE_INFO(reduceSum, NUMERIC_NO8, REQ_INT)
REDUCE_INFO(reduceSumSquare, NUMERIC_NO8, REQ_INT)
REDUCE_INFO(reduceProduct, NUMERIC_NO8, WNN_T_FLOAT)
REDUCE_INFO(reduceMax, WNN_T_ANY, REQ_INT)
REDUCE_INFO(reduceMin, WNN_T_ANY, REQ_INT)
REDUCE_INFO(reduceL2, WNN_T_FLOAT, WNN_T_FLOAT)
REDUCE_INFO(reduceLogSum, WNN_T_FLOAT, WNN_T_FLOAT)
REDUCE_INFO(reduceLogSumExp, WNN_T_FLOAT, WNN_T_FLOAT)
REDUCE_INFO(reduceMean, WNN_T_FLOAT, WNN_T_FLOAT)
#define ARG_INFO(op)                                                                                  \
    const WnnOpInfo wnn_opinfo_##op = {#op, 2, {SLOT("input", WNN_T_ANY, REQ_INT, 1, RANK_N, 1, 5),   \
                                                SLOT("output", WNN_T_I32 | WNN_T_I64, WNN_T_I32, 0, RANK_N, 0, 5)}};
ARG_INFO(argMin)
ARG_INFO(argMax)
const WnnOpInfo wnn_opinfo_cumulativeSum = {"cumulativeSum", 2, {SLOT("input", NUMERIC_NO8, REQ_INT, 1, RANK_N, 1, 5),
                                                                 SLOT("output", NUMERIC_NO8, REQ_INT, 1, RANK_N, 1, 5)}};

/* The output of reducing `mask` dimensions of `in`. */
static WnnDesc reduced_desc(const WnnDesc* in, uint32_t mask, bool keep) {
    WnnDesc out = {in->type, 0, {0}};
    for (uint32_t d = 0; d < in->rank; d++) {
        if (!(mask & (1u << d))) out.shape[out.rank++] = in->shape[d];
        else if (keep) out.shape[out.rank++] = 1;
    }
    return out;
}

static WNNStatus build_reduce(WnnOpId op, WNNGraphBuilder b, WNNOperand input, const WNNReduceOptions* o,
                              WNNOperand* output) {
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, op, o ? o->label : NULL, output);
    const WnnDesc* in;
    if (s || (s = wnn_op_operand(&call, "input", input, &in))) return s;
    WnnReduceAttrs a = {0};
    if (o && o->axes) {
        if ((s = wnn_op_check_axes(&call, "axes", o->axes, o->axesCount, in->rank))) return s;
        for (size_t i = 0; i < o->axesCount; i++) a.axesMask |= 1u << o->axes[i];
    } else {
        a.axesMask = in->rank ? (uint32_t)((1ull << in->rank) - 1) : 0;
    }
    WnnDesc out = reduced_desc(in, a.axesMask, o && o->keepDimensions);
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}

#define DEFINE_REDUCE(Name, op)                                                                        \
    WNN_EXPORT WNNStatus wnnGraphBuilder##Name(WNNGraphBuilder b, WNNOperand input,                     \
                                               const WNNReduceOptions* options, WNNOperand* output) {   \
        return build_reduce(WNN_OP_##op, b, input, options, output);                                    \
    }
DEFINE_REDUCE(ReduceL1, reduceL1)
DEFINE_REDUCE(ReduceL2, reduceL2)
DEFINE_REDUCE(ReduceLogSum, reduceLogSum)
DEFINE_REDUCE(ReduceLogSumExp, reduceLogSumExp)
DEFINE_REDUCE(ReduceMax, reduceMax)
DEFINE_REDUCE(ReduceMean, reduceMean)
DEFINE_REDUCE(ReduceMin, reduceMin)
DEFINE_REDUCE(ReduceProduct, reduceProduct)
DEFINE_REDUCE(ReduceSum, reduceSum)
DEFINE_REDUCE(ReduceSumSquare, reduceSumSquare)

static WNNStatus build_arg(WnnOpId op, WNNGraphBuilder b, WNNOperand input, uint32_t axis,
                           const WNNArgMinMaxOptions* o, WNNOperand* output) {
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, op, o ? o->label : NULL, output);
    const WnnDesc* in;
    if (s || (s = wnn_op_operand(&call, "input", input, &in))) return s;
    if (axis >= in->rank) return wnn_op_fail(&call, "axis %u is out of range for rank %u", axis, in->rank);
    WNNOperandDataType t = o && o->outputDataType ? o->outputDataType : WNNOperandDataType_Int32;
    if ((s = wnn_op_check_type(&call, "output", t))) return s;
    WnnDesc out = reduced_desc(in, 1u << axis, o && o->keepDimensions);
    out.type = t;
    WnnArgAttrs a = {axis};
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderArgMin(WNNGraphBuilder b, WNNOperand input, uint32_t axis,
                                           const WNNArgMinMaxOptions* o, WNNOperand* output) {
    return build_arg(WNN_OP_argMin, b, input, axis, o, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderArgMax(WNNGraphBuilder b, WNNOperand input, uint32_t axis,
                                           const WNNArgMinMaxOptions* o, WNNOperand* output) {
    return build_arg(WNN_OP_argMax, b, input, axis, o, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderCumulativeSum(WNNGraphBuilder b, WNNOperand input, uint32_t axis,
                                                  const WNNCumulativeSumOptions* o, WNNOperand* output) {
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_cumulativeSum, o ? o->label : NULL, output);
    const WnnDesc* in;
    if (s || (s = wnn_op_operand(&call, "input", input, &in))) return s;
    if (axis >= in->rank) return wnn_op_fail(&call, "axis %u is out of range for rank %u", axis, in->rank);
    WnnCumSumAttrs a = {axis, o && o->exclusive, o && o->reversed};
    WnnDesc out = *in;
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}
