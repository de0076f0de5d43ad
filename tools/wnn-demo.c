/* wnn-demo: the seed pipeline of WebNN issue #33 (what `make run` shows): conv2d on an NHWC input
 * [1,100,100,100] with an HWIO 3x3 filter, padding 1, bias, then relu, on the best device present.
 * With input 0.01, filter 0.01 and bias 0.1 the output is 0.19 inside, 0.16 on edges and 0.14 at
 * corners; the demo checks that, then times dispatch + read back. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device_select.h"
#include "tool_util.h"
#include "webnn/webnn.h"

#define CHECK(call)                                                                          \
    do {                                                                                     \
        if ((call) != WNNStatus_Success) {                                                   \
            fprintf(stderr, "%s failed: %s\n", #call, wnnGetLastErrorMessage());            \
            return 1;                                                                        \
        }                                                                                    \
    } while (0)



int main(int argc, char** argv) {
    const char* device = argc > 2 && strcmp(argv[1], "--device") == 0 ? argv[2] : "default";
    WNNContext ctx;
    if (wds_create_context(device, &ctx)) return 1;
    WNNAdapterInfo info;
    wnnContextGetAdapterInfo(ctx, &info);
    printf("libwebnn seed pipeline: conv2d(nhwc [1,100,100,100], hwio [3,3,100,100], padding 1, bias) + relu\n");
    printf("device: %s (%s)\n", info.name, info.backend);

    enum { N = 100 * 100 * 100, F = 3 * 3 * 100 * 100 };
    float* input = malloc(sizeof(float) * N);
    float* filter = malloc(sizeof(float) * F);
    float* output = malloc(sizeof(float) * N);
    float bias[100];
    for (int i = 0; i < N; i++) input[i] = 0.01f;
    for (int i = 0; i < F; i++) filter[i] = 0.01f;
    for (int i = 0; i < 100; i++) bias[i] = 0.1f;

    WNNGraphBuilder b;
    CHECK(wnnCreateGraphBuilder(ctx, &b));
    const uint32_t xs[4] = {1, 100, 100, 100}, ws[4] = {3, 3, 100, 100}, bs[1] = {100};
    WNNOperandDescriptor xd = {WNNOperandDataType_Float32, xs, 4}, wd = {WNNOperandDataType_Float32, ws, 4},
                         bd = {WNNOperandDataType_Float32, bs, 1};
    WNNOperand x, w, bb, conv, out;
    CHECK(wnnGraphBuilderInput(b, "input", &xd, &x));
    CHECK(wnnGraphBuilderConstant(b, &wd, filter, sizeof(float) * F, &w));
    CHECK(wnnGraphBuilderConstant(b, &bd, bias, sizeof bias, &bb));
    const uint32_t padding[4] = {1, 1, 1, 1};
    WNNConv2dOptions co = WNN_CONV2D_OPTIONS_INIT;
    co.padding = padding;
    co.paddingCount = 4;
    co.inputLayout = WNNInputOperandLayout_Nhwc;
    co.filterLayout = WNNConv2dFilterOperandLayout_Hwio;
    co.bias = bb;
    CHECK(wnnGraphBuilderConv2d(b, x, w, &co, &conv));
    CHECK(wnnGraphBuilderRelu(b, conv, NULL, &out));
    WNNNamedOperand named = {"output", out};
    WNNGraph g;
    double t0 = wtu_now_ms();
    CHECK(wnnGraphBuilderBuild(b, &named, 1, &g));
    printf("build: %.1f ms\n", wtu_now_ms() - t0);

    WNNTensorDescriptor in = {WNNOperandDataType_Float32, xs, 4, false, true, false};
    WNNTensorDescriptor od = {WNNOperandDataType_Float32, xs, 4, true, false, false};
    WNNTensor ti, to;
    CHECK(wnnContextCreateTensor(ctx, &in, &ti));
    CHECK(wnnContextCreateTensor(ctx, &od, &to));
    WNNNamedTensor ins = {"input", ti}, outs = {"output", to};
    CHECK(wnnContextWriteTensor(ctx, ti, input, sizeof(float) * N));
    CHECK(wnnContextDispatch(ctx, g, &ins, 1, &outs, 1));
    CHECK(wnnContextReadTensor(ctx, to, output, sizeof(float) * N));

    /* NHWC: (y, x) interior 0.19, edge 0.16, corner 0.14 */
    struct { int y, x; double want; const char* what; } probes[] = {
        {50, 50, 0.19, "interior"}, {0, 50, 0.16, "edge"}, {50, 99, 0.16, "edge"}, {0, 0, 0.14, "corner"}, {99, 99, 0.14, "corner"}};
    int bad = 0;
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        for (int c = 0; c < 100; c += 33) {
            float v = output[((probes[i].y * 100) + probes[i].x) * 100 + c];
            if (fabs(v - probes[i].want) > 1e-5 * probes[i].want + 1e-6) {
                printf("FAIL %s (%d,%d,c%d): %.6f, expected %.2f\n", probes[i].what, probes[i].y, probes[i].x, c, v, probes[i].want);
                bad++;
            }
        }
    printf("values: interior %.4f, edge %.4f, corner %.4f: %s\n", output[(50 * 100 + 50) * 100], output[50 * 100],
           output[0], bad ? "FAIL" : "PASS (0.19 / 0.16 / 0.14)");

    enum { RUNS = 20 };
    double times[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double s = wtu_now_ms();
        CHECK(wnnContextDispatch(ctx, g, &ins, 1, &outs, 1));
        CHECK(wnnContextReadTensor(ctx, to, output, sizeof(float) * N));
        times[r] = wtu_now_ms() - s;
    }
    wtu_sort(times, RUNS);
    printf("dispatch + read, median of %d: %.2f ms (min %.2f, max %.2f; %.1f GFLOP/s)\n", RUNS, times[RUNS / 2],
           times[0], times[RUNS - 1], 1.8e3 / times[RUNS / 2]);

    wnnTensorRelease(ti);
    wnnTensorRelease(to);
    wnnGraphRelease(g);
    wnnGraphBuilderRelease(b);
    wnnContextRelease(ctx);
    free(input);
    free(filter);
    free(output);
    return bad ? 1 : 0;
}
