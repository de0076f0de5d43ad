/* test_conv_block.c: inverted-residual blocks (conv_block.h) run as one fused step
 * (WNN_CPU_BLOCK=1) and as separate steps (=0), both against a float64 reference: with and
 * without the expand conv, strides 1 and 2, 3x3 and 5x5 windows with uneven padding, channel
 * counts that are and are not multiples of 16, a residual (then an activation after it), biases as
 * conv options and as separate add nodes, both layouts, batches of 1 and 2, and groups of rows
 * that wrap the ring, and a stem conv (few input channels, a window of its own) as the expand. The
 * build must have made exactly the blocks expected; blocks chained in an NCHW graph between oneDNN
 * convs must link their NHWC tensors. Left to choose (WNN_CPU_BLOCK unset), the build takes the
 * blocks its rule names and no others. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/conv_block.h"
#include "backends/cpu/conv_prepare.h"
#include "backends/cpu/cpu_passes.h"
#include "backends/cpu/sgemm_packed.h"
#include "wt.h"

#ifdef WNN_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#endif

static uint64_t g_seed = 41;

typedef struct Case {
    const char* name;
    uint32_t N, C, H, W, E, Cout; /* E: the depthwise conv's channels (C when there is no expand) */
    int expand;
    uint32_t k, stride, pad[4]; /* the depthwise window (k x k), stride, padding */
    int nhwc;
    int act[3];      /* per stage: 0 none, 1 relu, 2 clamp(0, 6) */
    int residual;    /* project + x (needs stride 1, Cout == C) */
    int addBias;     /* the expand's bias as an add node instead of the conv's option */
    int blocks;      /* how many blocks in a row (each the same shape) */
    uint32_t sk, sstride, spad[4]; /* sk > 0: the expand is a stem, an sk x sk conv (stride, padding) */
} Case;

typedef struct Weights {
    float *w1, *b1, *wd, *bd, *w3, *b3; /* logical: w1[e][c][ky][kx] (1 x 1 but for a stem), wd[e][ky][kx], w3[o][e] */
} Weights;

static float* rnd(size_t n, double lo, double hi) {
    float* v = malloc(sizeof(float) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) v[i] = (float)wt_rand(&g_seed, lo, hi);
    return v;
}

static double act_ref(int a, double v) {
    if (a == 1) return v > 0 ? v : 0;
    if (a == 2) return v < 0 ? 0 : v > 6 ? 6 : v;
    return v;
}

static WNNOperand act_op(WNNGraphBuilder b, WNNOperand x, int a) {
    if (a == 1) WT_OK(wnnGraphBuilderRelu(b, x, NULL, &x));
    if (a == 2) {
        WNNClampOptions co = WNN_CLAMP_OPTIONS_INIT;
        co.minValue = wnnNumberDouble(0);
        co.maxValue = wnnNumberDouble(6);
        WT_OK(wnnGraphBuilderClamp(b, x, &co, &x));
    }
    return x;
}

static uint32_t out_size(const Case* c, uint32_t in, int h) {
    return (in + c->pad[h ? 0 : 2] + c->pad[h ? 1 : 3] - c->k) / c->stride + 1;
}

/* The expand's output height (h) or width: the input's but after a stem. */
static uint32_t expanded(const Case* c, int h) {
    uint32_t in = h ? c->H : c->W;
    return c->sk ? (in + c->spad[h ? 0 : 2] + c->spad[h ? 1 : 3] - c->sk) / c->sstride + 1 : in;
}

static uint32_t stem_k(const Case* c) { return c->sk ? c->sk : 1; }

