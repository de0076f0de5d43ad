/* cuda_recurrent.c: gru, gruCell, lstm and lstmCell on the GPU (see cuda_op.h). The CPU kernel
 * (k_recurrent.c) is the reference: products accumulated in double and states kept in double, so
 * every output is rounded once. Here the products are float64 cuBLAS GEMMs (on an H100 as fast as
 * float32 without TF32) and the gates our kernels (cuda_recurrent.cu):
 * - the input projection x . W^T of many steps at once (a chunk of steps: all of them unless the
 *   buffer would pass XP_LIMIT), both directions in one batched GEMM;
 * - then per step: h . R^T for both directions (one batched GEMM), and one gate kernel that
 *   updates the states in place and writes the step's outputs. gru without resetAfter computes
 *   r * h between the z r blocks' product and the n block's.
 * Weights and biases that are constants become double at build; the others at every run. */
#include <stdlib.h>
#include <string.h>

#include "backends/cuda/cuda_op.h"
#include "backends/cuda/cuda_recurrent.h"
#include "graph/ops/recurrent.h"

_Static_assert(WNN_RNN_RELU == WNNRecurrentNetworkActivation_Relu &&
                   WNN_RNN_SIGMOID == WNNRecurrentNetworkActivation_Sigmoid &&
                   WNN_RNN_TANH == WNNRecurrentNetworkActivation_Tanh,
               "activation codes");

/* Bytes of input projections held at once; WNN_CUDA_RNN_XP_BYTES overrides it (the tests make
 * chunks of a few steps with it). */
#define XP_LIMIT ((size_t)128 << 20)

/* Operand roles, and each op's node input index for each (-1: the op has none). */
enum { X, W, R, B, RB, P, H0, C0, ROLES };
static const int k_slots[4][ROLES] = {
    {0, 1, 2, 3, 4, -1, 5, -1}, /* gru */
    {0, 1, 2, 4, 5, -1, 3, -1}, /* gruCell */
    {0, 1, 2, 3, 4, 5, 6, 7},   /* lstm */
    {0, 1, 2, 5, 6, 7, 3, 4},   /* lstmCell */
};

static int op_index(WnnOpId op) {
    switch (op) {
        case WNN_OP_gru: return 0;
        case WNN_OP_gruCell: return 1;
        case WNN_OP_lstm: return 2;
        case WNN_OP_lstmCell: return 3;
        default: return -1;
    }
}

typedef struct Rnn {
    const char* name;
    WnnRnnStep step; /* the fields every step shares */
    int64_t steps, inputSize, gh, chunk, xBuffers;
    int backward;    /* one direction, run from the last step */
    int resetBefore; /* gru without resetAfter */
    int returnSequence;
    int in[ROLES];   /* node input index of each role, -1 when absent */
    int64_t count[ROLES];
    double* constant[ROLES]; /* W .. P: a double copy of a constant operand, made at build */
    size_t offset[ROLES];    /* W .. P otherwise: where run() converts it in the scratch */
    size_t xOff, xpOff, hpOff, hOff, cOff, rhOff;
} Rnn;

static bool valid_activation(WNNRecurrentNetworkActivation f) {
    return f == WNNRecurrentNetworkActivation_Relu || f == WNNRecurrentNetworkActivation_Sigmoid ||
           f == WNNRecurrentNetworkActivation_Tanh;
}

