/* test_attention.c: matmul(Q, K^T) [* scale] -> softmax -> matmul(., V) [-> transpose], which the CPU
 * build runs as one attention step where it can (attention.h), against float64: BERT's head shape
 * and layout, odd sizes (S != S2, D and Dv not multiples of 16), rank 3, no transposes at all, a
 * scale by mul and by div, Q's and the output's columns strided (the step's copies), and the
 * cases that must run unfused (softmax on another axis, a bias before softmax, the scores also a
 * graph output, V made after the scores). A row of Q holding infinity must give the same NaNs as
 * the unfused path. Which build took the step is checked against what it can take: AVX-512 and
 * fusion on (ctest runs it again with WNN_CPU_ATTENTION=0 and with WNN_CPU_SIMD=avx2). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/attention.h"
#include "backends/cpu/cpu_passes.h"
#include "backends/cpu/sgemm_packed.h"
#include "wt.h"

static uint64_t g_seed = 7;

/* float32 products of up to 128 terms of magnitude 1 and a softmax: measured at most 1.2e-7 off */
#define ATOL 1e-6

enum { SCALE_NONE, SCALE_MUL, SCALE_DIV };
enum { PLAIN, BERT, COLUMNS }; /* how each operand is made: as it is, BERT's head transpose, a transpose of its last two axes */
enum { FUSED, NOT_SOFTMAX_LAST, BIAS_BEFORE_SOFTMAX, SCORES_OUTPUT, V_AFTER_SCORES };

typedef struct Case {
    const char* name;
    uint32_t N, H, S, S2, D, Dv; /* N = 0: rank 3 (no batch dimension) */
    int q, k, v, o;              /* PLAIN, BERT or COLUMNS (k, v: PLAIN or BERT) */
    int scale;
    int kind;
    int infinity; /* a row of Q holds +infinity */
} Case;

/* The graph input for one operand and the transpose that makes the matmul's view of it: view
 * shape `view` (rank r), made as `how` says. perm and inShape get the transpose and the input's
 * shape (perm the identity for PLAIN). */
static void layout(int how, int isK, const uint32_t* view, uint32_t r, uint32_t* perm, uint32_t* inShape) {
    /* 4-D permutations; rank 3 drops the batch axis */
    static const uint32_t ident[4] = {0, 1, 2, 3}, head[4] = {0, 2, 1, 3}, headK[4] = {0, 2, 3, 1}, cols[4] = {0, 1, 3, 2};
    const uint32_t* p4 = how == PLAIN ? ident : how == COLUMNS ? cols : isK ? headK : head;
    uint32_t lead = 4 - r;
    for (uint32_t i = 0; i < r; i++) perm[i] = p4[i + lead] - lead;
    /* the input's shape: the view's dimension i is the input's perm[i] */
    for (uint32_t i = 0; i < r; i++) inShape[perm[i]] = view[i];
}

static int is_identity(const uint32_t* perm, uint32_t r) {
    for (uint32_t i = 0; i < r; i++)
        if (perm[i] != i) return 0;
    return 1;
}

static float* random_floats(size_t n, double** asDouble) {
    float* f = malloc(sizeof(float) * n);
    double* d = malloc(sizeof(double) * n);
    for (size_t i = 0; i < n; i++) d[i] = f[i] = (float)wt_rand(&g_seed, -1, 1);
    *asDouble = d;
    return f;
}