/* One block on x (logical [n][c][h][w] in double), into y ([n][o][oh][ow]). */
static void block_ref(const Case* c, const Weights* w, const double* x, double* y) {
    uint32_t H1 = expanded(c, 1), W1 = expanded(c, 0), OH = out_size(c, H1, 1), OW = out_size(c, W1, 0), E = c->E;
    uint32_t sk = stem_k(c), ss = c->sk ? c->sstride : 1, pt = c->sk ? c->spad[0] : 0, pl = c->sk ? c->spad[2] : 0;
    double* ex = malloc(sizeof(double) * E * H1 * W1);
    double* dw = malloc(sizeof(double) * E * OH * OW);
    for (uint32_t n = 0; n < c->N; n++) {
        const double* xn = x + (size_t)n * c->C * c->H * c->W;
        for (uint32_t e = 0; e < E; e++)
            for (uint32_t p = 0; p < H1 * W1; p++) {
                double s;
                if (!c->expand) {
                    s = xn[(size_t)e * c->H * c->W + p];
                } else {
                    s = w->b1[e];
                    for (uint32_t ci = 0; ci < c->C; ci++)
                        for (uint32_t ky = 0; ky < sk; ky++)
                            for (uint32_t kx = 0; kx < sk; kx++) {
                                long iy = (long)(p / W1 * ss + ky) - (long)pt, ix = (long)(p % W1 * ss + kx) - (long)pl;
                                if (iy < 0 || ix < 0 || iy >= (long)c->H || ix >= (long)c->W) continue;
                                s += (double)w->w1[((e * c->C + ci) * sk + ky) * sk + kx] *
                                     xn[((size_t)ci * c->H + (size_t)iy) * c->W + (size_t)ix];
                            }
                    s = act_ref(c->act[0], s);
                }
                ex[(size_t)e * H1 * W1 + p] = s;
            }
        for (uint32_t e = 0; e < E; e++)
            for (uint32_t oy = 0; oy < OH; oy++)
                for (uint32_t ox = 0; ox < OW; ox++) {
                    double s = w->bd[e];
                    for (uint32_t ky = 0; ky < c->k; ky++)
                        for (uint32_t kx = 0; kx < c->k; kx++) {
                            long iy = (long)(oy * c->stride + ky) - c->pad[0], ix = (long)(ox * c->stride + kx) - c->pad[2];
                            if (iy < 0 || ix < 0 || iy >= (long)H1 || ix >= (long)W1) continue;
                            s += (double)w->wd[(e * c->k + ky) * c->k + kx] * ex[((size_t)e * H1 + (size_t)iy) * W1 + (size_t)ix];
                        }
                    dw[((size_t)e * OH + oy) * OW + ox] = act_ref(c->act[1], s);
                }
        for (uint32_t o = 0; o < c->Cout; o++)
            for (uint32_t p = 0; p < OH * OW; p++) {
                double s = w->b3[o];
                for (uint32_t e = 0; e < E; e++) s += (double)w->w3[o * E + e] * dw[(size_t)e * OH * OW + p];
                if (c->residual) s += xn[(size_t)o * OH * OW + p];
                y[((size_t)n * c->Cout + o) * OH * OW + p] = act_ref(c->act[2], s);
            }
    }
    free(ex);
    free(dw);
}

/* The blocks as graph nodes (filters oihw for NCHW, ohwi for NHWC: the same bytes for these shapes
 * but a stem's, which is reordered). */
