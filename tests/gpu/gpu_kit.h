/* gpu_kit.h: what the GPU tests share: a y = x * mul + add graph, and counts of wrong values read
 * through WebNN (host) or by the app's kernel on a device (no WebNN involved). */
#ifndef WNN_TESTS_GPU_GPU_KIT_H_
#define WNN_TESTS_GPU_GPU_KIT_H_

#include <cuda_runtime_api.h>
#include <stdlib.h>

#include "app_kernels.h"
#include "wt.h"

#define CU_OK(call) WT_CHECK((call) == 0)

/* y = x * mul + add on float32 [n], input "x", output "y". */
static inline WNNGraph gk_affine_graph(WNNContext ctx, uint32_t n, double mul, double add) {
    WNNGraphBuilder b = NULL;
    WT_OK(wnnCreateGraphBuilder(ctx, &b));
    WNNOperandDescriptor d = {WNNOperandDataType_Float32, &n, 1};
    WNNOperand x, m, a, xm, y;
    WT_OK(wnnGraphBuilderInput(b, "x", &d, &x));
    WT_OK(wnnGraphBuilderConstantScalar(b, WNNOperandDataType_Float32, wnnNumberDouble(mul), &m));
    WT_OK(wnnGraphBuilderConstantScalar(b, WNNOperandDataType_Float32, wnnNumberDouble(add), &a));
    WT_OK(wnnGraphBuilderMul(b, x, m, NULL, &xm));
    WT_OK(wnnGraphBuilderAdd(b, xm, a, NULL, &y));
    WNNNamedOperand out = {"y", y};
    WNNGraph g = NULL;
    WT_OK(wnnGraphBuilderBuild(b, &out, 1, &g));
    wnnGraphBuilderRelease(b);
    return g;
}

/* Elements of t (read through WebNN) that differ from v; n when the read fails. */
static inline uint32_t gk_host_mismatches(WNNContext ctx, WNNTensor t, uint32_t n, float v) {
    float* h = malloc(n * sizeof(float));
    uint32_t bad = n;
    if (h && wnnContextReadTensor(ctx, t, h, n * sizeof(float)) == WNNStatus_Success)
        for (uint32_t i = bad = 0; i < n; i++) bad += h[i] != v;
    free(h);
    return bad;
}

/* Elements at a device pointer that differ from v, counted by the app's kernel on `device`. */
static inline unsigned gk_device_mismatches(int device, const void* p, uint32_t n, float v, cudaStream_t s) {
    unsigned *bad = NULL, host = 0xffffffffu;
    CU_OK(cudaSetDevice(device));
    CU_OK(cudaMallocAsync((void**)&bad, sizeof *bad, s));
    CU_OK(cudaMemsetAsync(bad, 0, sizeof *bad, s));
    CU_OK(app_count_mismatch(p, n, v, bad, s));
    CU_OK(cudaMemcpyAsync(&host, bad, sizeof host, cudaMemcpyDeviceToHost, s));
    CU_OK(cudaFreeAsync(bad, s));
    CU_OK(cudaStreamSynchronize(s));
    return host;
}

#endif
