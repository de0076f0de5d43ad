/* test_ops_quantize.c: quantizeLinear and dequantizeLinear (no W3C data) against a float64
 * reference: random ranks 0-5 with random blockwise scale shapes, every input / scale / zeroPoint type
 * pair, exact ties (half to even), saturation, NaN and infinities, zero and negative scales; larger
 * tensors with each scale layout (one scale, one per element, blocks, size-1 dimensions between); and
 * the validation rules with their messages. */
#include <math.h>
#include <stdlib.h>

#include "wt.h"

#define F32 WNNOperandDataType_Float32
#define F16 WNNOperandDataType_Float16
#define U8 WNNOperandDataType_Uint8
#define I8 WNNOperandDataType_Int8
#define U32 WNNOperandDataType_Uint32
#define I32 WNNOperandDataType_Int32

static const WNNOperandDataType k_int_types[4] = {U8, I8, U32, I32};

static double type_min(WNNOperandDataType t) { return t == I8 ? -128.0 : t == I32 ? -2147483648.0 : 0.0; }
static double type_max(WNNOperandDataType t) {
    return t == U8 ? 255.0 : t == I8 ? 127.0 : t == U32 ? 4294967295.0 : 2147483647.0;
}

/* Element i of a buffer as a double. */
static double get(const void* p, WNNOperandDataType t, size_t i) {
    switch (t) {
        case F32: return ((const float*)p)[i];
        case F16: return wt_h2f(((const uint16_t*)p)[i]);
        case U8: return ((const uint8_t*)p)[i];
        case I8: return ((const int8_t*)p)[i];
        case U32: return ((const uint32_t*)p)[i];
        default: return ((const int32_t*)p)[i];
    }
}

/* Stores v (exactly representable in t, or rounded for floats). */
static void put(void* p, WNNOperandDataType t, size_t i, double v) {
    switch (t) {
        case F32: ((float*)p)[i] = (float)v; break;
        case F16: ((uint16_t*)p)[i] = wt_d2h(v); break;
        case U8: ((uint8_t*)p)[i] = (uint8_t)v; break;
        case I8: ((int8_t*)p)[i] = (int8_t)v; break;
        case U32: ((uint32_t*)p)[i] = (uint32_t)v; break;
        default: ((int32_t*)p)[i] = (int32_t)v; break;
    }
}

/* Round half to even, written without the floating-point environment. */
static double round_half_even(double v) {
    double f = floor(v), frac = v - f;
    if (frac > 0.5 || (frac == 0.5 && fmod(f, 2.0) != 0.0)) f += 1.0;
    return f;
}

/* The scale / zeroPoint element of input element i: each coordinate divided by its block size. */
static size_t param_of(uint32_t rank, const uint32_t* in, const uint32_t* sc, size_t i) {
    uint32_t coord[6];
    for (uint32_t d = rank; d-- > 0;) {
        coord[d] = (uint32_t)(i % in[d]);
        i /= in[d];
    }
    size_t p = 0;
    for (uint32_t d = 0; d < rank; d++) p = p * sc[d] + coord[d] / (in[d] / sc[d]);
    return p;
}

typedef struct QCase {
    uint32_t rank, in[6], sc[6];
    size_t n, np;
    WNNOperandDataType ftype, itype;
} QCase;

/* A random shape of rank 0-5 and a random blockwise shape for scale and zeroPoint. */
static void random_shapes(QCase* c, uint64_t* seed) {
    c->rank = (uint32_t)(wt_next(seed) % 6);
    c->n = c->np = 1;
    for (uint32_t d = 0; d < c->rank; d++) {
        c->in[d] = 1 + (uint32_t)(wt_next(seed) % 6);
        uint32_t divisors[6], nd = 0;
        for (uint32_t k = 1; k <= c->in[d]; k++)
            if (c->in[d] % k == 0) divisors[nd++] = k;
        c->sc[d] = divisors[wt_next(seed) % nd];
        c->n *= c->in[d];
        c->np *= c->sc[d];
    }
}

