/* test_ops_elementwise.c: element-wise ops against float64 / exact references, with the ops that
 * have no W3C data first (notEqual, logical*, isNaN, isInfinite, sign, cos, erf, reciprocal,
 * roundEven, sin, tan, identity, softplus), integer semantics, float16, broadcasting, and the
 * validation rules. Then every op x type that the CUDA backend's eltwise_ext family runs, table
 * driven with edge values (integer arithmetic, unary integer ops, comparisons, logical ops, tests,
 * where, cast between every pair, prelu), each broadcast and not, so that a run on a GPU adapter
 * (WNN_TEST_ADAPTER) checks the GPU kernels against the same exact references. */
#include <math.h>
#include <stdlib.h>

#include "wt.h"

typedef WNNStatus (*UnaryFn)(WNNGraphBuilder, WNNOperand, const WNNOperatorOptions*, WNNOperand*);
typedef WNNStatus (*BinaryFn)(WNNGraphBuilder, WNNOperand, WNNOperand, const WNNOperatorOptions*, WNNOperand*);

/* Edge values and random values in [-4, 4]. */
static void fill(float* x, size_t n, uint64_t seed) {
    static const float edge[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -0.5f, 2.5f, -2.5f, 3.5f, INFINITY, -INFINITY, NAN, 1e-30f, 88.0f, -100.0f};
    for (size_t i = 0; i < n; i++) x[i] = i < sizeof edge / sizeof edge[0] ? edge[i] : (float)wt_rand(&seed, -4, 4);
}

static double sign_ref(double x) { return isnan(x) ? x : x > 0 ? 1 : x < 0 ? -1 : x; }
static double recip_ref(double x) { return 1.0 / x; }
static double softplus_ref(double x) { return x > 30 ? x : log1p(exp(x)); }
static double identity_ref(double x) { return x; }

static void check_unary_f32(const char* name, UnaryFn fn, double (*ref)(double), uint64_t ulp) {
    enum { N = 300 };
    float x[N], y[N];
    double want[N];
    fill(x, N, 17);
    for (size_t i = 0; i < N; i++) want[i] = ref((double)x[i]);
    uint32_t shape[2] = {3, 100};
    WNNGraphBuilder b = wt_builder();
    WNNOperand in = wt_input(b, "x", WNNOperandDataType_Float32, 2, shape), out = NULL;
    WT_OK(fn(b, in, NULL, &out));
    WtFeed feed = {"x", x};
    WNNNamedOperand outs[1] = {{"y", out}};
    void* data[1] = {y};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, 1, data));
    wt_expect_f32(name, y, want, N, ulp);
    wnnGraphBuilderRelease(b);
}

/* The same op on float16: the result must be the float64 reference rounded once (within ulp). */
static void check_unary_f16(const char* name, UnaryFn fn, double (*ref)(double), uint64_t ulp) {
    enum { N = 64 };
    float xf[N];
    uint16_t x[N], y[N];
    double want[N];
    fill(xf, N, 5);
    for (size_t i = 0; i < N; i++) {
        x[i] = wt_f2h(xf[i]);
        want[i] = ref((double)wt_h2f(x[i]));
    }
    uint32_t shape[1] = {N};
    WNNGraphBuilder b = wt_builder();
    WNNOperand in = wt_input(b, "x", WNNOperandDataType_Float16, 1, shape), out = NULL;
    WT_OK(fn(b, in, NULL, &out));
    WtFeed feed = {"x", x};
    WNNNamedOperand outs[1] = {{"y", out}};
    void* data[1] = {y};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, 1, data));
    wt_expect_f16(name, y, want, N, ulp);
    wnnGraphBuilderRelease(b);
}

static void test_unary_without_wpt_data(void) {
    check_unary_f32("sign", wnnGraphBuilderSign, sign_ref, 0);
    check_unary_f32("cos", wnnGraphBuilderCos, cos, 1);
    check_unary_f32("sin", wnnGraphBuilderSin, sin, 1);
    check_unary_f32("tan", wnnGraphBuilderTan, tan, 1);
    check_unary_f32("erf", wnnGraphBuilderErf, erf, 1);
    check_unary_f32("reciprocal", wnnGraphBuilderReciprocal, recip_ref, 0);
    check_unary_f32("roundEven", wnnGraphBuilderRoundEven, nearbyint, 0);
    check_unary_f32("identity", wnnGraphBuilderIdentity, identity_ref, 0);
    check_unary_f32("softplus", wnnGraphBuilderSoftplus, softplus_ref, 1);
    check_unary_f16("cos f16", wnnGraphBuilderCos, cos, 1);
    check_unary_f16("erf f16", wnnGraphBuilderErf, erf, 1);
    check_unary_f16("roundEven f16", wnnGraphBuilderRoundEven, nearbyint, 0);
    check_unary_f16("softplus f16", wnnGraphBuilderSoftplus, softplus_ref, 1);
    check_unary_f16("sign f16", wnnGraphBuilderSign, sign_ref, 0);
}

/* isNaN / isInfinite give uint8 masks. */
static void test_is_nan_infinite(void) {
    float x[6] = {NAN, INFINITY, -INFINITY, 0.0f, -1.0f, 3e38f};
    uint8_t nan[6], inf[6];
    uint32_t shape[1] = {6};
    WNNGraphBuilder b = wt_builder();
    WNNOperand in = wt_input(b, "x", WNNOperandDataType_Float32, 1, shape), o1, o2;
    WT_OK(wnnGraphBuilderIsNaN(b, in, NULL, &o1));
    WT_OK(wnnGraphBuilderIsInfinite(b, in, NULL, &o2));
    WT_CHECK(wnnOperandGetDataType(o1) == WNNOperandDataType_Uint8);
    WtFeed feed = {"x", x};
    WNNNamedOperand outs[2] = {{"nan", o1}, {"inf", o2}};
    void* data[2] = {nan, inf};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, 2, data));
    const uint8_t wantNan[6] = {1, 0, 0, 0, 0, 0}, wantInf[6] = {0, 1, 1, 0, 0, 0};
    WT_CHECK(memcmp(nan, wantNan, 6) == 0 && memcmp(inf, wantInf, 6) == 0);
    wnnGraphBuilderRelease(b);
}

