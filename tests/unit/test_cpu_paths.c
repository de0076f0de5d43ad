/* test_cpu_paths.c: the CPU backend's conv2d / matmul / gemm paths, each forced in turn
 * (WNN_CPU_CONV = own | onednn | winograd, WNN_CPU_MATMUL = own | onednn | packed), with the build-time
 * fusion of a following per-channel constant add and activation: every result is checked against a float64 reference
 * computed here, fused and unfused graphs must agree, and an intermediate that is also a graph
 * output must not be fused away. With oneDNN built in, a forced oneDNN path must really have run,
 * in float16 too (converted to float32 at the step's edges), and "own" must keep our kernels; a
 * 1-thread context gives the same results. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/conv_prepare.h"
#include "core/core.h"
#include "wt.h"

static uint64_t g_seed = 11;
#define ACTS 12

static double act_ref(int which, double x) {
    switch (which) {
        case 0: return x > 0 ? x : 0;
        case 1: return x < -0.25 ? -0.25 : x > 0.5 ? 0.5 : x;
        case 2: return 1 / (1 + exp(-x));
        case 3: return tanh(x);
        case 4: return x > 0 ? x : 0.2 * x;
        case 5: return 0.5 * x * (1 + erf(x / sqrt(2.0)));
        case 6: return x * fmin(fmax(x + 3, 0), 6) / 6;
        case 7: return x > 0 ? x : 0.7 * (exp(x) - 1);
        case 8: return log1p(exp(x));
        case 9: return fmax(0, fmin(1, 0.3 * x + 0.4));
        case 10: return 2 * x - 1;
        default: return x; /* none */
    }
}


static void fill(float* v, size_t n, double lo, double hi) {
    for (size_t i = 0; i < n; i++) v[i] = (float)wt_rand(&g_seed, lo, hi);
}

/* Scratch copies in the graph's element type, freed together by typed_free. */
static void* g_typed[16];
static int g_typedCount;

/* v as float16 (a converted copy) or float32 (v itself). */
static void* typed(const float* v, size_t n, int f16) {
    if (!f16) return (void*)v;
    uint16_t* h = malloc(n * 2);
    for (size_t i = 0; i < n; i++) h[i] = wnn_double_to_half(v[i]);
    g_typed[g_typedCount++] = h;
    return h;
}

static void typed_free(void) {
    while (g_typedCount) free(g_typed[--g_typedCount]);
}

/* A forced oneDNN path must have run (and "own" must not have). */
static void expect_path(const char* what, const char* path, unsigned before) {
#ifdef WNN_HAVE_ONEDNN
    wt_checks++;
    int ran = wnn_cpu_onednn_nodes() > before;
    if (ran != (strcmp(path, "own") != 0 && strcmp(path, "packed") != 0)) {
        wt_failures++;
        fprintf(stderr, "%s: oneDNN %s\n", what, ran ? "ran" : "did not run");
    }
#else
    (void)what, (void)path, (void)before;
#endif
}

/* The packed GEMM must have run exactly when forced on a float32 matmul / gemm (it takes no float16). */
static void expect_packed(const char* what, const char* path, int f16, unsigned before) {
    wt_checks++;
    int ran = wnn_cpu_packed_nodes() > before, want = !strcmp(path, "packed") && !f16;
    if (strcmp(path, "own") && strcmp(path, "onednn") && strcmp(path, "packed")) return; /* matmul's auto */
    if (ran != want) {
        wt_failures++;
        fprintf(stderr, "%s: the packed GEMM %s\n", what, ran ? "ran" : "did not run");
    }
}

static void set_paths(const char* path) {
    setenv("WNN_CPU_CONV", path, 1);
    setenv("WNN_CPU_MATMUL", path, 1);
}

/* got (float32 or float16) against want within a relative tolerance. */
static void expect(const char* what, const void* got, int f16, const double* want, size_t n) {
    size_t bad = 0;
    double tol = f16 ? 2e-2 : 1e-4;
    for (size_t i = 0; i < n; i++) {
        double g = f16 ? wnn_half_to_float(((const uint16_t*)got)[i]) : ((const float*)got)[i];
        if (!(fabs(g - want[i]) <= tol * (1 + fabs(want[i])))) {
            if (bad++ < 3) fprintf(stderr, "%s: [%zu] got %.7g want %.7g\n", what, i, g, want[i]);
        }
    }
    wt_checks++;
    if (bad) wt_failures++;
}

/* conv2d (groups g, stride s, dilation d, layout) + add(constant [C,1,1] or [C]) + activation,
 * once with only the last output (fusible) and once with the conv's output as a graph output too. */
