/* test_ops_reduce.c: the reductions, argMin / argMax, cumulativeSum and batch / instance / layer
 * normalization against float64 (and exact integer) references on random and larger shapes, every
 * data type each op allows, plus validation rules. With WNN_TEST_ADAPTER these run on a GPU: the
 * larger shapes are there for its kernel layouts (a thread, warp or block per output, reductions
 * split over several blocks, long scans). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "wt.h"

/* A random shape of rank 1..4 with dims 1..5. */
static uint32_t random_shape(uint64_t* s, uint32_t* shape) {
    uint32_t rank = 1 + (uint32_t)(wt_next(s) % 4);
    for (uint32_t i = 0; i < rank; i++) shape[i] = 1 + (uint32_t)(wt_next(s) % 5);
    return rank;
}

static size_t numel(const uint32_t* shape, uint32_t rank) {
    size_t n = 1;
    for (uint32_t i = 0; i < rank; i++) n *= shape[i];
    return n;
}

/* Splits coordinates around `axis`: outer (before), len (axis), inner (after). */
static void split(const uint32_t* shape, uint32_t rank, uint32_t axis, size_t* outer, size_t* len, size_t* inner) {
    *outer = numel(shape, axis);
    *len = shape[axis];
    *inner = numel(shape + axis + 1, rank - axis - 1);
}

static void test_arg_min_max(void) {
    uint64_t seed = 99;
    for (int rep = 0; rep < 40; rep++) {
        uint32_t shape[4], rank = random_shape(&seed, shape), axis = (uint32_t)(wt_next(&seed) % rank);
        size_t n = numel(shape, rank), outer, len, inner;
        split(shape, rank, axis, &outer, &len, &inner);
        float* x = malloc(sizeof(float) * n);
        for (size_t i = 0; i < n; i++) x[i] = (float)(wt_next(&seed) % 7) - 3; /* many ties */
        int wantMax = rep % 2, keep = rep % 3 == 0, i64 = rep % 4 == 1;
        WNNGraphBuilder b = wt_builder();
        WNNOperand in = wt_input(b, "x", WNNOperandDataType_Float32, rank, shape), out;
        WNNArgMinMaxOptions o = WNN_ARG_MIN_MAX_OPTIONS_INIT;
        o.keepDimensions = keep;
        o.outputDataType = i64 ? WNNOperandDataType_Int64 : WNNOperandDataType_Int32;
        WT_OK((wantMax ? wnnGraphBuilderArgMax : wnnGraphBuilderArgMin)(b, in, axis, &o, &out));
        WT_CHECK(wnnOperandGetRank(out) == (keep ? rank : rank - 1));
        int64_t* y = calloc(outer * inner, sizeof(int64_t));
        WtFeed feed = {"x", x};
        WNNNamedOperand outs[1] = {{"y", out}};
        void* data[1] = {y};
        WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, 1, data));
        int bad = 0;
        for (size_t o1 = 0; o1 < outer; o1++)
            for (size_t i1 = 0; i1 < inner; i1++) {
                size_t best = 0;
                for (size_t k = 1; k < len; k++) {
                    float v = x[(o1 * len + k) * inner + i1], w = x[(o1 * len + best) * inner + i1];
                    if (wantMax ? v > w : v < w) best = k; /* first index wins ties */
                }
                size_t idx = o1 * inner + i1;
                int64_t got = i64 ? y[idx] : ((int32_t*)y)[idx];
                bad += got != (int64_t)best;
            }
        WT_CHECK(bad == 0);
        free(x);
        free(y);
        wnnGraphBuilderRelease(b);
    }
}

static void test_cumulative_sum(void) {
    uint64_t seed = 7;
    for (int rep = 0; rep < 40; rep++) {
        uint32_t shape[4], rank = random_shape(&seed, shape), axis = (uint32_t)(wt_next(&seed) % rank);
        size_t n = numel(shape, rank), outer, len, inner;
        split(shape, rank, axis, &outer, &len, &inner);
        int exclusive = rep & 1, reversed = (rep >> 1) & 1, integer = rep % 5 == 0;
        float* x = malloc(sizeof(float) * n);
        int32_t* xi = malloc(sizeof(int32_t) * n);
        for (size_t i = 0; i < n; i++) {
            x[i] = (float)wt_rand(&seed, -2, 2);
            xi[i] = (int32_t)(wt_next(&seed) % 2000000000) - 1000000000; /* sums overflow and wrap */
        }
        WNNGraphBuilder b = wt_builder();
        WNNOperand in = wt_input(b, "x", integer ? WNNOperandDataType_Int32 : WNNOperandDataType_Float32, rank, shape), out;
        WNNCumulativeSumOptions o = {NULL, exclusive, reversed};
        WT_OK(wnnGraphBuilderCumulativeSum(b, in, axis, &o, &out));
        float* y = malloc(sizeof(float) * n);
        double* want = malloc(sizeof(double) * n);
        int32_t* wantI = malloc(sizeof(int32_t) * n);
        for (size_t o1 = 0; o1 < outer; o1++)
            for (size_t i1 = 0; i1 < inner; i1++) {
                double acc = 0;
                uint32_t acci = 0;
                for (size_t s = 0; s < len; s++) {
                    size_t k = reversed ? len - 1 - s : s, i = (o1 * len + k) * inner + i1;
                    if (!exclusive) { acc += x[i]; acci += (uint32_t)xi[i]; }
                    want[i] = acc;
                    wantI[i] = (int32_t)acci;
                    if (exclusive) { acc += x[i]; acci += (uint32_t)xi[i]; }
                }
            }
        WtFeed feed = {"x", integer ? (void*)xi : (void*)x};
        WNNNamedOperand outs[1] = {{"y", out}};
        void* data[1] = {y};
        WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, 1, data));
        if (integer) WT_CHECK(memcmp(y, wantI, sizeof(int32_t) * n) == 0);
        else wt_expect_f32("cumulativeSum", y, want, n, 1);
        free(x); free(xi); free(y); free(want); free(wantI);
        wnnGraphBuilderRelease(b);
    }
}