static WNNOperand block_graph(WNNGraphBuilder b, const Case* c, const Weights* w, WNNOperand x) {
    const WNNOperandDataType f = WNNOperandDataType_Float32;
    WNNInputOperandLayout lay = c->nhwc ? WNNInputOperandLayout_Nhwc : WNNInputOperandLayout_Nchw;
    WNNConv2dFilterOperandLayout fl = c->nhwc ? WNNConv2dFilterOperandLayout_Ohwi : WNNConv2dFilterOperandLayout_Oihw;
    uint32_t sk = stem_k(c), E = c->E, w1s[4] = {E, c->C, sk, sk}, wds[4] = {E, 1, c->k, c->k}, w3s[4] = {c->Cout, E, 1, 1};
    if (c->nhwc) wds[1] = c->k, wds[3] = 1, w1s[3] = c->C, w1s[1] = sk, w3s[3] = E, w3s[1] = 1;
    float* w1 = malloc(sizeof(float) * E * c->C * sk * sk); /* in the filter layout */
    for (uint32_t e = 0; e < E; e++)
        for (uint32_t ci = 0; ci < c->C; ci++)
            for (uint32_t ky = 0; ky < sk; ky++)
                for (uint32_t kx = 0; kx < sk; kx++)
                    w1[c->nhwc ? ((e * sk + ky) * sk + kx) * c->C + ci : ((e * c->C + ci) * sk + ky) * sk + kx] =
                        w->w1[((e * c->C + ci) * sk + ky) * sk + kx];
    uint32_t e1[1] = {E}, e3[1] = {c->Cout}, bshape[4] = {1, E, 1, 1};
    if (c->nhwc) bshape[1] = 1, bshape[3] = E;
    WNNOperand y = x;
    if (c->expand) {
        WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
        o.inputLayout = lay, o.filterLayout = fl;
        uint32_t sst[2] = {c->sstride, c->sstride}, spad[4] = {c->spad[0], c->spad[1], c->spad[2], c->spad[3]};
        if (c->sk) o.padding = spad, o.paddingCount = 4, o.strides = sst, o.stridesCount = 2;
        if (!c->addBias) o.bias = wt_constant(b, f, 1, e1, w->b1);
        WT_OK(wnnGraphBuilderConv2d(b, x, wt_constant(b, f, 4, w1s, w1), &o, &y));
        if (c->addBias) WT_OK(wnnGraphBuilderAdd(b, y, wt_constant(b, f, 4, bshape, w->b1), NULL, &y));
        y = act_op(b, y, c->act[0]);
    }
    WNNConv2dOptions od = WNN_CONV2D_OPTIONS_INIT;
    uint32_t st[2] = {c->stride, c->stride};
    od.inputLayout = lay, od.filterLayout = fl, od.padding = c->pad, od.paddingCount = 4, od.strides = st, od.stridesCount = 2;
    od.groups = wnnSomeUint32(E), od.bias = wt_constant(b, f, 1, e1, w->bd);
    WT_OK(wnnGraphBuilderConv2d(b, y, wt_constant(b, f, 4, wds, w->wd), &od, &y));
    y = act_op(b, y, c->act[1]);
    WNNConv2dOptions op = WNN_CONV2D_OPTIONS_INIT;
    op.inputLayout = lay, op.filterLayout = fl, op.bias = wt_constant(b, f, 1, e3, w->b3);
    WT_OK(wnnGraphBuilderConv2d(b, y, wt_constant(b, f, 4, w3s, w->w3), &op, &y));
    if (c->residual) WT_OK(wnnGraphBuilderAdd(b, y, x, NULL, &y));
    free(w1);
    return act_op(b, y, c->act[2]);
}

/* logical [n][c][h][w] <-> the layout's bytes */
static void to_layout(const Case* c, uint32_t C, uint32_t H, uint32_t W, const double* l, float* g) {
    for (uint32_t n = 0; n < c->N; n++)
        for (uint32_t ch = 0; ch < C; ch++)
            for (uint32_t p = 0; p < H * W; p++) {
                size_t li = ((size_t)n * C + ch) * H * W + p, gi = c->nhwc ? ((size_t)n * H * W + p) * C + ch : li;
                g[gi] = (float)l[li];
            }
}

