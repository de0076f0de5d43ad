/* onednn_winograd.c: 3x3 stride-1 conv2d as Winograd F(2x2, 3x3) (float32, or float16 converted
 * at the edges and run in float32; constant filter, one group; onednn.h). oneDNN 2.6 has no Winograd kernel for AVX2, and its direct kernel runs large
 * 3x3 convs at ~75% of the FMA peak; F(2x2, 3x3) does 2.25x fewer multiplications:
 *   V[e][tile][ci] = (B^T d B)[e]   for each 4x4 input patch d (tiles step 2, zeros outside)
 *   M[e]           = V[e] x U[e]    16 products [tiles x cin] x [cin x cout] (U = G g G^T, the
 *                                   filter transformed once at build)
 *   y              = A^T m A        2x2 outputs per tile, + bias, then relu / clamp if fused.
 * The transforms and products run block by block of tiles on our pool: a block's V, its 16
 * products on our packed GEMM and its outputs, while they are in the core's L2 (one pass of V and
 * M of the whole tensor through memory took about as long as the products). NHWC blocks are runs
 * of tiles, with U packed at build; NCHW ones are rows of tiles, transposed (M' = U' V', V' packed
 * per block), so that their transforms walk x contiguously. Chosen by time (cpu_prepare.c); the
 * rounding differs from a direct sum (a few ulp of the terms' magnitude). The NHWC transforms also
 * run F(4x4, 3x3) (winograd_f4.h: 36 products, 4 x 4 outputs a tile) on larger outputs
 * (tile_edge), and tensors with few tiles as three whole steps instead of blocks (run_whole). */
#ifdef WNN_HAVE_ONEDNN
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/onednn.h"
#include "backends/cpu/sgemm_packed.h"
#include "backends/cpu/transpose_tile.h"
#include "backends/cpu/winograd_f4.h"
#include "graph/ops/conv.h"
#include "graph/ops/elementwise.h"

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
#define MAXW 1024 /* widest row (floats) the NCHW transforms buffer on the stack (wider: not fits) */

/* V'[4i .. 4i+3] of a row of tiles of one channel from row i of t = B^T d. */
static void row_in(const float* restrict ti, float* restrict v, size_t stride, size_t TW) {
    float *restrict v0 = v, *restrict v1 = v + stride, *restrict v2 = v + 2 * stride, *restrict v3 = v + 3 * stride;
    for (size_t tx = 0; tx < TW; tx++) {
        v0[tx] = ti[2 * tx] - ti[2 * tx + 2];
        v1[tx] = ti[2 * tx + 1] + ti[2 * tx + 2];
        v2[tx] = ti[2 * tx + 2] - ti[2 * tx + 1];
        v3[tx] = ti[2 * tx + 1] - ti[2 * tx + 3];
    }
}

/* V' of rows [begin, end) of tiles: element e of channel ci's tiles at vp + (e * cin + ci) * P,
 * tile begin * TW + q at q (P = the block's tiles). */
static void input_rows_nchw(const WinoRun* r, size_t begin, size_t end, float* vp, size_t P) {
    const Wino* w = r->w;
    size_t cin = w->a.cin, span = 2 * w->TW + 2, TW = w->TW;
    float row[4][MAXW + 2], t[4][MAXW + 2];
    for (size_t rw = begin; rw < end; rw++) {
        size_t n = rw / w->TH, ty = rw % w->TH, p0 = (rw - begin) * TW;
        long iy0 = (long)(2 * ty) - (long)w->a.pad[0], padL = (long)w->a.pad[2];
        for (size_t ci = 0; ci < cin; ci++) {
            const float* plane = r->x + n * w->sN + ci * w->sC;
            for (int i = 0; i < 4; i++) { /* the 4 input rows under this row of tiles, zero-padded */
                long iy = iy0 + i;
                if (iy < 0 || iy >= (long)w->H) {
                    memset(row[i], 0, sizeof(float) * span);
                    continue;
                }
                /* row[i][k] = x[iy][k - padL], zero outside [0, W) */
                const float* src = plane + (size_t)iy * w->W;
                size_t lo = (size_t)padL < span ? (size_t)padL : span;
                size_t hi = (size_t)padL + w->W < span ? (size_t)padL + w->W : span;
                memset(row[i], 0, sizeof(float) * lo);
                memcpy(row[i] + lo, src + (lo - (size_t)padL), sizeof(float) * (hi - lo));
                memset(row[i] + hi, 0, sizeof(float) * (span - hi));
            }
            for (size_t k = 0; k < span; k++) { /* t = B^T d, whole rows at once */
                t[0][k] = row[0][k] - row[2][k];
                t[1][k] = row[1][k] + row[2][k];
                t[2][k] = row[2][k] - row[1][k];
                t[3][k] = row[1][k] - row[3][k];
            }
            for (int i = 0; i < 4; i++) /* V' = t B, per tile */
                row_in(t[i], vp + ((size_t)(i * 4) * cin + ci) * P + p0, cin * P, TW);
        }
    }
}

