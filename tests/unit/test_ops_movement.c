/* test_ops_movement.c: transpose, slice, reverse, expand, tile, reshape, pad and triangular on
 * random shapes of every data type (random bytes, checked byte for byte against a coordinate-wise
 * reference), large tensors that take the threaded, merged and tiled copy paths, rank 8, and pad's
 * value cast to each type; resample2d's two modes on every type it allows, with scales, sizes and
 * any two axes. concat and split are in test_ops_concat.c, the validation rules in
 * test_ops_movement_rules.c. */
#include <math.h>

#include "mt_kit.h"

/* A one-input op: output coordinate c reads input coordinate map(c), or the fill element. */
typedef struct Unary Unary;
struct Unary {
    const MtTensor* in;
    const MtTensor* out;
    int (*map)(const Unary* u, const uint32_t* c, uint32_t* ic); /* 0: the fill element */
    const void* fill;
    uint32_t perm[WNN_MAX_RANK], starts[WNN_MAX_RANK], steps[WNN_MAX_RANK], begin[WNN_MAX_RANK];
    uint8_t reversed[WNN_MAX_RANK];
    WNNPaddingMode mode;
    int upper, diagonal;
};

static const void* unary_ref(const void* ctx, const uint32_t* c) {
    const Unary* u = ctx;
    uint32_t ic[WNN_MAX_RANK];
    if (!u->map(u, c, ic)) return u->fill;
    return u->in->data + mt_flat(u->in, ic) * u->in->esize;
}

/* Runs the graph b (input "x" from u->in, output y) and checks y against the map. */
static void check_unary(const char* what, WNNGraphBuilder b, WNNOperand y, Unary* u) {
    const char* names[1] = {"x"};
    MtTensor res;
    WT_OK(mt_run(b, names, u->in, 1, &y, &res, 1));
    u->out = &res;
    mt_expect(what, &res, unary_ref, u);
    mt_free(&res);
    wnnGraphBuilderRelease(b);
}

