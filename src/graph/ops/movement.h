/* movement.h: attributes of the data-movement ops. */
#ifndef WNN_GRAPH_OPS_MOVEMENT_H_
#define WNN_GRAPH_OPS_MOVEMENT_H_

#include <stdint.h>

#include "webnn/webnn.h"

/* concat, split, gather, gatherElements, scatterElements: the axis. */
typedef struct WnnAxisAttrs {
    uint32_t axis;
} WnnAxisAttrs;

/* transpose: permutation; slice: starts and strides; reverse: reversed mask in perm. */
typedef struct WnnLayoutAttrs {
    uint32_t perm[WNN_MAX_RANK];    /* transpose */
    uint32_t starts[WNN_MAX_RANK];  /* slice */
    uint32_t strides[WNN_MAX_RANK]; /* slice */
    uint8_t reversed[WNN_MAX_RANK]; /* reverse */
} WnnLayoutAttrs;

typedef struct WnnPadAttrs {
    WNNPaddingMode mode;
    uint32_t begin[WNN_MAX_RANK];
    uint64_t value; /* the constant, already in the input's type (raw bytes) */
} WnnPadAttrs;

typedef struct WnnTriangularAttrs {
    int upper;
    int32_t diagonal;
} WnnTriangularAttrs;

#endif
