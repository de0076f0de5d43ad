/* test_cpu_int8.c: quantized (QDQ) conv2d / matmul / gemm on the CPU's int8 path (cpu_qdq.h).
 * Each layer  dequantizeLinear(x_q) , dequantizeLinear(constant w_q) -> op (+ bias, activation)
 * [-> quantizeLinear]  is checked against a float64 evaluation of the spec's semantics computed
 * here (dequantized values rounded to float32 as the spec's float32 tensors are, the op in
 * double, quantize rounding half to even with saturation), with WNN_CPU_INT8=onednn (the int8 step
 * must have run where the conditions hold) and WNN_CPU_INT8=own (the float path), and the two
 * against each other.
 *
 * Bound: a quantized output is exact or off by 1, and off by 1 only where y / sy lies within float32
 * rounding of a tie (x.5): the int8 step rescales the exact int32 sum once in float32 while the
 * reference rounds the dequantized values to float32 and the float path also sums in float32. Off-by-1
 * elements must stay below 1 in 500 per layer (over all the layers below, 0 to 2 of about 160,000
 * compared values were, depending on the data drawn); |difference| >= 2 fails. The quantized add
 * must match exactly. A float output must be within 1e-4 relative of the reference.
 * Misuse: weights that are graph inputs, weights whose zero point does not fit int8 after
 * subtraction, non-uniform activation scales, negative scales, an intermediate that is a graph
 * output: the int8 step must not run or must not fold that part, and the results stay right. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/conv_prepare.h"
#include "backends/cpu/cpu_qdq.h"
#include "wt.h"

static uint64_t g_seed = 29;
static size_t g_ties, g_elems;

enum { CONV, MATMUL, GEMM };
enum { OIHW, HWIO, OHWI };

typedef struct Layer {
    int op;
    /* conv2d */
    int nhwc, layout, groups, stride, pad, cin, cout;
    /* matmul / gemm */
    int batched, aT, bT;
    WNNOperandDataType xt, wt, yt; /* yt Float32: no quantizeLinear */
    int perChannel, bias, act;     /* act: wt_activation index, -1 none */
    int biasQ;                     /* conv2d: bias = dequantizeLinear(int32 constant), as ONNX's */
    int wZp;                       /* the weights' zero point */
    int wInput;                    /* w_q a graph input, not a constant */
    int unevenX;                   /* x's scale per channel with different values */
    int midOutput;                 /* the op's float output is a graph output too */
    int negScale;                  /* one weight scale negative */
    int expectInt8;                /* the int8 step must run when forced */
    int hw;                        /* conv2d: an hw x hw image (else 9 x 8) */
    int plainEdges;                /* layout changes the int8 step must make as plain copies */
} Layer;

static int qmin(WNNOperandDataType t) { return t == WNNOperandDataType_Int8 ? -128 : 0; }
static int qmax(WNNOperandDataType t) { return t == WNNOperandDataType_Int8 ? 127 : 255; }

static double act_ref(int which, double x) {
    switch (which) {
        case 0: return x > 0 ? x : 0;
        case 1: return x < -0.25 ? -0.25 : x > 0.5 ? 0.5 : x;
        case 2: return 1 / (1 + exp(-x));
        case 4: return x > 0 ? x : 0.2 * x;
        default: return x;
    }
}

static double quantize_ref(double y, double sy, int zy, WNNOperandDataType t) {
    double q = nearbyint(y / sy) + zy;
    return q < qmin(t) ? qmin(t) : q > qmax(t) ? qmax(t) : q;
}

static void store_q(void* p, WNNOperandDataType t, size_t i, int v) {
    if (t == WNNOperandDataType_Int8) ((int8_t*)p)[i] = (int8_t)v;
    else ((uint8_t*)p)[i] = (uint8_t)v;
}

static int load_q(const void* p, WNNOperandDataType t, size_t i) {
    return t == WNNOperandDataType_Int8 ? ((const int8_t*)p)[i] : ((const uint8_t*)p)[i];
}

static int rand_int(int lo, int hi) { return lo + (int)(wt_next(&g_seed) % (uint64_t)(hi - lo + 1)); }

/* The layer's shapes and data, and the reference output. */
typedef struct Data {
    uint32_t xs[4], ws[4], ys[4], xr, wr, yr, ss[4]; /* ss: the weight scale's shape */
    size_t nx, nw, ny, nsw;
    void *xq, *wq;
    float *sw, *bias, xsc[64], bsc[64];
    int32_t bq[64], bzp[64];
    uint8_t wzp[64];
    int8_t wzpi[64];
    float sx, sy;
    int zx, zy;
    double *y, *yq; /* float result of the op (+bias, act), and quantized */
    double* raw;    /* the op alone (the midOutput graph output) */
} Data;

static uint32_t w_channel(const Layer* L, const Data* d, size_t i) {
    if (L->op == CONV) {
        uint32_t axis = L->layout == HWIO ? 3 : 0;
        size_t st = 1;
        for (uint32_t k = 3; k > axis; k--) st *= d->ws[k];
        return (uint32_t)(i / st % d->ws[axis]);
    }
    return L->op == GEMM && L->bT ? (uint32_t)(i / d->ws[1]) : (uint32_t)(i % d->ws[1]);
}

