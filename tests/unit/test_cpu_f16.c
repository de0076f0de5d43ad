/* test_cpu_f16.c: the CPU's float16 fast paths (f16_convert.c, eltwise_f16.c, norm_rows.c)
 * against float64 references computed here and rounded once: the array conversions against
 * core/half.c, every element-wise op of the fast path on odd sizes (vector tails) with special
 * values (inf, NaN, -0, subnormals, overflow to inf) and each broadcast it covers plus one it
 * leaves to the engine, and softmax / layerNormalization on the last axis. ctest runs it twice:
 * with F16C, and with WNN_CPU_F16C=0 (the portable loops). */
#include <math.h>
#include <stdlib.h>

#include "backends/cpu/f16_convert.h"
#include "core/core.h"
#include "wt.h"

#define F16 WNNOperandDataType_Float16

static int forced_portable(void) {
    const char* env = getenv("WNN_CPU_F16C");
    return env && strcmp(env, "0") == 0;
}

/* Equal bits, or both NaN. */
static int same_half(uint16_t a, uint16_t b) {
    int na = (a & 0x7c00) == 0x7c00 && (a & 0x3ff), nb = (b & 0x7c00) == 0x7c00 && (b & 0x3ff);
    return na || nb ? na && nb : a == b;
}

/* ulp 0: the float16 bits of the once-rounded reference (so -0 and +0 differ); else within ulp. */
static void expect_half(const char* what, const uint16_t* got, const double* want, size_t n, uint64_t ulp) {
    if (ulp) {
        wt_expect_f16(what, got, want, n, ulp);
        return;
    }
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        if (!same_half(got[i], wt_d2h(want[i])) && bad++ < 5)
            fprintf(stderr, "  %s[%zu]: got 0x%04x, expected 0x%04x (%.9g)\n", what, i, got[i], wt_d2h(want[i]), want[i]);
    WT_CHECK(bad == 0);
    if (bad) fprintf(stderr, "%s: %d of %zu values differ\n", what, bad, n);
}

/* Special halves first, then random values in [-lo, hi]. */
static void fill_half(uint16_t* x, size_t n, uint64_t seed, double lo, double hi) {
    static const uint16_t special[] = {
        0x0000, 0x8000, 0x3c00, 0xbc00, 0x3800, 0x7c00, 0xfc00, 0x7e00, 0x7bff, 0xfbff, /* 0 -0 1 -1 .5 inf -inf nan max -max */
        0x0001, 0x8001, 0x03ff, 0x0400, 0x4100, 0xc100, 0x4300, 0x4980, 0xcc40,         /* subnormals, 2.5, 3.5, 11, -17 */
        0x7a00, 0x0200, 0x1400};                                                        /* 49152 (overflows), tiny */
    for (size_t i = 0; i < n; i++)
        x[i] = i < sizeof special / sizeof special[0] ? special[i] : wt_d2h(wt_rand(&seed, -lo, hi));
}

/* Runs g (released after) for its one output into y. */
static void run_graph(WNNGraphBuilder g, const WtFeed* feeds, size_t feedCount, WNNOperand out, uint16_t* y) {
    WNNNamedOperand outs[1] = {{"y", out}};
    void* data[1] = {y};
    WT_OK(wt_run(wt_cpu(), g, feeds, feedCount, outs, 1, data));
    wnnGraphBuilderRelease(g);
}

