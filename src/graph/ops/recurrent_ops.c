/* recurrent_ops.c: builder functions and limits of gru, gruCell, lstm and lstmCell.
 * Node inputs, in order: gru: input, weight, recurrentWeight, bias, recurrentBias,
 * initialHiddenState; gruCell: input, weight, recurrentWeight, hiddenState, bias, recurrentBias;
 * lstm: input, weight, recurrentWeight, bias, recurrentBias, peepholeWeight, initialHiddenState,
 * initialCellState; lstmCell: input, weight, recurrentWeight, hiddenState, cellState, bias,
 * recurrentBias, peepholeWeight. */
#include <string.h>

#include "graph/ops/op_limits.h"
#include "graph/ops/recurrent.h"

#define F WNN_T_FLOAT
const WnnOpInfo wnn_opinfo_gru = {"gru", 7, {SLOT("input", F, F, 3, 3, 3, 3), SLOT("weight", F, F, 3, 3, 3, 3),
    SLOT("recurrentWeight", F, F, 3, 3, 3, 3), SLOT("bias", F, F, 2, 2, 2, 2), SLOT("recurrentBias", F, F, 2, 2, 2, 2),
    SLOT("initialHiddenState", F, F, 3, 3, 3, 3), SLOT("outputs", F, F, 3, 4, 3, 4)}};
const WnnOpInfo wnn_opinfo_gruCell = {"gruCell", 7, {SLOT("input", F, F, 2, 2, 2, 2), SLOT("weight", F, F, 2, 2, 2, 2),
    SLOT("recurrentWeight", F, F, 2, 2, 2, 2), SLOT("hiddenState", F, F, 2, 2, 2, 2), SLOT("bias", F, F, 1, 1, 1, 1),
    SLOT("recurrentBias", F, F, 1, 1, 1, 1), SLOT("output", F, F, 2, 2, 2, 2)}};
const WnnOpInfo wnn_opinfo_lstm = {"lstm", 9, {SLOT("input", F, F, 3, 3, 3, 3), SLOT("weight", F, F, 3, 3, 3, 3),
    SLOT("recurrentWeight", F, F, 3, 3, 3, 3), SLOT("bias", F, F, 2, 2, 2, 2), SLOT("recurrentBias", F, F, 2, 2, 2, 2),
    SLOT("peepholeWeight", F, F, 2, 2, 2, 2), SLOT("initialHiddenState", F, F, 3, 3, 3, 3),
    SLOT("initialCellState", F, F, 3, 3, 3, 3), SLOT("outputs", F, F, 3, 4, 3, 4)}};
const WnnOpInfo wnn_opinfo_lstmCell = {"lstmCell", 9, {SLOT("input", F, F, 2, 2, 2, 2), SLOT("weight", F, F, 2, 2, 2, 2),
    SLOT("recurrentWeight", F, F, 2, 2, 2, 2), SLOT("hiddenState", F, F, 2, 2, 2, 2), SLOT("cellState", F, F, 2, 2, 2, 2),
    SLOT("bias", F, F, 1, 1, 1, 1), SLOT("recurrentBias", F, F, 1, 1, 1, 1), SLOT("peepholeWeight", F, F, 1, 1, 1, 1),
    SLOT("outputs", F, F, 2, 2, 2, 2)}};

/* An operand (optional when `optional`) of the input's type with exactly the given shape. */
static WNNStatus expect(const WnnOpCall* call, const char* slot, WNNOperand x, int optional, WNNOperandDataType type,
                        uint32_t rank, uint32_t d0, uint32_t d1, uint32_t d2) {
    const WnnDesc* d;
    WNNStatus s = optional ? wnn_op_optional_operand(call, slot, x, &d) : wnn_op_operand(call, slot, x, &d);
    if (s || !d) return s;
    if (d->type != type) return wnn_op_fail(call, "%s data type must match input", slot);
    uint32_t want[3] = {d0, d1, d2};
    WnnDesc w = {type, rank, {0}};
    memcpy(w.shape, want, sizeof want);
    if (!wnn_desc_equal(d, &w)) {
        char a[96], b[96];
        return wnn_op_fail(call, "%s must have shape %s (got %s)", slot, wnn_dims_str(want, rank, a, sizeof a),
                           wnn_dims_str(d->shape, d->rank, b, sizeof b));
    }
    return WNNStatus_Success;
}