static void conv_case(const char* path, int nhwc, uint32_t cin, uint32_t cout, uint32_t g, uint32_t s, uint32_t d,
                      int which, int f16) {
    const uint32_t N = 2, H = cin >= 32 ? 14 : 9, W = cin >= 32 ? 13 : 10, K = 3, pad = 1; /* >= 32: a Winograd candidate */
    uint32_t OH = (H + 2 * pad - d * (K - 1) - 1) / s + 1, OW = (W + 2 * pad - d * (K - 1) - 1) / s + 1;
    size_t nx = (size_t)N * cin * H * W, nw = (size_t)cout * (cin / g) * K * K, ny = (size_t)N * cout * OH * OW;
    float *x = malloc(nx * 4), *w = malloc(nw * 4), bias[64], add[64];
    fill(x, nx, -1, 1);
    fill(w, nw, -0.4, 0.4);
    fill(bias, cout, -0.5, 0.5);
    fill(add, cout, -0.5, 0.5);
    double* conv = calloc(ny, sizeof(double));
    double* want = malloc(ny * sizeof(double));
    for (uint32_t n = 0; n < N; n++)
        for (uint32_t co = 0; co < cout; co++)
            for (uint32_t oy = 0; oy < OH; oy++)
                for (uint32_t ox = 0; ox < OW; ox++) {
                    double acc = bias[co];
                    uint32_t cig = cin / g, grp = co / (cout / g);
                    for (uint32_t ci = 0; ci < cig; ci++)
                        for (uint32_t ky = 0; ky < K; ky++)
                            for (uint32_t kx = 0; kx < K; kx++) {
                                long iy = (long)(oy * s + ky * d) - pad, ix = (long)(ox * s + kx * d) - pad;
                                if (iy < 0 || ix < 0 || iy >= (long)H || ix >= (long)W) continue;
                                uint32_t c = grp * cig + ci;
                                size_t xi = nhwc ? (((size_t)n * H + iy) * W + ix) * cin + c
                                                 : (((size_t)n * cin + c) * H + iy) * W + ix;
                                acc += (double)x[xi] * w[((co * cig + ci) * K + ky) * K + kx];
                            }
                    size_t yi = nhwc ? (((size_t)n * OH + oy) * OW + ox) * cout + co
                                     : (((size_t)n * cout + co) * OH + oy) * OW + ox;
                    conv[yi] = acc;
                    want[yi] = act_ref(which, acc + add[co]);
                }
    set_paths(path);
    for (int both = 0; both < 2; both++) {
        WNNOperandDataType t = f16 ? WNNOperandDataType_Float16 : WNNOperandDataType_Float32;
        size_t es = f16 ? 2 : 4;
        void *xin = x, *win = w, *bin = bias, *ain = add;
        uint16_t *hx = NULL, *hw = NULL, hb[64], ha[64];
        if (f16) {
            hx = malloc(nx * 2), hw = malloc(nw * 2);
            for (size_t i = 0; i < nx; i++) hx[i] = wnn_double_to_half(x[i]);
            for (size_t i = 0; i < nw; i++) hw[i] = wnn_double_to_half(w[i]);
            for (uint32_t i = 0; i < cout; i++) hb[i] = wnn_double_to_half(bias[i]), ha[i] = wnn_double_to_half(add[i]);
            xin = hx, win = hw, bin = hb, ain = ha;
        }
        WNNGraphBuilder b = wt_builder();
        uint32_t xs[4] = {N, cin, H, W}, xsn[4] = {N, H, W, cin}, ws[4] = {cout, cin / g, K, K}, bs[1] = {cout};
        uint32_t as[3] = {cout, 1, 1};
        WNNOperand xo = wt_input(b, "x", t, 4, nhwc ? xsn : xs), y, c;
        WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
        uint32_t pads[4] = {pad, pad, pad, pad}, st[2] = {s, s}, dl[2] = {d, d};
        o.padding = pads, o.paddingCount = 4, o.strides = st, o.stridesCount = 2, o.dilations = dl;
        o.dilationsCount = 2, o.groups = wnnSomeUint32(g), o.bias = wt_constant(b, t, 1, bs, bin);
        o.inputLayout = nhwc ? WNNInputOperandLayout_Nhwc : WNNInputOperandLayout_Nchw;
        WT_OK(wnnGraphBuilderConv2d(b, xo, wt_constant(b, t, 4, ws, win), &o, &c));
        WT_OK(wnnGraphBuilderAdd(b, c, wt_constant(b, t, nhwc ? 1 : 3, nhwc ? bs : as, ain), NULL, &y));
        y = wt_activation(b, y, which);
        void* got = malloc(ny * es);
        void* gotConv = malloc(ny * es);
        WNNNamedOperand outs[2] = {{"y", y}, {"conv", c}};
        void* data[2] = {got, gotConv};
        WtFeed feed = {"x", xin};
        unsigned before = wnn_cpu_onednn_nodes();
        WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, both ? 2 : 1, data));
        char what[160];
        snprintf(what, sizeof what, "conv2d %s %s g%u s%u d%u act %d%s %s", path, nhwc ? "nhwc" : "nchw", g, s, d, which,
                 both ? " (+conv output)" : "", f16 ? "float16" : "float32");
        expect(what, got, f16, want, ny);
        if (both) expect(what, gotConv, f16, conv, ny);
        expect_path(what, path, before);
        wnnGraphBuilderRelease(b);
        free(got);
        free(gotConv);
        free(hx);
        free(hw);
    }
    free(x);
    free(w);
    free(conv);
    free(want);
}