/* Runs op(input, scale, zeroPoint) on the given data; out has n elements of the output type. */
static void run(int quantize, const QCase* c, const void* x, const void* scale, const void* zp, void* out) {
    WNNGraphBuilder b = wt_builder();
    WNNOperandDataType xt = quantize ? c->ftype : c->itype;
    WNNOperand in = wt_input(b, "x", xt, c->rank, c->in);
    WNNOperand s = wt_constant(b, c->ftype, c->rank, c->sc, scale), z = wt_constant(b, c->itype, c->rank, c->sc, zp);
    WNNOperand o = NULL;
    if (quantize) WT_OK(wnnGraphBuilderQuantizeLinear(b, in, s, z, NULL, &o));
    else WT_OK(wnnGraphBuilderDequantizeLinear(b, in, s, z, NULL, &o));
    if (o) {
        WT_CHECK(wnnOperandGetDataType(o) == (quantize ? c->itype : c->ftype));
        WT_CHECK(wnnOperandGetRank(o) == c->rank);
        WtFeed feed = {"x", x};
        WNNNamedOperand named[1] = {{"out", o}};
        void* data[1] = {out};
        WT_OK(wt_run(wt_cpu(), b, &feed, 1, named, 1, data));
    }
    wnnGraphBuilderRelease(b);
}

static double quantize_ref(double x, double s, double zp, WNNOperandDataType t) {
    double q = round_half_even(x / s) + zp;
    if (isnan(q)) return 0; /* the spec's integer cast */
    return q < type_min(t) ? type_min(t) : q > type_max(t) ? type_max(t) : q;
}

/* One quantize case on random data: inputs mix ordinary values, exact ties, values far beyond the
 * integer range, NaN, infinities and -0. */
static void quantize_case(QCase c, uint64_t seed) {
    float* xs = malloc(c.n * 4);
    float* ss = malloc(c.np * 4);
    int32_t* zs = malloc(c.np * 4);
    uint8_t *out = malloc(c.n * 4), *zp = malloc(c.np * 4), *x = malloc(c.n * 4), *scale = malloc(c.np * 4);
    static const double pow2[4] = {0.25, 0.5, 2.0, 4.0};
    for (size_t p = 0; p < c.np; p++) {
        /* powers of two make exact ties possible; others exercise ordinary division */
        double s = wt_next(&seed) % 2 ? pow2[wt_next(&seed) % 4] : wt_rand(&seed, 0.01, 3.0);
        put(scale, c.ftype, p, s);
        ss[p] = (float)get(scale, c.ftype, p);
        double lo = type_min(c.itype), hi = type_max(c.itype);
        double z = c.itype == U8 || c.itype == I8 ? floor(wt_rand(&seed, lo, hi + 1))
                                                  : floor(wt_rand(&seed, -1000, 1000)) + (c.itype == U32 ? 1000 : 0);
        put(zp, c.itype, p, z);
        zs[p] = (int32_t)z;
    }
    for (size_t i = 0; i < c.n; i++) {
        size_t p = param_of(c.rank, c.in, c.sc, i);
        double v;
        switch (wt_next(&seed) % 8) {
            case 0: v = (floor(wt_rand(&seed, -300, 300)) + 0.5) * ss[p]; break; /* a tie when exact */
            case 1: v = wt_rand(&seed, -1e4, 1e4); break;                        /* saturates 8-bit types */
            case 2: v = (wt_next(&seed) % 2 ? 1 : -1) * (c.ftype == F16 ? 60000.0 : 3e9); break;
            case 3: {
                static const double special[4] = {NAN, INFINITY, -INFINITY, -0.0};
                v = special[wt_next(&seed) % 4];
                break;
            }
            default: v = wt_rand(&seed, -200, 200) * ss[p]; break;
        }
        put(x, c.ftype, i, v);
        xs[i] = (float)get(x, c.ftype, i);
    }
    run(1, &c, x, scale, zp, out);
    int bad = 0;
    for (size_t i = 0; i < c.n; i++) {
        size_t p = param_of(c.rank, c.in, c.sc, i);
        double want = quantize_ref(xs[i], ss[p], get(zp, c.itype, p), c.itype), got = get(out, c.itype, i);
        if (got != want && bad++ < 3)
            fprintf(stderr, "quantize rank %u %s->%d [%zu]: x %.9g scale %.9g zp %d: got %.0f want %.0f\n", c.rank,
                    c.ftype == F16 ? "f16" : "f32", (int)c.itype, i, xs[i], ss[p], zs[p], got, want);
    }
    WT_CHECK(bad == 0);
    free(xs), free(ss), free(zs), free(out), free(zp), free(x), free(scale);
}

