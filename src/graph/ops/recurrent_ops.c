/* recurrent_ops.c: builder functions and limits of gru, gruCell, lstm and lstmCell.
 * The four share one validator (the spec's method steps) driven by a table of their operand slots:
 * each slot's shape is one of a few kinds written in the spec's terms (numDirections, gates *
 * hiddenSize, inputSize, batchSize), so every message can quote the rule it checks. */
#include <stdio.h>
#include <string.h>

#include "graph/ops/op_limits.h"
#include "graph/ops/recurrent.h"

#define F WNN_T_FLOAT
const WnnOpInfo wnn_opinfo_gru = {"gru", 8, {SLOT("input", F, F, 3, 3, 3, 3), SLOT("weight", F, F, 3, 3, 3, 3),
    SLOT("recurrentWeight", F, F, 3, 3, 3, 3), SLOT("bias", F, F, 2, 2, 2, 2), SLOT("recurrentBias", F, F, 2, 2, 2, 2),
    SLOT("initialHiddenState", F, F, 3, 3, 3, 3), SLOT("output0", F, F, 3, 3, 3, 3), SLOT("output1", F, F, 4, 4, 4, 4)}};
const WnnOpInfo wnn_opinfo_gruCell = {"gruCell", 7, {SLOT("input", F, F, 2, 2, 2, 2), SLOT("weight", F, F, 2, 2, 2, 2),
    SLOT("recurrentWeight", F, F, 2, 2, 2, 2), SLOT("hiddenState", F, F, 2, 2, 2, 2), SLOT("bias", F, F, 1, 1, 1, 1),
    SLOT("recurrentBias", F, F, 1, 1, 1, 1), SLOT("output", F, F, 2, 2, 2, 2)}};
const WnnOpInfo wnn_opinfo_lstm = {"lstm", 11, {SLOT("input", F, F, 3, 3, 3, 3), SLOT("weight", F, F, 3, 3, 3, 3),
    SLOT("recurrentWeight", F, F, 3, 3, 3, 3), SLOT("bias", F, F, 2, 2, 2, 2), SLOT("recurrentBias", F, F, 2, 2, 2, 2),
    SLOT("peepholeWeight", F, F, 2, 2, 2, 2), SLOT("initialHiddenState", F, F, 3, 3, 3, 3),
    SLOT("initialCellState", F, F, 3, 3, 3, 3), SLOT("output0", F, F, 3, 3, 3, 3), SLOT("output1", F, F, 3, 3, 3, 3),
    SLOT("output2", F, F, 4, 4, 4, 4)}};
const WnnOpInfo wnn_opinfo_lstmCell = {"lstmCell", 10, {SLOT("input", F, F, 2, 2, 2, 2), SLOT("weight", F, F, 2, 2, 2, 2),
    SLOT("recurrentWeight", F, F, 2, 2, 2, 2), SLOT("hiddenState", F, F, 2, 2, 2, 2), SLOT("cellState", F, F, 2, 2, 2, 2),
    SLOT("bias", F, F, 1, 1, 1, 1), SLOT("recurrentBias", F, F, 1, 1, 1, 1), SLOT("peepholeWeight", F, F, 1, 1, 1, 1),
    SLOT("output0", F, F, 2, 2, 2, 2), SLOT("output1", F, F, 2, 2, 2, 2)}};

/* What an operand's shape must be, after the leading numDirections of the sequence ops. */
typedef enum ShapeKind {
    K_INPUT,     /* checked by its slot's rank; gives batchSize and inputSize */
    K_WEIGHT,    /* [gates * hiddenSize, inputSize] */
    K_RECURRENT, /* [gates * hiddenSize, hiddenSize] */
    K_BIAS,      /* [gates * hiddenSize] */
    K_PEEPHOLE,  /* [3 * hiddenSize] */
    K_STATE      /* [batchSize, hiddenSize] */
} ShapeKind;

typedef struct RnnSlot {
    const char* name;
    ShapeKind kind;
    int optional;
} RnnSlot;

