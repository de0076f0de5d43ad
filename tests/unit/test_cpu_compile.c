/* test_cpu_compile.c: the CPU backend's build-time passes (cpu_passes.h): reshape aliases, element-wise
 * chains, scalar scales folded into matmul / conv2d, constant folding and convTranspose2d on
 * oneDNN. Each case checks the results against float64 references computed here and, through the
 * last build's statistics, that the pass happened (or, with its WNN_CPU_* switch "0" as the ctest
 * variants set it, that it did not). Graph outputs in the middle of a pass's pattern must stay. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_passes.h"
#include "core/core.h"
#include "wt.h"

static uint64_t g_seed = 23;
#define F32 WNNOperandDataType_Float32
#define F16 WNNOperandDataType_Float16

static void fill(float* v, size_t n, double lo, double hi) {
    for (size_t i = 0; i < n; i++) v[i] = (float)wt_rand(&g_seed, lo, hi);
}

static WnnCpuPassStats stats(void) {
    WnnCpuPassStats s;
    wnn_cpu_last_stats(&s);
    return s;
}

/* got (float32 or float16) against want within a relative tolerance. */
static void expect(const char* what, const void* got, int f16, const double* want, size_t n) {
    size_t bad = 0;
    double tol = f16 ? 2e-2 : 1e-5;
    for (size_t i = 0; i < n; i++) {
        double g = f16 ? wnn_half_to_float(((const uint16_t*)got)[i]) : ((const float*)got)[i];
        if (!(fabs(g - want[i]) <= tol * (1 + fabs(want[i]))) && bad++ < 3)
            fprintf(stderr, "%s: [%zu] got %.7g want %.7g\n", what, i, g, want[i]);
    }
    wt_checks++;
    if (bad) wt_failures++;
}

static void expect_count(const char* what, unsigned got, unsigned want) {
    wt_checks++;
    if (got != want) {
        wt_failures++;
        fprintf(stderr, "%s: %u, expected %u\n", what, got, want);
    }
}

/* ---- reshape aliases ---- */

/* relu(x) -> reshape -> reshape -> relu, the first reshape's output also a graph output when
 * `middle`; a reshape of the graph input; intermediates alive across other nodes (sigmoid, softmax)
 * while an alias of them waits to be read. */
static void alias_case(int middle) {
    const uint32_t xs[2] = {6, 8}, r1[3] = {2, 3, 8}, r2[1] = {48};
    float x[48];
    fill(x, 48, -2, 2);
    double want[48], wantMid[48];
    for (int i = 0; i < 48; i++) {
        double a = x[i] > 0 ? x[i] : 0, t = 1 / (1 + exp(-(double)x[i]));
        wantMid[i] = a;
        want[i] = a + t * t; /* add(reshape(relu x), reshape(mul(sigmoid x, sigmoid x))) */
    }
    WNNGraphBuilder b = wt_builder();
    WNNOperand in = wt_input(b, "x", F32, 2, xs), a, r, s, t, y;
    WT_OK(wnnGraphBuilderRelu(b, in, NULL, &a));
    WT_OK(wnnGraphBuilderReshape(b, a, r1, 3, NULL, &r));
    WT_OK(wnnGraphBuilderReshape(b, r, r2, 1, NULL, &s));
    WT_OK(wnnGraphBuilderSigmoid(b, in, NULL, &t));
    WT_OK(wnnGraphBuilderMul(b, t, t, NULL, &t));
    WT_OK(wnnGraphBuilderReshape(b, t, r2, 1, NULL, &t));
    WT_OK(wnnGraphBuilderAdd(b, s, t, NULL, &y));
    float got[48], gotMid[48];
    WNNNamedOperand outs[2] = {{"y", y}, {"mid", r}};
    void* data[2] = {got, gotMid};
    WtFeed feed = {"x", x};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, middle ? 2 : 1, data));
    wnnGraphBuilderRelease(b);
    expect(middle ? "alias chain (+middle output)" : "alias chain", got, 0, want, 48);
    if (middle) expect("alias chain: middle output", gotMid, 0, wantMid, 48);
    int on = wnn_cpu_pass_on("WNN_CPU_ALIAS");
    expect_count("alias chain: aliases", stats().aliases, on ? 3u - (unsigned)middle : 0u);
}

