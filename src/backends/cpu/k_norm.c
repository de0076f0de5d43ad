/* k_norm.c: CPU kernels of batchNormalization, instanceNormalization, layerNormalization and
 * softmax. Statistics are computed in double; each output rounds once. */
#include <math.h>
#include <stdlib.h>

#include "backends/cpu/copy_util.h"
#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/norm_rows.h"
#include "backends/cpu/reduce_plan.h"
#include "graph/ops/reduce.h"

#define IN(k) (args->inputs[k])
#define OUT(k) (args->outputs[k])

static double param(const WnnCpuTensor* t, size_t i, double dflt) {
    return t->data ? wnn_load_f64(t->data, t->desc->type, i) : dflt;
}

WNNStatus wnn_cpu_batchNormalization(const WnnCpuKernelArgs* args) {
    const WnnNormAttrs* a = args->node->attrs;
    const WnnDesc* in = IN(0).desc;
    size_t inner = 1, n = (size_t)wnn_desc_numel(in), c = in->shape[a->axis];
    for (uint32_t d = a->axis + 1; d < in->rank; d++) inner *= in->shape[d];
    for (size_t i = 0; i < n; i++) {
        size_t ch = (i / inner) % c;
        double x = wnn_load_f64(IN(0).data, in->type, i);
        double y = (x - param(&IN(1), ch, 0)) / sqrt(param(&IN(2), ch, 1) + a->epsilon);
        wnn_store_f64(OUT(0).data, in->type, i, y * param(&IN(3), ch, 1) + param(&IN(4), ch, 0));
    }
    return WNNStatus_Success;
}

/* Normalizes over `mask`; scale/bias index of a reduced element is given by scaleIndex (NULL: the
 * channel along `channelAxis`). */
static WNNStatus normalize(const WnnCpuKernelArgs* args, uint32_t mask, const size_t* scaleIndex, int channelAxis) {
    const WnnNormAttrs* a = args->node->attrs;
    const WnnDesc* in = IN(0).desc;
    WnnReducePlan p;
    WNNStatus s = wnn_reduce_plan(in, mask, &p);
    if (s) return s;
    int64_t strides[WNN_MAX_RANK];
    wnn_row_strides(in, strides);
    for (size_t o = 0; o < p.outerCount; o++) {
        double sum = 0, sq = 0;
        for (size_t r = 0; r < p.reducedCount; r++) sum += wnn_load_f64(IN(0).data, in->type, p.outer[o] + p.reduced[r]);
        double mean = sum / (double)p.reducedCount;
        for (size_t r = 0; r < p.reducedCount; r++) {
            double d = wnn_load_f64(IN(0).data, in->type, p.outer[o] + p.reduced[r]) - mean;
            sq += d * d;
        }
        double inv = 1.0 / sqrt(sq / (double)p.reducedCount + a->epsilon);
        size_t ch = channelAxis >= 0 ? (p.outer[o] / (size_t)strides[channelAxis]) % in->shape[channelAxis] : 0;
        for (size_t r = 0; r < p.reducedCount; r++) {
            size_t i = p.outer[o] + p.reduced[r], si = scaleIndex ? scaleIndex[r] : ch;
            double y = (wnn_load_f64(IN(0).data, in->type, i) - mean) * inv;
            wnn_store_f64(OUT(0).data, in->type, i, y * param(&IN(1), si, 1) + param(&IN(2), si, 0));
        }
    }
    wnn_reduce_plan_free(&p);
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_instanceNormalization(const WnnCpuKernelArgs* args) {
    const WnnNormAttrs* a = args->node->attrs;
    uint32_t spatial = a->axis == 1 ? (1u << 2 | 1u << 3) : (1u << 1 | 1u << 2);
    return normalize(args, spatial, NULL, (int)a->axis);
}

WNNStatus wnn_cpu_layerNormalization(const WnnCpuKernelArgs* args) {
    const WnnNormAttrs* a = args->node->attrs;
    const WnnDesc* in = IN(0).desc;
    WNNStatus fast;
    if (wnn_norm_rows(args, 1, &fast)) return fast;
    uint32_t mask = 0;
    for (uint32_t i = 0; i < a->axesCount; i++) mask |= 1u << a->axes[i];
    /* Reduced elements are enumerated in increasing dimension order; scale/bias follow `axes` order. */
    size_t count = 1;
    for (uint32_t i = 0; i < a->axesCount; i++) count *= in->shape[a->axes[i]];
    size_t* idx = malloc(sizeof(size_t) * (count ? count : 1));
    if (!idx) return wnn_error(WNNStatus_OutOfMemory, "layerNormalization: out of memory");
    uint32_t dims[WNN_MAX_RANK], n = 0, c[WNN_MAX_RANK] = {0};
    size_t pstride[WNN_MAX_RANK];
    for (uint32_t d = 0; d < in->rank; d++)
        if (mask & (1u << d)) dims[n++] = d;
    for (uint32_t i = a->axesCount, s = 1; i-- > 0;) {
        pstride[a->axes[i]] = s;
        s *= in->shape[a->axes[i]];
    }
    for (size_t k = 0; k < count; k++) {
        size_t off = 0;
        for (uint32_t j = 0; j < n; j++) off += c[j] * pstride[dims[j]];
        idx[k] = off;
        for (uint32_t j = n; j-- > 0;) {
            if (++c[j] < in->shape[dims[j]]) break;
            c[j] = 0;
        }
    }
    WNNStatus s = normalize(args, mask, idx, -1);
    free(idx);
    return s;
}

WNNStatus wnn_cpu_softmax(const WnnCpuKernelArgs* args) {
    const WnnNormAttrs* a = args->node->attrs;
    const WnnDesc* in = IN(0).desc;
    WNNStatus fast;
    if (wnn_norm_rows(args, 0, &fast)) return fast;
    WnnReducePlan p;
    WNNStatus s = wnn_reduce_plan(in, 1u << a->axis, &p);
    if (s) return s;
    for (size_t o = 0; o < p.outerCount; o++) {
        double m = -INFINITY, sum = 0;
        for (size_t r = 0; r < p.reducedCount; r++) m = fmax(m, wnn_load_f64(IN(0).data, in->type, p.outer[o] + p.reduced[r]));
        for (size_t r = 0; r < p.reducedCount; r++) sum += exp(wnn_load_f64(IN(0).data, in->type, p.outer[o] + p.reduced[r]) - m);
        for (size_t r = 0; r < p.reducedCount; r++) {
            size_t i = p.outer[o] + p.reduced[r];
            wnn_store_f64(OUT(0).data, in->type, i, exp(wnn_load_f64(IN(0).data, in->type, i) - m) / sum);
        }
    }
    wnn_reduce_plan_free(&p);
    return WNNStatus_Success;
}