typedef struct RnnOp {
    WnnOpId op;
    uint32_t gates;       /* 3 (gru), 4 (lstm) */
    int sequence;         /* gru, lstm: steps, direction, a leading numDirections dimension */
    size_t activations;   /* size of the activations list */
    uint32_t stateOutputs; /* outputs shaped like the hidden state: 1 (gru), 2 (lstm) */
    uint32_t slotCount;
    RnnSlot slots[8];     /* the node's inputs, in order */
} RnnOp;

static const RnnOp k_gru = {WNN_OP_gru, 3, 1, 2, 1, 6,
    {{"input", K_INPUT, 0}, {"weight", K_WEIGHT, 0}, {"recurrentWeight", K_RECURRENT, 0}, {"bias", K_BIAS, 1},
     {"recurrentBias", K_BIAS, 1}, {"initialHiddenState", K_STATE, 1}}};
static const RnnOp k_gru_cell = {WNN_OP_gruCell, 3, 0, 2, 1, 6,
    {{"input", K_INPUT, 0}, {"weight", K_WEIGHT, 0}, {"recurrentWeight", K_RECURRENT, 0},
     {"hiddenState", K_STATE, 0}, {"bias", K_BIAS, 1}, {"recurrentBias", K_BIAS, 1}}};
static const RnnOp k_lstm = {WNN_OP_lstm, 4, 1, 3, 2, 8,
    {{"input", K_INPUT, 0}, {"weight", K_WEIGHT, 0}, {"recurrentWeight", K_RECURRENT, 0}, {"bias", K_BIAS, 1},
     {"recurrentBias", K_BIAS, 1}, {"peepholeWeight", K_PEEPHOLE, 1}, {"initialHiddenState", K_STATE, 1},
     {"initialCellState", K_STATE, 1}}};
static const RnnOp k_lstm_cell = {WNN_OP_lstmCell, 4, 0, 3, 2, 8,
    {{"input", K_INPUT, 0}, {"weight", K_WEIGHT, 0}, {"recurrentWeight", K_RECURRENT, 0},
     {"hiddenState", K_STATE, 0}, {"cellState", K_STATE, 0}, {"bias", K_BIAS, 1}, {"recurrentBias", K_BIAS, 1},
     {"peepholeWeight", K_PEEPHOLE, 1}}};

/* Sizes the shape rules are written in. 64-bit so that gates * hiddenSize cannot wrap. */
typedef struct RnnSizes {
    uint64_t directions, batch, input, hidden;
} RnnSizes;

/* Checks operand `d` of slot `s` against its rule, e.g. "[numDirections, 3 * hiddenSize, inputSize]". */
static WNNStatus check_shape(const WnnOpCall* call, const RnnOp* def, const RnnSlot* s, const WnnDesc* d,
                             const RnnSizes* z) {
    uint64_t want[3];
    uint32_t n = 0;
    char rule[64];
    int len = snprintf(rule, sizeof rule, "%s", def->sequence ? "numDirections, " : "");
    if (def->sequence) want[n++] = z->directions;
    switch (s->kind) {
        case K_WEIGHT:
        case K_RECURRENT:
        case K_BIAS:
            want[n++] = def->gates * z->hidden;
            if (s->kind != K_BIAS) want[n++] = s->kind == K_WEIGHT ? z->input : z->hidden;
            snprintf(rule + len, sizeof rule - (size_t)len, "%u * hiddenSize%s", def->gates,
                     s->kind == K_WEIGHT ? ", inputSize" : s->kind == K_RECURRENT ? ", hiddenSize" : "");
            break;
        case K_PEEPHOLE:
            want[n++] = 3 * z->hidden;
            snprintf(rule + len, sizeof rule - (size_t)len, "3 * hiddenSize");
            break;
        default: /* K_STATE */
            want[n++] = z->batch;
            want[n++] = z->hidden;
            snprintf(rule + len, sizeof rule - (size_t)len, "batchSize, hiddenSize");
            break;
    }
    int same = d->rank == n;
    for (uint32_t i = 0; same && i < n; i++) same = d->shape[i] == want[i];
    if (same) return WNNStatus_Success;
    char got[96], exp[96];
    uint32_t w32[3];
    for (uint32_t i = 0; i < n; i++) w32[i] = (uint32_t)want[i]; /* hiddenSize was checked: no overflow */
    return wnn_op_fail(call, "%s shape %s must be [%s] = %s", s->name, wnn_dims_str(d->shape, d->rank, got, sizeof got),
                       rule, wnn_dims_str(w32, n, exp, sizeof exp));
}

