/* interop.c: `wnn-bench interop` — conv2d [1,100,100,100] NHWC, 3x3 HWIO 100->100, padding 1, then
 * bias add and relu, four ways (DESIGN.md section 1):
 *   test 1  all in the app's own CUDA kernels (a plain direct conv, then add+relu);
 *   test 2  WebNN conv2d, read to host memory (pinned), written back to the device, app add+relu;
 *   test 3  WebNN conv2d exported to the app's add+relu (no copy), which writes an exported tensor;
 *   test 4  WebNN conv2d + bias + relu in one graph (fused).
 * Each also chained twice (x2: the second conv reads the first pipeline's output). Per test: median
 * and p10/p90 of the wall time per iteration, ending when the result is complete on the device, and
 * again ending with the result read to host memory. Two stream setups: the context on its own stream
 * (export and return order streams with events) and the context on the app's stream.
 * Every pipeline's output is checked: with the seed's constants against 0.19 / 0.16 / 0.14, and with
 * random data against the CPU backend.
 * With --consumer-device N the app's code runs on GPU N and WebNN on GPU 0: exports go across
 * devices (in place with peer access, else through copies).
 *   wnn-bench interop [--iterations N] [--warmup N] [--dtype float32|float16] [--json FILE]
 *                     [--consumer-device N] */
#include <cuda_runtime_api.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_kernels.h"
#include "core/core.h"
#include "interop.h"
#include "tool_util.h"
#include "webnn/webnn_cuda.h"

enum { H = 100, W = 100, C = 100, K = 100, R = 3, PAD = 1, TESTS = 4 };
#define X_COUNT ((size_t)H * W * C)
#define W_COUNT ((size_t)R * R * C * K)
#define Y_COUNT ((size_t)H * W * K)

typedef struct Data { /* float values of x (NHWC), w (HWIO), bias */
    float *x, *w, *b;
    int seed; /* the seed's constants (0.01, 0.01, 0.1) rather than random values */
} Data;

/* Everything one (dtype, stream setup, data) combination needs. */
typedef struct Rig {
    int dtype; /* 0 float32, 1 float16 */
    size_t esize;
    int appStream; /* the context runs on the app's stream */
    int device;    /* the app's CUDA device */
    cudaStream_t s;
    WNNContext ctx;
    WNNGraph conv, fused;
    WNNTensor tx, t[4]; /* input; intermediates and outputs */
    void *dx, *dw, *db, *dy, *dz, *dy2, *dz2; /* the app's device buffers */
    void* pinned;                             /* host staging of test 2 and every final read */
} Rig;

#define TRY(cond, ...)                                      \
    do {                                                    \
        if (!(cond)) {                                      \
            fprintf(stderr, "wnn-bench interop: " __VA_ARGS__); \
            fprintf(stderr, "\n");                          \
            return -1;                                      \
        }                                                   \
    } while (0)
#define WNN(call) TRY((call) == WNNStatus_Success, "%s: %s", #call, wnnGetLastErrorMessage())
#define CU(call) TRY((call) == 0, "%s failed: %s", #call, cudaGetErrorString(cudaGetLastError()))

static void data_make(Data* d, int seed) {
    d->x = malloc(X_COUNT * sizeof(float));
    d->w = malloc(W_COUNT * sizeof(float));
    d->b = malloc(K * sizeof(float));
    d->seed = seed;
    uint64_t state = 42;
    float* parts[3] = {d->x, d->w, d->b};
    size_t counts[3] = {X_COUNT, W_COUNT, K};
    float constants[3] = {0.01f, 0.01f, 0.1f}, scale[3] = {1.0f, 0.05f, 0.5f};
    for (int p = 0; p < 3; p++)
        for (size_t i = 0; i < counts[p]; i++) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            double u = (double)(state >> 11) / 9007199254740992.0 * 2.0 - 1.0;
            parts[p][i] = seed ? constants[p] : (float)(u * scale[p]);
        }
}

static void data_free(Data* d) {
    free(d->x);
    free(d->w);
    free(d->b);
}

/* The values in the rig's data type (float16 rounds once). */
static void* typed(const float* v, size_t n, int dtype) {
    if (!dtype) {
        float* out = malloc(n * sizeof(float));
        memcpy(out, v, n * sizeof(float));
        return out;
    }
    uint16_t* out = malloc(n * sizeof(uint16_t));
    for (size_t i = 0; i < n; i++) out[i] = wnn_double_to_half(v[i]);
    return out;
}

