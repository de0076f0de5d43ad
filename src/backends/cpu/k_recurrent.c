/* k_recurrent.c: gru, gruCell, lstm and lstmCell on the CPU, step by step from the spec's cell
 * equations (the cells are sequences of one step in one direction).
 *
 * Operands are read as float32 (float16 converted exactly, once). Each step projects the input and the
 * hidden state through the weights on the thread pool, one dot product per (batch, weight row),
 * accumulated in double; the states stay in double between steps, so every output value is rounded
 * once to its type. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_kernels.h"
#include "graph/ops/recurrent.h"

static double activate(WNNRecurrentNetworkActivation f, double x) {
    switch (f) {
        case WNNRecurrentNetworkActivation_Relu: return x < 0 ? 0.0 : x; /* NaN and -0 pass, as relu() */
        case WNNRecurrentNetworkActivation_Tanh: return tanh(x);
        default: return 1.0 / (1.0 + exp(-x));
    }
}

/* An operand as float32: the tensor's own data, or a converted copy of float16 data. */
typedef struct Floats {
    const float* p; /* NULL for an absent operand */
    float* owned;
} Floats;

static int load_floats(const WnnCpuTensor* t, Floats* f) {
    f->p = NULL;
    f->owned = NULL;
    if (!t->data) return 1;
    if (t->desc->type == WNNOperandDataType_Float32) {
        f->p = t->data;
        return 1;
    }
    size_t n = (size_t)wnn_desc_numel(t->desc);
    if (!(f->owned = malloc(n * sizeof(float)))) return 0;
    const uint16_t* h = t->data;
    for (size_t i = 0; i < n; i++) f->owned[i] = wnn_half_to_float(h[i]);
    f->p = f->owned;
    return 1;
}

/* out[b * stride + row] = bias[row] + v_b . w[row] for rows [base, base + rows) of w and every batch
 * entry b; v holds one vector of n values per batch entry. */
typedef struct Projection {
    const float* w;
    const float* bias; /* may be NULL */
    const double* v;
    size_t n, base, rows, stride;
    double* out;
} Projection;

static void project_range(void* ctx, size_t begin, size_t end) {
    const Projection* p = ctx;
    for (size_t i = begin; i < end; i++) {
        size_t b = i / p->rows, row = p->base + i % p->rows;
        const float* w = p->w + row * p->n;
        const double* v = p->v + b * p->n;
        /* four partial sums keep the multiply-adds independent; in double the changed order stays far
         * below float32 rounding */
        double s[4] = {p->bias ? p->bias[row] : 0.0, 0.0, 0.0, 0.0};
        size_t k = 0;
        for (; k + 4 <= p->n; k += 4)
            for (int j = 0; j < 4; j++) s[j] += v[k + j] * w[k + j];
        for (; k < p->n; k++) s[0] += v[k] * w[k];
        p->out[b * p->stride + row] = (s[0] + s[1]) + (s[2] + s[3]);
    }
}

/* One direction's operands and the recurrent state. Gate k's rows start at gateOrder[k] * hidden. */
typedef struct Rnn {
    const WnnRecurrentAttrs* a;
    WnnThreadPool* pool;
    size_t batch, inputSize, hidden, gates;
    const float *W, *R, *B, *RB, *P; /* this direction's slices; B, RB, P may be NULL */
    double* x;  /* the step's input [batch, inputSize] */
    double* h;  /* hidden state [batch, hidden] */
    double* c;  /* lstm cell state [batch, hidden] */
    double* xp; /* bias + x . W per gate row [batch, gates * hidden] */
    double* hp; /* recurrentBias + h . R per gate row [batch, gates * hidden] */
    double* r;  /* gru: reset gate, then r * h when the reset applies before the product [batch, hidden] */
} Rnn;

static void project(const Rnn* q, const float* w, const float* bias, const double* v, size_t n, size_t base,
                    size_t rows, double* out) {
    Projection p = {w, bias, v, n, base, rows, q->gates * q->hidden, out};
    size_t grain = 8192 / (n + 1) + 1;
    wnn_parallel_for(q->pool, q->batch * rows, grain, project_range, &p);
}

/* Gate k's (in the spec's order) value in buf [batch, gates * hidden] for state element i = b * hidden + u. */
static inline double gate(const Rnn* q, const double* buf, int k, size_t i) {
    size_t H = q->hidden;
    return buf[(i / H) * q->gates * H + (size_t)q->a->gateOrder[k] * H + i % H];
}

/* gru: z = f(xz + hz), r = f(xr + hr), n = g(xn + r * hn) (resetAfter) or g(xn + (r h) . Rn + rbn),
 * h' = (1 - z) n + z h. The n gate is the third block in both layouts. */
static void gru_step(Rnn* q) {
    const WnnRecurrentAttrs* a = q->a;
    size_t H = q->hidden, n = q->batch * H;
    project(q, q->W, q->B, q->x, q->inputSize, 0, 3 * H, q->xp);
    project(q, q->R, q->RB, q->h, H, 0, a->resetAfter ? 3 * H : 2 * H, q->hp);
    for (size_t i = 0; i < n; i++) q->r[i] = activate(a->activations[0], gate(q, q->xp, 1, i) + gate(q, q->hp, 1, i));
    if (!a->resetAfter) {
        /* with the reset before the product, r is only needed as r * h, the n block's recurrent operand */
        for (size_t i = 0; i < n; i++) q->r[i] *= q->h[i];
        project(q, q->R, q->RB, q->r, H, 2 * H, H, q->hp);
    }
    for (size_t i = 0; i < n; i++) {
        double z = activate(a->activations[0], gate(q, q->xp, 0, i) + gate(q, q->hp, 0, i));
        double hn = a->resetAfter ? q->r[i] * gate(q, q->hp, 2, i) : gate(q, q->hp, 2, i);
        double nn = activate(a->activations[1], gate(q, q->xp, 2, i) + hn);
        q->h[i] = (1.0 - z) * nn + z * q->h[i];
    }
}

