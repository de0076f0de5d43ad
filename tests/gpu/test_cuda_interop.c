/* test_cuda_interop.c: the rent cycle of webnn_cuda.h on a real GPU (exit 77 = skipped when there
 * is none). Ordering is tested by making one side slow (a spin kernel) so that a missing event
 * shows up as wrong values; every check reads the data back. */
#include "gpu_kit.h"
#include "webnn/webnn_cuda.h"
#ifdef WNN_HAVE_DLPACK
#include "webnn/webnn_dlpack.h"
#endif

static uint32_t g_device_adapter; /* the CUDA adapter's index */

static WNNTensor make_tensor(WNNContext ctx, uint32_t n, bool exportable) {
    WNNTensorDescriptor d = {WNNOperandDataType_Float32, &n, 1, true, true, exportable};
    WNNTensor t = NULL;
    WT_OK(wnnContextCreateTensor(ctx, &d, &t));
    return t;
}

static WNNStatus run_affine(WNNContext ctx, WNNGraph g, WNNTensor x, WNNTensor y) {
    WNNNamedTensor in = {"x", x}, out = {"y", y};
    return wnnContextDispatch(ctx, g, &in, 1, &out, 1);
}

static void fill(WNNContext ctx, WNNTensor t, uint32_t n, float v) {
    float* h = malloc(n * sizeof(float));
    for (uint32_t i = 0; i < n; i++) h[i] = v;
    WT_OK(wnnContextWriteTensor(ctx, t, h, n * sizeof(float)));
    free(h);
}

static WNNContext gpu_context(void) {
    WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
    o.adapterIndex = wnnSomeUint32(g_device_adapter);
    WNNContext ctx = NULL;
    WT_OK(wnnCreateContext(&o, &ctx));
    return ctx;
}

