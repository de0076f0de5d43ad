/* test_ops_gather.c: gather, gatherElements, gatherND, scatterElements and scatterND (only gather
 * has W3C data) on random shapes and axes of every data type and every indices type, with
 * negative, out-of-range and extreme indices (clamped into range), indices as inputs and as
 * constants, and repeated scatter indices (the last update in row-major order wins, also among
 * thousands of updates to a few slots); large cases for the threaded paths; the validation rules
 * of the five ops with their messages. */
#include "mt_kit.h"

#define I32 WNNOperandDataType_Int32
#define U32 WNNOperandDataType_Uint32
#define I64 WNNOperandDataType_Int64
static const WNNOperandDataType k_index_types[3] = {I32, U32, I64};

/* A random index for a dimension of size n: mostly within -n..n-1 (0..n-1 for uint32), else out
 * of range or at the type's extremes. */
static int64_t random_index(uint64_t* seed, uint32_t n, WNNOperandDataType t) {
    if (wt_next(seed) % 10 < 7) {
        int64_t v = (int64_t)(wt_next(seed) % (2 * (uint64_t)n)) - n;
        return t == U32 && v < 0 ? v + n : v;
    }
    const int64_t i32[5] = {-(int64_t)n - 1, n, (int64_t)n + 5, INT32_MIN, INT32_MAX};
    const int64_t u32[4] = {n, (int64_t)n + 5, UINT32_MAX, 0x80000000ll};
    const int64_t i64[5] = {-(int64_t)n - 1, n, INT64_MIN, INT64_MAX, (int64_t)1 << 40};
    switch (t) {
        case I32: return i32[wt_next(seed) % 5];
        case U32: return u32[wt_next(seed) % 4];
        default: return i64[wt_next(seed) % 5];
    }
}

/* An indices tensor whose last-dimension entry j indexes a dimension of size dims[j % ndims]. */
static MtTensor random_indices(uint64_t* seed, WNNOperandDataType t, uint32_t rank, const uint32_t* shape,
                               const uint32_t* dims, uint32_t ndims) {
    MtTensor m = mt_random(t, rank, shape, seed);
    for (size_t i = 0; i < m.count; i++) {
        int64_t v = random_index(seed, dims[i % ndims], t);
        if (t == I32)
            ((int32_t*)(void*)m.data)[i] = (int32_t)v;
        else if (t == U32)
            ((uint32_t*)(void*)m.data)[i] = (uint32_t)v;
        else
            ((int64_t*)(void*)m.data)[i] = v;
    }
    return m;
}

/* The spec's rule, written out: -n..-1 count from the end; beyond either end clamps. */
static uint32_t ref_index(const MtTensor* idx, size_t i, uint32_t n) {
    int64_t v = idx->type == I32   ? ((const int32_t*)(const void*)idx->data)[i]
                : idx->type == U32 ? (int64_t)((const uint32_t*)(const void*)idx->data)[i]
                                   : ((const int64_t*)(const void*)idx->data)[i];
    if (v >= (int64_t)n) return n - 1;
    if (v >= 0) return (uint32_t)v;
    return v >= -(int64_t)n ? (uint32_t)(v + n) : 0;
}

typedef struct GatherRef {
    const MtTensor *in, *idx;
    uint32_t axis;
} GatherRef;

static const void* at(const MtTensor* m, const uint32_t* c) { return m->data + mt_flat(m, c) * m->esize; }

/* gather: output [in[:axis], idx, in[axis+1:]]. */
static const void* gather_ref(const void* ctx, const uint32_t* c) {
    const GatherRef* g = ctx;
    uint32_t ic[WNN_MAX_RANK], r = g->idx->rank;
    memcpy(ic, c, g->axis * sizeof *ic);
    ic[g->axis] = ref_index(g->idx, mt_flat(g->idx, c + g->axis), g->in->shape[g->axis]);
    for (uint32_t d = g->axis + 1; d < g->in->rank; d++) ic[d] = c[d - 1 + r];
    return at(g->in, ic);
}

static const void* gather_elements_ref(const void* ctx, const uint32_t* c) {
    const GatherRef* g = ctx;
    uint32_t ic[WNN_MAX_RANK];
    memcpy(ic, c, g->in->rank * sizeof *ic);
    ic[g->axis] = ref_index(g->idx, mt_flat(g->idx, c), g->in->shape[g->axis]);
    return at(g->in, ic);
}