/* lstm: i, f, o = f(x W + h R + biases + peephole * c) with the previous cell state c (the spec's
 * lstmCell), g = g(...), c' = f c + i g, h' = o h(c'). Peephole blocks are ordered i, o, f. */
static void lstm_step(Rnn* q) {
    const WnnRecurrentAttrs* a = q->a;
    size_t H = q->hidden, n = q->batch * H;
    project(q, q->W, q->B, q->x, q->inputSize, 0, 4 * H, q->xp);
    project(q, q->R, q->RB, q->h, H, 0, 4 * H, q->hp);
    for (size_t i = 0; i < n; i++) {
        size_t u = i % H;
        double c = q->c[i];
        /* an absent peephole adds nothing (not 0 * c, which is NaN for an infinite c) */
        double pi = q->P ? q->P[u] * c : 0.0, po = q->P ? q->P[H + u] * c : 0.0, pf = q->P ? q->P[2 * H + u] * c : 0.0;
        double ig = activate(a->activations[0], gate(q, q->xp, 0, i) + gate(q, q->hp, 0, i) + pi);
        double og = activate(a->activations[0], gate(q, q->xp, 1, i) + gate(q, q->hp, 1, i) + po);
        double fg = activate(a->activations[0], gate(q, q->xp, 2, i) + gate(q, q->hp, 2, i) + pf);
        double gg = activate(a->activations[1], gate(q, q->xp, 3, i) + gate(q, q->hp, 3, i));
        q->c[i] = fg * c + ig * gg;
        q->h[i] = og * activate(a->activations[2], q->c[i]);
    }
}

static void store(const WnnCpuTensor* t, size_t offset, const double* v, size_t n) {
    for (size_t i = 0; i < n; i++) wnn_store_f64(t->data, t->desc->type, offset + i, v[i]);
}

/* Node input index of each operand (-1: the op has none). */
typedef struct Slots {
    int x, W, R, B, RB, P, H0, C0;
} Slots;

static WNNStatus run(const WnnCpuKernelArgs* args, int lstm, Slots s) {
    const WnnRecurrentAttrs* a = args->node->attrs;
    const WnnDesc* in = args->inputs[s.x].desc;
    int sequence = in->rank == 3;
    Rnn q = {a, args->pool, in->shape[sequence], in->shape[sequence + 1], a->hiddenSize, lstm ? 4 : 3,
             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    size_t H = q.hidden, n = q.batch * H, GH = q.gates * H, nd = a->directions;
    const int idx[8] = {s.x, s.W, s.R, s.B, s.RB, s.P, s.H0, s.C0};
    Floats f[8];
    int ok = 1;
    for (int k = 0; k < 8; k++) {
        static const WnnCpuTensor absent = {NULL, NULL};
        ok &= load_floats(idx[k] >= 0 ? &args->inputs[idx[k]] : &absent, &f[k]);
    }
    double* scratch = ok ? malloc(sizeof(double) * (q.batch * q.inputSize + 3 * n + 2 * q.batch * GH)) : NULL;
    if (scratch) {
        q.x = scratch;
        q.h = q.x + q.batch * q.inputSize;
        q.c = q.h + n;
        q.r = q.c + n;
        q.xp = q.r + n;
        q.hp = q.xp + q.batch * GH;
        for (size_t d = 0; d < nd; d++) {
            q.W = f[1].p + d * GH * q.inputSize;
            q.R = f[2].p + d * GH * H;
            q.B = f[3].p ? f[3].p + d * GH : NULL;
            q.RB = f[4].p ? f[4].p + d * GH : NULL;
            q.P = f[5].p ? f[5].p + d * 3 * H : NULL;
            for (size_t i = 0; i < n; i++) {
                q.h[i] = f[6].p ? f[6].p[d * n + i] : 0.0;
                q.c[i] = f[7].p ? f[7].p[d * n + i] : 0.0;
            }
            int backward = nd == 2 ? d == 1 : a->backward;
            for (size_t t = 0; t < a->steps; t++) {
                size_t step = backward ? a->steps - 1 - t : t;
                const float* x = f[0].p + step * q.batch * q.inputSize;
                for (size_t i = 0; i < q.batch * q.inputSize; i++) q.x[i] = x[i];
                if (lstm) lstm_step(&q);
                else gru_step(&q);
                if (a->returnSequence) store(&args->outputs[lstm ? 2 : 1], (step * nd + d) * n, q.h, n);
            }
            store(&args->outputs[0], d * n, q.h, n);
            if (lstm) store(&args->outputs[1], d * n, q.c, n);
        }
    }
    for (int k = 0; k < 8; k++) free(f[k].owned);
    free(scratch);
    if (!scratch) return wnn_error(WNNStatus_OutOfMemory, "%s: out of memory", wnn_op_name(args->node->op));
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_gru(const WnnCpuKernelArgs* args) { return run(args, 0, (Slots){0, 1, 2, 3, 4, -1, 5, -1}); }
WNNStatus wnn_cpu_gruCell(const WnnCpuKernelArgs* args) { return run(args, 0, (Slots){0, 1, 2, 4, 5, -1, 3, -1}); }
WNNStatus wnn_cpu_lstm(const WnnCpuKernelArgs* args) { return run(args, 1, (Slots){0, 1, 2, 3, 4, 5, 6, 7}); }
WNNStatus wnn_cpu_lstmCell(const WnnCpuKernelArgs* args) { return run(args, 1, (Slots){0, 1, 2, 5, 6, 7, 3, 4}); }
