/* test_interop_api.c: webnn_cuda.h's argument checks and its answers where there is no GPU (the GPU
 * behaviour is tests/gpu/test_cuda_interop.c). Runs everywhere. */
#include "webnn/webnn_cuda.h"
#include "wt.h"

static bool have_gpu(void) {
    for (uint32_t i = 0; i < wnnGetAdapterCount(); i++) {
        WNNAdapterInfo a;
        if (wnnGetAdapterInfo(i, &a) == WNNStatus_Success && a.kind == WNNAdapterKind_Gpu && a.available) return true;
    }
    return false;
}

static void test_null_arguments(void) {
    WNNContext ctx = wt_cpu();
    WNNCudaExportedTensor x = NULL;
    WNNCudaConsumer consumer = {0, NULL};
    WT_CHECK_STATUS(wnnContextExportToCuda(ctx, NULL, &consumer, &x, NULL), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnContextExportToCuda(ctx, NULL, &consumer, NULL, NULL), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnCudaExportedTensorReturn(NULL, NULL), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnCreateContextOnCudaStream(0, NULL, NULL, NULL), WNNStatus_TypeError);
    WNNTensor t = NULL;
    WT_CHECK_STATUS(wnnContextImportCudaMemory(ctx, NULL, NULL, 0, NULL, NULL, NULL, &t), WNNStatus_TypeError);
    WT_CHECK(wnnContextGetCudaDevice(ctx) == -1);
    WT_CHECK(wnnContextGetCudaDevice(NULL) == -1);
    wnnCudaExportedTensorGetInfo(NULL, NULL); /* no crash */
}

static void test_cpu_context(void) {
    WNNContext ctx = wt_cpu();
    uint32_t n = 4;
    WNNTensorDescriptor d = {WNNOperandDataType_Float32, &n, 1, true, true, false};
    WNNTensor t = NULL;
    int dummy;
    WT_CHECK_STATUS(wnnContextImportCudaMemory(ctx, &d, &dummy, 16, NULL, NULL, NULL, &t), WNNStatus_NotSupportedError);
    WT_CHECK_MESSAGE("not on a CUDA device");
    WT_CHECK(t == NULL);
    if (have_gpu()) return; /* the rest is about machines without one */
    d.exportableToGPU = true;
    WT_CHECK_STATUS(wnnContextCreateTensor(ctx, &d, &t), WNNStatus_NotSupportedError);
    WT_CHECK_MESSAGE("exportableToGPU");
    WNNContext c2 = NULL;
    WT_CHECK_STATUS(wnnCreateContextOnCudaStream(0, NULL, NULL, &c2), WNNStatus_NotSupportedError);
    WT_CHECK(c2 == NULL);
    d.exportableToGPU = false;
    WT_OK(wnnContextCreateTensor(ctx, &d, &t));
    WNNCudaExportedTensor x = NULL;
    WNNCudaConsumer consumer = {0, NULL};
    WT_CHECK_STATUS(wnnContextExportToCuda(ctx, t, &consumer, &x, NULL), WNNStatus_NotSupportedError);
    WT_CHECK(x == NULL);
    wnnTensorRelease(t);
}

static void test_bad_options(void) {
    WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
    o.powerPreference = (WNNPowerPreference)9;
    WNNContext c = NULL;
    WT_CHECK_STATUS(wnnCreateContextOnCudaStream(0, NULL, &o, &c), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("powerPreference");
}

int main(void) {
    test_null_arguments();
    test_cpu_context();
    test_bad_options();
    return wt_summary("test_interop_api");
}
