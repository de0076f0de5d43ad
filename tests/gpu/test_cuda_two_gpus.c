/* test_cuda_two_gpus.c: a tensor of one GPU's context rented to code on another GPU, both
 * directions: in place where the GPUs have peer access, through a copy otherwise (info.isCopy says
 * which), always ordered by events. Exit 77 (skipped, with the reason) with fewer than two GPUs. */
#include "gpu_kit.h"
#include "webnn/webnn_cuda.h"

static uint32_t adapter_of(int ordinal) { /* CUDA adapters follow the CPU, in device order */
    int seen = 0;
    for (uint32_t i = 0; i < wnnGetAdapterCount(); i++) {
        WNNAdapterInfo a;
        wnnGetAdapterInfo(i, &a);
        if (a.kind != WNNAdapterKind_Gpu) continue;
        if (seen++ == ordinal) return i;
    }
    return UINT32_MAX;
}

static WNNContext context_on(int ordinal) {
    WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
    o.adapterIndex = wnnSomeUint32(adapter_of(ordinal));
    WNNContext ctx = NULL;
    WT_OK(wnnCreateContext(&o, &ctx));
    return ctx;
}

/* The owner's WebNN work and the consumer's kernels alternate on the same tensors, `rounds` times
 * with random sizes; the consumer is slowed down so that missing ordering would show. */
static void test_rent_across(int owner, int consumer, int rounds) {
    WNNContext ctx = context_on(owner);
    cudaStream_t s;
    CU_OK(cudaSetDevice(consumer));
    CU_OK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    bool peer = wnnCudaCanAccessPeer(consumer, owner);
    uint64_t rng = 99;
    unsigned bad = 0;
    int copies = 0;
    for (int r = 0; r < rounds; r++) {
        uint32_t n = 1 + (uint32_t)(wt_next(&rng) % (1 << 16));
        WNNTensorDescriptor d = {WNNOperandDataType_Float32, &n, 1, true, true, true};
        WNNTensor x = NULL, y = NULL;
        WT_OK(wnnContextCreateTensor(ctx, &d, &x));
        WT_OK(wnnContextCreateTensor(ctx, &d, &y));
        WNNGraph g = gk_affine_graph(ctx, n, 1, 1);
        float expect = 0;
        for (int k = 0; k < 4; k++) {
            WNNNamedTensor in = {"x", x}, out = {"y", y};
            WT_OK(wnnContextDispatch(ctx, g, &in, 1, &out, 1)); /* y = x + 1 */
            expect += 1;
            WNNCudaConsumer c = {consumer, s};
            WNNCudaExportedTensor ex = NULL;
            WNNCudaExportInfo info;
            WT_OK(wnnContextExportToCuda(ctx, y, &c, &ex, &info));
            WT_CHECK(info.device == consumer && info.isCopy == !peer);
            copies += info.isCopy;
            if (k == 0) bad += gk_device_mismatches(consumer, info.devicePointer, n, expect, s);
            CU_OK(cudaSetDevice(consumer));
            if (r % 16 == 0) CU_OK(app_spin(2 * 1000 * 1000, s));
            CU_OK(app_affine(info.devicePointer, n, 1.0f, 1.0f, s)); /* y += 1 */
            expect += 1;
            WT_OK(wnnCudaExportedTensorReturn(ex, s));
            WNNTensor t = x;
            x = y;
            y = t;
        }
        bad += gk_host_mismatches(ctx, x, n, expect);
        wnnGraphRelease(g);
        wnnTensorRelease(x);
        wnnTensorRelease(y);
    }
    WT_CHECK(bad == 0);
    printf("GPU %d -> GPU %d: %s, %d rounds, %u wrong values, %d exports were copies\n", owner, consumer,
           peer ? "peer access (zero copy)" : "no peer access (copies)", rounds, bad, copies);
    wnnContextRelease(ctx);
    CU_OK(cudaSetDevice(consumer));
    CU_OK(cudaStreamDestroy(s));
}

/* The single-GPU rules hold across devices too. */
static void test_rules_across(int owner, int consumer) {
    WNNContext ctx = context_on(owner);
    uint32_t n = 256;
    WNNTensorDescriptor d = {WNNOperandDataType_Float32, &n, 1, true, true, true};
    WNNTensor t = NULL;
    WT_OK(wnnContextCreateTensor(ctx, &d, &t));
    WNNCudaConsumer c = {consumer, NULL};
    WNNCudaExportedTensor ex = NULL, ex2 = NULL;
    WNNCudaExportInfo info;
    WT_OK(wnnContextExportToCuda(ctx, t, &c, &ex, &info));
    float h[256];
    WT_CHECK_STATUS(wnnContextReadTensor(ctx, t, h, sizeof h), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnContextExportToCuda(ctx, t, &c, &ex2, &info), WNNStatus_TypeError);
    wnnTensorDestroy(t); /* the consumer's memory stays valid until the return */
    WT_CHECK(gk_device_mismatches(consumer, info.devicePointer, n, 0.0f, NULL) == 0);
    WT_OK(wnnCudaExportedTensorReturn(ex, NULL));
    wnnTensorRelease(t);
    wnnContextRelease(ctx);
}

int main(void) {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count < 2) {
        printf("test_cuda_two_gpus: skipped, this machine has %d CUDA device(s); two are needed\n", count);
        return 77;
    }
    if (adapter_of(1) == UINT32_MAX) {
        printf("test_cuda_two_gpus: skipped, the CUDA backend module lists fewer than two GPUs\n");
        return 77;
    }
    for (int owner = 0; owner < 2; owner++) {
        test_rules_across(owner, 1 - owner);
        test_rent_across(owner, 1 - owner, 200);
    }
    return wt_summary("test_cuda_two_gpus");
}