/* A reshape of the graph input read by two nodes, and a reshape that is the graph output (kept). */
static void alias_edges_case(void) {
    const uint32_t xs[2] = {4, 5}, r[2] = {5, 4};
    float x[20], got[20], gotR[20];
    fill(x, 20, -1, 1);
    double want[20], wantR[20];
    for (int i = 0; i < 20; i++) want[i] = exp((double)x[i]) + x[i], wantR[i] = x[i];
    WNNGraphBuilder b = wt_builder();
    WNNOperand in = wt_input(b, "x", F32, 2, xs), v, e, y, o;
    WT_OK(wnnGraphBuilderReshape(b, in, r, 2, NULL, &v));
    WT_OK(wnnGraphBuilderExp(b, v, NULL, &e));
    WT_OK(wnnGraphBuilderAdd(b, e, v, NULL, &y));
    WT_OK(wnnGraphBuilderReshape(b, in, r, 2, NULL, &o));
    WNNNamedOperand outs[2] = {{"y", y}, {"r", o}};
    void* data[2] = {got, gotR};
    WtFeed feed = {"x", x};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, 2, data));
    wnnGraphBuilderRelease(b);
    expect("alias of a graph input", got, 0, want, 20);
    expect("reshape as graph output", gotR, 0, wantR, 20);
    expect_count("alias of a graph input: aliases", stats().aliases, wnn_cpu_pass_on("WNN_CPU_ALIAS") ? 1u : 0u);
}

/* ---- element-wise chains ---- */

/* A typed constant (float32 or float16) of v's values; v is rounded to the type in place. */
static WNNOperand typed_constant(WNNGraphBuilder b, int f16, uint32_t rank, const uint32_t* shape, float* v, size_t n) {
    if (!f16) return wt_constant(b, F32, rank, shape, v);
    uint16_t* h = malloc(n * 2);
    for (size_t i = 0; i < n; i++) h[i] = wnn_double_to_half(v[i]), v[i] = wnn_half_to_float(h[i]);
    WNNOperand c = wt_constant(b, F16, rank, shape, h);
    free(h);
    return c;
}

/* add(x, row[7]) -> mul(v, v) -> sigmoid -> sub(scalar, v) -> max(y, v) -> tanh -> div(v, col) ->
 * clamp on [2,6,5,7]. variant 1: the sigmoid's output is a graph output too (two chains); 2: an
 * add of a middle-axis broadcast [1,6,1,1] after the max, which no chain takes (two chains). */