/* The activations list: absent gives the spec's default, else exactly `count` valid entries. */
static WNNStatus check_activations(const WnnOpCall* call, const WNNRecurrentNetworkActivation* list, size_t n,
                                   size_t count, WnnRecurrentAttrs* a) {
    static const WNNRecurrentNetworkActivation dflt[3] = {
        WNNRecurrentNetworkActivation_Sigmoid, WNNRecurrentNetworkActivation_Tanh, WNNRecurrentNetworkActivation_Tanh};
    if (!list) {
        if (n) return wnn_op_fail(call, "activations is NULL but activationsCount is %zu", n);
        memcpy(a->activations, dflt, sizeof dflt);
        return WNNStatus_Success;
    }
    if (n != count) return wnn_op_fail(call, "activations must have %zu entries (got %zu)", count, n);
    for (size_t i = 0; i < n; i++) {
        if (list[i] < WNNRecurrentNetworkActivation_Relu || list[i] > WNNRecurrentNetworkActivation_Tanh)
            return wnn_op_fail(call, "activations[%zu] (%d) is not relu, sigmoid or tanh", i, (int)list[i]);
        a->activations[i] = list[i];
    }
    return WNNStatus_Success;
}

/* The method steps shared by the four ops, from "validating operand" to the output descriptors.
 * `a` holds the options already read (direction, layout, resetAfter, returnSequence). */
static WNNStatus build(const WnnOpCall* call, const RnnOp* def, const WNNOperand* x, uint32_t steps, uint32_t hidden,
                       const WNNRecurrentNetworkActivation* acts, size_t actCount, WnnRecurrentAttrs* a,
                       WNNOperand* outputs) {
    const WnnDesc* d[8] = {NULL};
    WNNStatus s;
    for (uint32_t i = 0; i < def->slotCount; i++) {
        const char* name = def->slots[i].name;
        s = def->slots[i].optional ? wnn_op_optional_operand(call, name, x[i], &d[i])
                                   : wnn_op_operand(call, name, x[i], &d[i]);
        if (s) return s;
    }
    const WnnDesc* in = d[0];
    for (uint32_t i = 1; i < def->slotCount; i++)
        if (d[i] && d[i]->type != in->type)
            return wnn_op_fail(call, "%s data type %s must match the input's (%s)", def->slots[i].name,
                               wnn_type_name(d[i]->type), wnn_type_name(in->type));
    uint32_t lead = def->sequence ? 1 : 0;
    if (def->sequence) {
        if (steps == 0) return wnn_op_fail(call, "steps must be greater than 0");
        if (in->shape[0] != steps)
            return wnn_op_fail(call, "steps %u must equal the input's first dimension %u", steps, in->shape[0]);
    }
    /* Some platforms concatenate bias and recurrentBias: 2 * gates * hiddenSize must be a valid
     * dimension too. */
    uint64_t biasPair = 2ull * def->gates * hidden;
    if (hidden == 0 || biasPair > INT32_MAX)
        return wnn_op_fail(call, "hiddenSize %u is not valid (%u * hiddenSize must be in 1..%d)", hidden,
                           2 * def->gates, INT32_MAX);
    RnnSizes z = {a->directions, in->shape[lead], in->shape[lead + 1], hidden};
    /* The spec checks the required operands' shapes before the optional ones'. */
    for (int optional = 0; optional <= 1; optional++)
        for (uint32_t i = 1; i < def->slotCount; i++)
            if (def->slots[i].optional == optional && d[i] && (s = check_shape(call, def, &def->slots[i], d[i], &z)))
                return s;
    if ((s = check_activations(call, acts, actCount, def->activations, a))) return s;

    a->steps = def->sequence ? steps : 1;
    a->hiddenSize = hidden;
    WnnDesc outs[3];
    uint32_t n = 0;
    WnnDesc state = {in->type, lead + 2, {0}};
    if (def->sequence) state.shape[0] = a->directions;
    state.shape[lead] = in->shape[lead];
    state.shape[lead + 1] = hidden;
    while (n < def->stateOutputs) outs[n++] = state;
    if (a->returnSequence) outs[n++] = (WnnDesc){in->type, 4, {steps, a->directions, in->shape[1], hidden}};
    return wnn_op_finish(call, x, def->slotCount, a, sizeof *a, outs, n, outputs);
}