/* matmul [B?,M,K] x [K,N] (constant or input b) + add(bias [N]) + activation; gemm with transposes
 * and c [1,N] times beta. */
static void matmul_case(const char* path, int batched, int constB, int which, int f16) {
    const uint32_t Bt = batched ? 3 : 1, M = 17, K = 24, N = 20;
    float *a = malloc(4 * Bt * M * K), *bm = malloc(4 * K * N), bias[20];
    fill(a, (size_t)Bt * M * K, -1, 1);
    fill(bm, (size_t)K * N, -0.5, 0.5);
    fill(bias, N, -1, 1);
    double* want = malloc(sizeof(double) * Bt * M * N);
    for (uint32_t q = 0; q < Bt * M; q++)
        for (uint32_t j = 0; j < N; j++) {
            double acc = 0;
            for (uint32_t k = 0; k < K; k++) acc += (double)a[q * K + k] * bm[k * N + j];
            want[q * N + j] = act_ref(which, acc + bias[j]);
        }
    set_paths(path);
    WNNOperandDataType t = f16 ? WNNOperandDataType_Float16 : WNNOperandDataType_Float32;
    const char* tn = f16 ? "float16" : "float32";
    WNNGraphBuilder b = wt_builder();
    uint32_t as3[3] = {Bt, M, K}, as2[2] = {M, K}, bs[2] = {K, N}, cs[1] = {N};
    void *ta = typed(a, (size_t)Bt * M * K, f16), *tb = typed(bm, (size_t)K * N, f16);
    WNNOperand x = wt_input(b, "a", t, batched ? 3 : 2, batched ? as3 : as2);
    WNNOperand w = constB ? wt_constant(b, t, 2, bs, tb) : wt_input(b, "b", t, 2, bs);
    WNNOperand m, y;
    WT_OK(wnnGraphBuilderMatmul(b, x, w, NULL, &m));
    WT_OK(wnnGraphBuilderAdd(b, m, wt_constant(b, t, 1, cs, typed(bias, N, f16)), NULL, &y));
    y = wt_activation(b, y, which);
    void* got = malloc(4 * Bt * M * N);
    WNNNamedOperand out = {"y", y};
    WtFeed feeds[2] = {{"a", ta}, {"b", tb}};
    unsigned before = wnn_cpu_onednn_nodes(), packedBefore = wnn_cpu_packed_nodes();
    WT_OK(wt_run(wt_cpu(), b, feeds, constB ? 1 : 2, &out, 1, (void* const*)&got));
    char what[96];
    snprintf(what, sizeof what, "matmul %s batched %d constB %d act %d %s", path, batched, constB, which, tn);
    expect(what, got, f16, want, (size_t)Bt * M * N);
    expect_path(what, path, before);
    expect_packed(what, path, f16, packedBefore);
    wnnGraphBuilderRelease(b);

    /* gemm: a^T stored [K,M], b^T stored [N,K], c [1,N], beta 0.5 */
    float *at = malloc(4 * M * K), *bt = malloc(4 * K * N);
    for (uint32_t i = 0; i < M; i++)
        for (uint32_t k = 0; k < K; k++) at[k * M + i] = a[i * K + k];
    for (uint32_t k = 0; k < K; k++)
        for (uint32_t j = 0; j < N; j++) bt[j * K + k] = bm[k * N + j];
    for (uint32_t i = 0; i < M; i++)
        for (uint32_t j = 0; j < N; j++) {
            double acc = 0;
            for (uint32_t k = 0; k < K; k++) acc += (double)a[i * K + k] * bm[k * N + j];
            want[i * N + j] = act_ref(which, acc + 0.5 * bias[j]);
        }
    b = wt_builder();
    uint32_t ats[2] = {K, M}, bts[2] = {N, K}, c2[2] = {1, N};
    void *tat = typed(at, (size_t)M * K, f16), *tbt = typed(bt, (size_t)K * N, f16);
    x = wt_input(b, "a", t, 2, ats);
    w = constB ? wt_constant(b, t, 2, bts, tbt) : wt_input(b, "b", t, 2, bts);
    WNNGemmOptions go = WNN_GEMM_OPTIONS_INIT;
    go.c = wt_constant(b, t, 2, c2, typed(bias, N, f16));
    go.beta = wnnSomeDouble(0.5);
    go.aTranspose = true;
    go.bTranspose = true;
    WT_OK(wnnGraphBuilderGemm(b, x, w, &go, &y));
    y = wt_activation(b, y, which);
    out.operand = y;
    WtFeed gfeeds[2] = {{"a", tat}, {"b", tbt}};
    before = wnn_cpu_onednn_nodes(), packedBefore = wnn_cpu_packed_nodes();
    WT_OK(wt_run(wt_cpu(), b, gfeeds, constB ? 1 : 2, &out, 1, (void* const*)&got));
    snprintf(what, sizeof what, "gemm %s constB %d act %d %s", path, constB, which, tn);
    expect(what, got, f16, want, (size_t)M * N);
    expect_path(what, path, before);
    expect_packed(what, path, f16, packedBefore);
    wnnGraphBuilderRelease(b);
    typed_free();
    free(a), free(bm), free(at), free(bt), free(got), free(want);
}