static float value_at(const void* p, size_t i, int dtype) {
    return dtype ? wnn_half_to_float(((const uint16_t*)p)[i]) : ((const float*)p)[i];
}

/* conv2d(x, w[, bias]) [-> relu] as a graph with constant filter and bias. */
static int build_conv(WNNContext ctx, const Data* d, int dtype, int fused, WNNGraph* out) {
    WNNOperandDataType t = dtype ? WNNOperandDataType_Float16 : WNNOperandDataType_Float32;
    size_t es = dtype ? 2 : 4;
    uint32_t xs[4] = {1, H, W, C}, ws[4] = {R, R, C, K}, bs[1] = {K};
    WNNGraphBuilder b = NULL;
    WNN(wnnCreateGraphBuilder(ctx, &b));
    WNNOperandDescriptor xd = {t, xs, 4}, wd = {t, ws, 4}, bd = {t, bs, 1};
    WNNOperand x, w, bias = NULL, y;
    void* wv = typed(d->w, W_COUNT, dtype);
    void* bv = typed(d->b, K, dtype);
    WNN(wnnGraphBuilderInput(b, "x", &xd, &x));
    WNN(wnnGraphBuilderConstant(b, &wd, wv, W_COUNT * es, &w));
    if (fused) WNN(wnnGraphBuilderConstant(b, &bd, bv, K * es, &bias));
    free(wv);
    free(bv);
    WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
    uint32_t pad[4] = {PAD, PAD, PAD, PAD};
    o.padding = pad;
    o.paddingCount = 4;
    o.inputLayout = WNNInputOperandLayout_Nhwc;
    o.filterLayout = WNNConv2dFilterOperandLayout_Hwio;
    o.bias = bias;
    WNN(wnnGraphBuilderConv2d(b, x, w, &o, &y));
    if (fused) WNN(wnnGraphBuilderRelu(b, y, NULL, &y));
    WNNNamedOperand named = {"y", y};
    WNN(wnnGraphBuilderBuild(b, &named, 1, out));
    wnnGraphBuilderRelease(b);
    return 0;
}

static int rig_open(Rig* g, int dtype, int appStream, const Data* d, uint32_t adapter, int device) {
    memset(g, 0, sizeof *g);
    g->dtype = dtype;
    g->esize = dtype ? 2 : 4;
    g->appStream = appStream;
    g->device = device;
    CU(cudaSetDevice(device));
    CU(cudaStreamCreateWithFlags(&g->s, cudaStreamNonBlocking));
    if (appStream) {
        WNN(wnnCreateContextOnCudaStream(0, g->s, NULL, &g->ctx));
    } else {
        WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
        o.adapterIndex = wnnSomeUint32(adapter);
        WNN(wnnCreateContext(&o, &g->ctx));
    }
    if (build_conv(g->ctx, d, dtype, 0, &g->conv) || build_conv(g->ctx, d, dtype, 1, &g->fused)) return -1;
    uint32_t shape[4] = {1, H, W, C};
    WNNTensorDescriptor td = {dtype ? WNNOperandDataType_Float16 : WNNOperandDataType_Float32, shape, 4, true, true, true};
    WNN(wnnContextCreateTensor(g->ctx, &td, &g->tx));
    for (int i = 0; i < 4; i++) WNN(wnnContextCreateTensor(g->ctx, &td, &g->t[i]));
    void* xv = typed(d->x, X_COUNT, dtype);
    WNN(wnnContextWriteTensor(g->ctx, g->tx, xv, X_COUNT * g->esize));
    CU(cudaSetDevice(device));
    void** bufs[7] = {&g->dx, &g->dw, &g->db, &g->dy, &g->dz, &g->dy2, &g->dz2};
    size_t counts[7] = {X_COUNT, W_COUNT, K, Y_COUNT, Y_COUNT, Y_COUNT, Y_COUNT};
    for (int i = 0; i < 7; i++) CU(cudaMalloc(bufs[i], counts[i] * g->esize));
    void* wv = typed(d->w, W_COUNT, dtype);
    void* bv = typed(d->b, K, dtype);
    CU(cudaMemcpy(g->dx, xv, X_COUNT * g->esize, cudaMemcpyHostToDevice));
    CU(cudaMemcpy(g->dw, wv, W_COUNT * g->esize, cudaMemcpyHostToDevice));
    CU(cudaMemcpy(g->db, bv, K * g->esize, cudaMemcpyHostToDevice));
    free(xv);
    free(wv);
    free(bv);
    CU(cudaMallocHost(&g->pinned, Y_COUNT * g->esize));
    return 0;
}

