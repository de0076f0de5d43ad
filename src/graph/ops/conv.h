/* conv.h: attributes of conv2d, convTranspose2d, the pools, gemm, matmul and resample2d. */
#ifndef WNN_GRAPH_OPS_CONV_H_
#define WNN_GRAPH_OPS_CONV_H_

#include <stddef.h>
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

/* The offset of filter element (output channel o, input channel i within its group, ky, kx) in a
 * dense filter of `shape`, whichever of the four layouts a describes. */
static inline size_t wnn_conv_filter_offset(const WnnConvAttrs* a, const uint32_t* shape, size_t o, size_t i, size_t ky,
                                            size_t kx) {
    size_t idx[4];
    idx[a->fo] = o;
    idx[a->fi] = i;
    idx[a->fh] = ky;
    idx[a->fw] = kx;
    return ((idx[0] * shape[1] + idx[1]) * shape[2] + idx[2]) * shape[3] + idx[3];
}

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
