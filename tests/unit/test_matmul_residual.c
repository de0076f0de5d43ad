/* test_matmul_residual.c: matmul / gemm -> add(bias) -> add(residual) -> activation, the shape of
 * every transformer projection's residual connection, with each CPU path forced (WNN_CPU_MATMUL =
 * own | onednn | packed | auto) in float32 and float16. Each result is checked against a float64
 * reference, and the build must have fused exactly the nodes a path can take in: the packed GEMM
 * adds the residual in its epilogue (after K slices that accumulate in C: K = 300 crosses one),
 * oneDNN as a binary post-op; our kernel table fuses nothing. A residual made after the op in build
 * order, or one the add reads first, are covered too. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_passes.h"
#include "core/core.h"
#include "wt.h"

static uint64_t g_seed = 23;

/* Shapes: batch x M x K times K x N (b shared by the batch when constant). */
typedef struct Case {
    const char* name;
    uint32_t batch, M, K, N;
    int constB, bias, gemm; /* gemm: a and b stored transposed, c the bias (then batch 1) */
    int act;                /* wt_activation's index; 99: none */
    int residual;           /* 0 a graph input, 1 relu(graph input) made before the op, 2 made after it */
    int residualFirst;      /* add(residual, y) instead of add(y, residual) */
} Case;

static double act_ref(int which, double x) {
    switch (which) {
        case 0: return x > 0 ? x : 0;
        case 5: return 0.5 * x * (1 + erf(x / sqrt(2.0)));
        case 3: return tanh(x);
        default: return x;
    }
}

/* n random values in [lo, hi), rounded to float16 when f16 (so that the reference sees what the
 * graph does); the graph's bytes in *bytes (malloc'd). */
static float* values(size_t n, double lo, double hi, int f16, void** bytes) {
    float* v = malloc(sizeof(float) * n);
    uint16_t* h = f16 ? malloc(sizeof(uint16_t) * n) : NULL;
    for (size_t i = 0; i < n; i++) {
        v[i] = (float)wt_rand(&g_seed, lo, hi);
        if (f16) h[i] = wt_f2h(v[i]), v[i] = wt_h2f(h[i]);
    }
    *bytes = f16 ? (void*)h : (void*)v;
    return v;
}

static unsigned fused_nodes(void) {
    WnnCpuPassStats s;
    wnn_cpu_last_stats(&s);
    return s.fused;
}