/* auto on a matmul + bias + relu big enough (10.5 MFLOP) for the build to time the packed GEMM
 * against oneDNN's: either way the result is right. */
static void matmul_timed_case(void) {
    const uint32_t M = 128, K = 256, N = 160;
    float *a = malloc(4 * M * K), *w = malloc(4 * K * N), bias[160], *got = malloc(4 * M * N);
    double* want = malloc(sizeof(double) * M * N);
    fill(a, (size_t)M * K, -1, 1);
    fill(w, (size_t)K * N, -0.5, 0.5);
    fill(bias, N, -1, 1);
    for (uint32_t i = 0; i < M; i++)
        for (uint32_t j = 0; j < N; j++) {
            double acc = bias[j];
            for (uint32_t k = 0; k < K; k++) acc += (double)a[i * K + k] * w[k * N + j];
            want[i * N + j] = act_ref(0, acc);
        }
    set_paths("auto");
    WNNGraphBuilder b = wt_builder();
    uint32_t as[2] = {M, K}, ws[2] = {K, N}, cs[1] = {N};
    WNNOperand m, y;
    WT_OK(wnnGraphBuilderMatmul(b, wt_input(b, "a", WNNOperandDataType_Float32, 2, as),
                                wt_constant(b, WNNOperandDataType_Float32, 2, ws, w), NULL, &m));
    WT_OK(wnnGraphBuilderAdd(b, m, wt_constant(b, WNNOperandDataType_Float32, 1, cs, bias), NULL, &y));
    y = wt_activation(b, y, 0);
    WNNNamedOperand out = {"y", y};
    WtFeed feed = {"a", a};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, &out, 1, (void* const*)&got));
    expect("matmul auto (timed)", got, 0, want, (size_t)M * N);
    wnnGraphBuilderRelease(b);
    free(a), free(w), free(got), free(want);
}

/* auto on a classifier's gemm, 1 x 1280 times a constant b^T [1000, 1280] + c (5 MB of b): our
 * packed GEMM, untimed (cpu_prepare.c, faster_matmul), and right. */
static void gemv_case(void) {
    const uint32_t K = 1280, N = 1000;
    float *a = malloc(4 * K), *w = malloc(4 * (size_t)K * N), *c = malloc(4 * N), *got = malloc(4 * N);
    double* want = malloc(sizeof(double) * N);
    fill(a, K, -1, 1);
    fill(w, (size_t)K * N, -0.1, 0.1);
    fill(c, N, -1, 1);
    for (uint32_t j = 0; j < N; j++) {
        double acc = c[j];
        for (uint32_t k = 0; k < K; k++) acc += (double)a[k] * w[(size_t)j * K + k];
        want[j] = acc;
    }
    set_paths("auto");
    WNNGraphBuilder b = wt_builder();
    uint32_t as[2] = {1, K}, ws[2] = {N, K}, cs[1] = {N};
    WNNGemmOptions go = WNN_GEMM_OPTIONS_INIT;
    go.c = wt_constant(b, WNNOperandDataType_Float32, 1, cs, c);
    go.bTranspose = true;
    WNNOperand y;
    WT_OK(wnnGraphBuilderGemm(b, wt_input(b, "a", WNNOperandDataType_Float32, 2, as),
                              wt_constant(b, WNNOperandDataType_Float32, 2, ws, w), &go, &y));
    WNNNamedOperand out = {"y", y};
    WtFeed feed = {"a", a};
    unsigned packedBefore = wnn_cpu_packed_nodes();
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, &out, 1, (void* const*)&got));
    expect("gemm 1 x 1280 x 1000 auto", got, 0, want, N);
    WT_CHECK(wnn_cpu_packed_nodes() > packedBefore);
    wnnGraphBuilderRelease(b);
    free(a), free(w), free(c), free(got), free(want);
}