/* ---- typed data for the references ---- */
static const WNNOperandDataType k_types[8] = {
    WNNOperandDataType_Float32, WNNOperandDataType_Float16, WNNOperandDataType_Int32, WNNOperandDataType_Uint32,
    WNNOperandDataType_Int64,   WNNOperandDataType_Uint64,  WNNOperandDataType_Int8,  WNNOperandDataType_Uint8};
#define T_FLOAT 0x03u /* masks over k_types */
#define T_NUM 0x3fu
#define T_ALL 0xffu

static size_t esize(WNNOperandDataType t) {
    switch (t) {
        case WNNOperandDataType_Float16: return 2;
        case WNNOperandDataType_Int64: case WNNOperandDataType_Uint64: return 8;
        case WNNOperandDataType_Int8: case WNNOperandDataType_Uint8: return 1;
        default: return 4;
    }
}

static int is_float(WNNOperandDataType t) { return t == WNNOperandDataType_Float32 || t == WNNOperandDataType_Float16; }

static double get_f(const void* p, WNNOperandDataType t, size_t i) {
    return t == WNNOperandDataType_Float16 ? wt_h2f(((const uint16_t*)p)[i]) : ((const float*)p)[i];
}

static void put_f(void* p, WNNOperandDataType t, size_t i, double v) {
    if (t == WNNOperandDataType_Float16) ((uint16_t*)p)[i] = wt_d2h(v);
    else ((float*)p)[i] = (float)v;
}

/* Integer element i, sign- or zero-extended to 64 bits. */
static uint64_t get_u(const void* p, WNNOperandDataType t, size_t i) {
    switch (t) {
        case WNNOperandDataType_Int32: return (uint64_t)(int64_t)((const int32_t*)p)[i];
        case WNNOperandDataType_Uint32: return ((const uint32_t*)p)[i];
        case WNNOperandDataType_Int64: return (uint64_t)((const int64_t*)p)[i];
        case WNNOperandDataType_Uint64: return ((const uint64_t*)p)[i];
        case WNNOperandDataType_Int8: return (uint64_t)(int64_t)((const int8_t*)p)[i];
        default: return ((const uint8_t*)p)[i];
    }
}

/* Stores the low bits of v (integer results wrap). */
static void put_u(void* p, WNNOperandDataType t, size_t i, uint64_t v) {
    memcpy((char*)p + i * esize(t), &v, esize(t)); /* little-endian: the low bytes */
}

static int is_signed_int(WNNOperandDataType t) {
    return t == WNNOperandDataType_Int32 || t == WNNOperandDataType_Int64 || t == WNNOperandDataType_Int8;
}

/* a < b in t's order (integers). */
static int int_less(WNNOperandDataType t, uint64_t a, uint64_t b) { return is_signed_int(t) ? (int64_t)a < (int64_t)b : a < b; }

typedef enum { D_ANY, D_POS, D_UNIT, D_TIES, D_SPECIAL } DataKind;

/* Random data: floats in [-3, 3] (D_POS (0.1, 3], D_UNIT +-[0.7, 1.3], D_TIES small integers,
 * D_SPECIAL with NaN and infinities); integers any 64-bit pattern (sums wrap) or small. */
static void* random_data(WNNOperandDataType t, size_t n, DataKind kind, uint64_t* seed) {
    void* p = malloc(n * esize(t) + 8);
    for (size_t i = 0; i < n; i++) {
        if (is_float(t)) {
            double v = kind == D_POS ? wt_rand(seed, 0.1, 3) : kind == D_UNIT ? wt_rand(seed, 0.7, 1.3) * (wt_next(seed) & 1 ? 1 : -1)
                       : kind == D_TIES ? (double)(wt_next(seed) % 5) - 2 : wt_rand(seed, -3, 3);
            if (kind == D_SPECIAL && wt_next(seed) % 8 == 0) {
                static const double specials[3] = {NAN, INFINITY, -INFINITY};
                v = specials[wt_next(seed) % 3];
            }
            put_f(p, t, i, v);
        } else {
            uint64_t r = wt_next(seed);
            if (kind == D_TIES || kind == D_UNIT || wt_next(seed) % 3 == 0) r = (uint64_t)((int64_t)(r % 7) - 3);
            if (kind == D_UNIT && r == 0) r = 2; /* products that stay non-zero (and wrap) */
            if (!is_signed_int(t) && (int64_t)r < 0 && kind == D_TIES) r = 0 - r;
            put_u(p, t, i, r);
        }
    }
    return p;
}

/* Output index (the kept coordinates, row-major) of every element of shape when mask is reduced. */
static size_t* output_index(const uint32_t* shape, uint32_t rank, uint32_t mask, size_t* outCount) {
    size_t n = numel(shape, rank), m = 1;
    for (uint32_t d = 0; d < rank; d++)
        if (!(mask >> d & 1)) m *= shape[d];
    size_t* idx = malloc(sizeof(size_t) * n);
    for (size_t i = 0; i < n; i++) {
        size_t r = i, o = 0, scale = 1;
        for (uint32_t d = rank; d-- > 0;) {
            size_t c = r % shape[d];
            r /= shape[d];
            if (!(mask >> d & 1)) {
                o += c * scale;
                scale *= shape[d];
            }
        }
        idx[i] = o;
    }
    *outCount = m;
    return idx;
}

