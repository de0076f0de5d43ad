/* hello_webnn.c: the smallest complete WebNN program: build relu(a + b), run it on the default
 * device and print the result. Built against the installed library (see examples/CMakeLists.txt
 * and the pkg-config line in README.md). */
#include <stdio.h>
#include <webnn/webnn.h>

#define CHECK(call)                                                                     \
    if ((call) != WNNStatus_Success) {                                                  \
        fprintf(stderr, "%s: %s\n", #call, wnnGetLastErrorMessage());                  \
        return 1;                                                                       \
    }

int main(void) {
    WNNContext ctx;
    CHECK(wnnCreateContext(NULL, &ctx));
    WNNGraphBuilder b;
    CHECK(wnnCreateGraphBuilder(ctx, &b));
    const uint32_t shape[1] = {4};
    WNNOperandDescriptor d = {WNNOperandDataType_Float32, shape, 1};
    WNNOperand a, c, sum, out;
    CHECK(wnnGraphBuilderInput(b, "a", &d, &a));
    const float bias[4] = {0.5f, -0.5f, 0.5f, -0.5f};
    CHECK(wnnGraphBuilderConstant(b, &d, bias, sizeof bias, &c));
    CHECK(wnnGraphBuilderAdd(b, a, c, NULL, &sum));
    CHECK(wnnGraphBuilderRelu(b, sum, NULL, &out));
    WNNNamedOperand outputs[1] = {{"out", out}};
    WNNGraph g;
    CHECK(wnnGraphBuilderBuild(b, outputs, 1, &g));

    WNNTensorDescriptor inDesc = {WNNOperandDataType_Float32, shape, 1, false, true, false};
    WNNTensorDescriptor outDesc = {WNNOperandDataType_Float32, shape, 1, true, false, false};
    WNNTensor ta, to;
    CHECK(wnnContextCreateTensor(ctx, &inDesc, &ta));
    CHECK(wnnContextCreateTensor(ctx, &outDesc, &to));
    const float input[4] = {1, 2, -3, 0.25f};
    CHECK(wnnContextWriteTensor(ctx, ta, input, sizeof input));
    WNNNamedTensor ins[1] = {{"a", ta}}, outs[1] = {{"out", to}};
    CHECK(wnnContextDispatch(ctx, g, ins, 1, outs, 1));
    float result[4];
    CHECK(wnnContextReadTensor(ctx, to, result, sizeof result));
    printf("relu(a + b) = [%g, %g, %g, %g]\n", result[0], result[1], result[2], result[3]);

    wnnTensorRelease(ta);
    wnnTensorRelease(to);
    wnnGraphRelease(g);
    wnnGraphBuilderRelease(b);
    wnnContextRelease(ctx);
    return !(result[0] == 1.5f && result[1] == 1.5f && result[2] == 0.0f && result[3] == 0.0f);
}