/* Binary ops on uint8 / int32 with broadcasting, computed exactly. */
static void check_binary_u8(const char* name, BinaryFn fn, int (*ref)(int, int)) {
    uint8_t a[12], c[4], y[12];
    for (int i = 0; i < 12; i++) a[i] = (uint8_t)(i % 3 == 0 ? 0 : i);
    for (int i = 0; i < 4; i++) c[i] = (uint8_t)(i % 2 ? 5 : 0);
    uint32_t sa[2] = {3, 4}, sc[1] = {4};
    WNNGraphBuilder b = wt_builder();
    WNNOperand x = wt_input(b, "a", WNNOperandDataType_Uint8, 2, sa), z = wt_input(b, "c", WNNOperandDataType_Uint8, 1, sc), out;
    WT_OK(fn(b, x, z, NULL, &out));
    WtFeed feeds[2] = {{"a", a}, {"c", c}};
    WNNNamedOperand outs[1] = {{"y", out}};
    void* data[1] = {y};
    WT_OK(wt_run(wt_cpu(), b, feeds, 2, outs, 1, data));
    int bad = 0;
    for (int i = 0; i < 12; i++) bad += y[i] != ref(a[i], c[i % 4]);
    if (bad) fprintf(stderr, "%s: %d wrong\n", name, bad);
    WT_CHECK(bad == 0);
    wnnGraphBuilderRelease(b);
}
static int ref_ne(int x, int y) { return x != y; }
static int ref_and(int x, int y) { return x && y; }
static int ref_or(int x, int y) { return x || y; }
static int ref_xor(int x, int y) { return !x != !y; }

static void test_binary_without_wpt_data(void) {
    check_binary_u8("notEqual", wnnGraphBuilderNotEqual, ref_ne);
    check_binary_u8("logicalAnd", wnnGraphBuilderLogicalAnd, ref_and);
    check_binary_u8("logicalOr", wnnGraphBuilderLogicalOr, ref_or);
    check_binary_u8("logicalXor", wnnGraphBuilderLogicalXor, ref_xor);
    /* notEqual on float32: NaN != NaN */
    float a[3] = {NAN, 1.0f, -0.0f}, c[3] = {NAN, 1.0f, 0.0f};
    uint8_t y[3];
    uint32_t shape[1] = {3};
    WNNGraphBuilder b = wt_builder();
    WNNOperand x = wt_input(b, "a", WNNOperandDataType_Float32, 1, shape), z = wt_input(b, "c", WNNOperandDataType_Float32, 1, shape), out;
    WT_OK(wnnGraphBuilderNotEqual(b, x, z, NULL, &out));
    WtFeed feeds[2] = {{"a", a}, {"c", c}};
    WNNNamedOperand outs[1] = {{"y", out}};
    void* data[1] = {y};
    WT_OK(wt_run(wt_cpu(), b, feeds, 2, outs, 1, data));
    WT_CHECK(y[0] == 1 && y[1] == 0 && y[2] == 0);
    wnnGraphBuilderRelease(b);
}

/* Integer arithmetic wraps, division by zero gives 0, abs(INT32_MIN) wraps, no traps. */
static void test_integer_semantics(void) {
    int32_t a[6] = {INT32_MAX, INT32_MIN, 7, -7, INT32_MIN, 5}, c[6] = {1, -1, 0, 2, -1, -3};
    int32_t sum[6], quo[6], ab[6], pw[6];
    uint32_t shape[1] = {6};
    WNNGraphBuilder b = wt_builder();
    WNNOperand x = wt_input(b, "a", WNNOperandDataType_Int32, 1, shape), z = wt_input(b, "c", WNNOperandDataType_Int32, 1, shape);
    WNNOperand o1, o2, o3, o4;
    WT_OK(wnnGraphBuilderAdd(b, x, z, NULL, &o1));
    WT_OK(wnnGraphBuilderDiv(b, x, z, NULL, &o2));
    WT_OK(wnnGraphBuilderAbs(b, x, NULL, &o3));
    WT_OK(wnnGraphBuilderPow(b, z, z, NULL, &o4));
    WtFeed feeds[2] = {{"a", a}, {"c", c}};
    WNNNamedOperand outs[4] = {{"sum", o1}, {"quo", o2}, {"abs", o3}, {"pow", o4}};
    void* data[4] = {sum, quo, ab, pw};
    WT_OK(wt_run(wt_cpu(), b, feeds, 2, outs, 4, data));
    WT_CHECK(sum[0] == INT32_MIN && sum[1] == INT32_MAX && sum[2] == 7);
    WT_CHECK(quo[2] == 0 && quo[3] == -3 && quo[4] == INT32_MIN && quo[5] == -1);
    WT_CHECK(ab[0] == INT32_MAX && ab[1] == INT32_MIN && ab[3] == 7);
    WT_CHECK(pw[0] == 1 && pw[1] == -1 && pw[2] == 1 && pw[3] == 4 && pw[5] == 0);
    wnnGraphBuilderRelease(b);
    /* int64 beyond 2^53 stays exact through sub and max */
    int64_t p[2] = {INT64_C(9007199254740993), INT64_MIN}, q[2] = {1, 1}, d[2], m[2];
    uint32_t s2[1] = {2};
    b = wt_builder();
    x = wt_input(b, "p", WNNOperandDataType_Int64, 1, s2);
    z = wt_input(b, "q", WNNOperandDataType_Int64, 1, s2);
    WT_OK(wnnGraphBuilderSub(b, x, z, NULL, &o1));
    WT_OK(wnnGraphBuilderMax(b, x, z, NULL, &o2));
    WtFeed f2[2] = {{"p", p}, {"q", q}};
    WNNNamedOperand outs2[2] = {{"d", o1}, {"m", o2}};
    void* data2[2] = {d, m};
    WT_OK(wt_run(wt_cpu(), b, f2, 2, outs2, 2, data2));
    WT_CHECK(d[0] == INT64_C(9007199254740992) && d[1] == INT64_MAX && m[0] == p[0] && m[1] == 1);
    wnnGraphBuilderRelease(b);
}

