/* test_partition.c: a device that lacks some ops. The graph is split into segments on the device
 * and on the CPU with counted copies between them, and the results equal the CPU's. The "device"
 * here is the CPU backend with a supports() that refuses relu, so the test runs anywhere. */
#include <math.h>

#include "runtime/runtime.h"
#include "wt.h"

static bool no_relu(WnnDevice* d, const WnnGraphIR* ir, const WnnNode* n) { return n->op != WNN_OP_relu; }

/* y = relu(x . w) + c, with the matmul result and the relu result also graph outputs. */
static WNNGraph build(WNNContext ctx, const float* w, const float* c) {
    WNNGraphBuilder b = NULL;
    WT_OK(wnnCreateGraphBuilder(ctx, &b));
    uint32_t xs[2] = {3, 4}, ws[2] = {4, 2}, cs[1] = {2};
    WNNOperandDescriptor xd = {WNNOperandDataType_Float32, xs, 2}, wd = {WNNOperandDataType_Float32, ws, 2},
                         cd = {WNNOperandDataType_Float32, cs, 1};
    WNNOperand x, wo, co, mm, r, y;
    WT_OK(wnnGraphBuilderInput(b, "x", &xd, &x));
    WT_OK(wnnGraphBuilderConstant(b, &wd, w, 32, &wo));
    WT_OK(wnnGraphBuilderConstant(b, &cd, c, 8, &co));
    WT_OK(wnnGraphBuilderMatmul(b, x, wo, NULL, &mm));
    WT_OK(wnnGraphBuilderRelu(b, mm, NULL, &r));
    WT_OK(wnnGraphBuilderAdd(b, r, co, NULL, &y));
    WNNNamedOperand outs[4] = {{"y", y}, {"relu", r}, {"mm", mm}, {"y again", y}};
    WNNGraph g = NULL;
    WT_OK(wnnGraphBuilderBuild(b, outs, 4, &g));
    wnnGraphBuilderRelease(b);
    return g;
}

static void run(WNNContext ctx, WNNGraph g, const float* x, float out[4][6]) {
    uint32_t xs[2] = {3, 4}, os[2] = {3, 2};
    WNNTensorDescriptor in = {WNNOperandDataType_Float32, xs, 2, false, true, false};
    WNNTensorDescriptor od = {WNNOperandDataType_Float32, os, 2, true, false, false};
    WNNTensor tx, t[4];
    WT_OK(wnnContextCreateTensor(ctx, &in, &tx));
    for (int i = 0; i < 4; i++) WT_OK(wnnContextCreateTensor(ctx, &od, &t[i]));
    WT_OK(wnnContextWriteTensor(ctx, tx, x, 48));
    WNNNamedTensor ins[1] = {{"x", tx}}, outs[4] = {{"y", t[0]}, {"relu", t[1]}, {"mm", t[2]}, {"y again", t[3]}};
    WT_OK(wnnContextDispatch(ctx, g, ins, 1, outs, 4));
    for (int i = 0; i < 4; i++) WT_OK(wnnContextReadTensor(ctx, t[i], out[i], 24));
    wnnTensorRelease(tx);
    for (int i = 0; i < 4; i++) wnnTensorRelease(t[i]);
}

int main(void) {
    static WnnBackendOps partial;
    partial = wnn_cpu_backend;
    partial.name = "partial";
    partial.supports = no_relu;
    uint32_t index = wnn_adapter_add(&partial, WNNAdapterKind_Gpu, "test device without relu");
    WT_CHECK(index != UINT32_MAX);
    WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
    o.adapterIndex = wnnSomeUint32(index);
    WNNContext dev = NULL;
    WT_OK(wnnCreateContext(&o, &dev));

    float x[12], w[8], c[2] = {0.25f, -0.5f}, want[4][6], got[4][6];
    uint64_t seed = 3;
    for (int i = 0; i < 12; i++) x[i] = (float)wt_rand(&seed, -1, 1);
    for (int i = 0; i < 8; i++) w[i] = (float)wt_rand(&seed, -1, 1);
    WNNGraph ref = build(wt_cpu(), w, c), g = build(dev, w, c);
    run(wt_cpu(), ref, x, want);
    for (int rep = 0; rep < 2; rep++) { /* twice: the plan's state resets per dispatch */
        run(dev, g, x, got);
        for (int i = 0; i < 4; i++) {
            double expected[6];
            for (int k = 0; k < 6; k++) expected[k] = want[i][k];
            wt_expect_f32("partitioned output", got[i], expected, 6, 0);
        }
    }
    WNNGraphPartitionInfo info, refInfo;
    WT_OK(wnnGraphGetPartitionInfo(g, &info));
    WT_OK(wnnGraphGetPartitionInfo(ref, &refInfo));
    /* matmul | relu (CPU) | add: 3 segments; copies: mm to the CPU, relu back, relu to its output */
    WT_CHECK(info.segmentCount == 3 && info.fallbackNodeCount == 1);
    WT_CHECK(info.lastDispatchCopyCount == 4); /* and "y again" from "y" on the device */
    WT_CHECK(refInfo.segmentCount == 1 && refInfo.fallbackNodeCount == 0 && refInfo.lastDispatchCopyCount == 0);
    wnnGraphRelease(g);
    wnnGraphRelease(ref);
    wnnContextRelease(dev);
    return wt_summary("test_partition");
}