/* The two output rows (2 TW values each) of a row of tiles of one channel: y = A^T m A. */
static void row_out(const float* restrict m, size_t stride, size_t TW, float* restrict y0, float* restrict y1) {
    for (size_t tx = 0; tx < TW; tx++) {
        float s0[4], s1[4];
        for (int j = 0; j < 4; j++) { /* s = A^T m */
            s0[j] = m[(size_t)j * stride + tx] + m[(size_t)(4 + j) * stride + tx] + m[(size_t)(8 + j) * stride + tx];
            s1[j] = m[(size_t)(4 + j) * stride + tx] - m[(size_t)(8 + j) * stride + tx] - m[(size_t)(12 + j) * stride + tx];
        }
        y0[2 * tx] = s0[0] + s0[1] + s0[2];
        y0[2 * tx + 1] = s0[1] - s0[2] - s0[3];
        y1[2 * tx] = s1[0] + s1[1] + s1[2];
        y1[2 * tx + 1] = s1[1] - s1[2] - s1[3];
    }
}

/* y of rows [begin, end) of tiles from their M' (laid out as input_rows_nchw's V'). */
static void output_rows_nchw(const WinoRun* r, size_t begin, size_t end, const float* mp, size_t P) {
    const Wino* w = r->w;
    size_t cout = w->a.cout, TW = w->TW, stride = cout * P;
    float y[2][2 * MAXW + 2];
    for (size_t rw = begin; rw < end; rw++) {
        size_t n = rw / w->TH, ty = rw % w->TH, p0 = (rw - begin) * TW;
        for (size_t co = 0; co < cout; co++) {
            const float* m = mp + co * P + p0; /* m + e * stride: element e of each tile */
            row_out(m, stride, TW, y[0], y[1]);
            float b = w->bias[co];
            for (int i = 0; i < 2; i++) {
                size_t oy = 2 * ty + (size_t)i;
                if (oy >= w->OH) break;
                float* dst = r->y + n * w->oN + co * w->oC + oy * w->OW;
                if (w->act)
                    for (size_t ox = 0; ox < w->OW; ox++) {
                        float v = y[i][ox] + b;
                        dst[ox] = v < w->lo ? w->lo : v > w->hi ? w->hi : v;
                    }
                else
                    for (size_t ox = 0; ox < w->OW; ox++) dst[ox] = y[i][ox] + b;
            }
        }
    }
}

static const float g_zeros[4096];

/* Elements 4i..4i+3 of V for one tile, every channel: row i of t = B^T d (d[k]: pixel k's channels). */
static void tile_in_row(int i, const float* const* d, float* restrict out, size_t plane, size_t cin) {
    /* B^T's row i combines input rows (a, b) as sa * a + sb * b */
    static const int ra[4] = {0, 1, 2, 1}, rb[4] = {2, 2, 1, 3};
    static const float sb[4] = {-1, 1, -1, -1};
    const float *restrict a0 = d[ra[i] * 4], *restrict a1 = d[ra[i] * 4 + 1], *restrict a2 = d[ra[i] * 4 + 2],
                *restrict a3 = d[ra[i] * 4 + 3];
    const float *restrict b0 = d[rb[i] * 4], *restrict b1 = d[rb[i] * 4 + 1], *restrict b2 = d[rb[i] * 4 + 2],
                *restrict b3 = d[rb[i] * 4 + 3];
    float s = sb[i];
    float *restrict o0 = out, *restrict o1 = out + plane, *restrict o2 = out + 2 * plane, *restrict o3 = out + 3 * plane;
    for (size_t ci = 0; ci < cin; ci++) {
        float t0 = a0[ci] + s * b0[ci], t1 = a1[ci] + s * b1[ci], t2 = a2[ci] + s * b2[ci], t3 = a3[ci] + s * b3[ci];
        o0[ci] = t0 - t2;
        o1[ci] = t1 + t2;
        o2[ci] = t2 - t1;
        o3[ci] = t1 - t3;
    }
}

/* One tile's V from its alpha x alpha pixels d (cin channels each): element e at out + e * plane. */
static void tile_input(const Wino* w, const float* const* d, float* out, size_t plane) {
    if (w->m == 4) {
        wnn_wino4_input_tile(d, out, plane, w->a.cin);
        return;
    }
    for (int i = 0; i < 4; i++) /* row i of B^T d, then its 4 elements times B */
        tile_in_row(i, d, out + (size_t)i * 4 * plane, plane, w->a.cin);
}

/* V of tiles [begin, end) (numbered image by image, row by row); tile begin + t at vp + t * cin,
 * element e of every tile at e * plane (plane = the block's tiles x cin). */
static void input_tiles_nhwc(const WinoRun* r, size_t begin, size_t end, float* vp, size_t plane) {
    const Wino* w = r->w;
    size_t cin = w->a.cin;
    int m = w->m, alpha = m + 2;
    for (size_t t = begin; t < end; t++) {
        size_t rw = t / w->TW, tx = t % w->TW, n = rw / w->TH, ty = rw % w->TH;
        long iy0 = (long)(m * ty) - (long)w->a.pad[0], ix0 = (long)(m * tx) - (long)w->a.pad[2];
        const float* d[36]; /* the alpha x alpha input pixels (cin channels each) of this tile, or zeros */
        for (int i = 0; i < alpha; i++)
            for (int j = 0; j < alpha; j++) {
                long iy = iy0 + i, ix = ix0 + j;
                d[i * alpha + j] = iy >= 0 && ix >= 0 && iy < (long)w->H && ix < (long)w->W
                                       ? r->x + n * w->sN + (size_t)iy * w->sH + (size_t)ix * w->sW
                                       : g_zeros;
            }
        tile_input(w, d, vp + (t - begin) * cin, plane);
    }
}