/* ---- the array conversions against core/half.c ---- */
static void test_convert(void) {
    WT_CHECK(!forced_portable() || !wnn_f16c_enabled());
    fprintf(stderr, "test_cpu_f16: F16C loops %s\n", wnn_f16c_enabled() ? "on" : "off");
    enum { N = 65536 + 13 };
    uint16_t* h = malloc(N * sizeof *h);
    uint16_t* back = malloc(N * sizeof *back);
    float* f = malloc(N * sizeof *f);
    double* d = malloc(N * sizeof *d);
    for (size_t i = 0; i < N; i++) h[i] = (uint16_t)(i * 40503u); /* every half, in a scrambled order */
    wnn_f16_to_f32_n(h, f, N);
    int bad = 0;
    for (size_t i = 0; i < N; i++) {
        float want = wnn_half_to_float(h[i]);
        bad += isnan(want) ? !isnan(f[i]) : memcmp(&want, &f[i], 4) != 0;
    }
    WT_CHECK(bad == 0);
    /* float -> half: random bit patterns of every exponent, then halves' midpoints and neighbours */
    uint64_t seed = 7;
    for (size_t i = 0; i < N; i++) {
        uint32_t bits = (uint32_t)wt_next(&seed);
        if (i % 3 == 0) bits = (bits & 0x80ffffffu) | (uint32_t)(96 + i % 48) << 23; /* near float16's range */
        if (i % 3 == 1) {
            float m = (wnn_half_to_float(h[i] & 0x7bff) + wnn_half_to_float((h[i] & 0x7bff) + 1)) / 2;
            memcpy(&bits, &m, 4);
            bits += (uint32_t)(i % 5) - 2;
        }
        memcpy(&f[i], &bits, 4);
    }
    wnn_f32_to_f16_n(f, back, N);
    bad = 0;
    for (size_t i = 0; i < N; i++) bad += !same_half(back[i], wnn_float_to_half(f[i]));
    WT_CHECK(bad == 0);
    /* double -> half rounds once: exact midpoints of two halves, and a hair either side (where
     * rounding to float first would land on the midpoint), overflow, underflow, specials */
    for (size_t i = 0; i < N; i++) {
        uint16_t a = h[i] & 0x7bff;
        double lo = wnn_half_to_float(a), hi = a == 0x7bff ? 65536.0 : wnn_half_to_float((uint16_t)(a + 1));
        double mid = (lo + hi) / 2, eps = ldexp(mid, -40) + 1e-300;
        double v = i % 4 == 0 ? mid : i % 4 == 1 ? mid + eps : i % 4 == 2 ? mid - eps : wt_rand(&seed, -70000, 70000);
        d[i] = (h[i] & 0x8000) ? -v : v;
    }
    d[0] = INFINITY, d[1] = -INFINITY, d[2] = NAN, d[3] = -0.0, d[4] = 1e300, d[5] = -1e-300, d[6] = 65519.999999;
    wnn_f64_to_f16_n(d, back, N);
    bad = 0;
    for (size_t i = 0; i < N; i++)
        if (!same_half(back[i], wnn_double_to_half(d[i])) && bad++ < 5)
            fprintf(stderr, "  f64_to_f16(%.17g) = 0x%04x, want 0x%04x\n", d[i], back[i], wnn_double_to_half(d[i]));
    WT_CHECK(bad == 0);
    free(h);
    free(back);
    free(f);
    free(d);
}

/* ---- element-wise ops through the API ---- */
typedef WNNStatus (*BinaryFn)(WNNGraphBuilder, WNNOperand, WNNOperand, const WNNOperatorOptions*, WNNOperand*);
typedef WNNStatus (*UnaryFn)(WNNGraphBuilder, WNNOperand, const WNNOperatorOptions*, WNNOperand*);

static double r_add(double x, double y) { return x + y; }
static double r_sub(double x, double y) { return x - y; }
static double r_mul(double x, double y) { return x * y; }
static double r_div(double x, double y) { return x / y; }
static double r_max(double x, double y) { return isnan(x) || isnan(y) ? NAN : x > y ? x : y; }
static double r_min(double x, double y) { return isnan(x) || isnan(y) ? NAN : x < y ? x : y; }

typedef struct BinCase {
    const char* name;
    BinaryFn fn;
    double (*ref)(double, double);
    uint64_t ulp;
} BinCase;

static const BinCase k_binary[] = {
    {"add", wnnGraphBuilderAdd, r_add, 0}, {"sub", wnnGraphBuilderSub, r_sub, 0},
    {"mul", wnnGraphBuilderMul, r_mul, 0}, {"div", wnnGraphBuilderDiv, r_div, 0},
    {"max", wnnGraphBuilderMax, r_max, 0}, {"min", wnnGraphBuilderMin, r_min, 0},
    {"pow", wnnGraphBuilderPow, pow, 1},
};

/* b's shape against a's [2, 7, 37] (odd sizes): same, a single element, a row, a column, and
 * [7, 1] (both middle and last broadcast: the engine's). */
