/* rows_f32.c: softmax and layerNormalization rows of float32 in vectors (rows_f32.h). BERT's
 * attention softmax (12 x 128 rows of 128) took 0.53 ms with exp() in double per element, 7% of
 * the layer; its layerNormalizations 0.09 ms each, bound by the latency of one chain of double adds.
 * softmax:
 *   m = max(x); e = exp(x - m) in float32, summed in double in the same pass; y = e times the
 *   float32 reciprocal of the sum (two roundings). A row of 128 on one Zen 4 core, hot: 126 ns with
 *   a double multiply per element, a separate sum pass and scalar lane loops; 88 ns without them
 *   and with the polynomial contracted into FMAs (-ffp-contract=fast, CMakeLists.txt).
 * exp(r) for r = x - m <= 0: r = n ln2 + t with n = round(r / ln2), ln2 split in two (Cody-Waite:
 * n * LN2_HI is exact), exp(t) by its Taylor series to t^7 (|t| <= ln2 / 2: truncation below 3e-9
 * relative, under an ulp), times 2^n put into the exponent bits. Below r = -87 the result leaves
 * float32's normal range: those elements are recomputed in double (probabilities under 1e-38).
 * Written once with GCC / clang vector extensions (rows_f32_lanes.inc) and compiled at 16, 8 and 4
 * lanes for AVX-512, AVX2 + FMA and baseline x86-64. The WPT tolerance for softmax is 3 len + 3
 * ulp; tests/unit/test_norm_rows.c checks this path against float64.
 * layerNormalization: the same double arithmetic as norm_rows.c's scalar row, in double vectors
 * (the sums in another order). */
#include "backends/cpu/rows_f32.h"
#include "backends/cpu/simd_level.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


#define LOW (-87.0f)

/* Lane-wise max, as a macro over the including function's vf / vi (rows_f32_lanes.inc). */
#define VMAX(a, b) ((vf)(((vi)(a) & (vi)((a) > (b))) | ((vi)(b) & ~(vi)((a) > (b)))))

/* exp(r) for r in [LOW, 0] into out (lanes below LOW give garbage, fixed by the caller). */
#define VEXP(r, out)                                                                       \
    do {                                                                                   \
        const vf magic_ = (vf){0} + 12582912.0f; /* 1.5 * 2^23: adding it rounds */        \
        vf n_ = ((r) * 1.44269504088896341f + magic_) - magic_;                            \
        vf t_ = ((r) - n_ * 0.693145751953125f) - n_ * 1.42860682030941723212e-6f;         \
        vf p_ = (vf){0} + 1.0f / 5040;                                                     \
        p_ = p_ * t_ + 1.0f / 720;                                                         \
        p_ = p_ * t_ + 1.0f / 120;                                                         \
        p_ = p_ * t_ + 1.0f / 24;                                                          \
        p_ = p_ * t_ + 1.0f / 6;                                                           \
        p_ = p_ * t_ + 0.5f;                                                               \
        p_ = p_ * t_ + 1.0f;                                                               \
        p_ = p_ * t_ + 1.0f;                                                               \
        (out) = (vf)((vi)p_ + (__builtin_convertvector(n_, vi) << 23));                    \
    } while (0)

/* whether any lane of the mask m is set */
#define ANY(m) (memcmp(&(m), &(__typeof__(m)){0}, sizeof(m)) != 0)

#if defined(__x86_64__) && defined(__GNUC__)
#define ROWS_LANES 16
#define ROWS_SUFFIX avx512
#define ROWS_TARGET __attribute__((target("avx512f")))
#include "backends/cpu/rows_f32_lanes.inc"
#undef ROWS_LANES
#undef ROWS_SUFFIX
#undef ROWS_TARGET
#define ROWS_LANES 8
#define ROWS_SUFFIX avx2
#define ROWS_TARGET __attribute__((target("avx2,fma")))
#include "backends/cpu/rows_f32_lanes.inc"
#undef ROWS_LANES
#undef ROWS_SUFFIX
#undef ROWS_TARGET
#endif
#define ROWS_LANES 4
#define ROWS_SUFFIX baseline
#define ROWS_TARGET
#include "backends/cpu/rows_f32_lanes.inc"

typedef int (*SoftmaxRowFn)(const float*, float*, float*, size_t);
typedef void (*LayernormRowFn)(const float*, float*, size_t, double, const float*, const float*);

/* The widest rows the CPU has and WNN_CPU_SIMD allows; WNN_CPU_SIMD=0 keeps every row on the
 * caller's double path (0 returned), for tests. */
static int pick(SoftmaxRowFn* sm, LayernormRowFn* ln) {
    WnnSimdLevel level = wnn_cpu_simd_level();
    if (level == WNN_SIMD_PORTABLE) return 0;
    *sm = softmax_row_baseline, *ln = layernorm_row_baseline;
#if defined(__x86_64__) && defined(__GNUC__)
    if (level >= WNN_SIMD_AVX512) *sm = softmax_row_avx512, *ln = layernorm_row_avx512;
    else if (level >= WNN_SIMD_AVX2) *sm = softmax_row_avx2, *ln = layernorm_row_avx2;
#endif
    return 1;
}

int wnn_layernorm_row_f32(const float* x, float* y, size_t len, double eps, const float* scale, const float* bias) {
    SoftmaxRowFn sm;
    LayernormRowFn ln;
    if (!pick(&sm, &ln)) return 0;
    ln(x, y, len, eps, scale, bias);
    return 1;
}

int wnn_softmax_row_f32(const float* x, float* y, float* e, size_t len) {
    SoftmaxRowFn sm;
    LayernormRowFn ln;
    return pick(&sm, &ln) && sm(x, y, e, len);
}
