/* elementwise.h: attributes of the element-wise ops (binary, comparison, logical, unary math,
 * activations, clamp, cast, where, prelu). */
#ifndef WNN_GRAPH_OPS_ELEMENTWISE_H_
#define WNN_GRAPH_OPS_ELEMENTWISE_H_

#include <stdint.h>

/* Activations with scalar parameters: elu (alpha), hardSigmoid (alpha, beta), leakyRelu (alpha),
 * linear (alpha, beta). */
typedef struct WnnActivationAttrs {
    double alpha, beta;
} WnnActivationAttrs;

/* clamp: bounds already cast to the input type; has* false = no bound (a NaN bound is ignored). */
typedef struct WnnClampAttrs {
    int hasMin, hasMax;
    double minF, maxF;     /* float inputs */
    int64_t minI, maxI;    /* signed integer inputs */
    uint64_t minU, maxU;   /* unsigned integer inputs */
} WnnClampAttrs;

#endif
