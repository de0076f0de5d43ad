/* elementwise_ops.c: builder functions and limits of the element-wise ops: binary arithmetic,
 * comparisons, logical ops, unary math, activations, clamp, cast, where and prelu. */
#include <math.h>
#include <string.h>

#include "graph/ops/elementwise.h"
#include "graph/ops/op_limits.h"

/* ---- limits ---- */
#define BINARY_INFO(op) \
    const WnnOpInfo wnn_opinfo_##op = {#op, 3, {SLOT("a", WNN_T_ANY, REQ_INT, 0, RANK_N, 0, 5), \
        SLOT("b", WNN_T_ANY, REQ_INT, 0, RANK_N, 0, 5), SLOT("output", WNN_T_ANY, REQ_INT, 0, RANK_N, 0, 5)}};
#define COMPARE_INFO(op) \
    const WnnOpInfo wnn_opinfo_##op = {#op, 3, {SLOT("a", WNN_T_ANY, REQ_INT, 0, RANK_N, 0, 5), \
        SLOT("b", WNN_T_ANY, REQ_INT, 0, RANK_N, 0, 5), SLOT("output", WNN_T_U8, WNN_T_U8, 0, RANK_N, 0, 5)}};
#define LOGICAL_INFO(op) \
    const WnnOpInfo wnn_opinfo_##op = {#op, 3, {SLOT("a", WNN_T_U8, WNN_T_U8, 0, RANK_N, 0, 5), \
        SLOT("b", WNN_T_U8, WNN_T_U8, 0, RANK_N, 0, 5), SLOT("output", WNN_T_U8, WNN_T_U8, 0, RANK_N, 0, 5)}};
#define UNARY_INFO(op, types, req) \
    const WnnOpInfo wnn_opinfo_##op = {#op, 2, {SLOT("input", types, req, 0, RANK_N, 0, 5), \
        SLOT("output", types, req, 0, RANK_N, 0, 5)}};
#define TEST_INFO(op) \
    const WnnOpInfo wnn_opinfo_##op = {#op, 2, {SLOT("input", WNN_T_ANY, WNN_T_FLOAT, 0, RANK_N, 0, 5), \
        SLOT("output", WNN_T_U8, WNN_T_U8, 0, RANK_N, 0, 5)}};

BINARY_INFO(add) BINARY_INFO(sub) BINARY_INFO(mul) BINARY_INFO(div) BINARY_INFO(max) BINARY_INFO(min)
BINARY_INFO(pow)
COMPARE_INFO(equal) COMPARE_INFO(notEqual) COMPARE_INFO(greater) COMPARE_INFO(greaterOrEqual)
COMPARE_INFO(lesser) COMPARE_INFO(lesserOrEqual)
LOGICAL_INFO(logicalAnd) LOGICAL_INFO(logicalOr) LOGICAL_INFO(logicalXor)
const WnnOpInfo wnn_opinfo_logicalNot = {"logicalNot", 2, {SLOT("a", WNN_T_U8, WNN_T_U8, 0, RANK_N, 0, 5),
                                                           SLOT("output", WNN_T_U8, WNN_T_U8, 0, RANK_N, 0, 5)}};
