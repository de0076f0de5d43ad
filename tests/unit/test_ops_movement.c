/* test_ops_movement.c: gatherElements, gatherND, reverse, scatterElements, scatterND, tile and
 * triangular (no W3C data) against references, index clamping, and movement validation rules. */
#include <stdlib.h>

#include "wt.h"

static size_t numel(const uint32_t* s, uint32_t r) {
    size_t n = 1;
    for (uint32_t i = 0; i < r; i++) n *= s[i];
    return n;
}

/* Runs a one-output graph whose inputs are float32 "x" and (optional) int32 "i" / float32 "u". */
static void run3(WNNGraphBuilder b, WNNOperand out, const float* x, const int32_t* idx, const float* u, void* y) {
    WtFeed feeds[3];
    size_t n = 0;
    feeds[n++] = (WtFeed){"x", x};
    if (idx) feeds[n++] = (WtFeed){"i", idx};
    if (u) feeds[n++] = (WtFeed){"u", u};
    WNNNamedOperand outs[1] = {{"y", out}};
    void* data[1] = {y};
    WT_OK(wt_run(wt_cpu(), b, feeds, n, outs, 1, data));
}

static void test_gather_scatter_elements(void) {
    /* input [3,4], indices [2,4] along axis 0; out-of-range and negative indices */
    uint32_t sx[2] = {3, 4}, si[2] = {2, 4};
    float x[12], upd[8], y[8], z[12];
    for (int i = 0; i < 12; i++) x[i] = (float)(i * 10);
    for (int i = 0; i < 8; i++) upd[i] = (float)(-i - 1);
    int32_t idx[8] = {0, 1, 2, -1, 2, 0, 7, -9}; /* -1 -> 2; 7 -> clamped 2; -9 -> clamped 0 */
    WNNGraphBuilder b = wt_builder();
    WNNOperand in = wt_input(b, "x", WNNOperandDataType_Float32, 2, sx), ind = wt_input(b, "i", WNNOperandDataType_Int32, 2, si), out;
    WT_OK(wnnGraphBuilderGatherElements(b, in, ind, NULL, &out));
    run3(b, out, x, idx, NULL, y);
    int rows[8] = {0, 1, 2, 2, 2, 0, 2, 0};
    double want[8];
    for (int k = 0; k < 8; k++) want[k] = x[rows[k] * 4 + k % 4];
    wt_expect_f32("gatherElements", y, want, 8, 0);
    wnnGraphBuilderRelease(b);

    b = wt_builder();
    in = wt_input(b, "x", WNNOperandDataType_Float32, 2, sx);
    ind = wt_input(b, "i", WNNOperandDataType_Int32, 2, si);
    WNNOperand up = wt_input(b, "u", WNNOperandDataType_Float32, 2, si);
    int32_t sidx[8] = {0, 1, 2, 0, 1, 2, 0, 1};
    WT_OK(wnnGraphBuilderScatterElements(b, in, ind, up, NULL, &out));
    run3(b, out, x, sidx, upd, z);
    double wz[12];
    for (int i = 0; i < 12; i++) wz[i] = x[i];
    for (int k = 0; k < 8; k++) wz[sidx[k] * 4 + k % 4] = upd[k];
    wt_expect_f32("scatterElements", z, wz, 12, 0);
    wnnGraphBuilderRelease(b);
}

