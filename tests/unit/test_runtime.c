/* test_runtime.c: object lifetimes and misuse (issue point 5): each misuse returns the spec's
 * error with a message, and nothing leaks (run under ASan/LeakSanitizer in CI). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wt.h"

static const uint32_t k_shape[2] = {2, 3};

static WNNTensor make_tensor(WNNContext ctx, WNNOperandDataType type, uint32_t rank, const uint32_t* shape,
                             bool readable, bool writable) {
    WNNTensorDescriptor d = {type, shape, rank, readable, writable, false};
    WNNTensor t = NULL;
    WT_OK(wnnContextCreateTensor(ctx, &d, &t));
    return t;
}

/* relu(x + y) over [2,3] float32. */
static WNNGraph make_graph(WNNContext ctx) {
    WNNGraphBuilder b = NULL;
    WT_OK(wnnCreateGraphBuilder(ctx, &b));
    WNNOperandDescriptor d = {WNNOperandDataType_Float32, k_shape, 2};
    WNNOperand x, y, sum, out;
    WT_OK(wnnGraphBuilderInput(b, "x", &d, &x));
    WT_OK(wnnGraphBuilderInput(b, "y", &d, &y));
    WT_OK(wnnGraphBuilderAdd(b, x, y, NULL, &sum));
    WT_OK(wnnGraphBuilderRelu(b, sum, NULL, &out));
    WNNNamedOperand outs[1] = {{"out", out}};
    WNNGraph g = NULL;
    WT_OK(wnnGraphBuilderBuild(b, outs, 1, &g));
    wnnGraphBuilderRelease(b);
    return g;
}

static void test_happy_path_and_zero_fill(void) {
    WNNContext ctx = wt_cpu();
    WNNGraph g = make_graph(ctx);
    WNNTensor x = make_tensor(ctx, WNNOperandDataType_Float32, 2, k_shape, true, true);
    WNNTensor y = make_tensor(ctx, WNNOperandDataType_Float32, 2, k_shape, false, true);
    WNNTensor out = make_tensor(ctx, WNNOperandDataType_Float32, 2, k_shape, true, false);
    float zero[6] = {1, 1, 1, 1, 1, 1};
    WT_OK(wnnContextReadTensor(ctx, x, zero, sizeof zero));
    for (int i = 0; i < 6; i++) WT_CHECK(zero[i] == 0.0f); /* createTensor zero-fills */
    float a[6] = {1, -2, 3, -4, 5, -6}, c[6] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}, r[6];
    WT_OK(wnnContextWriteTensor(ctx, x, a, sizeof a));
    WT_OK(wnnContextWriteTensor(ctx, y, c, sizeof c));
    WNNNamedTensor ins[2] = {{"y", y}, {"x", x}}; /* any order */
    WNNNamedTensor outs[1] = {{"out", out}};
    WT_OK(wnnContextDispatch(ctx, g, ins, 2, outs, 1));
    WT_OK(wnnContextReadTensor(ctx, out, r, sizeof r));
    double want[6] = {1.5, 0, 3.5, 0, 5.5, 0};
    wt_expect_f32("relu(x+y)", r, want, 6, 0);
    wnnTensorRelease(x);
    wnnTensorRelease(y);
    wnnTensorRelease(out);
    wnnGraphRelease(g);
}