/* gatherND: output [idx[:-1], in[k:]]; tuple t's coordinates are idx[t, 0..k). */
static const void* gather_nd_ref(const void* ctx, const uint32_t* c) {
    const GatherRef* g = ctx;
    uint32_t r = g->idx->rank, k = g->idx->shape[r - 1], ic[WNN_MAX_RANK];
    MtTensor lead = *g->idx;
    lead.rank = r - 1;
    size_t t = mt_flat(&lead, c);
    for (uint32_t d = 0; d < k; d++) ic[d] = ref_index(g->idx, t * k + d, g->in->shape[d]);
    for (uint32_t d = k; d < g->in->rank; d++) ic[d] = c[r - 1 + d - k];
    return at(g->in, ic);
}

enum { GATHER, GATHER_ELEMENTS, GATHER_ND };

/* constIdx: the indices are a constant operand rather than a graph input. */
static void gather_case(int kind, WNNOperandDataType t, WNNOperandDataType it, uint32_t rank, const uint32_t* shape,
                        uint32_t irank, const uint32_t* ishape, uint32_t axis, int constIdx, uint64_t* seed) {
    MtTensor x = mt_random(t, rank, shape, seed);
    MtTensor idx = kind == GATHER_ND ? random_indices(seed, it, irank, ishape, shape, ishape[irank - 1])
                                     : random_indices(seed, it, irank, ishape, &shape[axis], 1);
    WNNGraphBuilder b = wt_builder();
    WNNOperand in = mt_input(b, "x", &x), y;
    WNNOperand ind = constIdx ? wt_constant(b, it, irank, ishape, idx.data) : mt_input(b, "i", &idx);
    WNNGatherOptions o = {NULL, axis};
    static const MtRefFn refs[3] = {gather_ref, gather_elements_ref, gather_nd_ref};
    static const char* const what[3] = {"gather", "gatherElements", "gatherND"};
    if (kind == GATHER)
        WT_OK(wnnGraphBuilderGather(b, in, ind, axis ? &o : NULL, &y));
    else if (kind == GATHER_ELEMENTS)
        WT_OK(wnnGraphBuilderGatherElements(b, in, ind, &o, &y));
    else
        WT_OK(wnnGraphBuilderGatherND(b, in, ind, NULL, &y));
    const char* names[2] = {"x", "i"};
    MtTensor ins[2] = {x, idx}, res;
    WT_OK(mt_run(b, names, ins, constIdx ? 1 : 2, &y, &res, 1));
    GatherRef g = {&x, &idx, axis};
    mt_expect(what[kind], &res, refs[kind], &g);
    mt_free(&res);
    mt_free(&x);
    mt_free(&idx);
    wnnGraphBuilderRelease(b);
}

static void test_gathers(void) {
    uint64_t seed = 31;
    for (int rep = 0; rep < 96; rep++) {
        int kind = rep % 3; /* each kind meets every data type with every indices type */
        WNNOperandDataType t = k_mt_types[(rep / 3) % 8], it = k_index_types[(rep / 24) % 3];
        uint32_t rank = 1 + (uint32_t)(rep / 3) % 4, shape[WNN_MAX_RANK], ishape[WNN_MAX_RANK], irank;
        mt_shape(&seed, rank, 1, 4, shape);
        uint32_t axis = mt_rand(&seed, 0, rank - 1);
        if (kind == GATHER) {
            irank = mt_rand(&seed, 0, 3);
            mt_shape(&seed, irank, 1, 3, ishape);
        } else if (kind == GATHER_ELEMENTS) {
            irank = rank;
            memcpy(ishape, shape, sizeof ishape);
            ishape[axis] = mt_rand(&seed, 1, 5);
        } else {
            irank = mt_rand(&seed, 1, 3);
            mt_shape(&seed, irank - 1, 1, 3, ishape);
            ishape[irank - 1] = mt_rand(&seed, 1, rank);
        }
        gather_case(kind, t, it, rank, shape, irank, ishape, axis, rep % 16 == 15, &seed);
    }
    /* Large: an embedding lookup, a wide gatherElements, gatherND of rows. */
    uint32_t emb[2] = {30000, 64}, tok[2] = {8, 128};
    gather_case(GATHER, WNNOperandDataType_Float32, I32, 2, emb, 2, tok, 0, 0, &seed);
    uint32_t wide[2] = {200, 300}, wideIdx[2] = {200, 50};
    gather_case(GATHER_ELEMENTS, WNNOperandDataType_Float16, I64, 2, wide, 2, wideIdx, 1, 0, &seed);
    uint32_t rows[3] = {40, 50, 30}, rowIdx[2] = {500, 2};
    gather_case(GATHER_ND, WNNOperandDataType_Int8, U32, 3, rows, 2, rowIdx, 0, 0, &seed);
    /* gatherND with whole-tensor coordinates (slabs of one element), rank 6 with a middle axis. */
    uint32_t cube[3] = {5, 6, 7}, cubeIdx[3] = {4, 50, 3}, r6[6] = {2, 3, 2, 4, 3, 2}, r6Idx[3] = {2, 3, 2};
    gather_case(GATHER_ND, WNNOperandDataType_Uint64, I64, 3, cube, 3, cubeIdx, 0, 0, &seed);
    gather_case(GATHER, WNNOperandDataType_Int32, I32, 6, r6, 3, r6Idx, 3, 1, &seed);
}