static void rig_close(Rig* g) {
    cudaSetDevice(g->device);
    void* bufs[7] = {g->dx, g->dw, g->db, g->dy, g->dz, g->dy2, g->dz2};
    for (int i = 0; i < 7; i++) cudaFree(bufs[i]);
    cudaFreeHost(g->pinned);
    wnnTensorRelease(g->tx);
    for (int i = 0; i < 4; i++) wnnTensorRelease(g->t[i]);
    wnnGraphRelease(g->conv);
    wnnGraphRelease(g->fused);
    wnnContextRelease(g->ctx);
    cudaStreamDestroy(g->s);
}

static int dispatch(Rig* g, WNNGraph graph, WNNTensor in, WNNTensor out) {
    WNNNamedTensor i = {"x", in}, o = {"y", out};
    WNN(wnnContextDispatch(g->ctx, graph, &i, 1, &o, 1));
    return 0;
}

/* The app's add+relu from WebNN tensor `in` into WebNN tensor `out`, both rented for the call. */
static int rented_add_relu(Rig* g, WNNTensor in, WNNTensor out) {
    WNNCudaConsumer consumer = {g->device, g->s};
    WNNCudaExportedTensor ei, eo;
    WNNCudaExportInfo ii, io;
    WNN(wnnContextExportToCuda(g->ctx, in, &consumer, &ei, &ii));
    WNN(wnnContextExportToCuda(g->ctx, out, &consumer, &eo, &io));
    CU(cudaSetDevice(g->device));
    CU(app_add_relu(g->dtype, ii.devicePointer, g->db, K, io.devicePointer, (int64_t)Y_COUNT, g->s));
    WNN(wnnCudaExportedTensorReturn(ei, g->s));
    WNN(wnnCudaExportedTensorReturn(eo, g->s));
    return 0;
}

/* Waits until WebNN tensor t is complete on the device (without reading it): on the app's stream
 * that is the stream; otherwise a rent to the app's stream orders it there. */
static int wait_tensor(Rig* g, WNNTensor t) {
    if (!g->appStream) {
        WNNCudaConsumer consumer = {g->device, g->s};
        WNNCudaExportedTensor e;
        WNNCudaExportInfo info;
        WNN(wnnContextExportToCuda(g->ctx, t, &consumer, &e, &info));
        WNN(wnnCudaExportedTensorReturn(e, g->s));
    }
    CU(cudaStreamSynchronize(g->s));
    return 0;
}