/* ---- reductions ---- */
typedef enum { R_L1, R_L2, R_LOGSUM, R_LOGSUMEXP, R_MAX, R_MEAN, R_MIN, R_PRODUCT, R_SUM, R_SUMSQUARE } ReduceKind;
typedef WNNStatus (*ReduceFn)(WNNGraphBuilder, WNNOperand, const WNNReduceOptions*, WNNOperand*);
typedef struct Reduction {
    const char* name;
    ReduceFn build;
    ReduceKind kind;
    uint32_t types; /* over k_types: reduce_ops.c's limits */
    DataKind data;
} Reduction;
static const Reduction k_reductions[] = {
    {"reduceL1", wnnGraphBuilderReduceL1, R_L1, T_NUM, D_ANY},
    {"reduceL2", wnnGraphBuilderReduceL2, R_L2, T_FLOAT, D_ANY},
    {"reduceLogSum", wnnGraphBuilderReduceLogSum, R_LOGSUM, T_FLOAT, D_POS},
    {"reduceLogSumExp", wnnGraphBuilderReduceLogSumExp, R_LOGSUMEXP, T_FLOAT, D_ANY},
    {"reduceMax", wnnGraphBuilderReduceMax, R_MAX, T_ALL, D_ANY},
    {"reduceMean", wnnGraphBuilderReduceMean, R_MEAN, T_FLOAT, D_ANY},
    {"reduceMin", wnnGraphBuilderReduceMin, R_MIN, T_ALL, D_ANY},
    {"reduceProduct", wnnGraphBuilderReduceProduct, R_PRODUCT, T_NUM, D_UNIT},
    {"reduceSum", wnnGraphBuilderReduceSum, R_SUM, T_NUM, D_ANY},
    {"reduceSumSquare", wnnGraphBuilderReduceSumSquare, R_SUMSQUARE, T_NUM, D_ANY},
};

/* The spec's tolerance (digest, n = reduced count), capped at 8 ULP: both backends accumulate in
 * double and round once, and an n-ULP bound on a long float16 sum would hide a lost chunk. */
static uint64_t reduce_tolerance(ReduceKind k, size_t n) {
    uint64_t t;
    switch (k) {
        case R_MAX: case R_MIN: return 0;
        case R_L2: t = 2 * n + 2; break;
        case R_MEAN: t = n + 2; break;
        case R_LOGSUM: t = n + 18; break;
        case R_LOGSUMEXP: t = 2 * n + 18; break;
        case R_SUMSQUARE: t = 2 * n; break;
        default: t = n; break;
    }
    return t < 8 ? t : 8;
}

static void reference_float(ReduceKind k, const void* x, WNNOperandDataType t, size_t n, const size_t* oi, size_t m,
                            size_t count, double* want) {
    double* mx = malloc(sizeof(double) * m);
    for (size_t o = 0; o < m; o++) {
        want[o] = k == R_PRODUCT ? 1 : k == R_MAX ? -INFINITY : k == R_MIN ? INFINITY : 0;
        mx[o] = -INFINITY;
    }
    for (size_t i = 0; i < n; i++) mx[oi[i]] = fmax(mx[oi[i]], get_f(x, t, i));
    for (size_t i = 0; i < n; i++) {
        double v = get_f(x, t, i), *a = &want[oi[i]];
        switch (k) {
            case R_L1: *a += fabs(v); break;
            case R_L2: case R_SUMSQUARE: *a += v * v; break;
            case R_LOGSUMEXP: *a += exp(v - mx[oi[i]]); break;
            case R_MAX: *a = isnan(v) || isnan(*a) ? NAN : fmax(*a, v); break;
            case R_MIN: *a = isnan(v) || isnan(*a) ? NAN : fmin(*a, v); break;
            case R_PRODUCT: *a *= v; break;
            default: *a += v; break;
        }
    }
    for (size_t o = 0; o < m; o++) {
        if (k == R_L2) want[o] = sqrt(want[o]);
        if (k == R_LOGSUM) want[o] = log(want[o]);
        if (k == R_MEAN) want[o] /= (double)count;
        if (k == R_LOGSUMEXP) want[o] = isinf(mx[o]) ? mx[o] : mx[o] + log(want[o]);
    }
    free(mx);
}

/* Integers: sums and products modulo 2^64 (then truncated), max / min in the type's order. */
static void reference_int(ReduceKind k, const void* x, WNNOperandDataType t, size_t n, const size_t* oi, size_t m,
                          void* want) {
    uint64_t* acc = malloc(sizeof(uint64_t) * m);
    char* seen = calloc(m, 1);
    for (size_t o = 0; o < m; o++) acc[o] = k == R_PRODUCT ? 1 : 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = get_u(x, t, i), *a = &acc[oi[i]];
        switch (k) {
            case R_L1: *a += is_signed_int(t) && (int64_t)v < 0 ? 0 - v : v; break;
            case R_SUMSQUARE: *a += v * v; break;
            case R_PRODUCT: *a *= v; break;
            case R_MAX: if (!seen[oi[i]] || int_less(t, *a, v)) *a = v; break;
            case R_MIN: if (!seen[oi[i]] || int_less(t, v, *a)) *a = v; break;
            default: *a += v; break;
        }
        seen[oi[i]] = 1;
    }
    for (size_t o = 0; o < m; o++) put_u(want, t, o, acc[o]);
    free(acc);
    free(seen);
}