/* Three 3x3 convs (32 channels, 14 x 13, + relu) in a row in an NCHW graph, forced onto the NHWC
 * Winograd: each reorders its input from NCHW and its output back unless linked to a neighbour's
 * NHWC (onednn_winograd.c). The two tensors between them must be linked (extra: the first is a
 * graph output too, kept in NCHW: one), and the result match our direct kernels'. */
static void winograd_chain_case(int extra) {
    const uint32_t C = 32, H = 14, W = 13;
    size_t n = (size_t)C * H * W, nw = (size_t)C * C * 9;
    float *x = malloc(4 * n), *w = malloc(4 * nw * 3), *own = malloc(4 * n), *got = malloc(4 * n);
    float *ownMid = malloc(4 * n), *gotMid = malloc(4 * n);
    double* want = malloc(sizeof(double) * n);
    fill(x, n, -1, 1);
    fill(w, nw * 3, -0.1, 0.1);
    unsigned linked[2] = {0, 0};
    const char* paths[2] = {"own", "winograd-nhwc"};
    for (int p = 0; p < 2; p++) {
        set_paths(paths[p]);
        WNNGraphBuilder b = wt_builder();
        uint32_t xs[4] = {1, C, H, W}, ws[4] = {C, C, 3, 3}, pad[4] = {1, 1, 1, 1};
        WNNOperand y = wt_input(b, "x", WNNOperandDataType_Float32, 4, xs), mid = y;
        WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
        o.padding = pad, o.paddingCount = 4;
        for (int k = 0; k < 3; k++) {
            WT_OK(wnnGraphBuilderConv2d(b, y, wt_constant(b, WNNOperandDataType_Float32, 4, ws, w + k * nw), &o, &y));
            WT_OK(wnnGraphBuilderRelu(b, y, NULL, &y));
            if (k == 0) mid = y;
        }
        WNNNamedOperand outs[2] = {{"y", y}, {"mid", mid}};
        void* data[2] = {p ? got : own, p ? gotMid : ownMid};
        WtFeed feed = {"x", x};
        unsigned before = wnn_cpu_linked_tensors();
        WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, extra ? 2 : 1, data));
        linked[p] = wnn_cpu_linked_tensors() - before;
        wnnGraphBuilderRelease(b);
    }
    char what[80];
    snprintf(what, sizeof what, "three winograd-nhwc convs in an NCHW graph%s", extra ? " (+first output)" : "");
    for (size_t i = 0; i < n; i++) want[i] = own[i];
    expect(what, got, 0, want, n);
    if (extra) {
        for (size_t i = 0; i < n; i++) want[i] = ownMid[i];
        expect(what, gotMid, 0, want, n);
    }
#ifdef WNN_HAVE_ONEDNN
    wt_checks++;
    if (linked[1] != (extra ? 1u : 2u) || linked[0] != 0) {
        wt_failures++;
        fprintf(stderr, "%s: %u tensors linked (own kernels: %u), expected %u\n", what, linked[1], linked[0], extra ? 1u : 2u);
    }
#else
    (void)linked;
#endif
    free(x), free(w), free(own), free(got), free(ownMid), free(gotMid), free(want);
}

/* A residual block as mobilenetv2 and resnet50 have them (after a 1x1 conv and a 3x3 max pool): 1x1 conv + clamp(0, 6) -> depthwise 3x3
 * + clamp -> 1x1 conv -> add(block input) -> relu -> 3x3 conv -> add -> 1x1 conv, channels C (a multiple of oneDNN's
 * block of 8 or not). On oneDNN the activations between the steps stay in its blocked layout; the
 * result must match our kernels'. extra: the add's output is a graph output too (never linked). */
