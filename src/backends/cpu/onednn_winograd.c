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
 * (tile_edge), and tensors with few tiles as three whole steps instead of blocks. This file
 * builds the state and runs it; the transform loops are winograd_nhwc.c and winograd_nchw.c
 * (winograd_state.h). */
#ifdef WNN_HAVE_ONEDNN
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/onednn.h"
#include "backends/cpu/sgemm_packed.h"
#include "backends/cpu/winograd_f4.h"
#include "backends/cpu/winograd_state.h"
#include "graph/ops/conv.h"
#include "graph/ops/elementwise.h"

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
        wnn_wino_run_whole(&r, args->pool);
    else if (nhwc)
        wnn_parallel_for(args->pool, (w->P + w->blockTiles - 1) / w->blockTiles, 1, wnn_wino_blocks_nhwc, &r);
    else
        wnn_parallel_for(args->pool, (rows + w->blockRows - 1) / w->blockRows, 1, wnn_wino_blocks_nchw, &r);
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
           (a->nhwc ? a->cin <= 4096 && a->cout <= 4096 /* g_zeros, sink */ : 2 * ((ow + 1) / 2) + 2 <= WNN_WINO_MAXW) &&
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
