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

int main(void) {
    alias_case(0);
    alias_case(1);
    alias_edges_case();
    for (int f16 = 0; f16 < 2; f16++)
        for (int v = 0; v < 3; v++) chain_case(f16, v);
    return wt_summary("test_cpu_compile");
}
