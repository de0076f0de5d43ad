/* k_eltwise.c: CPU kernels of the element-wise ops, as block functions for eltwise_engine.
 * Float types compute in double and round once; integer arithmetic wraps (computed on unsigned
 * values, so there is no undefined overflow); integer division by zero gives 0. */
#include <math.h>

#include "backends/cpu/eltwise_engine.h"
#include "graph/ops/elementwise.h"

/* ---- block-function generators ---- */
#define F1(name, expr) \
    static void f_##name(const void* c, double* o, const double* const* in, size_t n) { \
        const double* a = in[0]; (void)c; for (size_t k = 0; k < n; k++) { double x = a[k]; o[k] = (expr); } }
#define I1(name, expr) \
    static void i_##name(const void* c, int64_t* o, const int64_t* const* in, size_t n) { \
        const int64_t* a = in[0]; (void)c; for (size_t k = 0; k < n; k++) { int64_t x = a[k]; o[k] = (expr); } }
#define U1(name, expr) \
    static void u_##name(const void* c, uint64_t* o, const uint64_t* const* in, size_t n) { \
        const uint64_t* a = in[0]; (void)c; for (size_t k = 0; k < n; k++) { uint64_t x = a[k]; o[k] = (expr); } }
#define F2(name, expr) \
    static void f_##name(const void* c, double* o, const double* const* in, size_t n) { \
        const double *a = in[0], *b = in[1]; (void)c; for (size_t k = 0; k < n; k++) { double x = a[k], y = b[k]; o[k] = (expr); } }
#define I2(name, expr) \
    static void i_##name(const void* c, int64_t* o, const int64_t* const* in, size_t n) { \
        const int64_t *a = in[0], *b = in[1]; (void)c; for (size_t k = 0; k < n; k++) { int64_t x = a[k], y = b[k]; o[k] = (expr); } }
#define U2(name, expr) \
    static void u_##name(const void* c, uint64_t* o, const uint64_t* const* in, size_t n) { \
        const uint64_t *a = in[0], *b = in[1]; (void)c; for (size_t k = 0; k < n; k++) { uint64_t x = a[k], y = b[k]; o[k] = (expr); } }

/* A kernel computing in the domain of its first input's type, after the float16 fast path
 * (eltwise_f16.c: float16 ops with a float32 block function, eltwise_float_ops.c) declined. */
#define KERNEL(op, fi, ii, ui)                                                        \
    WNNStatus wnn_cpu_##op(const WnnCpuKernelArgs* args) {                            \
        static const WnnEltFns fns = {fi, ii, ui};                                    \
        if (wnn_elt_f16(args)) return WNNStatus_Success;                              \
        return wnn_elt_run(args, &fns, args->node->attrs, args->inputs[0].desc->type); \
    }

/* The same, trying the float32 fast path too (eltwise_f32.c). */
#define KERNEL_F32(op, f32op, fi, ii, ui)                                             \
    WNNStatus wnn_cpu_##op(const WnnCpuKernelArgs* args) {                            \
        static const WnnEltFns fns = {fi, ii, ui};                                    \
        if (wnn_elt_f16(args)) return WNNStatus_Success;                              \
        if (wnn_elt_f32(args, f32op, args->node->attrs)) return WNNStatus_Success;    \
        return wnn_elt_run(args, &fns, args->node->attrs, args->inputs[0].desc->type); \
    }

#define WRAP(v) ((int64_t)(v)) /* uint64 -> int64 two's complement */

static int64_t idiv(int64_t x, int64_t y) {
    if (y == 0) return 0;
    if (y == -1) return WRAP(0 - (uint64_t)x); /* INT64_MIN / -1 wraps */
    return x / y;
}

static int64_t ipow(int64_t x, int64_t y) {
    if (y < 0) return x == 1 ? 1 : x == -1 ? ((y & 1) ? -1 : 1) : 0;
    uint64_t r = 1, b = (uint64_t)x;
    for (uint64_t e = (uint64_t)y; e; e >>= 1, b *= b)
        if (e & 1) r *= b;
    return WRAP(r);
}

static uint64_t upow(uint64_t x, uint64_t y) {
    uint64_t r = 1;
    for (; y; y >>= 1, x *= x)
        if (y & 1) r *= x;
    return r;
}

