/* winograd_nhwc.c: F(2x2, 3x3) and F(4x4, 3x3) (winograd_f4.h) on NHWC transforms
 * (winograd_state.h): a tile's pixels walk channels contiguously. Blocks of tiles kept in a
 * core's L2, or three whole steps for tensors with few tiles; an NCHW graph's tensors read and
 * written in place through a small NHWC stage. */
#ifdef WNN_HAVE_ONEDNN
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/sgemm_packed.h"
#include "backends/cpu/transpose_tile.h"
#include "backends/cpu/winograd_f4.h"
#include "backends/cpu/winograd_state.h"

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
void wnn_wino_blocks_nhwc(void* ctx, size_t begin, size_t end) {
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

void wnn_wino_run_whole(WinoRun* r, WnnThreadPool* pool) {
    const Wino* w = r->w;
    size_t items = (w->P + WHOLE_TILES - 1) / WHOLE_TILES;
    wnn_parallel_for(pool, items, 1, whole_inputs, r);
    wnn_parallel_for(pool, w->E, 1, whole_products, r);
    wnn_parallel_for(pool, items, 1, whole_outputs, r);
}
#else
typedef int wnn_winograd_nhwc_unused;
#endif