/* The C API's output array: room for `n` operands (cleared first so a failure leaves NULLs). */
static WNNStatus output_room(const WnnOpCall* call, WNNOperand* outputs, size_t capacity, size_t n) {
    for (size_t i = 0; outputs && i < capacity && i < 3; i++) outputs[i] = NULL;
    if (!outputs || capacity < n)
        return wnn_op_fail(call, "outputs has room for %zu operands, %zu are needed", outputs ? capacity : 0, n);
    return WNNStatus_Success;
}

static WNNStatus read_direction(const WnnOpCall* call, WNNRecurrentNetworkDirection d, WnnRecurrentAttrs* a) {
    if ((unsigned)d > WNNRecurrentNetworkDirection_Both)
        return wnn_op_fail(call, "direction %d is not forward, backward or both", (int)d);
    a->directions = d == WNNRecurrentNetworkDirection_Both ? 2 : 1;
    a->backward = d == WNNRecurrentNetworkDirection_Backward;
    return WNNStatus_Success;
}

/* gru layout and resetAfter. gateOrder lists the blocks of z, r, n. */
static WNNStatus read_gru_options(const WnnOpCall* call, WNNGruWeightLayout layout, WNNOptionalBool resetAfter,
                                  WnnRecurrentAttrs* a) {
    if ((unsigned)layout > WNNGruWeightLayout_Rzn) return wnn_op_fail(call, "layout %d is not zrn or rzn", (int)layout);
    if ((unsigned)resetAfter > WNNOptionalBool_True)
        return wnn_op_fail(call, "resetAfter %d is not a WNNOptionalBool", (int)resetAfter);
    int rzn = layout == WNNGruWeightLayout_Rzn;
    a->gateOrder[0] = rzn ? 1 : 0;
    a->gateOrder[1] = rzn ? 0 : 1;
    a->gateOrder[2] = 2;
    a->resetAfter = resetAfter != WNNOptionalBool_False; /* default true */
    return WNNStatus_Success;
}

/* lstm layout. gateOrder lists the blocks of i, o, f, g: iofg 0,1,2,3; ifgo 0,3,1,2. */
static WNNStatus read_lstm_layout(const WnnOpCall* call, WNNLstmWeightLayout layout, WnnRecurrentAttrs* a) {
    if ((unsigned)layout > WNNLstmWeightLayout_Ifgo) return wnn_op_fail(call, "layout %d is not iofg or ifgo", (int)layout);
    int ifgo = layout == WNNLstmWeightLayout_Ifgo;
    a->gateOrder[0] = 0;
    a->gateOrder[1] = ifgo ? 3 : 1;
    a->gateOrder[2] = ifgo ? 1 : 2;
    a->gateOrder[3] = ifgo ? 2 : 3;
    return WNNStatus_Success;
}

