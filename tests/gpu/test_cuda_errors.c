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

/* y = relu(relu(x)): the middle result is allocated at build. */
static WNNStatus build_relu2(WNNContext ctx, uint32_t rows, uint32_t cols, WNNGraph* g) {
    WNNGraphBuilder b = NULL;
    WT_OK(wnnCreateGraphBuilder(ctx, &b));
    uint32_t shape[2] = {rows, cols};
    WNNOperandDescriptor d = {WNNOperandDataType_Float32, shape, 2};
    WNNOperand x, m, y;
    WT_OK(wnnGraphBuilderInput(b, "x", &d, &x));
    WT_OK(wnnGraphBuilderRelu(b, x, NULL, &m));
    WT_OK(wnnGraphBuilderRelu(b, m, NULL, &y));
    WNNNamedOperand out = {"y", y};
    WNNStatus s = wnnGraphBuilderBuild(b, &out, 1, g);
    wnnGraphBuilderRelease(b);
    return s;
}

static void test_out_of_memory(WNNContext ctx) {
    uint32_t shape[2] = {131072, 1048576}; /* 512 GiB of float32 */
    WNNTensorDescriptor d = {WNNOperandDataType_Float32, shape, 2, true, true, false};
    WNNTensor t = NULL;
    WT_CHECK_STATUS(wnnContextCreateTensor(ctx, &d, &t), WNNStatus_OutOfMemory);
    WT_CHECK_MESSAGE("cannot allocate");
    WT_CHECK(t == NULL);
    WNNGraph g = NULL;
    WT_CHECK_STATUS(build_relu2(ctx, 131072, 1048576, &g), WNNStatus_OutOfMemory);
    WT_CHECK(g == NULL);
    /* The context still works. */
    WT_CHECK(!wnnContextIsLost(ctx, NULL));
    WT_OK(build_relu2(ctx, 4, 4, &g));
    uint32_t small[2] = {4, 4};
    WNNTensorDescriptor sd = {WNNOperandDataType_Float32, small, 2, true, true, false};
    WNNTensor x = NULL, y = NULL;
    WT_OK(wnnContextCreateTensor(ctx, &sd, &x));
    WT_OK(wnnContextCreateTensor(ctx, &sd, &y));
    float in[16], out[16];
    for (int i = 0; i < 16; i++) in[i] = (float)(i - 8);
    WT_OK(wnnContextWriteTensor(ctx, x, in, sizeof in));
    WNNNamedTensor ni = {"x", x}, no = {"y", y};
    WT_OK(wnnContextDispatch(ctx, g, &ni, 1, &no, 1));
    WT_OK(wnnContextReadTensor(ctx, y, out, sizeof out));
    int ok = 1;
    for (int i = 0; i < 16; i++) ok &= out[i] == (in[i] > 0 ? in[i] : 0);
    WT_CHECK(ok);
    wnnTensorRelease(x);
    wnnTensorRelease(y);
    wnnGraphRelease(g);
}

static void test_device_loss(WNNContext ctx) {
    WNNGraph g = NULL;
    WT_OK(build_relu2(ctx, 4, 4, &g));
    uint32_t small[2] = {4, 4};
    WNNTensorDescriptor sd = {WNNOperandDataType_Float32, small, 2, true, true, false};
    WNNTensor x = NULL, y = NULL;
    WT_OK(wnnContextCreateTensor(ctx, &sd, &x));
    WT_OK(wnnContextCreateTensor(ctx, &sd, &y));
    cudaStream_t s;
    WT_CHECK(cudaStreamCreate(&s) == cudaSuccess);
    WT_CHECK(app_fault(s) == 0);
    cudaStreamSynchronize(s); /* the fault is now sticky */
    WNNNamedTensor ni = {"x", x}, no = {"y", y};
    WNNStatus first = wnnContextDispatch(ctx, g, &ni, 1, &no, 1);
    float out[16];
    if (first == WNNStatus_Success) first = wnnContextReadTensor(ctx, y, out, sizeof out);
    WT_CHECK(first != WNNStatus_Success);
    const char* why = NULL;
    WT_CHECK(wnnContextIsLost(ctx, &why));
    WT_CHECK(why && strstr(why, "CUDA device"));
    WT_CHECK_STATUS(wnnContextDispatch(ctx, g, &ni, 1, &no, 1), WNNStatus_InvalidStateError);
    WT_CHECK_MESSAGE("lost");
    WT_CHECK_STATUS(wnnContextReadTensor(ctx, y, out, sizeof out), WNNStatus_InvalidStateError);
    WNNTensor z = NULL;
    WT_CHECK_STATUS(wnnContextCreateTensor(ctx, &sd, &z), WNNStatus_InvalidStateError);
    printf("lost context says: %s\n", why ? why : "(null)");
    wnnTensorRelease(x);
    wnnTensorRelease(y);
    wnnGraphRelease(g);
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
