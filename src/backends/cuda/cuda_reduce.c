/* cuda_reduce.c: the reduce family on the GPU (see cuda_op.h): the ten reductions, argMin / argMax,
 * cumulativeSum, and batch / instance / layer normalization (the executor's built-in kernel takes
 * layer normalization over trailing axes; this family takes any axes). Kernels: cuda_reduce.cu.
 * plan() folds the tensor into kept and reduced dimensions (cuda_reduce.h) and picks the block
 * layout; run() only launches. */
#include <stdlib.h>
#include <string.h>

#include "backends/cuda/cuda_op.h"
#include "backends/cuda/cuda_reduce.h"
#include "graph/ops/reduce.h"

typedef enum { K_REDUCE, K_BATCH_NORM, K_GROUP_NORM, K_CUMSUM } Kind;

typedef struct Plan {
    Kind kind;
    const char* name;
    int op, dtype, outType;
    WnnCudaRedGeom g;              /* K_REDUCE, K_GROUP_NORM */
    double epsilon;                /* the normalizations */
    int64_t outer, len, inner;     /* K_CUMSUM; K_BATCH_NORM: len = channels, outer = element count */
    int exclusive, reversed;
} Plan;

#define TM(c) (1u << (c))
#define T_FLOAT (TM(WNN_CT_F32) | TM(WNN_CT_F16))
#define T_NUM (T_FLOAT | TM(WNN_CT_I32) | TM(WNN_CT_U32) | TM(WNN_CT_I64) | TM(WNN_CT_U64))
#define T_ALL (T_NUM | TM(WNN_CT_I8) | TM(WNN_CT_U8))

/* The kernel op of a reduction or arg op, and the input types cuda_reduce.cu has kernels for (those
 * the op's limits allow, reduce_ops.c). */
static int red_op(WnnOpId op, uint32_t* types) {
    switch (op) {
        case WNN_OP_reduceL1: *types = T_NUM; return WNN_CU_RED_L1;
        case WNN_OP_reduceL2: *types = T_FLOAT; return WNN_CU_RED_L2;
        case WNN_OP_reduceLogSum: *types = T_FLOAT; return WNN_CU_RED_LOGSUM;
        case WNN_OP_reduceLogSumExp: *types = T_FLOAT; return WNN_CU_RED_LOGSUMEXP;
        case WNN_OP_reduceMax: *types = T_ALL; return WNN_CU_RED_MAX;
        case WNN_OP_reduceMean: *types = T_FLOAT; return WNN_CU_RED_MEAN;
        case WNN_OP_reduceMin: *types = T_ALL; return WNN_CU_RED_MIN;
        case WNN_OP_reduceProduct: *types = T_NUM; return WNN_CU_RED_PRODUCT;
        case WNN_OP_reduceSum: *types = T_NUM; return WNN_CU_RED_SUM;
        case WNN_OP_reduceSumSquare: *types = T_NUM; return WNN_CU_RED_SUMSQUARE;
        case WNN_OP_argMin: *types = T_ALL; return WNN_CU_RED_ARGMIN;
        case WNN_OP_argMax: *types = T_ALL; return WNN_CU_RED_ARGMAX;
        default: *types = 0; return -1;
    }
}

static int type_in(WNNOperandDataType t, uint32_t mask) {
    int c = wnn_cuda_type(t);
    return c >= 0 && (mask & TM(c));
}

static const WnnDesc* desc_of(const WnnGraphIR* ir, int32_t id) { return &ir->operands[id].desc; }

static bool supports(const WnnGraphIR* ir, const WnnNode* node) {
    uint32_t types;
    int op = red_op(node->op, &types);
    bool norm = node->op == WNN_OP_batchNormalization || node->op == WNN_OP_instanceNormalization ||
                node->op == WNN_OP_layerNormalization;
    if (op < 0 && !norm && node->op != WNN_OP_cumulativeSum) return false;
    if (node->inputCount < 1 || node->inputs[0] < 0 || node->outputCount != 1) return false;
    const WnnDesc* in = desc_of(ir, node->inputs[0]);
    const WnnDesc* out = desc_of(ir, node->outputs[0]);
    if (in->rank > WNN_CUDA_RED_DIMS) return false;
    if (op == WNN_CU_RED_ARGMIN || op == WNN_CU_RED_ARGMAX)
        return type_in(in->type, types) &&
               (out->type == WNNOperandDataType_Int32 || out->type == WNNOperandDataType_Int64);
    if (op >= 0) return type_in(in->type, types) && out->type == in->type;
    if (node->op == WNN_OP_cumulativeSum) return type_in(in->type, T_NUM) && out->type == in->type;
    if (!type_in(in->type, T_FLOAT) || out->type != in->type) return false;
    if (node->op == WNN_OP_batchNormalization ? node->inputCount != 5 || node->inputs[1] < 0 || node->inputs[2] < 0
                                              : node->inputCount != 3)
        return false; /* run() reads these inputs */
    for (uint32_t i = 1; i < node->inputCount; i++) /* mean, variance, scale, bias */
        if (node->inputs[i] >= 0 && desc_of(ir, node->inputs[i])->type != in->type) return false;
    return node->op != WNN_OP_instanceNormalization || in->rank == 4;
}