static void make_data(const Layer* L, Data* d) {
    memset(d, 0, sizeof *d);
    const uint32_t N = 2, H = L->hw ? (uint32_t)L->hw : 9, W = L->hw ? (uint32_t)L->hw : 8, KH = 3, KW = 3;
    uint32_t OH = 0, OW = 0, M = 13, K = 40, Nn = 24, B = L->batched ? 2 : 1;
    if (L->op == CONV) {
        OH = (H + 2 * L->pad - KH) / L->stride + 1, OW = (W + 2 * L->pad - KW) / L->stride + 1;
        uint32_t xs[4] = {N, L->cin, H, W}, xn[4] = {N, H, W, L->cin}, ys[4] = {N, L->cout, OH, OW}, yn[4] = {N, OH, OW, L->cout};
        memcpy(d->xs, L->nhwc ? xn : xs, sizeof xs);
        memcpy(d->ys, L->nhwc ? yn : ys, sizeof ys);
        uint32_t ci = L->cin / L->groups, co = L->cout;
        uint32_t oihw[4] = {co, ci, KH, KW}, hwio[4] = {KH, KW, ci, co}, ohwi[4] = {co, KH, KW, ci};
        memcpy(d->ws, L->layout == HWIO ? hwio : L->layout == OHWI ? ohwi : oihw, sizeof oihw);
        d->xr = d->wr = d->yr = 4;
        for (int i = 0; i < 4; i++) d->ss[i] = 1;
        if (L->perChannel) d->ss[L->layout == HWIO ? 3 : 0] = co;
    } else {
        uint32_t xs3[3] = {B, M, K}, ys3[3] = {B, M, Nn};
        d->xr = d->yr = L->batched ? 3 : 2;
        if (L->aT) d->xs[0] = K, d->xs[1] = M;
        else memcpy(d->xs, L->batched ? xs3 : xs3 + 1, sizeof(uint32_t) * d->xr);
        memcpy(d->ys, L->batched ? ys3 : ys3 + 1, sizeof(uint32_t) * d->yr);
        d->wr = 2;
        d->ws[0] = L->bT ? Nn : K, d->ws[1] = L->bT ? K : Nn;
        d->ss[0] = d->ss[1] = 1;
        if (L->perChannel) d->ss[L->bT ? 0 : 1] = Nn;
    }
    d->nx = d->nw = d->ny = d->nsw = 1;
    for (uint32_t i = 0; i < d->xr; i++) d->nx *= d->xs[i];
    for (uint32_t i = 0; i < d->wr; i++) d->nw *= d->ws[i], d->nsw *= d->ss[i];
    for (uint32_t i = 0; i < d->yr; i++) d->ny *= d->ys[i];
    uint32_t C = L->op == CONV ? (uint32_t)L->cout : Nn;
    d->xq = malloc(d->nx), d->wq = malloc(d->nw);
    d->sw = malloc(sizeof(float) * d->nsw), d->bias = malloc(sizeof(float) * C);
    d->zx = L->xt == WNNOperandDataType_Int8 ? rand_int(-6, 6) : rand_int(110, 140);
    d->sx = (float)wt_rand(&g_seed, 0.01, 0.03);
    for (size_t i = 0; i < d->nx; i++) store_q(d->xq, L->xt, i, rand_int(qmin(L->xt), qmax(L->xt)));
    for (size_t i = 0; i < d->nw; i++) {
        int lo = qmin(L->wt), hi = qmax(L->wt);
        if (L->wt == WNNOperandDataType_Int8 && !L->wZp) lo = -127; /* symmetric */
        store_q(d->wq, L->wt, i, rand_int(lo, hi));
    }
    for (size_t i = 0; i < d->nsw; i++) d->sw[i] = (float)wt_rand(&g_seed, 0.002, 0.01);
    if (L->negScale) d->sw[0] = -d->sw[0];
    for (uint32_t c = 0; c < C; c++) d->bias[c] = L->bias ? (float)wt_rand(&g_seed, -0.5, 0.5) : 0.0f;
    for (uint32_t c = 0; L->biasQ && c < C; c++) { /* scale sx * sw[c], zero point 0, as ONNX quantizes it */
        d->bsc[c] = (float)((double)d->sx * d->sw[L->perChannel ? c : 0]);
        d->bq[c] = rand_int(-3000, 3000), d->bzp[c] = 0;
        d->bias[c] = (float)((double)d->bq[c] * d->bsc[c]);
    }
    uint32_t cin = L->op == CONV ? (uint32_t)L->cin : 1;
    for (uint32_t c = 0; c < cin; c++) d->xsc[c] = L->unevenX ? d->sx * (1.0f + 0.25f * (float)c) : d->sx;
    for (size_t i = 0; i < d->nsw; i++) d->wzp[i] = (uint8_t)L->wZp, d->wzpi[i] = (int8_t)L->wZp;

    /* dequantized operands as the spec's float32 tensors */
    float* xf = malloc(sizeof(float) * d->nx);
    float* wf = malloc(sizeof(float) * d->nw);
    for (size_t i = 0; i < d->nx; i++) {
        uint32_t c = L->op == CONV ? (uint32_t)(L->nhwc ? i % L->cin : i / (H * W) % L->cin) : 0;
        xf[i] = (float)((double)(load_q(d->xq, L->xt, i) - d->zx) * d->xsc[c]);
    }
    for (size_t i = 0; i < d->nw; i++) {
        uint32_t c = w_channel(L, d, i);
        wf[i] = (float)((double)(load_q(d->wq, L->wt, i) - L->wZp) * d->sw[L->perChannel ? c : 0]);
    }
    d->y = malloc(sizeof(double) * d->ny), d->yq = malloc(sizeof(double) * d->ny), d->raw = malloc(sizeof(double) * d->ny);
    if (L->op == CONV) {
        uint32_t cig = L->cin / L->groups, cog = L->cout / L->groups;
        for (uint32_t n = 0; n < N; n++)
            for (uint32_t co = 0; co < (uint32_t)L->cout; co++)
                for (uint32_t oy = 0; oy < OH; oy++)
                    for (uint32_t ox = 0; ox < OW; ox++) {
                        double acc = 0;
                        for (uint32_t ci = 0; ci < cig; ci++)
                            for (uint32_t ky = 0; ky < KH; ky++)
                                for (uint32_t kx = 0; kx < KW; kx++) {
                                    long iy = (long)(oy * L->stride + ky) - L->pad, ix = (long)(ox * L->stride + kx) - L->pad;
                                    if (iy < 0 || ix < 0 || iy >= (long)H || ix >= (long)W) continue;
                                    uint32_t c = co / cog * cig + ci;
                                    size_t xi = L->nhwc ? (((size_t)n * H + iy) * W + ix) * L->cin + c
                                                        : (((size_t)n * L->cin + c) * H + iy) * W + ix;
                                    size_t wi = L->layout == HWIO   ? ((ky * KW + kx) * cig + ci) * L->cout + co
                                                : L->layout == OHWI ? ((co * KH + ky) * KW + kx) * cig + ci
                                                                    : ((co * cig + ci) * KH + ky) * KW + kx;
                                    acc += (double)xf[xi] * wf[wi];
                                }
                        size_t yi = L->nhwc ? (((size_t)n * OH + oy) * OW + ox) * L->cout + co
                                            : (((size_t)n * L->cout + co) * OH + oy) * OW + ox;
                        d->raw[yi] = acc + d->bias[co]; /* conv2d's own bias */
                        d->y[yi] = act_ref(L->act, d->raw[yi]);
                    }
    } else {
        for (uint32_t bb = 0; bb < B; bb++)
            for (uint32_t i = 0; i < M; i++)
                for (uint32_t j = 0; j < Nn; j++) {
                    double acc = 0;
                    for (uint32_t k = 0; k < K; k++) {
                        double a = L->aT ? xf[k * M + i] : xf[((size_t)bb * M + i) * K + k];
                        acc += a * (L->bT ? wf[j * K + k] : wf[k * Nn + j]);
                    }
                    size_t yi = ((size_t)bb * M + i) * Nn + j;
                    /* gemm: alpha 1.5, beta 0.5 times c (its own output); matmul: then an add */
                    d->raw[yi] = L->op == GEMM ? 1.5 * acc + 0.5 * d->bias[j] : acc;
                    d->y[yi] = act_ref(L->act, L->op == GEMM ? d->raw[yi] : acc + d->bias[j]);
                }
    }
    /* sy so that the outputs spread over about +-100 steps; some saturate */
    double big = 0;
    for (size_t i = 0; i < d->ny; i++) big = fmax(big, fabs(d->y[i]));
    d->sy = (float)(big / 100 + 1e-3);
    d->zy = L->yt == WNNOperandDataType_Int8 ? 5 : L->act == 0 ? 0 : 128;
    for (size_t i = 0; i < d->ny; i++)
        d->yq[i] = L->yt == WNNOperandDataType_Float32 ? d->y[i] : quantize_ref(d->y[i], d->sy, d->zy, L->yt);
    free(xf);
    free(wf);
}

static void data_free(Data* d) {
    free(d->xq), free(d->wq), free(d->sw), free(d->bias), free(d->y), free(d->yq), free(d->raw);
}

/* A scalar-like constant of rank r (all 1s) or the given shape. */
static WNNOperand param(WNNGraphBuilder b, WNNOperandDataType t, uint32_t r, const uint32_t* shape, const void* v) {
    uint32_t ones[4] = {1, 1, 1, 1};
    return wt_constant(b, t, r, shape ? shape : ones, v);
}

