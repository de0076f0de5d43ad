/* k_gather.c: CPU kernels of gather, gatherElements, gatherND, scatterElements and scatterND.
 * Negative indices count from the end; out-of-range indices are clamped into range. */
#include <string.h>

#include "backends/cpu/copy_util.h"
#include "backends/cpu/cpu_kernels.h"
#include "graph/ops/movement.h"

#define IN(k) (args->inputs[k])
#define OUT(k) (args->outputs[k])

static size_t prod(const uint32_t* dims, uint32_t from, uint32_t to) {
    size_t n = 1;
    for (uint32_t i = from; i < to; i++) n *= dims[i];
    return n;
}

WNNStatus wnn_cpu_gather(const WnnCpuKernelArgs* args) {
    uint32_t axis = ((const WnnAxisAttrs*)args->node->attrs)->axis;
    const WnnDesc *in = IN(0).desc, *idx = IN(1).desc;
    size_t esize = wnn_type_size(in->type), outer = prod(in->shape, 0, axis);
    size_t inner = prod(in->shape, axis + 1, in->rank) * esize, count = (size_t)wnn_desc_numel(idx);
    uint32_t dim = in->shape[axis];
    const char* src = IN(0).data;
    char* dst = OUT(0).data;
    for (size_t o = 0; o < outer; o++)
        for (size_t k = 0; k < count; k++) {
            int64_t i = wnn_clamp_index(wnn_load_index(IN(1).data, idx->type, k), dim);
            memcpy(dst + (o * count + k) * inner, src + (o * dim + (size_t)i) * inner, inner);
        }
    return WNNStatus_Success;
}

/* Input offset of coordinate c with c[axis] replaced by the (clamped) index. */
static size_t element_offset(const WnnDesc* in, const uint32_t* c, uint32_t axis, int64_t index) {
    size_t off = 0;
    for (uint32_t d = 0; d < in->rank; d++) off = off * in->shape[d] + (d == axis ? (size_t)index : c[d]);
    return off;
}

/* Walks every element of the indices tensor; fn(ctx, k, offset in input). */
static void for_each_element_index(const WnnCpuKernelArgs* args, uint32_t axis,
                                   void (*fn)(const WnnCpuKernelArgs* a, size_t k, size_t off)) {
    const WnnDesc *in = IN(0).desc, *idx = IN(1).desc;
    size_t count = (size_t)wnn_desc_numel(idx);
    uint32_t c[WNN_MAX_RANK] = {0};
    for (size_t k = 0; k < count; k++) {
        int64_t i = wnn_clamp_index(wnn_load_index(IN(1).data, idx->type, k), in->shape[axis]);
        fn(args, k, element_offset(in, c, axis, i));
        for (uint32_t d = idx->rank; d-- > 0;) {
            if (++c[d] < idx->shape[d]) break;
            c[d] = 0;
        }
    }
}

static void gather_one(const WnnCpuKernelArgs* args, size_t k, size_t off) {
    size_t e = wnn_type_size(IN(0).desc->type);
    memcpy((char*)OUT(0).data + k * e, (const char*)IN(0).data + off * e, e);
}

static void scatter_one(const WnnCpuKernelArgs* args, size_t k, size_t off) {
    size_t e = wnn_type_size(IN(0).desc->type);
    memcpy((char*)OUT(0).data + off * e, (const char*)IN(2).data + k * e, e);
}

WNNStatus wnn_cpu_gatherElements(const WnnCpuKernelArgs* args) {
    for_each_element_index(args, ((const WnnAxisAttrs*)args->node->attrs)->axis, gather_one);
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_scatterElements(const WnnCpuKernelArgs* args) {
    memcpy(OUT(0).data, IN(0).data, (size_t)wnn_desc_bytes(IN(0).desc));
    for_each_element_index(args, ((const WnnAxisAttrs*)args->node->attrs)->axis, scatter_one);
    return WNNStatus_Success;
}

/* gatherND / scatterND: each index tuple (the last indices dimension, k entries) selects a slab of
 * the input of prod(input.shape[k:]) elements. */
static void for_each_tuple(const WnnCpuKernelArgs* args, int scatter) {
    const WnnDesc *in = IN(0).desc, *idx = IN(1).desc;
    uint32_t k = idx->shape[idx->rank - 1];
    size_t esize = wnn_type_size(in->type), slab = prod(in->shape, k, in->rank) * esize;
    size_t tuples = (size_t)wnn_desc_numel(idx) / (k ? k : 1);
    if (k == 0) tuples = prod(idx->shape, 0, idx->rank - 1);
    for (size_t t = 0; t < tuples; t++) {
        size_t off = 0;
        for (uint32_t d = 0; d < k; d++) {
            int64_t i = wnn_clamp_index(wnn_load_index(IN(1).data, idx->type, t * k + d), in->shape[d]);
            off = off * in->shape[d] + (size_t)i;
        }
        if (scatter) memcpy((char*)OUT(0).data + off * slab, (const char*)IN(2).data + t * slab, slab);
        else memcpy((char*)OUT(0).data + t * slab, (const char*)IN(0).data + off * slab, slab);
    }
}

WNNStatus wnn_cpu_gatherND(const WnnCpuKernelArgs* args) {
    for_each_tuple(args, 0);
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_scatterND(const WnnCpuKernelArgs* args) {
    memcpy(OUT(0).data, IN(0).data, (size_t)wnn_desc_bytes(IN(0).desc));
    for_each_tuple(args, 1);
    return WNNStatus_Success;
}
