/* custom_op_cuda.c: the seed scenario of WebNN issue #33 as a program. WebNN runs the expensive
 * layer (conv2d [1,100,100,100] NHWC, 3x3 HWIO filter 100->100, "same" padding) on the GPU; the
 * application's own CUDA kernel (add bias + relu, app_kernels.cu) runs on the result in place: the
 * tensor is rented to the app's stream and returned, with no copy and no host wait in between.
 * With the seed's constants (input 0.01, filter 0.01, bias 0.1) the output is 0.19 inside, 0.16 on
 * the edges and 0.14 at the corners. Exit 77 when there is no GPU. */
#include <stdio.h>
#include <stdlib.h>

#include <cuda_runtime_api.h>

#include "app_kernels.h"
#include "webnn/webnn_cuda.h"

#define CHECK(call)                                                                         \
    do {                                                                                    \
        if ((call) != WNNStatus_Success) {                                                  \
            fprintf(stderr, "%s failed: %s\n", #call, wnnGetLastErrorMessage());            \
            return 1;                                                                       \
        }                                                                                   \
    } while (0)

enum { H = 100, W = 100, C = 100, K = 100 };

int main(void) {
    /* A context on the application's own stream: WebNN's work and the app's share one queue. */
    cudaStream_t stream;
    if (cudaStreamCreate(&stream) != cudaSuccess) {
        printf("custom_op_cuda: no CUDA device here\n");
        return 77;
    }
    WNNContext ctx = NULL;
    if (wnnCreateContextOnCudaStream(0, stream, NULL, &ctx) != WNNStatus_Success) {
        printf("custom_op_cuda: %s\n", wnnGetLastErrorMessage());
        return 77;
    }

    /* The graph: y = conv2d(x, filter). The app adds the bias and applies relu itself. */
    static float filter[3 * 3 * C * K], input[H * W * C], bias[K];
    for (size_t i = 0; i < sizeof filter / sizeof *filter; i++) filter[i] = 0.01f;
    for (size_t i = 0; i < sizeof input / sizeof *input; i++) input[i] = 0.01f;
    for (size_t i = 0; i < K; i++) bias[i] = 0.1f;
    uint32_t xShape[4] = {1, H, W, C}, wShape[4] = {3, 3, C, K};
    WNNOperandDescriptor xDesc = {WNNOperandDataType_Float32, xShape, 4}, wDesc = {WNNOperandDataType_Float32, wShape, 4};
    WNNGraphBuilder builder;
    WNNOperand x, w, y;
    CHECK(wnnCreateGraphBuilder(ctx, &builder));
    CHECK(wnnGraphBuilderInput(builder, "x", &xDesc, &x));
    CHECK(wnnGraphBuilderConstant(builder, &wDesc, filter, sizeof filter, &w));
    WNNConv2dOptions options = WNN_CONV2D_OPTIONS_INIT;
    uint32_t padding[4] = {1, 1, 1, 1};
    options.padding = padding;
    options.paddingCount = 4;
    options.inputLayout = WNNInputOperandLayout_Nhwc;
    options.filterLayout = WNNConv2dFilterOperandLayout_Hwio;
    CHECK(wnnGraphBuilderConv2d(builder, x, w, &options, &y));
    WNNNamedOperand output = {"y", y};
    WNNGraph graph;
    CHECK(wnnGraphBuilderBuild(builder, &output, 1, &graph));
    wnnGraphBuilderRelease(builder);

    /* Tensors: the conv output is exportable so that the app's kernel can work on it in place. */
    WNNTensorDescriptor inDesc = {WNNOperandDataType_Float32, xShape, 4, false, true, false};
    WNNTensorDescriptor outDesc = {WNNOperandDataType_Float32, xShape, 4, true, false, true};
    WNNTensor xt, yt;
    CHECK(wnnContextCreateTensor(ctx, &inDesc, &xt));
    CHECK(wnnContextCreateTensor(ctx, &outDesc, &yt));
    CHECK(wnnContextWriteTensor(ctx, xt, input, sizeof input));
    float* deviceBias;
    cudaMalloc((void**)&deviceBias, sizeof bias);
    cudaMemcpy(deviceBias, bias, sizeof bias, cudaMemcpyHostToDevice);

    /* 1. WebNN: conv2d. */
    WNNNamedTensor in = {"x", xt}, out = {"y", yt};
    CHECK(wnnContextDispatch(ctx, graph, &in, 1, &out, 1));
    /* 2. Rent the result to the app's stream, run the app's kernel on it in place, return it. */
    WNNCudaConsumer app = {0, stream};
    WNNCudaExportedTensor rented;
    WNNCudaExportInfo info;
    CHECK(wnnContextExportToCuda(ctx, yt, &app, &rented, &info));
    int e = app_add_relu(0, info.devicePointer, deviceBias, K, info.devicePointer, (int64_t)H * W * K, stream);
    CHECK(wnnCudaExportedTensorReturn(rented, stream));
    /* 3. Read the result (the one host wait of the program). */
    static float result[H * W * K];
    CHECK(wnnContextReadTensor(ctx, yt, result, sizeof result));

    size_t corner = 0, edge = (size_t)(W / 2) * K, inside = ((size_t)(H / 2) * W + W / 2) * K;
    printf("exported pointer %p (%s), app kernel %s\n", info.devicePointer, info.isCopy ? "a copy" : "no copy",
           e ? cudaGetErrorString((cudaError_t)e) : "ok");
    printf("output inside %.4f, edge %.4f, corner %.4f (expected 0.19, 0.16, 0.14)\n", result[inside], result[edge],
           result[corner]);
    int ok = !e && !info.isCopy && result[inside] > 0.1899f && result[inside] < 0.1901f && result[edge] > 0.1599f &&
             result[edge] < 0.1601f && result[corner] > 0.1399f && result[corner] < 0.1401f;
    printf("%s\n", ok ? "PASS" : "FAIL");

    cudaFree(deviceBias);
    wnnTensorRelease(xt);
    wnnTensorRelease(yt);
    wnnGraphRelease(graph);
    wnnContextRelease(ctx);
    cudaStreamDestroy(stream);
    return ok ? 0 : 1;
}