static bool supports(const WnnGraphIR* ir, const WnnNode* n) {
    int k = op_index(n->op);
    if (k < 0 || n->attrsSize != sizeof(WnnRecurrentAttrs)) return false;
    const WnnRecurrentAttrs* a = n->attrs;
    int lstm = k >= 2, cell = k == 1 || k == 3;
    uint32_t outputs = (lstm ? 2u : 1u) + (a->returnSequence && !cell ? 1u : 0u);
    if (n->inputCount != (lstm ? 8u : 6u) || n->outputCount != outputs || n->inputs[0] < 0) return false;
    WNNOperandDataType t = ir->operands[n->inputs[0]].desc.type;
    if (t != WNNOperandDataType_Float32 && t != WNNOperandDataType_Float16) return false;
    for (uint32_t i = 0; i < n->inputCount; i++)
        if (n->inputs[i] >= 0 && ir->operands[n->inputs[i]].desc.type != t) return false;
    for (uint32_t i = 0; i < n->outputCount; i++)
        if (n->outputs[i] < 0 || ir->operands[n->outputs[i]].desc.type != t) return false;
    const WnnDesc* x = &ir->operands[n->inputs[0]].desc;
    if (x->rank != (cell ? 2u : 3u)) return false;
    /* a step's products of all directions stay far from overflowing the sizes (2^34 doubles) */
    uint64_t batch = x->shape[cell ? 0 : 1], gh = (lstm ? 4u : 3u) * (uint64_t)a->hiddenSize;
    if (batch * gh * a->directions > ((uint64_t)1 << 34)) return false;
    if (a->directions < 1 || a->directions > 2 || a->steps < 1 || a->hiddenSize < 1 || (cell && a->directions != 1))
        return false;
    for (int i = 0; i < (lstm ? 3 : 2); i++)
        if (!valid_activation(a->activations[i])) return false;
    /* the gate blocks: a permutation; gru's n block is the last one (both layouts) */
    int seen = 0;
    for (int i = 0; i < (lstm ? 4 : 3); i++) {
        if (a->gateOrder[i] < 0 || a->gateOrder[i] >= (lstm ? 4 : 3)) return false;
        seen |= 1 << a->gateOrder[i];
    }
    return seen == (lstm ? 15 : 7) && (lstm || a->gateOrder[2] == 2);
}

/* Room for `bytes` in the scratch, 256-byte aligned; returns its offset. */
static size_t take(size_t* total, size_t bytes) {
    size_t at = *total;
    *total += (bytes + 255) & ~(size_t)255;
    return at;
}

/* A device copy of a constant operand's values as doubles. */
static WNNStatus upload_double(const char* name, const WnnIrOperand* o, int64_t count, double** out) {
    double* host = malloc(sizeof(double) * (size_t)count + 1);
    if (!host) return wnn_error(WNNStatus_OutOfMemory, "%s: out of memory", name);
    for (int64_t i = 0; i < count; i++) host[i] = wnn_load_f64(o->data, o->desc.type, (size_t)i);
    cudaError_t e = cudaMalloc((void**)out, sizeof(double) * (size_t)count);
    if (e == cudaSuccess) e = cudaMemcpy(*out, host, sizeof(double) * (size_t)count, cudaMemcpyHostToDevice);
    free(host);
    return e == cudaSuccess ? WNNStatus_Success : wnn_cuda_fail(name, "upload of a constant", e);
}

static void release(void* state) {
    Rnn* q = state;
    if (!q) return;
    for (int r = 0; r < ROLES; r++)
        if (q->constant[r]) cudaFree(q->constant[r]);
    free(q);
}

