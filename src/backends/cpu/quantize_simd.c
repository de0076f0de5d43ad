/* quantize_simd.c: the vector runs of quantize_simd.h, AVX2 (built with target attributes, chosen at
 * run time). Quantize: 4 floats at a time widened to double, divided, rounded to nearest even,
 * offset, NaN cleared, clamped, then narrowed 32 -> 16 -> 8 bits (already in range, so the
 * saturating packs change nothing). Dequantize: 8 bytes widened to int32, converted, offset, scaled. */
#include "backends/cpu/quantize_simd.h"

#include <math.h>

#include "backends/cpu/simd_level.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/* The scalar form, for the tails: what k_quantize.c's loop computes. */
static inline uint8_t quantize_one(float x, float scale, double zp, double lo, double hi) {
    double q = nearbyint((double)x / (double)scale) + zp;
    q = isnan(q) ? 0.0 : q < lo ? lo : q > hi ? hi : q;
    return (uint8_t)(int)q; /* int8 as its two's complement byte */
}

__attribute__((target("avx2"))) static inline __m128i quantize4(__m128 x, __m256d s, __m256d z, __m256d lo, __m256d hi) {
    __m256d q = _mm256_round_pd(_mm256_div_pd(_mm256_cvtps_pd(x), s), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    q = _mm256_add_pd(q, z);
    q = _mm256_and_pd(q, _mm256_cmp_pd(q, q, _CMP_ORD_Q)); /* NaN -> +0 */
    return _mm256_cvtpd_epi32(_mm256_min_pd(_mm256_max_pd(q, lo), hi));
}

#define DEFINE_QUANTIZE(NAME, LO, HI, PACK8)                                                          \
    __attribute__((target("avx2"))) static void NAME(const float* x, size_t n, float scale, double zp, uint8_t* out) { \
        const __m256d s = _mm256_set1_pd(scale), z = _mm256_set1_pd(zp);                            \
        const __m256d lo = _mm256_set1_pd(LO), hi = _mm256_set1_pd(HI);                             \
        size_t i = 0;                                                                                \
        for (; i + 8 <= n; i += 8) {                                                                 \
            __m256 v = _mm256_loadu_ps(x + i);                                                       \
            __m128i w = _mm_packs_epi32(quantize4(_mm256_castps256_ps128(v), s, z, lo, hi),          \
                                        quantize4(_mm256_extractf128_ps(v, 1), s, z, lo, hi));       \
            _mm_storel_epi64((__m128i*)(out + i), PACK8(w, w));                                      \
        }                                                                                            \
        for (; i < n; i++) out[i] = quantize_one(x[i], scale, zp, LO, HI);                          \
    }

DEFINE_QUANTIZE(quantize_u8_avx2, 0.0, 255.0, _mm_packus_epi16)
DEFINE_QUANTIZE(quantize_i8_avx2, -128.0, 127.0, _mm_packs_epi16)

#define DEFINE_DEQUANTIZE(NAME, WIDEN, CTYPE)                                                         \
    __attribute__((target("avx2"))) static void NAME(const uint8_t* x, size_t n, float scale, float zp, float* out) { \
        const __m256 s = _mm256_set1_ps(scale), z = _mm256_set1_ps(zp);                             \
        size_t i = 0;                                                                                \
        for (; i + 8 <= n; i += 8) {                                                                 \
            __m256 f = _mm256_cvtepi32_ps(WIDEN(_mm_loadl_epi64((const __m128i*)(x + i))));          \
            _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_sub_ps(f, z), s));                        \
        }                                                                                            \
        for (; i < n; i++) out[i] = (float)((double)((float)(CTYPE)x[i] - zp) * (double)scale);       \
    }

DEFINE_DEQUANTIZE(dequantize_u8_avx2, _mm256_cvtepu8_epi32, uint8_t)
DEFINE_DEQUANTIZE(dequantize_i8_avx2, _mm256_cvtepi8_epi32, int8_t)
#endif

WnnQuantizeRunFn wnn_quantize_run_fn(WNNOperandDataType input, WNNOperandDataType scale, WNNOperandDataType output) {
#if defined(__x86_64__) || defined(__i386__)
    if (input != WNNOperandDataType_Float32 || scale != WNNOperandDataType_Float32 || wnn_cpu_simd_level() < WNN_SIMD_AVX2)
        return NULL;
    if (output == WNNOperandDataType_Uint8) return quantize_u8_avx2;
    if (output == WNNOperandDataType_Int8) return quantize_i8_avx2;
#else
    (void)input, (void)scale, (void)output;
#endif
    return NULL;
}

WnnDequantizeRunFn wnn_dequantize_run_fn(WNNOperandDataType input, WNNOperandDataType scale, WNNOperandDataType output) {
#if defined(__x86_64__) || defined(__i386__)
    if (output != WNNOperandDataType_Float32 || scale != WNNOperandDataType_Float32 || wnn_cpu_simd_level() < WNN_SIMD_AVX2)
        return NULL;
    if (input == WNNOperandDataType_Uint8) return dequantize_u8_avx2;
    if (input == WNNOperandDataType_Int8) return dequantize_i8_avx2;
#else
    (void)input, (void)scale, (void)output;
#endif
    return NULL;
}