/* Builds and runs the case's graph; out gets the result (its element count: *count). */
static float* run_graph(const Case* c, const float* qin, const float* kin, const float* vin, const uint32_t shapes[3][4],
                        const uint32_t perms[4][4], size_t count, unsigned* steps) {
    uint32_t r = c->N ? 4 : 3;
    WNNGraphBuilder b = wt_builder();
    WNNOperand q = wt_input(b, "q", WNNOperandDataType_Float32, r, shapes[0]);
    WNNOperand k = wt_input(b, "k", WNNOperandDataType_Float32, r, shapes[1]);
    WNNOperand v = wt_input(b, "v", WNNOperandDataType_Float32, r, shapes[2]);
    WNNOperand qv = is_identity(perms[0], r) ? q : wt_transpose(b, q, perms[0], r);
    WNNOperand kv = is_identity(perms[1], r) ? k : wt_transpose(b, k, perms[1], r);
    WNNOperand s, p, ctx;
    WT_OK(wnnGraphBuilderMatmul(b, qv, kv, NULL, &s));
    WNNOperand scores = s;
    if (c->scale == SCALE_MUL || c->scale == SCALE_DIV) {
        float f = c->scale == SCALE_MUL ? 0.3f : 4.0f;
        WNNOperand cst = wt_constant(b, WNNOperandDataType_Float32, 0, NULL, &f);
        if (c->scale == SCALE_MUL) WT_OK(wnnGraphBuilderMul(b, s, cst, NULL, &s));
        else WT_OK(wnnGraphBuilderDiv(b, s, cst, NULL, &s));
    }
    if (c->kind == BIAS_BEFORE_SOFTMAX) {
        float zero = 0.0f; /* adds nothing, yet is not a scale: the chain is not attention's */
        WT_OK(wnnGraphBuilderAdd(b, s, wt_constant(b, WNNOperandDataType_Float32, 0, NULL, &zero), NULL, &s));
    }
    WT_OK(wnnGraphBuilderSoftmax(b, s, c->kind == NOT_SOFTMAX_LAST ? r - 2 : r - 1, NULL, &p));
    if (c->kind == V_AFTER_SCORES) WT_OK(wnnGraphBuilderRelu(b, v, NULL, &v)); /* made after the scores */
    WNNOperand vv = is_identity(perms[2], r) ? v : wt_transpose(b, v, perms[2], r);
    WT_OK(wnnGraphBuilderMatmul(b, p, vv, NULL, &ctx));
    if (!is_identity(perms[3], r)) ctx = wt_transpose(b, ctx, perms[3], r);
    WNNNamedOperand outs[2] = {{"y", ctx}, {"scores", scores}};
    WtFeed feeds[3] = {{"q", qin}, {"k", kin}, {"v", vin}};
    float* got = malloc(sizeof(float) * count);
    size_t sn = (size_t)(c->N ? c->N : 1) * c->H * c->S * c->S2;
    float* gotScores = malloc(sizeof(float) * sn);
    void* data[2] = {got, gotScores};
    unsigned before = wnn_cpu_attention_count();
    WT_OK(wt_run(wt_cpu(), b, feeds, 3, outs, c->kind == SCORES_OUTPUT ? 2 : 1, data));
    *steps = wnn_cpu_attention_count() - before;
    wnnGraphBuilderRelease(b);
    free(gotScores);
    return got;
}

static void run_case(const Case* c) {
    uint32_t r = c->N ? 4 : 3, lead = 4 - r;
    uint32_t N = c->N ? c->N : 1;
    /* the views the matmuls see, 4-D (N first) and as the graph's rank */
    uint32_t qs4[4] = {N, c->H, c->S, c->D}, ks4[4] = {N, c->H, c->D, c->S2}, vs4[4] = {N, c->H, c->S2, c->Dv};
    uint32_t os4[4] = {N, c->H, c->S, c->Dv};
    uint32_t shapes[3][4], perms[4][4], views[4][4];
    const uint32_t* v4[4] = {qs4, ks4, vs4, os4};
    for (int t = 0; t < 4; t++)
        for (uint32_t i = 0; i < r; i++) views[t][i] = v4[t][i + lead];
    int how[4] = {c->q, c->k, c->v, c->o};
    uint32_t outShape[4];
    for (int t = 0; t < 3; t++) layout(how[t], t == 1, views[t], r, perms[t], shapes[t]);
    layout(how[3], 0, views[3], r, perms[3], outShape); /* the output: transposed from the view */
    uint32_t inv[4];
    for (uint32_t i = 0; i < r; i++) inv[perms[3][i]] = i;
    for (uint32_t i = 0; i < r; i++) perms[3][i] = inv[i]; /* the transpose after the matmul undoes the layout */

    size_t nq = wt_numel(shapes[0], r), nk = wt_numel(shapes[1], r), nv = wt_numel(shapes[2], r);
    double *qd, *kd, *vd;
    float *qf = random_floats(nq, &qd), *kf = random_floats(nk, &kd), *vf = random_floats(nv, &vd);
    if (c->infinity) qf[3 * c->D % nq] = INFINITY, qd[3 * c->D % nq] = INFINITY;

    /* float64: the views, scores, softmax (on the case's axis), context, output layout */
    size_t ns = (size_t)N * c->H * c->S * c->S2, no = (size_t)N * c->H * c->S * c->Dv;
    double *qv = malloc(sizeof(double) * nq), *kv = malloc(sizeof(double) * nk), *vv = malloc(sizeof(double) * nv);
    double *sc = malloc(sizeof(double) * ns), *ctx = malloc(sizeof(double) * no), *want = malloc(sizeof(double) * no);
    uint32_t tmp[4];
    wt_permute_f64(qd, shapes[0], r, perms[0], qv, tmp);
    wt_permute_f64(kd, shapes[1], r, perms[1], kv, tmp);
    if (c->kind == V_AFTER_SCORES)
        for (size_t i = 0; i < nv; i++) vd[i] = vd[i] > 0 ? vd[i] : 0;
    wt_permute_f64(vd, shapes[2], r, perms[2], vv, tmp);
    wt_matmul_f64(qv, views[0], kv, views[1], r, sc);
    double scale = c->scale == SCALE_MUL ? (double)0.3f : c->scale == SCALE_DIV ? 0.25 : 1.0;
    for (size_t i = 0; i < ns; i++) sc[i] *= scale;
    int lastAxis = c->kind != NOT_SOFTMAX_LAST;
    size_t rows = lastAxis ? ns / c->S2 : (size_t)N * c->H;
    for (size_t row = 0; row < rows; row++)
        for (size_t col = 0; col < (lastAxis ? 1 : c->S2); col++) {
            /* element e of this softmax's vector: along S2 (last axis) or along S (axis r - 2) */
            size_t len = lastAxis ? c->S2 : c->S, base = lastAxis ? row * c->S2 : row * c->S * c->S2 + col;
            size_t step = lastAxis ? 1 : c->S2;
            double m = -INFINITY, sum = 0;
            for (size_t e = 0; e < len; e++) m = fmax(m, sc[base + e * step]);
            for (size_t e = 0; e < len; e++) sum += exp(sc[base + e * step] - m);
            for (size_t e = 0; e < len; e++) sc[base + e * step] = exp(sc[base + e * step] - m) / sum;
        }
    uint32_t ps[4];
    for (uint32_t i = 0; i < r; i++) ps[i] = views[0][i];
    ps[r - 1] = c->S2;
    wt_matmul_f64(sc, ps, vv, views[2], r, ctx);
    wt_permute_f64(ctx, views[3], r, perms[3], want, tmp);

    const char* att = getenv("WNN_CPU_ATTENTION");
    unsigned expect = c->kind == FUSED && !strcmp(wnn_sgemm_packed_isa(), "avx512") && wnn_cpu_pass_on("WNN_CPU_FUSE") &&
                      !(att && !strcmp(att, "0"));
    unsigned steps = 0;
    float* got = run_graph(c, qf, kf, vf, shapes, perms, no, &steps);
    if (c->infinity) {
        /* the unfused path's result, NaNs and all */
        char* saved = att ? strdup(att) : NULL;
        setenv("WNN_CPU_ATTENTION", "0", 1);
        unsigned none = 0;
        float* ref = run_graph(c, qf, kf, vf, shapes, perms, no, &none);
        if (saved) setenv("WNN_CPU_ATTENTION", saved, 1), free(saved);
        else unsetenv("WNN_CPU_ATTENTION");
        size_t bad = 0;
        for (size_t i = 0; i < no; i++) {
            int same = isnan(got[i]) ? isnan(ref[i]) : !isnan(ref[i]) && fabsf(got[i] - ref[i]) <= 1e-5f;
            if (!same && bad++ < 3) fprintf(stderr, "%s: [%zu] %g, unfused %g\n", c->name, i, got[i], ref[i]);
        }
        wt_checks++;
        if (bad) wt_failures++;
        free(ref);
    } else {
        double worst = 0;
        for (size_t i = 0; i < no; i++) worst = fmax(worst, fabs(got[i] - want[i]));
        if (getenv("WT_VERBOSE")) fprintf(stderr, "%s: off by %.3g at most\n", c->name, worst);
        wt_expect_f32_atol(c->name, got, want, no, ATOL);
    }
    wt_checks++;
    if (steps != expect) {
        wt_failures++;
        fprintf(stderr, "%s: %u attention steps, expected %u\n", c->name, steps, expect);
    }
    free(got), free(qf), free(kf), free(vf), free(qd), free(kd), free(vd);
    free(qv), free(kv), free(vv), free(sc), free(ctx), free(want);
}

