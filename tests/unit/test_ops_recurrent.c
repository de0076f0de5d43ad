/* test_ops_recurrent.c: gru, gruCell, lstm and lstmCell. None has W3C data, so they are checked
 * against a float64 reference written here from the spec's emulation code (a sequence op runs its
 * cell step by step; a cell is sliced matmuls and element-wise ops), on random shapes, for every
 * direction, weight layout, resetAfter, returnSequence, optional operand and activation list, with
 * the operands as constants or graph inputs, in float32 and float16; with NaN and infinities; and
 * every validation rule with its message. */
#include <math.h>
#include <stdlib.h>

#include "wt.h"

#define F32 WNNOperandDataType_Float32
#define F16 WNNOperandDataType_Float16
#define RELU WNNRecurrentNetworkActivation_Relu
#define SIGMOID WNNRecurrentNetworkActivation_Sigmoid
#define TANH WNNRecurrentNetworkActivation_Tanh

enum { OP_GRU, OP_GRU_CELL, OP_LSTM, OP_LSTM_CELL };
static int is_lstm(int op) { return op == OP_LSTM || op == OP_LSTM_CELL; }
static int is_cell(int op) { return op == OP_GRU_CELL || op == OP_LSTM_CELL; }

/* Operand roles. The cells' hiddenState / cellState use H0 / C0. */
enum { X, W, R, BIAS, RBIAS, PEEP, H0, C0, ROLES };

typedef struct Case {
    int op;
    WNNOperandDataType type;
    uint32_t steps, batch, isz, hid, nd;
    WNNRecurrentNetworkDirection direction;
    int layout; /* the enum value; 0 is the default */
    WNNOptionalBool resetAfter;
    bool returnSequence;
    size_t actCount; /* 0: no list given */
    WNNRecurrentNetworkActivation acts[3];
    uint32_t rank[ROLES], shape[ROLES][3];
    double* v[ROLES]; /* values (exact in the type); NULL: operand absent */
    unsigned fed;     /* bit per role: a graph input (written at dispatch) instead of a constant */
} Case;

static size_t numel(const Case* c, int role) {
    size_t n = 1;
    for (uint32_t i = 0; i < c->rank[role]; i++) n *= c->shape[role][i];
    return n;
}

/* ---- the float64 reference ---- */

static double ref_act(WNNRecurrentNetworkActivation f, double x) {
    if (f == RELU) return x < 0 ? 0 : x;
    if (f == TANH) return tanh(x);
    return 1 / (1 + exp(-x));
}

/* First row of gate `g` in a layout named by its gate letters ("zrn", "rzn", "iofg", "ifgo"). */
static size_t row_of(const char* layout, char g, size_t H) { return (size_t)(strchr(layout, g) - layout) * H; }

static double at(const double* v, size_t i) { return v ? v[i] : 0; }

/* out[b,u] = sum_k v[b,k] w[row+u,k] + bias[row+u] + bias2[row+u]: matmul(v, transpose(slice(w))). */
static void ref_linear(const double* v, size_t B, size_t n, const double* w, size_t row, size_t H,
                       const double* bias, const double* bias2, double* out) {
    for (size_t b = 0; b < B; b++)
        for (size_t u = 0; u < H; u++) {
            double s = at(bias, row + u) + at(bias2, row + u);
            for (size_t k = 0; k < n; k++) s += v[b * n + k] * w[(row + u) * n + k];
            out[b * H + u] = s;
        }
}

static void ref_gru_cell(const Case* c, const char* layout, const double* x, const double* w, const double* r,
                         const double* bias, const double* rbias, const double* h, double* out) {
    size_t B = c->batch, I = c->isz, H = c->hid, n = B * H;
    size_t zr = row_of(layout, 'z', H), rr = row_of(layout, 'r', H), nr = row_of(layout, 'n', H);
    int resetAfter = c->resetAfter != WNNOptionalBool_False;
    WNNRecurrentNetworkActivation f = c->actCount ? c->acts[0] : SIGMOID, g = c->actCount ? c->acts[1] : TANH;
    double* t = malloc(sizeof(double) * 8 * n);
    double *z = t, *rg = t + n, *xn = t + 2 * n, *hn = t + 3 * n, *a = t + 4 * n, *bb = t + 5 * n, *rh = t + 6 * n;
    ref_linear(x, B, I, w, zr, H, bias, rbias, a);
    ref_linear(h, B, H, r, zr, H, NULL, NULL, bb);
    for (size_t i = 0; i < n; i++) z[i] = ref_act(f, a[i] + bb[i]);
    ref_linear(x, B, I, w, rr, H, bias, rbias, a);
    ref_linear(h, B, H, r, rr, H, NULL, NULL, bb);
    for (size_t i = 0; i < n; i++) rg[i] = ref_act(f, a[i] + bb[i]);
    ref_linear(x, B, I, w, nr, H, bias, NULL, xn);
    if (resetAfter) {
        ref_linear(h, B, H, r, nr, H, rbias, NULL, hn);
        for (size_t i = 0; i < n; i++) hn[i] *= rg[i];
    } else {
        for (size_t i = 0; i < n; i++) rh[i] = rg[i] * h[i];
        ref_linear(rh, B, H, r, nr, H, rbias, NULL, hn);
    }
    for (size_t i = 0; i < n; i++) {
        double ng = ref_act(g, xn[i] + hn[i]);
        out[i] = z[i] * h[i] + ng * (1 - z[i]);
    }
    free(t);
}