/* Folds `in` into kept and reduced dimensions (mask: the reduced ones). pstride (NULL: none) gives
 * each dimension's scale/bias stride; neighbours merge only where it stays affine. */
static void fold(const WnnDesc* in, uint32_t mask, const int64_t* pstride, WnnCudaRedGeom* g) {
    memset(g, 0, sizeof *g);
    int64_t stride[WNN_MAX_RANK], s = 1;
    for (uint32_t d = in->rank; d-- > 0;) {
        stride[d] = s;
        s *= in->shape[d];
    }
    g->outCount = g->redCount = 1;
    int last = -1; /* whether the last dimension taken was reduced; -1: none yet */
    for (uint32_t d = 0; d < in->rank; d++) {
        int red = (mask >> d) & 1;
        int64_t size = in->shape[d], ps = pstride ? pstride[d] : 0;
        *(red ? &g->redCount : &g->outCount) *= size;
        if (size == 1) continue; /* its coordinate is always 0 */
        int* rank = red ? &g->redRank : &g->keptRank;
        int64_t* sizes = red ? g->redSize : g->keptSize;
        int64_t* strides = red ? g->redStride : g->keptStride;
        int64_t* pstrides = red ? g->redPStride : g->keptPStride;
        int k = *rank - 1;
        /* Dense row-major: a dimension's stride is always the next one's times its size, so only the
         * scale/bias strides can keep neighbours apart. */
        if (last == red && pstrides[k] == ps * size) {
            sizes[k] *= size;
        } else {
            k = (*rank)++;
            sizes[k] = size;
        }
        strides[k] = stride[d];
        pstrides[k] = ps;
        last = red;
    }
}

/* Block layout (see WnnCudaRedGeom): a thread per output for short reductions; 32 neighbouring
 * outputs x 8 lanes when the innermost dimension is kept (coalesced across outputs); a warp or a
 * block per output along contiguous rows. With `split`, outputs too few to fill the GPU have their
 * reduction cut into chunks over several blocks. */
static void choose_layout(WnnCudaRedGeom* g, int sms, bool split) {
    int64_t n = g->redCount;
    bool lastKept = g->keptRank > 0 && g->keptStride[g->keptRank - 1] == 1;
    g->rowMode = 1;
    if (n <= (lastKept ? 8 : 16)) g->ox = WNN_CUDA_RED_THREADS, g->ry = 1;
    else if (lastKept) g->ox = 32, g->ry = WNN_CUDA_RED_THREADS / 32, g->rowMode = 0;
    else if (n <= 512) g->ox = WNN_CUDA_RED_THREADS / 32, g->ry = 32;
    else g->ox = 1, g->ry = WNN_CUDA_RED_THREADS;
    g->splits = 1;
    g->chunk = n;
    int64_t blocks = (g->outCount + g->ox - 1) / g->ox, target = 4 * (int64_t)sms;
    if (split && g->ry > 1 && blocks < target) {
        int64_t want = (target + blocks - 1) / blocks, most = n / ((int64_t)g->ry * 32); /* >= 32 per lane */
        int64_t parts = want < most ? want : most;
        if (parts > 65535) parts = 65535;
        if (parts > 1) {
            g->chunk = (n + parts - 1) / parts;
            g->splits = (n + g->chunk - 1) / g->chunk;
        }
    }
}