typedef struct Bcast {
    const char* name;
    uint32_t rank;
    uint32_t shape[3];
} Bcast;
static const Bcast k_bcast[] = {{"same", 3, {2, 7, 37}}, {"scalar", 0, {0}}, {"row", 1, {37}},
                                {"row3", 3, {1, 1, 37}}, {"column", 3, {2, 7, 1}}, {"engine", 2, {7, 1}}};
static const uint32_t k_ashape[3] = {2, 7, 37};

static size_t numel(uint32_t rank, const uint32_t* s) {
    size_t n = 1;
    for (uint32_t i = 0; i < rank; i++) n *= s[i];
    return n;
}

/* Index into b of output element i of [2, 7, 37]. */
static size_t b_at(const Bcast* bc, size_t i) {
    size_t c = i % 37, r = i / 37 % 7, p = i / 37 / 7;
    if (bc->rank == 0) return 0;
    if (bc->rank == 1 || (bc->shape[0] == 1 && bc->shape[1] == 1)) return c;
    if (bc->rank == 2) return r;
    return bc->shape[2] == 1 ? p * 7 + r : i;
}

static void run_binary(const BinCase* c, const Bcast* bc, int bFirst) {
    enum { N = 2 * 7 * 37 };
    size_t nb = numel(bc->rank, bc->shape);
    uint16_t a[N], b[N], y[N];
    double want[N];
    fill_half(a, N, 11, 70000, 70000);
    fill_half(b, nb, 23, 8, 8);
    for (size_t i = 0; i < nb; i++) /* specials in b where they meet a's: reversed order */
        if (i < 22 && nb > 22) b[i] = a[21 - i];
    WNNGraphBuilder g = wt_builder();
    WNNOperand ia = wt_input(g, "a", F16, 3, k_ashape), ib = wt_input(g, "b", F16, bc->rank, bc->shape), out = NULL;
    WT_OK(bFirst ? c->fn(g, ib, ia, NULL, &out) : c->fn(g, ia, ib, NULL, &out));
    for (size_t i = 0; i < N; i++) {
        double x = wt_h2f(a[i]), v = wt_h2f(b[b_at(bc, i)]);
        want[i] = bFirst ? c->ref(v, x) : c->ref(x, v);
    }
    WtFeed feeds[2] = {{"a", a}, {"b", b}};
    run_graph(g, feeds, 2, out, y);
    char what[64];
    snprintf(what, sizeof what, "%s %s%s", c->name, bc->name, bFirst ? " (b first)" : "");
    expect_half(what, y, want, N, c->ulp);
}

static void test_binary(void) {
    for (size_t c = 0; c < sizeof k_binary / sizeof k_binary[0]; c++)
        for (size_t s = 0; s < sizeof k_bcast / sizeof k_bcast[0]; s++) {
            run_binary(&k_binary[c], &k_bcast[s], 0);
            if (s == 1 || s == 2) run_binary(&k_binary[c], &k_bcast[s], 1);
        }
}

static double r_relu(double x) { return x < 0 ? 0 : x; }
static double r_neg(double x) { return -x; }
static double r_sign(double x) { return isnan(x) ? x : x > 0 ? 1 : x < 0 ? -1 : x; }
static double r_identity(double x) { return x; }
static double r_recip(double x) { return 1.0 / x; }
static double r_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }
static double r_gelu(double x) { return 0.5 * x * erfc(-x * 0.70710678118654752440); }
static double r_softsign(double x) { return x / (1.0 + fabs(x)); }
static double r_softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }
static double r_hardSwish(double x) { return x * fmax(0.0, fmin(6.0, x + 3.0)) / 6.0; }
static double r_clamp(double x) { return x < -0.25 ? -0.25 : x > 0.5 ? 0.5 : x; }
static double r_leaky(double x) { return x >= 0 ? x : 0.2 * x; }
static double r_elu(double x) { return x > 0 ? x : 0.7 * expm1(x); }
static double r_hardSigmoid(double x) { return fmax(0.0, fmin(1.0, 0.3 * x + 0.4)); }
static double r_linear(double x) { return 2 * x - 1; }