/* ---- every op x type of the GPU's eltwise_ext family, against exact references ---- */
#define F32 WNNOperandDataType_Float32
#define F16 WNNOperandDataType_Float16
#define I32 WNNOperandDataType_Int32
#define U32 WNNOperandDataType_Uint32
#define I64 WNNOperandDataType_Int64
#define U64 WNNOperandDataType_Uint64
#define I8 WNNOperandDataType_Int8
#define U8 WNNOperandDataType_Uint8

static const WNNOperandDataType k_all_types[8] = {F32, F16, I32, U32, I64, U64, I8, U8};
static const WNNOperandDataType k_int_types[6] = {I32, U32, I64, U64, I8, U8};

static int is_flt(WNNOperandDataType t) { return t == F32 || t == F16; }
static size_t tsize(WNNOperandDataType t) {
    return t == F16 ? 2 : t == I64 || t == U64 ? 8 : t == I8 || t == U8 ? 1 : 4;
}
static const char* tname(WNNOperandDataType t) {
    static const char* const names[] = {"?", "f32", "f16", "i32", "u32", "i64", "u64", "i8", "u8"};
    return names[t];
}

/* Integer element i as int64 (the bits, for uint64); sign or zero extension by type. */
static int64_t iget(WNNOperandDataType t, const void* p, size_t i) {
    switch (t) {
        case I32: return ((const int32_t*)p)[i];
        case U32: return ((const uint32_t*)p)[i];
        case I64: return ((const int64_t*)p)[i];
        case U64: return (int64_t)((const uint64_t*)p)[i];
        case I8: return ((const int8_t*)p)[i];
        default: return ((const uint8_t*)p)[i];
    }
}
/* Stores the low bits of v (integers wrap). */
static void iset(WNNOperandDataType t, void* p, size_t i, int64_t v) {
    uint64_t u = (uint64_t)v;
    if (tsize(t) == 8) memcpy((char*)p + 8 * i, &u, 8);
    else if (tsize(t) == 4) ((uint32_t*)p)[i] = (uint32_t)u;
    else ((uint8_t*)p)[i] = (uint8_t)u;
}
static double fget(WNNOperandDataType t, const void* p, size_t i) {
    return t == F32 ? ((const float*)p)[i] : wt_h2f(((const uint16_t*)p)[i]);
}
static void fset(WNNOperandDataType t, void* p, size_t i, double v) {
    if (t == F32) ((float*)p)[i] = (float)v;
    else ((uint16_t*)p)[i] = wt_d2h(v);
}
/* The type's range as int64 bits (uint64's maximum is -1). */
static int64_t type_lo(WNNOperandDataType t) {
    return t == I8 ? INT8_MIN : t == I32 ? INT32_MIN : t == I64 ? INT64_MIN : 0;
}
static int64_t type_hi(WNNOperandDataType t) {
    return t == I8 ? INT8_MAX : t == U8 ? UINT8_MAX : t == I32 ? INT32_MAX : t == U32 ? UINT32_MAX
           : t == I64 ? INT64_MAX : -1;
}
/* x < y in the type's order. */
static int iless(WNNOperandDataType t, int64_t x, int64_t y) { return t == U64 ? (uint64_t)x < (uint64_t)y : x < y; }

/* Integer data: the type's extremes, small values, 2^53 +- 1, then small or random-bit values. */
static void int_values(WNNOperandDataType t, void* p, size_t n, uint64_t seed) {
    const int64_t edge[] = {0, 1, -1, 2, type_lo(t), type_hi(t), type_lo(t) + 1, type_hi(t) - 1, -2, 3, -7, 7, 64,
                            INT64_C(9007199254740993), -INT64_C(9007199254740993), INT64_C(9007199254740992)};
    const size_t ne = sizeof edge / sizeof edge[0];
    for (size_t i = 0; i < n; i++) {
        int64_t v = i < ne ? edge[i] : (int64_t)wt_next(&seed);
        if (i >= ne && v % 2) v = (int64_t)(wt_next(&seed) % 41) - 20;
        iset(t, p, i, v);
    }
}
/* Float data: signed zeros, infinities, NaN, halves, extremes of float16, then multiples of 0.5. */
static void float_values(WNNOperandDataType t, void* p, size_t n, uint64_t seed) {
    const double edge[] = {0.0, -0.0, 1.0, -1.0, 0.5, -2.5, INFINITY, -INFINITY, NAN, 65504.0, -3.0, 1e-7, 2.0, 7.5};
    const size_t ne = sizeof edge / sizeof edge[0];
    for (size_t i = 0; i < n; i++) fset(t, p, i, i < ne ? edge[i] : floor(wt_rand(&seed, -8, 8)) / 2);
}
static void any_values(WNNOperandDataType t, void* p, size_t n, uint64_t seed) {
    if (is_flt(t)) float_values(t, p, n, seed);
    else int_values(t, p, n, seed);
}

/* Builds the builder's graph for outs[] (named o0, o1, ...), runs it with the feeds into data[]. */
static void run_all(WNNGraphBuilder b, const WtFeed* feeds, size_t nf, const WNNOperand* outs, size_t n,
                    void* const* data) {
    WNNNamedOperand named[32];
    char names[32][8];
    for (size_t i = 0; i < n && i < 32; i++) {
        snprintf(names[i], sizeof names[i], "o%zu", i);
        named[i].name = names[i];
        named[i].operand = outs[i];
    }
    WT_OK(wt_run(wt_cpu(), b, feeds, nf, named, n, data));
}