static void random_perm(uint64_t* seed, uint32_t rank, uint32_t* perm) {
    for (uint32_t i = 0; i < rank; i++) perm[i] = i;
    for (uint32_t i = rank; i > 1; i--) {
        uint32_t j = mt_rand(seed, 0, i - 1), t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}

/* ---- transpose ---- */

static int transpose_map(const Unary* u, const uint32_t* c, uint32_t* ic) {
    for (uint32_t d = 0; d < u->out->rank; d++) ic[u->perm[d]] = c[d];
    return 1;
}

static void transpose_case(WNNOperandDataType t, uint32_t rank, const uint32_t* shape, const uint32_t* perm,
                           uint64_t* seed) {
    MtTensor x = mt_random(t, rank, shape, seed);
    Unary u = {&x, NULL, transpose_map, NULL, {0}, {0}, {0}, {0}, {0}, 0, 0, 0};
    WNNGraphBuilder b = wt_builder();
    WNNTransposeOptions o = {NULL, perm, rank};
    for (uint32_t d = 0; d < rank; d++) u.perm[d] = perm ? perm[d] : rank - 1 - d;
    WNNOperand y;
    WT_OK(wnnGraphBuilderTranspose(b, mt_input(b, "x", &x), perm ? &o : NULL, &y));
    check_unary("transpose", b, y, &u);
    mt_free(&x);
}

static void test_transpose(void) {
    uint64_t seed = 11;
    for (int rep = 0; rep < 64; rep++) {
        uint32_t rank = (uint32_t)rep % 7, shape[WNN_MAX_RANK], perm[WNN_MAX_RANK];
        mt_shape(&seed, rank, 1, 4, shape);
        random_perm(&seed, rank, perm);
        transpose_case(k_mt_types[rep % 8], rank, shape, rep % 4 == 3 ? NULL : perm, &seed);
    }
    /* Large: tiled transposition (partial tiles), BERT's head split and key transpose, rank 8. */
    static const struct {
        WNNOperandDataType t;
        uint32_t rank, shape[8], perm[8];
    } big[] = {
        {WNNOperandDataType_Float32, 2, {256, 300}, {1, 0}},
        {WNNOperandDataType_Float16, 4, {2, 64, 12, 33}, {0, 2, 1, 3}},
        {WNNOperandDataType_Int8, 4, {2, 12, 64, 33}, {0, 1, 3, 2}},
        {WNNOperandDataType_Int64, 3, {3, 70, 45}, {2, 0, 1}},
        {WNNOperandDataType_Uint32, 4, {40, 3, 50, 2}, {2, 3, 1, 0}},
        {WNNOperandDataType_Float32, 8, {2, 3, 2, 3, 2, 3, 2, 3}, {7, 0, 6, 1, 5, 2, 4, 3}},
    };
    for (size_t i = 0; i < MT_COUNT(big); i++) transpose_case(big[i].t, big[i].rank, big[i].shape, big[i].perm, &seed);
}

/* ---- slice ---- */

static int slice_map(const Unary* u, const uint32_t* c, uint32_t* ic) {
    for (uint32_t d = 0; d < u->out->rank; d++) ic[d] = u->starts[d] + c[d] * u->steps[d];
    return 1;
}

static void slice_case(WNNOperandDataType t, uint32_t rank, const uint32_t* shape, const uint32_t* starts,
                       const uint32_t* sizes, const uint32_t* steps, uint64_t* seed) {
    MtTensor x = mt_random(t, rank, shape, seed);
    Unary u = {&x, NULL, slice_map, NULL, {0}, {0}, {0}, {0}, {0}, 0, 0, 0};
    uint32_t want[WNN_MAX_RANK];
    for (uint32_t d = 0; d < rank; d++) {
        u.starts[d] = starts[d];
        u.steps[d] = steps ? steps[d] : 1;
        want[d] = (sizes[d] + u.steps[d] - 1) / u.steps[d];
    }
    WNNGraphBuilder b = wt_builder();
    WNNSliceOptions o = {NULL, steps, rank};
    WNNOperand y;
    WT_OK(wnnGraphBuilderSlice(b, mt_input(b, "x", &x), starts, rank, sizes, rank, steps ? &o : NULL, &y));
    uint32_t got[WNN_MAX_RANK];
    wnnOperandGetShape(y, got);
    WT_CHECK(memcmp(got, want, rank * sizeof(uint32_t)) == 0);
    check_unary("slice", b, y, &u);
    mt_free(&x);
}

static void test_slice(void) {
    uint64_t seed = 12;
    for (int rep = 0; rep < 64; rep++) {
        uint32_t rank = (uint32_t)rep % 7, shape[WNN_MAX_RANK], starts[WNN_MAX_RANK], sizes[WNN_MAX_RANK],
                 steps[WNN_MAX_RANK];
        mt_shape(&seed, rank, 1, 6, shape);
        for (uint32_t d = 0; d < rank; d++) {
            starts[d] = mt_rand(&seed, 0, shape[d] - 1);
            sizes[d] = mt_rand(&seed, 1, shape[d] - starts[d]);
            steps[d] = mt_rand(&seed, 1, 3);
        }
        slice_case(k_mt_types[rep % 8], rank, shape, starts, sizes, rep % 3 ? steps : NULL, &seed);
    }
    uint32_t s1[2] = {300, 400}, st1[2] = {10, 5}, z1[2] = {280, 390};
    slice_case(WNNOperandDataType_Float32, 2, s1, st1, z1, NULL, &seed);
    uint32_t s2[3] = {4, 1000, 33}, st2[3] = {1, 2, 0}, z2[3] = {3, 997, 33}, p2[3] = {1, 3, 1};
    slice_case(WNNOperandDataType_Uint8, 3, s2, st2, z2, p2, &seed);
    uint32_t s3[3] = {8, 128, 768}, st3[3] = {0, 0, 0}, z3[3] = {8, 1, 768}; /* BERT's [CLS] row */
    slice_case(WNNOperandDataType_Float16, 3, s3, st3, z3, NULL, &seed);
    uint32_t s8[8] = {3, 4, 2, 5, 3, 2, 4, 3}, st8[8] = {1, 0, 1, 1, 0, 0, 1, 2}, z8[8] = {2, 4, 1, 4, 3, 2, 3, 1},
             p8[8] = {1, 3, 1, 2, 2, 1, 2, 1};
    slice_case(WNNOperandDataType_Int8, 8, s8, st8, z8, p8, &seed);
}

/* ---- reverse ---- */

static int reverse_map(const Unary* u, const uint32_t* c, uint32_t* ic) {
    for (uint32_t d = 0; d < u->out->rank; d++) ic[d] = u->reversed[d] ? u->in->shape[d] - 1 - c[d] : c[d];
    return 1;
}

/* axes NULL: all; count 0 with non-NULL axes: none. */
static void reverse_case(WNNOperandDataType t, uint32_t rank, const uint32_t* shape, const uint32_t* axes, size_t count,
                         uint64_t* seed) {
    MtTensor x = mt_random(t, rank, shape, seed);
    Unary u = {&x, NULL, reverse_map, NULL, {0}, {0}, {0}, {0}, {0}, 0, 0, 0};
    for (uint32_t d = 0; d < rank; d++) u.reversed[d] = axes == NULL;
    for (size_t i = 0; axes && i < count; i++) u.reversed[axes[i]] = 1;
    WNNGraphBuilder b = wt_builder();
    WNNReverseOptions o = {NULL, axes, count};
    WNNOperand y;
    WT_OK(wnnGraphBuilderReverse(b, mt_input(b, "x", &x), axes ? &o : NULL, &y));
    check_unary("reverse", b, y, &u);
    mt_free(&x);
}

static void test_reverse(void) {
    uint64_t seed = 13;
    for (int rep = 0; rep < 64; rep++) {
        uint32_t rank = (uint32_t)rep % 7, shape[WNN_MAX_RANK], perm[WNN_MAX_RANK];
        mt_shape(&seed, rank, 1, 5, shape);
        random_perm(&seed, rank, perm); /* its first n entries: n distinct axes in random order */
        uint32_t n = rank ? mt_rand(&seed, 0, rank) : 0;
        reverse_case(k_mt_types[rep % 8], rank, shape, rep % 5 == 4 ? NULL : perm, n, &seed);
    }
    uint32_t s[2] = {300, 257}, a0[1] = {0}, a1[1] = {1}, s8[8] = {2, 3, 2, 1, 3, 2, 2, 3}, a8[4] = {7, 0, 3, 5};
    reverse_case(WNNOperandDataType_Int64, 8, s8, a8, 4, &seed);
    reverse_case(WNNOperandDataType_Float32, 2, s, a1, 1, &seed);
    reverse_case(WNNOperandDataType_Int8, 2, s, a0, 1, &seed);
    reverse_case(WNNOperandDataType_Float16, 2, s, NULL, 0, &seed);
}

/* ---- expand ---- */

static int expand_map(const Unary* u, const uint32_t* c, uint32_t* ic) {
    uint32_t lead = u->out->rank - u->in->rank;
    for (uint32_t d = 0; d < u->in->rank; d++) ic[d] = u->in->shape[d] == 1 ? 0 : c[lead + d];
    return 1;
}

static void expand_case(WNNOperandDataType t, uint32_t rank, const uint32_t* shape, uint32_t newRank,
                        const uint32_t* newShape, uint64_t* seed) {
    MtTensor x = mt_random(t, rank, shape, seed);
    Unary u = {&x, NULL, expand_map, NULL, {0}, {0}, {0}, {0}, {0}, 0, 0, 0};
    WNNGraphBuilder b = wt_builder();
    WNNOperand y;
    WT_OK(wnnGraphBuilderExpand(b, mt_input(b, "x", &x), newShape, newRank, NULL, &y));
    check_unary("expand", b, y, &u);
    mt_free(&x);
}

static void test_expand(void) {
    uint64_t seed = 14;
    for (int rep = 0; rep < 64; rep++) {
        uint32_t rank = (uint32_t)rep % 5, lead = mt_rand(&seed, 0, 2), shape[WNN_MAX_RANK], to[WNN_MAX_RANK];
        mt_shape(&seed, rank, 1, 4, shape);
        mt_shape(&seed, lead, 1, 4, to);
        for (uint32_t d = 0; d < rank; d++) {
            if (wt_next(&seed) & 1) shape[d] = 1;
            to[lead + d] = shape[d] == 1 ? mt_rand(&seed, 1, 4) : shape[d];
        }
        expand_case(k_mt_types[rep % 8], rank, shape, rank + lead, to, &seed);
    }
    uint32_t row[2] = {1, 300}, col[2] = {300, 1}, big[2] = {500, 300}, bigT[2] = {300, 500}, wide[2] = {1000, 70};
    expand_case(WNNOperandDataType_Float32, 2, row, 2, big, &seed);
    expand_case(WNNOperandDataType_Int32, 2, col, 2, bigT, &seed);
    expand_case(WNNOperandDataType_Int64, 0, NULL, 2, wide, &seed);
    uint32_t in8[5] = {3, 1, 2, 1, 4}, to8[8] = {2, 2, 3, 3, 2, 2, 2, 4};
    expand_case(WNNOperandDataType_Uint8, 5, in8, 8, to8, &seed);
}

/* ---- tile ---- */

static int tile_map(const Unary* u, const uint32_t* c, uint32_t* ic) {
    for (uint32_t d = 0; d < u->in->rank; d++) ic[d] = c[d] % u->in->shape[d];
    return 1;
}

static void tile_case(WNNOperandDataType t, uint32_t rank, const uint32_t* shape, const uint32_t* reps,
                      uint64_t* seed) {
    MtTensor x = mt_random(t, rank, shape, seed);
    Unary u = {&x, NULL, tile_map, NULL, {0}, {0}, {0}, {0}, {0}, 0, 0, 0};
    WNNGraphBuilder b = wt_builder();
    WNNOperand y;
    WT_OK(wnnGraphBuilderTile(b, mt_input(b, "x", &x), reps, rank, NULL, &y));
    check_unary("tile", b, y, &u);
    mt_free(&x);
}

static void test_tile(void) {
    uint64_t seed = 15;
    for (int rep = 0; rep < 64; rep++) {
        uint32_t rank = (uint32_t)rep % 6, shape[WNN_MAX_RANK], reps[WNN_MAX_RANK];
        mt_shape(&seed, rank, 1, 3, shape);
        mt_shape(&seed, rank, 1, 3, reps);
        tile_case(k_mt_types[rep % 8], rank, shape, reps, &seed);
    }
    uint32_t s[2] = {7, 33}, r[2] = {40, 9}, s1[3] = {3, 1, 50}, r1[3] = {2, 300, 1};
    tile_case(WNNOperandDataType_Float32, 2, s, r, &seed);
    tile_case(WNNOperandDataType_Uint8, 3, s1, r1, &seed);
    uint32_t s8[8] = {2, 1, 3, 2, 1, 2, 2, 3}, r8[8] = {1, 3, 2, 1, 2, 2, 1, 2};
    tile_case(WNNOperandDataType_Float16, 8, s8, r8, &seed);
}

/* ---- reshape ---- */

static int reshape_map(const Unary* u, const uint32_t* c, uint32_t* ic) {
    mt_coord(u->in, mt_flat(u->out, c), ic);
    return 1;
}

static void test_reshape(void) {
    uint64_t seed = 16;
    for (int rep = 0; rep < 48; rep++) {
        uint32_t rank = (uint32_t)rep % 6, shape[WNN_MAX_RANK], perm[WNN_MAX_RANK], to[WNN_MAX_RANK], n = 0;
        mt_shape(&seed, rank, 1, 5, shape);
        random_perm(&seed, rank, perm);
        for (uint32_t d = 0; d < rank; d++) { /* the same factors in another order, with 1s between */
            to[n++] = shape[perm[d]];
            if (n < WNN_MAX_RANK && (wt_next(&seed) & 3) == 0) to[n++] = 1;
        }
        MtTensor x = mt_random(k_mt_types[rep % 8], rank, shape, &seed);
        Unary u = {&x, NULL, reshape_map, NULL, {0}, {0}, {0}, {0}, {0}, 0, 0, 0};
        WNNGraphBuilder b = wt_builder();
        WNNOperand y;
        WT_OK(wnnGraphBuilderReshape(b, mt_input(b, "x", &x), to, n, NULL, &y));
        WT_CHECK(wnnOperandGetRank(y) == n);
        check_unary("reshape", b, y, &u);
        mt_free(&x);
    }
}

/* ---- pad ---- */

/* v (small and exact in every type) in t's encoding. */
static void encode_small(WNNOperandDataType t, double v, void* out) {
    uint64_t raw = 0;
    switch (t) {
        case WNNOperandDataType_Float32: {
            float f = (float)v;
            memcpy(&raw, &f, 4);
            break;
        }
        case WNNOperandDataType_Float16: raw = wt_d2h(v); break;
        default: raw = (uint64_t)(int64_t)v; break; /* little-endian: the low bytes are the value */
    }
    memcpy(out, &raw, 8);
}

static int pad_map(const Unary* u, const uint32_t* c, uint32_t* ic) {
    for (uint32_t d = 0; d < u->in->rank; d++) {
        int64_t n = u->in->shape[d], x = (int64_t)c[d] - u->begin[d];
        if (x < 0 || x >= n) {
            if (u->mode == WNNPaddingMode_Constant) return 0;
            if (u->mode == WNNPaddingMode_Edge)
                x = x < 0 ? 0 : n - 1;
            else
                x = x < 0 ? -x : 2 * n - 2 - x; /* mirror around the first or last element */
        }
        ic[d] = (uint32_t)x;
    }
    return 1;
}

static void pad_case(WNNOperandDataType t, WNNPaddingMode mode, uint32_t rank, const uint32_t* shape,
                     const uint32_t* begin, const uint32_t* end, uint64_t* seed) {
    MtTensor x = mt_random(t, rank, shape, seed);
    int isUnsigned = t == WNNOperandDataType_Uint32 || t == WNNOperandDataType_Uint64 || t == WNNOperandDataType_Uint8;
    double value = isUnsigned ? 5 : -3; /* exact in the type (-3 would saturate to 0 in an unsigned one) */
    uint64_t fill;
    encode_small(t, value, &fill);
    Unary u = {&x, NULL, pad_map, &fill, {0}, {0}, {0}, {0}, {0}, mode, 0, 0};
    for (uint32_t d = 0; d < rank; d++) u.begin[d] = begin[d];
    WNNGraphBuilder b = wt_builder();
    WNNPadOptions o = {NULL, mode, wnnNumberDouble(value)};
    WNNOperand y;
    WT_OK(wnnGraphBuilderPad(b, mt_input(b, "x", &x), begin, rank, end, rank, &o, &y));
    if (mode == WNNPaddingMode_Constant && (wt_next(seed) & 1)) { /* default options: mode constant, value 0 */
        wnnGraphBuilderRelease(b);
        b = wt_builder();
        encode_small(t, 0, &fill);
        u.mode = WNNPaddingMode_Constant;
        WT_OK(wnnGraphBuilderPad(b, mt_input(b, "x", &x), begin, rank, end, rank, NULL, &y));
    }
    static const char* const what[4] = {"", "pad constant", "pad edge", "pad reflection"};
    check_unary(what[mode], b, y, &u);
    mt_free(&x);
}

static void test_pad(void) {
    uint64_t seed = 17;
    static const WNNPaddingMode modes[3] = {WNNPaddingMode_Constant, WNNPaddingMode_Edge, WNNPaddingMode_Reflection};
    for (int rep = 0; rep < 72; rep++) {
        WNNPaddingMode mode = modes[rep % 3];
        uint32_t rank = (uint32_t)(rep / 3) % 5, shape[WNN_MAX_RANK], begin[WNN_MAX_RANK], end[WNN_MAX_RANK];
        mt_shape(&seed, rank, 1, 4, shape);
        for (uint32_t d = 0; d < rank; d++) {
            uint32_t most = mode == WNNPaddingMode_Reflection ? shape[d] - 1 : 3;
            begin[d] = mt_rand(&seed, 0, most);
            end[d] = mt_rand(&seed, 0, most);
        }
        pad_case(k_mt_types[(rep / 3) % 8], mode, rank, shape, begin, end, &seed); /* every mode x type */
    }
    uint32_t s[2] = {300, 200}, b1[2] = {3, 5}, e1[2] = {4, 6}, b2[2] = {40, 2}, e2[2] = {1, 150};
    uint32_t s8[8] = {2, 3, 1, 2, 2, 3, 2, 2}, b8[8] = {1, 0, 0, 1, 1, 2, 0, 1}, e8[8] = {0, 2, 0, 1, 1, 1, 1, 0};
    for (int m = 0; m < 3; m++) {
        pad_case(WNNOperandDataType_Float32, modes[m], 2, s, b1, e1, &seed);
        pad_case(WNNOperandDataType_Int8, modes[m], 2, s, b2, e2, &seed);
        if (modes[m] != WNNPaddingMode_Reflection) pad_case(WNNOperandDataType_Uint64, modes[m], 8, s8, b8, e8, &seed);
    }
}

/* The constant is cast to the input type as the spec's cast does: round half to even and
 * saturate for integers, 64-bit integers exact, NaN to 0, floats rounded once. */
static void test_pad_value_cast(void) {
    const double nan = NAN, inf = INFINITY;
    static const uint64_t big60 = ((uint64_t)1 << 60) + ((uint64_t)1 << 36) + 1; /* float32 ties via double */
    float f60 = (float)((uint64_t)1 << 60) + (float)((uint64_t)1 << 37), fmax64 = 18446744073709551616.0f;
    float negzero = -0.0f, finf = INFINITY;
    uint32_t b60, bmax, bnz, binf;
    memcpy(&b60, &f60, 4);
    memcpy(&bmax, &fmax64, 4);
    memcpy(&bnz, &negzero, 4);
    memcpy(&binf, &finf, 4);
    struct {
        WNNOperandDataType t;
        WNNNumber v;
        uint64_t want; /* the element's bytes, zero-extended */
    } cases[] = {
        {WNNOperandDataType_Int32, wnnNumberDouble(2.5), 2},
        {WNNOperandDataType_Int32, wnnNumberDouble(3.5), 4},
        {WNNOperandDataType_Int32, wnnNumberDouble(-2.5), (uint32_t)-2},
        {WNNOperandDataType_Int32, wnnNumberDouble(-3.7), (uint32_t)-4},
        {WNNOperandDataType_Int32, wnnNumberDouble(1e10), 0x7fffffff},
        {WNNOperandDataType_Int32, wnnNumberDouble(-inf), 0x80000000u},
        {WNNOperandDataType_Int32, wnnNumberDouble(nan), 0},
        {WNNOperandDataType_Uint8, wnnNumberDouble(-1), 0},
        {WNNOperandDataType_Uint8, wnnNumberDouble(254.5), 254},
        {WNNOperandDataType_Uint8, wnnNumberDouble(255.5), 255},
        {WNNOperandDataType_Int8, wnnNumberInt64(-1000), 0x80},
        {WNNOperandDataType_Int8, wnnNumberUint64(UINT64_MAX), 0x7f},
        {WNNOperandDataType_Uint32, wnnNumberDouble(4294967295.0), 0xffffffffu},
        {WNNOperandDataType_Uint32, wnnNumberInt64(-7), 0},
        {WNNOperandDataType_Int64, wnnNumberInt64(INT64_MIN), (uint64_t)INT64_MIN},
        {WNNOperandDataType_Int64, wnnNumberInt64(9007199254740993), 9007199254740993u},
        {WNNOperandDataType_Int64, wnnNumberUint64(UINT64_MAX), (uint64_t)INT64_MAX},
        {WNNOperandDataType_Uint64, wnnNumberUint64(UINT64_MAX), UINT64_MAX},
        {WNNOperandDataType_Uint64, wnnNumberInt64(-5), 0},
        {WNNOperandDataType_Float32, wnnNumberInt64((int64_t)big60), b60},
        {WNNOperandDataType_Float32, wnnNumberUint64(UINT64_MAX), bmax},
        {WNNOperandDataType_Float32, wnnNumberDouble(-0.0), bnz},
        {WNNOperandDataType_Float32, wnnNumberDouble(1e39), binf},
        {WNNOperandDataType_Float16, wnnNumberDouble(0.1), 0x2e66},
        {WNNOperandDataType_Float16, wnnNumberDouble(65520), 0x7c00},
        {WNNOperandDataType_Float16, wnnNumberInt64(3), 0x4200},
        {WNNOperandDataType_Float16, wnnNumberDouble(-inf), 0xfc00},
    };
    uint64_t seed = 18;
    for (size_t i = 0; i < MT_COUNT(cases); i++) {
        uint32_t one[1] = {1}, zero[1] = {0};
        MtTensor x = mt_random(cases[i].t, 1, one, &seed);
        WNNGraphBuilder b = wt_builder();
        WNNPadOptions o = {NULL, WNNPaddingMode_Constant, cases[i].v};
        WNNOperand y;
        WT_OK(wnnGraphBuilderPad(b, mt_input(b, "x", &x), one, 1, zero, 1, &o, &y));
        const char* names[1] = {"x"};
        MtTensor res;
        WT_OK(mt_run(b, names, &x, 1, &y, &res, 1));
        uint64_t got = 0;
        memcpy(&got, res.data, res.esize);
        WT_CHECK(got == cases[i].want && memcmp(res.data + res.esize, x.data, x.esize) == 0);
        if (got != cases[i].want)
            fprintf(stderr, "pad value case %zu: got 0x%llx, want 0x%llx\n", i, (unsigned long long)got,
                    (unsigned long long)cases[i].want);
        mt_free(&res);
        mt_free(&x);
        wnnGraphBuilderRelease(b);
    }
}

/* ---- triangular ---- */

static int triangular_map(const Unary* u, const uint32_t* c, uint32_t* ic) {
    uint32_t r = u->in->rank;
    long diff = (long)c[r - 1] - (long)c[r - 2];
    if (u->upper ? diff < u->diagonal : diff > u->diagonal) return 0;
    memcpy(ic, c, r * sizeof(uint32_t));
    return 1;
}

static void triangular_case(WNNOperandDataType t, uint32_t rank, const uint32_t* shape, WNNOptionalBool upper,
                            int32_t diagonal, uint64_t* seed) {
    MtTensor x = mt_random(t, rank, shape, seed);
    static const uint64_t zero = 0;
    Unary u = {&x, NULL, triangular_map, &zero, {0}, {0}, {0}, {0}, {0}, 0, upper != WNNOptionalBool_False, diagonal};
    WNNGraphBuilder b = wt_builder();
    WNNTriangularOptions o = {NULL, upper, diagonal};
    int defaults = upper == WNNOptionalBool_Undefined && diagonal == 0;
    WNNOperand y;
    WT_OK(wnnGraphBuilderTriangular(b, mt_input(b, "x", &x), defaults ? NULL : &o, &y));
    check_unary("triangular", b, y, &u);
    mt_free(&x);
}

static void test_triangular(void) {
    uint64_t seed = 19;
    static const WNNOptionalBool uppers[3] = {WNNOptionalBool_Undefined, WNNOptionalBool_True, WNNOptionalBool_False};
    for (int rep = 0; rep < 72; rep++) {
        uint32_t rank = 2 + (uint32_t)rep % 4, shape[WNN_MAX_RANK];
        mt_shape(&seed, rank, 1, 6, shape);
        int32_t diag = rep % 9 == 0 ? 0 : (int32_t)mt_rand(&seed, 0, 16) - 8; /* beyond the matrix too */
        triangular_case(k_mt_types[rep % 8], rank, shape, uppers[rep % 3], diag, &seed);
    }
    uint32_t s[3] = {3, 200, 300};
    triangular_case(WNNOperandDataType_Float32, 3, s, WNNOptionalBool_True, 17, &seed);
    triangular_case(WNNOperandDataType_Float16, 3, s, WNNOptionalBool_False, -40, &seed);
    triangular_case(WNNOperandDataType_Int64, 3, s, WNNOptionalBool_False, INT32_MAX, &seed);
    triangular_case(WNNOperandDataType_Int8, 3, s, WNNOptionalBool_True, INT32_MIN, &seed);
}

/* ---- resample2d ---- */

/* resample2d moves elements too (nearest) or blends four of them (linear); the reference follows
 * the spec's half-pixel mapping with scale = output size / input size, in double, and stores as
 * every backend must: floats rounded once, integers truncated (and saturated). */
typedef struct Resample {
    const MtTensor *in, *out;
    int linear;
    uint32_t ax[2];
} Resample;

static double rs_coord(uint32_t o, uint32_t in, uint32_t out) {
    double scale = (double)out / in, x = ((double)o + 0.5) / scale - 0.5;
    return x < 0 ? 0 : x > in - 1 ? in - 1 : x;
}

static double rs_load(const MtTensor* m, const uint32_t* c) {
    const unsigned char* p = m->data + mt_flat(m, c) * m->esize;
    switch (m->type) {
        case WNNOperandDataType_Float32: {
            float f;
            memcpy(&f, p, 4);
            return f;
        }
        case WNNOperandDataType_Float16: {
            uint16_t h;
            memcpy(&h, p, 2);
            return wt_h2f(h);
        }
        case WNNOperandDataType_Int8: return (int8_t)p[0];
        default: return p[0];
    }
}

static void rs_store(WNNOperandDataType t, double v, unsigned char* out) {
    double q = trunc(v);
    switch (t) {
        case WNNOperandDataType_Float32: {
            float f = (float)v;
            memcpy(out, &f, 4);
            break;
        }
        case WNNOperandDataType_Float16: {
            uint16_t h = wt_d2h(v); /* a NaN of any payload becomes 0x7e00 */
            memcpy(out, &h, 2);
            break;
        }
        case WNNOperandDataType_Int8: out[0] = (unsigned char)(int8_t)(q < -128 ? -128 : q > 127 ? 127 : q); break;
        default: out[0] = (unsigned char)(q < 0 ? 0 : q > 255 ? 255 : q); break;
    }
}

static const void* resample_ref(const void* ctx, const uint32_t* c) {
    const Resample* r = ctx;
    static unsigned char bytes[8];
    uint32_t a0 = r->ax[0], a1 = r->ax[1], ic[4];
    memcpy(ic, c, sizeof ic);
    double y = rs_coord(c[a0], r->in->shape[a0], r->out->shape[a0]);
    double x = rs_coord(c[a1], r->in->shape[a1], r->out->shape[a1]);
    if (!r->linear) { /* the nearest neighbour, ties to the lower index */
        ic[a0] = (uint32_t)ceil(y - 0.5);
        ic[a1] = (uint32_t)ceil(x - 0.5);
        rs_store(r->in->type, rs_load(r->in, ic), bytes);
        return bytes;
    }
    uint32_t y0 = (uint32_t)floor(y), x0 = (uint32_t)floor(x);
    uint32_t y1 = y0 + 1 < r->in->shape[a0] ? y0 + 1 : y0, x1 = x0 + 1 < r->in->shape[a1] ? x0 + 1 : x0;
    double fy = y - y0, fx = x - x0, v[4];
    const uint32_t ys[2] = {y0, y1}, xs[2] = {x0, x1};
    for (int k = 0; k < 4; k++) {
        ic[a0] = ys[k / 2];
        ic[a1] = xs[k % 2];
        v[k] = rs_load(r->in, ic);
    }
    rs_store(r->in->type, (1 - fy) * ((1 - fx) * v[0] + fx * v[1]) + fy * ((1 - fx) * v[2] + fx * v[3]), bytes);
    return bytes;
}

/* Random elements: any bytes for nearest (a float32 signalling NaN made quiet: copies of it may
 * or may not quiet it); finite values for linear. */
static MtTensor rs_input(WNNOperandDataType t, const uint32_t* shape, int linear, uint64_t* seed) {
    MtTensor x = mt_random(t, 4, shape, seed);
    for (size_t i = 0; i < x.count; i++) {
        unsigned char* p = x.data + i * x.esize;
        if (t == WNNOperandDataType_Float32) {
            uint32_t u;
            memcpy(&u, p, 4);
            if (linear) {
                float f = (float)wt_rand(seed, -100, 100);
                memcpy(&u, &f, 4);
            } else if ((u & 0x7fffffffu) > 0x7f800000u) {
                u |= 0x00400000u;
            }
            memcpy(p, &u, 4);
        } else if (t == WNNOperandDataType_Float16 && linear) {
            uint16_t h = wt_d2h(wt_rand(seed, -100, 100));
            memcpy(p, &h, 2);
        }
    }
    return x;
}

/* scales NULL: sizes. axes NULL: the default [2, 3]. */
static void resample_case(WNNOperandDataType t, int linear, const uint32_t* shape, const uint32_t* axes,
                          const float* scales, const uint32_t* sizes, uint64_t* seed) {
    MtTensor x = rs_input(t, shape, linear, seed);
    Resample r = {&x, NULL, linear, {axes ? axes[0] : 2, axes ? axes[1] : 3}};
    WNNGraphBuilder b = wt_builder();
    WNNResample2dOptions o = WNN_RESAMPLE2D_OPTIONS_INIT;
    o.mode = linear ? WNNInterpolationMode_Linear : WNNInterpolationMode_NearestNeighbor;
    if (scales) {
        o.scales = scales;
        o.scalesCount = 2;
    } else {
        o.sizes = sizes;
        o.sizesCount = 2;
    }
    if (axes) {
        o.axes = axes;
        o.axesCount = 2;
    }
    WNNOperand y;
    WT_OK(wnnGraphBuilderResample2d(b, mt_input(b, "x", &x), &o, &y));
    const char* names[1] = {"x"};
    MtTensor res;
    WT_OK(mt_run(b, names, &x, 1, &y, &res, 1));
    r.out = &res;
    mt_expect(linear ? "resample2d linear" : "resample2d nearest", &res, resample_ref, &r);
    mt_free(&res);
    mt_free(&x);
    wnnGraphBuilderRelease(b);
}

static void test_resample2d(void) {
    static const WNNOperandDataType types[4] = {WNNOperandDataType_Float32, WNNOperandDataType_Float16,
                                                WNNOperandDataType_Int8, WNNOperandDataType_Uint8};
    static const uint32_t axes[6][2] = {{2, 3}, {1, 2}, {0, 1}, {3, 2}, {0, 3}, {2, 1}};
    uint64_t seed = 20;
    for (int rep = 0; rep < 96; rep++) {
        WNNOperandDataType t = types[rep % 4];
        int linear = (rep / 4) % 2;
        const uint32_t* ax = axes[(rep / 8) % 6];
        uint32_t shape[4], sizes[2];
        float scales[2];
        mt_shape(&seed, 4, 1, 5, shape);
        for (int i = 0; i < 2; i++) {
            /* whole output sizes from scales (a half only of an even size), else any size */
            static const float k[4] = {1, 2, 3, 0.5f};
            scales[i] = k[wt_next(&seed) % 4];
            if (scales[i] == 0.5f && shape[ax[i]] % 2) scales[i] = 2;
            sizes[i] = mt_rand(&seed, 1, 9);
        }
        int useScales = rep % 3 == 0;
        resample_case(t, linear, shape, rep % 8 == 0 ? NULL : ax, useScales ? scales : NULL, useScales ? NULL : sizes,
                      &seed);
    }
    uint32_t img[4] = {1, 3, 40, 50}, nhwc[4] = {2, 30, 20, 4}, nhwcAxes[2] = {1, 2};
    uint32_t up[2] = {45, 7}, down[2] = {13, 50};
    float twice[2] = {2, 2};
    resample_case(WNNOperandDataType_Float16, 1, img, NULL, twice, NULL, &seed);
    resample_case(WNNOperandDataType_Float32, 0, img, NULL, twice, NULL, &seed);
    resample_case(WNNOperandDataType_Int8, 1, nhwc, nhwcAxes, NULL, up, &seed);
    resample_case(WNNOperandDataType_Uint8, 0, img, NULL, NULL, down, &seed);
}

int main(void) {
    test_transpose();
    test_slice();
    test_reverse();
    test_expand();
    test_tile();
    test_reshape();
    test_pad();
    test_pad_value_cast();
    test_triangular();
    test_resample2d();
    return wt_summary("test_ops_movement");
}
