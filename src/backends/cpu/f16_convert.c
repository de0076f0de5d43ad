/* f16_convert.c: the array conversions of f16_convert.h: F16C 8 at a time, the portable
 * core/half.c functions for the tails and for CPUs (or WNN_CPU_F16C=0) without it. Both give the
 * same bits, NaN payloads aside. */
#include "backends/cpu/f16_convert.h"

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int wnn_f16c_enabled(void) {
    static _Atomic int state = -1; /* -1: not asked yet; a race only asks twice */
    int s = state;
    if (s < 0) {
        const char* env = getenv("WNN_CPU_F16C");
        s = (!env || strcmp(env, "0") != 0) && __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx2") &&
            __builtin_cpu_supports("fma");
        state = s;
    }
    return s;
}

__attribute__((target("f16c,avx2,fma"))) static size_t h2f_f16c(const uint16_t* h, float* f, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(f + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)(h + i))));
    return i;
}

__attribute__((target("f16c,avx2,fma"))) static size_t f2h_f16c(const float* f, uint16_t* h, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i*)(h + i), _mm256_cvtps_ph(_mm256_loadu_ps(f + i), _MM_FROUND_TO_NEAREST_INT));
    return i;
}

void wnn_f16_to_f32_n(const uint16_t* h, float* f, size_t n) {
    size_t i = wnn_f16c_enabled() ? h2f_f16c(h, f, n) : 0;
    for (; i < n; i++) f[i] = wnn_half_to_float(h[i]);
}

void wnn_f32_to_f16_n(const float* f, uint16_t* h, size_t n) {
    size_t i = wnn_f16c_enabled() ? f2h_f16c(f, h, n) : 0;
    for (; i < n; i++) h[i] = wnn_float_to_half(f[i]);
}

/* double -> float rounding to odd: an inexact result gets an odd last bit (the neighbour of the
 * nearest-even float toward d when that one was even). Rounding to odd at 24 bits and then to
 * nearest even at 11 (>= 2 bits fewer) equals rounding d to 11 bits once (Boldo & Melquiond,
 * "Emulation of FMA and correctly rounded sums: proved algorithms using rounding to odd"), so
 * F16C's float -> half store can finish the job with no double rounding. Overflow lands on
 * FLT_MAX (odd), which still rounds to infinity; NaN stays NaN. */
static float to_odd(double d) {
    float f = (float)d;
    if ((double)f != d && d == d) {
        uint32_t b;
        memcpy(&b, &f, 4);
        if (!(b & 1u)) b = (double)(f < 0 ? -f : f) > (d < 0 ? -d : d) ? b - 1 : b + 1; /* magnitude bits */
        memcpy(&f, &b, 4);
    }
    return f;
}

void wnn_f64_to_f16_n(const double* d, uint16_t* h, size_t n) {
    float tmp[256];
    for (size_t at = 0; at < n; at += 256) {
        size_t m = n - at < 256 ? n - at : 256;
        for (size_t i = 0; i < m; i++) tmp[i] = to_odd(d[at + i]);
        wnn_f32_to_f16_n(tmp, h + at, m);
    }
}