static void chain_case(int f16, int variant) {
    enum { N = 420 };
    const uint32_t xs[4] = {2, 6, 5, 7}, rs[1] = {7}, ss[1] = {1}, cs[4] = {2, 6, 5, 1}, ms[4] = {1, 6, 1, 1};
    float x[N], y[N], row[7], sc[1], col[60], mid[6];
    fill(x, N, -2, 2), fill(y, N, -1, 1), fill(row, 7, -1, 1), fill(sc, 1, -1, 1), fill(col, 60, 0.5, 2), fill(mid, 6, -1, 1);
    WNNOperandDataType t = f16 ? F16 : F32;
    uint16_t hx[N], hy[N];
    for (int i = 0; i < N && f16; i++) hx[i] = wnn_double_to_half(x[i]), x[i] = wnn_half_to_float(hx[i]);
    for (int i = 0; i < N && f16; i++) hy[i] = wnn_double_to_half(y[i]), y[i] = wnn_half_to_float(hy[i]);
    WNNGraphBuilder b = wt_builder();
    WNNOperand xo = wt_input(b, "x", t, 4, xs), yo = wt_input(b, "y", t, 4, xs), v, sig;
    WT_OK(wnnGraphBuilderAdd(b, xo, typed_constant(b, f16, 1, rs, row, 7), NULL, &v));
    WT_OK(wnnGraphBuilderMul(b, v, v, NULL, &v));
    WT_OK(wnnGraphBuilderSigmoid(b, v, NULL, &sig));
    WT_OK(wnnGraphBuilderSub(b, typed_constant(b, f16, 1, ss, sc, 1), sig, NULL, &v));
    WT_OK(wnnGraphBuilderMax(b, yo, v, NULL, &v));
    if (variant == 2) WT_OK(wnnGraphBuilderAdd(b, v, typed_constant(b, f16, 4, ms, mid, 6), NULL, &v));
    WT_OK(wnnGraphBuilderTanh(b, v, NULL, &v));
    WT_OK(wnnGraphBuilderDiv(b, v, typed_constant(b, f16, 4, cs, col, 60), NULL, &v));
    WNNClampOptions co = WNN_CLAMP_OPTIONS_INIT;
    co.minValue = wnnNumberDouble(-0.5);
    co.maxValue = wnnNumberDouble(0.75);
    WT_OK(wnnGraphBuilderClamp(b, v, &co, &v));
    double want[N], wantSig[N];
    for (int i = 0; i < N; i++) {
        double a = (double)x[i] + row[i % 7];
        wantSig[i] = 1 / (1 + exp(-a * a));
        double m = fmax(y[i], sc[0] - wantSig[i]);
        if (variant == 2) m += mid[i / 35 % 6];
        want[i] = fmin(0.75, fmax(-0.5, tanh(m) / col[i / 7]));
    }
    char got[N * 4], gotSig[N * 4];
    WNNNamedOperand outs[2] = {{"out", v}, {"sig", sig}};
    void* data[2] = {got, gotSig};
    WtFeed feeds[2] = {{"x", f16 ? (void*)hx : x}, {"y", f16 ? (void*)hy : y}};
    WT_OK(wt_run(wt_cpu(), b, feeds, 2, outs, variant == 1 ? 2 : 1, data));
    wnnGraphBuilderRelease(b);
    char what[64];
    snprintf(what, sizeof what, "element-wise chain %s variant %d", f16 ? "float16" : "float32", variant);
    expect(what, got, f16, want, N);
    if (variant == 1) expect("element-wise chain: middle output", gotSig, f16, wantSig, N);
    WnnCpuPassStats st = stats();
    unsigned nodes = variant == 2 ? 9 : 8;
    int on = wnn_cpu_pass_on("WNN_CPU_CHAIN");
    /* variant 2: add(mid) runs alone between a chain of 5 and one of 3 */
    expect_count(what, st.chains, on ? (variant ? 2u : 1u) : 0u);
    expect_count(what, st.steps, on ? (variant == 2 ? 3u : variant ? 2u : 1u) : nodes);
    expect_count(what, st.chained, on ? (variant == 2 ? 8u : nodes) : 0u);
}

/* The running value broadcast up mid-run (exp [7] -> add with [3,7]: a new run starts; the exp
 * alone is a one-op step, float32's exp instead of the double engine's), runs on rank-0 tensors,
 * and an int32 node (no float32 function: never chained) between float ones. */
static void chain_shapes_case(void) {
    const uint32_t vs[1] = {7}, ms[2] = {3, 7};
    float x[7], y[21], z = 0.3f, got[21], gotZ;
    int32_t k[21], gotK[21];
    fill(x, 7, -1, 1), fill(y, 21, -1, 1);
    for (int i = 0; i < 21; i++) k[i] = i - 10;
    double want[21], wantZ = exp(-(double)z), wantK[21];
    for (int i = 0; i < 21; i++) want[i] = fmax(0, exp((double)x[i % 7]) + y[i]), wantK[i] = fabs((double)k[i]) * 2;
    WNNGraphBuilder b = wt_builder();
    WNNOperand v, zo, ko, two;
    WT_OK(wnnGraphBuilderExp(b, wt_input(b, "x", F32, 1, vs), NULL, &v));
    WT_OK(wnnGraphBuilderAdd(b, v, wt_input(b, "y", F32, 2, ms), NULL, &v));
    WT_OK(wnnGraphBuilderRelu(b, v, NULL, &v));
    WT_OK(wnnGraphBuilderNeg(b, wt_input(b, "z", F32, 0, NULL), NULL, &zo));
    WT_OK(wnnGraphBuilderExp(b, zo, NULL, &zo));
    int32_t t2 = 2;
    two = wt_constant(b, WNNOperandDataType_Int32, 0, NULL, &t2);
    WT_OK(wnnGraphBuilderAbs(b, wt_input(b, "k", WNNOperandDataType_Int32, 2, ms), NULL, &ko));
    WT_OK(wnnGraphBuilderMul(b, ko, two, NULL, &ko));
    WNNNamedOperand outs[3] = {{"v", v}, {"z", zo}, {"k", ko}};
    void* data[3] = {got, &gotZ, gotK};
    WtFeed feeds[4] = {{"x", x}, {"y", y}, {"z", &z}, {"k", k}};
    WT_OK(wt_run(wt_cpu(), b, feeds, 4, outs, 3, data));
    wnnGraphBuilderRelease(b);
    expect("chain after a broadcast", got, 0, want, 21);
    expect("chain of rank-0 tensors", &gotZ, 0, &wantZ, 1);
    int bad = 0;
    for (int i = 0; i < 21; i++) bad += gotK[i] != (int32_t)wantK[i];
    WT_CHECK(bad == 0);
    int on = wnn_cpu_pass_on("WNN_CPU_CHAIN");
    expect_count("chain shapes: chains", stats().chains, on ? 3u : 0u);
    expect_count("chain shapes: steps", stats().steps, on ? 5u : 7u);
}