/* One tile's 2x2 outputs for every channel: e[k] + k * plane is element k of the tile's M. */
static void tile_out(const float* restrict e, size_t plane, size_t cout, const float* restrict bias, int act, float lo, float hi,
                     float* restrict d0, float* restrict d1, float* restrict d2, float* restrict d3) {
    for (size_t co = 0; co < cout; co++) {
        float s0[4], s1[4];
        for (int j = 0; j < 4; j++) {
            s0[j] = e[(size_t)j * plane + co] + e[(size_t)(4 + j) * plane + co] + e[(size_t)(8 + j) * plane + co];
            s1[j] = e[(size_t)(4 + j) * plane + co] - e[(size_t)(8 + j) * plane + co] - e[(size_t)(12 + j) * plane + co];
        }
        float b = bias[co];
        float v0 = s0[0] + s0[1] + s0[2] + b, v1 = s0[1] - s0[2] - s0[3] + b;
        float v2 = s1[0] + s1[1] + s1[2] + b, v3 = s1[1] - s1[2] - s1[3] + b;
        if (act) { /* as clamp does: a NaN stays NaN */
            v0 = v0 < lo ? lo : v0 > hi ? hi : v0;
            v1 = v1 < lo ? lo : v1 > hi ? hi : v1;
            v2 = v2 < lo ? lo : v2 > hi ? hi : v2;
            v3 = v3 < lo ? lo : v3 > hi ? hi : v3;
        }
        d0[co] = v0, d1[co] = v1, d2[co] = v2, d3[co] = v3;
    }
}

/* One tile's m x m outputs from its M (element e at e + e * plane): output q of every channel to dst[q]. */
static void tile_output(const Wino* w, const float* e, size_t plane, float* const* dst) {
    size_t cout = w->a.cout;
    if (w->m == 4)
        wnn_wino4_output_tile(e, plane, cout, w->bias, w->act, w->lo, w->hi, dst);
    else
        tile_out(e, plane, cout, w->bias, w->act, w->lo, w->hi, dst[0], dst[1], dst[2], dst[3]);
}

/* y of tiles [begin, end) from their M (laid out as input_tiles_nhwc's V); outputs past the
 * edge (sizes not a multiple of m) go to sink (m * m x cout floats), unread. */
static void output_tiles_nhwc(const WinoRun* r, size_t begin, size_t end, const float* mp, size_t plane, float* sink) {
    const Wino* w = r->w;
    size_t cout = w->a.cout, m = (size_t)w->m;
    for (size_t t = begin; t < end; t++) {
        size_t rw = t / w->TW, tx = t % w->TW, n = rw / w->TH, ty = rw % w->TH;
        float* dst[16];
        for (size_t q = 0; q < m * m; q++) {
            size_t oy = m * ty + q / m, ox = m * tx + q % m;
            dst[q] = oy < w->OH && ox < w->OW ? r->y + n * w->oN + oy * w->oH + ox * w->oW : sink + q * cout;
        }
        tile_output(w, mp + (t - begin) * cout, plane, dst);
    }
}

/* ---- an NCHW graph's tensors on the NHWC transforms, in place: a row segment of tiles (the
 * tiles of [begin, end) in one row of tiles) at a time through an NHWC stage, transposed in 4 x 4
 * blocks (transpose_tile.h), instead of a reorder of the whole tensor before and after (two more
 * passes over memory: 1.1 of seed_conv's 8 ms on Zen 3). */

/* Floats of the stage for up to `tiles` tiles a call: the input rows of a segment, or its outputs. */
static size_t stage_floats(const Wino* w, size_t tiles) {
    size_t m = (size_t)w->m, seg = tiles < w->TW ? tiles : w->TW;
    size_t in = (m + 2) * (m * seg + 2) * w->a.cin, out = m * m * seg * w->a.cout;
    return in > out ? in : out;
}

/* stage[(i * cols + k) * cin + c] = x(n, c, iy0 + i, ix0 + k), 0 outside the image (i < m + 2). */
static void stage_rows_nchw(const WinoRun* r, size_t n, long iy0, long ix0, size_t cols, float* stage) {
    const Wino* w = r->w;
    size_t cin = w->a.cin, H = w->H, W = w->W, rows = (size_t)w->m + 2;
    const float* x = r->x + n * cin * H * W;
    long first = ix0 < 0 ? -ix0 : 0, last = (long)W - ix0 < (long)cols ? (long)W - ix0 : (long)cols; /* valid k */
    for (size_t i = 0; i < rows; i++) {
        float* row = stage + i * cols * cin;
        long iy = iy0 + (long)i;
        if (iy < 0 || iy >= (long)H || last <= first) {
            memset(row, 0, sizeof(float) * cols * cin);
            continue;
        }
        memset(row, 0, sizeof(float) * (size_t)first * cin);
        memset(row + (size_t)last * cin, 0, sizeof(float) * (cols - (size_t)last) * cin);
        wnn_transpose_rect((char*)(row + (size_t)first * cin), (int64_t)cin, (const char*)(x + (size_t)iy * W + (size_t)(ix0 + first)),
                           (int64_t)(H * W), sizeof(float), cin, (size_t)(last - first));
    }
}