/* The spec's lstmCell: every peephole term uses the incoming cell state; peephole blocks are i, o, f. */
static void ref_lstm_cell(const Case* c, const char* layout, const double* x, const double* w, const double* r,
                          const double* bias, const double* rbias, const double* peep, const double* h,
                          const double* cs, double* hOut, double* cOut) {
    size_t B = c->batch, I = c->isz, H = c->hid, n = B * H;
    const char gates[4] = {'i', 'o', 'f', 'g'};
    double* t = malloc(sizeof(double) * 6 * n);
    double* g[4] = {t, t + n, t + 2 * n, t + 3 * n};
    double *a = t + 4 * n, *bb = t + 5 * n;
    for (int k = 0; k < 4; k++) {
        size_t row = row_of(layout, gates[k], H);
        ref_linear(x, B, I, w, row, H, bias, rbias, a);
        ref_linear(h, B, H, r, row, H, NULL, NULL, bb);
        for (size_t i = 0; i < n; i++) {
            double p = k < 3 && peep ? peep[(size_t)k * H + i % H] * cs[i] : 0;
            WNNRecurrentNetworkActivation f = c->actCount ? c->acts[k == 3 ? 1 : 0] : (k == 3 ? TANH : SIGMOID);
            g[k][i] = ref_act(f, a[i] + bb[i] + p);
        }
    }
    for (size_t i = 0; i < n; i++) {
        cOut[i] = g[2][i] * cs[i] + g[0][i] * g[3][i];
        hOut[i] = g[1][i] * ref_act(c->actCount ? c->acts[2] : TANH, cOut[i]);
    }
    free(t);
}

/* want[0] hidden, want[1] cell (lstm), then the sequence: the spec's gru() / lstm() loops. */
static void reference(const Case* c, double** want) {
    int lstm = is_lstm(c->op), cell = is_cell(c->op);
    const char* layout = lstm ? (c->layout == WNNLstmWeightLayout_Ifgo ? "ifgo" : "iofg")
                              : (c->layout == WNNGruWeightLayout_Rzn ? "rzn" : "zrn");
    size_t B = c->batch, I = c->isz, H = c->hid, n = B * H, G = lstm ? 4 : 3, steps = cell ? 1 : c->steps;
    double* seq = want[lstm ? 2 : 1];
    double *h = calloc(n, sizeof(double)), *cs = calloc(n, sizeof(double)), *nh = malloc(n * sizeof(double)),
           *nc = malloc(n * sizeof(double));
    for (size_t d = 0; d < c->nd; d++) {
        for (size_t i = 0; i < n; i++) {
            h[i] = at(c->v[H0], d * n + i);
            cs[i] = at(c->v[C0], d * n + i);
        }
        const double *w = c->v[W] + d * G * H * I, *r = c->v[R] + d * G * H * H;
        const double* bias = c->v[BIAS] ? c->v[BIAS] + d * G * H : NULL;
        const double* rbias = c->v[RBIAS] ? c->v[RBIAS] + d * G * H : NULL;
        const double* peep = c->v[PEEP] ? c->v[PEEP] + d * 3 * H : NULL;
        for (size_t s = 0; s < steps; s++) {
            size_t slice = d == 1 || c->direction == WNNRecurrentNetworkDirection_Backward ? steps - s - 1 : s;
            const double* x = c->v[X] + slice * B * I;
            if (lstm) ref_lstm_cell(c, layout, x, w, r, bias, rbias, peep, h, cs, nh, nc);
            else ref_gru_cell(c, layout, x, w, r, bias, rbias, h, nh);
            memcpy(h, nh, n * sizeof(double));
            memcpy(cs, nc, n * sizeof(double));
            if (c->returnSequence) memcpy(seq + (slice * c->nd + d) * n, h, n * sizeof(double));
        }
        memcpy(want[0] + d * n, h, n * sizeof(double));
        if (lstm) memcpy(want[1] + d * n, cs, n * sizeof(double));
    }
    free(h);
    free(cs);
    free(nh);
    free(nc);
}

/* ---- cases ---- */

/* A value exactly representable in the type. */
static double representable(WNNOperandDataType t, double v) { return t == F16 ? wt_h2f(wt_d2h(v)) : (float)v; }

static void set_role(Case* c, int role, uint32_t rank, uint32_t d0, uint32_t d1, uint32_t d2, uint64_t* seed) {
    uint32_t dims[3] = {d0, d1, d2};
    /* the sequence ops' operands other than the input lead with numDirections */
    int lead = !is_cell(c->op) && role != X;
    c->rank[role] = rank + (uint32_t)lead;
    if (lead) c->shape[role][0] = c->nd;
    memcpy(c->shape[role] + lead, dims, rank * sizeof(uint32_t));
    size_t n = numel(c, role);
    c->v[role] = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) c->v[role][i] = representable(c->type, wt_rand(seed, -1, 1));
}

/* The optional operands of each op, in the order of make_case's mask bits. */
static const int k_optional[4][5] = {{BIAS, RBIAS, H0, -1}, {BIAS, RBIAS, -1}, {BIAS, RBIAS, PEEP, H0, C0},
                                     {BIAS, RBIAS, PEEP, -1}};