TEST_INFO(isNaN) TEST_INFO(isInfinite)
UNARY_INFO(abs, SIGNED_NUM, REQ_INT) UNARY_INFO(neg, SIGNED_NUM, REQ_INT) UNARY_INFO(sign, SIGNED_NUM, REQ_INT)
UNARY_INFO(relu, SIGNED_NUM, WNN_T_FLOAT) UNARY_INFO(identity, WNN_T_ANY, REQ_INT)
UNARY_INFO(clamp, WNN_T_ANY, WNN_T_FLOAT)
UNARY_INFO(ceil, WNN_T_FLOAT, WNN_T_FLOAT) UNARY_INFO(cos, WNN_T_FLOAT, WNN_T_FLOAT)
UNARY_INFO(erf, WNN_T_FLOAT, WNN_T_FLOAT) UNARY_INFO(exp, WNN_T_FLOAT, WNN_T_FLOAT)
UNARY_INFO(floor, WNN_T_FLOAT, WNN_T_FLOAT) UNARY_INFO(log, WNN_T_FLOAT, WNN_T_FLOAT)
UNARY_INFO(reciprocal, WNN_T_FLOAT, WNN_T_FLOAT) UNARY_INFO(roundEven, WNN_T_FLOAT, WNN_T_FLOAT)
UNARY_INFO(sin, WNN_T_FLOAT, WNN_T_FLOAT) UNARY_INFO(sqrt, WNN_T_FLOAT, WNN_T_FLOAT)
UNARY_INFO(tan, WNN_T_FLOAT, WNN_T_FLOAT) UNARY_INFO(elu, WNN_T_FLOAT, WNN_T_FLOAT)
UNARY_INFO(gelu, WNN_T_FLOAT, WNN_T_FLOAT) UNARY_INFO(hardSigmoid, WNN_T_FLOAT, WNN_T_FLOAT)
UNARY_INFO(hardSwish, WNN_T_FLOAT, WNN_T_FLOAT) UNARY_INFO(leakyRelu, WNN_T_FLOAT, WNN_T_FLOAT)
UNARY_INFO(linear, WNN_T_FLOAT, WNN_T_FLOAT) UNARY_INFO(sigmoid, WNN_T_FLOAT, WNN_T_FLOAT)
UNARY_INFO(softplus, WNN_T_FLOAT, WNN_T_FLOAT) UNARY_INFO(softsign, WNN_T_FLOAT, WNN_T_FLOAT)
UNARY_INFO(tanh, WNN_T_FLOAT, WNN_T_FLOAT)
const WnnOpInfo wnn_opinfo_cast = {"cast", 2, {SLOT("input", WNN_T_ANY, REQ_INT | WNN_T_I8 | WNN_T_U8, 0, RANK_N, 0, 5),
                                               SLOT("output", WNN_T_ANY, REQ_INT | WNN_T_I8 | WNN_T_U8, 0, RANK_N, 0, 5)}};
const WnnOpInfo wnn_opinfo_prelu = {"prelu", 3, {SLOT("input", SIGNED_NUM, WNN_T_FLOAT, 0, RANK_N, 0, 5),
                                                 SLOT("slope", SIGNED_NUM, WNN_T_FLOAT, 0, RANK_N, 0, 5),
                                                 SLOT("output", SIGNED_NUM, WNN_T_FLOAT, 0, RANK_N, 0, 5)}};
const WnnOpInfo wnn_opinfo_where = {"where", 4, {SLOT("condition", WNN_T_U8, WNN_T_U8, 0, RANK_N, 0, 5),
                                                 SLOT("trueValue", WNN_T_ANY, REQ_INT, 0, RANK_N, 0, 5),
                                                 SLOT("falseValue", WNN_T_ANY, REQ_INT, 0, RANK_N, 0, 5),
                                                 SLOT("output", WNN_T_ANY, REQ_INT, 0, RANK_N, 0, 5)}};

/* ---- shared builders ---- */
static const char* label_of(const WNNOperatorOptions* o) { return o ? o->label : NULL; }

/* a (op) b with bidirectional broadcasting; `outType` Undefined = a's type. */
static WNNStatus build_binary(WnnOpId op, WNNGraphBuilder b, WNNOperand x, WNNOperand y, const char* label,
                              WNNOperandDataType outType, WNNOperand* out) {
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, op, label, out);
    if (s) return s;
    const WnnDesc *da, *db;
    if ((s = wnn_op_operand(&call, "a", x, &da)) || (s = wnn_op_operand(&call, "b", y, &db))) return s;
    if (da->type != db->type)
        return wnn_op_fail(&call, "a (%s) and b (%s) must have the same data type", wnn_type_name(da->type),
                           wnn_type_name(db->type));
    WnnDesc o;
    if (!wnn_broadcast_shapes(da, db, &o)) {
        char sa[96], sb[96];
        return wnn_op_fail(&call, "shapes %s and %s are not broadcastable", wnn_dims_str(da->shape, da->rank, sa, 96),
                           wnn_dims_str(db->shape, db->rank, sb, 96));
    }
    if (outType) o.type = outType;
    WNNOperand ins[2] = {x, y};
    return wnn_op_finish(&call, ins, 2, NULL, 0, &o, 1, out);
}