/* V of tiles [begin, end) as input_tiles_nhwc's, from NCHW x through stage (stage_floats). */
static void input_tiles(const WinoRun* r, size_t begin, size_t end, float* vp, size_t plane, float* stage) {
    if (!r->nchwX) {
        input_tiles_nhwc(r, begin, end, vp, plane);
        return;
    }
    const Wino* w = r->w;
    size_t m = (size_t)w->m, alpha = m + 2, cin = w->a.cin;
    for (size_t t = begin; t < end;) {
        size_t rw = t / w->TW, tx0 = t % w->TW, n = rw / w->TH, ty = rw % w->TH;
        size_t segEnd = (rw + 1) * w->TW < end ? (rw + 1) * w->TW : end, cols = m * (segEnd - t) + 2;
        stage_rows_nchw(r, n, (long)(m * ty) - (long)w->a.pad[0], (long)(m * tx0) - (long)w->a.pad[2], cols, stage);
        for (size_t q = 0; t + q < segEnd; q++) {
            const float* d[36];
            for (size_t i = 0; i < alpha; i++)
                for (size_t j = 0; j < alpha; j++) d[i * alpha + j] = stage + (i * cols + q * m + j) * cin;
            tile_input(w, d, vp + (t + q - begin) * cin, plane);
        }
        t = segEnd;
    }
}

/* y of tiles [begin, end) as output_tiles_nhwc's, into NCHW y through stage (stage_floats). */
static void output_tiles(const WinoRun* r, size_t begin, size_t end, const float* mp, size_t plane, float* stage) {
    if (!r->nchwY) {
        output_tiles_nhwc(r, begin, end, mp, plane, stage);
        return;
    }
    const Wino* w = r->w;
    size_t m = (size_t)w->m, cout = w->a.cout, OH = w->OH, OW = w->OW;
    for (size_t t = begin; t < end;) {
        size_t rw = t / w->TW, tx0 = t % w->TW, n = rw / w->TH, ty = rw % w->TH;
        size_t segEnd = (rw + 1) * w->TW < end ? (rw + 1) * w->TW : end, cols = m * (segEnd - t);
        for (size_t q = 0; t + q < segEnd; q++) {
            float* dst[16];
            for (size_t k = 0; k < m * m; k++) dst[k] = stage + ((k / m) * cols + q * m + k % m) * cout;
            tile_output(w, mp + (t + q - begin) * cout, plane, dst);
        }
        size_t ox0 = m * tx0, valid = OW - ox0 < cols ? OW - ox0 : cols;
        for (size_t i = 0; i < m && m * ty + i < OH; i++)
            wnn_transpose_rect((char*)(r->y + n * cout * OH * OW + (m * ty + i) * OW + ox0), (int64_t)(OH * OW),
                               (const char*)(stage + i * cols * cout), (int64_t)cout, sizeof(float), valid, cout);
        t = segEnd;
    }
}

/* NHWC, blocks [begin, end) of blockTiles tiles each: the block's V, its E products on our
 * GEMM (this thread alone) and its outputs, while V and M are still in this core's L2. One pass
 * over V and M of the whole tensor through memory (16 x tiles x channels floats each way, 64 MB on
 * seed_conv) took about as long as the products. */
static void blocks_nhwc(void* ctx, size_t begin, size_t end) {
    const WinoRun* r = ctx;
    const Wino* w = r->w;
    size_t cin = w->a.cin, cout = w->a.cout, most = w->blockTiles, E = w->E;
    float* vp = malloc(sizeof(float) * (E * most * (cin + cout) + stage_floats(w, most)));
    if (!vp) { /* no block buffers: nothing can run (the caller reports it) */
        __atomic_store_n(r->failed, 1, __ATOMIC_RELAXED);
        return;
    }
    float *mp = vp + E * most * cin, *stage = mp + E * most * cout; /* also output_tiles_nhwc's sink */
    for (size_t b = begin; b < end; b++) {
        size_t t0 = b * most, t1 = t0 + most < w->P ? t0 + most : w->P, tiles = t1 - t0;
        input_tiles(r, t0, t1, vp, tiles * cin, stage);
        WnnSgemm g = {E, tiles, cout, cin, vp, cin, tiles * cin, 0, w->packedU, wnn_sgemm_packed_size(cin, cout),
                      mp, cout, tiles * cout, NULL};
        wnn_sgemm_packed(&g, NULL);
        output_tiles(r, t0, t1, mp, tiles * cout, stage);
    }
    free(vp);
}