/* Builds and runs the layer; got: the output (its type), gotRaw: the op's own output when
 * L->midOutput. */
static void run_layer(const Layer* L, const Data* d, void* got, float* gotRaw) {
    WNNGraphBuilder b = wt_builder();
    WNNOperandDataType f32 = WNNOperandDataType_Float32;
    WNNOperand xq = wt_input(b, "x", L->xt, d->xr, d->xs);
    int8_t zx8 = (int8_t)d->zx;
    uint8_t zxu = (uint8_t)d->zx;
    const void* zxp = L->xt == WNNOperandDataType_Int8 ? (const void*)&zx8 : (const void*)&zxu;
    WNNOperand xsc, xzp;
    if (L->unevenX) { /* per channel [1,C,1,1] (nchw) / [1,1,1,C] (nhwc) */
        uint32_t s[4] = {1, 1, 1, 1};
        s[L->nhwc ? 3 : 1] = (uint32_t)L->cin;
        uint8_t z[64];
        for (int i = 0; i < L->cin; i++) z[i] = (uint8_t)d->zx;
        xsc = wt_constant(b, f32, 4, s, d->xsc);
        xzp = wt_constant(b, L->xt, 4, s, z);
    } else {
        xsc = param(b, f32, d->xr, NULL, &d->sx);
        xzp = param(b, L->xt, d->xr, NULL, zxp);
    }
    WNNOperand x, w, y, raw;
    WT_OK(wnnGraphBuilderDequantizeLinear(b, xq, xsc, xzp, NULL, &x));
    WNNOperand wq = L->wInput ? wt_input(b, "w", L->wt, d->wr, d->ws) : wt_constant(b, L->wt, d->wr, d->ws, d->wq);
    WNNOperand wsc = wt_constant(b, f32, d->wr, d->ss, d->sw);
    WNNOperand wzp = wt_constant(b, L->wt, d->wr, d->ss, L->wt == WNNOperandDataType_Int8 ? (const void*)d->wzpi : d->wzp);
    WT_OK(wnnGraphBuilderDequantizeLinear(b, wq, wsc, wzp, NULL, &w));
    uint32_t C = d->ys[L->op == CONV && !L->nhwc ? 1 : d->yr - 1];
    if (L->op == CONV) {
        WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
        uint32_t pads[4] = {(uint32_t)L->pad, (uint32_t)L->pad, (uint32_t)L->pad, (uint32_t)L->pad};
        uint32_t st[2] = {(uint32_t)L->stride, (uint32_t)L->stride}, bs[1] = {C};
        o.padding = pads, o.paddingCount = 4, o.strides = st, o.stridesCount = 2;
        o.groups = wnnSomeUint32((uint32_t)L->groups);
        o.inputLayout = L->nhwc ? WNNInputOperandLayout_Nhwc : WNNInputOperandLayout_Nchw;
        o.filterLayout = L->layout == HWIO   ? WNNConv2dFilterOperandLayout_Hwio
                         : L->layout == OHWI ? WNNConv2dFilterOperandLayout_Ohwi
                                             : WNNConv2dFilterOperandLayout_Oihw;
        if (L->bias) o.bias = wt_constant(b, f32, 1, bs, d->bias);
        if (L->biasQ)
            WT_OK(wnnGraphBuilderDequantizeLinear(b, wt_constant(b, WNNOperandDataType_Int32, 1, bs, d->bq),
                                                  wt_constant(b, f32, 1, bs, d->bsc),
                                                  wt_constant(b, WNNOperandDataType_Int32, 1, bs, d->bzp), NULL, &o.bias));
        WT_OK(wnnGraphBuilderConv2d(b, x, w, &o, &raw));
        y = raw;
    } else if (L->op == MATMUL) {
        uint32_t bs[1] = {C};
        WT_OK(wnnGraphBuilderMatmul(b, x, w, NULL, &raw));
        y = raw;
        if (L->bias) WT_OK(wnnGraphBuilderAdd(b, raw, wt_constant(b, f32, 1, bs, d->bias), NULL, &y));
    } else {
        WNNGemmOptions go = WNN_GEMM_OPTIONS_INIT;
        uint32_t cs[2] = {1, C};
        if (L->bias) go.c = wt_constant(b, f32, 2, cs, d->bias);
        go.alpha = wnnSomeDouble(1.5);
        go.beta = wnnSomeDouble(0.5);
        go.aTranspose = L->aT != 0;
        go.bTranspose = L->bT != 0;
        WT_OK(wnnGraphBuilderGemm(b, x, w, &go, &raw));
        y = raw;
    }
    if (L->act >= 0) y = wt_activation(b, y, L->act);
    WNNOperand out = y;
    if (L->yt != WNNOperandDataType_Float32) {
        int8_t z8 = (int8_t)d->zy;
        uint8_t zu = (uint8_t)d->zy;
        WT_OK(wnnGraphBuilderQuantizeLinear(b, y, param(b, f32, d->yr, NULL, &d->sy),
                                            param(b, L->yt, d->yr, NULL, L->yt == WNNOperandDataType_Int8 ? (const void*)&z8 : (const void*)&zu),
                                            NULL, &out));
    }
    WNNNamedOperand outs[2] = {{"y", out}, {"raw", raw}};
    void* data[2] = {got, gotRaw};
    WtFeed feeds[2] = {{"x", d->xq}, {"w", d->wq}};
    WT_OK(wt_run(wt_cpu(), b, feeds, L->wInput ? 2 : 1, outs, L->midOutput ? 2 : 1, data));
    wnnGraphBuilderRelease(b);
}

/* Compares a result with want; quantized: |diff| <= 1, off-by-1 rare. Returns the off-by-1 count. */
static size_t expect_out(const char* what, const Layer* L, const void* got, const double* want, size_t n) {
    size_t ties = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        int diff = abs(load_q(got, L->yt, i) - (int)want[i]);
        if (diff == 1) ties++;
        if (diff > 1 && bad++ < 3) fprintf(stderr, "%s: [%zu] got %d want %g\n", what, i, load_q(got, L->yt, i), want[i]);
    }
    wt_checks++;
    if (bad || ties * 500 > n) {
        wt_failures++;
        fprintf(stderr, "%s: %zu elements off by more than 1, %zu off by 1 of %zu\n", what, bad, ties, n);
    }
    return ties;
}

static void expect_rel(const char* what, const float* got, const double* want, size_t n) {
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= 1e-4 * (1 + fabs(want[i]))) && bad++ < 3)
            fprintf(stderr, "%s: [%zu] got %.7g want %.7g\n", what, i, got[i], want[i]);
    wt_checks++;
    if (bad) wt_failures++;
}

