/* test_norm_rows.c: softmax and layerNormalization over the last axis of float32 tensors, the
 * row-parallel path (norm_rows.c) with its vector rows (rows_f32.c). softmax against a float64 reference within
 * the WPT tolerance of 3 len + 3 ulp: row lengths around the vector width (tails), rows whose
 * smaller values fall out of float32's normal range (the double fix-up), rows with infinities and
 * NaNs (the double path, the spec's results), and a larger tensor split over the pool;
 * layerNormalization with and without scale / bias, odd row lengths, within 1e-6 of float64 (it
 * computes in double). ctest runs it again with WNN_CPU_SIMD=avx2 and =sse2 (the 8- and 4-lane
 * rows) and =0 (every row on the double path). */
#include <math.h>
#include <stdlib.h>

#include "wt.h"

static uint64_t g_seed = 2026;

/* The float64 softmax of each row of x (rows x len) into want. */
static void reference(const float* x, double* want, size_t rows, size_t len) {
    for (size_t r = 0; r < rows; r++) {
        const float* xr = x + r * len;
        double m = -INFINITY, sum = 0;
        for (size_t i = 0; i < len; i++) m = fmax(m, (double)xr[i]);
        for (size_t i = 0; i < len; i++) sum += exp((double)xr[i] - m);
        for (size_t i = 0; i < len; i++) want[r * len + i] = exp((double)xr[i] - m) / sum;
    }
}

/* kind 0: uniform in [-lo, lo]; 1: spread to -120 (outputs under float32's normal range). */
static void softmax_case(size_t rows, size_t len, double lo, int spread) {
    size_t n = rows * len;
    float* x = malloc(n * sizeof *x);
    float* got = malloc(n * sizeof *got);
    double* want = malloc(n * sizeof *want);
    for (size_t i = 0; i < n; i++) x[i] = (float)wt_rand(&g_seed, -lo, lo);
    if (spread)
        for (size_t i = 0; i < n; i += 3) x[i] = (float)wt_rand(&g_seed, -120, -80);
    reference(x, want, rows, len);
    WNNGraphBuilder b = wt_builder();
    uint32_t shape[2] = {(uint32_t)rows, (uint32_t)len};
    WNNOperand y;
    WT_OK(wnnGraphBuilderSoftmax(b, wt_input(b, "x", WNNOperandDataType_Float32, 2, shape), 1, NULL, &y));
    WNNNamedOperand out = {"y", y};
    WtFeed feed = {"x", x};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, &out, 1, (void* const*)&got));
    char what[96];
    snprintf(what, sizeof what, "softmax [%zu, %zu] range %g%s", rows, len, lo, spread ? " spread to -120" : "");
    wt_expect_f32(what, got, want, n, 3 * len + 3);
    wnnGraphBuilderRelease(b);
    free(x), free(got), free(want);
}

/* Non-finite values: +inf makes its row NaN except where x is +inf too (inf - inf); a NaN makes
 * the row NaN; -inf gives 0 there. */
static void special_case(void) {
    const size_t len = 20;
    float x[3 * 20];
    for (size_t i = 0; i < 3 * len; i++) x[i] = (float)wt_rand(&g_seed, -3, 3);
    x[5] = -INFINITY;           /* row 0: that element 0, the rest finite */
    x[len + 7] = NAN;           /* row 1: all NaN */
    x[2 * len + 2] = INFINITY;  /* row 2: NaN everywhere (inf - inf, then inf / inf) */
    float got[3 * 20];
    WNNGraphBuilder b = wt_builder();
    uint32_t shape[2] = {3, (uint32_t)len};
    WNNOperand y;
    WT_OK(wnnGraphBuilderSoftmax(b, wt_input(b, "x", WNNOperandDataType_Float32, 2, shape), 1, NULL, &y));
    WNNNamedOperand out = {"y", y};
    WtFeed feed = {"x", x};
    float* g = got;
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, &out, 1, (void* const*)&g));
    double want[20];
    float finite[20];
    for (size_t i = 0; i < len; i++) finite[i] = x[i];
    reference(finite, want, 1, len);
    WT_CHECK(got[5] == 0.0f);
    wt_expect_f32("softmax row with -inf", got, want, len, 3 * len + 3);
    int nan1 = 1, nan2 = 1;
    for (size_t i = 0; i < len; i++) nan1 &= isnan(got[len + i]), nan2 &= isnan(got[2 * len + i]);
    WT_CHECK(nan1);
    WT_CHECK(nan2);
    wnnGraphBuilderRelease(b);
}

static void layernorm_case(size_t rows, size_t len, int withScale, int withBias) {
    size_t n = rows * len;
    float *x = malloc(n * sizeof *x), *got = malloc(n * sizeof *got), *scale = malloc(len * 4), *bias = malloc(len * 4);
    double* want = malloc(n * sizeof *want);
    for (size_t i = 0; i < n; i++) x[i] = (float)wt_rand(&g_seed, -4, 6);
    for (size_t i = 0; i < len; i++) scale[i] = (float)wt_rand(&g_seed, 0.5, 2), bias[i] = (float)wt_rand(&g_seed, -1, 1);
    const double eps = 1e-5;
    for (size_t r = 0; r < rows; r++) {
        double sum = 0, sq = 0;
        for (size_t i = 0; i < len; i++) sum += x[r * len + i];
        double mean = sum / (double)len;
        for (size_t i = 0; i < len; i++) sq += (x[r * len + i] - mean) * (x[r * len + i] - mean);
        double inv = 1 / sqrt(sq / (double)len + eps);
        for (size_t i = 0; i < len; i++)
            want[r * len + i] = (x[r * len + i] - mean) * inv * (withScale ? scale[i] : 1.0) + (withBias ? bias[i] : 0.0);
    }
    WNNGraphBuilder b = wt_builder();
    uint32_t shape[2] = {(uint32_t)rows, (uint32_t)len}, ps[1] = {(uint32_t)len}, axes[1] = {1};
    WNNLayerNormalizationOptions o = WNN_LAYER_NORMALIZATION_OPTIONS_INIT;
    o.axes = axes, o.axesCount = 1;
    if (withScale) o.scale = wt_constant(b, WNNOperandDataType_Float32, 1, ps, scale);
    if (withBias) o.bias = wt_constant(b, WNNOperandDataType_Float32, 1, ps, bias);
    WNNOperand y;
    WT_OK(wnnGraphBuilderLayerNormalization(b, wt_input(b, "x", WNNOperandDataType_Float32, 2, shape), &o, &y));
    WNNNamedOperand out = {"y", y};
    WtFeed feed = {"x", x};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, &out, 1, (void* const*)&got));
    char what[96];
    snprintf(what, sizeof what, "layerNormalization [%zu, %zu] scale %d bias %d", rows, len, withScale, withBias);
    wt_expect_f32_atol(what, got, want, n, 1e-6);
    wnnGraphBuilderRelease(b);
    free(x), free(got), free(scale), free(bias), free(want);
}

int main(void) {
    const size_t lens[] = {1, 3, 7, 15, 16, 17, 31, 33, 128, 1000};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        softmax_case(5, lens[k], 10, 0);
        softmax_case(4, lens[k], 30, 1);
    }
    softmax_case(1536, 128, 8, 0); /* BERT's attention: rows over the pool */
    special_case();
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) layernorm_case(3, lens[k], (int)(k & 1), (int)(k % 3 != 0));
    layernorm_case(128, 768, 1, 1); /* BERT's */
    return wt_summary("test_norm_rows");
}