/* One iteration of `test` with `chain` stages; `read` ends with the result in g->pinned. */
static int run_pipeline(Rig* g, int test, int chain, int read) {
    size_t bytes = Y_COUNT * g->esize;
    CU(cudaSetDevice(g->device)); /* the app's kernels and copies run on its device */
    switch (test) {
        case 1: {
            void* in = g->dx;
            void* outs[2][2] = {{g->dy, g->dz}, {g->dy2, g->dz2}};
            for (int c = 0; c < chain; c++) {
                CU(app_conv2d_nhwc(g->dtype, in, g->dw, outs[c][0], 1, H, W, C, K, R, R, PAD, g->s));
                CU(app_add_relu(g->dtype, outs[c][0], g->db, K, outs[c][1], (int64_t)Y_COUNT, g->s));
                in = outs[c][1];
            }
            if (read) CU(cudaMemcpyAsync(g->pinned, in, bytes, cudaMemcpyDeviceToHost, g->s));
            CU(cudaStreamSynchronize(g->s));
            return 0;
        }
        case 2: {
            WNNTensor in = g->tx;
            void* outs[2][2] = {{g->dy, g->dz}, {g->dy2, g->dz2}};
            for (int c = 0; c < chain; c++) {
                if (c) { /* the app's result goes back into WebNN through the host too */
                    CU(cudaMemcpyAsync(g->pinned, outs[c - 1][1], bytes, cudaMemcpyDeviceToHost, g->s));
                    CU(cudaStreamSynchronize(g->s));
                    WNN(wnnContextWriteTensor(g->ctx, g->t[1], g->pinned, bytes));
                    in = g->t[1];
                }
                if (dispatch(g, g->conv, in, g->t[0])) return -1;
                WNN(wnnContextReadTensor(g->ctx, g->t[0], g->pinned, bytes));
                CU(cudaSetDevice(g->device));
                CU(cudaMemcpyAsync(outs[c][0], g->pinned, bytes, cudaMemcpyHostToDevice, g->s));
                CU(app_add_relu(g->dtype, outs[c][0], g->db, K, outs[c][1], (int64_t)Y_COUNT, g->s));
            }
            if (read) CU(cudaMemcpyAsync(g->pinned, outs[chain - 1][1], bytes, cudaMemcpyDeviceToHost, g->s));
            CU(cudaStreamSynchronize(g->s));
            return 0;
        }
        case 3: {
            WNNTensor in = g->tx;
            for (int c = 0; c < chain; c++) {
                if (dispatch(g, g->conv, in, g->t[2 * c]) || rented_add_relu(g, g->t[2 * c], g->t[2 * c + 1]))
                    return -1;
                in = g->t[2 * c + 1];
            }
            if (read) WNN(wnnContextReadTensor(g->ctx, in, g->pinned, bytes));
            else CU(cudaStreamSynchronize(g->s));
            return 0;
        }
        default: {
            WNNTensor in = g->tx;
            for (int c = 0; c < chain; c++) {
                if (dispatch(g, g->fused, in, g->t[2 * c + 1])) return -1;
                in = g->t[2 * c + 1];
            }
            if (read) WNN(wnnContextReadTensor(g->ctx, in, g->pinned, bytes));
            else if (wait_tensor(g, in)) return -1;
            return 0;
        }
    }
}

/* y = relu(conv(x) + b) on the host in double, from the rig's (rounded) values; in may alias no one. */
static void reference_stage(const float* x, const float* w, const float* b, float* y) {
    for (int oy = 0; oy < H; oy++)
        for (int ox = 0; ox < W; ox++)
            for (int k = 0; k < K; k++) {
                double acc = b[k];
                for (int dy = 0; dy < R; dy++)
                    for (int dx = 0; dx < R; dx++) {
                        int iy = oy + dy - PAD, ix = ox + dx - PAD;
                        if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                        const float* xp = x + ((size_t)iy * W + ix) * C;
                        const float* wp = w + ((size_t)dy * R + dx) * C * K + k;
                        for (int c = 0; c < C; c++) acc += (double)xp[c] * wp[(size_t)c * K];
                    }
                y[((size_t)oy * W + ox) * K + k] = acc > 0 ? (float)acc : 0.0f;
            }
}

/* The values as the rig's type holds them. */
static float* rounded(const float* v, size_t n, int dtype) {
    float* out = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) out[i] = dtype ? wnn_half_to_float(wnn_double_to_half(v[i])) : v[i];
    return out;
}

/* Largest error of the pipeline's output (in g->pinned) against the float64 reference, relative
 * to 1 + |reference|; for the seed's constants also checks the 0.19 / 0.16 / 0.14 pattern. */
static double check_output(const Rig* g, const Data* d, int chain, const float* ref1, const float* ref2,
                           int* patternOk) {
    const float* ref = chain == 1 ? ref1 : ref2;
    double worst = 0;
    *patternOk = 1;
    for (size_t i = 0; i < Y_COUNT; i++) {
        double v = value_at(g->pinned, i, g->dtype), e = fabs(v - ref[i]) / (1.0 + fabs(ref[i]));
        if (!(e <= worst)) worst = e; /* NaN counts as the worst */
        if (d->seed && chain == 1) {
            size_t p = i / K;
            int oy = (int)(p / W), ox = (int)(p % W);
            int rows = 3 - (oy == 0) - (oy == H - 1), cols = 3 - (ox == 0) - (ox == W - 1);
            double pattern = 0.1 + 0.01 * rows * cols; /* 0.19 inside, 0.16 edges, 0.14 corners */
            if (fabs(v - pattern) > (g->dtype ? 2e-3 : 1e-5)) *patternOk = 0;
        }
    }
    return worst;
}

typedef struct Series {
    double median, p10, p90;
} Series;