/* ---- a scalar scale folded into matmul / gemm / conv2d ---- */

/* kind 0: batched matmul (b an input) -> mul(0.125) -> softmax (BERT's attention scores); 1:
 * conv2d with bias -> div(2) -> relu; 2: gemm (c) -> mul(0.5 on the left) -> add(row): the scale
 * folds, the add after it does not; 3: matmul -> mul with the matmul's output a graph output too;
 * 4: matmul -> div(3) (1/3 is not exact: not folded). */
static void scale_case(int kind) {
    const uint32_t M = 5, K = 8, N = 6, Bt = 2;
    float a[80], bm[96], c[6], w[72], bias[4], row[6];
    fill(a, 80, -1, 1), fill(bm, 96, -1, 1), fill(c, 6, -1, 1), fill(w, 72, -0.5, 0.5), fill(bias, 4, -1, 1), fill(row, 6, -1, 1);
    double want[60], wantMid[60];
    size_t count = kind == 1 ? 4 * 3 * 3 : kind == 2 ? M * N : Bt * M * N;
    WNNGraphBuilder b = wt_builder();
    WNNOperand y, mid;
    const uint32_t sc[1] = {1};
    float s = kind == 0 ? 0.125f : kind == 1 ? 2.0f : kind == 2 ? 0.5f : kind == 3 ? 1.5f : 3.0f;
    WNNOperand scalar = wt_constant(b, F32, 1, sc, &s);
    WtFeed feeds[2] = {{"a", a}, {"b", bm}};
    size_t nf = 1;
    if (kind == 1) { /* x [1,2,5,5] (a's first 50) * w [4,2,3,3], stride 1, no padding -> [1,4,3,3] */
        const uint32_t xs[4] = {1, 2, 5, 5}, ws[4] = {4, 2, 3, 3}, bs[1] = {4};
        WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
        o.bias = wt_constant(b, F32, 1, bs, bias);
        WT_OK(wnnGraphBuilderConv2d(b, wt_input(b, "a", F32, 4, xs), wt_constant(b, F32, 4, ws, w), &o, &mid));
        WT_OK(wnnGraphBuilderDiv(b, mid, scalar, NULL, &y));
        WT_OK(wnnGraphBuilderRelu(b, y, NULL, &y));
        for (int co = 0; co < 4; co++)
            for (int p = 0; p < 9; p++) {
                double acc = bias[co];
                for (int ci = 0; ci < 2; ci++)
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++) acc += (double)a[ci * 25 + (p / 3 + ky) * 5 + p % 3 + kx] * w[((co * 2 + ci) * 3 + ky) * 3 + kx];
                want[co * 9 + p] = fmax(0, acc / 2);
            }
    } else if (kind == 2) { /* a [5,8] x bm [8,6] + 1.0 * c [6] */
        const uint32_t as[2] = {M, K}, bs[2] = {K, N}, cs[1] = {N};
        WNNGemmOptions o = WNN_GEMM_OPTIONS_INIT;
        o.c = wt_constant(b, F32, 1, cs, c);
        WT_OK(wnnGraphBuilderGemm(b, wt_input(b, "a", F32, 2, as), wt_constant(b, F32, 2, bs, bm), &o, &mid));
        WT_OK(wnnGraphBuilderMul(b, scalar, mid, NULL, &y));
        WT_OK(wnnGraphBuilderAdd(b, y, wt_constant(b, F32, 1, cs, row), NULL, &y));
        for (uint32_t i = 0; i < M; i++)
            for (uint32_t j = 0; j < N; j++) {
                double acc = c[j];
                for (uint32_t k = 0; k < K; k++) acc += (double)a[i * K + k] * bm[k * N + j];
                want[i * N + j] = 0.5 * acc + row[j];
            }
    } else { /* a [2,5,8] x b [2,8,6] */
        const uint32_t as[3] = {Bt, M, K}, bs[3] = {Bt, K, N};
        WT_OK(wnnGraphBuilderMatmul(b, wt_input(b, "a", F32, 3, as), wt_input(b, "b", F32, 3, bs), NULL, &mid));
        nf = 2;
        if (kind == 4) WT_OK(wnnGraphBuilderDiv(b, mid, scalar, NULL, &y));
        else WT_OK(wnnGraphBuilderMul(b, mid, scalar, NULL, &y));
        if (kind == 0) WT_OK(wnnGraphBuilderSoftmax(b, y, 2, NULL, &y));
        for (uint32_t q = 0; q < Bt; q++)
            for (uint32_t i = 0; i < M; i++) {
                double sum = 0, *r = want + (q * M + i) * N;
                for (uint32_t j = 0; j < N; j++) {
                    double acc = 0;
                    for (uint32_t k = 0; k < K; k++) acc += (double)a[(q * M + i) * K + k] * bm[(q * K + k) * N + j];
                    wantMid[(q * M + i) * N + j] = acc;
                    r[j] = kind == 4 ? acc / 3 : acc * s;
                }
                if (kind != 0) continue;
                for (uint32_t j = 0; j < N; j++) sum += r[j] = exp(r[j]);
                for (uint32_t j = 0; j < N; j++) r[j] /= sum;
            }
    }
    float got[60], gotMid[60];
    WNNNamedOperand outs[2] = {{"y", y}, {"mid", mid}};
    void* data[2] = {got, gotMid};
    WT_OK(wt_run(wt_cpu(), b, feeds, nf, outs, kind == 3 ? 2 : 1, data));
    wnnGraphBuilderRelease(b);
    char what[48];
    snprintf(what, sizeof what, "scale fold kind %d", kind);
    expect(what, got, 0, want, count);
    if (kind == 3) expect("scale fold: middle output", gotMid, 0, wantMid, count);