static void layer_case(const char* name, Layer L) {
    Data d;
    make_data(&L, &d);
    size_t es = L.yt == WNNOperandDataType_Float32 ? 4 : 1;
    void* got[2] = {malloc(d.ny * es), malloc(d.ny * es)};
    float* raw = malloc(d.ny * sizeof(float));
    const char* modes[2] = {"onednn", "own"};
    for (int m = 0; m < 2; m++) {
        char what[160];
        snprintf(what, sizeof what, "%s [WNN_CPU_INT8=%s]", name, modes[m]);
        setenv("WNN_CPU_INT8", modes[m], 1);
        unsigned before = wnn_cpu_int8_nodes(), plainBefore = wnn_cpu_plain_reorders();
        run_layer(&L, &d, got[m], raw);
        unsigned ran = wnn_cpu_int8_nodes() - before, plain = wnn_cpu_plain_reorders() - plainBefore;
#ifdef WNN_HAVE_ONEDNN
        wt_checks++;
        if ((int)ran != (m == 0 && L.expectInt8 && wnn_cpu_int8_exact())) {
            wt_failures++;
            fprintf(stderr, "%s: %u int8 steps ran, expected %d\n", what, ran, m == 0 && L.expectInt8 && wnn_cpu_int8_exact());
        }
        wt_checks++;
        if (ran && plain != (unsigned)L.plainEdges) {
            wt_failures++;
            fprintf(stderr, "%s: %u layout changes as plain copies, expected %d\n", what, plain, L.plainEdges);
        }
#else
        (void)ran, (void)plain;
#endif
        if (L.yt == WNNOperandDataType_Float32) expect_rel(what, got[m], d.yq, d.ny);
        else g_ties += expect_out(what, &L, got[m], d.yq, d.ny);
        g_elems += d.ny;
        if (L.midOutput) expect_rel(what, raw, d.raw, d.ny);
    }
    /* forced on and forced off agree within the same bound */
    if (L.yt != WNNOperandDataType_Float32) {
        double* other = malloc(sizeof(double) * d.ny);
        for (size_t i = 0; i < d.ny; i++) other[i] = load_q(got[1], L.yt, i);
        char what[160];
        snprintf(what, sizeof what, "%s: int8 vs float path", name);
        g_ties += expect_out(what, &L, got[0], other, d.ny);
        g_elems += d.ny;
        free(other);
    }
    unsetenv("WNN_CPU_INT8");
    free(got[0]), free(got[1]), free(raw);
    data_free(&d);
}

static Layer conv_layer(int nhwc, int groups, int cin, int cout, int stride, int pad) {
    Layer L;
    memset(&L, 0, sizeof L);
    L.op = CONV, L.nhwc = nhwc, L.layout = nhwc ? HWIO : OIHW, L.groups = groups, L.cin = cin, L.cout = cout;
    L.stride = stride, L.pad = pad, L.act = -1, L.expectInt8 = 1;
    L.xt = WNNOperandDataType_Uint8, L.wt = WNNOperandDataType_Int8, L.yt = WNNOperandDataType_Uint8;
    return L;
}

static Layer mm_layer(int op, int batched, int aT, int bT) {
    Layer L;
    memset(&L, 0, sizeof L);
    L.op = op, L.batched = batched, L.aT = aT, L.bT = bT, L.act = -1, L.expectInt8 = 1;
    L.xt = WNNOperandDataType_Int8, L.wt = WNNOperandDataType_Int8, L.yt = WNNOperandDataType_Int8;
    return L;
}

static void conv_cases(void) {
    const WNNOperandDataType I8 = WNNOperandDataType_Int8, U8 = WNNOperandDataType_Uint8, F32 = WNNOperandDataType_Float32;
    for (int nhwc = 0; nhwc < 2; nhwc++) {
        char name[96];
        for (int v = 0; v < 8; v++) {
            /* v: bits of (stride 2, padding 1, bias), activation and types varied along */
            Layer L = conv_layer(nhwc, 1, 16, 24, v & 1 ? 2 : 1, v & 2 ? 1 : 0);
            L.bias = (v & 4) != 0;
            L.act = v % 3 == 0 ? -1 : v % 3 == 1 ? 0 : 1;
            L.xt = v & 1 ? I8 : U8;
            L.yt = v & 2 ? U8 : I8;
            L.perChannel = v % 2 == 0;
            snprintf(name, sizeof name, "conv2d %s s%d p%d bias %d act %d x %s y %s %s", nhwc ? "nhwc" : "nchw", L.stride,
                     L.pad, L.bias, L.act, L.xt == I8 ? "i8" : "u8", L.yt == I8 ? "i8" : "u8",
                     L.perChannel ? "per-channel" : "per-tensor");
            layer_case(name, L);
        }
        Layer L = conv_layer(nhwc, 16, 16, 16, 1, 1); /* depthwise, an int32 bias dequantized */
        L.biasQ = 1, L.act = 0, L.perChannel = 1;
        snprintf(name, sizeof name, "conv2d %s depthwise relu", nhwc ? "nhwc" : "nchw");
        layer_case(name, L);
        L = conv_layer(nhwc, 16, 16, 32, 2, 1); /* depthwise, channel multiplier 2 */
        L.xt = I8, L.yt = I8;
        snprintf(name, sizeof name, "conv2d %s depthwise x2 stride 2", nhwc ? "nhwc" : "nchw");
        layer_case(name, L);
        L = conv_layer(nhwc, 2, 16, 24, 1, 1); /* grouped, an int32 bias dequantized */
        L.perChannel = 1, L.biasQ = 1, L.act = 0;
        snprintf(name, sizeof name, "conv2d %s groups 2", nhwc ? "nhwc" : "nchw");
        layer_case(name, L);
        L = conv_layer(nhwc, 1, 16, 24, 1, 1); /* float output */
        L.yt = F32, L.bias = 1, L.act = 2, L.perChannel = 1;
        snprintf(name, sizeof name, "conv2d %s float output + sigmoid", nhwc ? "nhwc" : "nchw");
        layer_case(name, L);
        /* 40 -> 48 channels of 12 x 12: an NCHW graph's edges (NCHW <-> NHWC, oneDNN's int8
         * layout) are large enough for our plain copies, in full and partial tiles */
        L = conv_layer(nhwc, 1, 40, 48, 1, 1);
        L.hw = 12, L.perChannel = 1, L.bias = 1, L.act = 0, L.plainEdges = nhwc ? 0 : 2;
        snprintf(name, sizeof name, "conv2d %s 40 -> 48 at 12 x 12", nhwc ? "nhwc" : "nchw");
        layer_case(name, L);
        L = conv_layer(nhwc, 1, 16, 24, 1, 1); /* ohwi filter, uint8 weights with zero point 128 */
        L.layout = OHWI, L.wt = U8, L.wZp = 128, L.perChannel = 1, L.act = 4;
        snprintf(name, sizeof name, "conv2d %s ohwi uint8 weights zp 128 leakyRelu", nhwc ? "nhwc" : "nchw");
        layer_case(name, L);
    }
}

static void matmul_cases(void) {
    const WNNOperandDataType U8 = WNNOperandDataType_Uint8, F32 = WNNOperandDataType_Float32;
    char name[96];
    for (int v = 0; v < 6; v++) {
        Layer L = mm_layer(MATMUL, v & 1, 0, 0);
        L.bias = v != 2, L.perChannel = v % 2 == 0, L.act = v == 3 ? 0 : v == 4 ? 1 : -1;
        if (v >= 3) L.xt = U8;
        if (v == 5) L.yt = U8;
        snprintf(name, sizeof name, "matmul batched %d bias %d act %d %s", L.batched, L.bias, L.act,
                 L.perChannel ? "per-channel" : "per-tensor");
        layer_case(name, L);
    }
    for (int v = 0; v < 4; v++) {
        Layer L = mm_layer(GEMM, 0, v & 1, (v >> 1) & 1);
        L.bias = 1, L.perChannel = v != 1, L.act = v == 2 ? 0 : -1;
        if (v == 3) L.xt = U8, L.yt = U8;
        snprintf(name, sizeof name, "gemm aT %d bT %d relu %d", L.aT, L.bT, L.act == 0);
        layer_case(name, L);
    }
    Layer L = mm_layer(MATMUL, 0, 0, 0);
    L.yt = F32, L.bias = 1, L.perChannel = 1;
    layer_case("matmul float output", L);
}