/* Adds the operand `role` with its shape and random values. */
static void add_role(Case* c, int role, uint64_t* seed) {
    uint32_t G = is_lstm(c->op) ? 4 : 3, B = c->batch, H = c->hid;
    switch (role) {
        case X:
            if (is_cell(c->op)) set_role(c, X, 2, B, c->isz, 0, seed);
            else set_role(c, X, 3, c->steps, B, c->isz, seed);
            break;
        case W: set_role(c, W, 2, G * H, c->isz, 0, seed); break;
        case R: set_role(c, R, 2, G * H, H, 0, seed); break;
        case PEEP: set_role(c, PEEP, 1, 3 * H, 0, 0, seed); break;
        case H0:
        case C0: set_role(c, role, 2, B, H, 0, seed); break;
        default: set_role(c, role, 1, G * H, 0, 0, seed); break; /* the biases */
    }
}

/* Fills the operands of c (direction, layout, resetAfter and returnSequence already set). dims:
 * steps, batch, inputSize, hiddenSize, or NULL for random ones. mask bit k: k_optional[op][k] present.
 * actMode 0: no list, 1: the default list spelled out, 2: a random list. */
static void make_case(Case* c, int op, WNNOperandDataType type, const uint32_t* dims, unsigned mask, int actMode,
                      uint64_t* seed) {
    c->op = op;
    c->type = type;
    c->steps = is_cell(op) ? 1 : dims ? dims[0] : 1 + (uint32_t)(wt_next(seed) % 4);
    c->batch = dims ? dims[1] : 1 + (uint32_t)(wt_next(seed) % 3);
    c->isz = dims ? dims[2] : 1 + (uint32_t)(wt_next(seed) % 5);
    c->hid = dims ? dims[3] : 1 + (uint32_t)(wt_next(seed) % 5);
    c->nd = c->direction == WNNRecurrentNetworkDirection_Both ? 2 : 1;
    add_role(c, X, seed);
    add_role(c, W, seed);
    add_role(c, R, seed);
    if (is_cell(op)) add_role(c, H0, seed); /* hiddenState */
    if (op == OP_LSTM_CELL) add_role(c, C0, seed); /* cellState */
    for (int k = 0; k < 5 && k_optional[op][k] >= 0; k++)
        if (mask >> k & 1) add_role(c, k_optional[op][k], seed);
    size_t count = is_lstm(op) ? 3 : 2;
    static const WNNRecurrentNetworkActivation dflt[3] = {SIGMOID, TANH, TANH};
    c->actCount = actMode ? count : 0;
    for (size_t i = 0; i < count; i++)
        c->acts[i] = actMode == 2 ? (WNNRecurrentNetworkActivation)(RELU + wt_next(seed) % 3) : dflt[i];
}

static void free_case(Case* c) {
    for (int i = 0; i < ROLES; i++) free(c->v[i]);
}

/* A role's values in its type. */
static void* role_data(const Case* c, int role) {
    size_t n = numel(c, role);
    void* data = malloc(n * 4);
    for (size_t i = 0; i < n; i++) {
        if (c->type == F16) ((uint16_t*)data)[i] = wt_d2h(c->v[role][i]);
        else ((float*)data)[i] = (float)c->v[role][i];
    }
    return data;
}

static const char* const k_role_names[ROLES] = {"x", "w", "r", "bias", "rbias", "peep", "h0", "c0"};

/* The operand of a role: a graph input named after it (the input x always) or a constant. */
static WNNOperand operand(WNNGraphBuilder b, const Case* c, int role) {
    if (!c->v[role]) return NULL;
    if (role == X || c->fed >> role & 1) return wt_input(b, k_role_names[role], c->type, c->rank[role], c->shape[role]);
    void* data = role_data(c, role);
    WNNOperand x = wt_constant(b, c->type, c->rank[role], c->shape[role], data);
    free(data);
    return x;
}

/* Each value within 1 ULP of the reference rounded to the type, or 1e-12 of it (summation order
 * near a cancellation); NaN exactly where the reference is NaN. */
static void expect_close(const char* what, WNNOperandDataType t, const void* got, const double* want, size_t n) {
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        double g;
        uint64_t ulp;
        if (t == F32) {
            float a = ((const float*)got)[i];
            g = a;
            ulp = isnan(a) || isnan(want[i]) ? UINT64_MAX : wt_ulp_f32(a, (float)want[i]);
        } else {
            uint16_t a = ((const uint16_t*)got)[i];
            g = wt_h2f(a);
            ulp = isnan(g) || isnan(want[i]) ? UINT64_MAX : wt_ulp_f16(a, wt_d2h(want[i]));
        }
        int ok = isnan(want[i]) ? isnan(g) : (g == want[i] || ulp <= 1 || fabs(g - want[i]) <= 1e-12);
        if (!ok && bad++ < 4) fprintf(stderr, "%s [%zu]: got %.9g, want %.9g\n", what, i, g, want[i]);
    }
    wt_checks++;
    if (bad) {
        wt_failures++;
        fprintf(stderr, "%s: %d of %zu values off\n", what, bad, n);
    }
}