static void test_gather_scatter_nd(void) {
    uint32_t sx[3] = {2, 3, 2}, si[2] = {3, 2}, su[2] = {3, 2};
    float x[12], y[6], u[6], z[12];
    for (int i = 0; i < 12; i++) x[i] = (float)i;
    for (int i = 0; i < 6; i++) u[i] = 100.0f + (float)i;
    int32_t idx[6] = {1, 2, 0, -1, 5, 0}; /* (1,2), (0,2), clamped (1,0) */
    WNNGraphBuilder b = wt_builder();
    WNNOperand in = wt_input(b, "x", WNNOperandDataType_Float32, 3, sx), ind = wt_input(b, "i", WNNOperandDataType_Int32, 2, si), out;
    WT_OK(wnnGraphBuilderGatherND(b, in, ind, NULL, &out));
    WT_CHECK(wnnOperandGetRank(out) == 2);
    run3(b, out, x, idx, NULL, y);
    double want[6] = {10, 11, 4, 5, 6, 7};
    wt_expect_f32("gatherND", y, want, 6, 0);
    wnnGraphBuilderRelease(b);
    b = wt_builder();
    in = wt_input(b, "x", WNNOperandDataType_Float32, 3, sx);
    ind = wt_input(b, "i", WNNOperandDataType_Int32, 2, si);
    WNNOperand up = wt_input(b, "u", WNNOperandDataType_Float32, 2, su);
    WT_OK(wnnGraphBuilderScatterND(b, in, ind, up, NULL, &out));
    run3(b, out, x, idx, u, z);
    double wz[12];
    for (int i = 0; i < 12; i++) wz[i] = x[i];
    wz[10] = 100; wz[11] = 101; wz[4] = 102; wz[5] = 103; wz[6] = 104; wz[7] = 105;
    wt_expect_f32("scatterND", z, wz, 12, 0);
    wnnGraphBuilderRelease(b);
}

/* reverse, tile and triangular on random shapes against coordinate-wise references. */
static void test_reverse_tile_triangular(void) {
    uint64_t seed = 3;
    for (int rep = 0; rep < 30; rep++) {
        uint32_t rank = 2 + (uint32_t)(wt_next(&seed) % 3), shape[4], reps[4], tshape[4];
        for (uint32_t i = 0; i < rank; i++) {
            shape[i] = 1 + (uint32_t)(wt_next(&seed) % 4);
            reps[i] = 1 + (uint32_t)(wt_next(&seed) % 3);
            tshape[i] = shape[i] * reps[i];
        }
        size_t n = numel(shape, rank), tn = numel(tshape, rank);
        float* x = malloc(sizeof(float) * n);
        for (size_t i = 0; i < n; i++) x[i] = (float)i;
        uint32_t axes[1] = {(uint32_t)(wt_next(&seed) % rank)};
        int32_t diag = (int32_t)(wt_next(&seed) % 5) - 2;
        int upper = rep & 1;
        WNNGraphBuilder b = wt_builder();
        WNNOperand in = wt_input(b, "x", WNNOperandDataType_Float32, rank, shape), r1, r2, r3;
        WNNReverseOptions ro = {NULL, axes, 1};
        WNNTriangularOptions to = {NULL, upper ? WNNOptionalBool_True : WNNOptionalBool_False, diag};
        WT_OK(wnnGraphBuilderReverse(b, in, &ro, &r1));
        WT_OK(wnnGraphBuilderTile(b, in, reps, rank, NULL, &r2));
        WT_OK(wnnGraphBuilderTriangular(b, in, &to, &r3));
        float *y1 = malloc(sizeof(float) * n), *y2 = malloc(sizeof(float) * tn), *y3 = malloc(sizeof(float) * n);
        double *w1 = malloc(sizeof(double) * n), *w2 = malloc(sizeof(double) * tn), *w3 = malloc(sizeof(double) * n);
        WtFeed feed = {"x", x};
        WNNNamedOperand outs[3] = {{"r", r1}, {"t", r2}, {"tri", r3}};
        void* data[3] = {y1, y2, y3};
        WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, 3, data));
        for (size_t i = 0; i < tn; i++) { /* tile: input coordinate = output coordinate mod dim */
            size_t r = i, src = 0, mul = 1;
            for (uint32_t d = rank; d-- > 0;) {
                size_t c = r % tshape[d];
                r /= tshape[d];
                src += (c % shape[d]) * mul;
                mul *= shape[d];
            }
            w2[i] = x[src];
        }
        for (size_t i = 0; i < n; i++) {
            size_t r = i, src = 0, mul = 1, c[4];
            for (uint32_t d = rank; d-- > 0;) {
                c[d] = r % shape[d];
                r /= shape[d];
            }
            for (uint32_t d = rank; d-- > 0;) {
                size_t cc = d == axes[0] ? shape[d] - 1 - c[d] : c[d];
                src += cc * mul;
                mul *= shape[d];
            }
            w1[i] = x[src];
            long diff = (long)c[rank - 1] - (long)c[rank - 2];
            w3[i] = (upper ? diff >= diag : diff <= diag) ? x[i] : 0;
        }
        wt_expect_f32("reverse", y1, w1, n, 0);
        wt_expect_f32("tile", y2, w2, tn, 0);
        wt_expect_f32("triangular", y3, w3, n, 0);
        free(x); free(y1); free(y2); free(y3); free(w1); free(w2); free(w3);
        wnnGraphBuilderRelease(b);
    }
}