/* Compares integer outputs element by element; returns the mismatches. */
static int expect_int(const char* what, WNNOperandDataType t, const void* got, const void* want, size_t m) {
    int bad = 0;
    for (size_t o = 0; o < m; o++)
        if (get_u(got, t, o) != get_u(want, t, o) && bad++ < 5)
            fprintf(stderr, "  %s[%zu]: got %lld, expected %lld\n", what, o, (long long)get_u(got, t, o),
                    (long long)get_u(want, t, o));
    wt_checks++;
    if (bad) {
        wt_failures++;
        fprintf(stderr, "%s: %d of %zu values differ\n", what, bad, m);
    }
    return bad;
}

/* One reduction of x over `axes` (axesCount SIZE_MAX: the default, all) checked against the reference. */
static void check_reduction(const Reduction* r, WNNOperandDataType t, uint32_t rank, const uint32_t* shape,
                            const uint32_t* axes, size_t axesCount, int keep, DataKind data, uint64_t* seed) {
    uint32_t mask = axesCount == SIZE_MAX ? (uint32_t)((1ull << rank) - 1) : 0;
    for (size_t i = 0; axesCount != SIZE_MAX && i < axesCount; i++) mask |= 1u << axes[i];
    size_t n = numel(shape, rank), m, count = 1;
    for (uint32_t d = 0; d < rank; d++)
        if (mask >> d & 1) count *= shape[d];
    void* x = random_data(t, n, data, seed);
    size_t* oi = output_index(shape, rank, mask, &m);
    WNNGraphBuilder b = wt_builder();
    WNNOperand in = wt_input(b, "x", t, rank, shape), out = NULL;
    WNNReduceOptions o = WNN_REDUCE_OPTIONS_INIT;
    uint32_t none[1] = {0};
    o.axes = axesCount == SIZE_MAX ? NULL : axesCount ? axes : none;
    o.axesCount = axesCount == SIZE_MAX ? 0 : axesCount;
    o.keepDimensions = keep;
    WT_OK(r->build(b, in, &o, &out));
    char what[160];
    snprintf(what, sizeof what, "%s type %d rank %u mask 0x%x keep %d", r->name, (int)t, rank, mask, keep);
    if (out) {
        uint32_t kept = 0;
        for (uint32_t d = 0; d < rank; d++) kept += !(mask >> d & 1);
        WT_CHECK(wnnOperandGetRank(out) == (keep ? rank : kept));
        void* y = malloc(m * 8 + 8);
        WtFeed feed = {"x", x};
        WNNNamedOperand outs[1] = {{"y", out}};
        void* dataOut[1] = {y};
        WNNStatus s = wt_run(wt_cpu(), b, &feed, 1, outs, 1, dataOut);
        WT_OK(s);
        if (s) fprintf(stderr, "  (%s)\n", what);
        else if (is_float(t)) {
            double* want = malloc(sizeof(double) * m);
            reference_float(r->kind, x, t, n, oi, m, count, want);
            uint64_t tol = reduce_tolerance(r->kind, count);
            if (t == WNNOperandDataType_Float16) wt_expect_f16(what, y, want, m, tol);
            else wt_expect_f32(what, y, want, m, tol);
            free(want);
        } else {
            void* want = malloc(m * 8 + 8);
            reference_int(r->kind, x, t, n, oi, m, want);
            expect_int(what, t, y, want, m);
            free(want);
        }
        free(y);
    }
    wnnGraphBuilderRelease(b);
    free(oi);
    free(x);
}

/* Random axes: a random subset of the dimensions in random order. */
static size_t random_axes(uint64_t* seed, uint32_t rank, uint32_t* axes) {
    uint32_t perm[WNN_MAX_RANK];
    for (uint32_t i = 0; i < rank; i++) perm[i] = i;
    for (uint32_t i = rank; i > 1; i--) {
        uint32_t j = (uint32_t)(wt_next(seed) % i), tmp = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = tmp;
    }
    size_t count = rank ? (size_t)(wt_next(seed) % (rank + 1)) : 0;
    memcpy(axes, perm, sizeof(uint32_t) * count);
    return count;
}

/* Shapes that select each GPU layout: a block per output, split over blocks ([40000], [2, 20000]),
 * or not ([5, 2000]), neighbouring outputs by 8 lanes, split or not ([3000, 3], [600, 40], [7, 300, 5]),
 * a warp per output ([64, 300]), non-adjacent reduced axes ([4, 100, 33] over {0, 2}, [6, 5, 40, 3]
 * over {1, 3}). */
typedef struct BigCase {
    uint32_t rank, shape[4], axesCount, axes[2];
} BigCase;
static const BigCase k_big[] = {
    {1, {40000}, 1, {0}}, {2, {2, 20000}, 1, {1}}, {2, {3000, 3}, 1, {0}}, {2, {600, 40}, 1, {0}},
    {2, {5, 2000}, 1, {1}}, {3, {7, 300, 5}, 1, {1}}, {2, {64, 300}, 1, {1}}, {3, {4, 100, 33}, 2, {2, 0}}, {4, {6, 5, 40, 3}, 2, {1, 3}},
};

