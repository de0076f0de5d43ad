/* op_replay.c: one adapter per spec op: JSON positional arguments and options -> the op's options
 * struct -> the public builder function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_json.h"

#define MAX_LISTS 16
typedef struct Replay {
    WNNGraphBuilder b;
    WgjLookup lookup;
    void* lookupCtx;
    const cJSON* pos[8];
    int npos;
    const cJSON* opts;
    char* err;
    size_t errSize;
    int bad; /* malformed arguments */
    void* lists[MAX_LISTS];
    int nlists;
    WNNOperand* outs;
    size_t outCap;
    size_t* outCount;
} Replay;

static void fail(Replay* r, const char* what) {
    if (!r->bad) snprintf(r->err, r->errSize, "%s", what);
    r->bad = 1;
}

static const cJSON* opt(Replay* r, const char* name) {
    return r->opts ? cJSON_GetObjectItemCaseSensitive(r->opts, name) : NULL;
}

static WNNOperand operand(Replay* r, const cJSON* v) {
    if (!v || !cJSON_IsString(v)) {
        fail(r, "expected an operand name");
        return NULL;
    }
    WNNOperand x = r->lookup(r->lookupCtx, v->valuestring);
    if (!x) {
        char msg[160];
        snprintf(msg, sizeof msg, "unknown operand '%s'", v->valuestring);
        fail(r, msg);
    }
    return x;
}

static WNNOperand pos_operand(Replay* r, int i) { return i < r->npos ? operand(r, r->pos[i]) : (fail(r, "missing argument"), NULL); }
static WNNOperand opt_operand(Replay* r, const char* name) {
    const cJSON* v = opt(r, name);
    return v ? operand(r, v) : NULL;
}

static double num(Replay* r, const cJSON* v) {
    double d = 0;
    if (!v || wtd_json_number(v, &d)) fail(r, "expected a number");
    return d;
}
static uint32_t pos_u32(Replay* r, int i) { return i < r->npos ? (uint32_t)num(r, r->pos[i]) : (fail(r, "missing argument"), 0); }

/* A list of unsigned numbers (NULL when v is NULL: the option is absent). */
static const uint32_t* u32list(Replay* r, const cJSON* v, size_t* count) {
    *count = 0;
    if (!v) return NULL;
    if (!cJSON_IsArray(v) || r->nlists >= MAX_LISTS) {
        fail(r, "expected a list");
        return NULL;
    }
    size_t n = (size_t)cJSON_GetArraySize(v);
    uint32_t* a = calloc(n + 1, sizeof *a);
    r->lists[r->nlists++] = a;
    size_t i = 0;
    for (const cJSON* e = v->child; e; e = e->next) {
        double d = num(r, e);
        a[i++] = d < 0 ? 0xffffffffu : (uint32_t)d;
    }
    *count = n;
    return a;
}

static const float* f32list(Replay* r, const cJSON* v, size_t* count) {
    *count = 0;
    if (!v) return NULL;
    if (!cJSON_IsArray(v) || r->nlists >= MAX_LISTS) {
        fail(r, "expected a list");
        return NULL;
    }
    size_t n = (size_t)cJSON_GetArraySize(v);
    float* a = calloc(n + 1, sizeof *a);
    r->lists[r->nlists++] = a;
    size_t i = 0;
    for (const cJSON* e = v->child; e; e = e->next) a[i++] = (float)num(r, e);
    *count = n;
    return a;
}

static WNNOptionalDouble opt_double(Replay* r, const char* name) {
    const cJSON* v = opt(r, name);
    WNNOptionalDouble o = {false, 0};
    if (v) o = wnnSomeDouble(num(r, v));
    return o;
}
static WNNOptionalUint32 opt_u32(Replay* r, const char* name) {
    const cJSON* v = opt(r, name);
    WNNOptionalUint32 o = {false, 0};
    if (v) o = wnnSomeUint32((uint32_t)num(r, v));
    return o;
}
static bool opt_bool(Replay* r, const char* name) { return cJSON_IsTrue(opt(r, name)); }
static WNNOptionalBool opt_obool(Replay* r, const char* name) {
    const cJSON* v = opt(r, name);
    return !v ? WNNOptionalBool_Undefined : cJSON_IsTrue(v) ? WNNOptionalBool_True : WNNOptionalBool_False;
}
static WNNNumber opt_number(Replay* r, const char* name) {
    const cJSON* v = opt(r, name);
    WNNNumber n = {WNNNumberType_Undefined, 0, 0, 0};
    if (v && wtd_json_mlnumber(v, &n)) fail(r, "expected a number");
    return n;
}

/* An enum option: index in `names` + 1, 0 when absent, -1 (invalid) when unknown. */
static int opt_enum(Replay* r, const char* name, const char* const* names) {
    const cJSON* v = opt(r, name);
    if (!v) return 0;
    if (cJSON_IsString(v))
        for (int i = 0; names[i]; i++)
            if (strcmp(names[i], v->valuestring) == 0) return i + 1;
    return 99; /* not a value of the enum: the API rejects it */
}