static void run_case(const Case* c) {
    uint32_t OH = out_size(c, expanded(c, 1), 1), OW = out_size(c, expanded(c, 0), 0), E = c->E;
    size_t nx = (size_t)c->N * c->C * c->H * c->W, ny = (size_t)c->N * c->Cout * OH * OW;
    Weights w = {rnd((size_t)E * c->C * stem_k(c) * stem_k(c), -0.4, 0.4), rnd(E, -0.5, 0.5), rnd((size_t)E * c->k * c->k, -0.4, 0.4),
                 rnd(E, -0.5, 0.5), rnd((size_t)c->Cout * E, -0.3, 0.3), rnd(c->Cout, -0.5, 0.5)};
    double *x = malloc(sizeof(double) * nx), *want = malloc(sizeof(double) * (nx > ny ? nx : ny) * 1);
    double* tmp = malloc(sizeof(double) * (nx > ny ? nx : ny));
    for (size_t i = 0; i < nx; i++) x[i] = wt_rand(&g_seed, -2, 2);
    memcpy(tmp, x, sizeof(double) * nx);
    for (int k = 0; k < c->blocks; k++) { /* (chained blocks keep the shape: stride 1, Cout == C) */
        block_ref(c, &w, tmp, want);
        memcpy(tmp, want, sizeof(double) * ny);
    }
    float *xg = malloc(sizeof(float) * nx), *got = malloc(sizeof(float) * ny);
    double* wantG = malloc(sizeof(double) * ny);
    float* wantF = malloc(sizeof(float) * ny);
    to_layout(c, c->C, c->H, c->W, x, xg);
    to_layout(c, c->Cout, OH, OW, want, wantF);
    for (size_t i = 0; i < ny; i++) wantG[i] = wantF[i];
    const char* modes[2] = {"1", "0"};
    for (int m = 0; m < 2; m++) {
        setenv("WNN_CPU_BLOCK", modes[m], 1);
        WNNGraphBuilder b = wt_builder();
        uint32_t xs[4] = {c->N, c->C, c->H, c->W};
        if (c->nhwc) xs[1] = c->H, xs[2] = c->W, xs[3] = c->C;
        WNNOperand y = wt_input(b, "x", WNNOperandDataType_Float32, 4, xs);
        for (int k = 0; k < c->blocks; k++) y = block_graph(b, c, &w, y);
        WNNNamedOperand out = {"y", y};
        WtFeed feed = {"x", xg};
        void* data[1] = {got};
        unsigned before = wnn_cpu_block_count(), linked = wnn_cpu_linked_tensors();
        WT_OK(wt_run(wt_cpu(), b, &feed, 1, &out, 1, data));
        wnnGraphBuilderRelease(b);
        unsigned made = wnn_cpu_block_count() - before;
        linked = wnn_cpu_linked_tensors() - linked;
        size_t bad = 0;
        for (size_t i = 0; i < ny; i++)
            if (!(fabs(got[i] - wantG[i]) <= 1e-4 * (1 + fabs(wantG[i]))) && bad++ < 3)
                fprintf(stderr, "%s (WNN_CPU_BLOCK=%s): [%zu] got %.7g want %.7g\n", c->name, modes[m], i, got[i], wantG[i]);
        wt_checks++;
        if (bad) wt_failures++, fprintf(stderr, "%s (WNN_CPU_BLOCK=%s): %zu of %zu wrong\n", c->name, modes[m], bad, ny);
#ifdef WNN_HAVE_ONEDNN
        unsigned want_made = m == 0 ? (unsigned)c->blocks : 0u;
        /* chained NCHW blocks link the tensor between each pair (the first input and the last output are the graph's) */
        unsigned want_linked = m == 0 && !c->nhwc ? (unsigned)c->blocks - 1 : linked;
        /* a stem left to oneDNN (WNN_CPU_STEM=0) links to the block after it where oneDNN writes
         * its output as NHWC, the block's input, as its AVX-512 kernels did (Zen 4, Xeon); its
         * AVX2 one writes 8-channel blocks (nChw8c), which reach the block through the graph's NCHW */
        const char* sv = getenv("WNN_CPU_STEM");
        int stemApart = c->sk && sv && !strcmp(sv, "0");
        int onednnAvx512 = (dnnl_get_effective_cpu_isa() & dnnl_cpu_isa_avx512_core) == dnnl_cpu_isa_avx512_core;
        if (m == 0 && !c->nhwc && stemApart && onednnAvx512) want_linked++;
        /* and runs as a step of its own; taken in, the block is the graph's only step */
        if (m == 0 && c->sk) {
            WnnCpuPassStats st;
            wnn_cpu_last_stats(&st);
            wt_checks++;
            if (st.steps != 1u + (unsigned)stemApart)
                wt_failures++, fprintf(stderr, "%s: %u steps, want %u\n", c->name, st.steps, 1u + (unsigned)stemApart);
        }
#else
        unsigned want_made = 0, want_linked = linked;
#endif
        wt_checks++;
        if (made != want_made || linked != want_linked) {
            wt_failures++;
            fprintf(stderr, "%s (WNN_CPU_BLOCK=%s): %u blocks made (want %u), %u tensors linked (want %u)\n", c->name,
                    modes[m], made, want_made, linked, want_linked);
        }
    }
    unsetenv("WNN_CPU_BLOCK");
    free(w.w1), free(w.b1), free(w.wd), free(w.bd), free(w.w3), free(w.b3);
    free(x), free(want), free(tmp), free(xg), free(got), free(wantG), free(wantF);
}