static void test_reductions(void) {
    uint64_t seed = 2024;
    for (size_t k = 0; k < sizeof k_reductions / sizeof k_reductions[0]; k++) {
        const Reduction* r = &k_reductions[k];
        for (int ti = 0; ti < 8; ti++) {
            if (!(r->types >> ti & 1)) continue;
            WNNOperandDataType t = k_types[ti];
            for (int rep = 0; rep < 8; rep++) { /* random shapes (rank 0..5), axes, keepDimensions */
                uint32_t shape[5], rank = (uint32_t)(wt_next(&seed) % 6), axes[5];
                for (uint32_t i = 0; i < rank; i++) shape[i] = 1 + (uint32_t)(wt_next(&seed) % 5);
                size_t count = rep == 0 ? SIZE_MAX : rep == 1 ? 0 : random_axes(&seed, rank, axes);
                DataKind data = r->data;
                if ((r->kind == R_MAX || r->kind == R_MIN || r->kind == R_LOGSUMEXP) && rep % 3 == 2) data = D_SPECIAL;
                check_reduction(r, t, rank, shape, axes, count, rep % 2, data, &seed);
            }
            for (size_t c = 0; c < sizeof k_big / sizeof k_big[0]; c++)
                check_reduction(r, t, k_big[c].rank, k_big[c].shape, k_big[c].axes, k_big[c].axesCount, (int)(c % 2),
                                r->data, &seed);
        }
    }
}

/* argMin / argMax on every input type: the first index of the extreme value, NaN never chosen (all
 * NaN: 0); random shapes and long axes (split over GPU blocks). */
static void check_arg(int wantMax, WNNOperandDataType t, uint32_t rank, const uint32_t* shape, uint32_t axis, int keep,
                      int i64, DataKind data, uint64_t* seed) {
    size_t n = numel(shape, rank), outer, len, inner;
    split(shape, rank, axis, &outer, &len, &inner);
    void* x = random_data(t, n, data, seed);
    WNNGraphBuilder b = wt_builder();
    WNNOperand in = wt_input(b, "x", t, rank, shape), out = NULL;
    WNNArgMinMaxOptions o = WNN_ARG_MIN_MAX_OPTIONS_INIT;
    o.keepDimensions = keep;
    o.outputDataType = i64 ? WNNOperandDataType_Int64 : WNNOperandDataType_Int32;
    WT_OK((wantMax ? wnnGraphBuilderArgMax : wnnGraphBuilderArgMin)(b, in, axis, &o, &out));
    int64_t* y = calloc(outer * inner + 1, sizeof(int64_t));
    WtFeed feed = {"x", x};
    WNNNamedOperand outs[1] = {{"y", out}};
    void* dataOut[1] = {y};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, 1, dataOut));
    int bad = 0;
    for (size_t o1 = 0; o1 < outer; o1++)
        for (size_t i1 = 0; i1 < inner; i1++) {
            size_t best = 0;
            int haveBest = 0;
            for (size_t k = 0; k < len; k++) {
                size_t i = (o1 * len + k) * inner + i1, j = (o1 * len + best) * inner + i1;
                int better;
                if (is_float(t)) {
                    double v = get_f(x, t, i), w = get_f(x, t, j);
                    if (isnan(v)) continue;
                    better = !haveBest || (wantMax ? v > w : v < w);
                } else {
                    uint64_t v = get_u(x, t, i), w = get_u(x, t, j);
                    better = !haveBest || (wantMax ? int_less(t, w, v) : int_less(t, v, w));
                }
                if (better) best = k;
                haveBest = 1;
            }
            size_t idx = o1 * inner + i1;
            int64_t got = i64 ? y[idx] : ((int32_t*)y)[idx];
            if (got != (int64_t)best && bad++ < 5)
                fprintf(stderr, "  arg%s type %d axis %u [%zu]: got %lld, expected %zu\n", wantMax ? "Max" : "Min", (int)t,
                        axis, idx, (long long)got, best);
        }
    WT_CHECK(bad == 0);
    free(x);
    free(y);
    wnnGraphBuilderRelease(b);
}

static void test_arg_types(void) {
    uint64_t seed = 31;
    static const uint32_t longShape[3][2] = {{3, 30000}, {20000, 2}, {40, 300}};
    for (int ti = 0; ti < 8; ti++)
        for (int rep = 0; rep < 12; rep++) {
            uint32_t shape[4], rank = random_shape(&seed, shape), axis = (uint32_t)(wt_next(&seed) % rank);
            DataKind data = rep % 3 == 0 ? D_SPECIAL : rep % 3 == 1 ? D_TIES : D_ANY;
            check_arg(rep % 2, k_types[ti], rank, shape, axis, rep % 4 < 2, rep % 3 == 1, data, &seed);
            if (rep < 6) /* long axes: last (a block / a warp per output) and first (neighbouring outputs) */
                check_arg(rep % 2, k_types[ti], 2, longShape[rep / 2], (uint32_t)(rep / 2 != 1), rep % 2, rep % 3 == 0,
                          rep == 0 ? D_SPECIAL : D_TIES, &seed);
        }
}

/* cumulativeSum on every allowed type (float64 / modulo 2^64 reference), with long lines that the
 * GPU scans a block per line. */