static int time_series(Rig* g, int test, int chain, int read, int warmup, int iterations, Series* out) {
    double* t = malloc(sizeof(double) * (size_t)iterations);
    for (int i = 0; i < warmup; i++)
        if (run_pipeline(g, test, chain, read)) return free(t), -1;
    for (int i = 0; i < iterations; i++) {
        double start = wtu_now_ms();
        if (run_pipeline(g, test, chain, read)) return free(t), -1;
        t[i] = wtu_now_ms() - start;
    }
    wtu_sort(t, iterations);
    out->median = t[iterations / 2];
    out->p10 = t[iterations / 10];
    out->p90 = t[iterations * 9 / 10];
    free(t);
    return 0;
}

static uint32_t gpu_adapter(void) {
    for (uint32_t i = 0; i < wnnGetAdapterCount(); i++) {
        WNNAdapterInfo a;
        if (wnnGetAdapterInfo(i, &a) == WNNStatus_Success && a.kind == WNNAdapterKind_Gpu && a.available) return i;
    }
    return UINT32_MAX;
}

/* Times and checks one dtype; appends rows to the JSON array. Returns the number of failed checks,
 * or -1 on an error. */
static int run_dtype(int dtype, uint32_t adapter, int device, int warmup, int iterations, FILE* json, int* first) {
    const char* name = dtype ? "float16" : "float32";
    int failures = 0;
    Data data[2];
    data_make(&data[0], 1);
    data_make(&data[1], 0);
    /* float64 references of one and two stages for both data sets, from the rounded values. */
    float* refs[2][2];
    for (int s = 0; s < 2; s++) {
        float *x = rounded(data[s].x, X_COUNT, dtype), *w = rounded(data[s].w, W_COUNT, dtype),
              *b = rounded(data[s].b, K, dtype);
        refs[s][0] = malloc(Y_COUNT * sizeof(float));
        refs[s][1] = malloc(Y_COUNT * sizeof(float));
        reference_stage(x, w, b, refs[s][0]);
        float* mid = rounded(refs[s][0], Y_COUNT, dtype); /* the stage output as stored */
        reference_stage(mid, w, b, refs[s][1]);
        free(mid);
        free(x);
        free(w);
        free(b);
    }
    double tolerance = dtype ? 2e-2 : 1e-4;
    printf("\n%s: median ms per iteration [p10-p90]; 'device' ends when the result is complete on the GPU,\n"
           "'+read' ends with it in host memory\n", name);
    printf("%-8s %-5s %-5s %26s %26s  %-10s %s\n", "stream", "test", "chain", "device", "+read", "max err", "check");
    for (int appStream = 0; appStream < (device ? 1 : 2); appStream++) { /* a context on the app's stream is on its GPU */
        Series res[TESTS + 1][3][2];
        for (int s = 1; s >= 0; s--) { /* random data: values only; then the seed's constants: values and times */
            Rig g;
            if (rig_open(&g, dtype, appStream, &data[s], adapter, device)) return -1;
            for (int test = 1; test <= TESTS; test++)
                for (int chain = 1; chain <= 2; chain++) {
                    if (run_pipeline(&g, test, chain, 1)) return -1;
                    int patternOk;
                    double err = check_output(&g, &data[s], chain, refs[s][0], refs[s][1], &patternOk);
                    int ok = err <= tolerance && patternOk;
                    failures += !ok;
                    if (s == 1) {
                        if (!ok) printf("  random data, test %d x%d: max error %.2e FAILED\n", test, chain, err);
                        continue;
                    }
                    for (int read = 0; read < 2; read++)
                        if (time_series(&g, test, chain, read, warmup, iterations, &res[test][chain][read])) return -1;
                    Series* a = &res[test][chain][0];
                    Series* b = &res[test][chain][1];
                    printf("%-8s %-5d x%-4d %8.4f [%7.4f-%7.4f] %8.4f [%7.4f-%7.4f]  %-10.2e %s\n",
                           appStream ? "app" : "own", test, chain, a->median, a->p10, a->p90, b->median, b->p10, b->p90,
                           err, ok ? (chain == 1 ? "ok (0.19/0.16/0.14)" : "ok") : "FAILED");
                    fprintf(json,
                            "%s\n  {\"dtype\": \"%s\", \"stream\": \"%s\", \"test\": %d, \"chain\": %d, \"median_ms\": %.5f, "
                            "\"p10_ms\": %.5f, \"p90_ms\": %.5f, \"median_ms_read\": %.5f, \"p10_ms_read\": %.5f, "
                            "\"p90_ms_read\": %.5f, \"max_rel_error\": %.3e, \"check\": %s}",
                            *first ? "" : ",", name, appStream ? "app" : "own", test, chain, a->median, a->p10, a->p90,
                            b->median, b->p10, b->p90, err, ok ? "true" : "false");
                    *first = 0;
                }
            rig_close(&g);
        }
        for (int chain = 1; chain <= 2; chain++)
            printf("  %s stream, x%d: test3/test4 = %.3f (+read %.3f), test2/test3 = %.2f (+read %.2f)\n",
                   appStream ? "app" : "own", chain, res[3][chain][0].median / res[4][chain][0].median,
                   res[3][chain][1].median / res[4][chain][1].median, res[2][chain][0].median / res[3][chain][0].median,
                   res[2][chain][1].median / res[3][chain][1].median);
    }
    for (int s = 0; s < 2; s++) {
        free(refs[s][0]);
        free(refs[s][1]);
        data_free(&data[s]);
    }
    return failures;
}

