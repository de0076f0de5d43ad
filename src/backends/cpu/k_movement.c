/* k_movement.c: CPU kernels of the data-movement ops that rearrange whole tensors: reshape,
 * expand, transpose, slice, reverse, concat, split, pad, tile and triangular. All are
 * element-size generic (copy_util.h); none looks at the values. */
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/copy_util.h"
#include "backends/cpu/cpu_kernels.h"
#include "graph/ops/movement.h"

#define IN(k) (args->inputs[k])
#define OUT(k) (args->outputs[k])
#define ESIZE(t) wnn_type_size((t).desc->type)

WNNStatus wnn_cpu_reshape(const WnnCpuKernelArgs* args) {
    wnn_copy_bytes(OUT(0).data, IN(0).data, (size_t)wnn_desc_bytes(OUT(0).desc), args->pool);
    return WNNStatus_Success;
}

/* expand, transpose, slice and reverse are strided views of the input. */
static WNNStatus view_copy(const WnnCpuKernelArgs* args, const int64_t* strides, int64_t base) {
    const WnnDesc* out = OUT(0).desc;
    wnn_affine_copy(OUT(0).data, IN(0).data, ESIZE(IN(0)), out->rank, out->shape, strides, base, args->pool);
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_expand(const WnnCpuKernelArgs* args) {
    const WnnDesc *in = IN(0).desc, *out = OUT(0).desc;
    int64_t s[WNN_MAX_RANK], strides[WNN_MAX_RANK] = {0};
    wnn_row_strides(in, s);
    uint32_t lead = out->rank - in->rank; /* broadcasting prepends dimensions of size 1 */
    for (uint32_t d = 0; d < in->rank; d++) strides[lead + d] = in->shape[d] == 1 ? 0 : s[d];
    return view_copy(args, strides, 0);
}

WNNStatus wnn_cpu_transpose(const WnnCpuKernelArgs* args) {
    const WnnLayoutAttrs* a = args->node->attrs;
    int64_t s[WNN_MAX_RANK], strides[WNN_MAX_RANK];
    wnn_row_strides(IN(0).desc, s);
    for (uint32_t d = 0; d < OUT(0).desc->rank; d++) strides[d] = s[a->perm[d]];
    return view_copy(args, strides, 0);
}

WNNStatus wnn_cpu_slice(const WnnCpuKernelArgs* args) {
    const WnnLayoutAttrs* a = args->node->attrs;
    int64_t s[WNN_MAX_RANK], strides[WNN_MAX_RANK], base = 0;
    wnn_row_strides(IN(0).desc, s);
    for (uint32_t d = 0; d < OUT(0).desc->rank; d++) {
        base += (int64_t)a->starts[d] * s[d];
        strides[d] = s[d] * a->strides[d];
    }
    return view_copy(args, strides, base);
}

WNNStatus wnn_cpu_reverse(const WnnCpuKernelArgs* args) {
    const WnnLayoutAttrs* a = args->node->attrs;
    const WnnDesc* in = IN(0).desc;
    int64_t s[WNN_MAX_RANK], base = 0;
    wnn_row_strides(in, s);
    for (uint32_t d = 0; d < in->rank; d++)
        if (a->reversed[d]) { /* walk the axis from its last element backwards */
            base += (int64_t)(in->shape[d] - 1) * s[d];
            s[d] = -s[d];
        }
    return view_copy(args, s, base);
}

/* concat and split: each row of the whole tensor (all dimensions before the axis) is the parts'
 * rows side by side. The whole tensor is cut into equal byte chunks, whatever the shapes, so long
 * rows (an early axis) and many short ones (a late axis) spread over the pool alike. */
#define SLAB_CHUNK ((size_t)1 << 15)

typedef struct SlabJob {
    const WnnCpuTensor* parts;
    uint32_t partCount;
    int split;
    char* whole;
    size_t wholeRow, total; /* bytes per whole row and in all */
    const size_t* at;       /* at[k]: byte offset of part k in a whole row; at[partCount] = wholeRow */
} SlabJob;

static void slab_chunks(void* ctx, size_t begin, size_t end) {
    const SlabJob* j = ctx;
    size_t pos = begin * SLAB_CHUNK, stop = WNN_MIN(end * SLAB_CHUNK, j->total);
    size_t row = pos / j->wholeRow, x = pos % j->wholeRow;
    uint32_t lo = 0, hi = j->partCount - 1; /* the part holding x: the last k with at[k] <= x */
    while (lo < hi) {
        uint32_t mid = (lo + hi + 1) / 2;
        if (j->at[mid] <= x) lo = mid;
        else hi = mid - 1;
    }
    for (uint32_t k = lo; pos < stop;) {
        size_t partRow = j->at[k + 1] - j->at[k], skip = x - j->at[k], n = WNN_MIN(partRow - skip, stop - pos);
        char *w = j->whole + pos, *p = (char*)j->parts[k].data + row * partRow + skip;
        memcpy(j->split ? p : w, j->split ? w : p, n);
        pos += n;
        x += n;
        if (x == j->at[k + 1] && ++k == j->partCount) { /* the next whole row */
            k = 0;
            x = 0;
            row++;
        }
    }
}

static WNNStatus concat_or_split(const WnnCpuKernelArgs* args, int split) {
    const WnnCpuTensor* whole = split ? &IN(0) : &OUT(0);
    uint32_t axis = ((const WnnAxisAttrs*)args->node->attrs)->axis;
    SlabJob j = {split ? args->outputs : args->inputs, split ? args->node->outputCount : args->node->inputCount,
                 split, whole->data, 0, (size_t)wnn_desc_bytes(whole->desc), NULL};
    size_t* at = wnn_malloc((j.partCount + 1) * sizeof *at);
    if (!at) return wnn_error(WNNStatus_OutOfMemory, "%s: out of memory", wnn_op_name(args->node->op));
    size_t unit = ESIZE(*whole); /* bytes per index along the axis */
    for (uint32_t d = axis + 1; d < whole->desc->rank; d++) unit *= whole->desc->shape[d];
    at[0] = 0;
    for (uint32_t k = 0; k < j.partCount; k++) at[k + 1] = at[k] + j.parts[k].desc->shape[axis] * unit;
    j.wholeRow = at[j.partCount];
    j.at = at;
    wnn_parallel_for(args->pool, (j.total + SLAB_CHUNK - 1) / SLAB_CHUNK, 2, slab_chunks, &j);
    free(at);
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_concat(const WnnCpuKernelArgs* args) { return concat_or_split(args, 0); }
WNNStatus wnn_cpu_split(const WnnCpuKernelArgs* args) { return concat_or_split(args, 1); }

/* pad and tile: each output index maps to an input index per dimension. */
static WNNStatus mapped(const WnnCpuKernelArgs* args, WnnIndexMapFn map, const void* ctx, const void* fill) {
    const WnnDesc *in = IN(0).desc, *out = OUT(0).desc;
    WNNStatus s = wnn_mapped_copy(OUT(0).data, IN(0).data, ESIZE(IN(0)), out->rank, in->shape, out->shape, map, ctx,
                                  fill, args->pool);
    return s ? wnn_error(s, "%s: out of memory", wnn_op_name(args->node->op)) : s;
}

typedef struct PadCtx {
    const WnnPadAttrs* a;
    const WnnDesc* in;
} PadCtx;

static int64_t pad_map(const void* p, uint32_t d, uint32_t i) {
    const PadCtx* c = p;
    int64_t n = c->in->shape[d], x = (int64_t)i - c->a->begin[d];
    if (x >= 0 && x < n) return x;
    switch (c->a->mode) {
        case WNNPaddingMode_Edge: return x < 0 ? 0 : n - 1;
        /* The builder keeps reflection padding below the dimension, so one reflection lands inside. */
        case WNNPaddingMode_Reflection: return x < 0 ? -x : 2 * (n - 1) - x;
        default: return -1;
    }
}

WNNStatus wnn_cpu_pad(const WnnCpuKernelArgs* args) {
    const WnnPadAttrs* a = args->node->attrs;
    PadCtx c = {a, IN(0).desc};
    return mapped(args, pad_map, &c, &a->value);
}

static int64_t tile_map(const void* p, uint32_t d, uint32_t i) { return i % ((const WnnDesc*)p)->shape[d]; }

WNNStatus wnn_cpu_tile(const WnnCpuKernelArgs* args) { return mapped(args, tile_map, IN(0).desc, NULL); }

/* triangular: per matrix row, one kept run of columns between zeroed ones. */
typedef struct TriJob {
    char* dst;
    const char* src;
    size_t esize, rows, cols;
    const WnnTriangularAttrs* a;
} TriJob;

static size_t clamp_col(int64_t c, size_t cols) { return c < 0 ? 0 : (size_t)c > cols ? cols : (size_t)c; }

static void tri_rows(void* ctx, size_t begin, size_t end) {
    const TriJob* j = ctx;
    for (size_t r = begin; r < end; r++) {
        int64_t edge = (int64_t)(r % j->rows) + j->a->diagonal; /* column of the diagonal in this row */
        /* upper keeps columns >= edge, lower keeps columns <= edge */
        size_t lo = j->a->upper ? clamp_col(edge, j->cols) : 0;
        size_t hi = j->a->upper ? j->cols : clamp_col(edge + 1, j->cols);
        size_t e = j->esize, at = r * j->cols * e;
        memset(j->dst + at, 0, lo * e); /* all-zero bytes are 0 (+0.0) in every data type */
        memcpy(j->dst + at + lo * e, j->src + at + lo * e, (hi - lo) * e);
        memset(j->dst + at + hi * e, 0, (j->cols - hi) * e);
    }
}

WNNStatus wnn_cpu_triangular(const WnnCpuKernelArgs* args) {
    const WnnDesc* in = IN(0).desc;
    TriJob j = {OUT(0).data, IN(0).data, ESIZE(IN(0)), 0, 0, args->node->attrs};
    j.rows = in->shape[in->rank - 2];
    j.cols = in->shape[in->rank - 1];
    size_t allRows = (size_t)wnn_desc_numel(in) / j.cols;
    wnn_parallel_for(args->pool, allRows, (1u << 15) / (j.cols * j.esize) + 1, tri_rows, &j);
    return WNNStatus_Success;
}
