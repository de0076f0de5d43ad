/* test_fusions.c: graphs shaped for the backends' fusions (conv2d + bias + each activation, matmul /
 * gemm + bias + relu and + each activation, convTranspose2d + bias + each activation, element-wise
 * chains with broadcast operands and repeated inputs, reshape chains), run on the test adapter
 * (WNN_TEST_ADAPTER; the CPU by default) and compared with the same graph on a CPU context. A fusion
 * that changes a result fails here: on a GPU adapter the CUDA executor's fusions; on the CPU (CI) the
 * CPU backend's own compile-time rewrites. */
#include <math.h>
#include <stdlib.h>

#include "core/core.h"
#include "wt.h"

typedef WNNOperand (*GraphFn)(WNNGraphBuilder b, WNNOperandDataType t, int variant);

static uint64_t g_seed = 7;

static WNNOperand constant(WNNGraphBuilder b, WNNOperandDataType t, uint32_t rank, const uint32_t* shape, double lo,
                           double hi) {
    size_t n = 1;
    for (uint32_t i = 0; i < rank; i++) n *= shape[i];
    float* v = malloc(n * sizeof(float));
    uint16_t* h = malloc(n * sizeof(uint16_t));
    for (size_t i = 0; i < n; i++) v[i] = (float)wt_rand(&g_seed, lo, hi);
    WNNOperand c;
    if (t == WNNOperandDataType_Float16) {
        for (size_t i = 0; i < n; i++) h[i] = wnn_double_to_half(v[i]);
        c = wt_constant(b, t, rank, shape, h);
    } else {
        c = wt_constant(b, t, rank, shape, v);
    }
    free(v);
    free(h);
    return c;
}

#define ACTIVATIONS 10 /* wt_activation's first ten */

/* conv2d (nchw or nhwc by variant's bit 4; 13 output channels, not 16, by bit 5) + bias + activation
 * (variant & 15). */
static WNNOperand conv_act(WNNGraphBuilder b, WNNOperandDataType t, int variant) {
    int nhwc = variant >> 4 & 1, cout = variant >> 5 ? 13 : 16; /* 13: not a multiple of 8 (the GPU may pad) */
    uint32_t xs[4] = {1, 8, 9, 10}, xsn[4] = {1, 9, 10, 8}, ws[4] = {cout, 8, 3, 3}, bs[1] = {cout};
    WNNOperand x = wt_input(b, "x", t, 4, nhwc ? xsn : xs);
    WNNOperand w = constant(b, t, 4, ws, -0.3, 0.3), bias = constant(b, t, 1, bs, -1, 1), y;
    WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
    uint32_t pad[4] = {1, 1, 0, 1};
    o.padding = pad;
    o.paddingCount = 4;
    o.bias = bias;
    o.inputLayout = nhwc ? WNNInputOperandLayout_Nhwc : WNNInputOperandLayout_Nchw;
    WT_OK(wnnGraphBuilderConv2d(b, x, w, &o, &y));
    return wt_activation(b, y, variant & 15);
}

/* matmul + add(bias row) + relu (variant 0), gemm with c = bias row + relu (1), gemm with c and
 * beta 0.5 (2), batched matmul + bias without relu (3). */
static WNNOperand matmul_bias(WNNGraphBuilder b, WNNOperandDataType t, int variant) {
    uint32_t xs[3] = {2, 24, 32}, ws[2] = {32, 40}, bs[1] = {40}, bs2[2] = {1, 40};
    WNNOperand y;
    if (variant == 0 || variant == 3) {
        WNNOperand x = wt_input(b, "x", t, 3, xs), w = constant(b, t, 2, ws, -0.5, 0.5);
        WNNOperand bias = constant(b, t, 1, bs, -1, 1), m;
        WT_OK(wnnGraphBuilderMatmul(b, x, w, NULL, &m));
        WT_OK(wnnGraphBuilderAdd(b, m, bias, NULL, &y));
        if (variant == 0) WT_OK(wnnGraphBuilderRelu(b, y, NULL, &y));
        return y;
    }
    uint32_t x2[2] = {24, 32};
    WNNOperand x = wt_input(b, "x", t, 2, x2), w = constant(b, t, 2, ws, -0.5, 0.5);
    WNNGemmOptions o = WNN_GEMM_OPTIONS_INIT;
    o.c = constant(b, t, 2, bs2, -1, 1);
    if (variant == 2) o.beta = wnnSomeDouble(0.5);
    WT_OK(wnnGraphBuilderGemm(b, x, w, &o, &y));
    if (variant == 1) WT_OK(wnnGraphBuilderRelu(b, y, NULL, &y));
    return y;
}

/* convTranspose2d (stride 2, nchw or nhwc by variant's bit 4, with a bias unless bit 5, padding
 * asymmetric unless bit 6) + each activation (variant & 15): on a GPU the activation joins the bias
 * kernel after cuDNN. */
