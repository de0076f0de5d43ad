/* k_reduce.c: CPU kernels of the reductions, argMin / argMax and cumulativeSum. Floats accumulate
 * in double and round once; integer sums and products wrap; max/min are exact. */
#include <math.h>
#include <stdlib.h>

#include "backends/cpu/copy_util.h"
#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/reduce_plan.h"
#include "graph/ops/reduce.h"

#define IN(k) (args->inputs[k])
#define OUT(k) (args->outputs[k])

typedef enum { R_L1, R_L2, R_LOGSUM, R_LOGSUMEXP, R_MAX, R_MEAN, R_MIN, R_PRODUCT, R_SUM, R_SUMSQUARE } ReduceKind;

static double reduce_f(ReduceKind k, const void* x, WNNOperandDataType t, size_t base, const WnnReducePlan* p) {
    size_t n = p->reducedCount;
    double acc = k == R_PRODUCT ? 1.0 : k == R_MAX ? -INFINITY : k == R_MIN ? INFINITY : 0.0, m = -INFINITY;
    if (k == R_LOGSUMEXP)
        for (size_t r = 0; r < n; r++) m = fmax(m, wnn_load_f64(x, t, base + p->reduced[r]));
    for (size_t r = 0; r < n; r++) {
        double v = wnn_load_f64(x, t, base + p->reduced[r]);
        switch (k) {
            case R_L1: acc += fabs(v); break;
            case R_L2: case R_SUMSQUARE: acc += v * v; break;
            case R_LOGSUM: case R_MEAN: case R_SUM: acc += v; break;
            case R_LOGSUMEXP: acc += exp(v - m); break;
            case R_MAX: acc = isnan(v) || isnan(acc) ? NAN : fmax(acc, v); break;
            case R_MIN: acc = isnan(v) || isnan(acc) ? NAN : fmin(acc, v); break;
            case R_PRODUCT: acc *= v; break;
        }
    }
    switch (k) {
        case R_L2: return sqrt(acc);
        case R_LOGSUM: return log(acc);
        case R_LOGSUMEXP: return isinf(m) ? m : m + log(acc);
        case R_MEAN: return acc / (double)n;
        default: return acc;
    }
}

/* Integer reductions in 64-bit (wrapping via unsigned arithmetic). */
static void reduce_int(ReduceKind k, const void* x, WNNOperandDataType t, size_t base, const WnnReducePlan* p,
                       void* out, size_t o) {
    int unsig = t == WNNOperandDataType_Uint64;
    uint64_t acc = k == R_PRODUCT ? 1 : 0;
    int64_t smax = INT64_MIN, smin = INT64_MAX;
    uint64_t umax = 0, umin = UINT64_MAX;
    for (size_t r = 0; r < p->reducedCount; r++) {
        size_t i = base + p->reduced[r];
        int64_t v = wnn_load_i64(x, t, i);
        uint64_t u = unsig ? wnn_load_u64(x, t, i) : (uint64_t)v;
        switch (k) {
            case R_L1: acc += unsig || v >= 0 ? u : 0 - u; break;
            case R_SUMSQUARE: acc += u * u; break;
            case R_PRODUCT: acc *= u; break;
            case R_MAX: if (v > smax) smax = v; if (u > umax) umax = u; break;
            case R_MIN: if (v < smin) smin = v; if (u < umin) umin = u; break;
            default: acc += u; break;
        }
    }
    if (k == R_MAX) acc = unsig ? umax : (uint64_t)smax;
    if (k == R_MIN) acc = unsig ? umin : (uint64_t)smin;
    wnn_store_i64(out, t, o, (int64_t)acc);
}

static WNNStatus reduce(const WnnCpuKernelArgs* args, ReduceKind k) {
    const WnnReduceAttrs* a = args->node->attrs;
    const WnnDesc* in = IN(0).desc;
    WnnReducePlan p;
    WNNStatus s = wnn_reduce_plan(in, a->axesMask, &p);
    if (s) return s;
    for (size_t o = 0; o < p.outerCount; o++) {
        if (wnn_type_is_float(in->type)) wnn_store_f64(OUT(0).data, in->type, o, reduce_f(k, IN(0).data, in->type, p.outer[o], &p));
        else reduce_int(k, IN(0).data, in->type, p.outer[o], &p, OUT(0).data, o);
    }
    wnn_reduce_plan_free(&p);
    return WNNStatus_Success;
}