static WNNStatus plan(CudaDevice* d, const WnnGraphIR* ir, const WnnNode* n, void** state, size_t* scratchBytes) {
    (void)d;
    int k = op_index(n->op), lstm = k >= 2, cell = k == 1 || k == 3;
    const WnnRecurrentAttrs* a = n->attrs;
    const WnnDesc* x = &ir->operands[n->inputs[0]].desc;
    Rnn* q = calloc(1, sizeof *q);
    if (!q) return wnn_error(WNNStatus_OutOfMemory, "%s: out of memory", wnn_op_name(n->op));
    q->name = wnn_op_name(n->op);
    WnnRnnStep* s = &q->step;
    s->lstm = lstm;
    s->dtype = x->type == WNNOperandDataType_Float16;
    s->resetAfter = a->resetAfter;
    for (int i = 0; i < 3; i++) s->act[i] = (int)a->activations[i];
    for (int i = 0; i < 4; i++) s->gateOrder[i] = a->gateOrder[i];
    s->batch = x->shape[cell ? 0 : 1];
    s->hidden = a->hiddenSize;
    s->directions = a->directions;
    q->inputSize = x->shape[cell ? 1 : 2];
    q->steps = cell ? 1 : a->steps;
    q->gh = (lstm ? 4 : 3) * s->hidden;
    q->backward = a->backward;
    q->resetBefore = !lstm && !a->resetAfter;
    q->returnSequence = a->returnSequence && !cell;
    size_t total = 0;
    WNNStatus st = WNNStatus_Success;
    for (int r = 0; r < ROLES && !st; r++) {
        int slot = k_slots[k][r];
        q->in[r] = slot >= 0 && n->inputs[slot] >= 0 ? slot : -1;
        if (q->in[r] < 0 || r == X || r == H0 || r == C0) continue; /* x and the states: handled in run() */
        const WnnIrOperand* o = &ir->operands[n->inputs[slot]];
        q->count[r] = (int64_t)wnn_desc_numel(&o->desc);
        if (o->kind == WNN_OPERAND_CONSTANT && o->data) st = upload_double(q->name, o, q->count[r], &q->constant[r]);
        else q->offset[r] = take(&total, sizeof(double) * (size_t)q->count[r]);
    }
    if (st) {
        release(q);
        return st;
    }
    int64_t nd = s->directions, batch = s->batch, perStep = nd * batch * q->gh * (int64_t)sizeof(double);
    const char* limit = getenv("WNN_CUDA_RNN_XP_BYTES");
    q->chunk = (int64_t)(limit ? strtoull(limit, NULL, 10) : XP_LIMIT) / perStep;
    if (q->chunk > q->steps) q->chunk = q->steps;
    if (q->chunk > INT32_MAX / batch) q->chunk = INT32_MAX / batch; /* the GEMM's column count is an int */
    if (q->chunk < 1) q->chunk = 1;
    q->xBuffers = q->chunk == q->steps ? 1 : nd; /* one x for both directions when the chunk is every step */
    s->xpDirStride = q->chunk * batch * q->gh;
    size_t stateBytes = sizeof(double) * (size_t)(nd * batch * s->hidden);
    q->xOff = take(&total, sizeof(double) * (size_t)(q->xBuffers * q->chunk * batch * q->inputSize));
    q->xpOff = take(&total, sizeof(double) * (size_t)(nd * s->xpDirStride));
    q->hpOff = take(&total, sizeof(double) * (size_t)(nd * batch * q->gh));
    q->hOff = take(&total, stateBytes);
    if (lstm) q->cOff = take(&total, stateBytes);
    if (q->resetBefore) q->rhOff = take(&total, stateBytes);
    *scratchBytes = total;
    *state = q;
    return WNNStatus_Success;
}

/* C[v][row] = sum_i A[row][i] V[v][i] (A: rows x k, V: vecs x k, both row-major; C's rows ldc
 * apart), for each direction (strides between directions' operands): float64 cuBLAS. */
static WNNStatus gemm(CudaDevice* d, const Rnn* q, int rows, int vecs, int k, const double* A, long long strideA,
                      const double* V, long long strideV, double* C, int ldc, long long strideC) {
    const double one = 1.0, zero = 0.0;
    cublasStatus_t bs = cublasGemmStridedBatchedEx(d->blas, CUBLAS_OP_T, CUBLAS_OP_N, rows, vecs, k, &one, A, CUDA_R_64F,
                                                   k, strideA, V, CUDA_R_64F, k, strideV, &zero, C, CUDA_R_64F, ldc,
                                                   strideC, (int)q->step.directions, CUBLAS_COMPUTE_64F,
                                                   CUBLAS_GEMM_DEFAULT);
    if (bs != CUBLAS_STATUS_SUCCESS)
        return wnn_error(WNNStatus_OperationError, "%s: cublasGemmStridedBatchedEx failed (status %d)", q->name, (int)bs);
    return WNNStatus_Success;
}

#define LAUNCH(what, call)                                                            \
    do {                                                                              \
        int e_ = (call);                                                              \
        if (e_) return wnn_cuda_fail(q->name, what, (cudaError_t)e_);                 \
    } while (0)

static int is_backward(const Rnn* q, int64_t dir) { return q->step.directions == 2 ? dir == 1 : q->backward; }

/* x . W^T for the steps [t0, t0 + len) of the loop (each direction its own rows of x). */
static WNNStatus project(CudaDevice* d, const Rnn* q, const void* x, const double* w, char* scratch, int64_t t0,
                         int64_t len) {
    const WnnRnnStep* s = &q->step;
    int64_t rowsX = len * s->batch, xStride = q->chunk * s->batch * q->inputSize;
    size_t esize = s->dtype ? 2 : 4;
    double* xd = (double*)(scratch + q->xOff);
    for (int64_t dir = 0; dir < q->xBuffers; dir++) {
        int64_t first = is_backward(q, dir) ? q->steps - t0 - len : t0;
        const char* src = (const char*)x + (size_t)(first * s->batch * q->inputSize) * esize;
        LAUNCH("conversion kernel", wnn_rnn_to_double(s->dtype, src, xd + dir * xStride, rowsX * q->inputSize, d->stream));
    }
    return gemm(d, q, (int)q->gh, (int)rowsX, (int)q->inputSize, w, q->gh * q->inputSize, xd,
                q->xBuffers == 1 ? 0 : xStride, (double*)(scratch + q->xpOff), (int)q->gh, s->xpDirStride);
}

