/* eltwise_engine.c: broadcast iteration, block loads and stores per type, threading. */
#include "backends/cpu/eltwise_engine.h"

#include <math.h>
#include <string.h>

#include "backends/cpu/f16_convert.h"

WnnEltDomain wnn_elt_domain(WNNOperandDataType t) {
    if (wnn_type_is_float(t)) return WNN_DOM_F64;
    return t == WNNOperandDataType_Uint64 ? WNN_DOM_U64 : WNN_DOM_I64;
}

/* Loads n elements starting at element `start`, stepping `step` (0 repeats one element). */
#define LOAD_CASES(DST, CAST)                                                                         \
    switch (t) {                                                                                      \
        case WNNOperandDataType_Float32: { const float* p = src; for (size_t k = 0; k < n; k++) DST[k] = CAST(p[start + k * step]); } break; \
        case WNNOperandDataType_Float16: { const uint16_t* p = src; for (size_t k = 0; k < n; k++) DST[k] = CAST(wnn_half_to_float(p[start + k * step])); } break; \
        case WNNOperandDataType_Int32: { const int32_t* p = src; for (size_t k = 0; k < n; k++) DST[k] = CAST(p[start + k * step]); } break; \
        case WNNOperandDataType_Uint32: { const uint32_t* p = src; for (size_t k = 0; k < n; k++) DST[k] = CAST(p[start + k * step]); } break; \
        case WNNOperandDataType_Int64: { const int64_t* p = src; for (size_t k = 0; k < n; k++) DST[k] = CAST(p[start + k * step]); } break; \
        case WNNOperandDataType_Uint64: { const uint64_t* p = src; for (size_t k = 0; k < n; k++) DST[k] = CAST(p[start + k * step]); } break; \
        case WNNOperandDataType_Int8: { const int8_t* p = src; for (size_t k = 0; k < n; k++) DST[k] = CAST(p[start + k * step]); } break; \
        case WNNOperandDataType_Uint8: { const uint8_t* p = src; for (size_t k = 0; k < n; k++) DST[k] = CAST(p[start + k * step]); } break; \
        default: break;                                                                               \
    }

#define AS_F64(x) ((double)(x))
#define AS_I64(x) ((int64_t)(x))
#define AS_U64(x) ((uint64_t)(x))

static int64_t f2i(double v) { /* float -> int64 domain: truncate, saturate, NaN -> 0 */
    if (isnan(v)) return 0;
    if (v >= 9223372036854775807.0) return INT64_MAX;
    if (v <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)v;
}
static uint64_t f2u(double v) {
    if (isnan(v) || v <= 0) return 0;
    if (v >= 18446744073709551615.0) return UINT64_MAX;
    return (uint64_t)v;
}

static void load_f(double* d, const void* src, WNNOperandDataType t, size_t start, size_t step, size_t n) {
    if (t == WNNOperandDataType_Float16 && step == 1) { /* a contiguous run: F16C (f16_convert.c) */
        float tmp[WNN_ELT_BLOCK];
        wnn_f16_to_f32_n((const uint16_t*)src + start, tmp, n);
        for (size_t k = 0; k < n; k++) d[k] = tmp[k];
        return;
    }
    LOAD_CASES(d, AS_F64)
}
static void load_i(int64_t* d, const void* src, WNNOperandDataType t, size_t start, size_t step, size_t n) {
    if (wnn_type_is_float(t)) {
        double tmp[WNN_ELT_BLOCK];
        load_f(tmp, src, t, start, step, n);
        for (size_t k = 0; k < n; k++) d[k] = f2i(tmp[k]);
        return;
    }
    LOAD_CASES(d, AS_I64)
}
static void load_u(uint64_t* d, const void* src, WNNOperandDataType t, size_t start, size_t step, size_t n) {
    if (wnn_type_is_float(t)) {
        double tmp[WNN_ELT_BLOCK];
        load_f(tmp, src, t, start, step, n);
        for (size_t k = 0; k < n; k++) d[k] = f2u(tmp[k]);
        return;
    }
    LOAD_CASES(d, AS_U64)
}

/* Stores n domain values at dst[start..): floats round once; integers from doubles truncate and
 * saturate; integers from integers wrap. */
static void store_f(void* dst, WNNOperandDataType t, size_t start, const double* v, size_t n) {
    switch (t) {
        case WNNOperandDataType_Float32: { float* p = (float*)dst + start; for (size_t k = 0; k < n; k++) p[k] = (float)v[k]; } break;
        case WNNOperandDataType_Float16: wnn_f64_to_f16_n(v, (uint16_t*)dst + start, n); break; /* rounds once */
        default: for (size_t k = 0; k < n; k++) wnn_store_f64(dst, t, start + k, v[k]); break;
    }
}
static void store_i(void* dst, WNNOperandDataType t, size_t start, const int64_t* v, size_t n) {
    switch (t) {
        case WNNOperandDataType_Int32: { int32_t* p = (int32_t*)dst + start; for (size_t k = 0; k < n; k++) p[k] = (int32_t)(uint32_t)(uint64_t)v[k]; } break;
        case WNNOperandDataType_Uint8: { uint8_t* p = (uint8_t*)dst + start; for (size_t k = 0; k < n; k++) p[k] = (uint8_t)(uint64_t)v[k]; } break;
        default: for (size_t k = 0; k < n; k++) wnn_store_i64(dst, t, start + k, v[k]); break;
    }
}
static void store_u(void* dst, WNNOperandDataType t, size_t start, const uint64_t* v, size_t n) {
    for (size_t k = 0; k < n; k++) wnn_store_u64(dst, t, start + k, v[k]);
}