static void run_case(const Case* c, const char* path, int f16) {
    const uint32_t B = c->batch, M = c->M, K = c->K, N = c->N;
    const size_t na = (size_t)B * M * K, nb = (size_t)(c->constB ? 1 : B) * K * N, nc = (size_t)B * M * N;
    void *ab, *bb, *biasb, *rb;
    float* a = values(na, -1, 1, f16, &ab);
    float* w = values(nb, -0.3, 0.3, f16, &bb);
    float* bias = values(N, -1, 1, f16, &biasb);
    float* r = values(nc, -2, 2, f16, &rb);
    /* the graph's a and b as stored: transposed for gemm */
    float *as = a, *ws = w;
    void *asb = ab, *wsb = bb;
    uint16_t *ah = NULL, *wh = NULL;
    if (c->gemm) {
        as = malloc(sizeof(float) * na), ws = malloc(sizeof(float) * nb);
        ah = malloc(2 * na), wh = malloc(2 * nb);
        for (uint32_t i = 0; i < M; i++)
            for (uint32_t k = 0; k < K; k++) as[k * M + i] = a[i * K + k], ah[k * M + i] = wt_f2h(a[i * K + k]);
        for (uint32_t k = 0; k < K; k++)
            for (uint32_t j = 0; j < N; j++) ws[j * K + k] = w[k * N + j], wh[j * K + k] = wt_f2h(w[k * N + j]);
        asb = f16 ? (void*)ah : (void*)as, wsb = f16 ? (void*)wh : (void*)ws;
    }
    double* want = malloc(sizeof(double) * nc);
    for (uint32_t q = 0; q < B; q++)
        for (uint32_t i = 0; i < M; i++)
            for (uint32_t j = 0; j < N; j++) {
                const float* bq = w + (c->constB ? 0 : (size_t)q * K * N);
                double acc = 0;
                for (uint32_t k = 0; k < K; k++) acc += (double)a[((size_t)q * M + i) * K + k] * bq[(size_t)k * N + j];
                size_t o = ((size_t)q * M + i) * N + j;
                double res = c->residual && r[o] < 0 ? 0 : r[o]; /* relu(r) unless a graph input */
                want[o] = act_ref(c->act, acc + (c->bias ? bias[j] : 0) + res);
            }

    setenv("WNN_CPU_MATMUL", path, 1);
    WNNOperandDataType t = f16 ? WNNOperandDataType_Float16 : WNNOperandDataType_Float32;
    WNNGraphBuilder b = wt_builder();
    uint32_t ashape[3] = {B, M, K}, atshape[2] = {K, M}, bshape[3] = {B, K, N}, btshape[2] = {N, K};
    uint32_t cshape[3] = {B, M, N}, bias1[1] = {N};
    WNNOperand x = c->gemm ? wt_input(b, "a", t, 2, atshape) : wt_input(b, "a", t, 3, ashape);
    const uint32_t* wshape = c->gemm ? btshape : c->constB ? bshape + 1 : bshape;
    uint32_t wrank = c->gemm || c->constB ? 2 : 3;
    WNNOperand wt = c->constB ? wt_constant(b, t, wrank, wshape, wsb) : wt_input(b, "b", t, wrank, wshape);
    WNNOperand res = c->gemm ? wt_input(b, "r", t, 2, cshape + 1) : wt_input(b, "r", t, 3, cshape), y;
    if (c->residual == 1) WT_OK(wnnGraphBuilderRelu(b, res, NULL, &res));
    if (c->gemm) {
        WNNGemmOptions go = WNN_GEMM_OPTIONS_INIT;
        go.aTranspose = true;
        go.bTranspose = true;
        WT_OK(wnnGraphBuilderGemm(b, x, wt, &go, &y));
    } else {
        WT_OK(wnnGraphBuilderMatmul(b, x, wt, NULL, &y));
    }
    if (c->residual == 2) WT_OK(wnnGraphBuilderRelu(b, res, NULL, &res)); /* after the op: not fusible */
    if (c->bias) WT_OK(wnnGraphBuilderAdd(b, y, wt_constant(b, t, 1, bias1, biasb), NULL, &y));
    WT_OK(c->residualFirst ? wnnGraphBuilderAdd(b, res, y, NULL, &y) : wnnGraphBuilderAdd(b, y, res, NULL, &y));
    if (c->act != 99) y = wt_activation(b, y, c->act);
    WNNNamedOperand out = {"y", y};
    WtFeed feeds[3] = {{"a", asb}, {"r", rb}, {"b", wsb}};
    void* got = malloc(4 * nc);
    WT_OK(wt_run(wt_cpu(), b, feeds, c->constB ? 2 : 3, &out, 1, (void* const*)&got));
    wnnGraphBuilderRelease(b);

    char what[128];
    snprintf(what, sizeof what, "%s (%s, %s)", c->name, path, f16 ? "float16" : "float32");
    if (f16) {
        uint16_t* g = got;
        size_t bad = 0;
        for (size_t i = 0; i < nc; i++) {
            double v = wt_h2f(g[i]);
            if (!(fabs(v - want[i]) <= 2e-2 * (1 + fabs(want[i]))) && bad++ < 3)
                fprintf(stderr, "%s: [%zu] got %.6g want %.6g\n", what, i, v, want[i]);
        }
        WT_CHECK(bad == 0);
    } else {
        wt_expect_f32_atol(what, got, want, nc, 1e-4 * 8);
    }
    /* what the build fused: bias, residual and activation where the path takes a residual; only
     * the bias (and nothing after it) when the residual is made after the op */
    int packs = !strcmp(path, "packed") && !f16, fuses = !strcmp(path, "onednn") || !strcmp(path, "auto") || packs;
#ifndef WNN_HAVE_ONEDNN
    fuses = packs || (!strcmp(path, "auto") && !f16);
#endif
    unsigned want_fused = !fuses || !wnn_cpu_pass_on("WNN_CPU_FUSE") ? 0u
                          : c->residual == 2                          ? (unsigned)(c->bias != 0)
                                                                       : (unsigned)(c->bias != 0) + 1u + (c->act != 99);
    unsigned fused = fused_nodes();
    wt_checks++;
    if (fused != want_fused) {
        wt_failures++;
        fprintf(stderr, "%s: %u nodes fused, expected %u\n", what, fused, want_fused);
    }
    free(got), free(want), free(a), free(w), free(bias), free(r);
    if (f16) free(ab), free(bb), free(biasb), free(rb);
    if (c->gemm) free(as), free(ws), free(ah), free(wh);
}

int main(void) {
    static const Case cases[] = {
        {"matmul tall over a constant b, K 300, + bias + residual + relu", 3, 17, 300, 40, 1, 1, 0, 0, 0, 0},
        {"batched matmul, b an input, + residual (first) + gelu", 2, 13, 24, 20, 0, 0, 0, 5, 0, 1},
        {"matmul + bias + residual made before it, no activation", 1, 30, 64, 48, 1, 1, 0, 99, 1, 0},
        {"matmul + bias + residual made after it + tanh", 1, 9, 16, 24, 1, 1, 0, 3, 2, 0},
        {"gemm transposed + bias + residual + relu", 1, 25, 40, 36, 1, 1, 1, 0, 0, 0},
    };
    const char* paths[] = {"own", "onednn", "packed", "auto"};
    for (size_t p = 0; p < sizeof paths / sizeof *paths; p++)
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
            for (int f16 = 0; f16 < 2; f16++) run_case(&cases[i], paths[p], f16);
    unsetenv("WNN_CPU_MATMUL");
    return wt_summary("test_matmul_residual");
}