/* Scatters against a simulation: a copy of the input, then every update in row-major order. */
static void scatter_case(int nd, WNNOperandDataType t, WNNOperandDataType it, uint32_t rank, const uint32_t* shape,
                         uint32_t irank, const uint32_t* ishape, uint32_t axis, uint64_t* seed) {
    MtTensor x = mt_random(t, rank, shape, seed);
    MtTensor idx = nd ? random_indices(seed, it, irank, ishape, shape, ishape[irank - 1])
                      : random_indices(seed, it, irank, ishape, &shape[axis], 1);
    uint32_t ushape[WNN_MAX_RANK], urank = irank, k = nd ? ishape[irank - 1] : 0;
    memcpy(ushape, ishape, irank * sizeof *ushape);
    if (nd) { /* updates [idx[:-1], in[k:]] */
        urank = irank - 1 + rank - k;
        for (uint32_t d = k; d < rank; d++) ushape[irank - 1 + d - k] = shape[d];
    }
    MtTensor upd = mt_random(t, urank, ushape, seed), want = x;
    want.data = malloc(x.count * x.esize);
    memcpy(want.data, x.data, x.count * x.esize);
    uint32_t c[WNN_MAX_RANK], oc[WNN_MAX_RANK];
    for (size_t u = 0; u < upd.count; u++) {
        mt_coord(&upd, u, c);
        if (nd) {
            MtTensor lead = idx;
            lead.rank = irank - 1;
            size_t tuple = mt_flat(&lead, c);
            for (uint32_t d = 0; d < k; d++) oc[d] = ref_index(&idx, tuple * k + d, shape[d]);
            for (uint32_t d = k; d < rank; d++) oc[d] = c[irank - 1 + d - k];
        } else {
            memcpy(oc, c, sizeof oc);
            oc[axis] = ref_index(&idx, u, shape[axis]);
        }
        memcpy(want.data + mt_flat(&want, oc) * want.esize, upd.data + u * upd.esize, upd.esize);
    }
    WNNGraphBuilder b = wt_builder();
    WNNOperand in = mt_input(b, "x", &x), ind = mt_input(b, "i", &idx), up = mt_input(b, "u", &upd), y;
    WNNScatterOptions o = {NULL, axis};
    if (nd)
        WT_OK(wnnGraphBuilderScatterND(b, in, ind, up, NULL, &y));
    else
        WT_OK(wnnGraphBuilderScatterElements(b, in, ind, up, axis ? &o : NULL, &y));
    const char* names[3] = {"x", "i", "u"};
    MtTensor ins[3] = {x, idx, upd}, res;
    WT_OK(mt_run(b, names, ins, 3, &y, &res, 1));
    wt_checks++;
    if (memcmp(res.data, want.data, want.count * want.esize) != 0) {
        wt_failures++;
        fprintf(stderr, "%s: output differs from the simulation\n", nd ? "scatterND" : "scatterElements");
    }
    MtTensor* all[5] = {&res, &x, &idx, &upd, &want};
    for (int i = 0; i < 5; i++) mt_free(all[i]);
    wnnGraphBuilderRelease(b);
}