/* Activations list: default or `count` valid entries. */
static WNNStatus activations(const WnnOpCall* call, const WNNRecurrentNetworkActivation* list, size_t n, size_t count,
                             WnnRecurrentAttrs* a) {
    static const WNNRecurrentNetworkActivation dflt[3] = {WNNRecurrentNetworkActivation_Sigmoid,
                                                          WNNRecurrentNetworkActivation_Tanh,
                                                          WNNRecurrentNetworkActivation_Tanh};
    if (!list) {
        memcpy(a->activations, dflt, sizeof dflt);
        return WNNStatus_Success;
    }
    if (n != count) return wnn_op_fail(call, "activations must have %zu entries (got %zu)", count, n);
    for (size_t i = 0; i < n; i++) {
        if (list[i] < WNNRecurrentNetworkActivation_Relu || list[i] > WNNRecurrentNetworkActivation_Tanh)
            return wnn_op_fail(call, "activations[%zu] is not relu, sigmoid or tanh", i);
        a->activations[i] = list[i];
    }
    return WNNStatus_Success;
}

static WNNStatus hidden_size(const WnnOpCall* call, uint32_t hidden, uint32_t gates) {
    if (hidden == 0 || (uint64_t)hidden * gates > 0x7fffffffu)
        return wnn_op_fail(call, "hiddenSize %u is not valid", hidden);
    return WNNStatus_Success;
}

static WNNStatus direction(const WnnOpCall* call, WNNRecurrentNetworkDirection d, WnnRecurrentAttrs* a) {
    if ((unsigned)d > WNNRecurrentNetworkDirection_Both) return wnn_op_fail(call, "invalid direction %d", (int)d);
    a->directions = d == WNNRecurrentNetworkDirection_Both ? 2 : 1;
    a->backward = d == WNNRecurrentNetworkDirection_Backward;
    return WNNStatus_Success;
}

static void gru_order(WNNGruWeightLayout layout, WnnRecurrentAttrs* a) {
    /* gate k (z, r, n) sits at position gateOrder[k] */
    int rzn = layout == WNNGruWeightLayout_Rzn;
    a->gateOrder[0] = rzn ? 1 : 0;
    a->gateOrder[1] = rzn ? 0 : 1;
    a->gateOrder[2] = 2;
}

static void lstm_order(WNNLstmWeightLayout layout, WnnRecurrentAttrs* a) {
    /* gate k (i, o, f, g): iofg -> 0,1,2,3; ifgo -> i 0, o 3, f 1, g 2 */
    int ifgo = layout == WNNLstmWeightLayout_Ifgo;
    a->gateOrder[0] = 0;
    a->gateOrder[1] = ifgo ? 3 : 1;
    a->gateOrder[2] = ifgo ? 1 : 2;
    a->gateOrder[3] = ifgo ? 2 : 3;
}

WNN_EXPORT WNNStatus wnnGraphBuilderGru(WNNGraphBuilder b, WNNOperand input, WNNOperand weight, WNNOperand rweight,
                                        uint32_t steps, uint32_t hidden, const WNNGruOptions* o, WNNOperand* outputs,
                                        size_t capacity, size_t* outputCount) {
    WNNGruOptions dflt = WNN_GRU_OPTIONS_INIT;
    if (!o) o = &dflt;
    if (outputCount) *outputCount = 0;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_gru, o->label, NULL);
    const WnnDesc* in;
    if (s || (s = wnn_op_operand(&call, "input", input, &in))) return s;
    WnnRecurrentAttrs a;
    memset(&a, 0, sizeof a);
    if ((s = hidden_size(&call, hidden, 3)) || (s = direction(&call, o->direction, &a))) return s;
    if (steps == 0 || steps != in->shape[0]) return wnn_op_fail(&call, "steps %u must equal input dimension 0 (%u)", steps, in->shape[0]);
    if ((unsigned)o->layout > WNNGruWeightLayout_Rzn) return wnn_op_fail(&call, "invalid layout %d", (int)o->layout);
    uint32_t nd = a.directions, batch = in->shape[1], isz = in->shape[2];
    if ((s = expect(&call, "weight", weight, 0, in->type, 3, nd, 3 * hidden, isz)) ||
        (s = expect(&call, "recurrentWeight", rweight, 0, in->type, 3, nd, 3 * hidden, hidden)) ||
        (s = expect(&call, "bias", o->bias, 1, in->type, 2, nd, 3 * hidden, 0)) ||
        (s = expect(&call, "recurrentBias", o->recurrentBias, 1, in->type, 2, nd, 3 * hidden, 0)) ||
        (s = expect(&call, "initialHiddenState", o->initialHiddenState, 1, in->type, 3, nd, batch, hidden)) ||
        (s = activations(&call, o->activations, o->activationsCount, 2, &a)))
        return s;
    a.steps = steps;
    a.hiddenSize = hidden;
    a.resetAfter = o->resetAfter != WNNOptionalBool_False;
    a.returnSequence = o->returnSequence;
    gru_order(o->layout, &a);
    size_t n = o->returnSequence ? 2 : 1;
    if (!outputs || capacity < n) return wnn_op_fail(&call, "outputs has room for %zu operands, %zu are needed", capacity, n);
    WnnDesc outs[2] = {{in->type, 3, {nd, batch, hidden}}, {in->type, 4, {steps, nd, batch, hidden}}};
    WNNOperand ins[6] = {input, weight, rweight, o->bias, o->recurrentBias, o->initialHiddenState};
    s = wnn_op_finish(&call, ins, 6, &a, sizeof a, outs, (uint32_t)n, outputs);
    if (!s && outputCount) *outputCount = n;
    return s;
}

