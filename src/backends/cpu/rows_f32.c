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
 * Written once with GCC / clang vector extensions (16 lanes) and compiled for AVX-512, AVX2 and
 * baseline x86-64 (target_clones picks one at load). The WPT tolerance for softmax is 3 len + 3
 * ulp; tests/unit/test_softmax_rows.c checks this path against float64.
 * layerNormalization: the same double arithmetic as norm_rows.c's scalar row, in 8-lane double
 * vectors (the sums in another order). */
#include "backends/cpu/rows_f32.h"
#include "backends/cpu/simd_clones.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


typedef float v16f __attribute__((vector_size(64)));
typedef int32_t v16i __attribute__((vector_size(64)));
typedef double v8d __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));

#define LANES 16
#define LOW (-87.0f)

/* Lane-wise max, as a macro: vector-valued functions outside the clones would change the ABI. */
#define VMAX(a, b) ((v16f)(((v16i)(a) & (v16i)((a) > (b))) | ((v16i)(b) & ~(v16i)((a) > (b)))))

/* exp(r) for r in [LOW, 0] into out (lanes below LOW give garbage, fixed by the caller). */
#define VEXP(r, out)                                                                       \
    do {                                                                                   \
        const v16f magic_ = (v16f){0} + 12582912.0f; /* 1.5 * 2^23: adding it rounds */    \
        v16f n_ = ((r) * 1.44269504088896341f + magic_) - magic_;                          \
        v16f t_ = ((r) - n_ * 0.693145751953125f) - n_ * 1.42860682030941723212e-6f;       \
        v16f p_ = (v16f){0} + 1.0f / 5040;                                                 \
        p_ = p_ * t_ + 1.0f / 720;                                                         \
        p_ = p_ * t_ + 1.0f / 120;                                                         \
        p_ = p_ * t_ + 1.0f / 24;                                                          \
        p_ = p_ * t_ + 1.0f / 6;                                                           \
        p_ = p_ * t_ + 0.5f;                                                               \
        p_ = p_ * t_ + 1.0f;                                                               \
        p_ = p_ * t_ + 1.0f;                                                               \
        (out) = (v16f)((v16i)p_ + (__builtin_convertvector(n_, v16i) << 23));              \
    } while (0)

/* The largest lane of v, and whether any lane of the mask m is set, by halving (no scalar loop). */
#define HMAX(v, out)                                                                                         \
    do {                                                                                                     \
        v16f h_ = VMAX((v), __builtin_shufflevector((v), (v), 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)); \
        h_ = VMAX(h_, __builtin_shufflevector(h_, h_, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11));         \
        h_ = VMAX(h_, __builtin_shufflevector(h_, h_, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));         \
        h_ = VMAX(h_, __builtin_shufflevector(h_, h_, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));         \
        (out) = h_[0];                                                                                       \
    } while (0)
#define ANY(m) (memcmp(&(m), &(v16i){0}, sizeof(v16i)) != 0)