int main(void) {
    static const Case cases[] = {
        {"BERT-base head layout, scale 1/8 by div", 1, 12, 128, 128, 64, 64, BERT, BERT, BERT, BERT, SCALE_DIV, FUSED, 0},
        {"odd sizes, BERT layout, scale by mul", 2, 3, 17, 29, 24, 40, BERT, BERT, BERT, BERT, SCALE_MUL, FUSED, 0},
        {"no transposes, no scale", 1, 2, 9, 33, 16, 20, PLAIN, PLAIN, PLAIN, PLAIN, SCALE_NONE, FUSED, 0},
        {"rank 3, BERT layout", 0, 4, 31, 15, 8, 5, BERT, BERT, BERT, BERT, SCALE_MUL, FUSED, 0},
        {"Q's and the output's columns strided", 2, 2, 12, 20, 18, 16, COLUMNS, BERT, PLAIN, COLUMNS, SCALE_DIV, FUSED, 0},
        {"a row of Q holds infinity", 1, 3, 10, 12, 16, 16, BERT, BERT, BERT, BERT, SCALE_MUL, FUSED, 1},
        {"softmax over the rows: unfused", 1, 2, 9, 11, 8, 8, BERT, BERT, BERT, BERT, SCALE_MUL, NOT_SOFTMAX_LAST, 0},
        {"an add before softmax: unfused", 1, 2, 9, 11, 8, 8, BERT, BERT, BERT, BERT, SCALE_MUL, BIAS_BEFORE_SOFTMAX, 0},
        {"the scores also an output: unfused", 1, 2, 9, 11, 8, 8, BERT, BERT, BERT, BERT, SCALE_NONE, SCORES_OUTPUT, 0},
        {"V made after the scores: unfused", 1, 2, 9, 11, 8, 8, BERT, BERT, BERT, BERT, SCALE_MUL, V_AFTER_SCORES, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) run_case(&cases[i]);
    return wt_summary("test_attention");
}
