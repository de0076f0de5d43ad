/* k_quantize.c: quantizeLinear and dequantizeLinear on the CPU with blockwise scales.
 *   quantize:   saturate(roundHalfEven(x / scale) + zeroPoint), NaN -> 0 (the spec's integer cast)
 *   dequantize: (x - zeroPoint) * scale, the difference exact in int64, rounded once to the output type
 * Elements are split over the thread pool; each range walks its coordinates to find the scale and
 * zero point of every element without a division per element. Float32 <-> int8 / uint8 with a
 * float32 scale (a QDQ graph's activations) goes in vectors over each run of elements that share a
 * scale (AVX2; quantize_simd.c): element by element that took 6-9 ns per element on Zen 3, longer
 * than the convolutions between. */
#include <math.h>

#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/quantize_simd.h"

/* Position in the input and the matching index into scale / zeroPoint. */
typedef struct BlockWalk {
    const WnnDesc* in;
    uint32_t coord[WNN_MAX_RANK];
    uint32_t block[WNN_MAX_RANK];  /* input elements per scale element along each dimension */
    size_t stride[WNN_MAX_RANK];   /* scale's row-major strides */
    size_t count[WNN_MAX_RANK];    /* scale's dimensions */
    size_t param;
} BlockWalk;

static void walk_start(BlockWalk* w, const WnnDesc* in, const WnnDesc* sc, size_t i) {
    w->in = in;
    w->param = 0;
    size_t stride = 1;
    for (uint32_t d = in->rank; d-- > 0;) {
        w->block[d] = in->shape[d] / sc->shape[d];
        w->stride[d] = stride;
        w->count[d] = sc->shape[d];
        stride *= sc->shape[d];
        w->coord[d] = (uint32_t)(i % in->shape[d]);
        i /= in->shape[d];
        w->param += w->coord[d] / w->block[d] * w->stride[d];
    }
}

/* Moves to the next element in row-major order. */
static void walk_next(BlockWalk* w) {
    for (uint32_t d = w->in->rank; d-- > 0;) {
        if (++w->coord[d] < w->in->shape[d]) {
            if (w->coord[d] % w->block[d] == 0) w->param += w->stride[d];
            return;
        }
        w->coord[d] = 0;
        w->param -= (w->count[d] - 1) * w->stride[d];
    }
}

typedef struct QuantizeJob {
    const WnnCpuKernelArgs* args;
    double lo, hi; /* quantize: the output type's range */
} QuantizeJob;

/* Elements from the walk's position on, at most `left`, that share its scale element: the trailing
 * dimensions along which the scale has one element, then the rest of the block along the next. */
static size_t run_length(const BlockWalk* w, size_t left) {
    size_t span = 1, pos = 0;
    for (uint32_t d = w->in->rank; d-- > 0;) {
        if (w->count[d] == 1) {
            pos += w->coord[d] * span, span *= w->in->shape[d];
            continue;
        }
        pos += w->coord[d] % w->block[d] * span, span *= w->block[d];
        break;
    }
    return span - pos < left ? span - pos : left;
}

/* Runs shorter than this go element by element (a run restarts the walk: rank divisions). */
#define MIN_VECTOR_RUN 16

static void quantize_range(void* ctx, size_t begin, size_t end) {
    const QuantizeJob* j = ctx;
    const WnnCpuTensor *x = &j->args->inputs[0], *sc = &j->args->inputs[1], *zp = &j->args->inputs[2];
    const WnnCpuTensor* out = &j->args->outputs[0];
    WnnQuantizeRunFn fast = wnn_quantize_run_fn(x->desc->type, sc->desc->type, out->desc->type);
    BlockWalk w;
    walk_start(&w, x->desc, sc->desc, begin);
    for (size_t i = begin; i < end;) {
        size_t n = fast ? run_length(&w, end - i) : 0;
        if (n >= MIN_VECTOR_RUN) {
            fast((const float*)x->data + i, n, ((const float*)sc->data)[w.param],
                 (double)wnn_load_i64(zp->data, zp->desc->type, w.param), (uint8_t*)out->data + i);
            i += n;
            if (i < end) walk_start(&w, x->desc, sc->desc, i);
            continue;
        }
        /* nearbyint rounds half to even in the default rounding mode */
        double q = nearbyint(wnn_load_f64(x->data, x->desc->type, i) / wnn_load_f64(sc->data, sc->desc->type, w.param));
        q += (double)wnn_load_i64(zp->data, zp->desc->type, w.param); /* both integers below 2^53: exact */
        q = isnan(q) ? 0.0 : q < j->lo ? j->lo : q > j->hi ? j->hi : q;
        wnn_store_i64(out->data, out->desc->type, i, (int64_t)q);
        i++, walk_next(&w);
    }
}

static void dequantize_range(void* ctx, size_t begin, size_t end) {
    const QuantizeJob* j = ctx;
    const WnnCpuTensor *x = &j->args->inputs[0], *sc = &j->args->inputs[1], *zp = &j->args->inputs[2];
    const WnnCpuTensor* out = &j->args->outputs[0];
    WnnDequantizeRunFn fast = wnn_dequantize_run_fn(x->desc->type, sc->desc->type, out->desc->type);
    BlockWalk w;
    walk_start(&w, x->desc, sc->desc, begin);
    for (size_t i = begin; i < end;) {
        size_t n = fast ? run_length(&w, end - i) : 0;
        if (n >= MIN_VECTOR_RUN) {
            fast((const uint8_t*)x->data + i, n, ((const float*)sc->data)[w.param],
                 (float)wnn_load_i64(zp->data, zp->desc->type, w.param), (float*)out->data + i);
            i += n;
            if (i < end) walk_start(&w, x->desc, sc->desc, i);
            continue;
        }
        int64_t diff = wnn_load_i64(x->data, x->desc->type, i) - wnn_load_i64(zp->data, zp->desc->type, w.param);
        wnn_store_f64(out->data, out->desc->type, i, (double)diff * wnn_load_f64(sc->data, sc->desc->type, w.param));
        i++, walk_next(&w);
    }
}

WNNStatus wnn_cpu_quantizeLinear(const WnnCpuKernelArgs* args) {
    WNNOperandDataType t = args->outputs[0].desc->type;
    QuantizeJob j = {args, 0.0, 0.0};
    switch (t) {
        case WNNOperandDataType_Int8: j.lo = INT8_MIN; j.hi = INT8_MAX; break;
        case WNNOperandDataType_Uint8: j.hi = UINT8_MAX; break;
        case WNNOperandDataType_Int32: j.lo = INT32_MIN; j.hi = INT32_MAX; break;
        default: j.hi = UINT32_MAX; break; /* uint32 */
    }
    wnn_parallel_for(args->pool, (size_t)wnn_desc_numel(args->inputs[0].desc), 4096, quantize_range, &j);
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_dequantizeLinear(const WnnCpuKernelArgs* args) {
    QuantizeJob j = {args, 0.0, 0.0};
    wnn_parallel_for(args->pool, (size_t)wnn_desc_numel(args->inputs[0].desc), 4096, dequantize_range, &j);
    return WNNStatus_Success;
}