/* Random shapes for every float / integer type pair. */
static void test_quantize_random(void) {
    uint64_t seed = 21;
    for (int rep = 0; rep < 96; rep++) {
        QCase c;
        random_shapes(&c, &seed);
        c.ftype = rep & 1 ? F16 : F32;
        c.itype = k_int_types[rep / 2 % 4];
        quantize_case(c, wt_next(&seed));
    }
}

/* One dequantize case on random data: inputs over the whole integer range (extremes included),
 * (x - zeroPoint) * scale rounded once. */
static void dequantize_case(QCase c, uint64_t seed) {
    uint8_t *x = malloc(c.n * 4), *scale = malloc(c.np * 4), *zp = malloc(c.np * 4), *out = malloc(c.n * 4);
    double lo = type_min(c.itype), hi = type_max(c.itype);
    for (size_t p = 0; p < c.np; p++) {
        put(scale, c.ftype, p, wt_next(&seed) % 4 ? wt_rand(&seed, 1e-3, 2.0) : -0.5);
        put(zp, c.itype, p, wt_next(&seed) % 4 ? floor(wt_rand(&seed, lo, hi + 1)) : wt_next(&seed) % 2 ? lo : hi);
    }
    for (size_t i = 0; i < c.n; i++)
        put(x, c.itype, i, wt_next(&seed) % 4 ? floor(wt_rand(&seed, lo, hi + 1)) : wt_next(&seed) % 2 ? lo : hi);
    run(0, &c, x, scale, zp, out);
    double* want = malloc(c.n * sizeof(double));
    for (size_t i = 0; i < c.n; i++) {
        size_t p = param_of(c.rank, c.in, c.sc, i);
        want[i] = (get(x, c.itype, i) - get(zp, c.itype, p)) * get(scale, c.ftype, p);
    }
    char what[64];
    snprintf(what, sizeof what, "dequantize rank %u type %d", c.rank, (int)c.itype);
    if (c.ftype == F32) wt_expect_f32(what, (const float*)out, want, c.n, 0);
    else wt_expect_f16(what, (const uint16_t*)out, want, c.n, 0);
    free(x), free(scale), free(zp), free(out), free(want);
}

/* Random shapes for every integer / float type pair. */
static void test_dequantize_random(void) {
    uint64_t seed = 22;
    for (int rep = 0; rep < 96; rep++) {
        QCase c;
        random_shapes(&c, &seed);
        c.ftype = rep & 1 ? F16 : F32;
        c.itype = k_int_types[rep / 2 % 4];
        dequantize_case(c, wt_next(&seed));
    }
}

/* Larger tensors (many thread blocks) with the scale layouts a GPU plans differently: blocks along
 * some dimensions, one scale per element, one for all, size-1 dimensions between blocked ones. */
static void test_large_blockwise(void) {
    static const QCase cases[] = {
        {3, {3, 40, 50}, {3, 1, 5}, 6000, 15, F32, I8},
        {3, {3, 40, 50}, {1, 40, 1}, 6000, 40, F16, U8},
        {3, {3, 40, 50}, {3, 40, 50}, 6000, 6000, F32, I32},
        {3, {3, 40, 50}, {1, 1, 1}, 6000, 1, F16, U32},
        {5, {2, 1, 30, 64, 3}, {2, 1, 3, 8, 1}, 11520, 48, F32, U8},
        {4, {6, 4, 16, 20}, {6, 4, 1, 1}, 7680, 24, F16, I8},
        {4, {6, 4, 16, 20}, {1, 1, 16, 20}, 7680, 320, F32, U32},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        quantize_case(cases[i], 31 + i);
        dequantize_case(cases[i], 41 + i);
    }
}

