/* eltwise_f32.c: the float32 fast path of a few element-wise ops (eltwise_engine.h): when every
 * input is float32 and has the output's shape or is a single element, plain float loops over the
 * thread pool replace the engine's double-domain blocks. The results are bit-identical: +, -, *, /
 * of two float32 values rounded once from double equal the float32 operation, and relu / clamp only
 * select values. */
#include "backends/cpu/eltwise_engine.h"
#include "graph/ops/elementwise.h"

typedef struct F32Job {
    WnnEltF32Op op;
    const float *a, *b; /* b NULL for unary ops */
    int aScalar, bScalar;
    float* o;
    float lo, hi;
} F32Job;

#define LOOP(expr)                                                                   \
    for (size_t k = begin; k < end; k++) {                                           \
        float x = j->aScalar ? j->a[0] : j->a[k], y = j->b ? (j->bScalar ? j->b[0] : j->b[k]) : 0; \
        (void)y;                                                                     \
        j->o[k] = (expr);                                                            \
    }

static void f32_range(void* ctx, size_t begin, size_t end) {
    const F32Job* j = ctx;
    switch (j->op) {
        case WNN_F32_ADD: LOOP(x + y) break;
        case WNN_F32_SUB: LOOP(x - y) break;
        case WNN_F32_MUL: LOOP(x * y) break;
        case WNN_F32_DIV: LOOP(x / y) break;
        case WNN_F32_RELU: LOOP(x < 0 ? 0.0f : x) break;
        case WNN_F32_CLAMP: LOOP(x < j->lo ? j->lo : x > j->hi ? j->hi : x) break;
    }
}

int wnn_elt_clamp_bounds(const WnnClampAttrs* c, float* lo, float* hi) {
    if ((c->hasMin && c->minF != c->minF) || (c->hasMax && c->maxF != c->maxF)) return 0; /* NaN bounds */
    *lo = c->hasMin ? (float)c->minF : -__builtin_inff();
    *hi = c->hasMax ? (float)c->maxF : __builtin_inff();
    /* a bound float32 cannot hold exactly: the engine's double compare */
    return (double)*lo == (c->hasMin ? c->minF : -__builtin_inf()) && (double)*hi == (c->hasMax ? c->maxF : __builtin_inf());
}

int wnn_elt_f32(const WnnCpuKernelArgs* args, WnnEltF32Op op, const void* ctx) {
    const WnnDesc* od = args->outputs[0].desc;
    uint32_t nin = op == WNN_F32_RELU || op == WNN_F32_CLAMP ? 1 : 2;
    if (od->type != WNNOperandDataType_Float32 || args->node->inputCount != nin) return 0;
    uint64_t n = wnn_desc_numel(od);
    int scalar[2] = {0, 0};
    for (uint32_t i = 0; i < nin; i++) {
        const WnnDesc* d = args->inputs[i].desc;
        if (!d || d->type != WNNOperandDataType_Float32) return 0;
        scalar[i] = wnn_desc_numel(d) == 1 && n != 1;
        if (!scalar[i] && !wnn_desc_same_shape(d, od)) return 0;
    }
    F32Job j = {op, args->inputs[0].data, nin > 1 ? args->inputs[1].data : NULL, scalar[0], scalar[1],
                args->outputs[0].data, 0, 0};
    if (op == WNN_F32_CLAMP && !wnn_elt_clamp_bounds(ctx, &j.lo, &j.hi)) return 0;
    wnn_parallel_for(args->pool, (size_t)n, 16384, f32_range, &j);
    return 1;
}