/* NCHW, blocks [begin, end) of blockRows rows of tiles each: the block's V', the 16 products
 * M'[e] (cout x tiles) = U'[e] (cout x cin) x V'[e] (cin x tiles) (V' packed as the GEMM's B, so
 * that both transforms walk a row of tiles, i.e. x, contiguously) and the outputs. */
static void blocks_nchw(void* ctx, size_t begin, size_t end) {
    const WinoRun* r = ctx;
    const Wino* w = r->w;
    size_t rows = w->N * w->TH, cin = w->a.cin, cout = w->a.cout, most = w->blockRows * w->TW;
    size_t psize = wnn_sgemm_packed_size(cin, most);
    float* vp = malloc(sizeof(float) * 16 * (most * (cin + cout) + psize));
    if (!vp) {
        __atomic_store_n(r->failed, 1, __ATOMIC_RELAXED);
        return;
    }
    float *mp = vp + 16 * most * cin, *packed = mp + 16 * most * cout;
    for (size_t b = begin; b < end; b++) {
        size_t r0 = b * w->blockRows, r1 = r0 + w->blockRows < rows ? r0 + w->blockRows : rows, tiles = (r1 - r0) * w->TW;
        input_rows_nchw(r, r0, r1, vp, tiles);
        wnn_sgemm_pack_b(16, cin, tiles, vp, tiles, cin * tiles, 0, packed, NULL);
        WnnSgemm g = {16, cout, tiles, cin, w->up, cin, cout * cin, 0, packed, wnn_sgemm_packed_size(cin, tiles),
                      mp, tiles, cout * tiles, NULL};
        wnn_sgemm_packed(&g, NULL);
        output_rows_nchw(r, r0, r1, mp, tiles);
    }
    free(vp);
}

/* NHWC with too few tiles for 8 blocks (14 x 14 and smaller in F(4x4, 3x3)): blocks would leave
 * a thread idle, so the three steps run one after the other over the whole tensor, each split its
 * own way: the input transform by tiles into w->whole, the E products one by one, the outputs by
 * tiles (V and M of every tile, at most a few MB, stay in the caches between the steps). */
#define WHOLE_TILES 4 /* tiles per work item of the transforms */
static void whole_inputs(void* ctx, size_t begin, size_t end) {
    const WinoRun* r = ctx;
    const Wino* w = r->w;
    size_t t0 = begin * WHOLE_TILES, t1 = end * WHOLE_TILES < w->P ? end * WHOLE_TILES : w->P;
    float* stage = r->nchwX ? malloc(sizeof(float) * stage_floats(w, WHOLE_TILES)) : NULL;
    if (r->nchwX && !stage) {
        __atomic_store_n(r->failed, 1, __ATOMIC_RELAXED);
        return;
    }
    for (size_t t = t0; t < t1; t += WHOLE_TILES) /* a stage's worth at a time */
        input_tiles(r, t, t + WHOLE_TILES < t1 ? t + WHOLE_TILES : t1, w->whole + t * w->a.cin, w->P * w->a.cin, stage);
    free(stage);
}

static void whole_products(void* ctx, size_t begin, size_t end) {
    const Wino* w = ((const WinoRun*)ctx)->w;
    size_t cin = w->a.cin, cout = w->a.cout, P = w->P, psize = wnn_sgemm_packed_size(cin, cout);
    const float* v = w->whole;
    float* m = w->whole + w->E * P * cin;
    WnnSgemm g = {end - begin, P, cout, cin, v + begin * P * cin, cin, P * cin, 0, w->packedU + begin * psize, psize,
                  m + begin * P * cout, cout, P * cout, NULL};
    wnn_sgemm_packed(&g, NULL);
}

static void whole_outputs(void* ctx, size_t begin, size_t end) {
    const WinoRun* r = ctx;
    const Wino* w = r->w;
    size_t cout = w->a.cout, t0 = begin * WHOLE_TILES, t1 = end * WHOLE_TILES < w->P ? end * WHOLE_TILES : w->P;
    float* stage = malloc(sizeof(float) * stage_floats(w, WHOLE_TILES)); /* or output_tiles_nhwc's sink */
    if (!stage) {
        __atomic_store_n(r->failed, 1, __ATOMIC_RELAXED);
        return;
    }
    const float* m = w->whole + w->E * w->P * w->a.cin;
    for (size_t t = t0; t < t1; t += WHOLE_TILES)
        output_tiles(r, t, t + WHOLE_TILES < t1 ? t + WHOLE_TILES : t1, m + t * cout, w->P * cout, stage);
    free(stage);
}

static void run_whole(WinoRun* r, WnnThreadPool* pool) {
    const Wino* w = r->w;
    size_t items = (w->P + WHOLE_TILES - 1) / WHOLE_TILES;
    wnn_parallel_for(pool, items, 1, whole_inputs, r);
    wnn_parallel_for(pool, w->E, 1, whole_products, r);
    wnn_parallel_for(pool, items, 1, whole_outputs, r);
}