/* The pattern must not run (or must leave that part out) and the results stay right. */
static void fallback_cases(void) {
    Layer L = conv_layer(1, 1, 16, 24, 1, 1);
    L.wInput = 1, L.expectInt8 = 0;
    layer_case("misuse: conv2d weights a graph input", L);
    L = conv_layer(0, 1, 16, 24, 1, 1);
    L.wZp = 9, L.expectInt8 = 0; /* int8 weights down to -128: w - 9 leaves int8 */
    layer_case("misuse: conv2d asymmetric int8 weights out of range", L);
    L = conv_layer(0, 1, 16, 24, 1, 1);
    L.unevenX = 1, L.expectInt8 = 0;
    layer_case("misuse: conv2d per-channel activation scale", L);
    L = conv_layer(1, 1, 16, 24, 1, 1);
    L.negScale = 1, L.perChannel = 1, L.expectInt8 = 0;
    layer_case("misuse: conv2d negative weight scale", L);
    L = conv_layer(1, 1, 16, 24, 1, 1);
    L.midOutput = 1, L.bias = 1; /* the int8 step makes the float output; quantizeLinear stays a node */
    layer_case("misuse: conv2d output is a graph output too", L);
    L = mm_layer(MATMUL, 0, 0, 0);
    L.midOutput = 1, L.bias = 1, L.act = 0; /* the op's output feeds the add and is a graph output */
    layer_case("misuse: matmul output is a graph output too", L);
    L = mm_layer(MATMUL, 0, 0, 0);
    L.wZp = -3, L.expectInt8 = 0; /* int8 weights up to 127: w + 3 leaves int8 */
    layer_case("misuse: matmul asymmetric weights out of range", L);
}

/* Two quantized convs in a row (x_q -> conv -> y_q -> conv -> z_q): the int8 steps may keep y_q in
 * oneDNN's layout between them; both paths must agree with the layer-by-layer reference. */
static void chain_case(int nhwc) {
    Layer L1 = conv_layer(nhwc, 1, 16, 32, 1, 1);
    L1.bias = 1, L1.act = 0, L1.perChannel = 1;
    Data d1;
    make_data(&L1, &d1);
    /* second conv: 32 -> 16 on y_q, weights from the PRNG; its reference from y_q */
    uint32_t co = 16, ci = 32;
    size_t nw2 = (size_t)co * ci * 9;
    int8_t* w2 = malloc(nw2);
    for (size_t i = 0; i < nw2; i++) w2[i] = (int8_t)rand_int(-127, 127);
    float s2 = 0.004f, sz = 0.05f, sy = d1.sy;
    uint8_t zy = (uint8_t)d1.zy, zz = 7;
    int8_t zw = 0;
    for (int m = 0; m < 2; m++) {
        setenv("WNN_CPU_INT8", m ? "own" : "onednn", 1);
        WNNGraphBuilder b = wt_builder();
        WNNOperandDataType f32 = WNNOperandDataType_Float32, u8 = WNNOperandDataType_Uint8;
        uint32_t bs[1] = {32}, one[4] = {1, 1, 1, 1}, s1[4] = {1, 1, 1, 1};
        s1[nhwc ? 3 : 0] = 32;
        uint8_t zx = (uint8_t)d1.zx;
        uint8_t z1[32] = {0};
        WNNOperand x, w, c, r, yq, y2, w2o, c2, zq;
        WT_OK(wnnGraphBuilderDequantizeLinear(b, wt_input(b, "x", u8, 4, d1.xs), wt_constant(b, f32, 4, one, &d1.sx),
                                              wt_constant(b, u8, 4, one, &zx), NULL, &x));
        WT_OK(wnnGraphBuilderDequantizeLinear(b, wt_constant(b, WNNOperandDataType_Int8, 4, d1.ws, d1.wq),
                                              wt_constant(b, f32, 4, s1, d1.sw),
                                              wt_constant(b, WNNOperandDataType_Int8, 4, s1, z1), NULL, &w));
        WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
        uint32_t pads[4] = {1, 1, 1, 1};
        o.padding = pads, o.paddingCount = 4, o.bias = wt_constant(b, f32, 1, bs, d1.bias);
        o.inputLayout = nhwc ? WNNInputOperandLayout_Nhwc : WNNInputOperandLayout_Nchw;
        o.filterLayout = nhwc ? WNNConv2dFilterOperandLayout_Hwio : WNNConv2dFilterOperandLayout_Oihw;
        WT_OK(wnnGraphBuilderConv2d(b, x, w, &o, &c));
        WT_OK(wnnGraphBuilderRelu(b, c, NULL, &r));
        WT_OK(wnnGraphBuilderQuantizeLinear(b, r, wt_constant(b, f32, 4, one, &sy), wt_constant(b, u8, 4, one, &zy), NULL, &yq));
        WT_OK(wnnGraphBuilderDequantizeLinear(b, yq, wt_constant(b, f32, 4, one, &sy), wt_constant(b, u8, 4, one, &zy), NULL, &y2));
        uint32_t ws2[4] = {co, ci, 3, 3}, ws2h[4] = {3, 3, ci, co};
        int8_t* w2l = malloc(nw2); /* w2 is oihw; hwio for nhwc */
        for (uint32_t a = 0; a < co; a++)
            for (uint32_t bb = 0; bb < ci; bb++)
                for (uint32_t k = 0; k < 9; k++) w2l[nhwc ? (k * ci + bb) * co + a : (a * ci + bb) * 9 + k] = w2[(a * ci + bb) * 9 + k];
        WT_OK(wnnGraphBuilderDequantizeLinear(b, wt_constant(b, WNNOperandDataType_Int8, 4, nhwc ? ws2h : ws2, w2l),
                                              wt_constant(b, f32, 4, one, &s2),
                                              wt_constant(b, WNNOperandDataType_Int8, 4, one, &zw), NULL, &w2o));
        WNNConv2dOptions o2 = WNN_CONV2D_OPTIONS_INIT;
        o2.padding = pads, o2.paddingCount = 4, o2.inputLayout = o.inputLayout, o2.filterLayout = o.filterLayout;
        WT_OK(wnnGraphBuilderConv2d(b, y2, w2o, &o2, &c2));
        WT_OK(wnnGraphBuilderQuantizeLinear(b, c2, wt_constant(b, f32, 4, one, &sz), wt_constant(b, u8, 4, one, &zz), NULL, &zq));
        uint8_t* got = malloc(d1.ny / 2);
        WNNNamedOperand outs[1] = {{"z", zq}};
        WtFeed feed = {"x", d1.xq};
        unsigned before = wnn_cpu_int8_nodes();
        WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, 1, (void* const*)&got));
        unsigned ran = wnn_cpu_int8_nodes() - before;