/* The vector runs (quantize_simd.c; float32 <-> int8 / uint8): one scale for all, one per channel of
 * an NCHW tensor (runs of H x W, odd so that tails occur), per row across a matrix, runs cut by the
 * thread ranges, with every special value and tie of quantize_case. ctest runs the file again with
 * WNN_CPU_SIMD=0, where these take the scalar loop. */
static void test_vector_runs(void) {
    static const QCase cases[] = {
        {4, {1, 3, 37, 29}, {1, 1, 1, 1}, 3219, 1, F32, U8},
        {4, {1, 3, 37, 29}, {1, 3, 1, 1}, 3219, 3, F32, I8},
        {4, {2, 5, 13, 11}, {1, 5, 1, 1}, 1430, 5, F32, U8},
        {2, {7, 1000}, {7, 1}, 7000, 7, F32, I8},
        {2, {3, 40000}, {1, 1}, 120000, 1, F32, U8},
        {2, {3, 40000}, {3, 1}, 120000, 3, F32, I8},
        {1, {17}, {1}, 17, 1, F32, U8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        quantize_case(cases[i], 51 + i);
        dequantize_case(cases[i], 61 + i);
    }
}

/* Quotients next to a half: for scales over many binades, x = (k + 1/2) * scale rounded to float and
 * its neighbours 1-2 ulps away, and exact ties with scales whose reciprocal is not exact; a kernel
 * that rounded x * (1 / scale) instead of the quotient would miss some (one did: 18 for 19). One
 * scale per tensor of 4096 elements (vector runs). */
static void test_near_ties(void) {
    uint64_t seed = 77;
    for (int rep = 0; rep < 48; rep++) {
        QCase c = {1, {4096}, {1}, 4096, 1, F32, rep & 1 ? I8 : U8};
        /* every third: a small odd mantissa, so that (k + 1/2) * scale is an exact float tie while
         * 1 / scale is not exact */
        double mant = rep % 3 == 0 ? (double)(3 + 2 * (wt_next(&seed) % 6)) / 16.0 + 1.0 : wt_rand(&seed, 1.0, 2.0);
        float scale = (float)ldexp(mant, (int)(wt_next(&seed) % 30) - 22), x[4096];
        int zero = (int)(wt_next(&seed) % 40) - (rep & 1 ? 20 : 0);
        uint8_t zp[4] = {(uint8_t)zero}, q[4096]; /* int8 as its byte; 4 bytes for get()'s widest read */
        for (size_t i = 0; i < c.n; i++) {
            float v = (float)((floor(wt_rand(&seed, -300, 300)) + 0.5) * scale);
            int steps = rep % 3 == 0 ? 0 : (int)(wt_next(&seed) % 5) - 2;
            for (int k = steps; k != 0; k += k > 0 ? -1 : 1) v = nextafterf(v, k > 0 ? INFINITY : -INFINITY);
            x[i] = v;
        }
        run(1, &c, x, &scale, zp, q);
        int bad = 0;
        for (size_t i = 0; i < c.n; i++) {
            double want = quantize_ref(x[i], scale, zero, c.itype), got = get(q, c.itype, i);
            if (got != want && bad++ < 3)
                fprintf(stderr, "near tie: x %.9g scale %.9g: got %.0f want %.0f\n", x[i], scale, got, want);
        }
        WT_CHECK(bad == 0);
    }
}

/* Worked example: input [2,4], scale and zeroPoint [1,2] (columns 0-1 share scale 0.5 and zero
 * point 1, columns 2-3 scale 2 and zero point -3). */
static void test_worked_example(void) {
    QCase c = {2, {2, 4}, {1, 2}, 8, 2, F32, I8};
    float x[8] = {1.25f, -1.25f, 5.0f, 3.0f, 100.0f, -100.0f, 1000.0f, -7.0f}, scale[2] = {0.5f, 2.0f};
    int8_t zp[2] = {1, -3}, q[8];
    run(1, &c, x, scale, zp, q);
    /* 2.5 -> 2 (even) + 1; -2.5 -> -2 + 1; 2.5 -> 2 - 3; 1.5 -> 2 - 3; 200 + 1 saturates at 127;
     * -200 + 1 at -128; 500 - 3 at 127; -3.5 -> -4 - 3 */
    const int8_t want[8] = {3, -1, -1, -1, 127, -128, 127, -7};
    WT_CHECK(memcmp(q, want, sizeof want) == 0);
    float back[8];
    run(0, &c, q, scale, zp, back);
    const double wantBack[8] = {1.0, -1.0, 4.0, 4.0, 63.0, -64.5, 260.0, -8.0};
    wt_expect_f32("dequantize example", back, wantBack, 8, 0);
}

/* Scales the spec leaves implementation-defined: 0 gives +-infinity (saturated) or NaN (0), a
 * negative scale follows the formula. uint32 and int32 saturate at their own limits. */
static void test_edge_scales(void) {
    QCase c = {1, {6}, {6}, 6, 6, F32, U8};
    float x[6] = {3.0f, -3.0f, 0.0f, 5.0f, 1e30f, -1e30f}, scale[6] = {0.0f, 0.0f, 0.0f, -2.0f, 1.0f, 1.0f};
    uint8_t zp8[6] = {10, 10, 10, 10, 0, 0}, q8[6];
    run(1, &c, x, scale, zp8, q8);
    const uint8_t want8[6] = {255, 0, 0, 8, 255, 0}; /* 5 / -2 = -2.5 -> -2, + 10 */
    WT_CHECK(memcmp(q8, want8, sizeof want8) == 0);
    c.itype = U32;
    uint32_t zp32[6] = {0, 0, 0, 7, 4000000000u, 5}, q32[6];
    run(1, &c, x, scale, zp32, q32);
    const uint32_t want32[6] = {4294967295u, 0, 0, 5, 4294967295u, 0};
    WT_CHECK(memcmp(q32, want32, sizeof want32) == 0);
    c.itype = I32;
    int32_t zpi[6] = {0, 0, 0, -7, 0, 0}, qi[6];
    run(1, &c, x, scale, zpi, qi);
    const int32_t wanti[6] = {INT32_MAX, INT32_MIN, 0, -9, INT32_MAX, INT32_MIN};
    WT_CHECK(memcmp(qi, wanti, sizeof wanti) == 0);
}

static WNNOperand input(WNNGraphBuilder b, WNNOperandDataType t, uint32_t rank, uint32_t d0, uint32_t d1) {
    static int counter;
    char name[16];
    snprintf(name, sizeof name, "v%d", counter++);
    uint32_t s[3] = {d0, d1, 1};
    return wt_input(b, name, t, rank, s);
}

#define EXPECT_FAIL(call, needle)                   \
    do {                                            \
        WT_CHECK_STATUS(call, WNNStatus_TypeError); \
        WT_CHECK_MESSAGE(needle);                   \
    } while (0)

static void test_validation(void) {
    WNNGraphBuilder b = wt_builder(), other = wt_builder();
    WNNOperand x = input(b, F32, 2, 4, 6), s = input(b, F32, 2, 2, 3), z = input(b, U8, 2, 2, 3), out;
    WNNOperatorOptions o = {"q"};
    EXPECT_FAIL(wnnGraphBuilderQuantizeLinear(b, x, input(b, F32, 1, 3, 0), z, &o, &out),
                "quantizeLinear 'q': scale rank 1 must equal the input's rank 2");
    WT_CHECK(out == NULL);
    EXPECT_FAIL(wnnGraphBuilderQuantizeLinear(b, x, s, input(b, U8, 3, 2, 3), NULL, &out),
                "zeroPoint rank 3 must equal the input's rank 2");
    EXPECT_FAIL(wnnGraphBuilderQuantizeLinear(b, x, s, input(b, U8, 2, 2, 1), NULL, &out),
                "scale shape [2,3] must equal zeroPoint shape [2,1]");
    EXPECT_FAIL(wnnGraphBuilderQuantizeLinear(b, x, input(b, F32, 2, 3, 3), input(b, I8, 2, 3, 3), NULL, &out),
                "scale shape [3,3] is not blockwise broadcastable to input shape [4,6] (dimension 0: 4 is not a "
                "multiple of 3)");
    EXPECT_FAIL(wnnGraphBuilderQuantizeLinear(b, x, input(b, F16, 2, 2, 3), z, NULL, &out),
                "scale data type float16 must match the input's (float32)");
    EXPECT_FAIL(wnnGraphBuilderQuantizeLinear(b, input(b, I32, 2, 4, 6), s, z, NULL, &out), "input data type int32");
    EXPECT_FAIL(wnnGraphBuilderQuantizeLinear(b, x, s, input(b, F32, 2, 2, 3), NULL, &out), "zeroPoint data type float32");
    EXPECT_FAIL(wnnGraphBuilderQuantizeLinear(b, x, s, input(b, WNNOperandDataType_Int64, 2, 2, 3), NULL, &out),
                "zeroPoint data type int64");
    WT_CHECK_STATUS(wnnGraphBuilderQuantizeLinear(b, x, s, NULL, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnGraphBuilderQuantizeLinear(b, x, input(other, F32, 2, 2, 3), z, NULL, &out), WNNStatus_TypeError);
    WNNOperand q;
    WT_OK(wnnGraphBuilderQuantizeLinear(b, x, s, z, NULL, &q));
    WT_CHECK(wnnOperandGetDataType(q) == U8);

    EXPECT_FAIL(wnnGraphBuilderDequantizeLinear(b, q, s, input(b, I8, 2, 2, 3), NULL, &out),
                "dequantizeLinear: zeroPoint data type int8 must match the input's (uint8)");
    EXPECT_FAIL(wnnGraphBuilderDequantizeLinear(b, x, s, z, NULL, &out), "input data type float32 is not allowed");
    EXPECT_FAIL(wnnGraphBuilderDequantizeLinear(b, q, input(b, I32, 2, 2, 3), z, NULL, &out), "scale data type int32");
    EXPECT_FAIL(wnnGraphBuilderDequantizeLinear(b, q, input(b, F32, 2, 4, 4), input(b, U8, 2, 4, 4), NULL, &out),
                "(dimension 1: 6 is not a multiple of 4)");
    WNNOperand d;
    WT_OK(wnnGraphBuilderDequantizeLinear(b, q, input(b, F16, 2, 4, 1), input(b, U8, 2, 4, 1), NULL, &d));
    WT_CHECK(wnnOperandGetDataType(d) == F16 && wnnOperandGetRank(d) == 2);
    /* rank 0: scalars throughout */
    WNNOperand x0 = input(b, F32, 0, 0, 0), s0 = input(b, F32, 0, 0, 0), z0 = input(b, I32, 0, 0, 0);
    WT_OK(wnnGraphBuilderQuantizeLinear(b, x0, s0, z0, NULL, &out));
    WT_CHECK(wnnOperandGetDataType(out) == I32 && wnnOperandGetRank(out) == 0);
    wnnGraphBuilderRelease(b);
    wnnGraphBuilderRelease(other);

    /* the spec's tensor limits tables */
    WNNTensorLimits l;
    WT_OK(wnnGetRequiredOperandLimits("dequantizeLinear", "zeroPoint", &l));
    WT_CHECK(l.dataTypes == ((1u << U8) | (1u << I8) | (1u << I32)) && l.rankMin == 0 && l.rankMax == 5);
    WT_OK(wnnGetRequiredOperandLimits("quantizeLinear", "output", &l));
    WT_CHECK(l.dataTypes == ((1u << U8) | (1u << I8)));
    WT_OK(wnnContextGetOperandLimits(wt_cpu(), "quantizeLinear", "zeroPoint", &l));
    WT_CHECK(l.dataTypes == ((1u << U8) | (1u << I8) | (1u << U32) | (1u << I32)));
}

int main(void) {
    test_quantize_random();
    test_dequantize_random();
    test_large_blockwise();
    test_vector_runs();
    test_near_ties();
    test_worked_example();
    test_edge_scales();
    test_validation();
    return wt_summary("test_ops_quantize");
}