static WNNStatus wino_run(const WnnCpuPrepared* self, const WnnCpuKernelArgs* args) {
    Wino* w = (Wino*)self; /* x32, y32 and whole are the state's: one dispatch at a time */
    int failed = 0;
    WinoRun r = {w, args->inputs[0].data, args->outputs[0].data, &failed, 0, 0};
    pthread_mutex_lock(&w->x.lock);
    if (w->f16) {
        wnn_onednn_f16_to_f32(args->pool, args->inputs[0].data, w->x32, w->xN);
        r.x = w->x32, r.y = w->y32;
    }
    size_t rows = w->N * w->TH;
    int nhwc = w->a.nhwc;
    WNNStatus s = WNNStatus_Success;
    wnn_onednn_set_threads(args->pool);
    r.nchwX = w->viaNhwc && !w->x.inLinked; /* else NHWC, a neighbour's buffer */
    r.nchwY = w->viaNhwc && !w->x.outLinked;
    if (nhwc && w->whole)
        run_whole(&r, args->pool);
    else if (nhwc)
        wnn_parallel_for(args->pool, (w->P + w->blockTiles - 1) / w->blockTiles, 1, blocks_nhwc, &r);
    else
        wnn_parallel_for(args->pool, (rows + w->blockRows - 1) / w->blockRows, 1, blocks_nchw, &r);
    if (failed) s = wnn_error(WNNStatus_OutOfMemory, "conv2d: out of memory (winograd blocks)");
    if (!s && w->f16) wnn_onednn_f32_to_f16(args->pool, w->y32, args->outputs[0].data, w->yN);
    pthread_mutex_unlock(&w->x.lock);
    return s;
}

static void wino_release(WnnCpuPrepared* self) {
    Wino* w = (Wino*)self;
    wnn_onednn_edges_release(&w->x);
    free(w->bias);
    free(w->packedU);
    free(w->whole);
    free(w->up);
    free(w->x32);
    free(w->y32);
    free(w);
}

/* The NHWC transforms' own limits (g_zeros, sink), for an NCHW graph run through them. */
int wnn_onednn_winograd_fits_nhwc(const WnnNode* node) {
    const WnnConvAttrs* a = node->attrs;
    return a->cin <= 4096 && a->cout <= 4096;
}

int wnn_onednn_winograd_fits(const WnnGraphIR* ir, const WnnNode* node) {
    const WnnConvAttrs* a = node->attrs;
    const WnnDesc* in = &ir->operands[node->inputs[0]].desc;
    const WnnIrOperand* f = &ir->operands[node->inputs[1]];
    int32_t bid = node->inputCount > 2 ? node->inputs[2] : -1;
    const WnnDesc* od = &ir->operands[node->outputs[0]].desc;
    size_t ow = od->shape[3]; /* NCHW */
    int type = in->type == WNNOperandDataType_Float32 || in->type == WNNOperandDataType_Float16;
    return type && f->kind == WNN_OPERAND_CONSTANT && f->data && a->kh == 3 &&
           a->kw == 3 && a->strides[0] == 1 && a->strides[1] == 1 && a->dilations[0] == 1 && a->dilations[1] == 1 &&
           a->groups == 1 && (bid < 0 || (ir->operands[bid].kind == WNN_OPERAND_CONSTANT && ir->operands[bid].data)) &&
           (a->nhwc ? a->cin <= 4096 && a->cout <= 4096 /* g_zeros, sink */ : 2 * ((ow + 1) / 2) + 2 <= MAXW) &&
           (a->nhwc ? 24 : (ow + 1) / 2) * (a->cin + a->cout) <= ((size_t)1 << 20); /* a block's V and M: 64 MiB */
}

/* f (a bias add and / or relu or clamp) as the output transform's: 0 when it has something else. */
static int take_fusion(const WnnGraphIR* ir, const WnnCpuFusion* f, Wino* w) {
    if (!f || f->residual >= 0 || f->hasScale) return 0;
    if (f->act == WNN_OP_relu) {
        w->act = 1, w->lo = 0.0f, w->hi = INFINITY;
    } else if (f->act == WNN_OP_clamp) {
        const WnnClampAttrs* c = f->actAttrs;
        w->act = 1;
        w->lo = c->hasMin ? (float)c->minF : -INFINITY;
        w->hi = c->hasMax ? (float)c->maxF : INFINITY;
        if (w->lo != w->lo || w->hi != w->hi) return 0;
    } else if (f->act != WNN_OP_COUNT) {
        return 0;
    }
    if (f->bias >= 0) {
        const WnnIrOperand* b = &ir->operands[f->bias];
        for (uint32_t c = 0; c < w->a.cout; c++) w->bias[c] += wnn_onednn_value(b->data, w->f16, wnn_desc_numel(&b->desc) == 1 ? 0 : c);
    }
    return 1;
}

/* The float32 copies of a float16 input (xN elements) and output (yN). */
static WNNStatus f32_buffers(Wino* w, size_t xN, size_t yN) {
    w->xN = xN, w->yN = yN;
    w->x32 = wnn_malloc(sizeof(float) * (xN ? xN : 1));
    w->y32 = wnn_malloc(sizeof(float) * (yN ? yN : 1));
    return w->x32 && w->y32 ? WNNStatus_Success : wnn_error(WNNStatus_OutOfMemory, "conv2d: out of memory");
}