/* Compares raw results; a NaN matches any NaN. Returns the mismatches (reported once). */
static int expect_bits(const char* what, WNNOperandDataType t, const void* got, const void* want, size_t n) {
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s = tsize(t);
        if (memcmp((const char*)got + i * s, (const char*)want + i * s, s) == 0) continue;
        if (is_flt(t) && isnan(fget(t, got, i)) && isnan(fget(t, want, i))) continue;
        if (bad++ < 3) {
            if (is_flt(t))
                fprintf(stderr, "  %s [%zu]: got %.9g want %.9g\n", what, i, fget(t, got, i), fget(t, want, i));
            else
                fprintf(stderr, "  %s [%zu]: got %lld want %lld\n", what, i, (long long)iget(t, got, i),
                        (long long)iget(t, want, i));
        }
    }
    wt_checks++;
    if (bad) {
        wt_failures++;
        fprintf(stderr, "%s: %d of %zu wrong\n", what, bad, n);
    }
    return bad;
}

/* Shapes of the broadcast tests: a [2,3,4] with b [3,1] (broadcast) and c [2,3,4] (same shape). */
static const uint32_t k_sa[3] = {2, 3, 4}, k_sb[2] = {3, 1};
#define NA 24
static size_t b_index(size_t i) { return i / 4 % 3; }

/* ---- integer binary arithmetic: wraps, division by zero 0, INT_MIN / -1 wraps, pow by squaring ---- */
enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MAX, OP_MIN, OP_POW, INT_OPS };
static const BinaryFn k_int_fns[INT_OPS] = {wnnGraphBuilderAdd, wnnGraphBuilderSub, wnnGraphBuilderMul,
                                            wnnGraphBuilderDiv, wnnGraphBuilderMax, wnnGraphBuilderMin,
                                            wnnGraphBuilderPow};
static const char* const k_int_names[INT_OPS] = {"add", "sub", "mul", "div", "max", "min", "pow"};

static uint64_t upow_ref(uint64_t x, uint64_t y) {
    uint64_t r = 1;
    for (; y; y >>= 1, x *= x)
        if (y & 1) r *= x;
    return r;
}

static int64_t int_ref(int op, WNNOperandDataType t, int64_t x, int64_t y) {
    uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
    switch (op) {
        case OP_ADD: return (int64_t)(ux + uy);
        case OP_SUB: return (int64_t)(ux - uy);
        case OP_MUL: return (int64_t)(ux * uy);
        case OP_DIV:
            if (t == U64) return uy ? (int64_t)(ux / uy) : 0;
            return y == 0 ? 0 : y == -1 ? (int64_t)(0 - ux) : x / y;
        case OP_MAX: return iless(t, x, y) ? y : x;
        case OP_MIN: return iless(t, y, x) ? y : x;
        default:
            if (t != U64 && y < 0) return x == 1 ? 1 : x == -1 ? ((y & 1) ? -1 : 1) : 0;
            return (int64_t)upow_ref(ux, uy);
    }
}

static void test_integer_binary_all_types(void) {
    for (int k = 0; k < 6; k++) {
        WNNOperandDataType t = k_int_types[k];
        uint64_t a[NA], c[NA], bv[3], out[2 * INT_OPS][NA], want[NA];
        int_values(t, a, NA, 100 + k);
        int_values(t, c, NA, 200 + k);
        for (int i = 0; i < NA; i += 5) iset(t, c, i, 0); /* division by zero */
        iset(t, c, 1, -1);                             /* INT_MIN / -1 */
        iset(t, bv, 0, 0);
        iset(t, bv, 1, -1);
        iset(t, bv, 2, 3);
        WNNGraphBuilder b = wt_builder();
        WNNOperand xa = wt_input(b, "a", t, 3, k_sa), xb = wt_input(b, "b", t, 2, k_sb);
        WNNOperand xc = wt_input(b, "c", t, 3, k_sa);
        WNNOperand outs[2 * INT_OPS];
        void* data[2 * INT_OPS];
        for (int op = 0; op < INT_OPS; op++) {
            WT_OK(k_int_fns[op](b, xa, xb, NULL, &outs[2 * op]));
            WT_OK(k_int_fns[op](b, xa, xc, NULL, &outs[2 * op + 1]));
            data[2 * op] = out[2 * op];
            data[2 * op + 1] = out[2 * op + 1];
        }
        WtFeed feeds[3] = {{"a", a}, {"b", bv}, {"c", c}};
        run_all(b, feeds, 3, outs, 2 * INT_OPS, data);
        for (int op = 0; op < INT_OPS; op++)
            for (int v = 0; v < 2; v++) {
                for (size_t i = 0; i < NA; i++) {
                    int64_t y = v ? iget(t, c, i) : iget(t, bv, b_index(i));
                    iset(t, want, i, int_ref(op, t, iget(t, a, i), y));
                }
                char what[64];
                snprintf(what, sizeof what, "%s %s%s", k_int_names[op], tname(t), v ? "" : " broadcast");
                expect_bits(what, t, out[2 * op + v], want, NA);
            }
        wnnGraphBuilderRelease(b);
    }
}