typedef struct UnCase {
    const char* name;
    UnaryFn fn; /* NULL: wt_activation(act) */
    int act;
    double (*ref)(double);
    uint64_t ulp;
} UnCase;

static const UnCase k_unary[] = {
    {"abs", wnnGraphBuilderAbs, 0, fabs, 0}, {"neg", wnnGraphBuilderNeg, 0, r_neg, 0},
    {"sign", wnnGraphBuilderSign, 0, r_sign, 0}, {"relu", wnnGraphBuilderRelu, 0, r_relu, 0},
    {"identity", wnnGraphBuilderIdentity, 0, r_identity, 0}, {"ceil", wnnGraphBuilderCeil, 0, ceil, 0},
    {"floor", wnnGraphBuilderFloor, 0, floor, 0}, {"roundEven", wnnGraphBuilderRoundEven, 0, nearbyint, 0},
    {"sqrt", wnnGraphBuilderSqrt, 0, sqrt, 0}, {"reciprocal", wnnGraphBuilderReciprocal, 0, r_recip, 0},
    {"exp", wnnGraphBuilderExp, 0, exp, 1}, {"log", wnnGraphBuilderLog, 0, log, 1},
    {"erf", wnnGraphBuilderErf, 0, erf, 1}, {"tanh", wnnGraphBuilderTanh, 0, tanh, 1},
    {"sin", wnnGraphBuilderSin, 0, sin, 1}, {"cos", wnnGraphBuilderCos, 0, cos, 1},
    {"tan", wnnGraphBuilderTan, 0, tan, 1}, {"sigmoid", wnnGraphBuilderSigmoid, 0, r_sigmoid, 1},
    {"gelu", wnnGraphBuilderGelu, 0, r_gelu, 1}, {"softsign", wnnGraphBuilderSoftsign, 0, r_softsign, 1},
    {"softplus", wnnGraphBuilderSoftplus, 0, r_softplus, 1}, {"hardSwish", wnnGraphBuilderHardSwish, 0, r_hardSwish, 1},
    {"clamp", NULL, 1, r_clamp, 0}, {"leakyRelu", NULL, 4, r_leaky, 1}, {"elu", NULL, 7, r_elu, 1},
    {"hardSigmoid", NULL, 9, r_hardSigmoid, 1}, {"linear", NULL, 10, r_linear, 1},
};

static void test_unary(void) {
    enum { N = 3 * 337 };
    const uint32_t shape[2] = {3, 337};
    uint16_t x[N], y[N];
    double want[N];
    fill_half(x, N, 31, 12, 12);
    for (size_t c = 0; c < sizeof k_unary / sizeof k_unary[0]; c++) {
        const UnCase* u = &k_unary[c];
        WNNGraphBuilder g = wt_builder();
        WNNOperand in = wt_input(g, "x", F16, 2, shape), out = NULL;
        if (u->fn) WT_OK(u->fn(g, in, NULL, &out));
        else out = wt_activation(g, in, u->act);
        for (size_t i = 0; i < N; i++) want[i] = u->ref(wt_h2f(x[i]));
        WtFeed feed = {"x", x};
        run_graph(g, &feed, 1, out, y);
        expect_half(u->name, y, want, N, u->ulp);
    }
}

/* ---- softmax and layerNormalization on the last axis (the fast path) and on another ---- */
enum { R0 = 3, R1 = 5, LEN = 77, NN = R0 * R1 * LEN };

static void norm_input(uint16_t* x) {
    fill_half(x, NN, 41, 6, 6);
    for (size_t i = 0; i < 22; i++) x[LEN + i] = x[i]; /* row 1: finite specials only ... */
    x[LEN + 5] = x[LEN + 6] = x[LEN + 7] = 0x3c00;      /* ... no inf or NaN */
    for (size_t i = 0; i < LEN; i++) x[2 * LEN + i] = (i % 2) ? 0xfc00 : wt_d2h(i * 0.1); /* row 2: -inf half */
    for (size_t i = 0; i < LEN; i++) x[3 * LEN + i] = wt_d2h(60000.0 - i * 32);            /* row 3: huge, close */
}

/* Element (r, i) of row r along `axis` (1 or 2) of [R0, R1, LEN]. */
static size_t at_of(int axis, size_t r, size_t i) {
    return axis == 2 ? r * LEN + i : (r / LEN) * R1 * LEN + i * LEN + r % LEN;
}

