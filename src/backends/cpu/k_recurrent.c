/* k_recurrent.c: gru, gruCell, lstm and lstmCell on the CPU, computed in double step by step from
 * the spec's equations (float16 data is converted in and rounded once on output). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_kernels.h"
#include "graph/ops/recurrent.h"

#define IN(k) (args->inputs[k])
#define OUT(k) (args->outputs[k])

static double act(WNNRecurrentNetworkActivation a, double x) {
    switch (a) {
        case WNNRecurrentNetworkActivation_Relu: return x > 0 ? x : 0;
        case WNNRecurrentNetworkActivation_Tanh: return tanh(x);
        default: return 1.0 / (1.0 + exp(-x));
    }
}

/* The tensor as doubles (NULL data: NULL; *ok cleared on allocation failure). */
static double* load(const WnnCpuTensor* t, int* ok) {
    if (!t->data) return NULL;
    size_t n = (size_t)wnn_desc_numel(t->desc);
    double* v = malloc(sizeof(double) * n + 1);
    if (!v) {
        *ok = 0;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) v[i] = wnn_load_f64(t->data, t->desc->type, i);
    return v;
}

static void store(const WnnCpuTensor* t, size_t offset, const double* v, size_t n) {
    for (size_t i = 0; i < n; i++) wnn_store_f64(t->data, t->desc->type, offset + i, v[i]);
}

/* Weights of one direction and the recurrent state. */
typedef struct Cell {
    const WnnRecurrentAttrs* a;
    size_t batch, isz, hid, gates;
    const double *W, *R, *B, *RB, *P; /* [gates*hid, isz], [gates*hid, hid], [gates*hid], [gates*hid], [3*hid] */
} Cell;

/* x.W[row] + bias[row] for batch b. */
static double xw(const Cell* c, const double* x, size_t b, size_t row) {
    double s = c->B ? c->B[row] : 0;
    for (size_t i = 0; i < c->isz; i++) s += x[b * c->isz + i] * c->W[row * c->isz + i];
    return s;
}

/* h.R[row] + recurrentBias[row] for batch b (h may be scaled element-wise by `scale`). */
static double hr(const Cell* c, const double* h, const double* scale, size_t b, size_t row) {
    double s = c->RB ? c->RB[row] : 0;
    for (size_t j = 0; j < c->hid; j++) s += h[b * c->hid + j] * (scale ? scale[b * c->hid + j] : 1) * c->R[row * c->hid + j];
    return s;
}

/* One GRU step: h (batch x hid) is updated in place; z and r are scratch (batch x hid). */
static void gru_step(const Cell* c, const double* x, double* h, double* z, double* r) {
    const WnnRecurrentAttrs* a = c->a;
    size_t H = c->hid;
    for (size_t b = 0; b < c->batch; b++)
        for (size_t u = 0; u < H; u++) {
            size_t rz = a->gateOrder[0] * H + u, rr = a->gateOrder[1] * H + u;
            z[b * H + u] = act(a->activations[0], xw(c, x, b, rz) + hr(c, h, NULL, b, rz));
            r[b * H + u] = act(a->activations[0], xw(c, x, b, rr) + hr(c, h, NULL, b, rr));
        }
    double* next = r + c->batch * H; /* scratch after r */
    for (size_t b = 0; b < c->batch; b++)
        for (size_t u = 0; u < H; u++) {
            size_t rn = a->gateOrder[2] * H + u, i = b * H + u;
            double n = a->resetAfter ? xw(c, x, b, rn) + r[i] * hr(c, h, NULL, b, rn)
                                     : xw(c, x, b, rn) + hr(c, h, r, b, rn);
            n = act(a->activations[1], n);
            next[i] = (1 - z[i]) * n + z[i] * h[i];
        }
    memcpy(h, next, sizeof(double) * c->batch * H);
}

/* One LSTM step: h and cell updated in place; g is scratch (4 x batch x hid). */
static void lstm_step(const Cell* c, const double* x, double* h, double* cell, double* g) {
    const WnnRecurrentAttrs* a = c->a;
    size_t H = c->hid, n = c->batch * H;
    for (int k = 0; k < 4; k++) /* gates in order i, o, f, g */
        for (size_t b = 0; b < c->batch; b++)
            for (size_t u = 0; u < H; u++) {
                size_t row = (size_t)a->gateOrder[k] * H + u;
                g[k * n + b * H + u] = xw(c, x, b, row) + hr(c, h, NULL, b, row);
            }
    for (size_t i = 0; i < n; i++) {
        size_t u = i % H;
        double pi = c->P ? c->P[u] : 0, po = c->P ? c->P[H + u] : 0, pf = c->P ? c->P[2 * H + u] : 0;
        double ig = act(a->activations[0], g[i] + pi * cell[i]);
        double fg = act(a->activations[0], g[2 * n + i] + pf * cell[i]);
        double cg = act(a->activations[1], g[3 * n + i]);
        cell[i] = fg * cell[i] + ig * cg;
        double og = act(a->activations[0], g[n + i] + po * cell[i]);
        h[i] = og * act(a->activations[2], cell[i]);
    }
}