static void block_run(const char* path, uint32_t C, int extra, int f16, const float* x, void* out, void* outAdd) {
    set_paths(path);
    WNNOperandDataType t = f16 ? WNNOperandDataType_Float16 : WNNOperandDataType_Float32;
    WNNGraphBuilder b = wt_builder();
    uint32_t xs[4] = {1, C, 10, 9}, w1[4] = {2 * C, C, 1, 1}, wd[4] = {2 * C, 1, 3, 3}, w2[4] = {C, 2 * C, 1, 1};
    uint32_t w3[4] = {C, C, 3, 3};
    size_t n1 = 2 * C * C, nd = 2 * C * 9, n3 = C * C * 9;
    float *f1 = malloc(4 * n1), *fd = malloc(4 * nd), *f2 = malloc(4 * n1), *f3 = malloc(4 * n3);
    uint64_t seed = 99;
    for (size_t i = 0; i < n1; i++) f1[i] = (float)wt_rand(&seed, -0.4, 0.4), f2[i] = (float)wt_rand(&seed, -0.3, 0.3);
    for (size_t i = 0; i < nd; i++) fd[i] = (float)wt_rand(&seed, -0.4, 0.4);
    for (size_t i = 0; i < n3; i++) f3[i] = (float)wt_rand(&seed, -0.2, 0.2);
    WNNOperand in = wt_input(b, "x", t, 4, xs), y, r, a;
    WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
    /* a stem conv first and a 1x1 conv last, so that the residual operands are all inside */
    uint32_t ws[4] = {C, C, 1, 1};
    WT_OK(wnnGraphBuilderConv2d(b, in, wt_constant(b, t, 4, ws, typed(f3, C * C, f16)), &o, &in));
    WNNPool2dOptions po = WNN_POOL2D_OPTIONS_INIT; /* a pool between convs: linked too */
    uint32_t win[2] = {3, 3}, ppad[4] = {1, 1, 1, 1};
    po.windowDimensions = win, po.windowDimensionsCount = 2, po.padding = ppad, po.paddingCount = 4;
    WT_OK(wnnGraphBuilderMaxPool2d(b, in, &po, &in));
    WT_OK(wnnGraphBuilderConv2d(b, in, wt_constant(b, t, 4, w1, typed(f1, n1, f16)), &o, &y));
    WNNClampOptions co = WNN_CLAMP_OPTIONS_INIT;
    co.minValue = wnnNumberDouble(0);
    co.maxValue = wnnNumberDouble(6);
    WT_OK(wnnGraphBuilderClamp(b, y, &co, &y));
    WNNConv2dOptions od = WNN_CONV2D_OPTIONS_INIT;
    uint32_t pad[4] = {1, 1, 1, 1};
    od.padding = pad, od.paddingCount = 4, od.groups = wnnSomeUint32(2 * C);
    WT_OK(wnnGraphBuilderConv2d(b, y, wt_constant(b, t, 4, wd, typed(fd, nd, f16)), &od, &y));
    WT_OK(wnnGraphBuilderClamp(b, y, &co, &y));
    WT_OK(wnnGraphBuilderConv2d(b, y, wt_constant(b, t, 4, w2, typed(f2, n1, f16)), &o, &y));
    WT_OK(wnnGraphBuilderAdd(b, y, in, NULL, &a));
    WT_OK(wnnGraphBuilderRelu(b, a, NULL, &r));
    WNNConv2dOptions o3 = WNN_CONV2D_OPTIONS_INIT;
    o3.padding = pad, o3.paddingCount = 4;
    WT_OK(wnnGraphBuilderConv2d(b, r, wt_constant(b, t, 4, w3, typed(f3, n3, f16)), &o3, &y));
    WT_OK(wnnGraphBuilderAdd(b, y, r, NULL, &y)); /* second residual, from a linked operand */
    WT_OK(wnnGraphBuilderConv2d(b, y, wt_constant(b, t, 4, ws, typed(f2, C * C, f16)), &o, &y));
    WNNNamedOperand outs[2] = {{"y", y}, {"add", a}};
    void* data[2] = {out, outAdd};
    WtFeed feed = {"x", typed(x, (size_t)C * 90, f16)};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, extra ? 2 : 1, data));
    wnnGraphBuilderRelease(b);
    typed_free();
    free(f1), free(fd), free(f2), free(f3);
}

/* conv2d -> add(r) -> relu where r comes from a conv after it in build order (not fusible as a
 * residual), or is the graph input itself (plain layout: reordered for the post-op). */
