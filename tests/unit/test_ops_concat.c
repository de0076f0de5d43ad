/* test_ops_concat.c: concat and split (both forms) on random shapes and axes of every data type,
 * checked byte for byte against coordinate-wise references; large tensors along early and late
 * axes (the row-parallel and copy-parallel paths), concat of 300 constant operands and splits into
 * 40 and 64 parts (more than one GPU launch takes). */
#include "mt_kit.h"

typedef struct Parts {
    const MtTensor* parts;
    size_t count;
    uint32_t axis;
} Parts;

/* concat: the part whose slab along the axis holds c[axis]. */
static const void* concat_ref(const void* ctx, const uint32_t* c) {
    const Parts* p = ctx;
    uint32_t ic[WNN_MAX_RANK], at = c[p->axis];
    size_t k = 0;
    while (at >= p->parts[k].shape[p->axis]) at -= p->parts[k++].shape[p->axis];
    memcpy(ic, c, sizeof ic);
    ic[p->axis] = at;
    return p->parts[k].data + mt_flat(&p->parts[k], ic) * p->parts[k].esize;
}

/* Concatenates n tensors of `shape` with sizes[k] along the axis; graph inputs when n <= 8, else
 * constants. */
static void concat_case(WNNOperandDataType t, uint32_t rank, const uint32_t* shape, uint32_t axis, size_t n,
                        const uint32_t* sizes, uint64_t* seed) {
    MtTensor* xs = malloc(n * sizeof *xs);
    WNNOperand* ops = malloc(n * sizeof *ops);
    const char* names[8] = {"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"};
    WNNGraphBuilder b = wt_builder();
    for (size_t k = 0; k < n; k++) {
        uint32_t s[WNN_MAX_RANK];
        memcpy(s, shape, rank * sizeof *s);
        s[axis] = sizes[k];
        xs[k] = mt_random(t, rank, s, seed);
        ops[k] = n <= 8 ? mt_input(b, names[k], &xs[k]) : wt_constant(b, t, rank, s, xs[k].data);
    }
    WNNOperand y;
    WT_OK(wnnGraphBuilderConcat(b, ops, n, axis, NULL, &y));
    MtTensor res;
    WT_OK(mt_run(b, names, xs, n <= 8 ? n : 0, &y, &res, 1));
    Parts p = {xs, n, axis};
    mt_expect("concat", &res, concat_ref, &p);
    mt_free(&res);
    for (size_t k = 0; k < n; k++) mt_free(&xs[k]);
    free(xs);
    free(ops);
    wnnGraphBuilderRelease(b);
}

static void test_concat(void) {
    uint64_t seed = 21;
    for (int rep = 0; rep < 64; rep++) {
        uint32_t rank = 1 + (uint32_t)rep % 5, shape[WNN_MAX_RANK], sizes[5];
        mt_shape(&seed, rank, 1, 4, shape);
        uint32_t axis = mt_rand(&seed, 0, rank - 1), n = mt_rand(&seed, 1, 5);
        for (uint32_t k = 0; k < n; k++) sizes[k] = mt_rand(&seed, 1, 4);
        concat_case(k_mt_types[rep % 8], rank, shape, axis, n, sizes, &seed);
    }
    uint32_t late[2] = {64, 0}, lateSizes[3] = {500, 100, 7};
    concat_case(WNNOperandDataType_Float32, 2, late, 1, 3, lateSizes, &seed);
    uint32_t early[2] = {0, 400}, earlySizes[2] = {300, 200};
    concat_case(WNNOperandDataType_Float16, 2, early, 0, 2, earlySizes, &seed);
    uint32_t many[2] = {2, 0}, manySizes[300];
    for (int k = 0; k < 300; k++) manySizes[k] = 1 + k % 2;
    concat_case(WNNOperandDataType_Int8, 2, many, 1, 300, manySizes, &seed);
    uint32_t mid[3] = {2, 0, 3}, midSizes[40]; /* 40 parts along a middle axis: two GPU launches */
    for (int k = 0; k < 40; k++) midSizes[k] = 1 + (uint32_t)(k * 5) % 3;
    concat_case(WNNOperandDataType_Uint64, 3, mid, 1, 40, midSizes, &seed);
}