#define DEFINE_BINARY(Name, op, outType)                                                                 \
    WNN_EXPORT WNNStatus wnnGraphBuilder##Name(WNNGraphBuilder b, WNNOperand a, WNNOperand bOperand,      \
                                               const WNNOperatorOptions* options, WNNOperand* output) {   \
        return build_binary(WNN_OP_##op, b, a, bOperand, label_of(options), outType, output);            \
    }
DEFINE_BINARY(Add, add, 0)
DEFINE_BINARY(Sub, sub, 0)
DEFINE_BINARY(Mul, mul, 0)
DEFINE_BINARY(Div, div, 0)
DEFINE_BINARY(Max, max, 0)
DEFINE_BINARY(Min, min, 0)
DEFINE_BINARY(Pow, pow, 0)
DEFINE_BINARY(Equal, equal, WNNOperandDataType_Uint8)
DEFINE_BINARY(NotEqual, notEqual, WNNOperandDataType_Uint8)
DEFINE_BINARY(Greater, greater, WNNOperandDataType_Uint8)
DEFINE_BINARY(GreaterOrEqual, greaterOrEqual, WNNOperandDataType_Uint8)
DEFINE_BINARY(Lesser, lesser, WNNOperandDataType_Uint8)
DEFINE_BINARY(LesserOrEqual, lesserOrEqual, WNNOperandDataType_Uint8)
DEFINE_BINARY(LogicalAnd, logicalAnd, 0)
DEFINE_BINARY(LogicalOr, logicalOr, 0)
DEFINE_BINARY(LogicalXor, logicalXor, 0)

/* One input, same shape out; `slot` names the input ("input", or "a" for logicalNot). */
static WNNStatus build_unary(WnnOpId op, const char* slot, WNNGraphBuilder b, WNNOperand x, const char* label,
                             WNNOperandDataType outType, const void* attrs, size_t attrsSize, WNNOperand* out) {
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, op, label, out);
    if (s) return s;
    const WnnDesc* d;
    if ((s = wnn_op_operand(&call, slot, x, &d))) return s;
    WnnDesc o = *d;
    if (outType) o.type = outType;
    return wnn_op_finish(&call, &x, 1, attrs, attrsSize, &o, 1, out);
}

