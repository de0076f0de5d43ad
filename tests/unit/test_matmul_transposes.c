/* test_matmul_transposes.c: transposes around a matmul, which the CPU build folds into oneDNN's
 * strided views of the operands (cpu_fuse.h, wnn_cpu_fuse_transposes): attention's q / k / v
 * transposes and its context transpose, 2-D and batch-broadcast shapes, a bias and relu between the
 * matmul and its output transpose, and the cases that must not fold (a transpose that is also a
 * graph output, an output transpose after a residual add). Each matmul path is forced (WNN_CPU_MATMUL
 * = own | onednn | packed | auto), float32 and float16; every result is checked against a float64
 * reference, and the number of nodes the build absorbed against what that path can take. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_passes.h"
#include "core/core.h"
#include "wt.h"

static uint64_t g_seed = 41;

#define R 4 /* the largest rank here (wt_permute_f64 takes up to WT_MAX_RANK) */

typedef struct Case {
    const char* name;
    uint32_t rank;
    uint32_t a[R], b[R];                /* the inputs' shapes (b: rank `rank` too, batch 1 broadcasts) */
    int permA, permB, permOut;          /* whether each is transposed */
    uint32_t pa[R], pb[R], po[R];       /* the permutations */
    int bias, relu, residual;           /* after the matmul, before its output transpose */
    int aAlsoOutput;                    /* a's transpose is a graph output too: not folded */
} Case;

/* n values in [lo, hi) as doubles (rounded to float16 when f16) and the graph's bytes. */
static double* values(size_t n, double lo, double hi, int f16, void** bytes) {
    double* v = malloc(sizeof(double) * n);
    float* f = malloc(sizeof(float) * n);
    uint16_t* h = malloc(sizeof(uint16_t) * n);
    for (size_t i = 0; i < n; i++) {
        f[i] = (float)wt_rand(&g_seed, lo, hi);
        h[i] = wt_f2h(f[i]);
        v[i] = f16 ? wt_h2f(h[i]) : f[i];
    }
    if (f16) free(f), *bytes = h;
    else free(h), *bytes = f;
    return v;
}