static void test_scatters(void) {
    uint64_t seed = 32;
    for (int rep = 0; rep < 96; rep++) {
        int nd = rep & 1;
        WNNOperandDataType t = k_mt_types[(rep / 2) % 8], it = k_index_types[rep % 3];
        uint32_t rank = 1 + (uint32_t)(rep / 2) % 4, shape[WNN_MAX_RANK], ishape[WNN_MAX_RANK], irank;
        mt_shape(&seed, rank, 1, 4, shape);
        uint32_t axis = mt_rand(&seed, 0, rank - 1);
        if (nd) {
            irank = mt_rand(&seed, 1, 3);
            mt_shape(&seed, irank - 1, 1, 4, ishape);
            ishape[irank - 1] = mt_rand(&seed, 1, rank);
        } else {
            irank = rank;
            memcpy(ishape, shape, sizeof ishape);
            ishape[axis] = mt_rand(&seed, 1, 5); /* more updates than slots: repeats */
        }
        scatter_case(nd, t, it, rank, shape, irank, ishape, axis, &seed);
    }
    uint32_t big[2] = {300, 200}, idx1[2] = {300, 150}, idx0[2] = {500, 200}, nd[3] = {60, 40, 50}, ndIdx[2] = {100, 1};
    scatter_case(0, WNNOperandDataType_Float32, I32, 2, big, 2, idx1, 1, &seed);
    scatter_case(0, WNNOperandDataType_Int64, I64, 2, big, 2, idx0, 0, &seed);
    scatter_case(1, WNNOperandDataType_Uint8, U32, 3, nd, 2, ndIdx, 0, &seed);
    /* Thousands of updates into a few slots: which repeated update wins must not depend on the
     * order the GPU's threads happen to run in. */
    uint32_t few[1] = {5}, many[1] = {4000}, grid[2] = {3, 4}, rowsIdx[2] = {2000, 1}, cellsIdx[2] = {3000, 2};
    scatter_case(0, WNNOperandDataType_Float16, I32, 1, few, 1, many, 0, &seed);
    scatter_case(1, WNNOperandDataType_Int8, I64, 2, grid, 2, rowsIdx, 0, &seed);
    scatter_case(1, WNNOperandDataType_Uint32, U32, 2, grid, 2, cellsIdx, 0, &seed);
    uint32_t wideX[3] = {2, 3, 600}, wideIdx[3] = {2, 40, 600}; /* along a middle axis */
    scatter_case(0, WNNOperandDataType_Uint64, I64, 3, wideX, 3, wideIdx, 1, &seed);
}

/* ---- validation ---- */

