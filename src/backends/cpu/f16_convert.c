/* f16_convert.c: the array conversions of f16_convert.h: F16C 8 at a time, the portable
 * core/half.c functions for the tails and for CPUs (or WNN_CPU_F16C=0) without it. Both give the
 * same bits, NaN payloads aside. */
#include "backends/cpu/f16_convert.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_X86 1
#else
#define HAVE_X86 0
#endif

#if HAVE_X86
/* F16C from CPUID leaf 1 (ECX bit 29): clang's __builtin_cpu_supports does not know "f16c". */
static int cpu_has_f16c(void) {
    unsigned a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
}
#endif

int wnn_f16c_enabled(void) {
    static _Atomic int state = -1; /* -1: not asked yet; a race only asks twice */
    int s = state;
    if (s < 0) {
        const char* env = getenv("WNN_CPU_F16C");
#if HAVE_X86
        s = (!env || strcmp(env, "0") != 0) && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
            cpu_has_f16c();
#else
        s = 0; /* no F16C off x86 */
        (void)env;
#endif
        state = s;
    }
    return s;
}

#if HAVE_X86
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
#else /* the portable loops do everything */
static size_t h2f_f16c(const uint16_t* h, float* f, size_t n) { return 0; }
static size_t f2h_f16c(const float* f, uint16_t* h, size_t n) { return 0; }
#endif

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

#if HAVE_X86
/* to_odd on 4 lanes: the nearest-even float, plus or minus one in its last bit where that is
 * even and inexact. */
__attribute__((target("f16c,avx2,fma"))) static __m128 to_odd4(const double* d) {
    const __m256d abs = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffff));
    const __m256i lo32 = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6); /* 64-bit lane masks to 32-bit */
    __m256d x = _mm256_loadu_pd(d);
    __m128 f = _mm256_cvtpd_ps(x);
    __m256d back = _mm256_cvtps_pd(f);
    __m256d inexact = _mm256_cmp_pd(back, x, _CMP_NEQ_OQ); /* false for NaN */
    __m256d above = _mm256_cmp_pd(_mm256_and_pd(back, abs), _mm256_and_pd(x, abs), _CMP_GT_OQ);
    __m128i inex = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(_mm256_castpd_si256(inexact), lo32));
    __m128i up = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(_mm256_castpd_si256(above), lo32));
    __m128i bits = _mm_castps_si128(f), one = _mm_set1_epi32(1);
    __m128i fix = _mm_and_si128(inex, _mm_cmpeq_epi32(_mm_and_si128(bits, one), _mm_setzero_si128()));
    __m128i step = _mm_or_si128(up, one); /* -1 toward zero, +1 away from it */
    return _mm_castsi128_ps(_mm_add_epi32(bits, _mm_and_si128(fix, step)));
}

__attribute__((target("f16c,avx2,fma"))) static size_t d2h_f16c(const double* d, uint16_t* h, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 f = _mm256_set_m128(to_odd4(d + i + 4), to_odd4(d + i));
        _mm_storeu_si128((__m128i*)(h + i), _mm256_cvtps_ph(f, _MM_FROUND_TO_NEAREST_INT));
    }
    return i;
}
#else
static size_t d2h_f16c(const double* d, uint16_t* h, size_t n) { return 0; }
#endif

void wnn_f64_to_f16_n(const double* d, uint16_t* h, size_t n) {
    size_t i = wnn_f16c_enabled() ? d2h_f16c(d, h, n) : 0;
    for (; i < n; i++) h[i] = wnn_float_to_half(to_odd(d[i]));
}