int wnn_bench_interop(int argc, char** argv) {
    int iterations = 200, warmup = 20, dtypes[2] = {1, 1}, device = 0;
    const char* jsonPath = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) iterations = atoi(argv[++i]);
        else if (strcmp(argv[i], "--warmup") == 0 && i + 1 < argc) warmup = atoi(argv[++i]);
        else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) jsonPath = argv[++i];
        else if (strcmp(argv[i], "--consumer-device") == 0 && i + 1 < argc) device = atoi(argv[++i]);
        else if (strcmp(argv[i], "--dtype") == 0 && i + 1 < argc) {
            const char* t = argv[++i];
            dtypes[0] = strcmp(t, "float32") == 0;
            dtypes[1] = strcmp(t, "float16") == 0;
            if (!dtypes[0] && !dtypes[1]) {
                fprintf(stderr, "wnn-bench interop: --dtype is float32 or float16, not '%s'\n", t);
                return 2;
            }
        } else {
            fprintf(stderr, "usage: wnn-bench interop [--iterations N] [--warmup N] [--dtype float32|float16] "
                            "[--json FILE] [--consumer-device N]\n");
            return strcmp(argv[i], "--help") == 0 ? 0 : 2;
        }
    }
    int devices = 0;
    if (cudaGetDeviceCount(&devices) != cudaSuccess || device < 0 || device >= devices) {
        fprintf(stderr, "wnn-bench interop: --consumer-device %d: this machine has %d CUDA device(s)\n", device, devices);
        return devices > 0 ? 2 : 1;
    }
    if (iterations < 10 || warmup < 0) {
        fprintf(stderr, "wnn-bench interop: --iterations must be at least 10 and --warmup not negative\n");
        return 2;
    }
    uint32_t adapter = gpu_adapter();
    if (adapter == UINT32_MAX) {
        fprintf(stderr, "wnn-bench interop: no usable CUDA adapter (wnn-info says why)\n");
        return 1;
    }
    WNNAdapterInfo info;
    wnnGetAdapterInfo(adapter, &info);
    printf("wnn-bench interop on %s: conv2d [1,100,100,100] NHWC, 3x3 HWIO 100->100, pad 1, bias, relu; "
           "%d iterations after %d warm-up; WebNN on GPU 0, the app on GPU %d%s\n", info.name, iterations, warmup, device,
           device ? (wnnCudaCanAccessPeer(device, 0) ? " (peer access)" : " (no peer access: copies)") : "");
    FILE* json = jsonPath ? fopen(jsonPath, "w") : NULL;
    if (jsonPath && !json) {
        fprintf(stderr, "wnn-bench interop: cannot write %s\n", jsonPath);
        return 2;
    }
    FILE* sink = json ? json : fopen("/dev/null", "w");
    fprintf(sink, "{\"device\": \"%s\", \"iterations\": %d, \"rows\": [", info.name, iterations);
    int first = 1, failures = 0;
    for (int dtype = 0; dtype < 2; dtype++) {
        if (!dtypes[dtype]) continue;
        int f = run_dtype(dtype, adapter, device, warmup, iterations, sink, &first);
        if (f < 0) {
            fclose(sink);
            return 1;
        }
        failures += f;
    }
    fprintf(sink, "\n]}\n");
    fclose(sink);
    printf("\n%s\n", failures ? "VALUE CHECKS FAILED" : "all value checks passed");
    return failures ? 1 : 0;
}