/* What does not fit stays separate steps: a dilated depthwise conv (v 0), a grouped but not
 * depthwise middle conv (v 1); an expand output that is a graph output too (v 2) stays its own
 * step, the depthwise and project convs after it still make a block. */
static void no_block_case(void) {
    setenv("WNN_CPU_BLOCK", "1", 1);
    const WNNOperandDataType f = WNNOperandDataType_Float32;
    uint32_t xs[4] = {1, 8, 9, 9}, w1s[4] = {16, 8, 1, 1}, wds[4] = {16, 1, 3, 3}, wgs[4] = {16, 2, 3, 3}, w3s[4] = {8, 16, 1, 1};
    float *w1 = rnd(128, -1, 1), *wd = rnd(288, -1, 1), *w3 = rnd(128, -1, 1), *x = rnd(8 * 81, -1, 1);
    float* got = malloc(sizeof(float) * (8 + 16) * 81);
    for (int v = 0; v < 3; v++) {
        WNNGraphBuilder b = wt_builder();
        WNNOperand in = wt_input(b, "x", f, 4, xs), e, y;
        WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
        WT_OK(wnnGraphBuilderConv2d(b, in, wt_constant(b, f, 4, w1s, w1), &o, &e));
        WNNConv2dOptions od = WNN_CONV2D_OPTIONS_INIT;
        uint32_t pad[4] = {2, 2, 2, 2}, dil[2] = {2, 2};
        od.padding = pad, od.paddingCount = 4, od.groups = wnnSomeUint32(v == 1 ? 8 : 16);
        if (v == 0) od.dilations = dil, od.dilationsCount = 2;
        if (v == 1) pad[0] = pad[1] = pad[2] = pad[3] = 1;
        WT_OK(wnnGraphBuilderConv2d(b, e, wt_constant(b, f, 4, v == 1 ? wgs : wds, wd), &od, &y));
        WT_OK(wnnGraphBuilderConv2d(b, y, wt_constant(b, f, 4, w3s, w3), &o, &y));
        WNNNamedOperand outs[2] = {{"y", y}, {"e", e}};
        WtFeed feed = {"x", x};
        void* data[2] = {got, got + 8 * 81};
        unsigned before = wnn_cpu_block_count();
#ifdef WNN_HAVE_ONEDNN
        unsigned want = v == 2;
#else
        unsigned want = 0; /* blocks are built only with oneDNN */
#endif
        WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, v == 2 ? 2 : 1, data));
        wnnGraphBuilderRelease(b);
        wt_checks++;
        if (wnn_cpu_block_count() - before != want)
            wt_failures++, fprintf(stderr, "no_block_case %d: %u blocks made, want %u\n", v, wnn_cpu_block_count() - before, want);
    }
    unsetenv("WNN_CPU_BLOCK");
    free(w1), free(wd), free(w3), free(x), free(got);
}

/* The automatic choice (conv_block.c, worth_it): on AVX-512 a block with an expand whose depthwise
 * conv reads at least 14 x 14 pixels, at stride 2 only where a core's L2 is at most 1 MiB (these
 * expanded tensors are small); none without an expand, none at 7 x 7, none at all without AVX-512
 * (or without oneDNN). */