static void test_validation(void) {
    WNNGraphBuilder b = wt_builder();
    uint32_t s23[2] = {2, 3}, s24[2] = {2, 4}, s3[1] = {3};
    WNNOperand x = wt_input(b, "x", WNNOperandDataType_Float32, 2, s23), y = wt_input(b, "y", WNNOperandDataType_Float32, 2, s24);
    WNNOperand v = wt_input(b, "v", WNNOperandDataType_Float32, 1, s3), fi = wt_input(b, "fi", WNNOperandDataType_Float32, 2, s23), out;
    uint32_t perm[2] = {0, 0}, starts[2] = {1, 1}, sizes[2] = {2, 2}, shape[2] = {4, 2}, sp[2] = {2, 2};
    WNNTransposeOptions to = {NULL, perm, 2};
    WT_CHECK_STATUS(wnnGraphBuilderTranspose(b, x, &to, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("more than once");
    WT_CHECK_STATUS(wnnGraphBuilderSlice(b, x, starts, 2, sizes, 2, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("exceeds");
    WT_CHECK_STATUS(wnnGraphBuilderReshape(b, x, shape, 2, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("elements");
    WNNOperand parts[4];
    size_t n = 0;
    WNNSplitOptions so = {NULL, 1};
    WT_CHECK_STATUS(wnnGraphBuilderSplitSizes(b, x, sp, 2, &so, parts, 4, &n), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("sum to 4");
    WT_CHECK_STATUS(wnnGraphBuilderSplit(b, x, 2, &so, parts, 4, &n), WNNStatus_TypeError);
    WT_OK(wnnGraphBuilderSplit(b, x, 3, &so, parts, 4, &n));
    WT_CHECK(n == 3);
    WNNOperand cat[2] = {x, v};
    WT_CHECK_STATUS(wnnGraphBuilderConcat(b, cat, 2, 0, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("rank");
    WNNOperand cat2[2] = {x, y};
    WT_CHECK_STATUS(wnnGraphBuilderConcat(b, cat2, 2, 0, NULL, &out), WNNStatus_TypeError);
    WT_OK(wnnGraphBuilderConcat(b, cat2, 2, 1, NULL, &out));
    uint32_t pads[2] = {2, 0}, zero[2] = {0, 0};
    WNNPadOptions po = WNN_PAD_OPTIONS_INIT;
    po.mode = WNNPaddingMode_Reflection;
    WT_CHECK_STATUS(wnnGraphBuilderPad(b, x, pads, 2, zero, 2, &po, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("reflection");
    WT_CHECK_STATUS(wnnGraphBuilderGather(b, x, fi, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("indices data type");
    uint32_t big[2] = {4, 3};
    WT_CHECK_STATUS(wnnGraphBuilderExpand(b, y, big, 2, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnGraphBuilderTriangular(b, v, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnGraphBuilderTile(b, x, zero, 2, NULL, &out), WNNStatus_TypeError);
    wnnGraphBuilderRelease(b);
}

int main(void) {
    test_gather_scatter_elements();
    test_gather_scatter_nd();
    test_reverse_tile_triangular();
    test_validation();
    return wt_summary("test_ops_movement");
}