static WNNStatus build_op(WNNGraphBuilder b, const Case* c, WNNOperand* outs, size_t* count) {
    WNNOperand x = operand(b, c, X);
    WNNOperand w = operand(b, c, W), r = operand(b, c, R), bias = operand(b, c, BIAS), rbias = operand(b, c, RBIAS);
    WNNOperand peep = operand(b, c, PEEP), h0 = operand(b, c, H0), c0 = operand(b, c, C0);
    const WNNRecurrentNetworkActivation* acts = c->actCount ? c->acts : NULL;
    switch (c->op) {
        case OP_GRU: {
            WNNGruOptions o = {"seq", bias, rbias, h0, c->resetAfter, c->returnSequence, c->direction,
                               (WNNGruWeightLayout)c->layout, acts, c->actCount};
            return wnnGraphBuilderGru(b, x, w, r, c->steps, c->hid, &o, outs, 3, count);
        }
        case OP_GRU_CELL: {
            WNNGruCellOptions o = {NULL, bias, rbias, c->resetAfter, (WNNGruWeightLayout)c->layout, acts, c->actCount};
            *count = 1;
            return wnnGraphBuilderGruCell(b, x, w, r, h0, c->hid, &o, outs);
        }
        case OP_LSTM: {
            WNNLstmOptions o = {NULL, bias, rbias, peep, h0, c0, c->returnSequence, c->direction,
                                (WNNLstmWeightLayout)c->layout, acts, c->actCount};
            return wnnGraphBuilderLstm(b, x, w, r, c->steps, c->hid, &o, outs, 3, count);
        }
        default: {
            WNNLstmCellOptions o = {NULL, bias, rbias, peep, (WNNLstmWeightLayout)c->layout, acts, c->actCount};
            return wnnGraphBuilderLstmCell(b, x, w, r, h0, c0, c->hid, &o, outs, 2, count);
        }
    }
}

/* Builds and runs the case and compares every output with the reference. */
static void check_case(const Case* c, const char* what) {
    int lstm = is_lstm(c->op);
    size_t n = (size_t)c->nd * c->batch * c->hid, seqN = n * c->steps;
    size_t want_count = (lstm ? 2 : 1) + (c->returnSequence ? 1 : 0);
    double* want[3];
    void* got[3];
    for (size_t i = 0; i < 3; i++) {
        want[i] = calloc(seqN, sizeof(double));
        got[i] = calloc(seqN, 4);
    }
    reference(c, want);
    WNNGraphBuilder b = wt_builder();
    WNNOperand outs[3] = {NULL, NULL, NULL};
    size_t count = 0;
    WT_OK(build_op(b, c, outs, &count));
    WT_CHECK(count == want_count);
    if (count == want_count) {
        WtFeed feeds[ROLES];
        size_t nfeeds = 0;
        for (int role = X; role < ROLES; role++)
            if (c->v[role] && (role == X || c->fed >> role & 1))
                feeds[nfeeds++] = (WtFeed){k_role_names[role], role_data(c, role)};
        WNNNamedOperand named[3] = {{"o0", outs[0]}, {"o1", outs[1]}, {"o2", outs[2]}};
        WT_OK(wt_run(wt_cpu(), b, feeds, nfeeds, named, count, got));
        for (size_t i = 0; i < count; i++) {
            char label[160];
            int isSeq = c->returnSequence && i == count - 1;
            snprintf(label, sizeof label, "%s output %zu", what, i);
            expect_close(label, c->type, got[i], want[i], isSeq ? seqN : n);
        }
        for (size_t i = 0; i < nfeeds; i++) free((void*)feeds[i].data);
    }
    wnnGraphBuilderRelease(b);
    for (size_t i = 0; i < 3; i++) {
        free(want[i]);
        free(got[i]);
    }
}

static const char* describe(const Case* c, char* buf, size_t size) {
    static const char* const names[4] = {"gru", "gruCell", "lstm", "lstmCell"};
    snprintf(buf, size, "%s %s T%u B%u I%u H%u dir %d layout %d resetAfter %d seq %d acts %zu [%d %d %d] %s%s%s%s%s fed %#x",
             names[c->op], c->type == F16 ? "float16" : "float32", c->steps, c->batch, c->isz, c->hid, (int)c->direction,
             c->layout, (int)c->resetAfter, (int)c->returnSequence, c->actCount, (int)c->acts[0], (int)c->acts[1],
             (int)c->acts[2], c->v[BIAS] ? "B" : "", c->v[RBIAS] ? "Rb" : "", c->v[PEEP] ? "P" : "", c->v[H0] ? "H" : "",
             c->v[C0] ? "C" : "", c->fed);
    return buf;
}

/* Which operands are graph inputs rather than constants: none, every other role, all. */
static const unsigned k_fed[3] = {0, 0xAA, 0xFF};

/* Every direction x layout x resetAfter x returnSequence in both float types, with random shapes,
 * optional operands, activation lists (none, the default spelled out, or random ones), and weights
 * as constants or as graph inputs. */
static void test_gru(void) {
    uint64_t seed = 11;
    char what[200];
    for (int t = 0; t < 2; t++)
        for (unsigned k = 0; k < 72; k++) {
            Case c = {0};
            c.direction = (WNNRecurrentNetworkDirection)(k % 4);
            c.layout = (int)(k / 4 % 3);
            c.resetAfter = (WNNOptionalBool)(k / 12 % 3);
            c.returnSequence = k / 36 % 2;
            c.fed = k_fed[k / 2 % 3];
            make_case(&c, OP_GRU, t ? F16 : F32, NULL, (unsigned)(wt_next(&seed) % 8), (int)(wt_next(&seed) % 3), &seed);
            check_case(&c, describe(&c, what, sizeof what));
            free_case(&c);
        }
}

static void test_gru_cell(void) {
    uint64_t seed = 12;
    char what[200];
    for (int t = 0; t < 2; t++)
        for (unsigned k = 0; k < 36; k++) {
            Case c = {0};
            c.layout = (int)(k % 3);
            c.resetAfter = (WNNOptionalBool)(k / 3 % 3);
            c.fed = k_fed[k / 2 % 3];
            make_case(&c, OP_GRU_CELL, t ? F16 : F32, NULL, k / 9 % 4, (int)(wt_next(&seed) % 3), &seed);
            check_case(&c, describe(&c, what, sizeof what));
            free_case(&c);
        }
}