static void residual_case(const char* path, int late, double* want, float* got) {
    const uint32_t C = 8;
    uint32_t xs[4] = {1, C, 6, 7}, ws[4] = {C, C, 1, 1};
    float x[336], w1[64], w2[64];
    uint64_t seed = 5;
    for (int i = 0; i < 336; i++) x[i] = (float)wt_rand(&seed, -1, 1);
    for (int i = 0; i < 64; i++) w1[i] = (float)wt_rand(&seed, -0.5, 0.5), w2[i] = (float)wt_rand(&seed, -0.5, 0.5);
    for (uint32_t c = 0; c < C; c++)
        for (uint32_t p = 0; p < 42; p++) {
            double y1 = 0, y2 = 0;
            for (uint32_t ci = 0; ci < C; ci++) y1 += (double)w1[c * C + ci] * x[ci * 42 + p], y2 += (double)w2[c * C + ci] * x[ci * 42 + p];
            double v = y1 + (late ? y2 : x[c * 42 + p]);
            want[c * 42 + p] = v > 0 ? v : 0;
        }
    set_paths(path);
    WNNGraphBuilder b = wt_builder();
    WNNOperand in = wt_input(b, "x", WNNOperandDataType_Float32, 4, xs), y1, y2 = in, y;
    WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
    WT_OK(wnnGraphBuilderConv2d(b, in, wt_constant(b, WNNOperandDataType_Float32, 4, ws, w1), &o, &y1));
    if (late) WT_OK(wnnGraphBuilderConv2d(b, in, wt_constant(b, WNNOperandDataType_Float32, 4, ws, w2), &o, &y2));
    WT_OK(wnnGraphBuilderAdd(b, y1, y2, NULL, &y));
    WT_OK(wnnGraphBuilderRelu(b, y, NULL, &y));
    WNNNamedOperand out = {"y", y};
    WtFeed feed = {"x", x};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, &out, 1, (void* const*)&got));
    wnnGraphBuilderRelease(b);
    char what[64];
    snprintf(what, sizeof what, "conv2d + residual %s (%s)", late ? "made later" : "graph input", path);
    expect(what, got, 0, want, 336);
}

/* A 1-thread context (oneDNN's OpenMP threads follow it, onednn.c) and the default one give the
 * same result. */
static void thread_count_case(void) {
    set_paths("onednn");
    const uint32_t C = 64, H = 56;
    uint32_t xs[4] = {1, C, H, H}, ws[4] = {C, C, 3, 3};
    size_t nx = (size_t)C * H * H, nw = (size_t)C * C * 9;
    float *x = malloc(4 * nx), *w = malloc(4 * nw), *y1 = malloc(4 * nx), *y2 = malloc(4 * nx);
    fill(x, nx, -1, 1);
    fill(w, nw, -0.1, 0.1);
    WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
    o.threadCount = 1;
    WNNContext one = NULL;
    WT_OK(wnnCreateContext(&o, &one));
    WNNContext ctx[2] = {one, wt_cpu()};
    float* outs[2] = {y1, y2};
    for (int i = 0; i < 2; i++) {
        WNNGraphBuilder b = NULL;
        WT_OK(wnnCreateGraphBuilder(ctx[i], &b));
        WNNConv2dOptions co = WNN_CONV2D_OPTIONS_INIT;
        uint32_t pad[4] = {1, 1, 1, 1};
        co.padding = pad, co.paddingCount = 4;
        WNNOperand y;
        WT_OK(wnnGraphBuilderConv2d(b, wt_input(b, "x", WNNOperandDataType_Float32, 4, xs),
                                    wt_constant(b, WNNOperandDataType_Float32, 4, ws, w), &co, &y));
        WNNNamedOperand out = {"y", y};
        WtFeed feed = {"x", x};
        WT_OK(wt_run(ctx[i], b, &feed, 1, &out, 1, (void* const*)&outs[i]));
        wnnGraphBuilderRelease(b);
    }
    double* want = malloc(sizeof(double) * nx);
    for (size_t i = 0; i < nx; i++) want[i] = y2[i];
    expect("conv2d on a 1-thread context", y1, 0, want, nx);
    wnnContextRelease(one);
    free(x), free(w), free(y1), free(y2), free(want);
}

/* The block on our kernels and on oneDNN (float16: converted at each step's edges, the linked
 * activations between steps kept in float32), and with its 3x3 conv on the NHWC Winograd
 * transforms between oneDNN steps (winograd-nhwc), give the same result. */
static void block_case(uint32_t C, int extra, int f16) {
    size_t n = (size_t)C * 90, es = f16 ? 2 : 4;
    float* x = malloc(4 * n);
    void *own = malloc(es * n), *one = malloc(es * n), *ownA = malloc(es * n), *oneA = malloc(es * n);
    double* want = malloc(sizeof(double) * n);
    fill(x, n, -1, 1);
    block_run("own", C, extra, f16, x, own, ownA);
    const char* paths[2] = {"onednn", "winograd-nhwc"};
    for (int p = 0; p < 2; p++) {
        unsigned before = wnn_cpu_onednn_nodes();
        block_run(paths[p], C, extra, f16, x, one, oneA);
        char what[80];
        snprintf(what, sizeof what, "residual block C=%u%s %s %s", C, extra ? " (+add output)" : "", f16 ? "float16" : "float32",
                 paths[p]);
        expect_path(what, paths[p], before);
        for (size_t i = 0; i < n; i++) want[i] = f16 ? wnn_half_to_float(((uint16_t*)own)[i]) : ((float*)own)[i];
        expect(what, one, f16, want, n);
        if (extra) {
            for (size_t i = 0; i < n; i++) want[i] = f16 ? wnn_half_to_float(((uint16_t*)ownA)[i]) : ((float*)ownA)[i];
            expect(what, oneA, f16, want, n);
        }
    }
    free(x), free(own), free(one), free(ownA), free(oneA), free(want);
}