#ifdef WNN_HAVE_ONEDNN
    static const unsigned folded[5] = {1, 2, 1, 0, 0};
    expect_count(what, stats().fused, wnn_cpu_pass_on("WNN_CPU_FUSE") ? folded[kind] : 0u);
#endif
}

/* ---- constant folding ---- */

/* Sets WNN_CPU_CONV; returns the value it had (or NULL), for conv_path_restore. */
static char* conv_path(const char* path) {
    const char* old = getenv("WNN_CPU_CONV");
    char* saved = old ? strdup(old) : NULL;
    setenv("WNN_CPU_CONV", path, 1);
    return saved;
}

static void conv_path_restore(char* saved) {
    if (saved) setenv("WNN_CPU_CONV", saved, 1);
    else unsetenv("WNN_CPU_CONV");
    free(saved);
}

/* A conv2d filter stored as float16 ohwi rows [4, 27]: reshape -> transpose to oihw -> cast to
 * float32 -> mul(0.5) folds into a constant filter, which the conv2d takes to oneDNN (it requires a
 * constant filter). */
static void fold_filter_case(void) {
    const uint32_t xs[4] = {1, 3, 6, 6}, ws[2] = {4, 27}, ohwi[4] = {4, 3, 3, 3}, one[1] = {1}, perm[4] = {0, 3, 1, 2};
    float x[108], w[108], half = 0.5f;
    uint16_t hw[108];
    fill(x, 108, -1, 1), fill(w, 108, -1, 1);
    for (int i = 0; i < 108; i++) hw[i] = wnn_double_to_half(w[i]), w[i] = wnn_half_to_float(hw[i]);
    double want[64];
    for (int o = 0; o < 4; o++)
        for (int p = 0; p < 16; p++) {
            double acc = 0;
            for (int i = 0; i < 3; i++)
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++) acc += (double)x[(i * 6 + p / 4 + ky) * 6 + p % 4 + kx] * 0.5 * w[o * 27 + (ky * 3 + kx) * 3 + i];
            want[o * 16 + p] = acc;
        }
    char* saved = conv_path("onednn");
    WNNGraphBuilder b = wt_builder();
    WNNOperand f = wt_constant(b, F16, 2, ws, hw), y;
    WT_OK(wnnGraphBuilderReshape(b, f, ohwi, 4, NULL, &f));
    WNNTransposeOptions to = WNN_TRANSPOSE_OPTIONS_INIT;
    to.permutation = perm, to.permutationCount = 4;
    WT_OK(wnnGraphBuilderTranspose(b, f, &to, &f));
    WT_OK(wnnGraphBuilderCast(b, f, F32, NULL, &f));
    WT_OK(wnnGraphBuilderMul(b, f, wt_constant(b, F32, 1, one, &half), NULL, &f));
    WT_OK(wnnGraphBuilderConv2d(b, wt_input(b, "x", F32, 4, xs), f, NULL, &y));
    float got[64];
    WNNNamedOperand out = {"y", y};
    WtFeed feed = {"x", x};
    unsigned before = wnn_cpu_onednn_nodes();
    void* data[1] = {got};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, &out, 1, data));
    wnnGraphBuilderRelease(b);
    conv_path_restore(saved);
    expect("folded conv2d filter", got, 0, want, 64);
    int on = wnn_cpu_pass_on("WNN_CPU_FOLD");
    WnnCpuPassStats st = stats();
    expect_count("folded conv2d filter: folded", st.folded, on ? 4u : 0u);
    expect_count("folded conv2d filter: steps", st.steps, on ? 1u : 5u - (wnn_cpu_pass_on("WNN_CPU_ALIAS") ? 1u : 0u));
