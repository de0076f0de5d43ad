/* conv.h: attributes of conv2d, convTranspose2d, the pools, gemm, matmul and resample2d. */
#ifndef WNN_GRAPH_OPS_CONV_H_
#define WNN_GRAPH_OPS_CONV_H_

#include <stdint.h>

/* conv2d / convTranspose2d: the filter is described by where each logical dimension lives. */
typedef struct WnnConvAttrs {
    uint32_t pad[4]; /* beginH, endH, beginW, endW */
    uint32_t strides[2], dilations[2];
    uint32_t groups;
    int nhwc;
    /* filter dimension index of: output channels, input channels, kh, kw */
    uint32_t fo, fi, fh, fw;
    uint32_t kh, kw;
    uint32_t cin, cout; /* total input and output channels */
} WnnConvAttrs;

typedef struct WnnPoolAttrs {
    uint32_t window[2], pad[4], strides[2], dilations[2];
    int nhwc;
} WnnPoolAttrs;

typedef struct WnnGemmAttrs {
    double alpha, beta;
    int aTranspose, bTranspose;
} WnnGemmAttrs;

typedef struct WnnResampleAttrs {
    int linear;
    uint32_t axes[2];
} WnnResampleAttrs;

#endif