static void test_validation(void) {
    WNNGraphBuilder b = wt_builder();
    uint32_t s34[2] = {3, 4}, s24[2] = {2, 4}, s32[2] = {3, 2}, s3[1] = {3}, s23[2] = {2, 3}, s33[2] = {3, 3},
             s5[5] = {1, 1, 1, 1, 1}, s9[1] = {9}, s22[2] = {2, 2};
    WNNOperand x = wt_input(b, "x", WNNOperandDataType_Float32, 2, s34), y = NULL;
    WNNOperand i24 = wt_input(b, "i24", I32, 2, s24), i32 = wt_input(b, "i32", I32, 2, s32);
    WNNOperand fidx = wt_input(b, "f", WNNOperandDataType_Float32, 2, s24);
    WNNOperand u64 = wt_input(b, "u64", WNNOperandDataType_Uint64, 2, s24);
    WNNOperand i3 = wt_input(b, "i3", I32, 1, s3), i23 = wt_input(b, "i23", I32, 2, s23);
    WNNOperand h24 = wt_input(b, "h24", WNNOperandDataType_Float16, 2, s24),
               f24 = wt_input(b, "f24", WNNOperandDataType_Float32, 2, s24);
    WNNOperand x5 = wt_input(b, "x5", WNNOperandDataType_Float32, 5, s5), i5 = wt_input(b, "i5", I32, 5, s5);
    WNNOperand f33 = wt_input(b, "f33", WNNOperandDataType_Float32, 2, s33), i9 = wt_input(b, "i9", I32, 1, s9);
    WNNOperand f22 = wt_input(b, "f22", WNNOperandDataType_Float32, 2, s22);
    WNNGatherOptions ax2 = {NULL, 2}, ax1 = {"lbl", 1};
    WNNScatterOptions sax1 = {NULL, 1};

    /* gather */
    WT_CHECK_STATUS(wnnGraphBuilderGather(b, x, fidx, NULL, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("indices data type float32 is not allowed");
    WT_CHECK(y == NULL);
    WT_CHECK_STATUS(wnnGraphBuilderGather(b, x, u64, NULL, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("indices data type uint64");
    WT_CHECK_STATUS(wnnGraphBuilderGather(b, x, i24, &ax2, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("gather: axis 2 is out of range for rank 2");
    WT_CHECK_STATUS(wnnGraphBuilderGather(b, x5, i5, NULL, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("output rank 9 exceeds 8");
    WT_CHECK_STATUS(wnnGraphBuilderGather(b, x, NULL, NULL, &y), WNNStatus_TypeError);
    WT_OK(wnnGraphBuilderGather(b, x, i24, &ax1, &y));
    WT_CHECK(wnnOperandGetRank(y) == 3);

    /* gatherElements */
    WT_CHECK_STATUS(wnnGraphBuilderGatherElements(b, x, i3, NULL, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("indices shape [3] must equal the input shape [3,4] except along axis 0");
    WT_CHECK_STATUS(wnnGraphBuilderGatherElements(b, x, i23, &ax1, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("gatherElements 'lbl': indices shape [2,3]");
    WT_CHECK_STATUS(wnnGraphBuilderGatherElements(b, x, i24, &ax2, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("axis 2 is out of range");
    WT_OK(wnnGraphBuilderGatherElements(b, x, i24, NULL, &y)); /* [2,4] along axis 0 */

    /* gatherND */
    WT_CHECK_STATUS(wnnGraphBuilderGatherND(b, x, i23, NULL, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("coordinate size) 3 exceeds the input rank 2");
    WT_CHECK_STATUS(wnnGraphBuilderGatherND(b, x, fidx, NULL, &y), WNNStatus_TypeError);
    WT_OK(wnnGraphBuilderGatherND(b, x, i32, NULL, &y));
    WT_CHECK(wnnOperandGetRank(y) == 1);

    /* scatterElements */
    WT_CHECK_STATUS(wnnGraphBuilderScatterElements(b, x, i24, h24, NULL, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("updates data type float16 differs from the input data type float32");
    WT_CHECK_STATUS(wnnGraphBuilderScatterElements(b, x, i24, f24, &sax1, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("indices shape [2,4] must equal the input shape [3,4] except along axis 1");
    WT_CHECK_STATUS(wnnGraphBuilderScatterElements(b, x, i24, f33, NULL, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("updates shape must be [2,4] (got [3,3])");
    WT_CHECK_STATUS(wnnGraphBuilderScatterElements(b, x, fidx, f24, NULL, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("indices data type");
    WT_OK(wnnGraphBuilderScatterElements(b, x, i24, f24, NULL, &y));

    /* scatterND: indices [3,2] address elements; updates must be [3] */
    WT_CHECK_STATUS(wnnGraphBuilderScatterND(b, x, i32, f24, NULL, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("updates shape must be [3] (got [2,4])");
    WT_CHECK_STATUS(wnnGraphBuilderScatterND(b, x, i9, f22, NULL, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("coordinate size) 9 exceeds the input rank 2");
    WT_CHECK_STATUS(wnnGraphBuilderScatterND(b, x, i32, h24, NULL, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("updates data type float16");
    uint32_t s1[1] = {3};
    WNNOperand upd3 = wt_input(b, "upd3", WNNOperandDataType_Float32, 1, s1);
    WT_OK(wnnGraphBuilderScatterND(b, x, i32, upd3, NULL, &y));
    wnnGraphBuilderRelease(b);
}

/* The slots opSupportLimits reports (the spec's tables). */
static void test_limits(void) {
    WNNTensorLimits l;
    WT_OK(wnnGetRequiredOperandLimits("gatherND", "input", &l));
    WT_CHECK((l.dataTypes & (1u << WNNOperandDataType_Int8)) && (l.dataTypes & (1u << WNNOperandDataType_Uint8)));
    WT_OK(wnnGetRequiredOperandLimits("gather", "indices", &l));
    WT_CHECK(l.dataTypes == (1u << I32) && l.rankMin == 0);
    WT_OK(wnnContextGetOperandLimits(wt_cpu(), "gather", "indices", &l));
    WT_CHECK(l.dataTypes == ((1u << I32) | (1u << U32) | (1u << I64)));
    WT_OK(wnnContextGetOperandLimits(wt_cpu(), "gather", "output", &l));
    WT_CHECK(l.rankMin == 0); /* a 1-D input with scalar indices gives a scalar */
    WT_OK(wnnContextGetOperandLimits(wt_cpu(), "scatterND", "updates", &l));
    WT_CHECK(l.rankMin == 0 && l.dataTypes == (1u << WNNOperandDataType_Float32 | 1u << WNNOperandDataType_Float16 |
                                               1u << I32 | 1u << U32 | 1u << I64 | 1u << WNNOperandDataType_Uint64 |
                                               1u << WNNOperandDataType_Int8 | 1u << WNNOperandDataType_Uint8));
    WT_OK(wnnContextGetOperandLimits(wt_cpu(), "scatterElements", "updates", &l));
    WT_CHECK(l.rankMin == 1);
}

int main(void) {
    test_gathers();
    test_scatters();
    test_validation();
    test_limits();
    return wt_summary("test_ops_gather");
}