#ifdef WNN_HAVE_ONEDNN
    expect_count("folded conv2d filter: on oneDNN", wnn_cpu_onednn_nodes() - before, on ? 1u : 0u);
#else
    (void)before;
#endif
}

/* A split of a constant (two outputs) and an add of its parts fold; relu of the sum is a graph
 * output and stays a node; an expand of a scalar to 17.6 MB does not fold (growth), nor the
 * reduceSum reading it. */
static void fold_edges_case(void) {
    const uint32_t ks[2] = {2, 6}, xs[2] = {2, 3}, one[1] = {1}, big[2] = {2100, 2100};
    float k[12], x[6], v = 1e-3f, got[6], gotRelu[6];
    fill(k, 12, -1, 1), fill(x, 6, -1, 1);
    double want[6], wantRelu[6];
    double total = 2100.0 * 2100.0 * (double)v;
    for (int i = 0; i < 6; i++) {
        double a = (double)k[i / 3 * 6 + i % 3] + k[i / 3 * 6 + 3 + i % 3];
        wantRelu[i] = a > 0 ? a : 0;
        want[i] = x[i] + a + total;
    }
    WNNGraphBuilder b = wt_builder();
    WNNOperand parts[2], a, r, e, rs, y;
    size_t np = 0;
    WNNSplitOptions so = WNN_SPLIT_OPTIONS_INIT;
    so.axis = 1;
    WT_OK(wnnGraphBuilderSplit(b, wt_constant(b, F32, 2, ks, k), 2, &so, parts, 2, &np));
    WT_OK(wnnGraphBuilderAdd(b, parts[0], parts[1], NULL, &a));
    WT_OK(wnnGraphBuilderRelu(b, a, NULL, &r));
    WT_OK(wnnGraphBuilderExpand(b, wt_constant(b, F32, 1, one, &v), big, 2, NULL, &e));
    WT_OK(wnnGraphBuilderReduceSum(b, e, NULL, &rs));
    WT_OK(wnnGraphBuilderAdd(b, wt_input(b, "x", F32, 2, xs), a, NULL, &y));
    WT_OK(wnnGraphBuilderAdd(b, y, rs, NULL, &y));
    WNNNamedOperand outs[2] = {{"y", y}, {"relu", r}};
    void* data[2] = {got, gotRelu};
    WtFeed feed = {"x", x};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, 2, data));
    wnnGraphBuilderRelease(b);
    expect("folding: split and add", got, 0, want, 6);
    expect("folding: graph output of a constant", gotRelu, 0, wantRelu, 6);
    expect_count("folding: folded", stats().folded, wnn_cpu_pass_on("WNN_CPU_FOLD") ? 2u : 0u);
}

