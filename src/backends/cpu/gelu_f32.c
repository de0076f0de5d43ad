/* gelu_f32.c: vector float32 gelu (gelu_f32.h), evaluated in double so that the only error that
 * matters is the final rounding to float32.
 *   z = |x| / sqrt 2;  Phi(x) = 1 - erfc(z) / 2 for x >= 0, erfc(z) / 2 for x < 0
 * (no cancellation where x is very negative and Phi tiny). erfc(z) = exp(-z^2) R(t) with
 * t = 1 / (1 + z / 2); R = erfc * exp(z^2) is smooth on z in [0, 11] and a degree-12 polynomial in
 * t (least squares, weighted for relative error, fitted for this file with numpy against
 * math.erfc) is within 8e-11 of it. exp(r), r = -z^2 in [-121, 0]: r = n ln2 + s with the ln2
 * split in two (Cody-Waite), exp(s) by its Taylor series to s^12 (|s| <= ln2 / 2: 1e-15), times
 * 2^n through the exponent bits. Above z = 11 the result is below float32's smallest denormal
 * times |x|, so z is clamped there. Written once with vector extensions (4 double lanes) and
 * compiled for AVX-512, AVX2 and baseline x86-64 (target_clones); no a * b + c is contracted
 * (ISO C), so every clone gives the same bits. tests/unit/test_gelu_f32.c checks it. */
#include "backends/cpu/gelu_f32.h"
#include "backends/cpu/simd_clones.h"

#include <math.h>
#include <stdint.h>
#include <string.h>


/* 4 lanes: GCC spills 8-lane double vectors through the stack on AVX2 (2x slower than libm) */
typedef double v4d __attribute__((vector_size(32)));
typedef int64_t v4l __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

#define LANES 16 /* floats per block */
#define SEL(m, a, b) ((v4d)(((v4l)(a) & (m)) | ((v4l)(b) & ~(m)))) /* m ? a : b, lane-wise */

/* R(t), highest power first. */
static const double kR[13] = {
    -0.034560394706124188, 0.25558299214164137, -0.81099050005157036, 1.4034047619162275,
    -1.38237835095613,     0.77325298064729897, -0.36648559194642283, 0.1962045368322286,
    0.15151712593061581,   0.25062193896007612, 0.28171366009412657,  0.28211744236673336,
    -6.0130430968321109e-07};

/* GROUPS independent 4-lane groups at once: each Horner chain alone is latency-bound. */
#define GROUPS 4
#define EACH _Pragma("GCC unroll 4") for (int v = 0; v < GROUPS; v++)
/* one Horner step of every group, written out so that the four chains interleave */
#define HORNER(acc, x, c)                                                                           \
    do {                                                                                            \
        double c_ = (c);                                                                            \
        acc[0] = acc[0] * x[0] + c_, acc[1] = acc[1] * x[1] + c_, acc[2] = acc[2] * x[2] + c_;     \
        acc[3] = acc[3] * x[3] + c_;                                                                \
    } while (0)

WNN_CLONES static void gelu_block(const float* a, float* o) {
    v4d x[GROUPS], z[GROUPS], t[GROUPS], r[GROUPS], nm[GROUPS], n[GROUPS], s[GROUPS], p[GROUPS];
    const v4d magic = (v4d){0} + 6755399441055744.0; /* 1.5 * 2^52: adding it rounds to an integer */
    EACH {
        v4f xf;
        memcpy(&xf, a + 4 * v, sizeof xf);
        x[v] = __builtin_convertvector(xf, v4d);
        z[v] = SEL((v4l)(x[v] < 0), -x[v], x[v]) * 0.70710678118654752440;
        z[v] = SEL((v4l)(z[v] > 11.0), (v4d){0} + 11.0, z[v]); /* a NaN stays */
        t[v] = 1.0 / (1.0 + 0.5 * z[v]);
        r[v] = (v4d){0} + kR[0];
    }
    for (int k = 1; k < 13; k++) HORNER(r, t, kR[k]);
    EACH { /* exp(-z^2) = 2^n exp(s) */
        v4d q = -(z[v] * z[v]);
        nm[v] = q * 1.44269504088896340736 + magic, n[v] = nm[v] - magic; /* n also in nm's low bits */
        s[v] = (q - n[v] * 6.93147180369123816490e-01) - n[v] * 1.90821492927058770002e-10;
        p[v] = (v4d){0} + 1.0 / 479001600.0;
    }
    static const double kInvFact[12] = {1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880, 1.0 / 40320, 1.0 / 5040, 1.0 / 720,
                                        1.0 / 120,      1.0 / 24,      1.0 / 6,      0.5,         1.0,        1.0};
    for (int k = 0; k < 12; k++) HORNER(p, s, kInvFact[k]);
    EACH {
        v4l bits = (v4l)p[v] + (((v4l)nm[v] - (v4l)magic) << 52); /* AVX2 has no double -> int64 */
        v4d half_erfc = (v4d)bits * r[v] * 0.5;
        v4d g = x[v] * SEL((v4l)(x[v] < 0), half_erfc, 1.0 - half_erfc);
        g = SEL((v4l)(x[v] == -INFINITY), (v4d){0} + NAN, g);
        v4f out = __builtin_convertvector(g, v4f);
        memcpy(o + 4 * v, &out, sizeof out);
    }
}

void wnn_gelu_f32(float* o, const float* a, size_t n) {
    size_t i = 0;
    for (; i + LANES <= n; i += LANES) gelu_block(a + i, o + i);
    if (i < n) { /* the tail through one padded block */
        float in[LANES] = {0}, out[LANES];
        memcpy(in, a + i, (n - i) * sizeof(float));
        gelu_block(in, out);
        memcpy(o + i, out, (n - i) * sizeof(float));
    }
}