/* NHWC: the 16 U[e] (cin x cout each) packed for our GEMM, and the block size: about 384 KiB of V
 * and M per block (in a core's L2 with U's panels passing through; on seed_conv 256 KiB to 1.5 MiB
 * ran 7.7 to 8.5 ms, on 14 x 14 x 256 1.5 MiB made one block: one thread, 1.2 ms against 0.66), a
 * multiple of 12 tiles (the micro-kernel's rows: 16 products of 50 x 100 x 100 ran at 59 GFLOP/s
 * on a core, of 48 x 100 x 100 at 75), at most an eighth of the tiles and at least 12. */
static WNNStatus nhwc_products(Wino* w, const float* u) {
    size_t cin = w->a.cin, cout = w->a.cout, psize = wnn_sgemm_packed_size(cin, cout), E = w->E;
    if (!(w->packedU = wnn_malloc(sizeof(float) * E * psize))) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    wnn_sgemm_pack_b(E, cin, cout, u, cout, cin * cout, 0, w->packedU, NULL);
    size_t tiles = 384 * 1024 / (E * sizeof(float) * (cin + cout)) / 12 * 12;
    size_t share = (w->P + 8 * 12 - 1) / (8 * 12) * 12; /* 8 blocks or more, for the threads */
    if (tiles > share) tiles = share;
    w->blockTiles = tiles < 12 ? 12 : tiles;
    size_t wholeFloats = w->E * w->P * (cin + cout);
    if (w->P < 8 * 12 && wholeFloats <= ((size_t)4 << 20) && /* 16 MiB */
        !(w->whole = wnn_malloc(sizeof(float) * wholeFloats)))
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    return WNNStatus_Success;
}

/* NCHW: U' kept as the products' A, and blocks of whole rows of tiles, at least 96 tiles: the
 * tiles are the products' columns (on seed_conv's 50 tiles a row: 1 row 11.7 ms, 2 rows 8.8, 4
 * rows 9.7, 8 rows 11.2). */
static void nchw_products(Wino* w, float* u) {
    w->up = u;
    w->blockRows = (96 + w->TW - 1) / w->TW;
}

/* The NHWC transforms' output tile (WNN_CPU_WINOGRAD_TILE=2 or 4 forces one): F(4x4, 3x3) for
 * outputs of 16 x 16 and more. It does 0.56x F(2x2, 3x3)'s multiplications, but its U is 36 / 16
 * the size, read from memory on every run: with few pixels the products wait for it. 3x3 convs of
 * 2 Zen 3 cores, c -> c channels, ms F(2x2) / F(4x4): 64 x 56^2 1.02-1.31 / 0.64-0.85, 128 x 28^2
 * 0.98-1.07 / 0.58-0.64, 256 x 14^2 0.82-0.90 / 0.88-0.94 (U 4.2 / 9.4 MB), 512 x 7^2 1.44-1.54 /
 * 2.9-3.1 (4 tiles of 4 x 4 outputs for 49 pixels). */
static int tile_edge(size_t OH, size_t OW) {
    const char* v = getenv("WNN_CPU_WINOGRAD_TILE");
    if (v && !strcmp(v, "2")) return 2;
    if (v && !strcmp(v, "4")) return 4;
    return OH >= 16 && OW >= 16 ? 4 : 2;
}

