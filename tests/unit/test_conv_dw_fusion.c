/* test_conv_dw_fusion.c: a MobileNet block's expand and depthwise steps, 1x1 conv2d + bias +
 * clamp(0, 6) -> depthwise 3x3 conv2d (stride 1 or 2, padding 1) + bias + clamp, which the CPU
 * backend may run as one oneDNN primitive (cpu_fuse.h: wnn_cpu_fuse_dw; onednn_conv_dw.c). Every
 * result is checked against float64, NCHW and NHWC, with WNN_CPU_CONV = auto, onednn and own; the
 * build's fused-node count says whether the pair became one step: 3 (the clamp, the depthwise
 * conv, its clamp) or 2 (each conv with its own clamp), none on our own kernels, and
 * never when the expanded tensor is also a graph output. On an AVX-512 CPU oneDNN 2.6 has a JIT
 * kernel for the first mobilenetv2 pair (16 -> 96 channels at 112 x 112, stride 2): there the
 * fusion must happen. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_passes.h"
#include "core/core.h"
#include "wt.h"

static uint64_t g_seed = 41;

typedef struct Case {
    uint32_t cin, cexp, H, stride;
    int nhwc;
    int expandedOut; /* the expanded tensor is a graph output too */
} Case;

static float* random_values(size_t n, double lo, double hi) {
    float* v = malloc(sizeof(float) * n);
    for (size_t i = 0; i < n; i++) v[i] = (float)wt_rand(&g_seed, lo, hi);
    return v;
}

static double relu6(double v) { return v < 0 ? 0 : v > 6 ? 6 : v; }

/* Index of (c, y, x) in a C x H x W image, NCHW or NHWC. */
static size_t at(int nhwc, uint32_t C, uint32_t H, uint32_t W, uint32_t c, uint32_t y, uint32_t x) {
    return nhwc ? ((size_t)y * W + x) * C + c : ((size_t)c * H + y) * W + x;
}