static const char* const k_layouts[] = {"nchw", "nhwc", NULL};
static const char* const k_conv_filter[] = {"oihw", "hwio", "ohwi", "ihwo", NULL};
static const char* const k_convt_filter[] = {"iohw", "hwoi", "ohwi", NULL};
static const char* const k_rounding[] = {"floor", "ceil", NULL};
static const char* const k_pad_modes[] = {"constant", "edge", "reflection", NULL};
static const char* const k_interp[] = {"nearest-neighbor", "linear", NULL};
static const char* const k_direction[] = {"forward", "backward", "both", NULL};
static const char* const k_gru_layout[] = {"zrn", "rzn", NULL};
static const char* const k_lstm_layout[] = {"iofg", "ifgo", NULL};
static const char* const k_activations[] = {"relu", "sigmoid", "tanh", NULL};

static WNNOperandDataType type_arg(Replay* r, const cJSON* v) {
    if (cJSON_IsObject(v)) v = cJSON_GetObjectItemCaseSensitive(v, "type");
    if (!cJSON_IsString(v)) {
        fail(r, "expected a data type");
        return WNNOperandDataType_Undefined;
    }
    WNNOperandDataType t = 0;
    static const char* const names[] = {"float32", "float16", "int32", "uint32", "int64", "uint64", "int8", "uint8", NULL};
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], v->valuestring) == 0) t = (WNNOperandDataType)(i + 1);
    return t ? t : (WNNOperandDataType)99;
}

static const WNNRecurrentNetworkActivation* activations(Replay* r, size_t* count) {
    const cJSON* v = opt(r, "activations");
    *count = 0;
    if (!v || !cJSON_IsArray(v) || r->nlists >= MAX_LISTS) return NULL;
    size_t n = (size_t)cJSON_GetArraySize(v);
    WNNRecurrentNetworkActivation* a = calloc(n + 1, sizeof *a);
    r->lists[r->nlists++] = a;
    size_t i = 0;
    for (const cJSON* e = v->child; e; e = e->next, i++) {
        a[i] = (WNNRecurrentNetworkActivation)99;
        for (int k = 0; k_activations[k]; k++)
            if (cJSON_IsString(e) && strcmp(e->valuestring, k_activations[k]) == 0)
                a[i] = (WNNRecurrentNetworkActivation)(k + 1);
    }
    *count = n;
    return a;
}