/* split output k: the input slab starting at offset along the axis. */
typedef struct SplitRef {
    const MtTensor* in;
    uint32_t axis, offset;
} SplitRef;

static const void* split_ref(const void* ctx, const uint32_t* c) {
    const SplitRef* r = ctx;
    uint32_t ic[WNN_MAX_RANK];
    memcpy(ic, c, sizeof ic);
    ic[r->axis] += r->offset;
    return r->in->data + mt_flat(r->in, ic) * r->in->esize;
}

/* sizes NULL: the count form with `count` parts. */
static void split_case(WNNOperandDataType t, uint32_t rank, const uint32_t* shape, uint32_t axis, uint32_t count,
                       const uint32_t* sizes, uint64_t* seed) {
    MtTensor x = mt_random(t, rank, shape, seed);
    WNNGraphBuilder b = wt_builder();
    WNNSplitOptions o = {NULL, axis};
    WNNOperand ys[MT_MAX_OUTPUTS];
    size_t n = 99;
    if (sizes)
        WT_OK(wnnGraphBuilderSplitSizes(b, mt_input(b, "x", &x), sizes, count, &o, ys, MT_MAX_OUTPUTS, &n));
    else
        WT_OK(wnnGraphBuilderSplit(b, mt_input(b, "x", &x), count, axis ? &o : NULL, ys, MT_MAX_OUTPUTS, &n));
    WT_CHECK(n == count);
    const char* names[1] = {"x"};
    MtTensor res[MT_MAX_OUTPUTS];
    WT_OK(mt_run(b, names, &x, 1, ys, res, count));
    SplitRef r = {&x, axis, 0};
    for (uint32_t k = 0; k < count; k++) {
        uint32_t want = sizes ? sizes[k] : shape[axis] / count;
        WT_CHECK(res[k].shape[axis] == want);
        mt_expect(sizes ? "split sizes" : "split count", &res[k], split_ref, &r);
        r.offset += res[k].shape[axis];
        mt_free(&res[k]);
    }
    mt_free(&x);
    wnnGraphBuilderRelease(b);
}

static void test_split(void) {
    uint64_t seed = 22;
    for (int rep = 0; rep < 64; rep++) {
        uint32_t rank = 1 + (uint32_t)rep % 5, shape[WNN_MAX_RANK], sizes[6], n = 0;
        mt_shape(&seed, rank, 1, 4, shape);
        uint32_t axis = mt_rand(&seed, 0, rank - 1);
        if (rep & 1) { /* sizes: random cuts of the axis */
            shape[axis] = mt_rand(&seed, 1, 6);
            for (uint32_t left = shape[axis]; left; left -= sizes[n++]) sizes[n] = mt_rand(&seed, 1, left);
            split_case(k_mt_types[rep % 8], rank, shape, axis, n, sizes, &seed);
        } else { /* count: a divisor of the axis */
            uint32_t count = mt_rand(&seed, 1, 4);
            shape[axis] = count * mt_rand(&seed, 1, 3);
            split_case(k_mt_types[rep % 8], rank, shape, axis, count, NULL, &seed);
        }
    }
    uint32_t s1[2] = {64, 1000}, z1[2] = {100, 900}, s2[2] = {600, 100}, s3[3] = {5, 4, 300};
    split_case(WNNOperandDataType_Float32, 2, s1, 1, 2, z1, &seed);
    split_case(WNNOperandDataType_Float16, 2, s2, 0, 3, NULL, &seed);
    split_case(WNNOperandDataType_Int64, 3, s3, 2, 4, NULL, &seed);
    /* More parts than one GPU launch takes (32): uneven sizes along a middle axis, and a count. */
    uint32_t s4[3] = {3, 0, 5}, z4[40], total = 0;
    for (int k = 0; k < 40; k++) total += z4[k] = 1 + (uint32_t)(k * 7) % 4;
    s4[1] = total;
    split_case(WNNOperandDataType_Uint32, 3, s4, 1, 40, z4, &seed);
    uint32_t s5[2] = {64, 6};
    split_case(WNNOperandDataType_Float16, 2, s5, 0, 64, NULL, &seed);
}

int main(void) {
    test_concat();
    test_split();
    return wt_summary("test_ops_concat");
}
