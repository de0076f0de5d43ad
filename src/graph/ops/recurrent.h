/* recurrent.h: attributes of gru, gruCell, lstm and lstmCell, shared by the builder and the kernels.
 *
 * Node inputs (absent optional operands are NULL), in this order:
 *   gru:      input, weight, recurrentWeight, bias, recurrentBias, initialHiddenState
 *   gruCell:  input, weight, recurrentWeight, hiddenState, bias, recurrentBias
 *   lstm:     input, weight, recurrentWeight, bias, recurrentBias, peepholeWeight, initialHiddenState,
 *             initialCellState
 *   lstmCell: input, weight, recurrentWeight, hiddenState, cellState, bias, recurrentBias, peepholeWeight
 * Node outputs: the hidden state, then the cell state (lstm, lstmCell), then the sequence (gru and lstm
 * with returnSequence). The cells run as sequences of one step in one direction. */
#ifndef WNN_GRAPH_OPS_RECURRENT_H_
#define WNN_GRAPH_OPS_RECURRENT_H_

#include <stdint.h>

#include "webnn/webnn.h"

typedef struct WnnRecurrentAttrs {
    uint32_t steps, hiddenSize, directions;
    int backward;       /* one direction, processed from the last step to the first */
    int resetAfter;     /* gru: the reset gate scales (h . R + recurrentBias) instead of h */
    int returnSequence;
    /* Block (of hiddenSize rows) holding each gate in the weights and biases, gates in the
     * spec's names: gru z, r, n; lstm i, o, f, g. Set from the layout. */
    int gateOrder[4];
    /* gru: gates (z, r), new gate (n); lstm: gates (i, f, o), cell gate (g), cell filter. */
    WNNRecurrentNetworkActivation activations[3];
} WnnRecurrentAttrs;

#endif