static WNNOperand convt_act(WNNGraphBuilder b, WNNOperandDataType t, int variant) {
    int nhwc = variant >> 4 & 1, bias = !(variant >> 5 & 1), symmetric = variant >> 6 & 1;
    uint32_t xs[4] = {1, 8, 9, 10}, xsn[4] = {1, 9, 10, 8}, ws[4] = {8, 6, 3, 3}, bs[1] = {6};
    WNNOperand x = wt_input(b, "x", t, 4, nhwc ? xsn : xs), w = constant(b, t, 4, ws, -0.3, 0.3), y;
    WNNConvTranspose2dOptions o = WNN_CONV_TRANSPOSE2D_OPTIONS_INIT;
    uint32_t strides[2] = {2, 2}, pad[4] = {1, symmetric, 1, 1};
    o.strides = strides;
    o.stridesCount = 2;
    o.padding = pad;
    o.paddingCount = 4;
    if (bias) o.bias = constant(b, t, 1, bs, -1, 1);
    o.inputLayout = nhwc ? WNNInputOperandLayout_Nhwc : WNNInputOperandLayout_Nchw;
    WT_OK(wnnGraphBuilderConvTranspose2d(b, x, w, &o, &y));
    return wt_activation(b, y, variant & 15);
}

/* matmul / gemm + each activation (variant & 15), shaped by variant >> 4: batched matmul + bias
 * row (0), matmul alone (1), gemm with both transposes and c a bias row (2), gemm with alpha 0.5
 * and c a bias row (3). On a GPU: a cuDNN graph or cuBLASLt + our activation kernel. */
static WNNOperand matmul_act(WNNGraphBuilder b, WNNOperandDataType t, int variant) {
    int shape = variant >> 4;
    uint32_t xs[3] = {2, 24, 32}, xt[2] = {32, 24}, x2[2] = {24, 32}, ws[2] = {32, 40}, wt[2] = {40, 32};
    uint32_t bs[1] = {40}, bs2[2] = {1, 40};
    WNNOperand y;
    if (shape < 2) {
        WNNOperand x = wt_input(b, "x", t, 3, xs), w = constant(b, t, 2, ws, -0.5, 0.5);
        WT_OK(wnnGraphBuilderMatmul(b, x, w, NULL, &y));
        if (shape == 0) WT_OK(wnnGraphBuilderAdd(b, y, constant(b, t, 1, bs, -1, 1), NULL, &y));
    } else {
        WNNOperand x = wt_input(b, "x", t, 2, shape == 2 ? xt : x2), w = constant(b, t, 2, shape == 2 ? wt : ws, -0.5, 0.5);
        WNNGemmOptions o = WNN_GEMM_OPTIONS_INIT;
        o.c = constant(b, t, 2, bs2, -1, 1);
        o.aTranspose = o.bTranspose = shape == 2;
        if (shape == 3) o.alpha = wnnSomeDouble(0.5);
        WT_OK(wnnGraphBuilderGemm(b, x, w, &o, &y));
    }
    return wt_activation(b, y, variant & 15);
}

/* Element-wise chains: ((x + c[1,C,1,1]) * x) -> relu -> sigmoid -> sub scalar -> max(., y) ...,
 * long enough to exceed one fused kernel's op and input limits. */
static WNNOperand eltwise_chain(WNNGraphBuilder b, WNNOperandDataType t, int variant) {
    uint32_t xs[4] = {2, 6, 5, 7}, cs[4] = {1, 6, 1, 1}, ss[1] = {7};
    WNNOperand x = wt_input(b, "x", t, 4, xs), y = wt_input(b, "y", t, 4, xs), v = x, s;
    int length = 4 + variant * 6;
    for (int i = 0; i < length; i++) {
        switch (i % 6) {
            case 0: WT_OK(wnnGraphBuilderAdd(b, v, constant(b, t, 4, cs, -1, 1), NULL, &v)); break;
            case 1: WT_OK(wnnGraphBuilderMul(b, v, v, NULL, &v)); break; /* the running value twice */
            case 2: WT_OK(wnnGraphBuilderSigmoid(b, v, NULL, &v)); break;
            case 3: WT_OK(wnnGraphBuilderMax(b, y, v, NULL, &v)); break; /* running value on the right */
            case 4: WT_OK(wnnGraphBuilderSub(b, constant(b, t, 1, ss, -1, 1), v, NULL, &v)); break;
            default: WT_OK(wnnGraphBuilderTanh(b, v, NULL, &v)); break;
        }
    }
    /* A reshape chain at the end: aliases on a GPU. */
    uint32_t r1[2] = {12, 35}, r2[3] = {2, 6, 35};
    WT_OK(wnnGraphBuilderReshape(b, v, r1, 2, NULL, &s));
    WT_OK(wnnGraphBuilderReshape(b, s, r2, 3, NULL, &s));
    return s;
}

static size_t esize(WNNOperandDataType t) { return t == WNNOperandDataType_Float16 ? 2 : 4; }

