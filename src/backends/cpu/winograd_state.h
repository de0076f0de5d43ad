/* winograd_state.h: the state of a Winograd conv (onednn_winograd.c builds it) and the transform
 * loops that run it, split by layout: winograd_nhwc.c (runs of tiles, channels contiguous; also an
 * NCHW graph's conv on those transforms) and winograd_nchw.c (rows of tiles, x contiguous). */
#ifndef WNN_CPU_WINOGRAD_STATE_H
#define WNN_CPU_WINOGRAD_STATE_H
#ifdef WNN_HAVE_ONEDNN
#include <stddef.h>

#include "backends/cpu/onednn.h"
#include "core/threadpool.h"
#include "graph/ops/conv.h"

typedef struct Wino {
    /* First, so that an NCHW graph's conv run on the NHWC transforms is a oneDNN step to the
     * layout linking (onednn.h, wnn_onednn_link): x.base is the prepared state; x.in / x.out
     * describe NHWC (no buffers of their own), and once linked (x.inLinked / x.outLinked) the
     * neighbours' buffers hold NHWC; edges not linked are read and written as NCHW in place
     * (input_tiles, output_tiles). */
    WnnOnednnExec x;
    WnnConvAttrs a;
    size_t N, H, W, OH, OW, TH, TW, P;
    int m;                    /* output tile edge: F(2x2, 3x3), or F(4x4, 3x3) on the NHWC transforms */
    size_t E;                 /* products: (m + 2)^2 */
    size_t sN, sC, sH, sW;    /* input strides (elements) of n, c, y, x in the graph's layout */
    size_t oN, oC, oH, oW;    /* output strides */
    float* bias;              /* cout */
    int act;                  /* 0 none, 1 clamp to [lo, hi] (relu: [0, inf]) */
    float lo, hi;
    float* packedU;    /* NHWC: the E U[e], packed for our GEMM (sgemm_packed.h) */
    float* up;         /* NCHW: the 16 U'[e] (cout x cin each) */
    size_t blockTiles; /* NHWC: tiles per block (the block's V and M stay in L2) */
    float* whole;      /* NHWC with few tiles: V and M of every tile (E x P x (cin + cout)), or NULL */
    size_t blockRows;  /* NCHW: rows of tiles per block */
    int f16;          /* float16 tensors: converted through x32 / y32 (float32, the graph's layout) */
    float *x32, *y32; /* xN / yN elements */
    size_t xN, yN;
    /* An NCHW graph run on the NHWC transforms (they walk channels contiguously; NCHW's walk a row
     * of tiles per channel, 6.9 vs 4.5 ms on seed_conv on the AVX-512 machine). x.lock holds the
     * state's buffers for one dispatch at a time. */
    int viaNhwc;
} Wino;

typedef struct WinoRun {
    const Wino* w;
    const float* x;
    float* y;
    int* failed; /* set by a block that could not get its buffers */
    /* An NCHW graph's x / y read / written in place by the NHWC transforms (viaNhwc, not linked),
     * a row segment of tiles at a time through a small NHWC stage (input_tiles, output_tiles). */
    int nchwX, nchwY;
} WinoRun;

/* NCHW runs the transposed products M'[e] (cout x tiles) = U'[e] (cout x cin) x V'[e] (cin x tiles),
 * so that both transforms walk tiles, i.e. x, contiguously; NHWC runs V[e] (tiles x cin) x U[e],
 * walking channels contiguously. */
#define WNN_WINO_MAXW 1024 /* widest row (floats) the NCHW transforms buffer on the stack (wider: not fits) */

/* NHWC, blocks [begin, end) of w->blockTiles tiles each (ctx: a WinoRun). */
void wnn_wino_blocks_nhwc(void* ctx, size_t begin, size_t end);
/* NHWC with w->whole: the three steps over the whole tensor. */
void wnn_wino_run_whole(WinoRun* r, WnnThreadPool* pool);
/* NCHW, blocks [begin, end) of w->blockRows rows of tiles each (ctx: a WinoRun). */
void wnn_wino_blocks_nchw(void* ctx, size_t begin, size_t end);

#endif
#endif