#ifdef WNN_HAVE_ONEDNN
        wt_checks++;
        if (ran != (m || !wnn_cpu_int8_exact() ? 0u : 2u)) wt_failures++, fprintf(stderr, "chain %d: %u int8 steps\n", nhwc, ran);
#else
        (void)ran;
#endif
        wnnGraphBuilderRelease(b);
        /* reference of the second conv from the reference y_q */
        const uint32_t N = 2, H = 9, W = 8;
        double* want = malloc(sizeof(double) * d1.ny / 2);
        for (uint32_t n = 0; n < N; n++)
            for (uint32_t a = 0; a < co; a++)
                for (uint32_t oy = 0; oy < H; oy++)
                    for (uint32_t ox = 0; ox < W; ox++) {
                        double acc = 0;
                        for (uint32_t bb = 0; bb < ci; bb++)
                            for (uint32_t ky = 0; ky < 3; ky++)
                                for (uint32_t kx = 0; kx < 3; kx++) {
                                    long iy = (long)oy + ky - 1, ix = (long)ox + kx - 1;
                                    if (iy < 0 || ix < 0 || iy >= (long)H || ix >= (long)W) continue;
                                    size_t yi = nhwc ? (((size_t)n * H + iy) * W + ix) * ci + bb : (((size_t)n * ci + bb) * H + iy) * W + ix;
                                    float yf = (float)((d1.yq[yi] - zy) * (double)sy);
                                    acc += (double)yf * (float)(w2[(a * ci + bb) * 9 + ky * 3 + kx] * (double)s2);
                                }
                        size_t zi = nhwc ? (((size_t)n * H + oy) * W + ox) * co + a : (((size_t)n * co + a) * H + oy) * W + ox;
                        want[zi] = quantize_ref(acc, sz, zz, u8);
                    }
        Layer Lz = L1;
        Lz.yt = u8;
        char what[64];
        snprintf(what, sizeof what, "chain of two int8 convs %s [%s]", nhwc ? "nhwc" : "nchw", m ? "own" : "onednn");
        /* an off-by-1 in y_q moves z by up to |w2| * sy * s2 / sz steps: allow 1 in that case */
        g_ties += expect_out(what, &Lz, got, want, d1.ny / 2);
        free(want), free(got), free(w2l);
    }
    unsetenv("WNN_CPU_INT8");
    free(w2);
    data_free(&d1);
}

/* Quantized add: quantize(act(dequantize(a_q) + dequantize(b_q))) runs as one int8 pass that must
 * equal the float path bit for bit (same float32 / double steps) and the reference. act: -1 none,
 * 0 relu, 1 clamp. */
static void qadd_case(WNNOperandDataType ta, WNNOperandDataType tb, WNNOperandDataType ty, int act) {
    const uint32_t shape[4] = {2, 5, 7, 33};
    const size_t n = 2 * 5 * 7 * 33;
    uint8_t *a = malloc(n), *bq = malloc(n), *got[2] = {malloc(n), malloc(n)};
    for (size_t i = 0; i < n; i++) store_q(a, ta, i, rand_int(qmin(ta), qmax(ta))), store_q(bq, tb, i, rand_int(qmin(tb), qmax(tb)));
    float sa = 0.0125f, sb = 0.03f, sy = 0.02f; /* a tie every so often: (k/80 + m*3/100) / (1/50) */
    int za = ta == WNNOperandDataType_Int8 ? -3 : 120, zb = tb == WNNOperandDataType_Int8 ? 4 : 131;
    int zy = ty == WNNOperandDataType_Int8 ? 2 : act == 0 ? 0 : 128;
    double* want = malloc(sizeof(double) * n);
    for (size_t i = 0; i < n; i++) {
        float af = (float)((double)(load_q(a, ta, i) - za) * sa), bf = (float)((double)(load_q(bq, tb, i) - zb) * sb);
        float sum = af + bf;
        want[i] = quantize_ref(act_ref(act, sum), sy, zy, ty);
    }
    Layer L;
    memset(&L, 0, sizeof L);
    L.yt = ty;
    for (int m = 0; m < 2; m++) {
        setenv("WNN_CPU_INT8", m ? "own" : "onednn", 1);
        WNNGraphBuilder b = wt_builder();
        WNNOperandDataType f32 = WNNOperandDataType_Float32;
        int8_t z8[3] = {(int8_t)za, (int8_t)zb, (int8_t)zy};
        uint8_t zu[3] = {(uint8_t)za, (uint8_t)zb, (uint8_t)zy};
        WNNOperand x, y, s, q;
        WT_OK(wnnGraphBuilderDequantizeLinear(b, wt_input(b, "a", ta, 4, shape), param(b, f32, 4, NULL, &sa),
                                              param(b, ta, 4, NULL, ta == WNNOperandDataType_Int8 ? (void*)&z8[0] : (void*)&zu[0]), NULL, &x));
        WT_OK(wnnGraphBuilderDequantizeLinear(b, wt_input(b, "b", tb, 4, shape), param(b, f32, 4, NULL, &sb),
                                              param(b, tb, 4, NULL, tb == WNNOperandDataType_Int8 ? (void*)&z8[1] : (void*)&zu[1]), NULL, &y));
        WT_OK(wnnGraphBuilderAdd(b, x, y, NULL, &s));
        if (act >= 0) s = wt_activation(b, s, act);
        WT_OK(wnnGraphBuilderQuantizeLinear(b, s, param(b, f32, 4, NULL, &sy),
                                            param(b, ty, 4, NULL, ty == WNNOperandDataType_Int8 ? (void*)&z8[2] : (void*)&zu[2]), NULL, &q));
        WNNNamedOperand out = {"y", q};
        WtFeed feeds[2] = {{"a", a}, {"b", bq}};
        unsigned before = wnn_cpu_int8_nodes();
        WT_OK(wt_run(wt_cpu(), b, feeds, 2, &out, 1, (void* const*)&got[m]));
        WT_CHECK(wnn_cpu_int8_nodes() - before == (m ? 0u : 1u));
        wnnGraphBuilderRelease(b);
        char what[96];
        snprintf(what, sizeof what, "quantized add act %d [%s]", act, m ? "own" : "onednn");
        WT_CHECK(expect_out(what, &L, got[m], want, n) == 0); /* the reference's steps exactly */
    }
    WT_CHECK(memcmp(got[0], got[1], n) == 0);
    unsetenv("WNN_CPU_INT8");
    free(a), free(bq), free(got[0]), free(got[1]), free(want);
}

/* A residual block: x_q feeds two int8 convs (its dequantizeLinear is shared, then dead: folded),
 * whose quantized outputs are added (quantized add) and quantized again. Forced on: 3 int8 steps
 * and no float tensor made; it must agree with the float path within the bound. hw: the image
 * (0: 9 x 8, or 40 x 40). tail: the add's output feeds a 1 x 1 int8 conv (the graph's output),
 * checked against the float path. */
