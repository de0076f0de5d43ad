/* cuda_movement.c: the movement op family on the GPU (see cuda_op.h): pad, reverse, tile,
 * triangular, split, the gathers and scatters and resample2d for every data type they allow,
 * and reshape, transpose, slice, expand and concat for the types the executor's built-in steps
 * leave (it runs them for float32 and float16 and is asked first). Kernels in cuda_movement.cu
 * move elements as words of their size; plan() turns each node into one of them:
 * - a coordinate map (transpose, slice, reverse, expand, tile, pad), or a plain copy when the map
 *   is one contiguous run (reshape, and maps that simplify to it);
 * - triangular's mask, concat / split slabs, the gathers, the scatters, resample2d.
 * Indices are read on the device (they may be computed by the graph) with the CPU's rules. */
#include <stdlib.h>
#include <string.h>

#include "backends/cuda/cuda_movement.h"
#include "backends/cuda/cuda_op.h"
#include "graph/ops/conv.h"
#include "graph/ops/movement.h"

typedef struct MvPlan {
    WnnOpId op;
    int esize;
    int64_t count; /* elements of output 0 */
    size_t bytes;  /* scatters: bytes of the input, copied to the output first */
    int copy;      /* a map that is one contiguous run from map.base: a plain copy */
    WnnMvMap map;
    int64_t rows, cols, diagonal; /* triangular */
    int upper;
    uint32_t partCount; /* concat / split */
    int64_t outer;
    int64_t* at; /* element offset of each part in a whole row; at[partCount] = the whole row */
    WnnMvIndex index;
    int64_t slots; /* scatters: winner slots (uint32) in scratch */
    WnnMvResample resample;
} MvPlan;

static const WnnDesc* desc_of(const WnnGraphIR* ir, int32_t id) { return &ir->operands[id].desc; }

static int64_t prod(const uint32_t* dims, uint32_t from, uint32_t to) {
    int64_t n = 1;
    for (uint32_t i = from; i < to; i++) n *= dims[i];
    return n;
}

static int index_type(WNNOperandDataType t) {
    switch (t) {
        case WNNOperandDataType_Int32: return 0;
        case WNNOperandDataType_Uint32: return 1;
        case WNNOperandDataType_Int64: return 2;
        default: return -1;
    }
}

static int resample_type(WNNOperandDataType t) {
    switch (t) {
        case WNNOperandDataType_Float32: return 0;
        case WNNOperandDataType_Float16: return 1;
        case WNNOperandDataType_Int8: return 2;
        case WNNOperandDataType_Uint8: return 3;
        default: return -1;
    }
}

static bool supports(const WnnGraphIR* ir, const WnnNode* n) {
    if (n->inputCount == 0 || n->outputCount == 0 || n->inputs[0] < 0) return false;
    WNNOperandDataType t = desc_of(ir, n->outputs[0])->type;
    if (wnn_cuda_type(t) < 0) return false;
    /* The builder keeps every tensor below 2^31 elements (the kernels split coordinates in 32 bits
     * and number scatter updates in uint32); checked again here rather than assumed. */
    for (uint32_t i = 0; i < n->inputCount + n->outputCount; i++) {
        int32_t id = i < n->inputCount ? n->inputs[i] : n->outputs[i - n->inputCount];
        if (id < 0) return false;
        const WnnDesc* d = desc_of(ir, id);
        if (d->rank > WNN_MV_MAX_RANK || wnn_desc_numel(d) > 0x7fffffffu) return false;
    }
    switch (n->op) {
        case WNN_OP_reshape: case WNN_OP_transpose: case WNN_OP_slice: case WNN_OP_expand: case WNN_OP_concat:
        case WNN_OP_split: case WNN_OP_pad: case WNN_OP_reverse: case WNN_OP_tile: case WNN_OP_triangular:
            return true;
        case WNN_OP_gather: case WNN_OP_gatherElements: case WNN_OP_gatherND: case WNN_OP_scatterElements:
        case WNN_OP_scatterND:
            return n->inputCount >= 2 && index_type(desc_of(ir, n->inputs[1])->type) >= 0;
        case WNN_OP_resample2d: return resample_type(t) >= 0 && desc_of(ir, n->inputs[0])->rank == 4;
        default: return false;
    }
}