/* Builds the graph on ctx and runs it with the given input bytes; output into out (malloc'd). */
static WNNStatus run_on(WNNContext ctx, GraphFn fn, WNNOperandDataType t, int variant, void* const* inputs,
                        const char* const* names, size_t nin, void** out, size_t* outBytes) {
    WNNGraphBuilder b = NULL;
    WT_OK(wnnCreateGraphBuilder(ctx, &b));
    uint64_t seed = g_seed; /* both contexts get the same constants */
    WNNOperand y = fn(b, t, variant);
    g_seed = seed;
    uint32_t shape[WNN_MAX_RANK], rank = wnnOperandGetRank(y);
    wnnOperandGetShape(y, shape);
    size_t n = esize(t);
    for (uint32_t i = 0; i < rank; i++) n *= shape[i];
    *out = malloc(n);
    *outBytes = n;
    WtFeed feeds[2];
    for (size_t i = 0; i < nin; i++) feeds[i] = (WtFeed){names[i], inputs[i]};
    WNNNamedOperand named = {"out", y};
    WNNStatus s = wt_run(ctx, b, feeds, nin, &named, 1, out);
    wnnGraphBuilderRelease(b);
    return s;
}

static double value(const void* p, size_t i, WNNOperandDataType t) {
    return t == WNNOperandDataType_Float16 ? wnn_half_to_float(((const uint16_t*)p)[i]) : ((const float*)p)[i];
}

static void compare(const char* what, GraphFn fn, WNNOperandDataType t, int variant, size_t inCount, size_t nin) {
    static WNNContext cpu;
    if (!cpu) {
        WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
        o.adapterIndex = wnnSomeUint32(0);
        WT_OK(wnnCreateContext(&o, &cpu));
    }
    const char* names[2] = {"x", "y"};
    void* inputs[2];
    for (size_t k = 0; k < nin; k++) {
        inputs[k] = malloc(inCount * esize(t));
        for (size_t i = 0; i < inCount; i++) {
            float v = (float)wt_rand(&g_seed, -2, 2);
            if (t == WNNOperandDataType_Float16) ((uint16_t*)inputs[k])[i] = wnn_double_to_half(v);
            else ((float*)inputs[k])[i] = v;
        }
    }
    void *got = NULL, *want = NULL;
    size_t gotBytes = 0, wantBytes = 0;
    uint64_t seed = g_seed;
    WT_OK(run_on(wt_cpu(), fn, t, variant, inputs, names, nin, &got, &gotBytes));
    g_seed = seed;
    WT_OK(run_on(cpu, fn, t, variant, inputs, names, nin, &want, &wantBytes));
    WT_CHECK(gotBytes == wantBytes);
    /* float32: the order of a conv's or matmul's sums may differ; float16: one rounding per op. */
    double tol = t == WNNOperandDataType_Float16 ? 2e-2 : 1e-4;
    size_t bad = 0;
    for (size_t i = 0; i < gotBytes / esize(t); i++) {
        double g = value(got, i, t), w = value(want, i, t);
        if (!(fabs(g - w) <= tol * (1 + fabs(w)))) bad++;
    }
    wt_checks++;
    if (bad) {
        wt_failures++;
        fprintf(stderr, "%s (%s, variant %d): %zu of %zu values differ from the CPU's\n", what,
                t == WNNOperandDataType_Float16 ? "float16" : "float32", variant, bad, gotBytes / esize(t));
    }
    free(got);
    free(want);
    for (size_t k = 0; k < nin; k++) free(inputs[k]);
}

int main(void) {
    const WNNOperandDataType types[2] = {WNNOperandDataType_Float32, WNNOperandDataType_Float16};
    for (int ti = 0; ti < 2; ti++) {
        for (int layout = 0; layout < 4; layout++) /* nchw, nhwc; with 16 and 13 output channels */
            for (int a = 0; a < ACTIVATIONS; a++) compare("conv2d + bias + activation", conv_act, types[ti], layout << 4 | a, 720, 1);
        for (int v = 0; v < 4; v++) compare("matmul / gemm + bias", matmul_bias, types[ti], v, v == 0 || v == 3 ? 1536 : 768, 1);
        for (int v = 0; v < 8; v++) /* nchw, nhwc; with a bias, without; asymmetric or symmetric padding */
            for (int a = 0; a < ACTIVATIONS; a++) compare("convTranspose2d + activation", convt_act, types[ti], v << 4 | a, 720, 1);
        for (int shape = 0; shape < 4; shape++)
            for (int a = 0; a < ACTIVATIONS; a++)
                compare("matmul / gemm + activation", matmul_act, types[ti], shape << 4 | a, shape < 2 ? 1536 : 768, 1);
        for (int v = 0; v < 3; v++) compare("element-wise chain", eltwise_chain, types[ti], v, 420, 2);
    }
    return wt_summary("test_fusions");
}