static void tail_conv(WNNGraphBuilder b, WNNOperand in, float s, uint8_t z, uint32_t c, int nhwc, WNNOperand* out);
static void block_case(int nhwc, int hw, int tail) {
    Layer L = conv_layer(nhwc, 1, 16, 24, 1, 1);
    L.perChannel = 1, L.bias = 1, L.hw = hw;
    Data d;
    make_data(&L, &d);
    L.yt = WNNOperandDataType_Uint8;
    uint8_t* got[2] = {malloc(d.ny), malloc(d.ny)};
    uint8_t* tailGot[2] = {malloc(d.ny), malloc(d.ny)};
    for (int m = 0; m < 2; m++) {
        setenv("WNN_CPU_INT8", m ? "own" : "onednn", 1);
        WNNGraphBuilder b = wt_builder();
        WNNOperandDataType f32 = WNNOperandDataType_Float32, u8 = WNNOperandDataType_Uint8;
        uint8_t zx = (uint8_t)d.zx, zy = 128, z0[32] = {0};
        float sy = d.sy;
        WNNOperand x, br[2], s, out;
        WT_OK(wnnGraphBuilderDequantizeLinear(b, wt_input(b, "x", u8, 4, d.xs), param(b, f32, 4, NULL, &d.sx),
                                              param(b, u8, 4, NULL, &zx), NULL, &x));
        for (int k = 0; k < 2; k++) {
            WNNOperand w, c, yq;
            WT_OK(wnnGraphBuilderDequantizeLinear(b, wt_constant(b, WNNOperandDataType_Int8, 4, d.ws, d.wq),
                                                  wt_constant(b, f32, 4, d.ss, d.sw),
                                                  wt_constant(b, WNNOperandDataType_Int8, 4, d.ss, z0), NULL, &w));
            WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
            uint32_t pads[4] = {1, 1, 1, 1}, bs[1] = {24};
            o.padding = pads, o.paddingCount = 4, o.bias = wt_constant(b, f32, 1, bs, d.bias);
            o.inputLayout = nhwc ? WNNInputOperandLayout_Nhwc : WNNInputOperandLayout_Nchw;
            o.filterLayout = nhwc ? WNNConv2dFilterOperandLayout_Hwio : WNNConv2dFilterOperandLayout_Oihw;
            WT_OK(wnnGraphBuilderConv2d(b, x, w, &o, &c));
            WT_OK(wnnGraphBuilderQuantizeLinear(b, c, param(b, f32, 4, NULL, &sy), param(b, u8, 4, NULL, &zy), NULL, &yq));
            WT_OK(wnnGraphBuilderDequantizeLinear(b, yq, param(b, f32, 4, NULL, &sy), param(b, u8, 4, NULL, &zy), NULL, &br[k]));
        }
        WT_OK(wnnGraphBuilderAdd(b, br[0], br[1], NULL, &s));
        WT_OK(wnnGraphBuilderRelu(b, s, NULL, &s));
        WT_OK(wnnGraphBuilderQuantizeLinear(b, s, param(b, f32, 4, NULL, &sy), param(b, u8, 4, NULL, &z0[0]), NULL, &out));
        WNNOperand tailOut;
        if (tail) tail_conv(b, out, sy, 0, 24, nhwc, &tailOut);
        WNNNamedOperand outs = {tail ? "t" : "y", tail ? tailOut : out}; /* with tail, the add's output is not a graph output */
        WtFeed feed = {"x", d.xq};
        unsigned before = wnn_cpu_int8_nodes();
        WT_OK(wt_run(wt_cpu(), b, &feed, 1, &outs, 1, tail ? (void* const*)&tailGot[m] : (void* const*)&got[m]));
#ifdef WNN_HAVE_ONEDNN
        WT_CHECK(wnn_cpu_int8_nodes() - before == (m ? 0u : wnn_cpu_int8_exact() ? (tail ? 4u : 3u) : 1u));
#else
        WT_CHECK(wnn_cpu_int8_nodes() - before == (m ? 0u : 1u)); /* the quantized add needs no oneDNN */
#endif
        wnnGraphBuilderRelease(b);
    }
    if (tail) { /* the tail conv: the int8 step against the float path, within the bound */
        double* own = malloc(sizeof(double) * d.ny);
        for (size_t i = 0; i < d.ny; i++) own[i] = tailGot[1][i];
        g_ties += expect_out(nhwc ? "residual block tail nhwc" : "residual block tail nchw", &L, tailGot[0], own, d.ny);
        free(own);
    }
    /* reference: both branches are the same conv: y = relu(2 * deq(q(conv))) */
    double* want = malloc(sizeof(double) * d.ny);
    for (size_t i = 0; i < d.ny; i++) {
        float v = (float)((quantize_ref(d.raw[i], d.sy, 128, WNNOperandDataType_Uint8) - 128) * (double)d.sy);
        want[i] = quantize_ref(act_ref(0, v + v), d.sy, 0, WNNOperandDataType_Uint8);
    }
    for (int m = 0; m < 2 && !tail; m++) {
        char what[64];
        snprintf(what, sizeof what, "residual block %s %d [%s]", nhwc ? "nhwc" : "nchw", hw, m ? "own" : "onednn");
        g_ties += expect_out(what, &L, got[m], want, d.ny);
    }
    unsetenv("WNN_CPU_INT8");
    free(got[0]), free(got[1]), free(tailGot[0]), free(tailGot[1]), free(want);
    data_free(&d);
}

/* out = quantize(conv1x1(dequantize(in, s, z), w) + bias, s, z) with c -> c channels of fixed
 * small weights (an int8 step reading the quantized add's output), in the graph's layout. */
static void tail_conv(WNNGraphBuilder b, WNNOperand in, float s, uint8_t z, uint32_t c, int nhwc, WNNOperand* out) {
    WNNOperandDataType f32 = WNNOperandDataType_Float32, u8 = WNNOperandDataType_Uint8, i8 = WNNOperandDataType_Int8;
    static int8_t w[64 * 64], wz[64];
    static float ws[64], bias[64];
    for (uint32_t i = 0; i < c * c; i++) w[i] = (int8_t)((int)(i * 37 % 61) - 30);
    for (uint32_t i = 0; i < c; i++) ws[i] = 0.004f + 0.0001f * (float)i, bias[i] = 0.01f * (float)(i % 7) - 0.03f;
    uint32_t wsh[4] = {c, nhwc ? 1 : c, 1, nhwc ? c : 1}, ssh[4] = {c, 1, 1, 1}, bsh[1] = {c}; /* oihw / ohwi */
    WNNOperand x, wf, y;
    WT_OK(wnnGraphBuilderDequantizeLinear(b, in, param(b, f32, 4, NULL, &s), param(b, u8, 4, NULL, &z), NULL, &x));
    WT_OK(wnnGraphBuilderDequantizeLinear(b, wt_constant(b, i8, 4, wsh, w), wt_constant(b, f32, 4, ssh, ws),
                                          wt_constant(b, i8, 4, ssh, wz), NULL, &wf));
    WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
    o.bias = wt_constant(b, f32, 1, bsh, bias);
    o.inputLayout = nhwc ? WNNInputOperandLayout_Nhwc : WNNInputOperandLayout_Nchw;
    o.filterLayout = nhwc ? WNNConv2dFilterOperandLayout_Ohwi : WNNConv2dFilterOperandLayout_Oihw; /* 1 x 1: one data order */
    WT_OK(wnnGraphBuilderConv2d(b, x, wf, &o, &y));
    WT_OK(wnnGraphBuilderQuantizeLinear(b, y, param(b, f32, 4, NULL, &s), param(b, u8, 4, NULL, &z), NULL, out));
}