static void test_dispatch_misuse(void) {
    WNNContext ctx = wt_cpu();
    WNNGraph g = make_graph(ctx);
    WNNTensor x = make_tensor(ctx, WNNOperandDataType_Float32, 2, k_shape, true, true);
    WNNTensor y = make_tensor(ctx, WNNOperandDataType_Float32, 2, k_shape, true, true);
    WNNTensor out = make_tensor(ctx, WNNOperandDataType_Float32, 2, k_shape, true, true);
    uint32_t other[2] = {3, 2};
    WNNTensor wrongShape = make_tensor(ctx, WNNOperandDataType_Float32, 2, other, true, true);
    WNNTensor wrongType = make_tensor(ctx, WNNOperandDataType_Float16, 2, k_shape, true, true);
    WNNNamedTensor outs[1] = {{"out", out}};

    WNNNamedTensor missing[1] = {{"x", x}};
    WT_CHECK_STATUS(wnnContextDispatch(ctx, g, missing, 1, outs, 1), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("'y'");
    WNNNamedTensor extra[3] = {{"x", x}, {"y", y}, {"z", wrongShape}};
    WT_CHECK_STATUS(wnnContextDispatch(ctx, g, extra, 3, outs, 1), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("'z'");
    WNNNamedTensor badShape[2] = {{"x", x}, {"y", wrongShape}};
    WT_CHECK_STATUS(wnnContextDispatch(ctx, g, badShape, 2, outs, 1), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("[3,2]");
    WNNNamedTensor badType[2] = {{"x", wrongType}, {"y", y}};
    WT_CHECK_STATUS(wnnContextDispatch(ctx, g, badType, 2, outs, 1), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("float16");
    WNNNamedTensor twice[2] = {{"x", x}, {"y", x}};
    WT_CHECK_STATUS(wnnContextDispatch(ctx, g, twice, 2, outs, 1), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("same tensor");
    WNNNamedTensor ins[2] = {{"x", x}, {"y", y}};
    WNNNamedTensor inPlace[1] = {{"out", x}};
    WT_CHECK_STATUS(wnnContextDispatch(ctx, g, ins, 2, inPlace, 1), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("same tensor");
    WNNNamedTensor nullTensor[2] = {{"x", x}, {"y", NULL}};
    WT_CHECK_STATUS(wnnContextDispatch(ctx, g, nullTensor, 2, outs, 1), WNNStatus_TypeError);
    WNNNamedTensor dupName[3] = {{"x", x}, {"y", y}, {"x", wrongShape}};
    WT_CHECK_STATUS(wnnContextDispatch(ctx, g, dupName, 3, outs, 1), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnContextDispatch(ctx, g, ins, 2, NULL, 0), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("'out'");

    /* A constant tensor cannot be dispatched. */
    WNNOperandDescriptor cd = {WNNOperandDataType_Float32, k_shape, 2};
    float six[6] = {0};
    WNNTensor constant = NULL;
    WT_OK(wnnContextCreateConstantTensor(ctx, &cd, six, sizeof six, &constant));
    WT_CHECK(wnnTensorIsConstant(constant) && !wnnTensorIsReadable(constant));
    WNNNamedTensor withConst[2] = {{"x", constant}, {"y", y}};
    WT_CHECK_STATUS(wnnContextDispatch(ctx, g, withConst, 2, outs, 1), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("constant");

    /* Destroyed tensor, then destroyed graph. */
    wnnTensorDestroy(y);
    WT_CHECK_STATUS(wnnContextDispatch(ctx, g, ins, 2, outs, 1), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("destroyed");
    wnnTensorDestroy(y); /* idempotent */
    wnnGraphDestroy(g);
    WT_CHECK_STATUS(wnnContextDispatch(ctx, g, ins, 2, outs, 1), WNNStatus_InvalidStateError);
    WT_CHECK(wnnGraphGetInputCount(g) == 0);

    wnnTensorRelease(constant);
    wnnTensorRelease(x);
    wnnTensorRelease(y);
    wnnTensorRelease(out);
    wnnTensorRelease(wrongShape);
    wnnTensorRelease(wrongType);
    wnnGraphRelease(g);
}

static void test_read_write_misuse(void) {
    WNNContext ctx = wt_cpu();
    WNNTensor ro = make_tensor(ctx, WNNOperandDataType_Float32, 2, k_shape, true, false);
    WNNTensor wo = make_tensor(ctx, WNNOperandDataType_Float32, 2, k_shape, false, true);
    float buf[6] = {0};
    WT_CHECK_STATUS(wnnContextWriteTensor(ctx, ro, buf, sizeof buf), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("not writable");
    WT_CHECK_STATUS(wnnContextReadTensor(ctx, wo, buf, sizeof buf), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("not readable");
    WT_CHECK_STATUS(wnnContextWriteTensor(ctx, wo, buf, sizeof buf - 1), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("byte length");
    WT_CHECK_STATUS(wnnContextReadTensor(ctx, ro, buf, sizeof buf + 4), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnContextWriteTensor(ctx, wo, NULL, sizeof buf), WNNStatus_TypeError);
    wnnTensorDestroy(ro);
    WT_CHECK_STATUS(wnnContextReadTensor(ctx, ro, buf, sizeof buf), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("destroyed");

    /* Invalid descriptors. */
    WNNTensor t = NULL;
    uint32_t zero[2] = {2, 0};
    WNNTensorDescriptor d0 = {WNNOperandDataType_Float32, zero, 2, true, true, false};
    WT_CHECK_STATUS(wnnContextCreateTensor(ctx, &d0, &t), WNNStatus_TypeError);
    WT_CHECK(t == NULL);
    WNNTensorDescriptor dt = {(WNNOperandDataType)42, k_shape, 2, true, true, false};
    WT_CHECK_STATUS(wnnContextCreateTensor(ctx, &dt, &t), WNNStatus_TypeError);
    uint32_t big[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    WNNTensorDescriptor dr = {WNNOperandDataType_Float32, big, 9, true, true, false};
    WT_CHECK_STATUS(wnnContextCreateTensor(ctx, &dr, &t), WNNStatus_TypeError);
    uint32_t huge[2] = {65536, 65536};
    WNNTensorDescriptor dh = {WNNOperandDataType_Float32, huge, 2, true, true, false};
    WT_CHECK_STATUS(wnnContextCreateTensor(ctx, &dh, &t), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("element count");
    /* Exportable to CUDA code: a GPU context's tensors are, and a CPU context's where a usable GPU
     * is present (copied through pinned staging, tensor.c); elsewhere not. */
    WNNTensorDescriptor de = {WNNOperandDataType_Float32, k_shape, 2, true, true, true};
    bool gpuHere = false;
    for (uint32_t i = 0; i < wnnGetAdapterCount(); i++) {
        WNNAdapterInfo info;
        if (wnnGetAdapterInfo(i, &info) == WNNStatus_Success && info.kind == WNNAdapterKind_Gpu && info.available) gpuHere = true;
    }
    if (wnnContextIsAccelerated(ctx) || gpuHere) {
        WT_OK(wnnContextCreateTensor(ctx, &de, &t));
        wnnTensorRelease(t);
        t = NULL;
    } else {
        WT_CHECK_STATUS(wnnContextCreateTensor(ctx, &de, &t), WNNStatus_NotSupportedError);
    }

    /* A tensor of another context. */
    WNNContext other = NULL;
    WT_OK(wnnCreateContext(NULL, &other));
    WT_CHECK_STATUS(wnnContextWriteTensor(other, wo, buf, sizeof buf), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("another context");
    wnnContextRelease(other);
    wnnTensorRelease(ro);
    wnnTensorRelease(wo);
}

static void test_builder_misuse(void) {
    WNNContext ctx = wt_cpu();
    WNNGraphBuilder b = wt_builder(), b2 = wt_builder();
    WNNOperandDescriptor d = {WNNOperandDataType_Float32, k_shape, 2};
    WNNOperand x, y, foreign, r;
    WT_OK(wnnGraphBuilderInput(b, "x", &d, &x));
    WT_OK(wnnGraphBuilderInput(b2, "x", &d, &foreign));
    WT_CHECK_STATUS(wnnGraphBuilderInput(b, "", &d, &y), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("empty");
    WT_CHECK_STATUS(wnnGraphBuilderInput(b, NULL, &d, &y), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnGraphBuilderInput(b, "x", &d, &y), WNNStatus_TypeError);
    WT_CHECK(y == NULL);

    /* An operand of another builder, then the builder still works. */
    WT_CHECK_STATUS(wnnGraphBuilderAdd(b, x, foreign, NULL, &r), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("another builder");
    WT_CHECK(r == NULL);
    WT_CHECK_STATUS(wnnGraphBuilderAdd(b, x, NULL, NULL, &r), WNNStatus_TypeError);

    /* Constants: byte length, from scalar, from a constant tensor. */
    float six[6] = {1, 2, 3, 4, 5, 6};
    WNNOperand c;
    WT_CHECK_STATUS(wnnGraphBuilderConstant(b, &d, six, 5, &c), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("bytes");
    WT_OK(wnnGraphBuilderConstant(b, &d, six, sizeof six, &c));
    WNNOperand scalar;
    WT_OK(wnnGraphBuilderConstantScalar(b, WNNOperandDataType_Float32, wnnNumberDouble(0.5), &scalar));
    WT_CHECK(wnnOperandGetRank(scalar) == 0);
    WNNTensor ct = NULL, plain = make_tensor(ctx, WNNOperandDataType_Float32, 2, k_shape, true, true);
    WT_OK(wnnContextCreateConstantTensor(ctx, &d, six, sizeof six, &ct));
    WNNOperand fromTensor;
    WT_CHECK_STATUS(wnnGraphBuilderConstantTensor(b, plain, &fromTensor), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("not a constant tensor");
    WT_OK(wnnGraphBuilderConstantTensor(b, ct, &fromTensor));

    /* Build-output rules. */
    WNNOperand s1, s2, s3, s4;
    WT_OK(wnnGraphBuilderAdd(b, x, c, NULL, &s1));
    WT_OK(wnnGraphBuilderAdd(b, s1, fromTensor, NULL, &s2));
    WT_OK(wnnGraphBuilderAdd(b, s2, scalar, NULL, &s3));
    WT_OK(wnnGraphBuilderRelu(b, x, NULL, &s4)); /* not needed by the outputs: pruned */
    WNNGraph g = NULL;
    WNNNamedOperand asInput[1] = {{"x", x}};
    WT_CHECK_STATUS(wnnGraphBuilderBuild(b, asInput, 1, &g), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("identity");
    WNNNamedOperand emptyName[1] = {{"", s3}};
    WT_CHECK_STATUS(wnnGraphBuilderBuild(b, emptyName, 1, &g), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnGraphBuilderBuild(b, NULL, 0, &g), WNNStatus_TypeError);
    WNNNamedOperand dup[2] = {{"o", s3}, {"o", s2}};
    WT_CHECK_STATUS(wnnGraphBuilderBuild(b, dup, 2, &g), WNNStatus_TypeError);
    WNNNamedOperand foreignOut[1] = {{"o", foreign}};
    WT_CHECK_STATUS(wnnGraphBuilderBuild(b, foreignOut, 1, &g), WNNStatus_TypeError);

    /* The constant tensor may be destroyed after build, not before. Two names for one operand. */
    WNNNamedOperand outs[2] = {{"o1", s3}, {"o2", s3}};
    WT_OK(wnnGraphBuilderBuild(b, outs, 2, &g));
    wnnTensorDestroy(ct);
    WT_CHECK(wnnGraphGetInputCount(g) == 1);
    float in[6] = {0, 0, 0, 0, 0, 0}, o1[6], o2[6];
    WNNTensor ti = make_tensor(ctx, WNNOperandDataType_Float32, 2, k_shape, false, true);
    WNNTensor to1 = make_tensor(ctx, WNNOperandDataType_Float32, 2, k_shape, true, false);
    WNNTensor to2 = make_tensor(ctx, WNNOperandDataType_Float32, 2, k_shape, true, false);
    WT_OK(wnnContextWriteTensor(ctx, ti, in, sizeof in));
    WNNNamedTensor ins[1] = {{"x", ti}}, outsT[2] = {{"o1", to1}, {"o2", to2}};
    WT_OK(wnnContextDispatch(ctx, g, ins, 1, outsT, 2));
    WT_OK(wnnContextReadTensor(ctx, to1, o1, sizeof o1));
    WT_OK(wnnContextReadTensor(ctx, to2, o2, sizeof o2));
    double want[6] = {2.5, 4.5, 6.5, 8.5, 10.5, 12.5};
    wt_expect_f32("o1", o1, want, 6, 0);
    wt_expect_f32("o2", o2, want, 6, 0);

    /* After build, every builder call fails with InvalidStateError. */
    WNNGraph g2 = NULL;
    WT_CHECK_STATUS(wnnGraphBuilderBuild(b, outs, 1, &g2), WNNStatus_InvalidStateError);
    WT_CHECK_STATUS(wnnGraphBuilderInput(b, "z", &d, &y), WNNStatus_InvalidStateError);
    WT_CHECK_STATUS(wnnGraphBuilderRelu(b, x, NULL, &r), WNNStatus_InvalidStateError);
    WT_CHECK_MESSAGE("already built");

    /* A destroyed constant tensor fails the build of another builder. */
    WNNTensor ct2 = NULL;
    WT_OK(wnnContextCreateConstantTensor(ctx, &d, six, sizeof six, &ct2));
    WNNOperand k, kk;
    WT_OK(wnnGraphBuilderConstantTensor(b2, ct2, &k));
    WT_OK(wnnGraphBuilderAdd(b2, foreign, k, NULL, &kk));
    wnnTensorDestroy(ct2);
    WNNNamedOperand o3[1] = {{"o", kk}};
    WT_CHECK_STATUS(wnnGraphBuilderBuild(b2, o3, 1, &g2), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("destroyed");

    wnnTensorRelease(ct);
    wnnTensorRelease(ct2);
    wnnTensorRelease(plain);
    wnnTensorRelease(ti);
    wnnTensorRelease(to1);
    wnnTensorRelease(to2);
    wnnGraphRelease(g);
    wnnGraphBuilderRelease(b);
    wnnGraphBuilderRelease(b2);
}

static void test_context_destroy(void) {
    WNNContext ctx = NULL;
    WT_OK(wnnCreateContext(NULL, &ctx));
    WNNGraph g = make_graph(ctx);
    WNNTensor t = make_tensor(ctx, WNNOperandDataType_Float32, 2, k_shape, true, true);
    WNNGraphBuilder b = NULL;
    WT_OK(wnnCreateGraphBuilder(ctx, &b));
    WT_CHECK(!wnnContextIsLost(ctx, NULL));
    wnnContextDestroy(ctx);
    const char* why = NULL;
    WT_CHECK(wnnContextIsLost(ctx, &why) && strstr(why, "destroyed"));
    float buf[6];
    WT_CHECK_STATUS(wnnContextReadTensor(ctx, t, buf, sizeof buf), WNNStatus_InvalidStateError);
    WNNNamedTensor ins[2] = {{"x", t}, {"y", t}};
    WT_CHECK_STATUS(wnnContextDispatch(ctx, g, ins, 2, NULL, 0), WNNStatus_InvalidStateError);
    WNNTensor t2 = NULL;
    WT_CHECK_STATUS(wnnContextCreateTensor(ctx, &(WNNTensorDescriptor){WNNOperandDataType_Float32, k_shape, 2, 0, 0, 0}, &t2),
                    WNNStatus_InvalidStateError);
    WNNOperand x;
    WT_CHECK_STATUS(wnnGraphBuilderInput(b, "x", &(WNNOperandDescriptor){WNNOperandDataType_Float32, k_shape, 2}, &x),
                    WNNStatus_InvalidStateError);
    WNNGraphBuilder b2 = NULL;
    WT_CHECK_STATUS(wnnCreateGraphBuilder(ctx, &b2), WNNStatus_InvalidStateError);
    wnnContextDestroy(ctx); /* idempotent */
    wnnGraphBuilderRelease(b);
    wnnTensorRelease(t);
    wnnGraphRelease(g);
    wnnContextRelease(ctx); /* the last reference */
}

static void test_context_options_and_adapters(void) {
    WT_CHECK(wnnGetAdapterCount() >= 1);
    WNNAdapterInfo info;
    WT_OK(wnnGetAdapterInfo(0, &info));
    WT_CHECK(info.kind == WNNAdapterKind_Cpu && info.available);
    WT_CHECK_STATUS(wnnGetAdapterInfo(99, &info), WNNStatus_TypeError);
    WNNContext ctx = NULL;
    WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
    o.adapterIndex = wnnSomeUint32(99);
    WT_CHECK_STATUS(wnnCreateContext(&o, &ctx), WNNStatus_NotSupportedError);
    WT_CHECK(ctx == NULL);
    o.adapterIndex.present = false;
    o.powerPreference = (WNNPowerPreference)7;
    WT_CHECK_STATUS(wnnCreateContext(&o, &ctx), WNNStatus_TypeError);
    o.powerPreference = WNNPowerPreference_LowPower;
    o.threadCount = 1;
    o.allowReducedPrecisionFloat32 = true; /* no effect on the CPU; accepted */
    WT_OK(wnnCreateContext(&o, &ctx));
    WT_CHECK(!wnnContextIsAccelerated(ctx));
    WNNOpSupportLimits lim;
    WT_OK(wnnContextGetOpSupportLimits(ctx, &lim));
    WT_CHECK(lim.maxTensorByteLength > 0 && lim.input.rankMax == WNN_MAX_RANK);
    WNNTensorLimits tl;
    WT_OK(wnnContextGetOperandLimits(ctx, "conv2d", "input", &tl));
    WT_CHECK(tl.rankMin == 4 && tl.rankMax == 4 && (tl.dataTypes & (1u << WNNOperandDataType_Float16)));
    WT_CHECK_STATUS(wnnContextGetOperandLimits(ctx, "conv3d", "input", &tl), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnContextGetOperandLimits(ctx, "conv2d", "weights", &tl), WNNStatus_TypeError);
    WT_CHECK(wnnGetOperatorCount() == 95);
    for (uint32_t i = 0; i < wnnGetOperatorCount(); i++) {
        const char* name = wnnGetOperatorName(i);
        WT_CHECK(wnnGetOperatorOperandCount(name) >= 2);
        for (uint32_t j = 0; j < wnnGetOperatorOperandCount(name); j++) {
            WNNTensorLimits req, have;
            const char* slot = wnnGetOperatorOperandName(name, j);
            WT_OK(wnnGetRequiredOperandLimits(name, slot, &req));
            WT_OK(wnnContextGetOperandLimits(ctx, name, slot, &have));
            /* What the spec requires is supported. */
            WT_CHECK((req.dataTypes & ~have.dataTypes) == 0);
            WT_CHECK(have.rankMin <= req.rankMin && req.rankMax <= have.rankMax);
        }
    }
    wnnContextRelease(ctx);
}

/* A long chain exercises the memory plan's reuse: every intermediate is consumed by the next op. */
static void test_memory_plan_chain(void) {
    WNNGraphBuilder b = wt_builder();
    uint32_t shape[1] = {1000};
    WNNOperand x = wt_input(b, "x", WNNOperandDataType_Float32, 1, shape), cur = x, side = NULL;
    float ones[1000];
    for (int i = 0; i < 1000; i++) ones[i] = 1.0f;
    WNNOperand one = wt_constant(b, WNNOperandDataType_Float32, 1, shape, ones);
    for (int i = 0; i < 20; i++) {
        WNNOperand next;
        WT_OK(wnnGraphBuilderAdd(b, cur, one, NULL, &next));
        if (i == 3) side = next; /* kept alive to the end */
        cur = next;
    }
    WNNOperand out;
    WT_OK(wnnGraphBuilderAdd(b, cur, side, NULL, &out));
    float in[1000], res[1000];
    for (int i = 0; i < 1000; i++) in[i] = (float)i;
    WtFeed feed = {"x", in};
    WNNNamedOperand outs[1] = {{"out", out}};
    void* data[1] = {res};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, 1, data));
    double want[1000];
    for (int i = 0; i < 1000; i++) want[i] = (i + 20.0) + (i + 4.0);
    wt_expect_f32("chain", res, want, 1000, 0);
    wnnGraphBuilderRelease(b);
}

/* wnnGraphGetMemoryInfo: a chain of four relus over 1024 floats has three intermediates of 4 KiB
 * (12 KiB without reuse); by liveness at most two are alive at once (the CPU's arena), and a GPU
 * that fuses the chain needs none. Misuse is a TypeError / InvalidStateError. */
static void test_memory_info(void) {
    WNNGraphBuilder b = wt_builder();
    uint32_t n = 1024;
    WNNOperand v = wt_input(b, "x", WNNOperandDataType_Float32, 1, &n);
    for (int i = 0; i < 4; i++) WT_OK(wnnGraphBuilderRelu(b, v, NULL, &v));
    WNNNamedOperand out = {"y", v};
    WNNGraph g = NULL;
    WT_OK(wnnGraphBuilderBuild(b, &out, 1, &g));
    WNNGraphMemoryInfo m;
    WT_OK(wnnGraphGetMemoryInfo(g, &m));
    WT_CHECK(m.intermediateTensorBytes == 3 * 4096);
    WT_CHECK(m.intermediateBytes <= 2 * 4096);
    WT_CHECK_STATUS(wnnGraphGetMemoryInfo(g, NULL), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnGraphGetMemoryInfo(NULL, &m), WNNStatus_TypeError);
    wnnGraphDestroy(g);
    WT_CHECK_STATUS(wnnGraphGetMemoryInfo(g, &m), WNNStatus_InvalidStateError);
    wnnGraphRelease(g);
    wnnGraphBuilderRelease(b);
}

/* wnnGraphGetMemoryInfo's preparedBytes: a matmul by a constant 256 x 128 weight holds it in its
 * kernel's layout (packed or reordered; the kernel table's own matmul reads the constant itself,
 * and a GPU reports 0); a chain of relus prepares nothing. */
static void test_memory_info_prepared(void) {
    WNNAdapterInfo info;
    WT_OK(wnnContextGetAdapterInfo(wt_cpu(), &info));
    const char* path = getenv("WNN_CPU_MATMUL");
    int cpu = strcmp(info.backend, "cpu") == 0 && !(path && strcmp(path, "own") == 0);
    WNNGraphBuilder b = wt_builder();
    uint32_t xs[2] = {64, 256}, ws[2] = {256, 128};
    float* w = calloc(256 * 128, sizeof(float));
    WNNOperand x = wt_input(b, "x", WNNOperandDataType_Float32, 2, xs), y;
    WT_OK(wnnGraphBuilderMatmul(b, x, wt_constant(b, WNNOperandDataType_Float32, 2, ws, w), NULL, &y));
    WT_OK(wnnGraphBuilderRelu(b, y, NULL, &y));
    WNNNamedOperand out = {"y", y};
    WNNGraph g = NULL;
    WT_OK(wnnGraphBuilderBuild(b, &out, 1, &g));
    WNNGraphMemoryInfo m;
    WT_OK(wnnGraphGetMemoryInfo(g, &m));
    WT_CHECK(cpu ? m.preparedBytes >= 256 * 128 * sizeof(float) : m.preparedBytes == 0);
    WT_CHECK(m.preparedBytes < 4 * 256 * 128 * sizeof(float)); /* the weight, not copies of it */
    wnnGraphRelease(g);
    wnnGraphBuilderRelease(b);
    free(w);

    b = wt_builder();
    uint32_t n = 1024;
    WNNOperand v = wt_input(b, "x", WNNOperandDataType_Float32, 1, &n);
    for (int i = 0; i < 3; i++) WT_OK(wnnGraphBuilderRelu(b, v, NULL, &v));
    out.operand = v;
    WT_OK(wnnGraphBuilderBuild(b, &out, 1, &g));
    WT_OK(wnnGraphGetMemoryInfo(g, &m));
    WT_CHECK(m.preparedBytes == 0);
    wnnGraphRelease(g);
    wnnGraphBuilderRelease(b);
}

/* wnnContextAllocateHostMemory on the test adapter (page-locked on a GPU): a round trip through
 * it, and every misuse a clear TypeError: byteLength 0, NULL out-pointer, freeing twice, freeing
 * memory of another context or of malloc. A block left unfreed goes with the context (LeakSanitizer
 * checks it in the sanitizer build); a lost context allocates nothing. */
static void test_host_memory(void) {
    WNNContext ctx = wt_cpu(), other = NULL;
    WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
    o.adapterIndex = wnnSomeUint32(0);
    WT_OK(wnnCreateContext(&o, &other));
    float *h = NULL, *left = NULL;
    WT_OK(wnnContextAllocateHostMemory(ctx, 6 * sizeof(float), (void**)&h));
    WT_CHECK(h && ((uintptr_t)h & 63) == 0);
    WNNTensor t = make_tensor(ctx, WNNOperandDataType_Float32, 2, k_shape, true, true);
    for (int i = 0; i < 6; i++) h[i] = (float)i - 2.5f;
    WT_OK(wnnContextWriteTensor(ctx, t, h, 6 * sizeof(float)));
    for (int i = 0; i < 6; i++) h[i] = 0;
    WT_OK(wnnContextReadTensor(ctx, t, h, 6 * sizeof(float)));
    for (int i = 0; i < 6; i++) WT_CHECK(h[i] == (float)i - 2.5f);
    void* p = &left;
    WT_CHECK_STATUS(wnnContextAllocateHostMemory(ctx, 0, &p), WNNStatus_TypeError);
    WT_CHECK(p == NULL);
    WT_CHECK_STATUS(wnnContextAllocateHostMemory(ctx, 16, NULL), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnContextAllocateHostMemory(NULL, 16, &p), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnnContextFreeHostMemory(other, h), WNNStatus_TypeError); /* not other's */
    WT_CHECK_MESSAGE("not host memory of this context");
    float* plain = malloc(16);
    WT_CHECK_STATUS(wnnContextFreeHostMemory(ctx, plain), WNNStatus_TypeError);
    free(plain);
    WT_OK(wnnContextFreeHostMemory(ctx, NULL));
    WT_OK(wnnContextFreeHostMemory(ctx, h));
    WT_CHECK_STATUS(wnnContextFreeHostMemory(ctx, h), WNNStatus_TypeError); /* twice */
    wnnTensorRelease(t);
    WT_OK(wnnContextAllocateHostMemory(other, 1000, (void**)&left)); /* freed by the release below */
    left[999 / sizeof(float)] = 1.0f;
    wnnContextDestroy(other);
    WT_CHECK_STATUS(wnnContextAllocateHostMemory(other, 16, &p), WNNStatus_InvalidStateError);
    wnnContextRelease(other);
}

int main(void) {
    test_happy_path_and_zero_fill();
    test_dispatch_misuse();
    test_read_write_misuse();
    test_builder_misuse();
    test_context_destroy();
    test_context_options_and_adapters();
    test_memory_plan_chain();
    test_host_memory();
    test_memory_info();
    test_memory_info_prepared();
    return wt_summary("test_runtime");
}