static void check_cumsum(WNNOperandDataType t, uint32_t rank, const uint32_t* shape, uint32_t axis, int exclusive,
                         int reversed, uint64_t* seed) {
    size_t n = numel(shape, rank), outer, len, inner;
    split(shape, rank, axis, &outer, &len, &inner);
    void* x = random_data(t, n, D_ANY, seed);
    WNNGraphBuilder b = wt_builder();
    WNNOperand in = wt_input(b, "x", t, rank, shape), out = NULL;
    WNNCumulativeSumOptions o = {NULL, exclusive, reversed};
    WT_OK(wnnGraphBuilderCumulativeSum(b, in, axis, &o, &out));
    void* y = malloc(n * esize(t));
    double* want = malloc(sizeof(double) * n);
    void* wantI = malloc(n * esize(t));
    for (size_t o1 = 0; o1 < outer; o1++)
        for (size_t i1 = 0; i1 < inner; i1++) {
            double acc = 0;
            uint64_t acci = 0;
            for (size_t s = 0; s < len; s++) {
                size_t k = reversed ? len - 1 - s : s, i = (o1 * len + k) * inner + i1;
                double v = is_float(t) ? get_f(x, t, i) : 0;
                uint64_t vi = is_float(t) ? 0 : get_u(x, t, i);
                if (!exclusive) { acc += v; acci += vi; }
                want[i] = acc;
                if (!is_float(t)) put_u(wantI, t, i, acci);
                if (exclusive) { acc += v; acci += vi; }
            }
        }
    WtFeed feed = {"x", x};
    WNNNamedOperand outs[1] = {{"y", out}};
    void* dataOut[1] = {y};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, 1, dataOut));
    char what[96];
    snprintf(what, sizeof what, "cumulativeSum type %d axis %u exclusive %d reversed %d", (int)t, axis, exclusive, reversed);
    if (t == WNNOperandDataType_Float16) wt_expect_f16(what, y, want, n, 1);
    else if (t == WNNOperandDataType_Float32) wt_expect_f32(what, y, want, n, 1);
    else expect_int(what, t, y, wantI, n);
    free(x);
    free(y);
    free(want);
    free(wantI);
    wnnGraphBuilderRelease(b);
}

static void test_cumulative_sum_types(void) {
    uint64_t seed = 77;
    static const uint32_t longShapes[3][3] = {{3, 1000, 1}, {2, 700, 3}, {1, 5000, 1}};
    for (int ti = 0; ti < 6; ti++) {
        for (int rep = 0; rep < 10; rep++) {
            uint32_t shape[4], rank = random_shape(&seed, shape), axis = (uint32_t)(wt_next(&seed) % rank);
            check_cumsum(k_types[ti], rank, shape, axis, rep & 1, rep >> 1 & 1, &seed);
        }
        for (int c = 0; c < 3; c++) check_cumsum(k_types[ti], 3, longShapes[c], 1, c & 1, c != 1, &seed);
    }
}

/* ---- normalizations (float32 and float16; float64 references) ---- */
static void expect_float(const char* what, WNNOperandDataType t, const void* y, const double* want, size_t n,
                         uint64_t ulp, double atol) {
    if (t == WNNOperandDataType_Float16) wt_expect_f16(what, y, want, n, ulp);
    else if (atol > 0) wt_expect_f32_atol(what, y, want, n, atol);
    else wt_expect_f32(what, y, want, n, ulp);
}

/* Runs the builder's graph with inputs x (feed "x") and up to 4 parameter inputs "p0".."p3". */
static void run_norm(WNNGraphBuilder b, WNNOperand out, const void* x, void* const* params, void* y) {
    WtFeed feeds[5] = {{"x", x}, {"p0", params[0]}, {"p1", params[1]}, {"p2", params[2]}, {"p3", params[3]}};
    WNNNamedOperand outs[1] = {{"y", out}};
    void* dataOut[1] = {y};
    WT_OK(wt_run(wt_cpu(), b, feeds, 5, outs, 1, dataOut));
}

static void test_batch_normalization(void) {
    uint64_t seed = 5;
    for (int ti = 0; ti < 2; ti++)
        for (int rep = 0; rep < 12; rep++) {
            WNNOperandDataType t = k_types[ti];
            uint32_t shape[4], rank = random_shape(&seed, shape), axis = rep == 0 ? 1 % rank : (uint32_t)(wt_next(&seed) % rank);
            if (rep == 1) { rank = 4; shape[0] = 2; shape[1] = 16; shape[2] = 30; shape[3] = 30; axis = 1; }
            size_t n = numel(shape, rank), outer, c, inner;
            split(shape, rank, axis, &outer, &c, &inner);
            void* x = random_data(t, n, D_ANY, &seed);
            void* p[4];
            for (int i = 0; i < 4; i++) p[i] = random_data(t, c, i == 1 ? D_POS : D_ANY, &seed);
            int hasScale = rep % 2 == 0, hasBias = rep % 3 != 2;
            WNNGraphBuilder b = wt_builder();
            uint32_t cs[1] = {(uint32_t)c};
            WNNOperand in = wt_input(b, "x", t, rank, shape), out = NULL;
            WNNOperand mean = wt_input(b, "p0", t, 1, cs), var = wt_input(b, "p1", t, 1, cs);
            WNNBatchNormalizationOptions o = WNN_BATCH_NORMALIZATION_OPTIONS_INIT;
            o.axis = wnnSomeUint32(axis);
            o.epsilon = wnnSomeDouble(rep % 2 ? 1e-3 : 1e-5);
            if (hasScale) o.scale = wt_input(b, "p2", t, 1, cs);
            if (hasBias) o.bias = wt_input(b, "p3", t, 1, cs);
            WT_OK(wnnGraphBuilderBatchNormalization(b, in, mean, var, &o, &out));
            void* y = malloc(n * esize(t));
            run_norm(b, out, x, p, y);
            double* want = malloc(sizeof(double) * n);
            for (size_t i = 0; i < n; i++) {
                size_t ch = (i / inner) % c;
                double v = (get_f(x, t, i) - get_f(p[0], t, ch)) / sqrt(get_f(p[1], t, ch) + o.epsilon.value);
                want[i] = v * (hasScale ? get_f(p[2], t, ch) : 1) + (hasBias ? get_f(p[3], t, ch) : 0);
            }
            expect_float("batchNormalization", t, y, want, n, 6, 0);
            free(x);
            free(y);
            free(want);
            for (int i = 0; i < 4; i++) free(p[i]);
            wnnGraphBuilderRelease(b);
        }
}