/* Returns the fused-node count of the build. */
static unsigned run_case(const Case* k, const char* path) {
    const uint32_t C = k->cin, E = k->cexp, H = k->H, W = k->H, s = k->stride, OH = (H + 2 - 3) / s + 1, OW = OH;
    float *x = random_values((size_t)C * H * W, -1, 1), *w1 = random_values((size_t)E * C, -0.5, 0.5);
    float *b1 = random_values(E, -0.5, 1.5), *wd = random_values((size_t)E * 9, -0.5, 0.5), *bd = random_values(E, -1, 1);
    double* mid = malloc(sizeof(double) * E * H * W);
    double* want = malloc(sizeof(double) * E * OH * OW);
    for (uint32_t e = 0; e < E; e++)
        for (uint32_t y = 0; y < H; y++)
            for (uint32_t xx = 0; xx < W; xx++) {
                double acc = b1[e];
                for (uint32_t c = 0; c < C; c++) acc += (double)w1[e * C + c] * x[at(k->nhwc, C, H, W, c, y, xx)];
                mid[((size_t)e * H + y) * W + xx] = relu6(acc);
            }
    for (uint32_t e = 0; e < E; e++)
        for (uint32_t oy = 0; oy < OH; oy++)
            for (uint32_t ox = 0; ox < OW; ox++) {
                double acc = bd[e];
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++) {
                        long iy = (long)(oy * s) + ky - 1, ix = (long)(ox * s) + kx - 1;
                        if (iy >= 0 && iy < (long)H && ix >= 0 && ix < (long)W)
                            acc += (double)wd[e * 9 + ky * 3 + kx] * mid[((size_t)e * H + iy) * W + ix];
                    }
                want[at(k->nhwc, E, OH, OW, e, oy, ox)] = relu6(acc);
            }

    setenv("WNN_CPU_CONV", path, 1);
    WNNGraphBuilder b = wt_builder();
    uint32_t xs[4] = {1, C, H, W}, xsn[4] = {1, H, W, C}, w1s[4] = {E, C, 1, 1}, w1sn[4] = {E, 1, 1, C};
    uint32_t wds[4] = {E, 1, 3, 3}, wdsn[4] = {1, 3, 3, E}, bs[1] = {E};
    /* NHWC: filters OHWI for the 1x1 conv, IHWO for the depthwise one (the spec's defaults with an nhwc input) */
    float* wdn = malloc(sizeof(float) * E * 9);
    for (uint32_t e = 0; e < E; e++)
        for (int t = 0; t < 9; t++) wdn[t * E + e] = wd[e * 9 + t];
    WNNOperand in = wt_input(b, "x", WNNOperandDataType_Float32, 4, k->nhwc ? xsn : xs), m, y;
    WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
    o.bias = wt_constant(b, WNNOperandDataType_Float32, 1, bs, b1);
    if (k->nhwc) o.inputLayout = WNNInputOperandLayout_Nhwc, o.filterLayout = WNNConv2dFilterOperandLayout_Ohwi;
    WT_OK(wnnGraphBuilderConv2d(b, in, wt_constant(b, WNNOperandDataType_Float32, 4, k->nhwc ? w1sn : w1s, w1), &o, &m));
    WNNClampOptions co = WNN_CLAMP_OPTIONS_INIT;
    co.minValue = wnnNumberDouble(0);
    co.maxValue = wnnNumberDouble(6);
    WT_OK(wnnGraphBuilderClamp(b, m, &co, &m));
    WNNConv2dOptions od = WNN_CONV2D_OPTIONS_INIT;
    uint32_t pad[4] = {1, 1, 1, 1}, st[2] = {s, s};
    od.padding = pad, od.paddingCount = 4, od.strides = st, od.stridesCount = 2, od.groups = wnnSomeUint32(E);
    od.bias = wt_constant(b, WNNOperandDataType_Float32, 1, bs, bd);
    if (k->nhwc) od.inputLayout = WNNInputOperandLayout_Nhwc, od.filterLayout = WNNConv2dFilterOperandLayout_Ihwo;
    WT_OK(wnnGraphBuilderConv2d(b, m, wt_constant(b, WNNOperandDataType_Float32, 4, k->nhwc ? wdsn : wds, k->nhwc ? wdn : wd),
                                &od, &y));
    WT_OK(wnnGraphBuilderClamp(b, y, &co, &y));
    WNNNamedOperand outs[2] = {{"y", y}, {"mid", m}};
    float* got = malloc(sizeof(float) * E * OH * OW);
    float* gotMid = malloc(sizeof(float) * E * H * W);
    void* data[2] = {got, gotMid};
    WtFeed feed = {"x", x};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, k->expandedOut ? 2 : 1, data));
    wnnGraphBuilderRelease(b);
    WnnCpuPassStats stats;
    wnn_cpu_last_stats(&stats);

    char what[128];
    snprintf(what, sizeof what, "1x1 %u -> %u at %u, depthwise stride %u, %s%s (%s)", C, E, H, s, k->nhwc ? "nhwc" : "nchw",
             k->expandedOut ? ", expanded tensor an output" : "", path);
    wt_expect_f32_atol(what, got, want, (size_t)E * OH * OW, 1e-4);
    if (k->expandedOut) {
        double* midOut = malloc(sizeof(double) * E * H * W);
        for (uint32_t e = 0; e < E; e++)
            for (uint32_t yy = 0; yy < H; yy++)
                for (uint32_t xx = 0; xx < W; xx++) midOut[at(k->nhwc, E, H, W, e, yy, xx)] = mid[((size_t)e * H + yy) * W + xx];
        wt_expect_f32_atol(what, gotMid, midOut, (size_t)E * H * W, 1e-4);
        free(midOut);
    }
    free(x), free(w1), free(b1), free(wd), free(wdn), free(bd), free(mid), free(want), free(got), free(gotMid);
    return stats.fused;
}

static void expect_fused(const char* what, unsigned fused, unsigned lo, unsigned hi) {
    wt_checks++;
    if (fused < lo || fused > hi) {
        wt_failures++;
        fprintf(stderr, "%s: %u nodes fused, expected %u..%u\n", what, fused, lo, hi);
    }
}

int main(void) {
    const Case cases[] = {
        {16, 96, 112, 2, 0, 0}, /* mobilenetv2's first pair */
        {24, 144, 28, 1, 0, 0}, {16, 32, 20, 2, 1, 0}, {8, 24, 15, 1, 1, 0},
        {16, 96, 40, 2, 0, 1}, /* the expanded tensor read by the graph too: not fused */
    };
    int fuse = wnn_cpu_pass_on("WNN_CPU_FUSE");
    __builtin_cpu_init();
    int avx512 = __builtin_cpu_supports("avx512f");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const Case* k = &cases[i];
        unsigned own = run_case(k, "own"), viaOnednn = run_case(k, "onednn"), autoPath = run_case(k, "auto");
        unsigned pair = fuse ? 2u : 0u; /* each conv with its own clamp */
        expect_fused("own kernels", own, 0, 0); /* our direct kernels take no chains */
#ifdef WNN_HAVE_ONEDNN
        unsigned most = fuse && !k->expandedOut ? 3u : pair;
        expect_fused("onednn", viaOnednn, pair, most);
        expect_fused("auto", autoPath, pair, most);
        if (i == 0 && avx512) expect_fused("mobilenetv2's first pair on AVX-512", viaOnednn, most, most);
#else
        (void)viaOnednn, (void)autoPath, (void)avx512;
#endif
    }
    unsetenv("WNN_CPU_CONV");
    return wt_summary("test_conv_dw_fusion");
}
