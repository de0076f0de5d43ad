/* test_cuda_errors.c: failures on a real GPU become statuses, never crashes: out-of-memory at
 * createTensor and at build, and a sticky CUDA error (a faulting kernel) that loses the context,
 * after which every call says so. Exit 77 (skipped) without a GPU. The loss test breaks the
 * process's CUDA context, so it runs last. */
#include <cuda_runtime_api.h>
#include <stdlib.h>

#include "app_kernels.h"
#include "webnn/webnn_cuda.h"
#include "wt.h"

static WNNContext gpu_context(void) {
    for (uint32_t i = 0; i < wnnGetAdapterCount(); i++) {
        WNNAdapterInfo a;
        if (wnnGetAdapterInfo(i, &a) != WNNStatus_Success || a.kind != WNNAdapterKind_Gpu || !a.available) continue;
        WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
        o.adapterIndex = wnnSomeUint32(i);
        WNNContext ctx = NULL;
        WT_OK(wnnCreateContext(&o, &ctx));
        return ctx;
    }
    return NULL;
}

/* y = relu(x) + relu(x) + ... (`terms` of them, all computed before the first add, so that they
 * are alive together: their memory is allocated at build). */
static WNNStatus build_sum_of_relus(WNNContext ctx, uint32_t rows, uint32_t cols, int terms, WNNGraph* g) {
    WNNGraphBuilder b = NULL;
    WT_OK(wnnCreateGraphBuilder(ctx, &b));
    uint32_t shape[2] = {rows, cols};
    WNNOperandDescriptor d = {WNNOperandDataType_Float32, shape, 2};
    WNNOperand x, r[32], y;
    WT_OK(wnnGraphBuilderInput(b, "x", &d, &x));
    for (int i = 0; i < terms; i++) WT_OK(wnnGraphBuilderRelu(b, x, NULL, &r[i]));
    y = r[0];
    for (int i = 1; i < terms; i++) WT_OK(wnnGraphBuilderAdd(b, y, r[i], NULL, &y));
    WNNNamedOperand out = {"y", y};
    WNNStatus s = wnnGraphBuilderBuild(b, &out, 1, g);
    wnnGraphBuilderRelease(b);
    return s;
}

/* y = 2 relu(x) on [4,4], with its two tensors. */
typedef struct Small {
    WNNGraph g;
    WNNTensor x, y;
} Small;

static Small small_open(WNNContext ctx) {
    Small r = {NULL, NULL, NULL};
    WT_OK(build_sum_of_relus(ctx, 4, 4, 2, &r.g));
    uint32_t shape[2] = {4, 4};
    WNNTensorDescriptor d = {WNNOperandDataType_Float32, shape, 2, true, true, false};
    WT_OK(wnnContextCreateTensor(ctx, &d, &r.x));
    WT_OK(wnnContextCreateTensor(ctx, &d, &r.y));
    return r;
}

static WNNStatus small_dispatch(WNNContext ctx, const Small* r) {
    WNNNamedTensor in = {"x", r->x}, out = {"y", r->y};
    return wnnContextDispatch(ctx, r->g, &in, 1, &out, 1);
}

static void small_close(Small* r) {
    wnnTensorRelease(r->x);
    wnnTensorRelease(r->y);
    wnnGraphRelease(r->g);
}

static void test_out_of_memory(WNNContext ctx) {
    /* One tensor is at most 2^31 - 1 elements (8 GiB of int32): 64 of 4 GiB exceed any GPU here. */
    uint32_t shape[2] = {32768, 32768};
    WNNTensorDescriptor d = {WNNOperandDataType_Float32, shape, 2, true, true, false};
    WNNTensor held[64] = {NULL};
    WNNStatus last = WNNStatus_Success;
    int n = 0;
    while (n < 64 && (last = wnnContextCreateTensor(ctx, &d, &held[n])) == WNNStatus_Success) n++;
    WT_CHECK(last == WNNStatus_OutOfMemory);
    WT_CHECK_MESSAGE("cannot allocate");
    WT_CHECK(held[n] == NULL);
    printf("out of memory after %d tensors of 4 GiB: %s\n", n, wnnGetLastErrorMessage());
    for (int i = 0; i < n; i++) wnnTensorRelease(held[i]);
    WNNGraph g = NULL;
    WT_CHECK_STATUS(build_sum_of_relus(ctx, 32768, 32768, 32, &g), WNNStatus_OutOfMemory); /* 128 GiB alive */
    WT_CHECK_MESSAGE("cudaMalloc");
    WT_CHECK(g == NULL);
    /* The context still works. */
    WT_CHECK(!wnnContextIsLost(ctx, NULL));
    Small r = small_open(ctx);
    float in[16], out[16];
    for (int i = 0; i < 16; i++) in[i] = (float)(i - 8);
    WT_OK(wnnContextWriteTensor(ctx, r.x, in, sizeof in));
    WT_OK(small_dispatch(ctx, &r));
    WT_OK(wnnContextReadTensor(ctx, r.y, out, sizeof out));
    int ok = 1;
    for (int i = 0; i < 16; i++) ok &= out[i] == (in[i] > 0 ? 2 * in[i] : 0);
    WT_CHECK(ok);
    small_close(&r);
}

static void test_device_loss(WNNContext ctx) {
    Small r = small_open(ctx);
    cudaStream_t s;
    WT_CHECK(cudaStreamCreate(&s) == cudaSuccess);
    WT_CHECK(app_fault(s) == 0);
    cudaStreamSynchronize(s); /* the fault is now sticky */
    WNNStatus first = small_dispatch(ctx, &r);
    float out[16];
    if (first == WNNStatus_Success) first = wnnContextReadTensor(ctx, r.y, out, sizeof out);
    WT_CHECK(first != WNNStatus_Success);
    const char* why = NULL;
    WT_CHECK(wnnContextIsLost(ctx, &why));
    WT_CHECK(why && strstr(why, "CUDA device"));
    WT_CHECK_STATUS(small_dispatch(ctx, &r), WNNStatus_InvalidStateError);
    WT_CHECK_MESSAGE("lost");
    WT_CHECK_STATUS(wnnContextReadTensor(ctx, r.y, out, sizeof out), WNNStatus_InvalidStateError);
    uint32_t shape[2] = {4, 4};
    WNNTensorDescriptor d = {WNNOperandDataType_Float32, shape, 2, true, true, false};
    WNNTensor z = NULL;
    WT_CHECK_STATUS(wnnContextCreateTensor(ctx, &d, &z), WNNStatus_InvalidStateError);
    printf("lost context says: %s\n", why ? why : "(null)");
    small_close(&r);
}

int main(void) {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
        printf("test_cuda_errors: skipped, no CUDA device here\n");
        return 77;
    }
    WNNContext ctx = gpu_context();
    if (!ctx) {
        printf("test_cuda_errors: skipped, the CUDA backend module has no usable adapter\n");
        return 77;
    }
    test_out_of_memory(ctx);
    test_device_loss(ctx);
    wnnContextRelease(ctx);
    return wt_summary("test_cuda_errors");
}