/* ---- convTranspose2d on oneDNN with bias add and activation fused ---- */

/* With WNN_CPU_CONV = path ("onednn": forced there; "auto": ours, oneDNN's being slower at this
 * size), convTranspose2d of x [2,4,5,4] (nchw or nhwc), a 3x2 filter in layout `fl` (iohw, hwoi, ohwi),
 * groups g, strides [2,2], dilations [1,2], padding [1,0,0,1], extra output rows by outputPadding
 * (extra 1) or outputSizes (extra 2), its bias, then add(constant [6] or [6,1,1]) and relu
 * (act 0) or sigmoid (2). */
static void deconv_case(const char* path, int nhwc, int fl, uint32_t g, int extra, int act, int f16) {
    enum { N = 2, CI = 4, CO = 6, H = 5, W = 4, KH = 3, KW = 2 };
    const uint32_t sh = 2, sw = 2, dh = 1, dw = 2, pad[4] = {1, 0, 0, 1};
    uint32_t OH = (H - 1) * sh + (KH - 1) * dh + 1 - pad[0] - pad[1] + (extra ? 1 : 0);
    uint32_t OW = (W - 1) * sw + (KW - 1) * dw + 1 - pad[2] - pad[3];
    uint32_t og = CO / g, ig = CI / g;
    size_t nx = N * CI * H * W, nw = (size_t)CI * og * KH * KW, ny = (size_t)N * CO * OH * OW;
    float x[N * CI * H * W], w[CI * CO * KH * KW], bias[CO], add[CO];
    fill(x, nx, -1, 1), fill(w, nw, -0.5, 0.5), fill(bias, CO, -0.5, 0.5), fill(add, CO, -0.5, 0.5);
    /* w holds the filter in layout fl; at() reads it by (input channel, output channel in group, ky, kx) */
    uint32_t shapes[3][4] = {{CI, og, KH, KW}, {KH, KW, og, CI}, {og, KH, KW, CI}};
#define AT(ic, oc, ky, kx)                                                                   \
    (fl == 0 ? w[(((ic) * og + (oc)) * KH + (ky)) * KW + (kx)]                               \
     : fl == 1 ? w[(((ky) * KW + (kx)) * og + (oc)) * CI + (ic)]                              \
               : w[(((oc) * KH + (ky)) * KW + (kx)) * CI + (ic)])
    WNNOperandDataType t = f16 ? F16 : F32;
    WNNGraphBuilder b = wt_builder();
    uint32_t xs[4] = {N, CI, H, W}, xsn[4] = {N, H, W, CI}, bs[1] = {CO}, as[3] = {CO, 1, 1};
    WNNOperand xo = wt_input(b, "x", t, 4, nhwc ? xsn : xs);
    /* typed_constant rounds the values to float16 in place, so the reference sees what the graph has */
    WNNOperand wo = typed_constant(b, f16, 4, shapes[fl], w, nw), y;
    WNNConvTranspose2dOptions o = WNN_CONV_TRANSPOSE2D_OPTIONS_INIT;
    uint32_t st[2] = {sh, sw}, dl[2] = {dh, dw}, opad[2] = {1, 0}, osz[2] = {OH, OW};
    o.strides = st, o.stridesCount = 2, o.dilations = dl, o.dilationsCount = 2, o.padding = pad, o.paddingCount = 4;
    if (extra == 1) o.outputPadding = opad, o.outputPaddingCount = 2;
    if (extra == 2) o.outputSizes = osz, o.outputSizesCount = 2;
    o.groups = wnnSomeUint32(g);
    o.inputLayout = nhwc ? WNNInputOperandLayout_Nhwc : WNNInputOperandLayout_Nchw;
    o.filterLayout = (WNNConvTranspose2dFilterOperandLayout)(fl + 1);
    o.bias = typed_constant(b, f16, 1, bs, bias, CO);
    WT_OK(wnnGraphBuilderConvTranspose2d(b, xo, wo, &o, &y));
    WT_OK(wnnGraphBuilderAdd(b, y, typed_constant(b, f16, nhwc ? 1 : 3, nhwc ? bs : as, add, CO), NULL, &y));
    y = wt_activation(b, y, act);
    uint16_t hx[N * CI * H * W];
    for (size_t i = 0; i < nx && f16; i++) hx[i] = wnn_double_to_half(x[i]), x[i] = wnn_half_to_float(hx[i]);
    double* want = calloc(ny, sizeof(double));
    for (uint32_t n = 0; n < N; n++)
        for (uint32_t c = 0; c < CI; c++)
            for (uint32_t iy = 0; iy < H; iy++)
                for (uint32_t ix = 0; ix < W; ix++) {
                    double xv = x[nhwc ? ((n * H + iy) * W + ix) * CI + c : ((n * CI + c) * H + iy) * W + ix];
                    uint32_t grp = c / ig;
                    for (uint32_t oc = 0; oc < og; oc++)
                        for (uint32_t ky = 0; ky < KH; ky++)
                            for (uint32_t kx = 0; kx < KW; kx++) {
                                long oy = (long)(iy * sh + ky * dh) - pad[0], ox = (long)(ix * sw + kx * dw) - pad[2];
                                if (oy < 0 || ox < 0 || oy >= (long)OH || ox >= (long)OW) continue;
                                uint32_t co = grp * og + oc;
                                size_t yi = nhwc ? ((n * OH + oy) * OW + ox) * CO + co : ((n * CO + co) * OH + oy) * OW + ox;
                                want[yi] += xv * AT(c, oc, ky, kx);
                            }
                }
#undef AT
    for (size_t i = 0; i < ny; i++) {
        uint32_t co = nhwc ? i % CO : i / (OH * OW) % CO;
        double v = want[i] + bias[co] + add[co];
        want[i] = act == 0 ? fmax(v, 0) : 1 / (1 + exp(-v));
    }
    void* got = malloc(ny * 4);
    WNNNamedOperand out = {"y", y};
    WtFeed feed = {"x", f16 ? (void*)hx : x};
    void* data[1] = {got};
    unsigned before = wnn_cpu_onednn_nodes();
    char* saved = conv_path(path);
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, &out, 1, data));
    conv_path_restore(saved);
    wnnGraphBuilderRelease(b);
    int forced = !strcmp(path, "onednn");
    char what[112];
    snprintf(what, sizeof what, "convTranspose2d %s %s filter %d groups %u extra %d act %d %s", path,
             nhwc ? "nhwc" : "nchw", fl, g, extra, act, f16 ? "float16" : "float32");
    expect(what, got, f16, want, ny);
#ifdef WNN_HAVE_ONEDNN
    expect_count(what, wnn_cpu_onednn_nodes() - before, forced ? 1u : 0u);
    expect_count(what, stats().fused, forced && wnn_cpu_pass_on("WNN_CPU_FUSE") ? 2u : 0u);
#else
    (void)before, (void)forced;
#endif
    free(want);
    free(got);
}

int main(void) {
    alias_case(0);
    alias_case(1);
    alias_edges_case();
    for (int f16 = 0; f16 < 2; f16++)
        for (int v = 0; v < 3; v++) chain_case(f16, v);
    chain_shapes_case();
    for (int kind = 0; kind < 5; kind++) scale_case(kind);
    fold_filter_case();
    fold_edges_case();
    for (int v = 0; v < 24; v++) /* layouts, filter layouts, groups, output padding or sizes */
        deconv_case("onednn", v & 1, v / 2 % 3, v / 6 % 2 ? 2 : 1, v / 12 ? 1 + v % 2 : 0, v % 4 == 3 ? 2 : 0, v % 5 == 4);
    deconv_case("auto", 0, 0, 1, 1, 0, 0);
    deconv_case("auto", 1, 2, 2, 2, 2, 1);
    return wt_summary("test_cpu_compile");
}