static void auto_rule_case(void) {
    unsetenv("WNN_CPU_BLOCK");
    const WNNOperandDataType f = WNNOperandDataType_Float32;
    struct {
        uint32_t hw, stride;
        int expand, want;
    } v[] = {{14, 1, 1, 1}, {14, 2, 1, 1}, {28, 2, 1, 1}, {7, 1, 1, 0}, {13, 2, 1, 0}, {28, 1, 0, 0}};
    int avx512 = !strcmp(wnn_sgemm_packed_isa(), "avx512");
    float *w1 = rnd(16 * 64, -1, 1), *wd = rnd(64 * 9, -1, 1), *w3 = rnd(64 * 16, -1, 1), *x = rnd(16 * 28 * 28, -1, 1);
    float* got = malloc(sizeof(float) * 16 * 28 * 28);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint32_t E = v[i].expand ? 64 : 16;
        uint32_t xs[4] = {1, 16, v[i].hw, v[i].hw}, w1s[4] = {64, 16, 1, 1}, wds[4] = {E, 1, 3, 3}, w3s[4] = {16, E, 1, 1};
        WNNGraphBuilder b = wt_builder();
        WNNOperand y = wt_input(b, "x", f, 4, xs);
        WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT, od = WNN_CONV2D_OPTIONS_INIT;
        if (v[i].expand) WT_OK(wnnGraphBuilderConv2d(b, y, wt_constant(b, f, 4, w1s, w1), &o, &y));
        uint32_t pad[4] = {1, 1, 1, 1}, st[2] = {v[i].stride, v[i].stride};
        od.padding = pad, od.paddingCount = 4, od.strides = st, od.stridesCount = 2, od.groups = wnnSomeUint32(E);
        WT_OK(wnnGraphBuilderConv2d(b, y, wt_constant(b, f, 4, wds, wd), &od, &y));
        WT_OK(wnnGraphBuilderConv2d(b, y, wt_constant(b, f, 4, w3s, w3), &o, &y));
        WNNNamedOperand out = {"y", y};
        WtFeed feed = {"x", x};
        void* data[1] = {got};
        unsigned before = wnn_cpu_block_count();
        WT_OK(wt_run(wt_cpu(), b, &feed, 1, &out, 1, data));
        wnnGraphBuilderRelease(b);
#ifdef WNN_HAVE_ONEDNN
        int strided = v[i].stride > 1 && v[i].want;
        unsigned want = (unsigned)(v[i].want && avx512 && (!strided || wnn_cpu_l2_bytes() <= (1u << 20)));
#else
        unsigned want = 0;
#endif
        wt_checks++;
        if (wnn_cpu_block_count() - before != want)
            wt_failures++, fprintf(stderr, "auto_rule_case %zux%u stride %u%s: %u blocks made, want %u\n", (size_t)v[i].hw, v[i].hw,
                                   v[i].stride, v[i].expand ? "" : " (no expand)", wnn_cpu_block_count() - before, want);
    }
    (void)avx512;
    free(w1), free(wd), free(w3), free(x), free(got);
}

/* preparedBytes counts a block's working rows: the ring of expanded rows each worker thread keeps
 * (at least the depthwise window's 3 rows of 56 pixels x 64 channels here) beside its weights. An
 * NHWC graph, so that no layout edges are counted instead. */
static void block_memory_case(void) {
    setenv("WNN_CPU_BLOCK", "1", 1);
    const WNNOperandDataType f = WNNOperandDataType_Float32;
    uint32_t xs[4] = {1, 56, 56, 16}, w1s[4] = {64, 16, 1, 1}, wds[4] = {64, 1, 3, 3}, w3s[4] = {16, 64, 1, 1};
    float *w1 = rnd(16 * 64, -1, 1), *wd = rnd(64 * 9, -1, 1), *w3 = rnd(64 * 16, -1, 1);
    WNNGraphBuilder b = wt_builder();
    WNNOperand y = wt_input(b, "x", f, 4, xs);
    WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT, od = WNN_CONV2D_OPTIONS_INIT;
    o.inputLayout = od.inputLayout = WNNInputOperandLayout_Nhwc;
    WT_OK(wnnGraphBuilderConv2d(b, y, wt_constant(b, f, 4, w1s, w1), &o, &y));
    uint32_t pad[4] = {1, 1, 1, 1};
    od.padding = pad, od.paddingCount = 4, od.groups = wnnSomeUint32(64);
    WT_OK(wnnGraphBuilderConv2d(b, y, wt_constant(b, f, 4, wds, wd), &od, &y));
    WT_OK(wnnGraphBuilderConv2d(b, y, wt_constant(b, f, 4, w3s, w3), &o, &y));
    WNNNamedOperand out = {"y", y};
    WNNGraph g = NULL;
    unsigned before = wnn_cpu_block_count();
    WT_OK(wnnGraphBuilderBuild(b, &out, 1, &g));
    WNNGraphMemoryInfo m;
    WT_OK(wnnGraphGetMemoryInfo(g, &m));
    size_t weights = sizeof(float) * (16 * 64 + 64 * 9 + 64 * 16), ring = sizeof(float) * 3 * 56 * 64;
    if (wnn_cpu_block_count() > before) {
        wt_checks++;
        if (m.preparedBytes < weights + ring)
            wt_failures++, fprintf(stderr, "block_memory_case: preparedBytes %llu, want at least %zu\n",
                                   (unsigned long long)m.preparedBytes, weights + ring);
    }
    wnnGraphRelease(g);
    wnnGraphBuilderRelease(b);
    unsetenv("WNN_CPU_BLOCK");
    free(w1), free(wd), free(w3);
}

