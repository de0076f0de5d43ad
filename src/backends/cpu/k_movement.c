/* k_movement.c: CPU kernels of the data-movement ops (element-size generic). */
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/copy_util.h"
#include "backends/cpu/cpu_kernels.h"
#include "graph/ops/movement.h"

#define IN(k) (args->inputs[k])
#define OUT(k) (args->outputs[k])
#define ESIZE(t) wnn_type_size((t).desc->type)

WNNStatus wnn_cpu_reshape(const WnnCpuKernelArgs* args) {
    memcpy(OUT(0).data, IN(0).data, (size_t)wnn_desc_bytes(OUT(0).desc));
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_expand(const WnnCpuKernelArgs* args) {
    const WnnDesc *in = IN(0).desc, *out = OUT(0).desc;
    int64_t s[WNN_MAX_RANK], strides[WNN_MAX_RANK] = {0};
    wnn_row_strides(in, s);
    for (uint32_t d = 0; d < in->rank; d++) {
        uint32_t od = d + out->rank - in->rank;
        strides[od] = in->shape[d] == 1 ? 0 : s[d];
    }
    wnn_affine_copy(OUT(0).data, IN(0).data, ESIZE(IN(0)), out->rank, out->shape, strides, 0, args->pool);
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_transpose(const WnnCpuKernelArgs* args) {
    const WnnLayoutAttrs* a = args->node->attrs;
    const WnnDesc *in = IN(0).desc, *out = OUT(0).desc;
    int64_t s[WNN_MAX_RANK], strides[WNN_MAX_RANK];
    wnn_row_strides(in, s);
    for (uint32_t d = 0; d < out->rank; d++) strides[d] = s[a->perm[d]];
    wnn_affine_copy(OUT(0).data, IN(0).data, ESIZE(IN(0)), out->rank, out->shape, strides, 0, args->pool);
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_slice(const WnnCpuKernelArgs* args) {
    const WnnLayoutAttrs* a = args->node->attrs;
    const WnnDesc *in = IN(0).desc, *out = OUT(0).desc;
    int64_t s[WNN_MAX_RANK], strides[WNN_MAX_RANK], base = 0;
    wnn_row_strides(in, s);
    for (uint32_t d = 0; d < out->rank; d++) {
        base += (int64_t)a->starts[d] * s[d];
        strides[d] = s[d] * a->strides[d];
    }
    wnn_affine_copy(OUT(0).data, IN(0).data, ESIZE(IN(0)), out->rank, out->shape, strides, base, args->pool);
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_reverse(const WnnCpuKernelArgs* args) {
    const WnnLayoutAttrs* a = args->node->attrs;
    const WnnDesc* in = IN(0).desc;
    int64_t s[WNN_MAX_RANK], base = 0;
    wnn_row_strides(in, s);
    for (uint32_t d = 0; d < in->rank; d++)
        if (a->reversed[d]) {
            base += (int64_t)(in->shape[d] - 1) * s[d];
            s[d] = -s[d];
        }
    wnn_affine_copy(OUT(0).data, IN(0).data, ESIZE(IN(0)), in->rank, in->shape, s, base, args->pool);
    return WNNStatus_Success;
}

/* Copies each input into its slab of the output along the axis (split is the same in reverse). */
static void concat_or_split(const WnnCpuKernelArgs* args, uint32_t axis, int split) {
    const WnnDesc* whole = split ? IN(0).desc : OUT(0).desc;
    size_t esize = wnn_type_size(whole->type), outer = 1, inner = esize;
    for (uint32_t d = 0; d < axis; d++) outer *= whole->shape[d];
    for (uint32_t d = axis + 1; d < whole->rank; d++) inner *= whole->shape[d];
    size_t wholeRow = whole->shape[axis] * inner, offset = 0;
    uint32_t parts = split ? args->node->outputCount : args->node->inputCount;
    for (uint32_t k = 0; k < parts; k++) {
        const WnnCpuTensor* part = split ? &OUT(k) : &IN(k);
        size_t partRow = part->desc->shape[axis] * inner;
        for (size_t o = 0; o < outer; o++) {
            char* w = (char*)(split ? IN(0).data : OUT(0).data) + o * wholeRow + offset;
            char* p = (char*)part->data + o * partRow;
            if (split) memcpy(p, w, partRow);
            else memcpy(w, p, partRow);
        }
        offset += partRow;
    }
}

WNNStatus wnn_cpu_concat(const WnnCpuKernelArgs* args) {
    concat_or_split(args, ((const WnnAxisAttrs*)args->node->attrs)->axis, 0);
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_split(const WnnCpuKernelArgs* args) {
    concat_or_split(args, ((const WnnAxisAttrs*)args->node->attrs)->axis, 1);
    return WNNStatus_Success;
}

/* pad and tile map each output index to an input index per dimension. */
static WNNStatus mapped(const WnnCpuKernelArgs* args, int64_t (*map)(const void* ctx, uint32_t d, int64_t i),
                        const void* ctx, const void* fill) {
    const WnnDesc *in = IN(0).desc, *out = OUT(0).desc;
    int64_t s[WNN_MAX_RANK];
    int64_t* maps[WNN_MAX_RANK] = {0};
    wnn_row_strides(in, s);
    WNNStatus st = WNNStatus_Success;
    for (uint32_t d = 0; d < out->rank; d++) {
        maps[d] = malloc(sizeof(int64_t) * out->shape[d]);
        if (!maps[d]) {
            st = wnn_error(WNNStatus_OutOfMemory, "%s: out of memory", wnn_op_name(args->node->op));
            break;
        }
        for (uint32_t i = 0; i < out->shape[d]; i++) {
            int64_t m = map(ctx, d, i);
            maps[d][i] = m < 0 ? -1 : m * s[d];
        }
    }
    if (!st) wnn_mapped_copy(OUT(0).data, IN(0).data, ESIZE(IN(0)), out->rank, out->shape, maps, fill);
    for (uint32_t d = 0; d < out->rank; d++) free(maps[d]);
    return st;
}

typedef struct PadCtx {
    const WnnPadAttrs* a;
    const WnnDesc* in;
} PadCtx;

static int64_t pad_map(const void* p, uint32_t d, int64_t i) {
    const PadCtx* c = p;
    int64_t n = c->in->shape[d], x = i - c->a->begin[d];
    if (x >= 0 && x < n) return x;
    switch (c->a->mode) {
        case WNNPaddingMode_Edge: return x < 0 ? 0 : n - 1;
        case WNNPaddingMode_Reflection:
            if (n == 1) return 0;
            while (x < 0 || x >= n) x = x < 0 ? -x : 2 * (n - 1) - x;
            return x;
        default: return -1;
    }
}

WNNStatus wnn_cpu_pad(const WnnCpuKernelArgs* args) {
    const WnnPadAttrs* a = args->node->attrs;
    PadCtx c = {a, IN(0).desc};
    return mapped(args, pad_map, &c, &a->value);
}

static int64_t tile_map(const void* p, uint32_t d, int64_t i) { return i % ((const WnnDesc*)p)->shape[d]; }

WNNStatus wnn_cpu_tile(const WnnCpuKernelArgs* args) { return mapped(args, tile_map, IN(0).desc, NULL); }

WNNStatus wnn_cpu_triangular(const WnnCpuKernelArgs* args) {
    const WnnTriangularAttrs* a = args->node->attrs;
    const WnnDesc* in = IN(0).desc;
    size_t esize = ESIZE(IN(0)), rows = in->shape[in->rank - 2], cols = in->shape[in->rank - 1];
    size_t mats = (size_t)wnn_desc_numel(in) / (rows * cols);
    const char* src = IN(0).data;
    char* dst = OUT(0).data;
    for (size_t m = 0; m < mats; m++)
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < cols; j++) {
                int64_t diff = (int64_t)j - (int64_t)i;
                int keep = a->upper ? diff >= a->diagonal : diff <= a->diagonal;
                size_t off = ((m * rows + i) * cols + j) * esize;
                if (keep) memcpy(dst + off, src + off, esize);
                else memset(dst + off, 0, esize);
            }
    return WNNStatus_Success;
}