#define DEFINE_UNARY(Name, op, outType)                                                                   \
    WNN_EXPORT WNNStatus wnnGraphBuilder##Name(WNNGraphBuilder b, WNNOperand input,                        \
                                               const WNNOperatorOptions* options, WNNOperand* output) {    \
        return build_unary(WNN_OP_##op, "input", b, input, label_of(options), outType, NULL, 0, output);   \
    }
DEFINE_UNARY(IsNaN, isNaN, WNNOperandDataType_Uint8)
DEFINE_UNARY(IsInfinite, isInfinite, WNNOperandDataType_Uint8)
DEFINE_UNARY(Abs, abs, 0)
DEFINE_UNARY(Ceil, ceil, 0)
DEFINE_UNARY(Cos, cos, 0)
DEFINE_UNARY(Erf, erf, 0)
DEFINE_UNARY(Exp, exp, 0)
DEFINE_UNARY(Floor, floor, 0)
DEFINE_UNARY(Identity, identity, 0)
DEFINE_UNARY(Log, log, 0)
DEFINE_UNARY(Neg, neg, 0)
DEFINE_UNARY(Reciprocal, reciprocal, 0)
DEFINE_UNARY(RoundEven, roundEven, 0)
DEFINE_UNARY(Sign, sign, 0)
DEFINE_UNARY(Sin, sin, 0)
DEFINE_UNARY(Sqrt, sqrt, 0)
DEFINE_UNARY(Tan, tan, 0)
DEFINE_UNARY(Gelu, gelu, 0)
DEFINE_UNARY(HardSwish, hardSwish, 0)
DEFINE_UNARY(Relu, relu, 0)
DEFINE_UNARY(Sigmoid, sigmoid, 0)
DEFINE_UNARY(Softplus, softplus, 0)
DEFINE_UNARY(Softsign, softsign, 0)
DEFINE_UNARY(Tanh, tanh, 0)

WNN_EXPORT WNNStatus wnnGraphBuilderLogicalNot(WNNGraphBuilder b, WNNOperand input, const WNNOperatorOptions* options,
                                               WNNOperand* output) {
    return build_unary(WNN_OP_logicalNot, "a", b, input, label_of(options), 0, NULL, 0, output);
}

/* ---- activations with parameters ---- */
static double opt_or(WNNOptionalDouble v, double dflt) { return v.present ? v.value : dflt; }

static WNNStatus build_activation(WnnOpId op, WNNGraphBuilder b, WNNOperand x, const char* label, double alpha,
                                  double beta, WNNOperand* out) {
    WnnActivationAttrs a = {alpha, beta};
    return build_unary(op, "input", b, x, label, 0, &a, sizeof a, out);
}

WNN_EXPORT WNNStatus wnnGraphBuilderElu(WNNGraphBuilder b, WNNOperand input, const WNNEluOptions* o,
                                        WNNOperand* output) {
    WNNEluOptions d = WNN_ELU_OPTIONS_INIT;
    if (!o) o = &d;
    return build_activation(WNN_OP_elu, b, input, o->label, opt_or(o->alpha, 1.0), 0, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderHardSigmoid(WNNGraphBuilder b, WNNOperand input, const WNNHardSigmoidOptions* o,
                                                WNNOperand* output) {
    WNNHardSigmoidOptions d = WNN_HARD_SIGMOID_OPTIONS_INIT;
    if (!o) o = &d;
    return build_activation(WNN_OP_hardSigmoid, b, input, o->label, opt_or(o->alpha, 0.2), opt_or(o->beta, 0.5),
                            output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderLeakyRelu(WNNGraphBuilder b, WNNOperand input, const WNNLeakyReluOptions* o,
                                              WNNOperand* output) {
    WNNLeakyReluOptions d = WNN_LEAKY_RELU_OPTIONS_INIT;
    if (!o) o = &d;
    return build_activation(WNN_OP_leakyRelu, b, input, o->label, opt_or(o->alpha, 0.01), 0, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderLinear(WNNGraphBuilder b, WNNOperand input, const WNNLinearOptions* o,
                                           WNNOperand* output) {
    WNNLinearOptions d = WNN_LINEAR_OPTIONS_INIT;
    if (!o) o = &d;
    return build_activation(WNN_OP_linear, b, input, o->label, opt_or(o->alpha, 1.0), opt_or(o->beta, 0.0), output);
}

/* ---- clamp ---- */
/* Casts an MLNumber bound to the input type; returns 0 for an absent or NaN bound (ignored). */
static int cast_bound(WNNNumber n, WNNOperandDataType t, double* f, int64_t* i, uint64_t* u) {
    if (n.type == WNNNumberType_Double && isnan(n.asDouble)) return 0;
    uint64_t bytes = 0;
    if (!wnn_store_number(&bytes, t, 0, n)) return 0;
    *f = wnn_load_f64(&bytes, t, 0);
    *i = wnn_load_i64(&bytes, t, 0);
    *u = wnn_load_u64(&bytes, t, 0);
    return 1;
}

WNN_EXPORT WNNStatus wnnGraphBuilderClamp(WNNGraphBuilder b, WNNOperand input, const WNNClampOptions* o,
                                          WNNOperand* output) {
    WNNClampOptions d = WNN_CLAMP_OPTIONS_INIT;
    if (!o) o = &d;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_clamp, o->label, output);
    if (s) return s;
    const WnnDesc* in;
    if ((s = wnn_op_operand(&call, "input", input, &in))) return s;
    WnnClampAttrs a = {0, 0, 0, 0, 0, 0, 0, 0};
    a.hasMin = cast_bound(o->minValue, in->type, &a.minF, &a.minI, &a.minU);
    a.hasMax = cast_bound(o->maxValue, in->type, &a.maxF, &a.maxI, &a.maxU);
    if (a.hasMin && a.hasMax) {
        int bad = wnn_type_is_float(in->type) ? a.minF > a.maxF
                  : in->type == WNNOperandDataType_Uint64 ? a.minU > a.maxU : a.minI > a.maxI;
        if (bad) return wnn_op_fail(&call, "minValue must not be greater than maxValue");
    }
    WnnDesc out = *in;
    return wnn_op_finish(&call, &input, 1, &a, sizeof a, &out, 1, output);
}

/* ---- cast ---- */
WNN_EXPORT WNNStatus wnnGraphBuilderCast(WNNGraphBuilder b, WNNOperand input, WNNOperandDataType type,
                                         const WNNOperatorOptions* options, WNNOperand* output) {
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_cast, label_of(options), output);
    if (s) return s;
    const WnnDesc* in;
    if ((s = wnn_op_operand(&call, "input", input, &in)) || (s = wnn_op_check_type(&call, "output", type))) return s;
    WnnDesc out = *in;
    out.type = type;
    return wnn_op_finish(&call, &input, 1, NULL, 0, &out, 1, output);
}

/* ---- prelu ---- */
WNN_EXPORT WNNStatus wnnGraphBuilderPrelu(WNNGraphBuilder b, WNNOperand input, WNNOperand slope,
                                          const WNNOperatorOptions* options, WNNOperand* output) {
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_prelu, label_of(options), output);
    if (s) return s;
    const WnnDesc *in, *sl;
    if ((s = wnn_op_operand(&call, "input", input, &in)) || (s = wnn_op_operand(&call, "slope", slope, &sl)))
        return s;
    if (in->type != sl->type) return wnn_op_fail(&call, "slope data type must match input");
    WnnDesc out;
    if (!wnn_broadcast_shapes(in, sl, &out)) return wnn_op_fail(&call, "slope is not broadcastable to input");
    WNNOperand ins[2] = {input, slope};
    return wnn_op_finish(&call, ins, 2, NULL, 0, &out, 1, output);
}

/* ---- where ---- */
WNN_EXPORT WNNStatus wnnGraphBuilderWhere(WNNGraphBuilder b, WNNOperand condition, WNNOperand trueValue,
                                          WNNOperand falseValue, const WNNOperatorOptions* options, WNNOperand* output) {
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_where, label_of(options), output);
    if (s) return s;
    const WnnDesc *c, *t, *f;
    if ((s = wnn_op_operand(&call, "condition", condition, &c)) || (s = wnn_op_operand(&call, "trueValue", trueValue, &t)) ||
        (s = wnn_op_operand(&call, "falseValue", falseValue, &f)))
        return s;
    if (t->type != f->type) return wnn_op_fail(&call, "trueValue and falseValue must have the same data type");
    WnnDesc tf, out;
    if (!wnn_broadcast_shapes(t, f, &tf) || !wnn_broadcast_shapes(c, &tf, &out))
        return wnn_op_fail(&call, "condition, trueValue and falseValue are not broadcastable");
    out.type = t->type;
    WNNOperand ins[3] = {condition, trueValue, falseValue};
    return wnn_op_finish(&call, ins, 3, NULL, 0, &out, 1, output);
}