/* ---- unary ops on integers: abs / neg / sign / relu (signed types), identity and clamp (all) ---- */
static void test_integer_unary_all_types(void) {
    for (int k = 0; k < 6; k++) {
        WNNOperandDataType t = k_int_types[k];
        int sgn = t == I32 || t == I64 || t == I8;
        uint64_t x[NA], out[8][NA], want[NA];
        int_values(t, x, NA, 300 + k);
        /* clamp bounds inside the type, beyond 2^53 for the 64-bit types */
        int64_t lo = t == I64 ? -INT64_C(9007199254740993) : t == U64 ? (int64_t)(UINT64_C(1) << 63) + 1 : sgn ? -5 : 3;
        int64_t hi = t == I64 ? INT64_C(9007199254740993) : t == U64 ? -6 /* 2^64 - 6 */ : t == U32 ? 4000000000 : 100;
        WNNNumber nlo = t == U64 ? wnnNumberUint64((uint64_t)lo) : wnnNumberInt64(lo);
        WNNNumber nhi = t == U64 ? wnnNumberUint64((uint64_t)hi) : wnnNumberInt64(hi);
        WNNGraphBuilder b = wt_builder();
        WNNOperand in = wt_input(b, "x", t, 1, (const uint32_t[]){NA}), outs[8];
        int n = 0;
        WNNClampOptions both = WNN_CLAMP_OPTIONS_INIT, onlyMin = WNN_CLAMP_OPTIONS_INIT;
        WNNClampOptions onlyMax = WNN_CLAMP_OPTIONS_INIT;
        both.minValue = onlyMin.minValue = nlo;
        both.maxValue = onlyMax.maxValue = nhi;
        WT_OK(wnnGraphBuilderIdentity(b, in, NULL, &outs[n++]));
        WT_OK(wnnGraphBuilderClamp(b, in, &both, &outs[n++]));
        WT_OK(wnnGraphBuilderClamp(b, in, &onlyMin, &outs[n++]));
        WT_OK(wnnGraphBuilderClamp(b, in, &onlyMax, &outs[n++]));
        if (sgn) {
            WT_OK(wnnGraphBuilderAbs(b, in, NULL, &outs[n++]));
            WT_OK(wnnGraphBuilderNeg(b, in, NULL, &outs[n++]));
            WT_OK(wnnGraphBuilderSign(b, in, NULL, &outs[n++]));
            WT_OK(wnnGraphBuilderRelu(b, in, NULL, &outs[n++]));
        }
        void* data[8];
        for (int i = 0; i < n; i++) data[i] = out[i];
        WtFeed feed = {"x", x};
        run_all(b, &feed, 1, outs, (size_t)n, data);
        static const char* const names[8] = {"identity", "clamp", "clamp min", "clamp max",
                                             "abs",      "neg",   "sign",      "relu"};
        for (int op = 0; op < n; op++) {
            for (size_t i = 0; i < NA; i++) {
                int64_t v = iget(t, x, i), r = v;
                switch (op) {
                    case 1: r = iless(t, v, lo) ? lo : iless(t, hi, v) ? hi : v; break;
                    case 2: r = iless(t, v, lo) ? lo : v; break;
                    case 3: r = iless(t, hi, v) ? hi : v; break;
                    case 4: r = v < 0 ? (int64_t)(0 - (uint64_t)v) : v; break;
                    case 5: r = (int64_t)(0 - (uint64_t)v); break;
                    case 6: r = v > 0 ? 1 : v < 0 ? -1 : 0; break;
                    case 7: r = v < 0 ? 0 : v; break;
                    default: break;
                }
                iset(t, want, i, r);
            }
            char what[64];
            snprintf(what, sizeof what, "%s %s", names[op], tname(t));
            expect_bits(what, t, out[op], want, NA);
        }
        wnnGraphBuilderRelease(b);
    }
}

/* ---- comparisons on every type (NaN unordered, -0 == 0, unsigned order), broadcast and not ---- */
static const BinaryFn k_cmp_fns[6] = {wnnGraphBuilderEqual,          wnnGraphBuilderNotEqual,
                                      wnnGraphBuilderGreater,        wnnGraphBuilderGreaterOrEqual,
                                      wnnGraphBuilderLesser,         wnnGraphBuilderLesserOrEqual};
static const char* const k_cmp_names[6] = {"equal", "notEqual", "greater", "greaterOrEqual", "lesser", "lesserOrEqual"};

static int cmp_ref(int op, WNNOperandDataType t, const void* a, size_t ia, const void* b, size_t ib) {
    int lt, gt, eq;
    if (is_flt(t)) {
        double x = fget(t, a, ia), y = fget(t, b, ib);
        lt = x < y, gt = x > y, eq = x == y;
    } else {
        int64_t x = iget(t, a, ia), y = iget(t, b, ib);
        lt = iless(t, x, y), gt = iless(t, y, x), eq = x == y;
    }
    switch (op) {
        case 0: return eq;
        case 1: return !eq;
        case 2: return gt;
        case 3: return gt || eq;
        case 4: return lt;
        default: return lt || eq;
    }
}

static void test_comparisons_all_types(void) {
    for (int k = 0; k < 8; k++) {
        WNNOperandDataType t = k_all_types[k];
        uint64_t a[NA], c[NA], bv[3];
        uint8_t out[12][NA], want[NA];
        any_values(t, a, NA, 400 + k);
        any_values(t, c, NA, 500 + k);
        for (size_t i = 0; i < NA; i += 3) memcpy((char*)c + i * tsize(t), (char*)a + i * tsize(t), tsize(t));
        any_values(t, bv, 3, 600 + k); /* floats: 0, -0, 1; integers: 0, 1, -1 */
        WNNGraphBuilder b = wt_builder();
        WNNOperand xa = wt_input(b, "a", t, 3, k_sa), xb = wt_input(b, "b", t, 2, k_sb);
        WNNOperand xc = wt_input(b, "c", t, 3, k_sa);
        WNNOperand outs[12];
        void* data[12];
        for (int op = 0; op < 6; op++) {
            WT_OK(k_cmp_fns[op](b, xa, xb, NULL, &outs[2 * op]));
            WT_OK(k_cmp_fns[op](b, xa, xc, NULL, &outs[2 * op + 1]));
            data[2 * op] = out[2 * op];
            data[2 * op + 1] = out[2 * op + 1];
        }
        WtFeed feeds[3] = {{"a", a}, {"b", bv}, {"c", c}};
        run_all(b, feeds, 3, outs, 12, data);
        for (int op = 0; op < 6; op++)
            for (int v = 0; v < 2; v++) {
                for (size_t i = 0; i < NA; i++)
                    want[i] = (uint8_t)(v ? cmp_ref(op, t, a, i, c, i) : cmp_ref(op, t, a, i, bv, b_index(i)));
                char what[64];
                snprintf(what, sizeof what, "%s %s%s", k_cmp_names[op], tname(t), v ? "" : " broadcast");
                expect_bits(what, U8, out[2 * op + v], want, NA);
            }
        wnnGraphBuilderRelease(b);
    }
}

