/* half.c: IEEE binary16 <-> float32/float64 with round-to-nearest-even. */
#include <math.h>
#include <string.h>

#include "core/core.h"

float wnn_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t man = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13); /* inf / NaN (payload kept) */
    } else if (exp != 0) {
        bits = sign | ((exp + 112u) << 23) | (man << 13);
    } else if (man == 0) {
        bits = sign;
    } else { /* subnormal: value = man * 2^-24, exact in float */
        float f = (float)man * 5.9604644775390625e-8f;
        memcpy(&bits, &f, 4);
        bits |= sign;
    }
    float out;
    memcpy(&out, &bits, 4);
    return out;
}

/* Rounds |d| (finite, non-negative) to binary16 magnitude bits, once, to nearest even. */
static uint16_t half_magnitude(double a) {
    if (a >= 65520.0) return 0x7c00; /* rounds to infinity */
    if (a < 6.103515625e-05) {       /* subnormal range: units of 2^-24 */
        double q = a * 16777216.0;
        double r = nearbyint(q); /* default rounding mode: ties to even */
        return (uint16_t)r;      /* 1024 becomes the smallest normal, which is right */
    }
    int e;
    double m = frexp(a, &e); /* a = m * 2^e, m in [0.5, 1) */
    /* 11 significant bits: scale mantissa to [1024, 2048) */
    double q = nearbyint(m * 2048.0);
    if (q >= 2048.0) { q /= 2.0; e += 1; }
    int biased = e - 1 + 15;
    if (biased >= 31) return 0x7c00;
    return (uint16_t)((biased << 10) | ((uint32_t)q - 1024u));
}

uint16_t wnn_double_to_half(double d) {
    if (isnan(d)) return 0x7e00;
    uint16_t sign = signbit(d) ? 0x8000 : 0;
    if (isinf(d)) return sign | 0x7c00;
    return sign | half_magnitude(fabs(d));
}

/* The same rounding on the bits of a float, without going through double (the hot path of
 * float16 kernels). */
uint16_t wnn_float_to_half(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    uint32_t e = (x >> 23) & 0xffu, m = x & 0x7fffffu;
    if (e == 0xff) return sign | 0x7c00 | (m ? 0x200 | (m >> 13) : 0);
    int he = (int)e - 112; /* binary16 biased exponent */
    if (he >= 31) return sign | 0x7c00;
    if (he >= 1) {
        uint32_t r = ((uint32_t)he << 10) | (m >> 13), rem = m & 0x1fffu;
        if (rem > 0x1000u || (rem == 0x1000u && (r & 1u))) r++; /* a carry may reach infinity: right */
        return sign | (uint16_t)r;
    }
    if (he < -10) return sign; /* below half the smallest subnormal */
    uint32_t mant = m | 0x800000u, shift = (uint32_t)(14 - he);
    uint32_t r = mant >> shift, rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (r & 1u))) r++;
    return sign | (uint16_t)r;
}
