/* test_ops_reduce.c: argMin, argMax and cumulativeSum (no W3C data) against references on random
 * shapes, plus reduction and normalization validation rules. */
#include <math.h>
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
    test_validation();
    return wt_summary("test_ops_reduce");
}