/* Random small QDQ graphs (matmul / gemm / add with every optional part switched at random, some
 * parameters graph inputs, some intermediates graph outputs): whatever the pattern takes or leaves,
 * forced on and forced off must agree (quantized outputs within 1, float outputs within 1e-4). */
static void random_graphs(void) {
    const WNNOperandDataType f32 = WNNOperandDataType_Float32;
    for (int it = 0; it < 60; it++) {
        const uint32_t M = 6, K = 20, N = 12;
        int bits = rand_int(0, 1 << 14);
        WNNOperandDataType xt = bits & 1 ? WNNOperandDataType_Int8 : WNNOperandDataType_Uint8;
        WNNOperandDataType yt = bits & 2 ? WNNOperandDataType_Int8 : WNNOperandDataType_Uint8;
        int gemm = bits >> 2 & 1, wConst = !(bits >> 3 & 1 && bits >> 4 & 1), scaleIn = (bits >> 5 & 3) == 0;
        int act = (int)(bits >> 7 & 3) - 1, quant = (bits >> 9 & 3) != 0, mid = (bits >> 11 & 3) == 0, add = bits >> 13 & 1;
        uint8_t xq[M * K], wq[K * N], zx = (uint8_t)rand_int(0, 5), zw = 0, zy = (uint8_t)rand_int(0, 3);
        for (size_t i = 0; i < sizeof xq; i++) xq[i] = (uint8_t)rand_int(0, 255);
        for (size_t i = 0; i < sizeof wq; i++) wq[i] = (uint8_t)(int8_t)rand_int(-127, 127);
        float sx = 0.02f, sw[N], bias[N], sy = 0.05f;
        for (uint32_t i = 0; i < N; i++) sw[i] = (float)wt_rand(&g_seed, 0.005, 0.02), bias[i] = (float)wt_rand(&g_seed, -1, 1);
        uint32_t xs[2] = {M, K}, ws[2] = {K, N}, one[2] = {1, 1}, sws[2] = {1, N}, bs[1] = {N};
        uint8_t zws[N];
        memset(zws, 0, sizeof zws);
        void* got[2][2];
        size_t es = quant ? 1 : 4;
        for (int m = 0; m < 2; m++) {
            setenv("WNN_CPU_INT8", m ? "own" : "onednn", 1);
            WNNGraphBuilder b = wt_builder();
            WNNOperand x, w, y, mo, out;
            WNNOperand xsc = scaleIn ? wt_input(b, "sx", f32, 2, one) : wt_constant(b, f32, 2, one, &sx);
            WT_OK(wnnGraphBuilderDequantizeLinear(b, wt_input(b, "x", xt, 2, xs), xsc, wt_constant(b, xt, 2, one, &zx), NULL, &x));
            WNNOperand wqo = wConst ? wt_constant(b, WNNOperandDataType_Int8, 2, ws, wq) : wt_input(b, "w", WNNOperandDataType_Int8, 2, ws);
            WT_OK(wnnGraphBuilderDequantizeLinear(b, wqo, wt_constant(b, f32, 2, bits >> 6 & 1 ? sws : one, sw),
                                                  wt_constant(b, WNNOperandDataType_Int8, 2, bits >> 6 & 1 ? sws : one, bits >> 6 & 1 ? (void*)zws : (void*)&zw),
                                                  NULL, &w));
            if (gemm) {
                WNNGemmOptions go = WNN_GEMM_OPTIONS_INIT;
                go.c = wt_constant(b, f32, 1, bs, bias);
                WT_OK(wnnGraphBuilderGemm(b, x, w, &go, &y));
            } else {
                WT_OK(wnnGraphBuilderMatmul(b, x, w, NULL, &y));
            }
            mo = y;
            if (act >= 0) y = wt_activation(b, y, act);
            out = y;
            if (quant) {
                WT_OK(wnnGraphBuilderQuantizeLinear(b, y, wt_constant(b, f32, 2, one, &sy), wt_constant(b, yt, 2, one, &zy), NULL, &out));
                if (add) { /* y_q + y_q through a quantized add, or a float one when the types differ */
                    WNNOperand a1, a2, s2;
                    WT_OK(wnnGraphBuilderDequantizeLinear(b, out, wt_constant(b, f32, 2, one, &sy), wt_constant(b, yt, 2, one, &zy), NULL, &a1));
                    WT_OK(wnnGraphBuilderDequantizeLinear(b, out, wt_constant(b, f32, 2, one, &sx), wt_constant(b, yt, 2, one, &zy), NULL, &a2));
                    WT_OK(wnnGraphBuilderAdd(b, a1, a2, NULL, &s2));
                    WT_OK(wnnGraphBuilderQuantizeLinear(b, s2, wt_constant(b, f32, 2, one, &sy), wt_constant(b, yt, 2, one, &zy), NULL, &out));
                }
            }
            WNNNamedOperand outs[2] = {{"y", out}, {"mid", mo}};
            got[m][0] = malloc(M * N * es);
            got[m][1] = malloc(M * N * 4);
            WtFeed feeds[3] = {{"x", xq}, {"sx", &sx}, {"w", wq}};
            size_t nf = 1;
            WtFeed use[3];
            use[0] = feeds[0];
            if (scaleIn) use[nf++] = feeds[1];
            if (!wConst) use[nf++] = feeds[2];
            WT_OK(wt_run(wt_cpu(), b, use, nf, outs, mid ? 2 : 1, got[m]));
            wnnGraphBuilderRelease(b);
        }
        char what[96];
        snprintf(what, sizeof what, "random QDQ graph %d (bits 0x%x)", it, (unsigned)bits);
        double* want = malloc(sizeof(double) * M * N);
        Layer L;
        memset(&L, 0, sizeof L);
        L.yt = yt;
        if (quant) {
            for (size_t i = 0; i < M * N; i++) want[i] = load_q(got[1][0], yt, i);
            g_ties += expect_out(what, &L, got[0][0], want, M * N);
        } else {
            for (size_t i = 0; i < M * N; i++) want[i] = ((float*)got[1][0])[i];
            expect_rel(what, got[0][0], want, M * N);
        }
        if (mid) {
            for (size_t i = 0; i < M * N; i++) want[i] = ((float*)got[1][1])[i];
            expect_rel(what, got[0][1], want, M * N);
        }
        for (int m = 0; m < 2; m++) free(got[m][0]), free(got[m][1]);
        free(want);
    }
    unsetenv("WNN_CPU_INT8");
}

int main(void) {
    conv_cases();
    matmul_cases();
    fallback_cases();
    chain_case(0);
    chain_case(1);
    qadd_case(WNNOperandDataType_Uint8, WNNOperandDataType_Uint8, WNNOperandDataType_Uint8, 0);
    qadd_case(WNNOperandDataType_Int8, WNNOperandDataType_Uint8, WNNOperandDataType_Int8, -1);
    qadd_case(WNNOperandDataType_Int8, WNNOperandDataType_Int8, WNNOperandDataType_Uint8, 1);
    block_case(0, 0, 0);
    block_case(1, 0, 0);
    block_case(0, 40, 0);
    block_case(0, 40, 1);
    block_case(1, 40, 1);
    random_graphs();
    printf("off-by-1 quantized outputs: %zu of %zu compared\n", g_ties, g_elems);
    return wt_summary("test_cpu_int8");
}