/* A state from its operand, or zeros. */
static WNNStatus init_state(CudaDevice* d, const Rnn* q, const void* from, double* to) {
    int64_t count = q->step.directions * q->step.batch * q->step.hidden;
    if (from) LAUNCH("conversion kernel", wnn_rnn_to_double(q->step.dtype, from, to, count, d->stream));
    else CUDA_TRY(q->name, cudaMemsetAsync(to, 0, sizeof(double) * (size_t)count, d->stream));
    return WNNStatus_Success;
}

static WNNStatus run(CudaDevice* d, const void* state, const void* const* in, void* const* out, void* scratchPtr) {
    const Rnn* q = state;
    char* scratch = scratchPtr;
    WnnRnnStep s = q->step;
    const double* op[ROLES] = {NULL};
    for (int r = W; r <= P; r++) {
        if (q->in[r] < 0) continue;
        if (q->constant[r]) {
            op[r] = q->constant[r];
            continue;
        }
        double* to = (double*)(scratch + q->offset[r]);
        LAUNCH("conversion kernel", wnn_rnn_to_double(s.dtype, in[q->in[r]], to, q->count[r], d->stream));
        op[r] = to;
    }
    s.bias = op[B];
    s.rbias = op[RB];
    s.peephole = op[P];
    s.xp = (const double*)(scratch + q->xpOff);
    s.hp = (const double*)(scratch + q->hpOff);
    s.h = (double*)(scratch + q->hOff);
    s.c = s.lstm ? (double*)(scratch + q->cOff) : NULL;
    WNNStatus st = init_state(d, q, q->in[H0] >= 0 ? in[q->in[H0]] : NULL, s.h);
    if (!st && s.lstm) st = init_state(d, q, q->in[C0] >= 0 ? in[q->in[C0]] : NULL, s.c);
    if (st) return st;
    /* outputs: the hidden state, the cell state (lstm), then the sequence when asked for */
    s.sequence = q->returnSequence ? out[s.lstm ? 2 : 1] : NULL;
    int64_t H = s.hidden, batch = s.batch, t0 = 0, len = 0;
    double* hp = (double*)(scratch + q->hpOff);
    const double* rw = op[R];
    for (int64_t t = 0; t < q->steps; t++) {
        if (t == t0 + len) { /* the next chunk's input projection */
            t0 = t;
            len = q->steps - t < q->chunk ? q->steps - t : q->chunk;
            if ((st = project(d, q, in[q->in[X]], op[W], scratch, t0, len))) return st;
        }
        for (int64_t dir = 0; dir < s.directions; dir++) {
            int bw = is_backward(q, dir);
            s.time[dir] = bw ? q->steps - 1 - t : t;
            s.xpRow[dir] = bw ? t0 + len - 1 - t : t - t0; /* a backward chunk holds its steps in time order */
        }
        /* h . R^T: every block, or only z and r when r multiplies h before the n block's product */
        st = gemm(d, q, (int)(q->resetBefore ? 2 * H : q->gh), (int)batch, (int)H, rw, q->gh * H, s.h, batch * H, hp,
                  (int)q->gh, batch * q->gh);
        if (!st && q->resetBefore) {
            double* rh = (double*)(scratch + q->rhOff);
            LAUNCH("reset kernel", wnn_rnn_gru_reset(&s, rh, d->stream));
            st = gemm(d, q, (int)H, (int)batch, (int)H, rw + 2 * H * H, q->gh * H, rh, batch * H, hp + 2 * H, (int)q->gh,
                      batch * q->gh);
        }
        if (st) return st;
        if (t == q->steps - 1) {
            s.hOut = out[0];
            s.cOut = s.lstm ? out[1] : NULL;
        }
        LAUNCH("gate kernel", wnn_rnn_gates(&s, d->stream));
    }
    return WNNStatus_Success;
}

const CudaOpFamily wnn_cuda_family_recurrent = {"recurrent", supports, plan, run, release, NULL};
