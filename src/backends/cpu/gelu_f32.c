/* gelu_f32.c: vector float32 gelu (gelu_f32.h), in float32 throughout.
 *   gelu(x) = x Phi(x);  Phi(x) = 1 - h for x >= 0, h for x < 0, h = erfc(|x| / sqrt 2) / 2
 * so nothing cancels: where x is very negative h is tiny and taken as it is, and 1 - h >= 1/2.
 * erfc(z) = exp(-z^2) R(t), t = 1 / (1 + z / 2): R is smooth in t and a degree-9 polynomial
 * (tools/fit_gelu_erfc.py) carries it within 2.1e-7 relative on z in [0, 10.2].
 * exp(-z^2) = exp(-x^2 / 2) is where float32 could lose most (at |x| = 14 a one-ulp error in x^2
 * moves the result by about 100 ulps), so x^2 is formed exactly as q + qe (Veltkamp's split and
 * Dekker's product, no FMA needed), reduced as -q / 2 = n ln2 + s with ln2 in two parts, and
 * exp(s - qe / 2) is a degree-7 Taylor polynomial (|s| <= ln2 / 2: 6e-9). 2^n is applied as
 * 2^(n + 64) and a final 2^-64, so that a result in the denormals is rounded once. Beyond |x| =
 * 14.4, gelu(x < 0) rounds to -0 and gelu(x > 0) is x. Worst error, checked densely by
 * tests/unit/test_gelu_f32.c: 6.5 ulps, in the far negative tail (WebNN allows 18).
 * Near 0 the erfc form's few ulps relative to h would show in 1 - h (gelu ~ x / 2): there, for
 * |x| <= 0.75, gelu(x) = x / 2 + x^2 Q(x^2) with Q a degree-5 polynomial (2.4e-11).
 * Written once with vector extensions (gelu_f32_lanes.inc) and compiled at 16, 8 and 4 lanes for
 * AVX-512, AVX2 and baseline x86-64; ISO C mode contracts no a * b + c, so all give the same bits. */
#include "backends/cpu/gelu_f32.h"
#include "backends/cpu/simd_level.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* floats: a multiple of every width below */
#define BLOCK 16
/* m ? a : b, lane-wise */
#define SEL(vf, vi, m, a, b) ((vf)(((vi)(a) & (m)) | ((vi)(b) & ~(m))))
#define SPLAT(vf, c) ((vf){0} + (c))

/* R(t) = erfc(z) exp(z^2), highest power first (tools/fit_gelu_erfc.py 9). */
static const float kR[10] = {-0.0547944425f, 0.262657407f, -0.438910341f, 0.218259027f, 0.0191059806f,
                             0.180377467f,   0.250023553f, 0.281063315f,  0.282224087f, -6.08478468e-06f};
/* Q(u) = (Phi(sqrt u) - 1/2) / sqrt u for the central part, |x| <= X_CENTRAL (the same script) */
static const float kQ[6] = {-8.38899294e-06f, 0.000114779194f, -0.00118713838f, 0.00997353202f, -0.0664903789f, 0.39894228f};
#define X_CENTRAL 0.75f
#define X_MAX 14.4f /* z = 10.18: gelu(-X_MAX) is below half the smallest denormal */

#if defined(__x86_64__) && defined(__GNUC__)
#define GELU_LANES 16
#define GELU_NAME gelu_avx512
#define GELU_TARGET __attribute__((target("avx512f")))
#include "backends/cpu/gelu_f32_lanes.inc"
#undef GELU_LANES
#undef GELU_NAME
#undef GELU_TARGET
#define GELU_LANES 8
#define GELU_NAME gelu_avx2
#define GELU_TARGET __attribute__((target("avx2")))
#include "backends/cpu/gelu_f32_lanes.inc"
#undef GELU_LANES
#undef GELU_NAME
#undef GELU_TARGET
#endif
#define GELU_LANES 4
#define GELU_NAME gelu_baseline
#define GELU_TARGET
#include "backends/cpu/gelu_f32_lanes.inc"

/* n a multiple of BLOCK, on the widest vectors the CPU has and WNN_CPU_SIMD allows */
static void gelu_blocks(float* o, const float* a, size_t n) {
#if defined(__x86_64__) && defined(__GNUC__)
    WnnSimdLevel level = wnn_cpu_simd_level();
    if (level >= WNN_SIMD_AVX512) return gelu_avx512(o, a, n);
    if (level >= WNN_SIMD_AVX2) return gelu_avx2(o, a, n);
#endif
    gelu_baseline(o, a, n);
}

void wnn_gelu_f32(float* o, const float* a, size_t n) {
    size_t whole = n / BLOCK * BLOCK;
    gelu_blocks(o, a, whole);
    if (whole < n) { /* the tail through one padded block */
        float in[BLOCK] = {0}, out[BLOCK];
        memcpy(in, a + whole, (n - whole) * sizeof(float));
        gelu_blocks(out, in, BLOCK);
        memcpy(o + whole, out, (n - whole) * sizeof(float));
    }
}