static void run_case(const Case* c, const char* path, int f16) {
    const uint32_t r = c->rank;
    static const uint32_t ident[R] = {0, 1, 2, 3};
    const uint32_t *pa = c->permA ? c->pa : ident, *pb = c->permB ? c->pb : ident, *po = c->permOut ? c->po : ident;
    uint32_t at[R], bt[R], cs[R], os[R];
    size_t na = wt_numel(c->a, r), nb = wt_numel(c->b, r);
    void *ab, *bb, *biasb, *resb;
    double* a = values(na, -1, 1, f16, &ab);
    double* bv = values(nb, -1, 1, f16, &bb);
    double *ta = malloc(sizeof(double) * na), *tb = malloc(sizeof(double) * nb);
    wt_permute_f64(a, c->a, r, pa, ta, at);
    wt_permute_f64(bv, c->b, r, pb, tb, bt);
    for (uint32_t d = 0; d < r; d++) cs[d] = d + 2 < r ? at[d] : d == r - 2 ? at[d] : bt[d];
    size_t nc = wt_numel(cs, r);
    double *mm = malloc(sizeof(double) * nc), *want = malloc(sizeof(double) * nc);
    double* bias = values(cs[r - 1], -1, 1, f16, &biasb);
    double* res = values(nc, -1, 1, f16, &resb);
    wt_matmul_f64(ta, at, tb, bt, r, mm);
    for (size_t i = 0; i < nc; i++) {
        double v = mm[i] + (c->bias ? bias[i % cs[r - 1]] : 0) + (c->residual ? res[i] : 0);
        mm[i] = c->relu && v < 0 ? 0 : v;
    }
    wt_permute_f64(mm, cs, r, po, want, os);

    setenv("WNN_CPU_MATMUL", path, 1);
    WNNOperandDataType t = f16 ? WNNOperandDataType_Float16 : WNNOperandDataType_Float32;
    WNNGraphBuilder b = wt_builder();
    WNNOperand x = wt_input(b, "a", t, r, c->a), w = wt_input(b, "b", t, r, c->b), y;
    WNNOperand xt = c->permA ? wt_transpose(b, x, pa, r) : x, wt_ = c->permB ? wt_transpose(b, w, pb, r) : w;
    WT_OK(wnnGraphBuilderMatmul(b, xt, wt_, NULL, &y));
    if (c->bias) WT_OK(wnnGraphBuilderAdd(b, y, wt_constant(b, t, 1, &cs[r - 1], biasb), NULL, &y));
    if (c->residual) WT_OK(wnnGraphBuilderAdd(b, y, wt_input(b, "r", t, r, cs), NULL, &y));
    if (c->relu) WT_OK(wnnGraphBuilderRelu(b, y, NULL, &y));
    if (c->permOut) y = wt_transpose(b, y, po, r);
    WNNNamedOperand outs[2] = {{"y", y}, {"at", xt}};
    WtFeed feeds[3] = {{"a", ab}, {"b", bb}, {"r", resb}};
    size_t esz = f16 ? 2 : 4;
    void* got[2] = {malloc(esz * nc), malloc(esz * na)};
    WT_OK(wt_run(wt_cpu(), b, feeds, c->residual ? 3 : 2, outs, c->aAlsoOutput ? 2 : 1, got));
    wnnGraphBuilderRelease(b);

    char what[160];
    snprintf(what, sizeof what, "%s (%s, %s)", c->name, path, f16 ? "float16" : "float32");
    if (f16) {
        size_t bad = 0;
        for (size_t i = 0; i < nc; i++) {
            double v = wt_h2f(((uint16_t*)got[0])[i]);
            if (!(fabs(v - want[i]) <= 2e-2 * (1 + fabs(want[i]))) && bad++ < 3)
                fprintf(stderr, "%s: [%zu] got %.6g want %.6g\n", what, i, v, want[i]);
        }
        wt_checks++;
        if (bad) wt_failures++;
    } else {
        wt_expect_f32_atol(what, got[0], want, nc, 1e-5 * at[r - 1]);
        if (c->aAlsoOutput) wt_expect_f32_atol(what, got[1], ta, na, 0);
    }
    /* What the build absorbed: the chain where the path fuses one (test_matmul_residual.c), and the
     * float32 transposes on oneDNN's path only (none after a residual, none also a graph output). */
    int onednn = !strcmp(path, "onednn") || !strcmp(path, "auto");
#ifndef WNN_HAVE_ONEDNN
    onednn = 0;
#endif
    /* (auto without oneDNN picks the packed GEMM) */
    int chainPath = onednn || ((!strcmp(path, "packed") || !strcmp(path, "auto")) && !f16);
    unsigned chain = (unsigned)(c->bias + c->residual + c->relu);
    unsigned views = (unsigned)((c->permA && !c->aAlsoOutput) + c->permB + (c->permOut && !c->residual));
    unsigned expect = !wnn_cpu_pass_on("WNN_CPU_FUSE") ? 0u : (chainPath ? chain : 0u) + (onednn && !f16 ? views : 0u);
    WnnCpuPassStats s;
    wnn_cpu_last_stats(&s);
    wt_checks++;
    if (s.fused != expect) {
        wt_failures++;
        fprintf(stderr, "%s: %u nodes fused, expected %u\n", what, s.fused, expect);
    }
    free(got[0]), free(got[1]), free(a), free(bv), free(ta), free(tb), free(mm), free(want), free(bias), free(res);
    free(ab), free(bb), free(biasb), free(resb);
}

int main(void) {
    static const Case cases[] = {
        {"attention scores: q (0 2 1 3) x k (0 2 3 1)", 4, {1, 6, 3, 8}, {1, 5, 3, 8}, 1, 1, 0,
         {0, 2, 1, 3}, {0, 2, 3, 1}, {0}, 0, 0, 0, 0},
        {"attention context: p x v (0 2 1 3), out (0 2 1 3)", 4, {1, 3, 6, 5}, {1, 5, 3, 8}, 0, 1, 1,
         {0}, {0, 2, 1, 3}, {0, 2, 1, 3}, 0, 0, 0, 0},
        {"2-D: a^T x b + bias -> relu, out transposed", 2, {24, 16}, {24, 20}, 1, 0, 1, {1, 0}, {0}, {1, 0}, 1, 1, 0, 0},
        {"batch 2 over a broadcast b, both transposed, out (2 0 1)", 3, {2, 7, 9}, {1, 11, 7}, 1, 1, 1,
         {0, 2, 1}, {0, 2, 1}, {2, 0, 1}, 0, 0, 0, 0},
        {"a's transpose also a graph output", 3, {2, 7, 9}, {2, 7, 5}, 1, 0, 0, {0, 2, 1}, {0}, {0}, 0, 0, 0, 1},
        {"residual then an output transpose (not folded)", 3, {2, 6, 9}, {2, 9, 4}, 0, 0, 1, {0}, {0}, {2, 1, 0}, 1, 0, 1, 0},
    };
    const char* paths[] = {"own", "onednn", "packed", "auto"};
    for (size_t p = 0; p < sizeof paths / sizeof *paths; p++)
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
            for (int f16 = 0; f16 < 2; f16++) run_case(&cases[i], paths[p], f16);
    unsetenv("WNN_CPU_MATMUL");
    return wt_summary("test_matmul_transposes");
}