static void softmax_ref(const uint16_t* x, double* want, int axis) {
    size_t len = axis == 2 ? LEN : R1, rows = NN / len;
    for (size_t r = 0; r < rows; r++) {
        double m = -INFINITY, sum = 0;
        for (size_t i = 0; i < len; i++) m = fmax(m, wt_h2f(x[at_of(axis, r, i)]));
        for (size_t i = 0; i < len; i++) sum += exp(wt_h2f(x[at_of(axis, r, i)]) - m);
        for (size_t i = 0; i < len; i++) want[at_of(axis, r, i)] = exp(wt_h2f(x[at_of(axis, r, i)]) - m) / sum;
    }
}

static void layernorm_ref(const uint16_t* x, const uint16_t* scale, const uint16_t* bias, double eps, double* want) {
    for (size_t r = 0; r < NN / LEN; r++) {
        const uint16_t* row = x + r * LEN;
        double sum = 0, sq = 0;
        for (size_t i = 0; i < LEN; i++) sum += wt_h2f(row[i]);
        double mean = sum / LEN;
        for (size_t i = 0; i < LEN; i++) sq += (wt_h2f(row[i]) - mean) * (wt_h2f(row[i]) - mean);
        double inv = 1.0 / sqrt(sq / LEN + eps);
        for (size_t i = 0; i < LEN; i++)
            want[r * LEN + i] = (wt_h2f(row[i]) - mean) * inv * (scale ? wt_h2f(scale[i]) : 1.0) + (bias ? wt_h2f(bias[i]) : 0.0);
    }
}

static void test_softmax(void) {
    static uint16_t x[NN], y[NN];
    static double want[NN];
    const uint32_t shape[3] = {R0, R1, LEN};
    norm_input(x);
    for (int axis = 1; axis <= 2; axis++) {
        WNNGraphBuilder g = wt_builder();
        WNNOperand in = wt_input(g, "x", F16, 3, shape), out = NULL;
        WT_OK(wnnGraphBuilderSoftmax(g, in, (uint32_t)axis, NULL, &out));
        softmax_ref(x, want, axis);
        WtFeed feed = {"x", x};
        run_graph(g, &feed, 1, out, y);
        expect_half(axis == 2 ? "softmax last axis" : "softmax axis 1", y, want, NN, 0);
    }
}

static void test_layernorm(void) {
    static uint16_t x[NN], y[NN], scale[LEN], bias[LEN];
    static double want[NN];
    const uint32_t shape[3] = {R0, R1, LEN}, pshape[1] = {LEN}, axes[1] = {2};
    norm_input(x);
    x[2 * LEN] = 0x7e00; /* a NaN row */
    fill_half(scale, LEN, 43, 3, 3);
    fill_half(bias, LEN, 47, 1, 1);
    for (size_t i = 0; i < LEN; i++)
        if ((scale[i] & 0x7c00) == 0x7c00) scale[i] = 0x7a00; /* finite scales, some of them overflowing outputs */
    for (int params = 0; params < 2; params++) {
        WNNGraphBuilder g = wt_builder();
        WNNOperand in = wt_input(g, "x", F16, 3, shape), out = NULL;
        WNNLayerNormalizationOptions o = WNN_LAYER_NORMALIZATION_OPTIONS_INIT;
        o.axes = axes;
        o.axesCount = 1;
        if (params) {
            o.scale = wt_constant(g, F16, 1, pshape, scale);
            o.bias = wt_constant(g, F16, 1, pshape, bias);
        }
        WT_OK(wnnGraphBuilderLayerNormalization(g, in, &o, &out));
        layernorm_ref(x, params ? scale : NULL, params ? bias : NULL, 1e-5, want);
        WtFeed feed = {"x", x};
        run_graph(g, &feed, 1, out, y);
        expect_half(params ? "layerNormalization scale, bias" : "layerNormalization", y, want, NN, 0);
    }
}

int main(void) {
    test_convert();
    test_binary();
    test_unary();
    test_softmax();
    test_layernorm();
    return wt_summary("test_cpu_f16");
}