/* ---- binary arithmetic ---- */
F2(add, x + y) I2(add, WRAP((uint64_t)x + (uint64_t)y)) U2(add, x + y)
F2(sub, x - y) I2(sub, WRAP((uint64_t)x - (uint64_t)y)) U2(sub, x - y)
F2(mul, x * y) I2(mul, WRAP((uint64_t)x * (uint64_t)y)) U2(mul, x * y)
F2(div, x / y) I2(div, idiv(x, y)) U2(div, y ? x / y : 0)
/* max/min propagate NaN (IEEE maximum/minimum semantics of the spec's reference). */
F2(max, isnan(x) || isnan(y) ? NAN : (x > y ? x : y)) I2(max, x > y ? x : y) U2(max, x > y ? x : y)
F2(min, isnan(x) || isnan(y) ? NAN : (x < y ? x : y)) I2(min, x < y ? x : y) U2(min, x < y ? x : y)
F2(pow, pow(x, y)) I2(pow, ipow(x, y)) U2(pow, upow(x, y))
KERNEL_F32(add, WNN_F32_ADD, f_add, i_add, u_add)
KERNEL_F32(sub, WNN_F32_SUB, f_sub, i_sub, u_sub)
KERNEL_F32(mul, WNN_F32_MUL, f_mul, i_mul, u_mul)
KERNEL_F32(div, WNN_F32_DIV, f_div, i_div, u_div)
KERNEL(max, f_max, i_max, u_max)
KERNEL(min, f_min, i_min, u_min)
KERNEL(pow, f_pow, i_pow, u_pow)

/* ---- comparisons (results 0/1, stored as uint8) ---- */
F2(equal, x == y) I2(equal, x == y) U2(equal, x == y)
F2(notEqual, x != y) I2(notEqual, x != y) U2(notEqual, x != y)
F2(greater, x > y) I2(greater, x > y) U2(greater, x > y)
F2(greaterOrEqual, x >= y) I2(greaterOrEqual, x >= y) U2(greaterOrEqual, x >= y)
F2(lesser, x < y) I2(lesser, x < y) U2(lesser, x < y)
F2(lesserOrEqual, x <= y) I2(lesserOrEqual, x <= y) U2(lesserOrEqual, x <= y)
KERNEL(equal, f_equal, i_equal, u_equal)
KERNEL(notEqual, f_notEqual, i_notEqual, u_notEqual)
KERNEL(greater, f_greater, i_greater, u_greater)
KERNEL(greaterOrEqual, f_greaterOrEqual, i_greaterOrEqual, u_greaterOrEqual)
KERNEL(lesser, f_lesser, i_lesser, u_lesser)
KERNEL(lesserOrEqual, f_lesserOrEqual, i_lesserOrEqual, u_lesserOrEqual)

/* ---- logical (uint8 only: the int64 domain) ---- */
I2(logicalAnd, (x != 0) && (y != 0)) I2(logicalOr, (x != 0) || (y != 0)) I2(logicalXor, (x != 0) != (y != 0))
I1(logicalNot, x == 0)
KERNEL(logicalAnd, NULL, i_logicalAnd, NULL)
KERNEL(logicalOr, NULL, i_logicalOr, NULL)
KERNEL(logicalXor, NULL, i_logicalXor, NULL)
KERNEL(logicalNot, NULL, i_logicalNot, NULL)

/* ---- tests: float inputs are the only ones that can be NaN or infinite ---- */
F1(isNaN, isnan(x) ? 1.0 : 0.0) I1(zero, x * 0) U1(zero, x * 0)
F1(isInfinite, isinf(x) ? 1.0 : 0.0)
KERNEL(isNaN, f_isNaN, i_zero, u_zero)
KERNEL(isInfinite, f_isInfinite, i_zero, u_zero)

/* ---- unary with integer variants ---- */
F1(abs, fabs(x)) I1(abs, x < 0 ? WRAP(0 - (uint64_t)x) : x) U1(identity, x)
F1(neg, -x) I1(neg, WRAP(0 - (uint64_t)x))
F1(sign, isnan(x) ? x : x > 0 ? 1.0 : x < 0 ? -1.0 : x) I1(sign, x > 0 ? 1 : x < 0 ? -1 : 0)
F1(relu, x < 0 ? 0.0 : x) I1(relu, x < 0 ? 0 : x)
F1(identity, x) I1(identity, x)
KERNEL(abs, f_abs, i_abs, u_identity)
KERNEL(neg, f_neg, i_neg, NULL)
KERNEL(sign, f_sign, i_sign, NULL)
KERNEL_F32(relu, WNN_F32_RELU, f_relu, i_relu, u_identity)
KERNEL(identity, f_identity, i_identity, u_identity)

