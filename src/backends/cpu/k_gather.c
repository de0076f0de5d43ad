/* k_gather.c: CPU kernels of gather, gatherElements, gatherND, scatterElements and scatterND.
 * Indices are int32, uint32 or int64; negative ones count from the end and anything out of range
 * is clamped into range (wnn_clamp_index), so no index can reach outside a tensor. Scatters apply
 * updates in row-major order: when indices repeat, the last update wins. */
#include <string.h>

#include "backends/cpu/copy_util.h"
#include "backends/cpu/cpu_kernels.h"
#include "graph/ops/movement.h"

#define IN(k) (args->inputs[k])
#define OUT(k) (args->outputs[k])
#define GRAIN_BYTES ((size_t)1 << 15)

static size_t prod(const uint32_t* dims, uint32_t from, uint32_t to) {
    size_t n = 1;
    for (uint32_t i = from; i < to; i++) n *= dims[i];
    return n;
}

/* One element; the constant sizes let the compiler emit a single load and store. */
static inline void move_elem(char* dst, const char* src, size_t esize) {
    switch (esize) {
        case 1: memcpy(dst, src, 1); break;
        case 2: memcpy(dst, src, 2); break;
        case 4: memcpy(dst, src, 4); break;
        default: memcpy(dst, src, 8); break;
    }
}

/* The input seen as [outer, dim, inner] around the axis, and the indices (and the output of the
 * gathers, the updates of the scatters) as [outer, count, inner]: the layouts of gather (with
 * inner the whole row) and of gatherElements / scatterElements (element by element). */
typedef struct AxisJob {
    const WnnCpuKernelArgs* args;
    size_t esize, outer, count, inner;
    uint32_t dim;
} AxisJob;

static AxisJob axis_job(const WnnCpuKernelArgs* args, size_t count) {
    const WnnDesc* in = IN(0).desc;
    uint32_t axis = ((const WnnAxisAttrs*)args->node->attrs)->axis;
    AxisJob j = {
        args,           wnn_type_size(in->type), prod(in->shape, 0, axis), count, prod(in->shape, axis + 1, in->rank),
        in->shape[axis]};
    return j;
}

/* gather: output row (o, k) is input row (o, index k). */
static void gather_rows(void* ctx, size_t begin, size_t end) {
    const AxisJob* j = ctx;
    const WnnCpuKernelArgs* args = j->args;
    size_t rowBytes = j->inner * j->esize;
    for (size_t item = begin; item < end; item++) {
        size_t o = item / j->count, k = item % j->count;
        size_t r = wnn_clamp_index(wnn_load_index(IN(1).data, IN(1).desc->type, k), j->dim);
        memcpy((char*)OUT(0).data + item * rowBytes, (const char*)IN(0).data + (o * j->dim + r) * rowBytes, rowBytes);
    }
}

WNNStatus wnn_cpu_gather(const WnnCpuKernelArgs* args) {
    AxisJob j = axis_job(args, (size_t)wnn_desc_numel(IN(1).desc));
    wnn_parallel_for(args->pool, j.outer * j.count, GRAIN_BYTES / (j.inner * j.esize) + 1, gather_rows, &j);
    return WNNStatus_Success;
}

/* gatherElements: out[o, a, i] = in[o, index[o, a, i], i]. */
static void gather_element_rows(void* ctx, size_t begin, size_t end) {
    const AxisJob* j = ctx;
    const WnnCpuKernelArgs* args = j->args;
    const char* in = IN(0).data;
    char* out = OUT(0).data;
    for (size_t row = begin; row < end; row++) { /* row = o * count + a */
        size_t o = row / j->count;
        for (size_t i = 0, k = row * j->inner; i < j->inner; i++, k++) {
            size_t r = wnn_clamp_index(wnn_load_index(IN(1).data, IN(1).desc->type, k), j->dim);
            move_elem(out + k * j->esize, in + ((o * j->dim + r) * j->inner + i) * j->esize, j->esize);
        }
    }
}

WNNStatus wnn_cpu_gatherElements(const WnnCpuKernelArgs* args) {
    const WnnDesc* idx = IN(1).desc;
    AxisJob j = axis_job(args, idx->shape[((const WnnAxisAttrs*)args->node->attrs)->axis]);
    wnn_parallel_for(args->pool, j.outer * j.count, GRAIN_BYTES / (j.inner * j.esize) + 1, gather_element_rows, &j);
    return WNNStatus_Success;
}