/* The spec's rules while a tensor is exported, each failing without touching the data. */
static void test_rules(void) {
    enum { N = 1024 };
    WNNContext ctx = gpu_context();
    cudaStream_t app;
    CU_OK(cudaStreamCreateWithFlags(&app, cudaStreamNonBlocking));
    WNNCudaConsumer consumer = {0, app};
    WNNTensor plain = make_tensor(ctx, N, false), t = make_tensor(ctx, N, true), other = make_tensor(ctx, N, true);
    WNNCudaExportedTensor x = NULL, x2 = NULL;
    WNNCudaExportInfo info;
    WT_CHECK_STATUS(wnnContextExportToCuda(ctx, plain, &consumer, &x, &info), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("not created exportableToGPU");
    fill(ctx, t, N, 7.0f);
    WT_OK(wnnContextExportToCuda(ctx, t, &consumer, &x, &info));
    WT_CHECK(info.byteLength == N * sizeof(float) && !info.isCopy && info.device == 0 && info.devicePointer);
    WT_CHECK(gk_device_mismatches(0, info.devicePointer, N, 7.0f, app) == 0);
    float h[N];
    WT_CHECK_STATUS(wnnContextReadTensor(ctx, t, h, sizeof h), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("exported to CUDA");
    WT_CHECK_STATUS(wnnContextWriteTensor(ctx, t, h, sizeof h), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnContextExportToCuda(ctx, t, &consumer, &x2, &info), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("already exported");
    WNNGraph g = gk_affine_graph(ctx, N, 1, 1);
    WT_CHECK_STATUS(run_affine(ctx, g, t, other), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("input 'x' is exported");
    WT_CHECK_STATUS(run_affine(ctx, g, other, t), WNNStatus_TypeError);
    WT_CHECK(gk_device_mismatches(0, info.devicePointer, N, 7.0f, app) == 0); /* nothing was written */
    void* first = info.devicePointer;
    WT_OK(wnnCudaExportedTensorReturn(x, app));
    WT_CHECK(gk_host_mismatches(ctx, t, N, 7.0f) == 0);
    /* Exporting again hands out the same memory. */
    WT_OK(wnnContextExportToCuda(ctx, t, &consumer, &x, &info));
    WT_CHECK(info.devicePointer == first);
    WT_OK(wnnCudaExportedTensorReturn(x, app));
    /* A constant tensor and a foreign context's tensor. */
    WNNContext ctx2 = gpu_context();
    WNNTensor foreign = make_tensor(ctx2, N, true);
    WT_CHECK_STATUS(wnnContextExportToCuda(ctx, foreign, &consumer, &x, &info), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("another context");
    WNNCudaConsumer badDevice = {1000, app};
    WT_CHECK_STATUS(wnnContextExportToCuda(ctx, t, &badDevice, &x, &info), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnContextExportToCuda(ctx, t, NULL, &x, &info), WNNStatus_TypeError);
    wnnTensorRelease(foreign);
    wnnContextRelease(ctx2);
    wnnGraphRelease(g);
    wnnTensorRelease(plain);
    wnnTensorRelease(t);
    wnnTensorRelease(other);
    wnnContextRelease(ctx);
    CU_OK(cudaStreamDestroy(app));
}

/* Export waits for WebNN's queued work and return makes WebNN wait for the app's, both by events:
 * the context runs on a stream we can slow down with a spin kernel. */
static void test_ordering(void) {
    enum { N = 1 << 20 };
    cudaStream_t nn, app;
    CU_OK(cudaStreamCreateWithFlags(&nn, cudaStreamNonBlocking));
    CU_OK(cudaStreamCreateWithFlags(&app, cudaStreamNonBlocking));
    WNNContext ctx = NULL;
    WT_OK(wnnCreateContextOnCudaStream(0, nn, NULL, &ctx));
    WT_CHECK(wnnContextGetCudaDevice(ctx) == 0);
    WNNTensor x = make_tensor(ctx, N, true), y = make_tensor(ctx, N, true);
    WNNGraph g = gk_affine_graph(ctx, N, 2, 1);
    fill(ctx, x, N, 3.0f);
    CU_OK(app_spin(20 * 1000 * 1000, nn)); /* 20 ms of WebNN-side work still running */
    WT_OK(run_affine(ctx, g, x, y));        /* y = 7 once the spin is over */
    WNNCudaConsumer consumer = {0, app};
    WNNCudaExportedTensor ex = NULL;
    WNNCudaExportInfo info;
    WT_OK(wnnContextExportToCuda(ctx, y, &consumer, &ex, &info));
    WT_CHECK(!info.isCopy);
    WT_CHECK(gk_device_mismatches(0, info.devicePointer, N, 7.0f, app) == 0);
    /* The app changes y slowly; WebNN's next dispatch must see the change. */
    CU_OK(app_spin(20 * 1000 * 1000, app));
    CU_OK(app_affine(info.devicePointer, N, 1.0f, 1.0f, app)); /* y = 8 */
    WT_OK(wnnCudaExportedTensorReturn(ex, app));
    WT_OK(run_affine(ctx, g, y, x)); /* x = 17 */
    WT_CHECK(gk_host_mismatches(ctx, x, N, 17.0f) == 0);
    WT_CHECK(gk_host_mismatches(ctx, y, N, 8.0f) == 0);
    wnnGraphRelease(g);
    wnnTensorRelease(x);
    wnnTensorRelease(y);
    wnnContextRelease(ctx);
    CU_OK(cudaStreamDestroy(nn));
    CU_OK(cudaStreamDestroy(app));
}

/* A context on the app's own stream exporting to that stream: zero copy and no events needed. */
static void test_same_stream(void) {
    enum { N = 4096 };
    cudaStream_t s;
    CU_OK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    WNNContext ctx = NULL;
    WT_OK(wnnCreateContextOnCudaStream(0, s, NULL, &ctx));
    WNNTensor x = make_tensor(ctx, N, true), y = make_tensor(ctx, N, true);
    WNNGraph g = gk_affine_graph(ctx, N, 1, 2);
    fill(ctx, x, N, 1.0f);
    WNNCudaConsumer consumer = {0, s};
    WNNCudaExportedTensor ex = NULL;
    WNNCudaExportInfo info;
    for (int i = 0; i < 100; i++) { /* ping-pong: WebNN adds 2, the app doubles */
        WT_OK(run_affine(ctx, g, x, y));
        WT_OK(wnnContextExportToCuda(ctx, y, &consumer, &ex, &info));
        CU_OK(app_affine(info.devicePointer, N, 2.0f, 0.0f, s));
        WT_OK(wnnCudaExportedTensorReturn(ex, s));
        WNNTensor t = x;
        x = y;
        y = t;
    }
    /* The same float recurrence on the host (it loses precision after a few rounds, identically). */
    float expect = 1.0f;
    for (int i = 0; i < 100; i++) expect = (expect * 1.0f + 2.0f) * 2.0f;
    WT_CHECK(gk_host_mismatches(ctx, x, N, expect) == 0);
    wnnGraphRelease(g);
    wnnTensorRelease(x);
    wnnTensorRelease(y);
    wnnContextRelease(ctx);
    CU_OK(cudaStreamDestroy(s));
}

/* The consumer's memory stays valid when the tensor or the whole context goes away meanwhile. */
static void test_destroy_while_exported(bool wholeContext) {
    enum { N = 1 << 16 };
    cudaStream_t app;
    CU_OK(cudaStreamCreateWithFlags(&app, cudaStreamNonBlocking));
    WNNContext ctx = gpu_context();
    WNNTensor t = make_tensor(ctx, N, true);
    fill(ctx, t, N, 5.0f);
    WNNCudaConsumer consumer = {0, app};
    WNNCudaExportedTensor ex = NULL;
    WNNCudaExportInfo info;
    WT_OK(wnnContextExportToCuda(ctx, t, &consumer, &ex, &info));
    if (wholeContext) wnnContextDestroy(ctx);
    else wnnTensorDestroy(t);
    wnnTensorRelease(t);
    wnnContextRelease(ctx);
    CU_OK(app_affine(info.devicePointer, N, 1.0f, 1.0f, app));
    WT_CHECK(gk_device_mismatches(0, info.devicePointer, N, 6.0f, app) == 0);
    WT_OK(wnnCudaExportedTensorReturn(ex, app)); /* frees the memory, after the app's work */
    CU_OK(cudaStreamSynchronize(app));
    CU_OK(cudaStreamDestroy(app));
}

/* A CPU context's tensor rented to GPU code: copied there and back, reported as a copy. */
static void test_cpu_context(void) {
    enum { N = 1 << 16 };
    cudaStream_t app;
    CU_OK(cudaStreamCreateWithFlags(&app, cudaStreamNonBlocking));
    WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
    o.adapterIndex = wnnSomeUint32(0);
    WNNContext ctx = NULL;
    WT_OK(wnnCreateContext(&o, &ctx));
    WNNTensor x = make_tensor(ctx, N, true), y = make_tensor(ctx, N, true);
    WNNGraph g = gk_affine_graph(ctx, N, 3, 0);
    fill(ctx, x, N, 2.0f);
    WNNCudaConsumer consumer = {0, app};
    WNNCudaExportedTensor ex = NULL;
    WNNCudaExportInfo info;
    WT_OK(wnnContextExportToCuda(ctx, x, &consumer, &ex, &info));
    WT_CHECK(info.isCopy && info.device == 0);
    WT_CHECK(gk_device_mismatches(0, info.devicePointer, N, 2.0f, app) == 0);
    CU_OK(app_spin(10 * 1000 * 1000, app));
    CU_OK(app_affine(info.devicePointer, N, 1.0f, 2.0f, app)); /* 4 */
    WT_OK(wnnCudaExportedTensorReturn(ex, app));
    WT_OK(run_affine(ctx, g, x, y)); /* waits for the copy back: 12 */
    WT_CHECK(gk_host_mismatches(ctx, y, N, 12.0f) == 0);
    WT_CHECK(gk_host_mismatches(ctx, x, N, 4.0f) == 0);
    /* Destroying the tensor while its copy is out. */
    WT_OK(wnnContextExportToCuda(ctx, y, &consumer, &ex, &info));
    wnnTensorDestroy(y);
    WT_CHECK(gk_device_mismatches(0, info.devicePointer, N, 12.0f, app) == 0);
    WT_OK(wnnCudaExportedTensorReturn(ex, app));
    wnnGraphRelease(g);
    wnnTensorRelease(x);
    wnnTensorRelease(y);
    wnnContextRelease(ctx);
    CU_OK(cudaStreamDestroy(app));
}

static int g_released;
static void on_release(void* p, void* user) {
    (void)user;
    g_released++;
    cudaFree(p);
}

/* App memory as WebNN input and output, no copies; the release callback runs once. */
static void test_import(void) {
    enum { N = 1 << 18 };
    cudaStream_t app;
    CU_OK(cudaStreamCreateWithFlags(&app, cudaStreamNonBlocking));
    WNNContext ctx = gpu_context();
    float *in = NULL, *out = NULL;
    CU_OK(cudaMalloc((void**)&in, N * sizeof(float)));
    CU_OK(cudaMalloc((void**)&out, N * sizeof(float)));
    CU_OK(cudaMemsetAsync(in, 0, N * sizeof(float), app));
    CU_OK(app_spin(10 * 1000 * 1000, app));
    CU_OK(app_affine(in, N, 1.0f, 5.0f, app)); /* in = 5, still being written when we import */
    uint32_t n = N;
    WNNTensorDescriptor d = {WNNOperandDataType_Float32, &n, 1, true, true, true};
    WNNTensor tin = NULL, tout = NULL;
    g_released = 0;
    WT_OK(wnnContextImportCudaMemory(ctx, &d, in, N * sizeof(float), app, on_release, NULL, &tin));
    WT_OK(wnnContextImportCudaMemory(ctx, &d, out, N * sizeof(float), NULL, on_release, NULL, &tout));
    WNNGraph g = gk_affine_graph(ctx, N, 2, 0);
    WT_OK(run_affine(ctx, g, tin, tout));
    WT_CHECK(gk_host_mismatches(ctx, tout, N, 10.0f) == 0);
    /* Exporting imported memory gives the app's own pointer back. */
    WNNCudaConsumer consumer = {0, app};
    WNNCudaExportedTensor ex = NULL;
    WNNCudaExportInfo info;
    WT_OK(wnnContextExportToCuda(ctx, tout, &consumer, &ex, &info));
    WT_CHECK(info.devicePointer == out && !info.isCopy);
    WT_OK(wnnCudaExportedTensorReturn(ex, app));
    /* Bad imports. */
    WNNTensor bad = NULL;
    WT_CHECK_STATUS(wnnContextImportCudaMemory(ctx, &d, in, 4, NULL, NULL, NULL, &bad), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("descriptor needs");
    float host[4];
    uint32_t four = 4;
    WNNTensorDescriptor d4 = {WNNOperandDataType_Float32, &four, 1, true, true, false};
    WT_CHECK_STATUS(wnnContextImportCudaMemory(ctx, &d4, host, sizeof host, NULL, NULL, NULL, &bad), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("not CUDA device memory");
    wnnGraphRelease(g);
    wnnTensorRelease(tin);
    wnnTensorRelease(tout);
    WT_CHECK(g_released == 2);
    wnnContextRelease(ctx);
    CU_OK(cudaStreamDestroy(app));
}

/* Thousands of hand-offs with random sizes on separate streams, every value checked by the app. */
static void test_stress(int rounds) {
    cudaStream_t app;
    CU_OK(cudaStreamCreateWithFlags(&app, cudaStreamNonBlocking));
    WNNContext ctx = gpu_context();
    uint64_t rng = 12345;
    unsigned totalBad = 0;
    for (int r = 0; r < rounds; r++) {
        uint32_t n = 1 + (uint32_t)(wt_next(&rng) % (1 << 18));
        WNNTensor x = make_tensor(ctx, n, true), y = make_tensor(ctx, n, true);
        WNNGraph g = gk_affine_graph(ctx, n, 1, 1);
        fill(ctx, x, n, 0.0f);
        WNNCudaConsumer consumer = {0, app};
        float expect = 0.0f;
        for (int k = 0; k < 8; k++) {
            WT_OK(run_affine(ctx, g, x, y)); /* y = x + 1 */
            expect += 1.0f;
            WNNCudaExportedTensor ex = NULL;
            WNNCudaExportInfo info;
            WT_OK(wnnContextExportToCuda(ctx, y, &consumer, &ex, &info));
            CU_OK(app_affine(info.devicePointer, n, 1.0f, 1.0f, app)); /* y += 1 */
            expect += 1.0f;
            WT_OK(wnnCudaExportedTensorReturn(ex, app));
            WNNTensor t = x;
            x = y;
            y = t;
        }
        uint32_t bad = gk_host_mismatches(ctx, x, n, expect);
        totalBad += bad;
        wnnGraphRelease(g);
        wnnTensorRelease(x);
        wnnTensorRelease(y);
    }
    WT_CHECK(totalBad == 0);
    wnnContextRelease(ctx);
    CU_OK(cudaStreamDestroy(app));
}

#ifdef WNN_HAVE_DLPACK
static int g_dl_deleted;
static void dl_deleter(DLManagedTensor* m) {
    g_dl_deleted++;
    cudaFree(m->dl_tensor.data);
    free(m);
}

/* DLPack both ways: the exported DLTensor describes the tensor's own memory; an imported one is
 * used in place and its deleter runs once. */
static void test_dlpack(void) {
    enum { N = 6 };
    cudaStream_t app;
    CU_OK(cudaStreamCreateWithFlags(&app, cudaStreamNonBlocking));
    WNNContext ctx = gpu_context();
    uint32_t shape[2] = {2, 3};
    WNNTensorDescriptor d = {WNNOperandDataType_Float32, shape, 2, true, true, true};
    WNNTensor t = NULL;
    WT_OK(wnnContextCreateTensor(ctx, &d, &t));
    fill(ctx, t, N, 4.0f);
    DLManagedTensor* m = NULL;
    WT_OK(wnnContextExportDLPack(ctx, t, app, &m));
    WT_CHECK(m && m->dl_tensor.ndim == 2 && m->dl_tensor.shape[0] == 2 && m->dl_tensor.shape[1] == 3);
    WT_CHECK(m->dl_tensor.dtype.code == kDLFloat && m->dl_tensor.dtype.bits == 32 && !m->dl_tensor.strides);
    WT_CHECK(m->dl_tensor.device.device_type == kDLCUDA && m->dl_tensor.device.device_id == 0);
    WT_CHECK(gk_device_mismatches(0, m->dl_tensor.data, N, 4.0f, app) == 0);
    float h[N];
    WT_CHECK_STATUS(wnnContextReadTensor(ctx, t, h, sizeof h), WNNStatus_TypeError); /* rented */
    CU_OK(app_affine(m->dl_tensor.data, N, 2.0f, 0.0f, app));
    m->deleter(m); /* returns the tensor */
    WT_CHECK(gk_host_mismatches(ctx, t, N, 8.0f) == 0);
    /* Import: app memory of shape [2, 3] with explicit dense strides. */
    DLManagedTensor* in = calloc(1, sizeof *in);
    static int64_t inShape[2] = {2, 3}, inStrides[2] = {3, 1};
    CU_OK(cudaMalloc(&in->dl_tensor.data, N * sizeof(float)));
    CU_OK(cudaMemsetAsync(in->dl_tensor.data, 0, N * sizeof(float), app));
    CU_OK(app_affine(in->dl_tensor.data, N, 1.0f, 9.0f, app));
    in->dl_tensor.device = (DLDevice){kDLCUDA, 0};
    in->dl_tensor.ndim = 2;
    in->dl_tensor.dtype = (DLDataType){kDLFloat, 32, 1};
    in->dl_tensor.shape = inShape;
    in->dl_tensor.strides = inStrides;
    in->deleter = dl_deleter;
    WNNTensor ti = NULL;
    g_dl_deleted = 0;
    WT_OK(wnnContextImportDLPack(ctx, in, app, true, true, &ti));
    WT_CHECK(wnnTensorGetRank(ti) == 2 && wnnTensorGetDataType(ti) == WNNOperandDataType_Float32);
    WT_CHECK(gk_host_mismatches(ctx, ti, N, 9.0f) == 0);
    /* Strided (not dense) and host memory are refused, leaving the tensor the caller's. */
    DLManagedTensor bad = *in;
    static int64_t badStrides[2] = {1, 2};
    bad.dl_tensor.strides = badStrides;
    WNNTensor tb = NULL;
    WT_CHECK_STATUS(wnnContextImportDLPack(ctx, &bad, NULL, true, true, &tb), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("dense row-major");
    bad.dl_tensor.strides = NULL;
    bad.dl_tensor.device.device_type = kDLCPU;
    WT_CHECK_STATUS(wnnContextImportDLPack(ctx, &bad, NULL, true, true, &tb), WNNStatus_TypeError);
    wnnTensorRelease(ti);
    WT_CHECK(g_dl_deleted == 1);
    wnnTensorRelease(t);
    wnnContextRelease(ctx);
    CU_OK(cudaStreamDestroy(app));
}
#endif

/* writeTensor takes the bytes at call time, also from page-locked memory (whose copy is a DMA
 * transfer in stream order): with 20 ms of work queued ahead, changing the bytes right after the
 * write must not change what the tensor holds. Then a read into page-locked memory. */
static void test_write_from_page_locked(void) {
    enum { N = 1 << 20 };
    cudaStream_t nn;
    CU_OK(cudaStreamCreateWithFlags(&nn, cudaStreamNonBlocking));
    WNNContext ctx = NULL;
    WT_OK(wnnCreateContextOnCudaStream(0, nn, NULL, &ctx));
    WNNTensor x = make_tensor(ctx, N, true);
    float* h = NULL;
    WT_OK(wnnContextAllocateHostMemory(ctx, N * sizeof(float), (void**)&h));
    struct cudaPointerAttributes attrs;
    CU_OK(cudaPointerGetAttributes(&attrs, h));
    WT_CHECK(attrs.type == cudaMemoryTypeHost); /* page-locked, as documented for a GPU context */
    for (uint32_t i = 0; i < N; i++) h[i] = 1.0f;
    CU_OK(app_spin(20 * 1000 * 1000, nn));
    WT_OK(wnnContextWriteTensor(ctx, x, h, N * sizeof(float)));
    for (uint32_t i = 0; i < N; i++) h[i] = 2.0f; /* after the call: the tensor keeps 1 */
    WT_OK(wnnContextReadTensor(ctx, x, h, N * sizeof(float)));
    uint32_t bad = 0;
    for (uint32_t i = 0; i < N; i++) bad += h[i] != 1.0f;
    WT_CHECK(bad == 0);
    WT_OK(wnnContextFreeHostMemory(ctx, h));
    wnnTensorRelease(x);
    wnnContextRelease(ctx);
    CU_OK(cudaStreamDestroy(nn));
}

int main(int argc, char** argv) {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
        printf("test_cuda_interop: skipped, no CUDA device here\n");
        return 77;
    }
    g_device_adapter = UINT32_MAX;
    for (uint32_t i = 0; i < wnnGetAdapterCount(); i++) {
        WNNAdapterInfo a;
        if (wnnGetAdapterInfo(i, &a) == WNNStatus_Success && a.kind == WNNAdapterKind_Gpu && a.available) {
            g_device_adapter = i;
            break;
        }
    }
    if (g_device_adapter == UINT32_MAX) {
        printf("test_cuda_interop: skipped, the CUDA backend module has no usable adapter\n");
        return 77;
    }
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    test_rules();
    test_ordering();
    test_write_from_page_locked();
    test_same_stream();
    test_destroy_while_exported(false);
    test_destroy_while_exported(true);
    test_cpu_context();
    test_import();
#ifdef WNN_HAVE_DLPACK
    test_dlpack();
#endif
    test_stress(rounds);
    return wt_summary("test_cuda_interop");
}
