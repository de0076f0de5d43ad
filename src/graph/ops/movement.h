/* movement.h: attributes of the data-movement ops (read by the CPU and CUDA kernels) and the
 * helpers their builder files share. */
#ifndef WNN_GRAPH_OPS_MOVEMENT_H_
#define WNN_GRAPH_OPS_MOVEMENT_H_

#include <stdint.h>

#include "graph/graph.h"

/* The spec's valid dimension (1..2^31-1, a long) and valid tensor count (1..8192). */
#define WNN_MAX_DIMENSION 0x7fffffffu
#define WNN_MAX_TENSOR_COUNT 8192

/* concat, split, gather, gatherElements, scatterElements: the axis. */
typedef struct WnnAxisAttrs {
    uint32_t axis;
} WnnAxisAttrs;

/* transpose: permutation (output dimension d is input dimension perm[d]); slice: starts and
 * strides; reverse: reversed[d] is 1 for each reversed dimension. */
typedef struct WnnLayoutAttrs {
    uint32_t perm[WNN_MAX_RANK];
    uint32_t starts[WNN_MAX_RANK];
    uint32_t strides[WNN_MAX_RANK];
    uint8_t reversed[WNN_MAX_RANK];
} WnnLayoutAttrs;

typedef struct WnnPadAttrs {
    WNNPaddingMode mode; /* Constant, Edge or Reflection (never Undefined) */
    uint32_t begin[WNN_MAX_RANK];
    uint64_t value; /* the constant, cast to the input's type: its first element-size bytes */
} WnnPadAttrs;

typedef struct WnnTriangularAttrs {
    int upper; /* keep j - i >= diagonal (upper) or j - i <= diagonal (lower) in each matrix */
    int32_t diagonal;
} WnnTriangularAttrs;

/* Builder helpers (movement_ops.c). Begins an op with one operand in slot "input". */
WNNStatus wnn_movement_begin(WnnOpCall* call, WNNGraphBuilder b, WnnOpId op, const char* label, WNNOperand x,
                             const WnnDesc** d, WNNOperand* out);
/* A list argument that needs one entry per input dimension. */
WNNStatus wnn_movement_rank_list(const WnnOpCall* call, const char* what, const uint32_t* list, size_t count,
                                 uint32_t rank);

#endif