/* ---- logicalNot, and the binary logical ops without broadcasting (any nonzero is true) ---- */
static void test_logical_same_shape(void) {
    uint8_t a[NA], c[NA], out[4][NA], want[NA];
    for (int i = 0; i < NA; i++) {
        a[i] = (uint8_t)(i % 4 == 0 ? 0 : i * 37);
        c[i] = (uint8_t)(i % 3 == 0 ? 0 : 255 - i);
    }
    WNNGraphBuilder b = wt_builder();
    WNNOperand xa = wt_input(b, "a", U8, 3, k_sa), xc = wt_input(b, "c", U8, 3, k_sa), outs[4];
    WT_OK(wnnGraphBuilderLogicalNot(b, xa, NULL, &outs[0]));
    WT_OK(wnnGraphBuilderLogicalAnd(b, xa, xc, NULL, &outs[1]));
    WT_OK(wnnGraphBuilderLogicalOr(b, xa, xc, NULL, &outs[2]));
    WT_OK(wnnGraphBuilderLogicalXor(b, xa, xc, NULL, &outs[3]));
    WtFeed feeds[2] = {{"a", a}, {"c", c}};
    void* data[4] = {out[0], out[1], out[2], out[3]};
    run_all(b, feeds, 2, outs, 4, data);
    static const char* const names[4] = {"logicalNot", "logicalAnd", "logicalOr", "logicalXor"};
    for (int op = 0; op < 4; op++) {
        for (int i = 0; i < NA; i++)
            want[i] = (uint8_t)(op == 0 ? !a[i] : op == 1 ? a[i] && c[i] : op == 2 ? a[i] || c[i] : !a[i] != !c[i]);
        expect_bits(names[op], U8, out[op], want, NA);
    }
    wnnGraphBuilderRelease(b);
}

/* ---- isNaN / isInfinite on float16 and the integer types (never NaN or infinite) ---- */
static void test_is_nan_infinite_all_types(void) {
    for (int k = 1; k < 8; k++) {
        WNNOperandDataType t = k_all_types[k];
        uint64_t x[NA];
        uint8_t nan[NA], inf[NA], wantNan[NA], wantInf[NA];
        any_values(t, x, NA, 700 + k);
        for (int i = 0; i < NA; i++) {
            wantNan[i] = (uint8_t)(is_flt(t) && isnan(fget(t, x, i)));
            wantInf[i] = (uint8_t)(is_flt(t) && isinf(fget(t, x, i)));
        }
        WNNGraphBuilder b = wt_builder();
        WNNOperand in = wt_input(b, "x", t, 3, k_sa), outs[2];
        WT_OK(wnnGraphBuilderIsNaN(b, in, NULL, &outs[0]));
        WT_OK(wnnGraphBuilderIsInfinite(b, in, NULL, &outs[1]));
        WtFeed feed = {"x", x};
        void* data[2] = {nan, inf};
        run_all(b, &feed, 1, outs, 2, data);
        char what[64];
        snprintf(what, sizeof what, "isNaN %s", tname(t));
        expect_bits(what, U8, nan, wantNan, NA);
        snprintf(what, sizeof what, "isInfinite %s", tname(t));
        expect_bits(what, U8, inf, wantInf, NA);
        wnnGraphBuilderRelease(b);
    }
}

/* ---- where on every type: condition [2,1,4], trueValue [3,1], falseValue [2,3,4]; and no broadcast ---- */
static void test_where_all_types(void) {
    for (int k = 0; k < 8; k++) {
        WNNOperandDataType t = k_all_types[k];
        size_t s = tsize(t);
        uint8_t cond[8] = {0, 1, 2, 255, 0, 7, 0, 1}, cond2[NA], want[NA * 8];
        uint64_t tv[3], f[NA], g[NA], out[2][NA];
        for (int i = 0; i < NA; i++) cond2[i] = (uint8_t)(i % 3 ? i : 0);
        any_values(t, tv, 3, 800 + k);
        any_values(t, f, NA, 900 + k);
        any_values(t, g, NA, 1000 + k);
        uint32_t sc[3] = {2, 1, 4};
        WNNGraphBuilder b = wt_builder();
        WNNOperand xc = wt_input(b, "c", U8, 3, sc), xc2 = wt_input(b, "c2", U8, 3, k_sa);
        WNNOperand xt = wt_input(b, "t", t, 2, k_sb), xf = wt_input(b, "f", t, 3, k_sa);
        WNNOperand xg = wt_input(b, "g", t, 3, k_sa);
        WNNOperand outs[2];
        WT_OK(wnnGraphBuilderWhere(b, xc, xt, xf, NULL, &outs[0]));
        WT_OK(wnnGraphBuilderWhere(b, xc2, xf, xg, NULL, &outs[1]));
        WtFeed feeds[5] = {{"c", cond}, {"c2", cond2}, {"t", tv}, {"f", f}, {"g", g}};
        void* data[2] = {out[0], out[1]};
        run_all(b, feeds, 5, outs, 2, data);
        for (size_t i = 0; i < NA; i++) {
            size_t ci = i / 12 * 4 + i % 4; /* condition [2,1,4] */
            memcpy(want + i * s, cond[ci] ? (char*)tv + b_index(i) * s : (char*)f + i * s, s);
        }
        char what[64];
        snprintf(what, sizeof what, "where %s broadcast", tname(t));
        expect_bits(what, t, out[0], want, NA);
        for (size_t i = 0; i < NA; i++) memcpy(want + i * s, cond2[i] ? (char*)f + i * s : (char*)g + i * s, s);
        snprintf(what, sizeof what, "where %s", tname(t));
        expect_bits(what, t, out[1], want, NA);
        wnnGraphBuilderRelease(b);
    }
}

/* ---- cast between every pair: floats round once to nearest even; float to integer truncates,
 * saturates and gives 0 for NaN; integers wrap; int64 to float32 rounds through float64 ---- */