/* Reference of instance / layer normalization: each group of elements sharing oi[] is normalized;
 * scale / bias element of element i is si[i]. */
static void reference_group_norm(const void* x, WNNOperandDataType t, size_t n, const size_t* oi, size_t m,
                                 const size_t* si, const void* scale, const void* bias, double eps, double* want) {
    double* sum = calloc(m, sizeof(double));
    double* sq = calloc(m, sizeof(double));
    size_t* cnt = calloc(m, sizeof(size_t));
    for (size_t i = 0; i < n; i++) {
        sum[oi[i]] += get_f(x, t, i);
        cnt[oi[i]]++;
    }
    for (size_t i = 0; i < n; i++) {
        double d = get_f(x, t, i) - sum[oi[i]] / (double)cnt[oi[i]];
        sq[oi[i]] += d * d;
    }
    for (size_t i = 0; i < n; i++) {
        size_t o = oi[i];
        double v = (get_f(x, t, i) - sum[o] / (double)cnt[o]) / sqrt(sq[o] / (double)cnt[o] + eps);
        want[i] = v * (scale ? get_f(scale, t, si[i]) : 1) + (bias ? get_f(bias, t, si[i]) : 0);
    }
    free(sum);
    free(sq);
    free(cnt);
}

/* instanceNormalization, nchw and nhwc; tolerance: the spec's 840 ULP for float32, 16 ULP for
 * float16 (both backends compute in double; the spec's 8400 would hide wrong channels). */
static void test_instance_normalization(void) {
    uint64_t seed = 6;
    for (int ti = 0; ti < 2; ti++)
        for (int rep = 0; rep < 12; rep++) {
            WNNOperandDataType t = k_types[ti];
            int nhwc = rep % 2, hasScale = rep % 4 < 2, hasBias = rep % 3 != 0;
            uint32_t shape[4] = {1 + (uint32_t)(wt_next(&seed) % 3), 1 + (uint32_t)(wt_next(&seed) % 6),
                                 1 + (uint32_t)(wt_next(&seed) % 9), 1 + (uint32_t)(wt_next(&seed) % 9)};
            if (rep >= 10) { shape[1] = 40; shape[2] = 64; shape[3] = 50; } /* long groups */
            uint32_t cAxis = nhwc ? 3 : 1, mask = nhwc ? 0x6u : 0xcu;
            size_t n = numel(shape, 4), m, c = shape[cAxis];
            size_t* oi = output_index(shape, 4, mask, &m);
            size_t* si = malloc(sizeof(size_t) * n);
            for (size_t i = 0; i < n; i++) si[i] = nhwc ? i % c : (i / (shape[2] * shape[3])) % c;
            void* x = random_data(t, n, D_ANY, &seed);
            void* p[4] = {random_data(t, c, D_ANY, &seed), random_data(t, c, D_ANY, &seed), NULL, NULL};
            uint32_t cs[1] = {(uint32_t)c};
            WNNGraphBuilder b = wt_builder();
            WNNOperand in = wt_input(b, "x", t, 4, shape), out = NULL;
            WNNInstanceNormalizationOptions o = WNN_INSTANCE_NORMALIZATION_OPTIONS_INIT;
            o.layout = nhwc ? WNNInputOperandLayout_Nhwc : WNNInputOperandLayout_Nchw;
            o.epsilon = wnnSomeDouble(1e-3);
            if (hasScale) o.scale = wt_input(b, "p0", t, 1, cs);
            if (hasBias) o.bias = wt_input(b, "p1", t, 1, cs);
            WT_OK(wnnGraphBuilderInstanceNormalization(b, in, &o, &out));
            void* y = malloc(n * esize(t));
            run_norm(b, out, x, p, y);
            double* want = malloc(sizeof(double) * n);
            reference_group_norm(x, t, n, oi, m, si, hasScale ? p[0] : NULL, hasBias ? p[1] : NULL, 1e-3, want);
            expect_float(nhwc ? "instanceNormalization nhwc" : "instanceNormalization nchw", t, y, want, n,
                         t == WNNOperandDataType_Float16 ? 16 : 840, 0);
            free(x);
            free(y);
            free(want);
            free(oi);
            free(si);
            free(p[0]);
            free(p[1]);
            wnnGraphBuilderRelease(b);
        }
}

/* layerNormalization over any axes in any order (scale / bias dimensions follow `axes`), and the
 * default and trailing ones; tolerance: the spec's 1/1024 for float32, 16 ULP for float16. */