WNNStatus wnn_onednn_winograd_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f, int viaNhwc,
                                      WnnCpuPrepared** out) {
    *out = NULL;
    if (!wnn_onednn_winograd_fits(ir, node) || !wnn_onednn_engine()) return WNNStatus_Success;
    if (viaNhwc && (((const WnnConvAttrs*)node->attrs)->nhwc || !wnn_onednn_winograd_fits_nhwc(node))) return WNNStatus_Success;
    const WnnConvAttrs* a = node->attrs;
    const WnnDesc *in = &ir->operands[node->inputs[0]].desc, *od = &ir->operands[node->outputs[0]].desc;
    const WnnIrOperand* fo = &ir->operands[node->inputs[1]];
    int32_t bid = node->inputCount > 2 ? node->inputs[2] : -1;
    Wino* w = wnn_calloc(1, sizeof *w);
    if (!w || !(w->bias = wnn_calloc(a->cout, sizeof(float))) || pthread_mutex_init(&w->x.lock, NULL)) {
        if (w) free(w->bias);
        free(w);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    }
    w->x.base.run = wino_run;
    w->x.base.release = wino_release;
    w->x.what = "conv2d";
    w->a = *a;
    int h = a->nhwc ? 1 : 2;
    w->N = in->shape[0], w->H = in->shape[h], w->W = in->shape[h + 1], w->OH = od->shape[h], w->OW = od->shape[h + 1];
    w->viaNhwc = viaNhwc;
    w->a.nhwc = a->nhwc || viaNhwc; /* the transforms' layout */
    a = &w->a;
    w->m = a->nhwc ? tile_edge(w->OH, w->OW) : 2;
    w->E = (size_t)(w->m + 2) * (size_t)(w->m + 2);
    snprintf(w->x.base.path, sizeof w->x.base.path, "winograd%s%s", w->m == 4 ? " f4" : "", viaNhwc ? " nhwc" : "");
    w->TH = (w->OH + w->m - 1) / w->m, w->TW = (w->OW + w->m - 1) / w->m, w->P = w->N * w->TH * w->TW;
    if (a->nhwc) {
        w->sN = w->H * w->W * a->cin, w->sC = 1, w->sH = w->W * a->cin, w->sW = a->cin;
        w->oN = w->OH * w->OW * a->cout, w->oC = 1, w->oH = w->OW * a->cout, w->oW = a->cout;
    } else {
        w->sN = a->cin * w->H * w->W, w->sC = w->H * w->W, w->sH = w->W, w->sW = 1;
        w->oN = a->cout * w->OH * w->OW, w->oC = w->OH * w->OW, w->oH = w->OW, w->oW = 1;
    }
    w->f16 = in->type == WNNOperandDataType_Float16;
    if (bid >= 0)
        for (uint32_t c = 0; c < a->cout; c++) w->bias[c] = wnn_onednn_value(ir->operands[bid].data, w->f16, c);
    w->x.base.fused = take_fusion(ir, f, w);
    if (!w->x.base.fused) w->act = 0; /* (take_fusion adds the fused bias only when it takes the chain) */

    /* U[e][ci][co] = (G g G^T)[e], g the 3x3 filter of (co, ci) in any filter layout */
    size_t cin = a->cin, cout = a->cout;
    float* u = wnn_malloc(sizeof(float) * w->E * cin * cout);
    WNNStatus s = u ? WNNStatus_Success : wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    if (u && w->m == 4) /* U[e][ci][co] = (G g G^T)[e] of F(4x4, 3x3) */
        for (size_t co = 0; co < cout; co++)
            for (size_t ci = 0; ci < cin; ci++) {
                double g[9];
                float ue[36];
                for (size_t k = 0; k < 9; k++)
                    g[k] = wnn_onednn_value(fo->data, w->f16, wnn_conv_filter_offset(a, fo->desc.shape, co, ci, k / 3, k % 3));
                wnn_wino4_filter(g, ue);
                for (size_t e = 0; e < 36; e++) u[(e * cin + ci) * cout + co] = ue[e];
            }
    for (size_t co = 0; u && w->m == 2 && co < cout; co++)
        for (size_t ci = 0; ci < cin; ci++) {
            float g[3][3], t[4][3];
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    g[i][j] = wnn_onednn_value(fo->data, w->f16, wnn_conv_filter_offset(a, fo->desc.shape, co, ci, (size_t)i, (size_t)j));
            for (int j = 0; j < 3; j++) { /* t = G g */
                t[0][j] = g[0][j];
                t[1][j] = 0.5f * (g[0][j] + g[1][j] + g[2][j]);
                t[2][j] = 0.5f * (g[0][j] - g[1][j] + g[2][j]);
                t[3][j] = g[2][j];
            }
            for (int i = 0; i < 4; i++) { /* U = t G^T */
                float r[4] = {t[i][0], 0.5f * (t[i][0] + t[i][1] + t[i][2]), 0.5f * (t[i][0] - t[i][1] + t[i][2]), t[i][2]};
                for (int j = 0; j < 4; j++)
                    u[a->nhwc ? ((size_t)(i * 4 + j) * cin + ci) * cout + co : ((size_t)(i * 4 + j) * cout + co) * cin + ci] = r[j];
            }
        }
    dnnl_engine_t eng = wnn_onednn_engine();
    if (!s) s = wnn_onednn_check(dnnl_stream_create(&w->x.stream, eng, dnnl_stream_default_flags), "conv2d", "dnnl_stream_create");
    if (!s && a->nhwc)
        s = nhwc_products(w, u);
    else if (!s)
        nchw_products(w, u), u = NULL; /* the state's now */
    if (!s && w->f16) s = f32_buffers(w, wnn_desc_numel(in), wnn_desc_numel(od));
    if (!s && viaNhwc) {
        dnnl_dims_t xd = {in->shape[0], in->shape[1], in->shape[2], in->shape[3]};
        dnnl_dims_t yd = {od->shape[0], od->shape[1], od->shape[2], od->shape[3]};
        s = wnn_onednn_nhwc_edges(&w->x, xd, yd, 0);
    }
    free(u);
    if (s) {
        wino_release(&w->x.base);
        return s;
    }
    size_t weights = w->packedU ? w->E * wnn_sgemm_packed_size(cin, cout) : 16 * cin * cout;
    size_t edges = w->f16 ? w->xN + w->yN : 0;
    w->x.base.bytes = sizeof(float) * (weights + cout + edges + (w->whole ? w->E * w->P * (cin + cout) : 0));
    w->x.base.onednn = viaNhwc && !w->f16; /* linkable (float16 edges convert through x32 / y32) */
    wnn_onednn_count_prepared();
    *out = &w->x.base;
    return WNNStatus_Success;
}
#else
typedef int wnn_onednn_winograd_unused;
#endif