static void cast_ref(WNNOperandDataType from, const void* x, size_t i, WNNOperandDataType to, void* y) {
    if (is_flt(from)) {
        double v = fget(from, x, i);
        if (is_flt(to)) {
            fset(to, y, i, v);
            return;
        }
        int64_t r;
        if (isnan(v)) r = 0;
        else if (to == U64) r = v <= 0 ? 0 : v >= 18446744073709551616.0 ? -1 : (int64_t)(uint64_t)v;
        else if (v <= (double)type_lo(to)) r = type_lo(to);
        else if (v >= (double)type_hi(to)) r = type_hi(to);
        else r = (int64_t)v;
        iset(to, y, i, r);
        return;
    }
    int64_t v = iget(from, x, i);
    if (is_flt(to)) fset(to, y, i, from == U64 ? (double)(uint64_t)v : (double)v);
    else iset(to, y, i, v);
}

static void test_cast_all_pairs(void) {
    enum { N = 40 };
    static const double fvals[] = {0.0, -0.0, 0.5, -0.5, 1.5, -1.7, 2.5, 127.9, 128.0, -128.5, -129.0, 255.5, 256.0,
                                   65504.0, 65519.0, 65520.0, 1e-8, 5.9604644775390625e-8, 2049.0, 2051.0,
                                   2147483647.0, -2147483649.0, 4294967296.0, 4294967295.5, 1e20, -1e20, 9.3e18,
                                   -9.3e18, 1.9e19, 16777217.0, NAN, INFINITY, -INFINITY, 3.4e38, -7.99, 1e-40};
    static const int64_t ivals[] = {0, 1, -1, 127, 128, -129, 255, 256, 2049, 2051, 65504, 65519, 65520, 65536,
                                    16777217, INT32_MAX, INT32_MIN, UINT32_MAX, INT64_C(9007199254740993),
                                    -INT64_C(9007199254740993), INT64_MAX, INT64_MIN, -2, INT64_C(0x4000004000000001)};
    for (int k = 0; k < 8; k++) {
        WNNOperandDataType from = k_all_types[k];
        uint64_t x[N], out[8][N], want[N];
        for (size_t i = 0; i < N; i++) {
            if (is_flt(from)) fset(from, x, i, i < sizeof fvals / sizeof fvals[0] ? fvals[i] : (double)i - 20.25);
            else iset(from, x, i, i < sizeof ivals / sizeof ivals[0] ? ivals[i] : (int64_t)i * 1000003 - 7);
        }
        WNNGraphBuilder b = wt_builder();
        WNNOperand in = wt_input(b, "x", from, 1, (const uint32_t[]){N}), outs[8];
        void* data[8];
        for (int j = 0; j < 8; j++) {
            WT_OK(wnnGraphBuilderCast(b, in, k_all_types[j], NULL, &outs[j]));
            data[j] = out[j];
        }
        WtFeed feed = {"x", x};
        run_all(b, &feed, 1, outs, 8, data);
        for (int j = 0; j < 8; j++) {
            for (size_t i = 0; i < N; i++) cast_ref(from, x, i, k_all_types[j], want);
            char what[64];
            snprintf(what, sizeof what, "cast %s->%s", tname(from), tname(k_all_types[j]));
            expect_bits(what, k_all_types[j], out[j], want, N);
        }
        wnnGraphBuilderRelease(b);
    }
}

/* ---- prelu on its types: slope [3,1], the same shape, and both broadcast (x [3,1], slope [2,1,4]) ---- */
static void prelu_ref(WNNOperandDataType t, const void* x, size_t ix, const void* s, size_t is, void* y, size_t i) {
    if (is_flt(t)) {
        double v = fget(t, x, ix);
        fset(t, y, i, v >= 0 ? v : fget(t, s, is) * v); /* exact in double, rounded once */
    } else {
        int64_t v = iget(t, x, ix);
        iset(t, y, i, v >= 0 ? v : (int64_t)((uint64_t)iget(t, s, is) * (uint64_t)v));
    }
}

static void test_prelu_all_types(void) {
    static const WNNOperandDataType types[5] = {F32, F16, I64, I32, I8};
    for (int k = 0; k < 5; k++) {
        WNNOperandDataType t = types[k];
        uint64_t x[NA], sb[3], sc[NA], x31[3], s214[8], out[3][NA], want[NA];
        any_values(t, x, NA, 1100 + k);
        any_values(t, sc, NA, 1200 + k);
        any_values(t, x31, 3, 1300 + k);
        if (is_flt(t)) {
            fset(t, sb, 0, 0.25), fset(t, sb, 1, -3.0), fset(t, sb, 2, NAN);
            fset(t, x31, 0, -2.0);
            for (int i = 0; i < 8; i++) fset(t, s214, i, i - 3.5);
        } else {
            iset(t, sb, 0, 2), iset(t, sb, 1, -1), iset(t, sb, 2, type_hi(t));
            iset(t, x31, 0, -5);
            for (int i = 0; i < 8; i++) iset(t, s214, i, i - 4);
        }
        uint32_t s214shape[3] = {2, 1, 4};
        WNNGraphBuilder b = wt_builder();
        WNNOperand xa = wt_input(b, "x", t, 3, k_sa), xs = wt_input(b, "sb", t, 2, k_sb);
        WNNOperand xsc = wt_input(b, "sc", t, 3, k_sa);
        WNNOperand x2 = wt_input(b, "x31", t, 2, k_sb), s2 = wt_input(b, "s214", t, 3, s214shape), outs[3];
        WT_OK(wnnGraphBuilderPrelu(b, xa, xs, NULL, &outs[0]));
        WT_OK(wnnGraphBuilderPrelu(b, xa, xsc, NULL, &outs[1]));
        WT_OK(wnnGraphBuilderPrelu(b, x2, s2, NULL, &outs[2]));
        WtFeed feeds[5] = {{"x", x}, {"sb", sb}, {"sc", sc}, {"x31", x31}, {"s214", s214}};
        void* data[3] = {out[0], out[1], out[2]};
        run_all(b, feeds, 5, outs, 3, data);
        static const char* const names[3] = {"broadcast slope", "same shape", "both broadcast"};
        for (int v = 0; v < 3; v++) {
            for (size_t i = 0; i < NA; i++) {
                if (v == 0) prelu_ref(t, x, i, sb, b_index(i), want, i);
                else if (v == 1) prelu_ref(t, x, i, sc, i, want, i);
                else prelu_ref(t, x31, b_index(i), s214, i / 12 * 4 + i % 4, want, i);
            }
            char what[64];
            snprintf(what, sizeof what, "prelu %s %s", tname(t), names[v]);
            expect_bits(what, t, out[v], want, NA);
        }
        wnnGraphBuilderRelease(b);
    }
}

