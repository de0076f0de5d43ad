/* eltwise_float_ops.c: the element-wise ops as float32 block functions, for float16 tensors
 * (eltwise_f16.c). A float16 result computed in float32 and rounded once to float16 is as good as
 * the engine's double one:
 * - add, sub, mul, div, sqrt, reciprocal: float32 has 24 >= 2 * 11 + 2 significant bits, so
 *   rounding the exact result to float32 and then to float16 gives the correctly rounded float16
 *   result (double rounding is innocuous, Figueroa 1995): bit-identical to the engine.
 * - max, min, relu, clamp, abs, neg, sign, identity, ceil, floor, roundEven: exact in float32.
 * - the transcendental ops (exp, erf, tanh, sigmoid, ...): libm's float functions are within
 *   a float32 ulp or two, 2^-13 of a float16 ulp, so the float16 result is the correctly rounded
 *   one or its neighbour, inside the conformance tolerances (exp's float16 one is 1 ulp); gelu
 *   (gelu_f32.h) is within 6.5 float32 ulps, under 2^-10 of a float16 ulp (its tolerance: 18).
 * - pow, linear, leakyRelu, elu, hardSigmoid: a few float32 roundings and the attribute rounded
 *   to float32; their float16 tolerances are 2 ulp or more.
 * No a * b + c here is contracted into an FMA (ISO C mode), so every CPU gives the same bits. */
#include <math.h>

#include "backends/cpu/eltwise_engine.h"
#include "backends/cpu/gelu_f32.h"

#define U(name, expr)                                                                                      \
    static void f_##name(const WnnEltFloatParams* p, float* o, const float* a, const float* b, size_t n) { \
        (void)p;                                                                                           \
        (void)b;                                                                                           \
        for (size_t k = 0; k < n; k++) {                                                                   \
            float x = a[k];                                                                                \
            o[k] = (expr);                                                                                 \
        }                                                                                                  \
    }
#define B(name, expr)                                                                                      \
    static void f_##name(const WnnEltFloatParams* p, float* o, const float* a, const float* b, size_t n) { \
        (void)p;                                                                                           \
        for (size_t k = 0; k < n; k++) {                                                                   \
            float x = a[k], y = b[k];                                                                      \
            o[k] = (expr);                                                                                 \
        }                                                                                                  \
    }

B(add, x + y)
B(sub, x - y)
B(mul, x * y)
B(div, x / y)
/* max / min propagate NaN, as the engine (k_eltwise.c) does. */
B(max, x != x || y != y ? NAN : (x > y ? x : y))
B(min, x != x || y != y ? NAN : (x < y ? x : y))
B(pow, powf(x, y))

U(abs, fabsf(x))
U(neg, -x)
U(sign, x != x ? x : x > 0 ? 1.0f : x < 0 ? -1.0f : x)
U(relu, x < 0 ? 0.0f : x)
U(identity, x)
U(ceil, ceilf(x))
U(floor, floorf(x))
U(roundEven, nearbyintf(x))
U(sqrt, sqrtf(x))
U(reciprocal, 1.0f / x)
U(exp, expf(x))
U(log, logf(x))
U(erf, erff(x))
U(tanh, tanhf(x))
U(sin, sinf(x))
U(cos, cosf(x))
U(tan, tanf(x))
U(sigmoid, 1.0f / (1.0f + expf(-x)))
/* gelu in float32 vectors (gelu_f32.h) */
static void f_gelu(const WnnEltFloatParams* p, float* o, const float* a, const float* b, size_t n) {
    (void)p, (void)b;
    wnn_gelu_f32(o, a, n);
}
U(softsign, x / (1.0f + fabsf(x)))
U(softplus, x > 0 ? x + log1pf(expf(-x)) : log1pf(expf(x)))
U(hardSwish, x * fmaxf(0.0f, fminf(6.0f, x + 3.0f)) / 6.0f)
U(elu, x > 0 ? x : p->alpha * expm1f(x))
U(leakyRelu, x >= 0 ? x : p->alpha * x)
U(hardSigmoid, fmaxf(0.0f, fminf(1.0f, p->alpha * x + p->beta)))
U(linear, p->alpha * x + p->beta)
U(clamp, x < p->lo ? p->lo : x > p->hi ? p->hi : x)

#define OP(name, nin, attrs) [WNN_OP_##name] = {f_##name, nin, attrs},
#define OP1(name) OP(name, 1, WNN_ELT_NO_ATTRS)
#define OP2(name) OP(name, 2, WNN_ELT_NO_ATTRS)
static const WnnEltFloatOp ops[WNN_OP_COUNT] = {
    OP2(add) OP2(sub) OP2(mul) OP2(div) OP2(max) OP2(min) OP2(pow)
    OP1(abs) OP1(neg) OP1(sign) OP1(relu) OP1(identity) OP1(ceil) OP1(floor) OP1(roundEven) OP1(sqrt)
    OP1(reciprocal) OP1(exp) OP1(log) OP1(erf) OP1(tanh) OP1(sin) OP1(cos) OP1(tan) OP1(sigmoid) OP1(gelu)
    OP1(softsign) OP1(softplus) OP1(hardSwish)
    OP(elu, 1, WNN_ELT_ACTIVATION_ATTRS) OP(leakyRelu, 1, WNN_ELT_ACTIVATION_ATTRS)
    OP(hardSigmoid, 1, WNN_ELT_ACTIVATION_ATTRS) OP(linear, 1, WNN_ELT_ACTIVATION_ATTRS)
    OP(clamp, 1, WNN_ELT_CLAMP_ATTRS)
};

const WnnEltFloatOp* wnn_elt_float_op(WnnOpId op) { return op < WNN_OP_COUNT && ops[op].fn ? &ops[op] : NULL; }