typedef struct Job {
    const WnnCpuKernelArgs* args;
    const WnnEltFns* fns;
    const void* ctx;
    WnnEltDomain dom;
    uint32_t nin, rank;
    uint32_t shape[WNN_MAX_RANK];
    size_t stride[WNN_ELT_MAX_INPUTS][WNN_MAX_RANK]; /* 0 on broadcast dimensions */
    size_t inner, blocksPerRow;
} Job;

static void run_units(void* p, size_t begin, size_t end) {
    const Job* j = p;
    union {
        double f[WNN_ELT_MAX_INPUTS][WNN_ELT_BLOCK];
        int64_t i[WNN_ELT_MAX_INPUTS][WNN_ELT_BLOCK];
        uint64_t u[WNN_ELT_MAX_INPUTS][WNN_ELT_BLOCK];
    } in;
    union {
        double f[WNN_ELT_BLOCK];
        int64_t i[WNN_ELT_BLOCK];
        uint64_t u[WNN_ELT_BLOCK];
    } out;
    const double* pf[WNN_ELT_MAX_INPUTS];
    const int64_t* pi[WNN_ELT_MAX_INPUTS];
    const uint64_t* pu[WNN_ELT_MAX_INPUTS];
    for (uint32_t k = 0; k < j->nin; k++) {
        pf[k] = in.f[k];
        pi[k] = in.i[k];
        pu[k] = in.u[k];
    }
    const WnnCpuTensor* ins = j->args->inputs;
    const WnnCpuTensor* o = &j->args->outputs[0];
    for (size_t unit = begin; unit < end; unit++) {
        size_t row = unit / j->blocksPerRow, col = (unit % j->blocksPerRow) * WNN_ELT_BLOCK;
        size_t n = j->inner - col < WNN_ELT_BLOCK ? j->inner - col : WNN_ELT_BLOCK;
        /* Offsets of this row in each input, from the row's coordinates (all but the last axis). */
        size_t off[WNN_ELT_MAX_INPUTS] = {0, 0, 0}, r = row;
        for (uint32_t d = j->rank ? j->rank - 1 : 0; d-- > 0;) {
            size_t c = r % j->shape[d];
            r /= j->shape[d];
            for (uint32_t k = 0; k < j->nin; k++) off[k] += c * j->stride[k][d];
        }
        for (uint32_t k = 0; k < j->nin; k++) {
            size_t step = j->rank ? j->stride[k][j->rank - 1] : 0, start = off[k] + col * step;
            if (j->dom == WNN_DOM_F64) load_f(in.f[k], ins[k].data, ins[k].desc->type, start, step, n);
            else if (j->dom == WNN_DOM_I64) load_i(in.i[k], ins[k].data, ins[k].desc->type, start, step, n);
            else load_u(in.u[k], ins[k].data, ins[k].desc->type, start, step, n);
        }
        size_t dst = row * j->inner + col;
        if (j->dom == WNN_DOM_F64) {
            j->fns->f(j->ctx, out.f, pf, n);
            store_f(o->data, o->desc->type, dst, out.f, n);
        } else if (j->dom == WNN_DOM_I64) {
            j->fns->i(j->ctx, out.i, pi, n);
            store_i(o->data, o->desc->type, dst, out.i, n);
        } else {
            j->fns->u(j->ctx, out.u, pu, n);
            store_u(o->data, o->desc->type, dst, out.u, n);
        }
    }
}

WNNStatus wnn_elt_run(const WnnCpuKernelArgs* args, const WnnEltFns* fns, const void* ctx,
                      WNNOperandDataType domainType) {
    Job j;
    memset(&j, 0, sizeof j);
    const WnnDesc* od = args->outputs[0].desc;
    j.args = args;
    j.fns = fns;
    j.ctx = ctx;
    j.dom = wnn_elt_domain(domainType);
    if ((j.dom == WNN_DOM_F64 && !fns->f) || (j.dom == WNN_DOM_I64 && !fns->i) || (j.dom == WNN_DOM_U64 && !fns->u))
        return wnn_error(WNNStatus_NotSupportedError, "%s: no CPU kernel for %s", wnn_op_name(args->node->op),
                         wnn_type_name(domainType));
    j.nin = args->node->inputCount;
    j.rank = od->rank;
    memcpy(j.shape, od->shape, sizeof j.shape);
    for (uint32_t k = 0; k < j.nin; k++) {
        const WnnDesc* d = args->inputs[k].desc;
        size_t s = 1;
        for (uint32_t a = od->rank; a-- > 0;) {
            int32_t ia = (int32_t)a - (int32_t)(od->rank - d->rank);
            if (ia < 0) break;
            j.stride[k][a] = d->shape[ia] == 1 ? 0 : s;
            s *= d->shape[ia];
        }
    }
    j.inner = od->rank ? od->shape[od->rank - 1] : 1;
    j.blocksPerRow = (j.inner + WNN_ELT_BLOCK - 1) / WNN_ELT_BLOCK;
    size_t rows = (size_t)wnn_desc_numel(od) / j.inner;
    size_t units = rows * j.blocksPerRow;
    size_t grain = 16384 / (j.inner < WNN_ELT_BLOCK ? j.inner : WNN_ELT_BLOCK) + 1;
    wnn_parallel_for(args->pool, units, grain, run_units, &j);
    return WNNStatus_Success;
}
