/* norm_rows.c: softmax and layerNormalization over the last axis of a float32 or float16 tensor
 * (BERT's shapes), rows in parallel. The arithmetic is k_norm.c's, in the same order (statistics
 * and exp in double, one rounding per output), so results are identical; only the loops are direct
 * and split over the pool. A float16 row is converted to float32 first (exact) and its double
 * results rounded once to float16 (f16_convert.c), so it too matches k_norm.c bit for bit.
 * float32 rows take rows_f32.c's vector loops instead (softmax: rows of finite values). */
#include <math.h>
#include <stdlib.h>

#include "backends/cpu/f16_convert.h"
#include "backends/cpu/norm_rows.h"
#include "backends/cpu/rows_f32.h"
#include "core/core.h"
#include "graph/ops/reduce.h"

typedef struct RowJob {
    const void* x;
    void* y;
    const float *scale, *bias; /* float32 (converted from float16), or NULL */
    int f16;
    size_t len;
    double eps;
    int oom;
} RowJob;

/* One row from its values x[] (float32): into y[] when the tensor is float32, else as doubles into
 * v[] for one rounding to float16. v[] is scratch of the row's length either way. */
typedef void (*RowFn)(const RowJob* j, const float* x, double* v, float* y);

/* exp(x - max) / sum in double into v[] */
static void softmax_f64(const float* x, double* v, size_t len) {
    double m = -INFINITY, sum = 0;
    for (size_t i = 0; i < len; i++) m = fmax(m, (double)x[i]);
    for (size_t i = 0; i < len; i++) sum += (v[i] = exp((double)x[i] - m));
    for (size_t i = 0; i < len; i++) v[i] /= sum;
}

void wnn_softmax_row(const float* x, float* y, double* v, size_t len) {
    if (wnn_softmax_row_f32(x, y, (float*)v, len)) return; /* in float32 vectors */
    softmax_f64(x, v, len);
    for (size_t i = 0; i < len; i++) y[i] = (float)v[i];
}

static void softmax_row(const RowJob* j, const float* x, double* v, float* y) {
    if (y) wnn_softmax_row(x, y, v, j->len);
    else softmax_f64(x, v, j->len);
}

static void layernorm_row(const RowJob* j, const float* x, double* v, float* y) {
    if (y && wnn_layernorm_row_f32(x, y, j->len, j->eps, j->scale, j->bias)) return; /* float32: vectors */
    double sum = 0, sq = 0;
    for (size_t i = 0; i < j->len; i++) sum += x[i];
    double mean = sum / (double)j->len;
    for (size_t i = 0; i < j->len; i++) {
        double d = x[i] - mean;
        sq += d * d;
    }
    double inv = 1.0 / sqrt(sq / (double)j->len + j->eps);
    for (size_t i = 0; i < j->len; i++) {
        double t = ((double)x[i] - mean) * inv;
        t = t * (j->scale ? (double)j->scale[i] : 1.0) + (j->bias ? (double)j->bias[i] : 0.0);
        if (y) y[i] = (float)t;
        else v[i] = t;
    }
}

static void rows(RowJob* j, size_t begin, size_t end, RowFn fn) {
    /* per call: the row's doubles, and its float32 copy when the tensor is float16 */
    double* v = malloc(j->len * (sizeof(double) + (j->f16 ? sizeof(float) : 0)) + 1);
    if (!v) {
        j->oom = 1;
        return;
    }
    float* xf = (float*)(v + j->len);
    for (size_t r = begin; r < end; r++) {
        size_t at = r * j->len;
        if (j->f16) {
            wnn_f16_to_f32_n((const uint16_t*)j->x + at, xf, j->len);
            fn(j, xf, v, NULL);
            wnn_f64_to_f16_n(v, (uint16_t*)j->y + at, j->len);
        } else {
            fn(j, (const float*)j->x + at, v, (float*)j->y + at);
        }
    }
    free(v);
}

static void softmax_range(void* ctx, size_t begin, size_t end) { rows(ctx, begin, end, softmax_row); }
static void layernorm_range(void* ctx, size_t begin, size_t end) { rows(ctx, begin, end, layernorm_row); }

/* A 1-D parameter of the row length in x's type (or absent), as float32: *owned is the copy made
 * for a float16 one. */
static int row_param(const WnnCpuTensor* t, WNNOperandDataType type, size_t len, const float** out, float** owned) {
    *out = NULL;
    if (!t->data) return 1;
    if (t->desc->type != type || t->desc->rank != 1 || t->desc->shape[0] != len) return 0;
    if (type == WNNOperandDataType_Float32) {
        *out = t->data;
        return 1;
    }
    if (!(*owned = malloc(len * sizeof(float) + 1))) return 0; /* the general kernel then runs */
    wnn_f16_to_f32_n(t->data, *owned, len);
    *out = *owned;
    return 1;
}

int wnn_norm_rows(const WnnCpuKernelArgs* args, int layerNorm, WNNStatus* status) {
    const WnnNormAttrs* a = args->node->attrs;
    const WnnDesc* in = args->inputs[0].desc;
    int f16 = in->type == WNNOperandDataType_Float16;
    if ((in->type != WNNOperandDataType_Float32 && !f16) || in->rank == 0) return 0;
    uint32_t last = in->rank - 1;
    RowJob j = {args->inputs[0].data, args->outputs[0].data, NULL, NULL, f16, in->shape[last], a->epsilon, 0};
    float *scale = NULL, *bias = NULL;
    int ok = 1;
    if (layerNorm)
        ok = a->axesCount == 1 && a->axes[0] == last && row_param(&args->inputs[1], in->type, j.len, &j.scale, &scale) &&
             row_param(&args->inputs[2], in->type, j.len, &j.bias, &bias);
    else
        ok = a->axis == last;
    if (ok) {
        size_t n = j.len ? (size_t)wnn_desc_numel(in) / j.len : 0;
        wnn_parallel_for(args->pool, n, 1 + 4096 / (j.len + 1), layerNorm ? layernorm_range : softmax_range, &j);
        *status = j.oom ? wnn_error(WNNStatus_OutOfMemory, "%s: out of memory", wnn_op_name(args->node->op))
                        : WNNStatus_Success;
    }
    free(scale);
    free(bias);
    return ok;
}