int main(void) {
    /* winograd: 3x3 stride-1 convs, else oneDNN; winograd-nhwc: NCHW ones on the NHWC transforms */
    const char* paths[5] = {"own", "onednn", "winograd", "winograd-nhwc", "packed"};
    for (int p = 0; p < 5; p++) {
        for (int which = 0; which <= ACTS - 1; which++) {
            conv_case(paths[p], which & 1, 8, 16, 1, 1, 1, which, 0);
            matmul_case(paths[p], which & 1, which % 3 != 0, which, 0);
            conv_case(paths[p], which & 1, 8, 16, 1, 1, 1, which, 1);
            matmul_case(paths[p], which & 1, which % 3 != 0, which, 1);
        }
        conv_case(paths[p], 0, 8, 8, 8, 1, 1, 0, 0);  /* depthwise */
        conv_case(paths[p], 1, 8, 8, 8, 2, 1, 1, 0);  /* depthwise nhwc, stride 2 */
        conv_case(paths[p], 0, 8, 12, 2, 2, 2, 3, 0); /* groups, stride, dilation */
        conv_case(paths[p], 1, 8, 16, 1, 1, 2, 5, 0);
        conv_case(paths[p], 0, 8, 8, 8, 1, 1, 0, 1); /* float16: depthwise, groups, stride, dilation */
        conv_case(paths[p], 1, 8, 16, 1, 2, 1, 1, 1);
        conv_case(paths[p], 0, 8, 12, 2, 2, 2, 3, 1);
    }
    /* auto, a conv that Winograd and oneDNN's direct kernel both take: built as the faster by
     * time (cpu_prepare.c, pick_faster), either way correct and on oneDNN */
    for (int which = 0; which < 4; which++) {
        conv_case("auto", which & 1, 32, 32, 1, 1, 1, which == 3 ? ACTS - 1 : which, which >> 1);
        conv_case("auto", which & 1, 32, 48, 1, 1, 1, 1, 0);
    }
    /* the NHWC Winograd's blocks of tiles: 32 -> 48 channels on 2 x 14 x 13 is 98 tiles, blocks of
     * 72 (onednn_winograd.c), so a full block and a partial one; also from NCHW and in float16 */
    /* each on both output tiles of the NHWC transforms, F(2x2, 3x3) and F(4x4, 3x3) (14 x 13:
     * partial tiles on both edges), and channel counts off the transforms' 8-lane vectors */
    const char* tiles[2] = {"2", "4"};
    for (int t = 0; t < 2; t++) {
        setenv("WNN_CPU_WINOGRAD_TILE", tiles[t], 1);
        conv_case("winograd", 1, 32, 48, 1, 1, 1, 1, 0);
        conv_case("winograd-nhwc", 0, 32, 48, 1, 1, 1, 2, 0);
        conv_case("winograd", 1, 32, 48, 1, 1, 1, 0, 1);
        conv_case("winograd", 1, 37, 43, 1, 1, 1, 3, 0);
        conv_case("winograd-nhwc", 0, 35, 13, 1, 1, 1, ACTS - 1, 0);
        conv_case("winograd", 1, 8, 16, 1, 1, 1, 1, 0);
    }
    unsetenv("WNN_CPU_WINOGRAD_TILE");
    matmul_timed_case();
    gemv_case();
    winograd_chain_case(0);
    winograd_chain_case(1);
    for (int extra = 0; extra < 4; extra++) { /* extra & 2: float16 */
        block_case(8, extra & 1, extra >> 1);
        block_case(16, extra & 1, extra >> 1);
        block_case(12, extra & 1, extra >> 1); /* padded to 16 inside oneDNN's layout: element-wise nodes stay plain */
    }
    for (int p = 0; p < 4; p++)
        for (int late = 0; late < 2; late++) {
            double want[336];
            float got[336];
            residual_case(paths[p], late, want, got);
        }
    thread_count_case();
    unsetenv("WNN_CPU_CONV");
    unsetenv("WNN_CPU_MATMUL");
    return wt_summary("test_cpu_paths");
}