typedef struct Loaded {
    double *x, *W, *R, *B, *RB, *P, *H0, *C0;
} Loaded;

static void free_loaded(Loaded* l) {
    free(l->x); free(l->W); free(l->R); free(l->B); free(l->RB); free(l->P); free(l->H0); free(l->C0);
}

/* Runs a whole sequence (cells are sequences of one step). `lstm` selects the cell. Input slot
 * indices: x, W, R, B, RB, P (-1 none), H0, C0 (-1 none). Outputs: hidden, [cell], [sequence]. */
static WNNStatus run(const WnnCpuKernelArgs* args, int lstm, const int* slot, size_t batch, size_t isz) {
    const WnnRecurrentAttrs* a = args->node->attrs;
    size_t H = a->hiddenSize, gates = lstm ? 4 : 3, nd = a->directions, steps = a->steps;
    int ok = 1;
    Loaded l = {load(&IN(slot[0]), &ok), load(&IN(slot[1]), &ok), load(&IN(slot[2]), &ok), load(&IN(slot[3]), &ok),
                load(&IN(slot[4]), &ok), slot[5] >= 0 ? load(&IN(slot[5]), &ok) : NULL, load(&IN(slot[6]), &ok),
                slot[7] >= 0 ? load(&IN(slot[7]), &ok) : NULL};
    double* h = calloc(batch * H * 6 + 1, sizeof(double));
    double* cell = calloc(batch * H + 1, sizeof(double));
    if (!ok || !h || !cell) {
        free_loaded(&l);
        free(h);
        free(cell);
        return wnn_error(WNNStatus_OutOfMemory, "%s: out of memory", wnn_op_name(args->node->op));
    }
    double* scratch = h + batch * H;
    uint32_t seqOut = lstm ? 2 : 1;
    for (size_t d = 0; d < nd; d++) {
        Cell c = {a, batch, isz, H, gates, l.W + d * gates * H * isz, l.R + d * gates * H * H,
                  l.B ? l.B + d * gates * H : NULL, l.RB ? l.RB + d * gates * H : NULL, l.P ? l.P + d * 3 * H : NULL};
        if (l.H0) memcpy(h, l.H0 + d * batch * H, sizeof(double) * batch * H);
        else memset(h, 0, sizeof(double) * batch * H);
        if (l.C0) memcpy(cell, l.C0 + d * batch * H, sizeof(double) * batch * H);
        else memset(cell, 0, sizeof(double) * batch * H);
        int backward = nd == 2 ? d == 1 : a->backward;
        for (size_t t = 0; t < steps; t++) {
            size_t ts = backward ? steps - 1 - t : t;
            const double* x = l.x + ts * batch * isz;
            if (lstm) lstm_step(&c, x, h, cell, scratch);
            else gru_step(&c, x, h, scratch, scratch + batch * H);
            if (a->returnSequence) store(&OUT(seqOut), (ts * nd + d) * batch * H, h, batch * H);
        }
        store(&OUT(0), d * batch * H, h, batch * H);
        if (lstm) store(&OUT(1), d * batch * H, cell, batch * H);
    }
    free_loaded(&l);
    free(h);
    free(cell);
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_gru(const WnnCpuKernelArgs* args) {
    static const int slot[8] = {0, 1, 2, 3, 4, -1, 5, -1};
    return run(args, 0, slot, IN(0).desc->shape[1], IN(0).desc->shape[2]);
}

WNNStatus wnn_cpu_gruCell(const WnnCpuKernelArgs* args) {
    static const int slot[8] = {0, 1, 2, 4, 5, -1, 3, -1};
    return run(args, 0, slot, IN(0).desc->shape[0], IN(0).desc->shape[1]);
}

WNNStatus wnn_cpu_lstm(const WnnCpuKernelArgs* args) {
    static const int slot[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    return run(args, 1, slot, IN(0).desc->shape[1], IN(0).desc->shape[2]);
}

WNNStatus wnn_cpu_lstmCell(const WnnCpuKernelArgs* args) {
    static const int slot[8] = {0, 1, 2, 5, 6, 7, 3, 4};
    return run(args, 1, slot, IN(0).desc->shape[0], IN(0).desc->shape[1]);
}