static WNNStatus plan(CudaDevice* d, const WnnGraphIR* ir, const WnnNode* node, void** state, size_t* scratchBytes) {
    *state = NULL;
    *scratchBytes = 0;
    const WnnDesc* in = desc_of(ir, node->inputs[0]);
    Plan* p = calloc(1, sizeof *p);
    if (!p) return wnn_error(WNNStatus_OutOfMemory, "%s: out of memory", wnn_op_name(node->op));
    p->name = wnn_op_name(node->op);
    p->dtype = wnn_cuda_type(in->type);
    p->outType = wnn_cuda_type(desc_of(ir, node->outputs[0])->type);
    int sms = 0;
    if (cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, d->ordinal) != cudaSuccess || sms <= 0) {
        cudaGetLastError();
        sms = 1;
    }
    uint32_t types;
    p->op = red_op(node->op, &types);
    int64_t pstride[WNN_MAX_RANK] = {0};
    if (p->op >= 0) {
        uint32_t mask = p->op == WNN_CU_RED_ARGMIN || p->op == WNN_CU_RED_ARGMAX
                            ? 1u << ((const WnnArgAttrs*)node->attrs)->axis
                            : ((const WnnReduceAttrs*)node->attrs)->axesMask;
        p->kind = K_REDUCE;
        fold(in, mask, NULL, &p->g);
        choose_layout(&p->g, sms, true);
        if (p->g.splits > 1) *scratchBytes = (size_t)(p->g.outCount * p->g.splits) * WNN_CUDA_RED_STATE_BYTES;
    } else if (node->op == WNN_OP_cumulativeSum || node->op == WNN_OP_batchNormalization) {
        uint32_t axis = node->op == WNN_OP_cumulativeSum ? ((const WnnCumSumAttrs*)node->attrs)->axis
                                                          : ((const WnnNormAttrs*)node->attrs)->axis;
        p->kind = node->op == WNN_OP_cumulativeSum ? K_CUMSUM : K_BATCH_NORM;
        p->outer = p->inner = 1;
        for (uint32_t i = 0; i < in->rank; i++) {
            if (i < axis) p->outer *= in->shape[i];
            if (i > axis) p->inner *= in->shape[i];
        }
        p->len = in->shape[axis];
        if (p->kind == K_CUMSUM) {
            p->exclusive = ((const WnnCumSumAttrs*)node->attrs)->exclusive;
            p->reversed = ((const WnnCumSumAttrs*)node->attrs)->reversed;
        } else {
            p->epsilon = ((const WnnNormAttrs*)node->attrs)->epsilon;
            p->outer *= p->len * p->inner; /* the element count */
        }
    } else { /* instance / layer normalization over `mask`, scale and bias at pstride */
        const WnnNormAttrs* a = node->attrs;
        uint32_t mask = 0;
        if (node->op == WNN_OP_instanceNormalization) {
            mask = a->axis == 1 ? (1u << 2 | 1u << 3) : (1u << 1 | 1u << 2);
            pstride[a->axis] = 1;
        } else {
            int64_t s = 1;
            for (uint32_t i = a->axesCount; i-- > 0;) { /* scale/bias dimensions follow `axes` order */
                mask |= 1u << a->axes[i];
                pstride[a->axes[i]] = s;
                s *= in->shape[a->axes[i]];
            }
        }
        p->kind = K_GROUP_NORM;
        p->epsilon = a->epsilon;
        fold(in, mask, pstride, &p->g);
        choose_layout(&p->g, sms, false);
    }
    if ((p->kind == K_REDUCE || p->kind == K_GROUP_NORM) && (p->g.outCount + p->g.ox - 1) / p->g.ox > 0x7fffffff) {
        free(p);
        return wnn_error(WNNStatus_NotSupportedError, "%s: too many outputs for one CUDA grid", wnn_op_name(node->op));
    }
    *state = p;
    return WNNStatus_Success;
}

static WNNStatus run(CudaDevice* d, const void* state, const void* const* in, void* const* out, void* scratch) {
    const Plan* p = state;
    int e = 0;
    switch (p->kind) {
        case K_REDUCE: e = wnn_cuda_reduce(p->op, p->dtype, p->outType, in[0], out[0], scratch, &p->g, d->stream); break;
        case K_GROUP_NORM:
            e = wnn_cuda_group_norm(p->dtype, in[0], in[1], in[2], out[0], &p->g, p->epsilon, d->stream);
            break;
        case K_BATCH_NORM:
            e = wnn_cuda_batch_norm(p->dtype, in[0], in[1], in[2], in[3], in[4], out[0], p->outer, p->len, p->inner,
                                    p->epsilon, d->stream);
            break;
        case K_CUMSUM:
            e = wnn_cuda_cumsum(p->dtype, in[0], out[0], p->outer, p->len, p->inner, p->exclusive, p->reversed, d->stream);
            break;
    }
    return e ? wnn_cuda_fail(p->name, "reduce family kernel launch", (cudaError_t)e) : WNNStatus_Success;
}

static void release(void* state) { free(state); }

const CudaOpFamily wnn_cuda_family_reduce = {"reduce", supports, plan, run, release, NULL};
