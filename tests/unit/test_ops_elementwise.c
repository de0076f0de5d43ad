/* test_ops_elementwise.c: element-wise ops against float64 / exact references, with the ops that
 * have no W3C data first (notEqual, logical*, isNaN, isInfinite, sign, cos, erf, reciprocal,
 * roundEven, sin, tan, identity, softplus), integer semantics, float16, broadcasting, and the
 * validation rules. */
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
    test_validation();
    return wt_summary("test_ops_elementwise");
}