#define REDUCE_KERNEL(op, kind) \
    WNNStatus wnn_cpu_##op(const WnnCpuKernelArgs* args) { return reduce(args, kind); }
REDUCE_KERNEL(reduceL1, R_L1)
REDUCE_KERNEL(reduceL2, R_L2)
REDUCE_KERNEL(reduceLogSum, R_LOGSUM)
REDUCE_KERNEL(reduceLogSumExp, R_LOGSUMEXP)
REDUCE_KERNEL(reduceMax, R_MAX)
REDUCE_KERNEL(reduceMean, R_MEAN)
REDUCE_KERNEL(reduceMin, R_MIN)
REDUCE_KERNEL(reduceProduct, R_PRODUCT)
REDUCE_KERNEL(reduceSum, R_SUM)
REDUCE_KERNEL(reduceSumSquare, R_SUMSQUARE)

/* Compares element i and j of x: >0 when i is "better" (greater for argMax), exact for integers.
 * NaN is never better, so it is skipped. */
static int better(const void* x, WNNOperandDataType t, size_t i, size_t j, int wantMax) {
    if (wnn_type_is_float(t)) {
        double a = wnn_load_f64(x, t, i), b = wnn_load_f64(x, t, j);
        if (isnan(a)) return 0;
        if (isnan(b)) return 1;
        return wantMax ? a > b : a < b;
    }
    if (t == WNNOperandDataType_Uint64) {
        uint64_t a = wnn_load_u64(x, t, i), b = wnn_load_u64(x, t, j);
        return wantMax ? a > b : a < b;
    }
    int64_t a = wnn_load_i64(x, t, i), b = wnn_load_i64(x, t, j);
    return wantMax ? a > b : a < b;
}

static WNNStatus arg(const WnnCpuKernelArgs* args, int wantMax) {
    const WnnArgAttrs* a = args->node->attrs;
    const WnnDesc* in = IN(0).desc;
    WnnReducePlan p;
    WNNStatus s = wnn_reduce_plan(in, 1u << a->axis, &p);
    if (s) return s;
    for (size_t o = 0; o < p.outerCount; o++) {
        size_t best = 0;
        for (size_t r = 1; r < p.reducedCount; r++)
            if (better(IN(0).data, in->type, p.outer[o] + p.reduced[r], p.outer[o] + p.reduced[best], wantMax)) best = r;
        wnn_store_i64(OUT(0).data, OUT(0).desc->type, o, (int64_t)best);
    }
    wnn_reduce_plan_free(&p);
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_argMax(const WnnCpuKernelArgs* args) { return arg(args, 1); }
WNNStatus wnn_cpu_argMin(const WnnCpuKernelArgs* args) { return arg(args, 0); }

WNNStatus wnn_cpu_cumulativeSum(const WnnCpuKernelArgs* args) {
    const WnnCumSumAttrs* a = args->node->attrs;
    const WnnDesc* in = IN(0).desc;
    WnnReducePlan p;
    WNNStatus s = wnn_reduce_plan(in, 1u << a->axis, &p);
    if (s) return s;
    int isFloat = wnn_type_is_float(in->type);
    for (size_t o = 0; o < p.outerCount; o++) {
        double fsum = 0;
        uint64_t isum = 0;
        for (size_t step = 0; step < p.reducedCount; step++) {
            size_t r = a->reversed ? p.reducedCount - 1 - step : step, i = p.outer[o] + p.reduced[r];
            double fv = isFloat ? wnn_load_f64(IN(0).data, in->type, i) : 0;
            uint64_t iv = isFloat ? 0 : wnn_load_u64(IN(0).data, in->type, i);
            if (!a->exclusive) { fsum += fv; isum += iv; }
            if (isFloat) wnn_store_f64(OUT(0).data, in->type, i, fsum);
            else wnn_store_i64(OUT(0).data, in->type, i, (int64_t)isum);
            if (a->exclusive) { fsum += fv; isum += iv; }
        }
    }
    wnn_reduce_plan_free(&p);
    return WNNStatus_Success;
}