static void row_strides(const WnnDesc* d, int64_t* s) {
    int64_t acc = 1;
    for (uint32_t i = d->rank; i-- > 0;) {
        s[i] = acc;
        acc *= d->shape[i];
    }
}

/* Drops dimensions of size 1 and merges neighbours that walk the input as one dimension; a map
 * left with no dimension, or one of unit stride, is a plain copy. */
static void simplify(MvPlan* p) {
    WnnMvMap* m = &p->map;
    int r = 0;
    for (int d = 0; d < m->rank; d++) {
        if (m->shape[d] == 1) continue;
        if (r > 0 && m->stride[r - 1] == m->stride[d] * (int64_t)m->shape[d]) {
            m->shape[r - 1] *= m->shape[d];
            m->stride[r - 1] = m->stride[d];
            continue;
        }
        m->shape[r] = m->shape[d];
        m->stride[r] = m->stride[d];
        r++;
    }
    m->rank = r;
    p->copy = r == 0 || (r == 1 && m->stride[0] == 1);
}

/* The coordinate map of transpose, slice, reverse, expand, tile and pad. */
static void plan_map(MvPlan* p, const WnnNode* n, const WnnDesc* in, const WnnDesc* out) {
    WnnMvMap* m = &p->map;
    int64_t s[WNN_MV_MAX_RANK];
    row_strides(in, s);
    m->kind = WNN_MV_STRIDED;
    m->rank = (int)out->rank;
    for (uint32_t d = 0; d < out->rank; d++) m->shape[d] = out->shape[d];
    switch (n->op) {
        case WNN_OP_transpose: {
            const WnnLayoutAttrs* a = n->attrs;
            for (uint32_t d = 0; d < out->rank; d++) m->stride[d] = s[a->perm[d]];
            break;
        }
        case WNN_OP_slice: {
            const WnnLayoutAttrs* a = n->attrs;
            for (uint32_t d = 0; d < out->rank; d++) {
                m->stride[d] = s[d] * a->strides[d];
                m->base += (int64_t)a->starts[d] * s[d];
            }
            break;
        }
        case WNN_OP_reverse: {
            const WnnLayoutAttrs* a = n->attrs;
            for (uint32_t d = 0; d < out->rank; d++) { /* a reversed axis walks from its last element back */
                m->stride[d] = a->reversed[d] ? -s[d] : s[d];
                if (a->reversed[d]) m->base += (int64_t)(in->shape[d] - 1) * s[d];
            }
            break;
        }
        case WNN_OP_expand: { /* broadcasting prepends dimensions of size 1 */
            uint32_t lead = out->rank - in->rank;
            for (uint32_t d = 0; d < in->rank; d++) m->stride[lead + d] = in->shape[d] == 1 ? 0 : s[d];
            break;
        }
        case WNN_OP_tile:
        case WNN_OP_pad: {
            m->kind = n->op == WNN_OP_tile ? WNN_MV_TILE : WNN_MV_PAD;
            for (uint32_t d = 0; d < out->rank; d++) {
                m->stride[d] = s[d];
                m->inDim[d] = in->shape[d];
            }
            if (n->op == WNN_OP_pad) {
                const WnnPadAttrs* a = n->attrs;
                m->padMode = a->mode == WNNPaddingMode_Edge         ? WNN_MV_PAD_EDGE
                             : a->mode == WNNPaddingMode_Reflection ? WNN_MV_PAD_REFLECTION
                                                                    : WNN_MV_PAD_CONSTANT;
                m->fill = a->value;
                for (uint32_t d = 0; d < out->rank; d++) m->begin[d] = a->begin[d];
            }
            return; /* per-dimension index maps: nothing to merge */
        }
        default: break;
    }
    simplify(p);
}

