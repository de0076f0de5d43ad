/* norm_rows.c: softmax and layerNormalization over the last axis of a float32 tensor (BERT's
 * shapes), rows in parallel. The arithmetic is k_norm.c's, in the same order (statistics and exp in
 * double, one rounding per output), so results are identical; only the loops are direct and split
 * over the pool. softmax rows of finite values take softmax_f32.c's float32 vectors instead. */
#include <math.h>
#include <stdlib.h>

#include "backends/cpu/norm_rows.h"
#include "backends/cpu/softmax_f32.h"
#include "graph/ops/reduce.h"

typedef struct RowJob {
    const float *x, *scale, *bias;
    float* y;
    size_t len;
    double eps;
    int oom;
} RowJob;

static void softmax_range(void* ctx, size_t begin, size_t end) {
    RowJob* j = ctx;
    double* e = malloc(sizeof(double) * j->len);
    if (!e) {
        j->oom = 1;
        return;
    }
    for (size_t r = begin; r < end; r++) {
        const float* x = j->x + r * j->len;
        float* y = j->y + r * j->len;
        if (wnn_softmax_row_f32(x, y, (float*)e, j->len)) continue; /* float32 vectors */
        double m = -INFINITY, sum = 0;
        for (size_t i = 0; i < j->len; i++) m = fmax(m, (double)x[i]);
        for (size_t i = 0; i < j->len; i++) sum += (e[i] = exp((double)x[i] - m));
        for (size_t i = 0; i < j->len; i++) y[i] = (float)(e[i] / sum);
    }
    free(e);
}

static void layernorm_range(void* ctx, size_t begin, size_t end) {
    RowJob* j = ctx;
    for (size_t r = begin; r < end; r++) {
        const float* x = j->x + r * j->len;
        float* y = j->y + r * j->len;
        double sum = 0, sq = 0;
        for (size_t i = 0; i < j->len; i++) sum += x[i];
        double mean = sum / (double)j->len;
        for (size_t i = 0; i < j->len; i++) {
            double d = x[i] - mean;
            sq += d * d;
        }
        double inv = 1.0 / sqrt(sq / (double)j->len + j->eps);
        for (size_t i = 0; i < j->len; i++) {
            double v = ((double)x[i] - mean) * inv;
            y[i] = (float)(v * (j->scale ? (double)j->scale[i] : 1.0) + (j->bias ? (double)j->bias[i] : 0.0));
        }
    }
}

/* x float32 and a 1-D float32 parameter (or absent) of the row length. */
static int row_param(const WnnCpuTensor* t, size_t len, const float** out) {
    *out = NULL;
    if (!t->data) return 1;
    if (t->desc->type != WNNOperandDataType_Float32 || t->desc->rank != 1 || t->desc->shape[0] != len) return 0;
    *out = t->data;
    return 1;
}

int wnn_norm_rows(const WnnCpuKernelArgs* args, int layerNorm, WNNStatus* status) {
    const WnnNormAttrs* a = args->node->attrs;
    const WnnDesc* in = args->inputs[0].desc;
    if (in->type != WNNOperandDataType_Float32 || in->rank == 0) return 0;
    uint32_t last = in->rank - 1;
    RowJob j = {args->inputs[0].data, NULL, NULL, args->outputs[0].data, in->shape[last], a->epsilon, 0};
    if (layerNorm) {
        if (a->axesCount != 1 || a->axes[0] != last) return 0;
        if (!row_param(&args->inputs[1], j.len, &j.scale) || !row_param(&args->inputs[2], j.len, &j.bias)) return 0;
    } else if (a->axis != last) {
        return 0;
    }
    size_t rows = j.len ? (size_t)wnn_desc_numel(in) / j.len : 0;
    wnn_parallel_for(args->pool, rows, 1 + 4096 / (j.len + 1), layerNorm ? layernorm_range : softmax_range, &j);
    *status = j.oom ? wnn_error(WNNStatus_OutOfMemory, "softmax: out of memory") : WNNStatus_Success;
    return 1;
}