WNN_EXPORT WNNStatus wnnGraphBuilderGru(WNNGraphBuilder b, WNNOperand input, WNNOperand weight, WNNOperand rweight,
                                        uint32_t steps, uint32_t hidden, const WNNGruOptions* o, WNNOperand* outputs,
                                        size_t capacity, size_t* outputCount) {
    WNNGruOptions dflt = WNN_GRU_OPTIONS_INIT;
    if (!o) o = &dflt;
    if (outputCount) *outputCount = 0;
    WnnRecurrentAttrs a;
    memset(&a, 0, sizeof a);
    a.returnSequence = o->returnSequence;
    size_t n = o->returnSequence ? 2 : 1;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_gru, o->label, NULL);
    if (s || (s = output_room(&call, outputs, capacity, n)) || (s = read_direction(&call, o->direction, &a)) ||
        (s = read_gru_options(&call, o->layout, o->resetAfter, &a)))
        return s;
    WNNOperand x[6] = {input, weight, rweight, o->bias, o->recurrentBias, o->initialHiddenState};
    s = build(&call, &k_gru, x, steps, hidden, o->activations, o->activationsCount, &a, outputs);
    if (!s && outputCount) *outputCount = n;
    return s;
}

WNN_EXPORT WNNStatus wnnGraphBuilderGruCell(WNNGraphBuilder b, WNNOperand input, WNNOperand weight, WNNOperand rweight,
                                            WNNOperand hiddenState, uint32_t hidden, const WNNGruCellOptions* o,
                                            WNNOperand* output) {
    WNNGruCellOptions dflt = WNN_GRU_CELL_OPTIONS_INIT;
    if (!o) o = &dflt;
    WnnRecurrentAttrs a;
    memset(&a, 0, sizeof a);
    a.directions = 1;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_gruCell, o->label, output);
    if (s || (s = read_gru_options(&call, o->layout, o->resetAfter, &a))) return s;
    WNNOperand x[6] = {input, weight, rweight, hiddenState, o->bias, o->recurrentBias};
    return build(&call, &k_gru_cell, x, 1, hidden, o->activations, o->activationsCount, &a, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderLstm(WNNGraphBuilder b, WNNOperand input, WNNOperand weight, WNNOperand rweight,
                                         uint32_t steps, uint32_t hidden, const WNNLstmOptions* o, WNNOperand* outputs,
                                         size_t capacity, size_t* outputCount) {
    WNNLstmOptions dflt = WNN_LSTM_OPTIONS_INIT;
    if (!o) o = &dflt;
    if (outputCount) *outputCount = 0;
    WnnRecurrentAttrs a;
    memset(&a, 0, sizeof a);
    a.returnSequence = o->returnSequence;
    size_t n = o->returnSequence ? 3 : 2;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_lstm, o->label, NULL);
    if (s || (s = output_room(&call, outputs, capacity, n)) || (s = read_direction(&call, o->direction, &a)) ||
        (s = read_lstm_layout(&call, o->layout, &a)))
        return s;
    WNNOperand x[8] = {input, weight, rweight, o->bias, o->recurrentBias, o->peepholeWeight, o->initialHiddenState,
                       o->initialCellState};
    s = build(&call, &k_lstm, x, steps, hidden, o->activations, o->activationsCount, &a, outputs);
    if (!s && outputCount) *outputCount = n;
    return s;
}

WNN_EXPORT WNNStatus wnnGraphBuilderLstmCell(WNNGraphBuilder b, WNNOperand input, WNNOperand weight, WNNOperand rweight,
                                             WNNOperand hiddenState, WNNOperand cellState, uint32_t hidden,
                                             const WNNLstmCellOptions* o, WNNOperand* outputs, size_t capacity,
                                             size_t* outputCount) {
    WNNLstmCellOptions dflt = WNN_LSTM_CELL_OPTIONS_INIT;
    if (!o) o = &dflt;
    if (outputCount) *outputCount = 0;
    WnnRecurrentAttrs a;
    memset(&a, 0, sizeof a);
    a.directions = 1;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_lstmCell, o->label, NULL);
    if (s || (s = output_room(&call, outputs, capacity, 2)) || (s = read_lstm_layout(&call, o->layout, &a))) return s;
    WNNOperand x[8] = {input, weight, rweight, hiddenState, cellState, o->bias, o->recurrentBias, o->peepholeWeight};
    s = build(&call, &k_lstm_cell, x, 1, hidden, o->activations, o->activationsCount, &a, outputs);
    if (!s && outputCount) *outputCount = 2;
    return s;
}