static void test_lstm(void) {
    uint64_t seed = 13;
    char what[200];
    for (int t = 0; t < 2; t++)
        for (unsigned k = 0; k < 96; k++) {
            Case c = {0};
            c.direction = (WNNRecurrentNetworkDirection)(k % 4);
            c.layout = (int)(k / 4 % 3);
            c.returnSequence = k / 12 % 2;
            c.fed = k_fed[k / 2 % 3];
            make_case(&c, OP_LSTM, t ? F16 : F32, NULL, (unsigned)(wt_next(&seed) % 32), (int)(wt_next(&seed) % 3),
                      &seed);
            check_case(&c, describe(&c, what, sizeof what));
            free_case(&c);
        }
}

static void test_lstm_cell(void) {
    uint64_t seed = 14;
    char what[200];
    for (int t = 0; t < 2; t++)
        for (unsigned k = 0; k < 48; k++) {
            Case c = {0};
            c.layout = (int)(k % 3);
            c.fed = k_fed[k / 2 % 3];
            make_case(&c, OP_LSTM_CELL, t ? F16 : F32, NULL, k / 3 % 8, (int)(k / 24 % 2 ? wt_next(&seed) % 3 : 0), &seed);
            check_case(&c, describe(&c, what, sizeof what));
            free_case(&c);
        }
}

/* Sizes large enough that the thread pool splits the projections; weights scaled down so the gates
 * stay away from saturation. */
static void test_large(void) {
    uint64_t seed = 15;
    char what[200];
    const uint32_t dims[4] = {3, 3, 40, 48};
    for (int op = OP_GRU; op <= OP_LSTM; op += 2) {
        Case c = {0};
        c.direction = WNNRecurrentNetworkDirection_Both;
        c.returnSequence = true;
        c.resetAfter = WNNOptionalBool_False;
        c.fed = op == OP_GRU ? 0xFF : 0;
        make_case(&c, op, F32, dims, 31, 0, &seed);
        for (int role = W; role <= RBIAS; role++)
            for (size_t i = 0; i < numel(&c, role); i++) c.v[role][i] = (float)(c.v[role][i] * 0.2);
        check_case(&c, describe(&c, what, sizeof what));
        free_case(&c);
    }
}

/* NaN and infinities in the input: NaN spreads through its batch entry only, infinities saturate
 * the gates; the reference computes the same IEEE results. */
static void test_special_values(void) {
    uint64_t seed = 16;
    char what[200];
    const uint32_t dims[4] = {3, 2, 3, 4};
    for (int op = OP_GRU; op <= OP_LSTM_CELL; op++)
        for (int t = 0; t < 2; t++) {
            Case c = {0};
            c.direction = is_cell(op) ? WNNRecurrentNetworkDirection_Undefined : WNNRecurrentNetworkDirection_Both;
            c.returnSequence = !is_cell(op);
            c.fed = t ? 0xAA : 0;
            make_case(&c, op, t ? F16 : F32, dims, 31, 0, &seed);
            size_t last = numel(&c, X) - 1;
            c.v[X][0] = NAN;          /* batch entry 0 of the first step */
            c.v[X][last] = INFINITY;  /* batch entry 1 of the last step */
            c.v[X][last - 1] = -INFINITY;
            check_case(&c, describe(&c, what, sizeof what));
            free_case(&c);
        }
}

/* The GPU computes the input projections of many steps at once, in chunks of steps when they would
 * take much memory; WNN_CUDA_RNN_XP_BYTES makes chunks of 1 and 2 steps here (5 steps: chunks of
 * 2, 2 and 1; a backward direction walks its chunks from the end). No effect on the CPU. */
static void test_chunks(void) {
    uint64_t seed = 17;
    char what[200];
    const uint32_t dims[4] = {5, 2, 3, 4};
    for (int chunk = 1; chunk <= 2; chunk++)
        for (int op = OP_GRU; op <= OP_LSTM; op += 2)
            for (unsigned k = 0; k < 8; k++) {
                Case c = {0};
                c.direction = (WNNRecurrentNetworkDirection)(k % 4);
                c.returnSequence = k / 4 % 2;
                c.resetAfter = k / 2 % 2 ? WNNOptionalBool_False : WNNOptionalBool_True;
                c.fed = k_fed[k % 3];
                make_case(&c, op, k % 2 ? F16 : F32, dims, 31, 0, &seed);
                size_t perStep = (size_t)c.nd * c.batch * (is_lstm(op) ? 4 : 3) * c.hid * sizeof(double);
                char bytes[32];
                snprintf(bytes, sizeof bytes, "%zu", chunk * perStep + perStep / 2);
                setenv("WNN_CUDA_RNN_XP_BYTES", bytes, 1);
                check_case(&c, describe(&c, what, sizeof what));
                unsetenv("WNN_CUDA_RNN_XP_BYTES");
                free_case(&c);
            }
}

/* ---- validation ---- */

/* A graph input of the given shape (named v0, v1, ...). */
static WNNOperand in_shape(WNNGraphBuilder b, WNNOperandDataType t, uint32_t rank, uint32_t d0, uint32_t d1,
                           uint32_t d2) {
    static int counter;
    char name[16];
    snprintf(name, sizeof name, "v%d", counter++);
    uint32_t s[3] = {d0, d1, d2};
    return wt_input(b, name, t, rank, s);
}
#define in3(b, t, d0, d1, d2) in_shape(b, t, 3, d0, d1, d2)
#define in_n(b, t, rank, d0, d1) in_shape(b, t, rank, d0, d1, 0)