/* ---- a large broadcast (several blocks of threads, merged dimensions) of int64 add, uint8 where and
 * float16 comparisons ---- */
static void test_large_broadcast(void) {
    enum { D0 = 7, D1 = 33, D2 = 5, D3 = 129, N = D0 * D1 * D2 * D3 };
    uint32_t sa[4] = {D0, D1, D2, D3}, sb[4] = {D0, 1, D2, 1}, sc[2] = {D2, D3};
    int64_t* a = malloc(N * 8);
    int64_t* sum = malloc(N * 8);
    int64_t bv[D0 * D2];
    uint16_t* h = malloc(N * 2);
    uint16_t hc[D2 * D3];
    uint8_t* gt = malloc(N);
    for (size_t i = 0; i < N; i++) {
        a[i] = (int64_t)(i * 2654435761u) - INT64_C(1) * (int64_t)i * 1000;
        h[i] = wt_f2h((float)((int)(i % 97) - 48) / 4);
    }
    for (size_t i = 0; i < D0 * D2; i++) bv[i] = (int64_t)i * INT64_C(1000000007) - INT64_MAX / 3;
    for (size_t i = 0; i < D2 * D3; i++) hc[i] = wt_f2h((float)((int)(i % 31) - 15) / 2);
    WNNGraphBuilder b = wt_builder();
    WNNOperand xa = wt_input(b, "a", I64, 4, sa), xb = wt_input(b, "b", I64, 4, sb);
    WNNOperand xh = wt_input(b, "h", F16, 4, sa), xc = wt_input(b, "hc", F16, 2, sc), outs[2];
    WT_OK(wnnGraphBuilderAdd(b, xa, xb, NULL, &outs[0]));
    WT_OK(wnnGraphBuilderGreater(b, xh, xc, NULL, &outs[1]));
    WtFeed feeds[4] = {{"a", a}, {"b", bv}, {"h", h}, {"hc", hc}};
    void* data[2] = {sum, gt};
    run_all(b, feeds, 4, outs, 2, data);
    int bad = 0;
    for (size_t i = 0; i < N; i++) {
        size_t d3 = i % D3, d2 = i / D3 % D2, d0 = i / ((size_t)D3 * D2 * D1);
        int64_t want = (int64_t)((uint64_t)a[i] + (uint64_t)bv[d0 * D2 + d2]);
        int wantGt = wt_h2f(h[i]) > wt_h2f(hc[d2 * D3 + d3]);
        bad += sum[i] != want || gt[i] != wantGt;
    }
    if (bad) fprintf(stderr, "large broadcast: %d wrong\n", bad);
    WT_CHECK(bad == 0);
    wnnGraphBuilderRelease(b);
    free(a), free(sum), free(h), free(gt);
}

static void test_validation(void) {
    WNNGraphBuilder b = wt_builder();
    uint32_t s23[2] = {2, 3}, s4[1] = {4};
    WNNOperand f = wt_input(b, "f", WNNOperandDataType_Float32, 2, s23), h = wt_input(b, "h", WNNOperandDataType_Float16, 2, s23);
    WNNOperand v4 = wt_input(b, "v", WNNOperandDataType_Float32, 1, s4), i32 = wt_input(b, "i", WNNOperandDataType_Int32, 2, s23);
    WNNOperand u8 = wt_input(b, "u", WNNOperandDataType_Uint8, 2, s23), out;
    WT_CHECK_STATUS(wnnGraphBuilderAdd(b, f, h, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("same data type");
    WT_CHECK_STATUS(wnnGraphBuilderMul(b, f, v4, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("not broadcastable");
    WT_CHECK_STATUS(wnnGraphBuilderLogicalAnd(b, f, f, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("logicalAnd: a data type float32 is not allowed");
    WT_CHECK_STATUS(wnnGraphBuilderCos(b, i32, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnGraphBuilderWhere(b, f, f, f, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("condition");
    WT_CHECK_STATUS(wnnGraphBuilderWhere(b, u8, f, i32, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnGraphBuilderCast(b, f, (WNNOperandDataType)12, NULL, &out), WNNStatus_TypeError);
    WNNClampOptions co = WNN_CLAMP_OPTIONS_INIT;
    co.minValue = wnnNumberDouble(2);
    co.maxValue = wnnNumberDouble(1);
    WT_CHECK_STATUS(wnnGraphBuilderClamp(b, f, &co, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("minValue");
    WNNOperatorOptions labeled = {"my_relu"};
    WT_CHECK_STATUS(wnnGraphBuilderRelu(b, u8, &labeled, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("relu 'my_relu'");
    WT_CHECK(out == NULL);
    WT_CHECK_STATUS(wnnGraphBuilderPrelu(b, f, h, NULL, &out), WNNStatus_TypeError);
    /* the builder is still usable after every rejection */
    WT_OK(wnnGraphBuilderAdd(b, f, f, NULL, &out));
    wnnGraphBuilderRelease(b);
}

int main(void) {
    test_unary_without_wpt_data();
    test_is_nan_infinite();
    test_binary_without_wpt_data();
    test_integer_semantics();
    test_integer_binary_all_types();
    test_integer_unary_all_types();
    test_comparisons_all_types();
    test_logical_same_shape();
    test_is_nan_infinite_all_types();
    test_where_all_types();
    test_cast_all_pairs();
    test_prelu_all_types();
    test_large_broadcast();
    test_validation();
    return wt_summary("test_ops_elementwise");
}