/* Returns 0 (y untouched) when x holds a non-finite value. */
WNN_CLONES static int row(const float* x, float* y, float* e, size_t len) {
    size_t i = 0, full = len / LANES * LANES;
    v16f vm = (v16f){0} - INFINITY;
    v16i bad = {0};
    for (; i < full; i += LANES) {
        v16f v;
        memcpy(&v, x + i, sizeof v);
        bad |= (v16i)(v - v != 0); /* true for infinities and NaNs */
        vm = VMAX(vm, v);
    }
    if (ANY(bad)) return 0;
    float m;
    HMAX(vm, m);
    for (; i < len; i++) {
        if (!isfinite(x[i])) return 0;
        m = x[i] > m ? x[i] : m;
    }
    /* e = exp(x - m), summed in double as it goes (two accumulators of 8 lanes) */
    v16i under = {0};
    v8d s0 = {0}, s1 = {0};
    for (i = 0; i < full; i += LANES) {
        v16f v;
        memcpy(&v, x + i, sizeof v);
        v16f r = v - m, low = (v16f){0} + LOW, ev;
        under |= (v16i)(r < low);
        r = VMAX(r, low);
        VEXP(r, ev);
        memcpy(e + i, &ev, sizeof ev);
        v8f lo, hi; /* read back in halves: one widening convert each */
        memcpy(&lo, e + i, sizeof lo);
        memcpy(&hi, e + i + 8, sizeof hi);
        s0 += __builtin_convertvector(lo, v8d);
        s1 += __builtin_convertvector(hi, v8d);
    }
    s0 += s1;
    double sum = ((s0[0] + s0[4]) + (s0[1] + s0[5])) + ((s0[2] + s0[6]) + (s0[3] + s0[7]));
    for (; i < len; i++) sum += e[i] = (float)exp((double)x[i] - m);
    if (ANY(under)) { /* out of float32's normal range: those in double, and the sum again */
        sum = 0;
        for (i = 0; i < len; i++) {
            if (i < full && x[i] - m < LOW) e[i] = (float)exp((double)x[i] - m);
            sum += e[i];
        }
    }
    /* times the reciprocal: two roundings (1 / sum to float32, the product), within an ulp and a half */
    const float inv = (float)(1.0 / sum);
    for (i = 0; i < full; i += LANES) {
        v16f v;
        memcpy(&v, e + i, sizeof v);
        v *= inv;
        memcpy(y + i, &v, sizeof v);
    }
    for (; i < len; i++) y[i] = e[i] * inv;
    return 1;
}

/* WNN_CPU_SIMD=0 (read once) keeps every row on the double path, for tests. */
static int simd_allowed(void) {
    static int allowed = -1;
    if (allowed < 0) {
        const char* v = getenv("WNN_CPU_SIMD");
        allowed = !v || strcmp(v, "0") != 0;
    }
    return allowed;
}

WNN_CLONES static void ln_row(const float* x, float* y, size_t len, double eps, const float* scale, const float* bias) {
    size_t i, full = len / 8 * 8;
    v8d acc = {0};
    for (i = 0; i < full; i += 8) {
        v8f v;
        memcpy(&v, x + i, sizeof v);
        acc += __builtin_convertvector(v, v8d);
    }
    double sum = 0, sq = 0;
    for (int k = 0; k < 8; k++) sum += acc[k];
    for (; i < len; i++) sum += x[i];
    double mean = sum / (double)len;
    acc = (v8d){0};
    for (i = 0; i < full; i += 8) {
        v8f v;
        memcpy(&v, x + i, sizeof v);
        v8d d = __builtin_convertvector(v, v8d) - mean;
        acc += d * d;
    }
    for (int k = 0; k < 8; k++) sq += acc[k];
    for (; i < len; i++) sq += ((double)x[i] - mean) * ((double)x[i] - mean);
    double inv = 1.0 / sqrt(sq / (double)len + eps);
    for (i = 0; i < full; i += 8) {
        v8f v, s = {1, 1, 1, 1, 1, 1, 1, 1}, b = {0};
        memcpy(&v, x + i, sizeof v);
        if (scale) memcpy(&s, scale + i, sizeof s);
        if (bias) memcpy(&b, bias + i, sizeof b);
        v8d t = (__builtin_convertvector(v, v8d) - mean) * inv;
        t = t * __builtin_convertvector(s, v8d) + __builtin_convertvector(b, v8d);
        v = __builtin_convertvector(t, v8f);
        memcpy(y + i, &v, sizeof v);
    }
    for (; i < len; i++) {
        double t = ((double)x[i] - mean) * inv;
        y[i] = (float)(t * (scale ? (double)scale[i] : 1.0) + (bias ? (double)bias[i] : 0.0));
    }
}

int wnn_layernorm_row_f32(const float* x, float* y, size_t len, double eps, const float* scale, const float* bias) {
    if (!simd_allowed()) return 0;
    ln_row(x, y, len, eps, scale, bias);
    return 1;
}

int wnn_softmax_row_f32(const float* x, float* y, float* e, size_t len) {
    return simd_allowed() && row(x, y, e, len);
}