static const char* label(Replay* r) {
    const cJSON* v = opt(r, "label");
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- adapters ---- */
typedef WNNStatus (*UnaryFn)(WNNGraphBuilder, WNNOperand, const WNNOperatorOptions*, WNNOperand*);
typedef WNNStatus (*BinaryFn)(WNNGraphBuilder, WNNOperand, WNNOperand, const WNNOperatorOptions*, WNNOperand*);
typedef WNNStatus (*ReduceFn)(WNNGraphBuilder, WNNOperand, const WNNReduceOptions*, WNNOperand*);
typedef WNNStatus (*PoolFn)(WNNGraphBuilder, WNNOperand, const WNNPool2dOptions*, WNNOperand*);
typedef WNNStatus (*ArgFn)(WNNGraphBuilder, WNNOperand, uint32_t, const WNNArgMinMaxOptions*, WNNOperand*);
typedef WNNStatus (*QuantFn)(WNNGraphBuilder, WNNOperand, WNNOperand, WNNOperand, const WNNOperatorOptions*, WNNOperand*);
typedef WNNStatus (*ShapeFn)(WNNGraphBuilder, WNNOperand, const uint32_t*, size_t, const WNNOperatorOptions*, WNNOperand*);
typedef WNNStatus (*GatherFn)(WNNGraphBuilder, WNNOperand, WNNOperand, const WNNGatherOptions*, WNNOperand*);
union OpFn {
    UnaryFn unary;
    BinaryFn binary;
    ReduceFn reduce;
    PoolFn pool;
    ArgFn arg;
    QuantFn quant;
    ShapeFn shape;
    GatherFn gather;
};
typedef union OpFn OpFn;
typedef WNNStatus (*Adapter)(Replay* r, OpFn fn);
#define ONE(r) (r->outs[0] = NULL, *r->outCount = 1, &r->outs[0])


static WNNStatus a_unary(Replay* r, OpFn fn) {
    WNNOperatorOptions o = {label(r)};
    WNNOperand x = pos_operand(r, 0);
    return r->bad ? WNNStatus_UnknownError : fn.unary(r->b, x, &o, ONE(r));
}
static WNNStatus a_binary(Replay* r, OpFn fn) {
    WNNOperatorOptions o = {label(r)};
    WNNOperand x = pos_operand(r, 0), y = pos_operand(r, 1);
    return r->bad ? WNNStatus_UnknownError : fn.binary(r->b, x, y, &o, ONE(r));
}
static WNNStatus a_reduce(Replay* r, OpFn fn) {
    WNNReduceOptions o = WNN_REDUCE_OPTIONS_INIT;
    o.label = label(r);
    o.axes = u32list(r, opt(r, "axes"), &o.axesCount);
    o.keepDimensions = opt_bool(r, "keepDimensions");
    WNNOperand x = pos_operand(r, 0);
    return r->bad ? WNNStatus_UnknownError : fn.reduce(r->b, x, &o, ONE(r));
}
static WNNStatus a_pool(Replay* r, OpFn fn) {
    WNNPool2dOptions o = WNN_POOL2D_OPTIONS_INIT;
    o.label = label(r);
    o.windowDimensions = u32list(r, opt(r, "windowDimensions"), &o.windowDimensionsCount);
    o.padding = u32list(r, opt(r, "padding"), &o.paddingCount);
    o.strides = u32list(r, opt(r, "strides"), &o.stridesCount);
    o.dilations = u32list(r, opt(r, "dilations"), &o.dilationsCount);
    o.layout = (WNNInputOperandLayout)opt_enum(r, "layout", k_layouts);
    int round = opt_enum(r, "outputShapeRounding", k_rounding);
    if (!round) round = opt_enum(r, "roundingType", k_rounding);
    o.outputShapeRounding = (WNNRoundingType)round;
    o.outputSizes = u32list(r, opt(r, "outputSizes"), &o.outputSizesCount);
    WNNOperand x = pos_operand(r, 0);
    return r->bad ? WNNStatus_UnknownError : fn.pool(r->b, x, &o, ONE(r));
}
static WNNStatus a_arg(Replay* r, OpFn fn) {
    WNNArgMinMaxOptions o = WNN_ARG_MIN_MAX_OPTIONS_INIT;
    o.label = label(r);
    o.keepDimensions = opt_bool(r, "keepDimensions");
    if (opt(r, "outputDataType")) o.outputDataType = type_arg(r, opt(r, "outputDataType"));
    WNNOperand x = pos_operand(r, 0);
    uint32_t axis = pos_u32(r, 1);
    return r->bad ? WNNStatus_UnknownError : fn.arg(r->b, x, axis, &o, ONE(r));
}

static WNNStatus a_batchNormalization(Replay* r, OpFn fn) {
    WNNBatchNormalizationOptions o = WNN_BATCH_NORMALIZATION_OPTIONS_INIT;
    o.label = label(r);
    o.scale = opt_operand(r, "scale");
    o.bias = opt_operand(r, "bias");
    o.axis = opt_u32(r, "axis");
    o.epsilon = opt_double(r, "epsilon");
    WNNOperand x = pos_operand(r, 0), m = pos_operand(r, 1), v = pos_operand(r, 2);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderBatchNormalization(r->b, x, m, v, &o, ONE(r));
}
static WNNStatus a_cast(Replay* r, OpFn fn) {
    WNNOperatorOptions o = {label(r)};
    WNNOperand x = pos_operand(r, 0);
    WNNOperandDataType t = r->npos > 1 ? type_arg(r, r->pos[1]) : WNNOperandDataType_Undefined;
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderCast(r->b, x, t, &o, ONE(r));
}
static WNNStatus a_clamp(Replay* r, OpFn fn) {
    WNNClampOptions o = WNN_CLAMP_OPTIONS_INIT;
    o.label = label(r);
    o.minValue = opt_number(r, "minValue");
    o.maxValue = opt_number(r, "maxValue");
    WNNOperand x = pos_operand(r, 0);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderClamp(r->b, x, &o, ONE(r));
}
static WNNStatus a_concat(Replay* r, OpFn fn) {
    WNNOperatorOptions o = {label(r)};
    const cJSON* list = r->npos > 0 ? r->pos[0] : NULL;
    if (!cJSON_IsArray(list)) return fail(r, "concat needs a list of inputs"), WNNStatus_UnknownError;
    size_t n = (size_t)cJSON_GetArraySize(list), i = 0;
    WNNOperand* xs = calloc(n + 1, sizeof *xs);
    for (const cJSON* e = list->child; e; e = e->next) xs[i++] = operand(r, e);
    uint32_t axis = pos_u32(r, 1);
    WNNStatus s = r->bad ? WNNStatus_UnknownError : wnnGraphBuilderConcat(r->b, xs, n, axis, &o, ONE(r));
    free(xs);
    return s;
}
static WNNStatus a_conv2d(Replay* r, OpFn fn) {
    WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
    o.label = label(r);
    o.padding = u32list(r, opt(r, "padding"), &o.paddingCount);
    o.strides = u32list(r, opt(r, "strides"), &o.stridesCount);
    o.dilations = u32list(r, opt(r, "dilations"), &o.dilationsCount);
    o.groups = opt_u32(r, "groups");
    o.inputLayout = (WNNInputOperandLayout)opt_enum(r, "inputLayout", k_layouts);
    o.filterLayout = (WNNConv2dFilterOperandLayout)opt_enum(r, "filterLayout", k_conv_filter);
    o.bias = opt_operand(r, "bias");
    WNNOperand x = pos_operand(r, 0), w = pos_operand(r, 1);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderConv2d(r->b, x, w, &o, ONE(r));
}
static WNNStatus a_convTranspose2d(Replay* r, OpFn fn) {
    WNNConvTranspose2dOptions o = WNN_CONV_TRANSPOSE2D_OPTIONS_INIT;
    o.label = label(r);
    o.padding = u32list(r, opt(r, "padding"), &o.paddingCount);
    o.strides = u32list(r, opt(r, "strides"), &o.stridesCount);
    o.dilations = u32list(r, opt(r, "dilations"), &o.dilationsCount);
    o.outputPadding = u32list(r, opt(r, "outputPadding"), &o.outputPaddingCount);
    o.outputSizes = u32list(r, opt(r, "outputSizes"), &o.outputSizesCount);
    o.groups = opt_u32(r, "groups");
    o.inputLayout = (WNNInputOperandLayout)opt_enum(r, "inputLayout", k_layouts);
    o.filterLayout = (WNNConvTranspose2dFilterOperandLayout)opt_enum(r, "filterLayout", k_convt_filter);
    o.bias = opt_operand(r, "bias");
    WNNOperand x = pos_operand(r, 0), w = pos_operand(r, 1);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderConvTranspose2d(r->b, x, w, &o, ONE(r));
}
static WNNStatus a_cumulativeSum(Replay* r, OpFn fn) {
    WNNCumulativeSumOptions o = WNN_CUMULATIVE_SUM_OPTIONS_INIT;
    o.label = label(r);
    o.exclusive = opt_bool(r, "exclusive");
    o.reversed = opt_bool(r, "reversed");
    WNNOperand x = pos_operand(r, 0);
    uint32_t axis = pos_u32(r, 1);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderCumulativeSum(r->b, x, axis, &o, ONE(r));
}
static WNNStatus a_ternary(Replay* r, OpFn fn) {
    WNNOperatorOptions o = {label(r)};
    WNNOperand x = pos_operand(r, 0), y = pos_operand(r, 1), z = pos_operand(r, 2);
    return r->bad ? WNNStatus_UnknownError : fn.quant(r->b, x, y, z, &o, ONE(r));
}
static WNNStatus a_elu(Replay* r, OpFn fn) {
    WNNEluOptions o = WNN_ELU_OPTIONS_INIT;
    o.label = label(r);
    o.alpha = opt_double(r, "alpha");
    WNNOperand x = pos_operand(r, 0);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderElu(r->b, x, &o, ONE(r));
}
static WNNStatus a_shape(Replay* r, OpFn fn) { /* expand, reshape, tile */
    WNNOperatorOptions o = {label(r)};
    WNNOperand x = pos_operand(r, 0);
    size_t n = 0;
    const uint32_t* shape = r->npos > 1 ? u32list(r, r->pos[1], &n) : (fail(r, "missing shape"), NULL);
    return r->bad ? WNNStatus_UnknownError : fn.shape(r->b, x, shape ? shape : (const uint32_t*)"", n, &o, ONE(r));
}
static WNNStatus a_gather(Replay* r, OpFn fn) {
    WNNGatherOptions o = WNN_GATHER_OPTIONS_INIT;
    o.label = label(r);
    if (opt(r, "axis")) o.axis = (uint32_t)num(r, opt(r, "axis"));
    WNNOperand x = pos_operand(r, 0), i = pos_operand(r, 1);
    return r->bad ? WNNStatus_UnknownError : fn.gather(r->b, x, i, &o, ONE(r));
}
static WNNStatus a_gemm(Replay* r, OpFn fn) {
    WNNGemmOptions o = WNN_GEMM_OPTIONS_INIT;
    o.label = label(r);
    o.c = opt_operand(r, "c");
    o.alpha = opt_double(r, "alpha");
    o.beta = opt_double(r, "beta");
    o.aTranspose = opt_bool(r, "aTranspose");
    o.bTranspose = opt_bool(r, "bTranspose");
    WNNOperand x = pos_operand(r, 0), y = pos_operand(r, 1);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderGemm(r->b, x, y, &o, ONE(r));
}
static WNNStatus a_gru(Replay* r, OpFn fn) {
    WNNGruOptions o = WNN_GRU_OPTIONS_INIT;
    o.label = label(r);
    o.bias = opt_operand(r, "bias");
    o.recurrentBias = opt_operand(r, "recurrentBias");
    o.initialHiddenState = opt_operand(r, "initialHiddenState");
    o.resetAfter = opt_obool(r, "resetAfter");
    o.returnSequence = opt_bool(r, "returnSequence");
    o.direction = (WNNRecurrentNetworkDirection)opt_enum(r, "direction", k_direction);
    o.layout = (WNNGruWeightLayout)opt_enum(r, "layout", k_gru_layout);
    o.activations = activations(r, &o.activationsCount);
    WNNOperand x = pos_operand(r, 0), w = pos_operand(r, 1), rw = pos_operand(r, 2);
    uint32_t steps = pos_u32(r, 3), hidden = pos_u32(r, 4);
    return r->bad ? WNNStatus_UnknownError
                  : wnnGraphBuilderGru(r->b, x, w, rw, steps, hidden, &o, r->outs, r->outCap, r->outCount);
}
static WNNStatus a_gruCell(Replay* r, OpFn fn) {
    WNNGruCellOptions o = WNN_GRU_CELL_OPTIONS_INIT;
    o.label = label(r);
    o.bias = opt_operand(r, "bias");
    o.recurrentBias = opt_operand(r, "recurrentBias");
    o.resetAfter = opt_obool(r, "resetAfter");
    o.layout = (WNNGruWeightLayout)opt_enum(r, "layout", k_gru_layout);
    o.activations = activations(r, &o.activationsCount);
    WNNOperand x = pos_operand(r, 0), w = pos_operand(r, 1), rw = pos_operand(r, 2), h = pos_operand(r, 3);
    uint32_t hidden = pos_u32(r, 4);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderGruCell(r->b, x, w, rw, h, hidden, &o, ONE(r));
}
static WNNStatus a_hardSigmoid(Replay* r, OpFn fn) {
    WNNHardSigmoidOptions o = WNN_HARD_SIGMOID_OPTIONS_INIT;
    o.label = label(r);
    o.alpha = opt_double(r, "alpha");
    o.beta = opt_double(r, "beta");
    WNNOperand x = pos_operand(r, 0);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderHardSigmoid(r->b, x, &o, ONE(r));
}
static WNNStatus a_instanceNormalization(Replay* r, OpFn fn) {
    WNNInstanceNormalizationOptions o = WNN_INSTANCE_NORMALIZATION_OPTIONS_INIT;
    o.label = label(r);
    o.scale = opt_operand(r, "scale");
    o.bias = opt_operand(r, "bias");
    o.epsilon = opt_double(r, "epsilon");
    o.layout = (WNNInputOperandLayout)opt_enum(r, "layout", k_layouts);
    WNNOperand x = pos_operand(r, 0);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderInstanceNormalization(r->b, x, &o, ONE(r));
}
static WNNStatus a_layerNormalization(Replay* r, OpFn fn) {
    WNNLayerNormalizationOptions o = WNN_LAYER_NORMALIZATION_OPTIONS_INIT;
    o.label = label(r);
    o.scale = opt_operand(r, "scale");
    o.bias = opt_operand(r, "bias");
    o.axes = u32list(r, opt(r, "axes"), &o.axesCount);
    o.epsilon = opt_double(r, "epsilon");
    WNNOperand x = pos_operand(r, 0);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderLayerNormalization(r->b, x, &o, ONE(r));
}
static WNNStatus a_leakyRelu(Replay* r, OpFn fn) {
    WNNLeakyReluOptions o = WNN_LEAKY_RELU_OPTIONS_INIT;
    o.label = label(r);
    o.alpha = opt_double(r, "alpha");
    WNNOperand x = pos_operand(r, 0);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderLeakyRelu(r->b, x, &o, ONE(r));
}
static WNNStatus a_linear(Replay* r, OpFn fn) {
    WNNLinearOptions o = WNN_LINEAR_OPTIONS_INIT;
    o.label = label(r);
    o.alpha = opt_double(r, "alpha");
    o.beta = opt_double(r, "beta");
    WNNOperand x = pos_operand(r, 0);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderLinear(r->b, x, &o, ONE(r));
}
static WNNStatus a_lstm(Replay* r, OpFn fn) {
    WNNLstmOptions o = WNN_LSTM_OPTIONS_INIT;
    o.label = label(r);
    o.bias = opt_operand(r, "bias");
    o.recurrentBias = opt_operand(r, "recurrentBias");
    o.peepholeWeight = opt_operand(r, "peepholeWeight");
    o.initialHiddenState = opt_operand(r, "initialHiddenState");
    o.initialCellState = opt_operand(r, "initialCellState");
    o.returnSequence = opt_bool(r, "returnSequence");
    o.direction = (WNNRecurrentNetworkDirection)opt_enum(r, "direction", k_direction);
    o.layout = (WNNLstmWeightLayout)opt_enum(r, "layout", k_lstm_layout);
    o.activations = activations(r, &o.activationsCount);
    WNNOperand x = pos_operand(r, 0), w = pos_operand(r, 1), rw = pos_operand(r, 2);
    uint32_t steps = pos_u32(r, 3), hidden = pos_u32(r, 4);
    return r->bad ? WNNStatus_UnknownError
                  : wnnGraphBuilderLstm(r->b, x, w, rw, steps, hidden, &o, r->outs, r->outCap, r->outCount);
}
static WNNStatus a_lstmCell(Replay* r, OpFn fn) {
    WNNLstmCellOptions o = WNN_LSTM_CELL_OPTIONS_INIT;
    o.label = label(r);
    o.bias = opt_operand(r, "bias");
    o.recurrentBias = opt_operand(r, "recurrentBias");
    o.peepholeWeight = opt_operand(r, "peepholeWeight");
    o.layout = (WNNLstmWeightLayout)opt_enum(r, "layout", k_lstm_layout);
    o.activations = activations(r, &o.activationsCount);
    WNNOperand x = pos_operand(r, 0), w = pos_operand(r, 1), rw = pos_operand(r, 2), h = pos_operand(r, 3),
               c = pos_operand(r, 4);
    uint32_t hidden = pos_u32(r, 5);
    return r->bad ? WNNStatus_UnknownError
                  : wnnGraphBuilderLstmCell(r->b, x, w, rw, h, c, hidden, &o, r->outs, r->outCap, r->outCount);
}
static WNNStatus a_pad(Replay* r, OpFn fn) {
    WNNPadOptions o = WNN_PAD_OPTIONS_INIT;
    o.label = label(r);
    o.mode = (WNNPaddingMode)opt_enum(r, "mode", k_pad_modes);
    o.value = opt_number(r, "value");
    WNNOperand x = pos_operand(r, 0);
    size_t nb = 0, ne = 0;
    const uint32_t* beg = r->npos > 1 ? u32list(r, r->pos[1], &nb) : NULL;
    const uint32_t* end = r->npos > 2 ? u32list(r, r->pos[2], &ne) : NULL;
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderPad(r->b, x, beg, nb, end, ne, &o, ONE(r));
}
static WNNStatus a_resample2d(Replay* r, OpFn fn) {
    WNNResample2dOptions o = WNN_RESAMPLE2D_OPTIONS_INIT;
    o.label = label(r);
    o.mode = (WNNInterpolationMode)opt_enum(r, "mode", k_interp);
    o.scales = f32list(r, opt(r, "scales"), &o.scalesCount);
    o.sizes = u32list(r, opt(r, "sizes"), &o.sizesCount);
    o.axes = u32list(r, opt(r, "axes"), &o.axesCount);
    WNNOperand x = pos_operand(r, 0);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderResample2d(r->b, x, &o, ONE(r));
}
static WNNStatus a_reverse(Replay* r, OpFn fn) {
    WNNReverseOptions o = WNN_REVERSE_OPTIONS_INIT;
    o.label = label(r);
    o.axes = u32list(r, opt(r, "axes"), &o.axesCount);
    WNNOperand x = pos_operand(r, 0);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderReverse(r->b, x, &o, ONE(r));
}
static WNNStatus a_scatterElements(Replay* r, OpFn fn) {
    WNNScatterOptions o = WNN_SCATTER_OPTIONS_INIT;
    o.label = label(r);
    if (opt(r, "axis")) o.axis = (uint32_t)num(r, opt(r, "axis"));
    WNNOperand x = pos_operand(r, 0), i = pos_operand(r, 1), u = pos_operand(r, 2);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderScatterElements(r->b, x, i, u, &o, ONE(r));
}
static WNNStatus a_slice(Replay* r, OpFn fn) {
    WNNSliceOptions o = WNN_SLICE_OPTIONS_INIT;
    o.label = label(r);
    o.strides = u32list(r, opt(r, "strides"), &o.stridesCount);
    WNNOperand x = pos_operand(r, 0);
    size_t ns = 0, nz = 0;
    const uint32_t* starts = r->npos > 1 ? u32list(r, r->pos[1], &ns) : NULL;
    const uint32_t* sizes = r->npos > 2 ? u32list(r, r->pos[2], &nz) : NULL;
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderSlice(r->b, x, starts, ns, sizes, nz, &o, ONE(r));
}
static WNNStatus a_softmax(Replay* r, OpFn fn) {
    WNNOperatorOptions o = {label(r)};
    WNNOperand x = pos_operand(r, 0);
    uint32_t axis = pos_u32(r, 1);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderSoftmax(r->b, x, axis, &o, ONE(r));
}
static WNNStatus a_split(Replay* r, OpFn fn) {
    WNNSplitOptions o = WNN_SPLIT_OPTIONS_INIT;
    o.label = label(r);
    if (opt(r, "axis")) o.axis = (uint32_t)num(r, opt(r, "axis"));
    WNNOperand x = pos_operand(r, 0);
    const cJSON* splits = r->npos > 1 ? r->pos[1] : NULL;
    if (r->bad || !splits) return fail(r, "split needs splits"), WNNStatus_UnknownError;
    if (cJSON_IsArray(splits)) {
        size_t n = 0;
        const uint32_t* sizes = u32list(r, splits, &n);
        return wnnGraphBuilderSplitSizes(r->b, x, sizes, n, &o, r->outs, r->outCap, r->outCount);
    }
    return wnnGraphBuilderSplit(r->b, x, (uint32_t)num(r, splits), &o, r->outs, r->outCap, r->outCount);
}
static WNNStatus a_transpose(Replay* r, OpFn fn) {
    WNNTransposeOptions o = WNN_TRANSPOSE_OPTIONS_INIT;
    o.label = label(r);
    o.permutation = u32list(r, opt(r, "permutation"), &o.permutationCount);
    WNNOperand x = pos_operand(r, 0);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderTranspose(r->b, x, &o, ONE(r));
}
static WNNStatus a_triangular(Replay* r, OpFn fn) {
    WNNTriangularOptions o = WNN_TRIANGULAR_OPTIONS_INIT;
    o.label = label(r);
    o.upper = opt_obool(r, "upper");
    if (opt(r, "diagonal")) o.diagonal = (int32_t)num(r, opt(r, "diagonal"));
    WNNOperand x = pos_operand(r, 0);
    return r->bad ? WNNStatus_UnknownError : wnnGraphBuilderTriangular(r->b, x, &o, ONE(r));
}

static const struct {
    const char* name;
    Adapter adapter;
    OpFn fn;
} k_ops[] = {
    {"argMin", a_arg, {.arg = wnnGraphBuilderArgMin}}, {"argMax", a_arg, {.arg = wnnGraphBuilderArgMax}},
    {"batchNormalization", a_batchNormalization, {.unary = NULL}}, {"cast", a_cast, {.unary = NULL}}, {"clamp", a_clamp, {.unary = NULL}},
    {"concat", a_concat, {.unary = NULL}}, {"conv2d", a_conv2d, {.unary = NULL}}, {"convTranspose2d", a_convTranspose2d, {.unary = NULL}},
    {"cumulativeSum", a_cumulativeSum, {.unary = NULL}},
    {"add", a_binary, {.binary = wnnGraphBuilderAdd}}, {"sub", a_binary, {.binary = wnnGraphBuilderSub}},
    {"mul", a_binary, {.binary = wnnGraphBuilderMul}}, {"div", a_binary, {.binary = wnnGraphBuilderDiv}},
    {"max", a_binary, {.binary = wnnGraphBuilderMax}}, {"min", a_binary, {.binary = wnnGraphBuilderMin}},
    {"pow", a_binary, {.binary = wnnGraphBuilderPow}}, {"equal", a_binary, {.binary = wnnGraphBuilderEqual}},
    {"notEqual", a_binary, {.binary = wnnGraphBuilderNotEqual}}, {"greater", a_binary, {.binary = wnnGraphBuilderGreater}},
    {"greaterOrEqual", a_binary, {.binary = wnnGraphBuilderGreaterOrEqual}}, {"lesser", a_binary, {.binary = wnnGraphBuilderLesser}},
    {"lesserOrEqual", a_binary, {.binary = wnnGraphBuilderLesserOrEqual}}, {"logicalNot", a_unary, {.unary = wnnGraphBuilderLogicalNot}},
    {"logicalAnd", a_binary, {.binary = wnnGraphBuilderLogicalAnd}}, {"logicalOr", a_binary, {.binary = wnnGraphBuilderLogicalOr}},
    {"logicalXor", a_binary, {.binary = wnnGraphBuilderLogicalXor}}, {"isNaN", a_unary, {.unary = wnnGraphBuilderIsNaN}},
    {"isInfinite", a_unary, {.unary = wnnGraphBuilderIsInfinite}}, {"abs", a_unary, {.unary = wnnGraphBuilderAbs}},
    {"ceil", a_unary, {.unary = wnnGraphBuilderCeil}}, {"cos", a_unary, {.unary = wnnGraphBuilderCos}},
    {"erf", a_unary, {.unary = wnnGraphBuilderErf}}, {"exp", a_unary, {.unary = wnnGraphBuilderExp}},
    {"floor", a_unary, {.unary = wnnGraphBuilderFloor}}, {"identity", a_unary, {.unary = wnnGraphBuilderIdentity}},
    {"log", a_unary, {.unary = wnnGraphBuilderLog}}, {"neg", a_unary, {.unary = wnnGraphBuilderNeg}},
    {"reciprocal", a_unary, {.unary = wnnGraphBuilderReciprocal}}, {"roundEven", a_unary, {.unary = wnnGraphBuilderRoundEven}},
    {"sign", a_unary, {.unary = wnnGraphBuilderSign}}, {"sin", a_unary, {.unary = wnnGraphBuilderSin}},
    {"sqrt", a_unary, {.unary = wnnGraphBuilderSqrt}}, {"tan", a_unary, {.unary = wnnGraphBuilderTan}},
    {"dequantizeLinear", a_ternary, {.quant = wnnGraphBuilderDequantizeLinear}},
    {"quantizeLinear", a_ternary, {.quant = wnnGraphBuilderQuantizeLinear}}, {"elu", a_elu, {.unary = NULL}},
    {"expand", a_shape, {.shape = wnnGraphBuilderExpand}}, {"gather", a_gather, {.gather = wnnGraphBuilderGather}},
    {"gatherElements", a_gather, {.gather = wnnGraphBuilderGatherElements}},
    {"gatherND", a_binary, {.binary = wnnGraphBuilderGatherND}}, {"gelu", a_unary, {.unary = wnnGraphBuilderGelu}},
    {"gemm", a_gemm, {.unary = NULL}}, {"gru", a_gru, {.unary = NULL}}, {"gruCell", a_gruCell, {.unary = NULL}},
    {"hardSigmoid", a_hardSigmoid, {.unary = NULL}}, {"hardSwish", a_unary, {.unary = wnnGraphBuilderHardSwish}},
    {"instanceNormalization", a_instanceNormalization, {.unary = NULL}}, {"layerNormalization", a_layerNormalization, {.unary = NULL}},
    {"leakyRelu", a_leakyRelu, {.unary = NULL}}, {"linear", a_linear, {.unary = NULL}}, {"lstm", a_lstm, {.unary = NULL}},
    {"lstmCell", a_lstmCell, {.unary = NULL}}, {"matmul", a_binary, {.binary = wnnGraphBuilderMatmul}}, {"pad", a_pad, {.unary = NULL}},
    {"averagePool2d", a_pool, {.pool = wnnGraphBuilderAveragePool2d}}, {"l2Pool2d", a_pool, {.pool = wnnGraphBuilderL2Pool2d}},
    {"maxPool2d", a_pool, {.pool = wnnGraphBuilderMaxPool2d}}, {"prelu", a_binary, {.binary = wnnGraphBuilderPrelu}},
    {"reduceL1", a_reduce, {.reduce = wnnGraphBuilderReduceL1}}, {"reduceL2", a_reduce, {.reduce = wnnGraphBuilderReduceL2}},
    {"reduceLogSum", a_reduce, {.reduce = wnnGraphBuilderReduceLogSum}},
    {"reduceLogSumExp", a_reduce, {.reduce = wnnGraphBuilderReduceLogSumExp}},
    {"reduceMax", a_reduce, {.reduce = wnnGraphBuilderReduceMax}}, {"reduceMean", a_reduce, {.reduce = wnnGraphBuilderReduceMean}},
    {"reduceMin", a_reduce, {.reduce = wnnGraphBuilderReduceMin}}, {"reduceProduct", a_reduce, {.reduce = wnnGraphBuilderReduceProduct}},
    {"reduceSum", a_reduce, {.reduce = wnnGraphBuilderReduceSum}},
    {"reduceSumSquare", a_reduce, {.reduce = wnnGraphBuilderReduceSumSquare}}, {"relu", a_unary, {.unary = wnnGraphBuilderRelu}},
    {"resample2d", a_resample2d, {.unary = NULL}}, {"reshape", a_shape, {.shape = wnnGraphBuilderReshape}}, {"reverse", a_reverse, {.unary = NULL}},
    {"scatterElements", a_scatterElements, {.unary = NULL}}, {"scatterND", a_ternary, {.quant = wnnGraphBuilderScatterND}},
    {"sigmoid", a_unary, {.unary = wnnGraphBuilderSigmoid}}, {"softplus", a_unary, {.unary = wnnGraphBuilderSoftplus}},
    {"softsign", a_unary, {.unary = wnnGraphBuilderSoftsign}}, {"tanh", a_unary, {.unary = wnnGraphBuilderTanh}},
    {"slice", a_slice, {.unary = NULL}}, {"softmax", a_softmax, {.unary = NULL}}, {"split", a_split, {.unary = NULL}},
    {"tile", a_shape, {.shape = wnnGraphBuilderTile}}, {"transpose", a_transpose, {.unary = NULL}}, {"triangular", a_triangular, {.unary = NULL}},
    {"where", a_ternary, {.quant = wnnGraphBuilderWhere}},
};

WNNStatus wgj_call_op(WNNGraphBuilder b, const char* op, const cJSON* args, WgjLookup lookup, void* lookupCtx,
                      WNNOperand* outs, size_t outCap, size_t* outCount, char* err, size_t errSize) {
    *outCount = 0;
    Replay r;
    memset(&r, 0, sizeof r);
    r.b = b;
    r.lookup = lookup;
    r.lookupCtx = lookupCtx;
    r.err = err;
    r.errSize = errSize;
    r.outs = outs;
    r.outCap = outCap;
    r.outCount = outCount;
    for (const cJSON* a = args ? args->child : NULL; a; a = a->next) {
        const cJSON* v = a->child; /* one-key object */
        if (!v) continue;
        if (v->string && strcmp(v->string, "options") == 0) r.opts = v;
        else if (r.npos < 8) r.pos[r.npos++] = v;
    }
    WNNStatus s = WNNStatus_UnknownError;
    size_t i;
    for (i = 0; i < sizeof k_ops / sizeof k_ops[0]; i++)
        if (strcmp(k_ops[i].name, op) == 0) break;
    if (i == sizeof k_ops / sizeof k_ops[0]) {
        snprintf(err, errSize, "unknown operator '%s'", op);
    } else {
        s = k_ops[i].adapter(&r, k_ops[i].fn);
        if (s && !r.bad) snprintf(err, errSize, "%s", wnnGetLastErrorMessage());
        if (s) *outCount = 0;
    }
    for (int k = 0; k < r.nlists; k++) free(r.lists[k]);
    return s;
}
