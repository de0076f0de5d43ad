/* winograd_nchw.c: F(2x2, 3x3) on NCHW tensors (winograd_state.h), rows of tiles at a time:
 * both transforms walk a row of tiles, i.e. x, contiguously, and the products are transposed. */
#ifdef WNN_HAVE_ONEDNN
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/sgemm_packed.h"
#include "backends/cpu/winograd_state.h"

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
    float row[4][WNN_WINO_MAXW + 2], t[4][WNN_WINO_MAXW + 2];
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
    float y[2][2 * WNN_WINO_MAXW + 2];
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

/* NCHW, blocks [begin, end) of blockRows rows of tiles each: the block's V', the 16 products
 * M'[e] (cout x tiles) = U'[e] (cout x cin) x V'[e] (cin x tiles) (V' packed as the GEMM's B, so
 * that both transforms walk a row of tiles, i.e. x, contiguously) and the outputs. */
void wnn_wino_blocks_nchw(void* ctx, size_t begin, size_t end) {
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
#else
typedef int wnn_winograd_nchw_unused;
#endif