WNN_EXPORT WNNStatus wnnGraphBuilderGruCell(WNNGraphBuilder b, WNNOperand input, WNNOperand weight, WNNOperand rweight,
                                            WNNOperand hiddenState, uint32_t hidden, const WNNGruCellOptions* o,
                                            WNNOperand* output) {
    WNNGruCellOptions dflt = WNN_GRU_CELL_OPTIONS_INIT;
    if (!o) o = &dflt;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_gruCell, o->label, output);
    const WnnDesc* in;
    if (s || (s = wnn_op_operand(&call, "input", input, &in)) || (s = hidden_size(&call, hidden, 3))) return s;
    if ((unsigned)o->layout > WNNGruWeightLayout_Rzn) return wnn_op_fail(&call, "invalid layout %d", (int)o->layout);
    WnnRecurrentAttrs a;
    memset(&a, 0, sizeof a);
    uint32_t batch = in->shape[0], isz = in->shape[1];
    if ((s = expect(&call, "weight", weight, 0, in->type, 2, 3 * hidden, isz, 0)) ||
        (s = expect(&call, "recurrentWeight", rweight, 0, in->type, 2, 3 * hidden, hidden, 0)) ||
        (s = expect(&call, "hiddenState", hiddenState, 0, in->type, 2, batch, hidden, 0)) ||
        (s = expect(&call, "bias", o->bias, 1, in->type, 1, 3 * hidden, 0, 0)) ||
        (s = expect(&call, "recurrentBias", o->recurrentBias, 1, in->type, 1, 3 * hidden, 0, 0)) ||
        (s = activations(&call, o->activations, o->activationsCount, 2, &a)))
        return s;
    a.steps = 1;
    a.directions = 1;
    a.hiddenSize = hidden;
    a.resetAfter = o->resetAfter != WNNOptionalBool_False;
    gru_order(o->layout, &a);
    WnnDesc out = {in->type, 2, {batch, hidden}};
    WNNOperand ins[6] = {input, weight, rweight, hiddenState, o->bias, o->recurrentBias};
    return wnn_op_finish(&call, ins, 6, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderLstm(WNNGraphBuilder b, WNNOperand input, WNNOperand weight, WNNOperand rweight,
                                         uint32_t steps, uint32_t hidden, const WNNLstmOptions* o, WNNOperand* outputs,
                                         size_t capacity, size_t* outputCount) {
    WNNLstmOptions dflt = WNN_LSTM_OPTIONS_INIT;
    if (!o) o = &dflt;
    if (outputCount) *outputCount = 0;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_lstm, o->label, NULL);
    const WnnDesc* in;
    if (s || (s = wnn_op_operand(&call, "input", input, &in))) return s;
    WnnRecurrentAttrs a;
    memset(&a, 0, sizeof a);
    if ((s = hidden_size(&call, hidden, 4)) || (s = direction(&call, o->direction, &a))) return s;
    if (steps == 0 || steps != in->shape[0]) return wnn_op_fail(&call, "steps %u must equal input dimension 0 (%u)", steps, in->shape[0]);
    if ((unsigned)o->layout > WNNLstmWeightLayout_Ifgo) return wnn_op_fail(&call, "invalid layout %d", (int)o->layout);
    uint32_t nd = a.directions, batch = in->shape[1], isz = in->shape[2];
    if ((s = expect(&call, "weight", weight, 0, in->type, 3, nd, 4 * hidden, isz)) ||
        (s = expect(&call, "recurrentWeight", rweight, 0, in->type, 3, nd, 4 * hidden, hidden)) ||
        (s = expect(&call, "bias", o->bias, 1, in->type, 2, nd, 4 * hidden, 0)) ||
        (s = expect(&call, "recurrentBias", o->recurrentBias, 1, in->type, 2, nd, 4 * hidden, 0)) ||
        (s = expect(&call, "peepholeWeight", o->peepholeWeight, 1, in->type, 2, nd, 3 * hidden, 0)) ||
        (s = expect(&call, "initialHiddenState", o->initialHiddenState, 1, in->type, 3, nd, batch, hidden)) ||
        (s = expect(&call, "initialCellState", o->initialCellState, 1, in->type, 3, nd, batch, hidden)) ||
        (s = activations(&call, o->activations, o->activationsCount, 3, &a)))
        return s;
    a.steps = steps;
    a.hiddenSize = hidden;
    a.returnSequence = o->returnSequence;
    lstm_order(o->layout, &a);
    size_t n = o->returnSequence ? 3 : 2;
    if (!outputs || capacity < n) return wnn_op_fail(&call, "outputs has room for %zu operands, %zu are needed", capacity, n);
    WnnDesc outs[3] = {{in->type, 3, {nd, batch, hidden}}, {in->type, 3, {nd, batch, hidden}},
                       {in->type, 4, {steps, nd, batch, hidden}}};
    WNNOperand ins[8] = {input, weight, rweight, o->bias, o->recurrentBias, o->peepholeWeight, o->initialHiddenState,
                         o->initialCellState};
    s = wnn_op_finish(&call, ins, 8, &a, sizeof a, outs, (uint32_t)n, outputs);
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
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_lstmCell, o->label, NULL);
    const WnnDesc* in;
    if (s || (s = wnn_op_operand(&call, "input", input, &in)) || (s = hidden_size(&call, hidden, 4))) return s;
    if ((unsigned)o->layout > WNNLstmWeightLayout_Ifgo) return wnn_op_fail(&call, "invalid layout %d", (int)o->layout);
    WnnRecurrentAttrs a;
    memset(&a, 0, sizeof a);
    uint32_t batch = in->shape[0], isz = in->shape[1];
    if ((s = expect(&call, "weight", weight, 0, in->type, 2, 4 * hidden, isz, 0)) ||
        (s = expect(&call, "recurrentWeight", rweight, 0, in->type, 2, 4 * hidden, hidden, 0)) ||
        (s = expect(&call, "hiddenState", hiddenState, 0, in->type, 2, batch, hidden, 0)) ||
        (s = expect(&call, "cellState", cellState, 0, in->type, 2, batch, hidden, 0)) ||
        (s = expect(&call, "bias", o->bias, 1, in->type, 1, 4 * hidden, 0, 0)) ||
        (s = expect(&call, "recurrentBias", o->recurrentBias, 1, in->type, 1, 4 * hidden, 0, 0)) ||
        (s = expect(&call, "peepholeWeight", o->peepholeWeight, 1, in->type, 1, 3 * hidden, 0, 0)) ||
        (s = activations(&call, o->activations, o->activationsCount, 3, &a)))
        return s;
    if (!outputs || capacity < 2) return wnn_op_fail(&call, "outputs has room for %zu operands, 2 are needed", capacity);
    a.steps = 1;
    a.directions = 1;
    a.hiddenSize = hidden;
    lstm_order(o->layout, &a);
    WnnDesc outs[2] = {{in->type, 2, {batch, hidden}}, {in->type, 2, {batch, hidden}}};
    WNNOperand ins[8] = {input, weight, rweight, hiddenState, cellState, o->bias, o->recurrentBias, o->peepholeWeight};
    s = wnn_op_finish(&call, ins, 8, &a, sizeof a, outs, 2, outputs);
    if (!s && outputCount) *outputCount = 2;
    return s;
}