/* concat / split: the parts' offsets in a whole row (all dimensions from the axis on). */
static WNNStatus plan_parts(MvPlan* p, const WnnGraphIR* ir, const WnnNode* n) {
    int split = n->op == WNN_OP_split;
    const WnnDesc* whole = desc_of(ir, split ? n->inputs[0] : n->outputs[0]);
    uint32_t axis = ((const WnnAxisAttrs*)n->attrs)->axis;
    p->partCount = split ? n->outputCount : n->inputCount;
    p->at = malloc((p->partCount + 1) * sizeof *p->at);
    if (!p->at) return wnn_error(WNNStatus_OutOfMemory, "%s: out of memory", wnn_op_name(n->op));
    int64_t unit = prod(whole->shape, axis + 1, whole->rank);
    p->outer = prod(whole->shape, 0, axis);
    p->at[0] = 0;
    for (uint32_t k = 0; k < p->partCount; k++) {
        const WnnDesc* part = desc_of(ir, split ? n->outputs[k] : n->inputs[k]);
        p->at[k + 1] = p->at[k] + (int64_t)part->shape[axis] * unit;
    }
    return WNNStatus_Success;
}

/* gather, gatherElements, scatterElements: [outer, dim, inner] around the axis. */
static void plan_axis(MvPlan* p, const WnnGraphIR* ir, const WnnNode* n) {
    const WnnDesc *in = desc_of(ir, n->inputs[0]), *idx = desc_of(ir, n->inputs[1]);
    uint32_t axis = ((const WnnAxisAttrs*)n->attrs)->axis;
    WnnMvIndex* x = &p->index;
    x->itype = index_type(idx->type);
    x->elements = n->op != WNN_OP_gather;
    x->outer = prod(in->shape, 0, axis);
    x->dim = in->shape[axis];
    x->inner = prod(in->shape, axis + 1, in->rank);
    x->count = x->elements ? idx->shape[axis] : (int64_t)wnn_desc_numel(idx);
    p->slots = (int64_t)wnn_desc_numel(in); /* scatterElements: one per output element */
}

/* gatherND, scatterND: tuples of k coordinates, each selecting a slab. */
static void plan_nd(MvPlan* p, const WnnGraphIR* ir, const WnnNode* n) {
    const WnnDesc *in = desc_of(ir, n->inputs[0]), *idx = desc_of(ir, n->inputs[1]);
    WnnMvIndex* x = &p->index;
    x->itype = index_type(idx->type);
    x->k = (int)idx->shape[idx->rank - 1];
    x->tuples = (int64_t)wnn_desc_numel(idx) / x->k;
    x->slab = prod(in->shape, (uint32_t)x->k, in->rank);
    for (int d = 0; d < x->k; d++) x->dims[d] = in->shape[d];
    p->slots = prod(in->shape, 0, (uint32_t)x->k); /* one per slab */
}

static WNNStatus plan(CudaDevice* d, const WnnGraphIR* ir, const WnnNode* n, void** state, size_t* scratchBytes) {
    (void)d;
    *state = NULL;
    *scratchBytes = 0;
    MvPlan* p = calloc(1, sizeof *p);
    if (!p) return wnn_error(WNNStatus_OutOfMemory, "%s: out of memory", wnn_op_name(n->op));
    const WnnDesc *in = desc_of(ir, n->inputs[0]), *out = desc_of(ir, n->outputs[0]);
    p->op = n->op;
    p->esize = (int)wnn_type_size(out->type);
    p->count = (int64_t)wnn_desc_numel(out);
    p->bytes = (size_t)wnn_desc_bytes(in);
    WNNStatus s = WNNStatus_Success;
    switch (n->op) {
        case WNN_OP_reshape: p->copy = 1; break;
        case WNN_OP_triangular: {
            const WnnTriangularAttrs* a = n->attrs;
            p->rows = in->shape[in->rank - 2];
            p->cols = in->shape[in->rank - 1];
            p->upper = a->upper;
            p->diagonal = a->diagonal;
            break;
        }
        case WNN_OP_concat: case WNN_OP_split: s = plan_parts(p, ir, n); break;
        case WNN_OP_gather: case WNN_OP_gatherElements: case WNN_OP_scatterElements: plan_axis(p, ir, n); break;
        case WNN_OP_gatherND: case WNN_OP_scatterND: plan_nd(p, ir, n); break;
        case WNN_OP_resample2d: {
            const WnnResampleAttrs* a = n->attrs;
            WnnMvResample* r = &p->resample;
            r->dtype = resample_type(out->type);
            r->linear = a->linear;
            r->ax0 = (int)a->axes[0];
            r->ax1 = (int)a->axes[1];
            for (int k = 0; k < 4; k++) {
                r->in[k] = in->shape[k];
                r->out[k] = out->shape[k];
            }
            break;
        }
        default: plan_map(p, n, in, out); break;
    }
    if (n->op == WNN_OP_scatterElements || n->op == WNN_OP_scatterND)
        *scratchBytes = (size_t)p->slots * sizeof(uint32_t);
    if (s) {
        free(p);
        return s;
    }
    *state = p;
    return WNNStatus_Success;
}