int main(void) {
    const Case cases[] = {
        /* MobileNetV2's shapes, smaller */
        {"expand s2 nchw", 1, 16, 17, 15, 96, 24, 1, 3, 2, {1, 1, 1, 1}, 0, {2, 2, 0}, 0, 0, 1, 0, 0, {0}},
        {"expand s1 residual nchw batch 2", 2, 24, 12, 11, 144, 24, 1, 3, 1, {1, 1, 1, 1}, 0, {2, 2, 0}, 1, 0, 1, 0, 0, {0}},
        {"no expand nchw", 1, 32, 20, 9, 32, 16, 0, 3, 1, {1, 1, 1, 1}, 0, {0, 2, 0}, 0, 0, 1, 0, 0, {0}},
        /* odd channel counts, NHWC, relu after the residual, a separate bias add */
        {"odd channels nhwc residual relu", 1, 20, 9, 13, 52, 20, 1, 3, 1, {1, 1, 1, 1}, 1, {1, 2, 1}, 1, 1, 1, 0, 0, {0}},
        {"no expand odd channels nhwc 5x5 s2", 2, 20, 11, 10, 20, 12, 0, 5, 2, {2, 1, 2, 1}, 1, {0, 1, 0}, 0, 0, 1, 0, 0, {0}},
        {"expand 5x5 s2 uneven pads nchw", 1, 8, 23, 19, 40, 8, 1, 5, 2, {2, 0, 1, 2}, 0, {1, 0, 2}, 0, 1, 1, 0, 0, {0}},
        /* tall enough for several groups of rows wrapping the ring, and two bands */
        {"tall s1 nchw", 1, 16, 70, 6, 48, 16, 1, 3, 1, {1, 1, 1, 1}, 0, {2, 2, 0}, 1, 0, 1, 0, 0, {0}},
        {"tall s2 nhwc", 1, 16, 75, 5, 32, 16, 1, 3, 2, {1, 1, 1, 1}, 1, {2, 2, 0}, 0, 0, 1, 0, 0, {0}},
        /* three blocks in a row: linked to each other */
        {"three chained nchw", 1, 16, 14, 14, 64, 16, 1, 3, 1, {1, 1, 1, 1}, 0, {2, 2, 0}, 1, 0, 3, 0, 0, {0}},
        {"three chained nhwc", 1, 16, 14, 14, 64, 16, 1, 3, 1, {1, 1, 1, 1}, 1, {2, 2, 0}, 1, 0, 3, 0, 0, {0}},
        /* a stem as the expand: MobileNetV2's 3x3 stride 2, a 5x5 one with uneven padding (its
         * windows cross it on every side), a 2x2 one without padding, a tall one at stride 1 */
        {"stem 3x3 s2 nchw", 1, 3, 33, 29, 32, 16, 1, 3, 1, {1, 1, 1, 1}, 0, {2, 2, 0}, 0, 0, 1, 3, 2, {1, 1, 1, 1}},
        {"stem 5x5 s2 uneven nhwc batch 2", 2, 4, 21, 18, 24, 8, 1, 3, 2, {1, 1, 1, 1}, 1, {1, 1, 0}, 0, 1, 1, 5, 2, {2, 1, 1, 2}},
        {"stem 2x2 s2 unpadded nchw", 1, 3, 20, 26, 16, 8, 1, 3, 1, {1, 1, 1, 1}, 0, {2, 0, 1}, 0, 0, 1, 2, 2, {0, 0, 0, 0}},
        {"stem 3x3 s1 tall, 1 channel nhwc", 1, 1, 64, 7, 20, 12, 1, 3, 1, {1, 1, 1, 1}, 1, {2, 2, 0}, 0, 0, 1, 3, 1, {1, 1, 1, 1}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i]);
    no_block_case();
    auto_rule_case();
    block_memory_case();
    return wt_summary("test_conv_block");
}
