/* reduce.h: attributes of reductions, argMin/argMax, cumulativeSum and the normalizations. */
#ifndef WNN_GRAPH_OPS_REDUCE_H_
#define WNN_GRAPH_OPS_REDUCE_H_

#include <stdint.h>

#include "webnn/webnn.h"

typedef struct WnnReduceAttrs {
    uint32_t axesMask; /* bit d set: dimension d is reduced */
} WnnReduceAttrs;

typedef struct WnnArgAttrs {
    uint32_t axis;
} WnnArgAttrs;

typedef struct WnnCumSumAttrs {
    uint32_t axis;
    int exclusive, reversed;
} WnnCumSumAttrs;

/* batchNormalization (axis), instanceNormalization (axis = channel axis of the layout),
 * layerNormalization (axes in the given order), softmax (axis). */
typedef struct WnnNormAttrs {
    uint32_t axis;
    uint32_t axes[WNN_MAX_RANK];
    uint32_t axesCount;
    double epsilon;
} WnnNormAttrs;

#endif