static void test_layer_normalization(void) {
    uint64_t seed = 8;
    for (int ti = 0; ti < 2; ti++)
        for (int rep = 0; rep < 24; rep++) {
            WNNOperandDataType t = k_types[ti];
            uint32_t shape[4], rank = random_shape(&seed, shape), axes[4];
            if (rep >= 20) { rank = 3; shape[0] = 3 + (uint32_t)(rep % 2) * 60; shape[1] = 700; shape[2] = 4; }
            size_t count = random_axes(&seed, rank, axes);
            if (rep >= 20) { count = 2; axes[0] = rep % 2 ? 0 : 2; axes[1] = 1; } /* long groups, both layouts */
            int dflt = rep % 8 == 3, hasScale = rep % 2 == 0, hasBias = rep % 3 != 0;
            if (dflt) {
                count = 0;
                for (uint32_t d = 1; d < rank; d++) axes[count++] = d;
            }
            uint32_t mask = 0, pshape[4];
            size_t pstride[4] = {0}, s = 1;
            for (size_t i = count; i-- > 0;) {
                mask |= 1u << axes[i];
                pshape[i] = shape[axes[i]];
                pstride[axes[i]] = s;
                s *= shape[axes[i]];
            }
            size_t n = numel(shape, rank), m;
            size_t* oi = output_index(shape, rank, mask, &m);
            size_t* si = malloc(sizeof(size_t) * n);
            for (size_t i = 0; i < n; i++) {
                size_t r = i, off = 0;
                for (uint32_t d = rank; d-- > 0;) {
                    off += (r % shape[d]) * pstride[d];
                    r /= shape[d];
                }
                si[i] = off;
            }
            void* x = random_data(t, n, D_ANY, &seed);
            void* p[4] = {random_data(t, s, D_ANY, &seed), random_data(t, s, D_ANY, &seed), NULL, NULL};
            WNNGraphBuilder b = wt_builder();
            WNNOperand in = wt_input(b, "x", t, rank, shape), out = NULL;
            WNNLayerNormalizationOptions o = WNN_LAYER_NORMALIZATION_OPTIONS_INIT;
            if (!dflt) {
                o.axes = axes;
                o.axesCount = count;
            }
            if (hasScale) o.scale = wt_input(b, "p0", t, (uint32_t)count, pshape);
            if (hasBias) o.bias = wt_input(b, "p1", t, (uint32_t)count, pshape);
            WT_OK(wnnGraphBuilderLayerNormalization(b, in, &o, &out));
            void* y = malloc(n * esize(t));
            run_norm(b, out, x, p, y);
            double* want = malloc(sizeof(double) * n);
            reference_group_norm(x, t, n, oi, m, si, hasScale ? p[0] : NULL, hasBias ? p[1] : NULL, 1e-5, want);
            char what[96];
            snprintf(what, sizeof what, "layerNormalization rank %u axes %zu (first %u)", rank, count, count ? axes[0] : 0);
            expect_float(what, t, y, want, n, 16, 1.0 / 1024);
            free(x);
            free(y);
            free(want);
            free(oi);
            free(si);
            free(p[0]);
            free(p[1]);
            wnnGraphBuilderRelease(b);
        }
}

static void test_validation(void) {
    WNNGraphBuilder b = wt_builder();
    uint32_t s234[3] = {2, 3, 4}, s3[1] = {3}, s4[1] = {4};
    WNNOperand x = wt_input(b, "x", WNNOperandDataType_Float32, 3, s234), v3 = wt_input(b, "v3", WNNOperandDataType_Float32, 1, s3);
    WNNOperand v4 = wt_input(b, "v4", WNNOperandDataType_Float32, 1, s4), i8 = wt_input(b, "i8", WNNOperandDataType_Int8, 3, s234), out;
    uint32_t dup[2] = {1, 1}, far[1] = {3};
    WNNReduceOptions ro = WNN_REDUCE_OPTIONS_INIT;
    ro.axes = dup;
    ro.axesCount = 2;
    WT_CHECK_STATUS(wnnGraphBuilderReduceSum(b, x, &ro, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("more than once");
    ro.axes = far;
    ro.axesCount = 1;
    WT_CHECK_STATUS(wnnGraphBuilderReduceMean(b, x, &ro, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("out of range");
    WT_CHECK_STATUS(wnnGraphBuilderReduceMean(b, i8, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnGraphBuilderArgMax(b, x, 3, NULL, &out), WNNStatus_TypeError);
    WNNArgMinMaxOptions ao = WNN_ARG_MIN_MAX_OPTIONS_INIT;
    ao.outputDataType = WNNOperandDataType_Float32;
    WT_CHECK_STATUS(wnnGraphBuilderArgMin(b, x, 0, &ao, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("output data type");
    WT_CHECK_STATUS(wnnGraphBuilderCumulativeSum(b, x, 5, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnGraphBuilderSoftmax(b, x, 3, NULL, &out), WNNStatus_TypeError);
    /* batchNormalization: mean must be [shape[axis]] */
    WT_CHECK_STATUS(wnnGraphBuilderBatchNormalization(b, x, v4, v3, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("mean must have shape [3]");
    WNNLayerNormalizationOptions lo = WNN_LAYER_NORMALIZATION_OPTIONS_INIT;
    uint32_t axes[1] = {2};
    lo.axes = axes;
    lo.axesCount = 1;
    lo.scale = v3;
    WT_CHECK_STATUS(wnnGraphBuilderLayerNormalization(b, x, &lo, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("scale dimension 0 is 3");
    lo.scale = v4;
    WT_OK(wnnGraphBuilderLayerNormalization(b, x, &lo, &out));
    /* an empty axes list reduces nothing */
    uint32_t none[1];
    ro.axes = none;
    ro.axesCount = 0;
    WT_OK(wnnGraphBuilderReduceSum(b, x, &ro, &out));
    WT_CHECK(wnnOperandGetRank(out) == 3);
    wnnGraphBuilderRelease(b);
}

int main(void) {
    test_arg_min_max();
    test_cumulative_sum();
    test_reductions();
    test_arg_types();
    test_cumulative_sum_types();
    test_batch_normalization();
    test_instance_normalization();
    test_layer_normalization();
    test_validation();
    return wt_summary("test_ops_reduce");
}