#define EXPECT_FAIL(call, needle)                          \
    do {                                                   \
        WT_CHECK_STATUS(call, WNNStatus_TypeError);        \
        WT_CHECK_MESSAGE(needle);                          \
    } while (0)

static void test_gru_validation(void) {
    enum { T = 2, B = 3, I = 4, H = 5 };
    WNNGraphBuilder b = wt_builder(), other = wt_builder();
    WNNOperand x = in3(b, F32, T, B, I), outs[3];
    WNNOperand w = in3(b, F32, 1, 3 * H, I), r = in3(b, F32, 1, 3 * H, H), w2 = in3(b, F32, 2, 3 * H, I);
    size_t n = 7;
    WNNGruOptions o = WNN_GRU_OPTIONS_INIT;
    o.label = "enc";
    /* shapes */
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, in3(b, F32, 1, 3 * H + 1, I), r, T, H, &o, outs, 2, &n),
                "gru 'enc': weight shape [1,16,4] must be [numDirections, 3 * hiddenSize, inputSize] = [1,15,4]");
    WT_CHECK(n == 0 && outs[0] == NULL);
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, in3(b, F32, 1, 3 * H, H + 1), T, H, &o, outs, 2, &n),
                "recurrentWeight shape [1,15,6] must be [numDirections, 3 * hiddenSize, hiddenSize] = [1,15,5]");
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w2, r, T, H, &o, outs, 2, &n), "weight shape [2,15,4] must be");
    o.direction = WNNRecurrentNetworkDirection_Both; /* numDirections 2 */
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w2, r, T, H, &o, outs, 2, &n), "recurrentWeight shape [1,15,5] must be");
    o.direction = WNNRecurrentNetworkDirection_Undefined;
    o.bias = in_n(b, F32, 2, 1, 3 * H + 3);
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 2, &n),
                "bias shape [1,18] must be [numDirections, 3 * hiddenSize] = [1,15]");
    o.bias = NULL;
    o.recurrentBias = in_n(b, F32, 2, 2, 3 * H);
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 2, &n), "recurrentBias shape [2,15] must be");
    o.recurrentBias = NULL;
    o.initialHiddenState = in3(b, F32, 1, B + 1, H);
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 2, &n),
                "initialHiddenState shape [1,4,5] must be [numDirections, batchSize, hiddenSize] = [1,3,5]");
    o.initialHiddenState = NULL;
    /* steps and hiddenSize */
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T + 1, H, &o, outs, 2, &n), "steps 3 must equal the input's first dimension 2");
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, 0, H, &o, outs, 2, &n), "steps must be greater than 0");
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, 0, &o, outs, 2, &n), "hiddenSize 0 is not valid");
    /* 6 * 0x15555556 exceeds 2^31 - 1; 6 * 0x10000000 does not (the weight shape fails instead) */
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, 0x15555556u, &o, outs, 2, &n), "(6 * hiddenSize must be in");
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, 0x10000000u, &o, outs, 2, &n), "weight shape");
    /* types and ranks */
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, in3(b, F16, 1, 3 * H, I), r, T, H, &o, outs, 2, &n),
                "weight data type float16 must match the input's (float32)");
    o.initialHiddenState = in3(b, F16, 1, B, H);
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 2, &n), "initialHiddenState data type float16");
    o.initialHiddenState = NULL;
    EXPECT_FAIL(wnnGraphBuilderGru(b, in3(b, WNNOperandDataType_Int32, T, B, I), w, r, T, H, &o, outs, 2, &n),
                "input data type int32 is not allowed");
    EXPECT_FAIL(wnnGraphBuilderGru(b, in_n(b, F32, 2, B, I), w, r, T, H, &o, outs, 2, &n), "input rank 2 is not allowed");
    o.bias = in_n(b, F32, 1, 3 * H, 0);
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 2, &n), "bias rank 1 is not allowed");
    o.bias = NULL;
    /* activations and enums */
    WNNRecurrentNetworkActivation acts[3] = {RELU, TANH, SIGMOID};
    o.activations = acts;
    o.activationsCount = 3;
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 2, &n), "activations must have 2 entries (got 3)");
    o.activationsCount = 1;
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 2, &n), "activations must have 2 entries (got 1)");
    o.activationsCount = 0;
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 2, &n), "activations must have 2 entries (got 0)");
    WNNRecurrentNetworkActivation badActs[2] = {SIGMOID, WNNRecurrentNetworkActivation_Undefined};
    o.activations = badActs;
    o.activationsCount = 2;
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 2, &n), "activations[1] (0) is not relu, sigmoid or tanh");
    o.activations = NULL;
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 2, &n), "activations is NULL but activationsCount is 2");
    o.activationsCount = 0;
    o.direction = (WNNRecurrentNetworkDirection)7;
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 2, &n), "direction 7 is not forward, backward or both");
    o.direction = WNNRecurrentNetworkDirection_Forward;
    o.layout = (WNNGruWeightLayout)3;
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 2, &n), "layout 3 is not zrn or rzn");
    o.layout = WNNGruWeightLayout_Rzn;
    o.resetAfter = (WNNOptionalBool)3;
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 2, &n), "resetAfter 3");
    o.resetAfter = WNNOptionalBool_False;
    /* operands and the output array */
    o.returnSequence = true;
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 1, &n), "outputs has room for 1 operands, 2 are needed");
    EXPECT_FAIL(wnnGraphBuilderGru(b, x, w, r, T, H, &o, NULL, 2, &n), "outputs has room for 0 operands");
    WT_CHECK_STATUS(wnnGraphBuilderGru(b, x, NULL, r, T, H, &o, outs, 2, &n), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnGraphBuilderGru(b, x, in3(other, F32, 1, 3 * H, I), r, T, H, &o, outs, 2, &n),
                    WNNStatus_TypeError);
    /* the valid call, and its output descriptors */
    WT_OK(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 3, &n));
    WT_CHECK(n == 2 && outs[2] == NULL);
    uint32_t shape[4];
    WT_CHECK(wnnOperandGetRank(outs[0]) == 3 && wnnOperandGetRank(outs[1]) == 4);
    wnnOperandGetShape(outs[1], shape);
    WT_CHECK(shape[0] == T && shape[1] == 1 && shape[2] == B && shape[3] == H);
    WT_CHECK(wnnOperandGetDataType(outs[0]) == F32);
    o.returnSequence = false;
    WT_OK(wnnGraphBuilderGru(b, x, w, r, T, H, &o, outs, 1, &n));
    WT_CHECK(n == 1);
    WT_OK(wnnGraphBuilderGru(b, x, w, r, T, H, NULL, outs, 1, NULL));
    wnnGraphBuilderRelease(b);
    wnnGraphBuilderRelease(other);
}