/* scatterElements: out[o, index[o, a, i], i] = updates[o, a, i]. Slabs of different o never
 * meet, so they run in parallel; within one, a and i ascend (row-major order). */
static void scatter_element_slabs(void* ctx, size_t begin, size_t end) {
    const AxisJob* j = ctx;
    const WnnCpuKernelArgs* args = j->args;
    const char* upd = IN(2).data;
    char* out = OUT(0).data;
    for (size_t o = begin; o < end; o++)
        for (size_t k = o * j->count * j->inner; k < (o + 1) * j->count * j->inner; k++) {
            size_t i = k % j->inner;
            size_t r = wnn_clamp_index(wnn_load_index(IN(1).data, IN(1).desc->type, k), j->dim);
            move_elem(out + ((o * j->dim + r) * j->inner + i) * j->esize, upd + k * j->esize, j->esize);
        }
}

WNNStatus wnn_cpu_scatterElements(const WnnCpuKernelArgs* args) {
    const WnnDesc* idx = IN(1).desc;
    AxisJob j = axis_job(args, idx->shape[((const WnnAxisAttrs*)args->node->attrs)->axis]);
    wnn_copy_bytes(OUT(0).data, IN(0).data, (size_t)wnn_desc_bytes(IN(0).desc), args->pool);
    wnn_parallel_for(args->pool, j.outer, GRAIN_BYTES / (j.count * j.inner * j.esize) + 1, scatter_element_slabs, &j);
    return WNNStatus_Success;
}

/* gatherND / scatterND: indices [..., k] hold coordinates into the first k input dimensions;
 * each selects a slab of prod(input.shape[k:]) elements. */
typedef struct TupleJob {
    const WnnCpuKernelArgs* args;
    uint32_t k;
    size_t slabBytes;
} TupleJob;

/* Byte offset in the input of the slab that tuple t selects. */
static size_t tuple_offset(const TupleJob* j, size_t t) {
    const WnnCpuKernelArgs* args = j->args;
    const WnnDesc* in = IN(0).desc;
    size_t off = 0;
    for (uint32_t d = 0; d < j->k; d++) {
        size_t i = wnn_clamp_index(wnn_load_index(IN(1).data, IN(1).desc->type, t * j->k + d), in->shape[d]);
        off = off * in->shape[d] + i;
    }
    return off * j->slabBytes;
}

static TupleJob tuple_job(const WnnCpuKernelArgs* args, size_t* tuples) {
    const WnnDesc *in = IN(0).desc, *idx = IN(1).desc;
    TupleJob j = {args, idx->shape[idx->rank - 1], 0};
    j.slabBytes = prod(in->shape, j.k, in->rank) * wnn_type_size(in->type);
    *tuples = prod(idx->shape, 0, idx->rank - 1);
    return j;
}

static void gather_tuples(void* ctx, size_t begin, size_t end) {
    const TupleJob* j = ctx;
    for (size_t t = begin; t < end; t++)
        memcpy((char*)j->args->outputs[0].data + t * j->slabBytes,
               (const char*)j->args->inputs[0].data + tuple_offset(j, t), j->slabBytes);
}

WNNStatus wnn_cpu_gatherND(const WnnCpuKernelArgs* args) {
    size_t tuples;
    TupleJob j = tuple_job(args, &tuples);
    wnn_parallel_for(args->pool, tuples, GRAIN_BYTES / j.slabBytes + 1, gather_tuples, &j);
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_scatterND(const WnnCpuKernelArgs* args) {
    size_t tuples;
    TupleJob j = tuple_job(args, &tuples);
    wnn_copy_bytes(OUT(0).data, IN(0).data, (size_t)wnn_desc_bytes(IN(0).desc), args->pool);
    /* In order, so that the last of repeated coordinates wins. */
    for (size_t t = 0; t < tuples; t++)
        wnn_copy_bytes((char*)OUT(0).data + tuple_offset(&j, t), (const char*)IN(2).data + t * j.slabBytes, j.slabBytes,
                       args->pool);
    return WNNStatus_Success;
}
