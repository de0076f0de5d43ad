/* recurrent.h: attributes of gru, gruCell, lstm and lstmCell. */
#ifndef WNN_GRAPH_OPS_RECURRENT_H_
#define WNN_GRAPH_OPS_RECURRENT_H_

#include <stdint.h>

#include "webnn/webnn.h"

typedef struct WnnRecurrentAttrs {
    uint32_t steps, hiddenSize, directions;
    int backward;       /* direction == backward (with one direction) */
    int resetAfter;     /* gru */
    int returnSequence;
    int gateOrder[4];   /* position of gate k in the weights: gru z,r,n; lstm i,o,f,g */
    WNNRecurrentNetworkActivation activations[3];
} WnnRecurrentAttrs;

#endif