static void test_cell_validation(void) {
    enum { B = 3, I = 4, H = 5 };
    WNNGraphBuilder b = wt_builder();
    WNNOperand x = in_n(b, F32, 2, B, I), w = in_n(b, F32, 2, 3 * H, I), r = in_n(b, F32, 2, 3 * H, H);
    WNNOperand h = in_n(b, F32, 2, B, H), out;
    WNNGruCellOptions o = WNN_GRU_CELL_OPTIONS_INIT;
    EXPECT_FAIL(wnnGraphBuilderGruCell(b, x, w, r, in_n(b, F32, 2, B, H + 1), H, &o, &out),
                "gruCell: hiddenState shape [3,6] must be [batchSize, hiddenSize] = [3,5]");
    WT_CHECK(out == NULL);
    EXPECT_FAIL(wnnGraphBuilderGruCell(b, x, in_n(b, F32, 2, 3 * H, I + 1), r, h, H, &o, &out),
                "weight shape [15,5] must be [3 * hiddenSize, inputSize] = [15,4]");
    o.bias = in_n(b, F32, 1, 4 * H, 0);
    EXPECT_FAIL(wnnGraphBuilderGruCell(b, x, w, r, h, H, &o, &out), "bias shape [20] must be [3 * hiddenSize] = [15]");
    o.bias = NULL;
    o.recurrentBias = in_n(b, F16, 1, 3 * H, 0);
    EXPECT_FAIL(wnnGraphBuilderGruCell(b, x, w, r, h, H, &o, &out), "recurrentBias data type float16 must match");
    o.recurrentBias = NULL;
    EXPECT_FAIL(wnnGraphBuilderGruCell(b, x, w, r, NULL, H, &o, &out), "hiddenState");
    EXPECT_FAIL(wnnGraphBuilderGruCell(b, x, w, r, h, 0x15555556u, &o, &out), "hiddenSize 357913942 is not valid");
    WNNRecurrentNetworkActivation acts[3] = {RELU, TANH, TANH};
    o.activations = acts;
    o.activationsCount = 3;
    EXPECT_FAIL(wnnGraphBuilderGruCell(b, x, w, r, h, H, &o, &out), "activations must have 2 entries (got 3)");
    o.activationsCount = 2;
    WT_OK(wnnGraphBuilderGruCell(b, x, w, r, h, H, &o, &out));
    WT_CHECK(out && wnnOperandGetRank(out) == 2);

    /* lstmCell */
    WNNOperand w4 = in_n(b, F32, 2, 4 * H, I), r4 = in_n(b, F32, 2, 4 * H, H), outs[2];
    size_t n = 9;
    WNNLstmCellOptions lo = WNN_LSTM_CELL_OPTIONS_INIT;
    EXPECT_FAIL(wnnGraphBuilderLstmCell(b, x, w4, r4, h, in_n(b, F32, 2, B + 1, H), H, &lo, outs, 2, &n),
                "lstmCell: cellState shape [4,5] must be [batchSize, hiddenSize] = [3,5]");
    WT_CHECK(n == 0);
    EXPECT_FAIL(wnnGraphBuilderLstmCell(b, x, w, r4, h, h, H, &lo, outs, 2, &n),
                "weight shape [15,4] must be [4 * hiddenSize, inputSize] = [20,4]");
    lo.peepholeWeight = in_n(b, F32, 1, 4 * H, 0);
    EXPECT_FAIL(wnnGraphBuilderLstmCell(b, x, w4, r4, h, h, H, &lo, outs, 2, &n),
                "peepholeWeight shape [20] must be [3 * hiddenSize] = [15]");
    lo.peepholeWeight = NULL;
    EXPECT_FAIL(wnnGraphBuilderLstmCell(b, x, w4, r4, h, h, H, &lo, outs, 1, &n), "outputs has room for 1 operands, 2");
    lo.layout = (WNNLstmWeightLayout)9;
    EXPECT_FAIL(wnnGraphBuilderLstmCell(b, x, w4, r4, h, h, H, &lo, outs, 2, &n), "layout 9 is not iofg or ifgo");
    lo.layout = WNNLstmWeightLayout_Ifgo;
    lo.activations = acts;
    lo.activationsCount = 2;
    EXPECT_FAIL(wnnGraphBuilderLstmCell(b, x, w4, r4, h, h, H, &lo, outs, 2, &n), "activations must have 3 entries (got 2)");
    lo.activationsCount = 3;
    WT_OK(wnnGraphBuilderLstmCell(b, x, w4, r4, h, h, H, &lo, outs, 2, &n));
    WT_CHECK(n == 2 && outs[0] != outs[1]);
    wnnGraphBuilderRelease(b);
}