/* concat / split in batches of WNN_MV_PARTS parts, one kernel each. */
static int run_parts(CudaDevice* d, const MvPlan* p, const void* const* in, void* const* out) {
    int split = p->op == WNN_OP_split;
    for (uint32_t k0 = 0; k0 < p->partCount; k0 += WNN_MV_PARTS) {
        WnnMvParts b;
        memset(&b, 0, sizeof b);
        uint32_t n = p->partCount - k0 < WNN_MV_PARTS ? p->partCount - k0 : WNN_MV_PARTS;
        b.count = (int)n;
        b.split = split;
        b.rows = p->outer;
        b.wholeRow = p->at[p->partCount];
        b.first = p->at[k0];
        for (uint32_t j = 0; j <= n; j++) b.at[j] = p->at[k0 + j] - p->at[k0];
        for (uint32_t j = 0; j < n; j++) b.part[j] = split ? out[k0 + j] : (void*)(uintptr_t)in[k0 + j];
        int e = wnn_cuda_mv_parts(p->esize, split ? (void*)(uintptr_t)in[0] : out[0], &b, d->stream);
        if (e) return e;
    }
    return 0;
}

static WNNStatus run(CudaDevice* d, const void* state, const void* const* in, void* const* out, void* scratch) {
    const MvPlan* p = state;
    const char* name = wnn_op_name(p->op);
    int e = 0;
    switch (p->op) {
        case WNN_OP_triangular:
            e = wnn_cuda_mv_triangular(p->esize, in[0], out[0], p->count, p->rows, p->cols, p->upper, p->diagonal,
                                       d->stream);
            break;
        case WNN_OP_concat: case WNN_OP_split: e = run_parts(d, p, in, out); break;
        case WNN_OP_gather: case WNN_OP_gatherElements:
            e = wnn_cuda_mv_gather(p->esize, in[0], in[1], out[0], &p->index, d->stream);
            break;
        case WNN_OP_gatherND: e = wnn_cuda_mv_gather_nd(p->esize, in[0], in[1], out[0], &p->index, d->stream); break;
        case WNN_OP_scatterElements: case WNN_OP_scatterND: {
            cudaError_t c = cudaMemcpyAsync(out[0], in[0], p->bytes, cudaMemcpyDeviceToDevice, d->stream);
            if (c != cudaSuccess) return wnn_cuda_fail(name, "cudaMemcpyAsync (the input)", c);
            e = wnn_cuda_mv_scatter(p->esize, p->op == WNN_OP_scatterND, in[1], in[2], out[0], scratch, p->slots,
                                    &p->index, d->stream);
            break;
        }
        case WNN_OP_resample2d: e = wnn_cuda_mv_resample(in[0], out[0], &p->resample, d->stream); break;
        default:
            if (p->copy) {
                const char* src = (const char*)in[0] + p->map.base * p->esize;
                cudaError_t c = cudaMemcpyAsync(out[0], src, (size_t)p->count * (size_t)p->esize,
                                                cudaMemcpyDeviceToDevice, d->stream);
                return c == cudaSuccess ? WNNStatus_Success : wnn_cuda_fail(name, "cudaMemcpyAsync", c);
            }
            e = wnn_cuda_mv_map(p->esize, in[0], out[0], &p->map, p->count, d->stream);
            break;
    }
    return e ? wnn_cuda_fail(name, "movement kernel", (cudaError_t)e) : WNNStatus_Success;
}

static void release(void* state) {
    MvPlan* p = state;
    if (!p) return;
    free(p->at);
    free(p);
}

const CudaOpFamily wnn_cuda_family_movement = {"movement", supports, plan, run, release, NULL};