/* ---- float-only math ---- */
static double gelu(double x) { return 0.5 * x * (1.0 + erf(x * 0.70710678118654752440)); }
static double softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }
F1(ceil, ceil(x)) F1(cos, cos(x)) F1(erf, erf(x)) F1(exp, exp(x)) F1(floor, floor(x)) F1(log, log(x))
F1(reciprocal, 1.0 / x) F1(roundEven, nearbyint(x)) F1(sin, sin(x)) F1(sqrt, sqrt(x)) F1(tan, tan(x))
F1(gelu, gelu(x)) F1(hardSwish, x * fmax(0.0, fmin(6.0, x + 3.0)) / 6.0)
F1(sigmoid, 1.0 / (1.0 + exp(-x))) F1(softplus, softplus(x)) F1(softsign, x / (1.0 + fabs(x))) F1(tanh, tanh(x))
KERNEL(ceil, f_ceil, NULL, NULL)
KERNEL(cos, f_cos, NULL, NULL)
KERNEL(erf, f_erf, NULL, NULL)
KERNEL(exp, f_exp, NULL, NULL)
KERNEL(floor, f_floor, NULL, NULL)
KERNEL(log, f_log, NULL, NULL)
KERNEL(reciprocal, f_reciprocal, NULL, NULL)
KERNEL(roundEven, f_roundEven, NULL, NULL)
KERNEL(sin, f_sin, NULL, NULL)
KERNEL(sqrt, f_sqrt, NULL, NULL)
KERNEL(tan, f_tan, NULL, NULL)
KERNEL(gelu, f_gelu, NULL, NULL)
KERNEL(hardSwish, f_hardSwish, NULL, NULL)
KERNEL(sigmoid, f_sigmoid, NULL, NULL)
KERNEL(softplus, f_softplus, NULL, NULL)
KERNEL(softsign, f_softsign, NULL, NULL)
KERNEL(tanh, f_tanh, NULL, NULL)

/* ---- activations with parameters (ctx is the WnnActivationAttrs) ---- */
#define ACT(name, expr) \
    static void f_##name(const void* c, double* o, const double* const* in, size_t n) { \
        const WnnActivationAttrs* p = c; const double* a = in[0];                        \
        for (size_t k = 0; k < n; k++) { double x = a[k]; o[k] = (expr); } }
ACT(elu, x > 0 ? x : p->alpha * expm1(x))
ACT(hardSigmoid, fmax(0.0, fmin(1.0, p->alpha * x + p->beta)))
ACT(leakyRelu, x >= 0 ? x : p->alpha * x)
ACT(linear, p->alpha * x + p->beta)
KERNEL(elu, f_elu, NULL, NULL)
KERNEL(hardSigmoid, f_hardSigmoid, NULL, NULL)
KERNEL(leakyRelu, f_leakyRelu, NULL, NULL)
KERNEL(linear, f_linear, NULL, NULL)

/* ---- clamp (ctx is the WnnClampAttrs, bounds already in the input type) ---- */
static void f_clamp(const void* c, double* o, const double* const* in, size_t n) {
    const WnnClampAttrs* p = c;
    for (size_t k = 0; k < n; k++) {
        double x = in[0][k];
        if (p->hasMin && x < p->minF) x = p->minF;
        if (p->hasMax && x > p->maxF) x = p->maxF;
        o[k] = x;
    }
}
static void i_clamp(const void* c, int64_t* o, const int64_t* const* in, size_t n) {
    const WnnClampAttrs* p = c;
    for (size_t k = 0; k < n; k++) {
        int64_t x = in[0][k];
        if (p->hasMin && x < p->minI) x = p->minI;
        if (p->hasMax && x > p->maxI) x = p->maxI;
        o[k] = x;
    }
}
static void u_clamp(const void* c, uint64_t* o, const uint64_t* const* in, size_t n) {
    const WnnClampAttrs* p = c;
    for (size_t k = 0; k < n; k++) {
        uint64_t x = in[0][k];
        if (p->hasMin && x < p->minU) x = p->minU;
        if (p->hasMax && x > p->maxU) x = p->maxU;
        o[k] = x;
    }
}
KERNEL_F32(clamp, WNN_F32_CLAMP, f_clamp, i_clamp, u_clamp)

/* ---- cast: computes in the input's domain; the store converts to the output type ---- */
KERNEL(cast, f_identity, i_identity, u_identity)

/* ---- prelu: x >= 0 ? x : slope * x ---- */
F2(prelu, x >= 0 ? x : y * x) I2(prelu, x >= 0 ? x : WRAP((uint64_t)y * (uint64_t)x))
KERNEL(prelu, f_prelu, i_prelu, NULL)

/* ---- where: condition is loaded into the values' domain ---- */
#define WHERE(D, T) \
    static void D##_where(const void* c, T* o, const T* const* in, size_t n) { \
        (void)c; for (size_t k = 0; k < n; k++) o[k] = in[0][k] ? in[1][k] : in[2][k]; }
WHERE(f, double)
WHERE(i, int64_t)
WHERE(u, uint64_t)
WNNStatus wnn_cpu_where(const WnnCpuKernelArgs* args) {
    static const WnnEltFns fns = {f_where, i_where, u_where};
    return wnn_elt_run(args, &fns, NULL, args->inputs[1].desc->type);
}