static void test_lstm_validation(void) {
    enum { T = 2, B = 3, I = 4, H = 5 };
    WNNGraphBuilder b = wt_builder();
    WNNOperand x = in3(b, F32, T, B, I), w = in3(b, F32, 2, 4 * H, I), r = in3(b, F32, 2, 4 * H, H), outs[3];
    size_t n;
    WNNLstmOptions o = WNN_LSTM_OPTIONS_INIT;
    o.direction = WNNRecurrentNetworkDirection_Both;
    o.peepholeWeight = in_n(b, F32, 2, 2, 4 * H);
    EXPECT_FAIL(wnnGraphBuilderLstm(b, x, w, r, T, H, &o, outs, 3, &n),
                "lstm: peepholeWeight shape [2,20] must be [numDirections, 3 * hiddenSize] = [2,15]");
    o.peepholeWeight = NULL;
    o.initialCellState = in3(b, F32, 1, B, H);
    EXPECT_FAIL(wnnGraphBuilderLstm(b, x, w, r, T, H, &o, outs, 3, &n),
                "initialCellState shape [1,3,5] must be [numDirections, batchSize, hiddenSize] = [2,3,5]");
    o.initialCellState = NULL;
    o.bias = in_n(b, F32, 2, 2, 3 * H);
    EXPECT_FAIL(wnnGraphBuilderLstm(b, x, w, r, T, H, &o, outs, 3, &n), "bias shape [2,15] must be [numDirections, 4 * hiddenSize]");
    o.bias = NULL;
    EXPECT_FAIL(wnnGraphBuilderLstm(b, x, w, r, 0, H, &o, outs, 3, &n), "steps must be greater than 0");
    /* 8 * 0x10000000 is 2^31, beyond a valid dimension */
    EXPECT_FAIL(wnnGraphBuilderLstm(b, x, w, r, T, 0x10000000u, &o, outs, 3, &n), "(8 * hiddenSize must be in 1..2147483647)");
    WNNRecurrentNetworkActivation acts[3] = {SIGMOID, RELU, (WNNRecurrentNetworkActivation)4};
    o.activations = acts;
    o.activationsCount = 3;
    EXPECT_FAIL(wnnGraphBuilderLstm(b, x, w, r, T, H, &o, outs, 3, &n), "activations[2] (4) is not relu, sigmoid or tanh");
    o.activations = NULL;
    o.activationsCount = 0;
    o.returnSequence = true;
    EXPECT_FAIL(wnnGraphBuilderLstm(b, x, w, r, T, H, &o, outs, 2, &n), "outputs has room for 2 operands, 3 are needed");
    WT_OK(wnnGraphBuilderLstm(b, x, w, r, T, H, &o, outs, 3, &n));
    WT_CHECK(n == 3 && wnnOperandGetRank(outs[2]) == 4 && wnnOperandGetRank(outs[1]) == 3);
    wnnGraphBuilderRelease(b);
}

/* Operand slots as the spec's support-limits dictionaries name them. */
static void test_limits(void) {
    static const char* const gru[] = {"input", "weight", "recurrentWeight", "bias", "recurrentBias",
                                      "initialHiddenState", "output0", "output1", NULL};
    static const char* const gruCell[] = {"input", "weight", "recurrentWeight", "hiddenState", "bias",
                                          "recurrentBias", "output", NULL};
    static const char* const lstm[] = {"input", "weight", "recurrentWeight", "bias", "recurrentBias",
                                       "peepholeWeight", "initialHiddenState", "initialCellState", "output0",
                                       "output1", "output2", NULL};
    static const char* const lstmCell[] = {"input", "weight", "recurrentWeight", "hiddenState", "cellState", "bias",
                                           "recurrentBias", "peepholeWeight", "output0", "output1", NULL};
    const char* const* lists[4] = {gru, gruCell, lstm, lstmCell};
    const char* ops[4] = {"gru", "gruCell", "lstm", "lstmCell"};
    for (int k = 0; k < 4; k++) {
        uint32_t count = 0;
        while (lists[k][count]) count++;
        WT_CHECK(wnnGetOperatorOperandCount(ops[k]) == count);
        for (uint32_t i = 0; i < count; i++) {
            const char* name = wnnGetOperatorOperandName(ops[k], i);
            WT_CHECK(name && strcmp(name, lists[k][i]) == 0);
        }
    }
    WNNTensorLimits l;
    WT_OK(wnnGetRequiredOperandLimits("gru", "output1", &l));
    WT_CHECK(l.rankMin == 4 && l.rankMax == 4 && l.dataTypes == ((1u << F32) | (1u << F16)));
    WT_OK(wnnGetRequiredOperandLimits("lstmCell", "peepholeWeight", &l));
    WT_CHECK(l.rankMin == 1 && l.rankMax == 1);
}

int main(void) {
    test_gru();
    test_gru_cell();
    test_lstm();
    test_lstm_cell();
    test_large();
    test_special_values();
    test_chunks();
    test_gru_validation();
    test_cell_validation();
    test_lstm_validation();
    test_limits();
    return wt_summary("test_ops_recurrent");
}
