/* fuzz_builder.c: libFuzzer target that drives the public builder API with random call sequences:
 * random descriptors (invalid types, ranks up to 9, zero and huge dimensions), inputs and
 * constants, then ops with random operands (including NULL and another builder's), random option
 * arrays and enum values; sometimes builds and dispatches small graphs. Any status is fine; a
 * crash, a leak or undefined behaviour is a bug. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webnn/webnn.h"

typedef struct Bytes {
    const uint8_t* p;
    size_t n;
} Bytes;

static uint32_t take(Bytes* b) {
    if (!b->n) return 0;
    b->n--;
    return *b->p++;
}
static uint32_t take_dim(Bytes* b) {
    uint32_t v = take(b);
    return v < 240 ? v % 5 : v == 255 ? 0xffffffffu : v * 1000u; /* mostly small, sometimes 0 or huge */
}

#define MAXOPS 32
typedef struct State {
    WNNGraphBuilder b, other;
    WNNOperand ops[MAXOPS];
    int count;
    WNNOperand foreign;
} State;

static WNNOperand pick(State* s, Bytes* b) {
    uint32_t v = take(b);
    if (v == 250) return NULL;
    if (v == 251) return s->foreign;
    return s->count ? s->ops[v % s->count] : NULL;
}
static void keep(State* s, WNNOperand x) {
    if (x && s->count < MAXOPS) s->ops[s->count++] = x;
}
static const uint32_t* list(Bytes* b, uint32_t* store, size_t* count) {
    uint32_t n = take(b) % 10;
    if (n == 9) {
        *count = 0;
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) store[i] = take_dim(b);
    *count = n;
    return store;
}

static void add_input(State* s, Bytes* b, int constant) {
    uint32_t shape[9], rank = take(b) % 10;
    for (uint32_t i = 0; i < rank; i++) shape[i] = take_dim(b);
    WNNOperandDescriptor d = {(WNNOperandDataType)(take(b) % 10), shape, rank};
    WNNOperand x = NULL;
    if (constant) {
        static uint8_t zeros[4096];
        size_t bytes = take(b) * 16u;
        wnnGraphBuilderConstant(s->b, &d, zeros, bytes, &x);
    } else {
        char name[16];
        name[0] = 'i';
        name[1] = (char)('a' + take(b) % 26);
        name[2] = 0;
        wnnGraphBuilderInput(s->b, name, &d, &x);
    }
    keep(s, x);
}

typedef WNNStatus (*Unary)(WNNGraphBuilder, WNNOperand, const WNNOperatorOptions*, WNNOperand*);
typedef WNNStatus (*Binary)(WNNGraphBuilder, WNNOperand, WNNOperand, const WNNOperatorOptions*, WNNOperand*);
typedef WNNStatus (*Reduce)(WNNGraphBuilder, WNNOperand, const WNNReduceOptions*, WNNOperand*);
typedef WNNStatus (*Pool)(WNNGraphBuilder, WNNOperand, const WNNPool2dOptions*, WNNOperand*);
static const Unary k_unary[] = {wnnGraphBuilderAbs, wnnGraphBuilderCeil, wnnGraphBuilderCos, wnnGraphBuilderErf,
    wnnGraphBuilderExp, wnnGraphBuilderFloor, wnnGraphBuilderIdentity, wnnGraphBuilderLog, wnnGraphBuilderNeg,
    wnnGraphBuilderReciprocal, wnnGraphBuilderRoundEven, wnnGraphBuilderSign, wnnGraphBuilderSin, wnnGraphBuilderSqrt,
    wnnGraphBuilderTan, wnnGraphBuilderGelu, wnnGraphBuilderHardSwish, wnnGraphBuilderRelu, wnnGraphBuilderSigmoid,
    wnnGraphBuilderSoftplus, wnnGraphBuilderSoftsign, wnnGraphBuilderTanh, wnnGraphBuilderIsNaN,
    wnnGraphBuilderIsInfinite, wnnGraphBuilderLogicalNot};
static const Binary k_binary[] = {wnnGraphBuilderAdd, wnnGraphBuilderSub, wnnGraphBuilderMul, wnnGraphBuilderDiv,
    wnnGraphBuilderMax, wnnGraphBuilderMin, wnnGraphBuilderPow, wnnGraphBuilderEqual, wnnGraphBuilderNotEqual,
    wnnGraphBuilderGreater, wnnGraphBuilderGreaterOrEqual, wnnGraphBuilderLesser, wnnGraphBuilderLesserOrEqual,
    wnnGraphBuilderLogicalAnd, wnnGraphBuilderLogicalOr, wnnGraphBuilderLogicalXor, wnnGraphBuilderMatmul,
    wnnGraphBuilderPrelu, wnnGraphBuilderGatherND};
static const Reduce k_reduce[] = {wnnGraphBuilderReduceL1, wnnGraphBuilderReduceL2, wnnGraphBuilderReduceLogSum,
    wnnGraphBuilderReduceLogSumExp, wnnGraphBuilderReduceMax, wnnGraphBuilderReduceMean, wnnGraphBuilderReduceMin,
    wnnGraphBuilderReduceProduct, wnnGraphBuilderReduceSum, wnnGraphBuilderReduceSumSquare};
static const Pool k_pool[] = {wnnGraphBuilderAveragePool2d, wnnGraphBuilderL2Pool2d, wnnGraphBuilderMaxPool2d};

static void one_op(State* s, Bytes* b) {
    uint32_t l1[10], l2[10], l3[10], l4[10];
    size_t n1, n2, n3, n4;
    WNNOperand out = NULL, outs[8] = {0};
    size_t count = 0;
    switch (take(b) % 24) {
        case 0: add_input(s, b, 0); return;
        case 1: add_input(s, b, 1); return;
        case 2: k_unary[take(b) % (sizeof k_unary / sizeof k_unary[0])](s->b, pick(s, b), NULL, &out); break;
        case 3: k_binary[take(b) % (sizeof k_binary / sizeof k_binary[0])](s->b, pick(s, b), pick(s, b), NULL, &out); break;
        case 4: {
            WNNReduceOptions o = WNN_REDUCE_OPTIONS_INIT;
            o.axes = list(b, l1, &o.axesCount);
            o.keepDimensions = take(b) & 1;
            k_reduce[take(b) % 10](s->b, pick(s, b), &o, &out);
            break;
        }
        case 5: {
            WNNPool2dOptions o = WNN_POOL2D_OPTIONS_INIT;
            o.windowDimensions = list(b, l1, &o.windowDimensionsCount);
            o.padding = list(b, l2, &o.paddingCount);
            o.strides = list(b, l3, &o.stridesCount);
            o.outputSizes = list(b, l4, &o.outputSizesCount);
            o.layout = (WNNInputOperandLayout)(take(b) % 4);
            o.outputShapeRounding = (WNNRoundingType)(take(b) % 4);
            k_pool[take(b) % 3](s->b, pick(s, b), &o, &out);
            break;
        }
        case 6: {
            WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
            o.padding = list(b, l1, &o.paddingCount);
            o.strides = list(b, l2, &o.stridesCount);
            o.dilations = list(b, l3, &o.dilationsCount);
            if (take(b) & 1) o.groups = wnnSomeUint32(take(b) % 4);
            o.inputLayout = (WNNInputOperandLayout)(take(b) % 4);
            o.filterLayout = (WNNConv2dFilterOperandLayout)(take(b) % 6);
            o.bias = take(b) & 1 ? pick(s, b) : NULL;
            wnnGraphBuilderConv2d(s->b, pick(s, b), pick(s, b), &o, &out);
            break;
        }
        case 7: {
            WNNConvTranspose2dOptions o = WNN_CONV_TRANSPOSE2D_OPTIONS_INIT;
            o.padding = list(b, l1, &o.paddingCount);
            o.strides = list(b, l2, &o.stridesCount);
            o.outputPadding = list(b, l3, &o.outputPaddingCount);
            o.outputSizes = list(b, l4, &o.outputSizesCount);
            if (take(b) & 1) o.groups = wnnSomeUint32(take(b) % 4);
            o.filterLayout = (WNNConvTranspose2dFilterOperandLayout)(take(b) % 5);
            wnnGraphBuilderConvTranspose2d(s->b, pick(s, b), pick(s, b), &o, &out);
            break;
        }
        case 8: {
            WNNGemmOptions o = WNN_GEMM_OPTIONS_INIT;
            o.c = take(b) & 1 ? pick(s, b) : NULL;
            o.aTranspose = take(b) & 1;
            o.bTranspose = take(b) & 1;
            wnnGraphBuilderGemm(s->b, pick(s, b), pick(s, b), &o, &out);
            break;
        }
        case 9: {
            WNNOperand xs[4] = {pick(s, b), pick(s, b), pick(s, b), pick(s, b)};
            wnnGraphBuilderConcat(s->b, xs, take(b) % 5, take(b) % 5, NULL, &out);
            break;
        }
        case 10: {
            WNNSliceOptions o = WNN_SLICE_OPTIONS_INIT;
            o.strides = list(b, l3, &o.stridesCount);
            const uint32_t* st = list(b, l1, &n1);
            const uint32_t* sz = list(b, l2, &n2);
            wnnGraphBuilderSlice(s->b, pick(s, b), st, n1, sz, n2, &o, &out);
            break;
        }
        case 11: {
            WNNSplitOptions o = {NULL, take(b) % 5};
            if (take(b) & 1) wnnGraphBuilderSplit(s->b, pick(s, b), take(b) % 5, &o, outs, 8, &count);
            else {
                const uint32_t* sz = list(b, l1, &n1);
                wnnGraphBuilderSplitSizes(s->b, pick(s, b), sz, n1, &o, outs, 8, &count);
            }
            break;
        }
        case 12: {
            WNNPadOptions o = WNN_PAD_OPTIONS_INIT;
            o.mode = (WNNPaddingMode)(take(b) % 5);
            o.value = wnnNumberDouble((double)take(b));
            const uint32_t* beg = list(b, l1, &n1);
            const uint32_t* end = list(b, l2, &n2);
            wnnGraphBuilderPad(s->b, pick(s, b), beg, n1, end, n2, &o, &out);
            break;
        }
        case 13: {
            const uint32_t* shape = list(b, l1, &n1);
            if (take(b) & 1) wnnGraphBuilderReshape(s->b, pick(s, b), shape, n1, NULL, &out);
            else if (take(b) & 1) wnnGraphBuilderExpand(s->b, pick(s, b), shape, n1, NULL, &out);
            else wnnGraphBuilderTile(s->b, pick(s, b), shape, n1, NULL, &out);
            break;
        }
        case 14: {
            WNNTransposeOptions o = WNN_TRANSPOSE_OPTIONS_INIT;
            o.permutation = list(b, l1, &o.permutationCount);
            wnnGraphBuilderTranspose(s->b, pick(s, b), &o, &out);
            break;
        }
        case 15: {
            WNNGatherOptions o = {NULL, take(b) % 5};
            if (take(b) & 1) wnnGraphBuilderGather(s->b, pick(s, b), pick(s, b), &o, &out);
            else wnnGraphBuilderGatherElements(s->b, pick(s, b), pick(s, b), &o, &out);
            break;
        }
        case 16: {
            WNNScatterOptions o = {NULL, take(b) % 5};
            if (take(b) & 1) wnnGraphBuilderScatterElements(s->b, pick(s, b), pick(s, b), pick(s, b), &o, &out);
            else wnnGraphBuilderScatterND(s->b, pick(s, b), pick(s, b), pick(s, b), NULL, &out);
            break;
        }
        case 17: {
            WNNClampOptions o = WNN_CLAMP_OPTIONS_INIT;
            if (take(b) & 1) o.minValue = wnnNumberInt64((int64_t)take(b) - 128);
            if (take(b) & 1) o.maxValue = wnnNumberDouble((double)take(b) - 100);
            wnnGraphBuilderClamp(s->b, pick(s, b), &o, &out);
            break;
        }
        case 18: wnnGraphBuilderCast(s->b, pick(s, b), (WNNOperandDataType)(take(b) % 10), NULL, &out); break;
        case 19: {
            WNNLayerNormalizationOptions o = WNN_LAYER_NORMALIZATION_OPTIONS_INIT;
            o.axes = list(b, l1, &o.axesCount);
            o.scale = take(b) & 1 ? pick(s, b) : NULL;
            wnnGraphBuilderLayerNormalization(s->b, pick(s, b), &o, &out);
            break;
        }
        case 20: {
            WNNGruOptions o = WNN_GRU_OPTIONS_INIT;
            o.direction = (WNNRecurrentNetworkDirection)(take(b) % 5);
            o.returnSequence = take(b) & 1;
            wnnGraphBuilderGru(s->b, pick(s, b), pick(s, b), pick(s, b), take(b) % 4, take(b) % 4, &o, outs, 8, &count);
            break;
        }
        case 21: {
            WNNLstmOptions o = WNN_LSTM_OPTIONS_INIT;
            o.direction = (WNNRecurrentNetworkDirection)(take(b) % 5);
            o.returnSequence = take(b) & 1;
            wnnGraphBuilderLstm(s->b, pick(s, b), pick(s, b), pick(s, b), take(b) % 4, take(b) % 4, &o, outs, 8, &count);
            break;
        }
        case 22: {
            WNNResample2dOptions o = WNN_RESAMPLE2D_OPTIONS_INIT;
            float scales[2] = {(float)take(b) / 16.0f, (float)take(b) / 16.0f};
            o.scales = take(b) & 1 ? scales : NULL;
            o.scalesCount = take(b) % 3;
            o.sizes = list(b, l1, &o.sizesCount);
            o.mode = (WNNInterpolationMode)(take(b) % 4);
            wnnGraphBuilderResample2d(s->b, pick(s, b), &o, &out);
            break;
        }
        default: {
            WNNArgMinMaxOptions o = WNN_ARG_MIN_MAX_OPTIONS_INIT;
            o.outputDataType = (WNNOperandDataType)(take(b) % 10);
            wnnGraphBuilderArgMax(s->b, pick(s, b), take(b) % 5, &o, &out);
            break;
        }
    }
    keep(s, out);
    for (size_t i = 0; i < count && i < 8; i++) keep(s, outs[i]);
}

/* At most 1 MiB: checked before anything is allocated (the library would honour a 16 GB tensor,
 * which the fuzzer's memory limit counts as a failure). */
static int small(const WNNOperandDescriptor* d) {
    uint64_t n = 8; /* the largest element size */
    for (uint32_t i = 0; i < d->rank; i++) {
        n *= d->shape[i];
        if (n > (1u << 20)) return 0;
    }
    return 1;
}

/* Builds the last operand as an output and, when every tensor is small, dispatches it. */
static void build_and_run(WNNContext ctx, State* s) {
    if (!s->count) return;
    for (int i = 0; i < s->count; i++) { /* every tensor the graph could hold stays small */
        uint32_t shape[WNN_MAX_RANK];
        WNNOperandDescriptor d = {wnnOperandGetDataType(s->ops[i]), shape, wnnOperandGetRank(s->ops[i])};
        wnnOperandGetShape(s->ops[i], shape);
        if (!small(&d)) return;
    }
    WNNNamedOperand out = {"out", s->ops[s->count - 1]};
    WNNGraph g = NULL;
    if (wnnGraphBuilderBuild(s->b, &out, 1, &g)) return;
    uint32_t nin = wnnGraphGetInputCount(g);
    WNNNamedTensor ins[MAXOPS], outs[1];
    uint32_t made = 0;
    int ok = 1;
    for (uint32_t i = 0; i < nin && i < MAXOPS; i++) {
        WNNOperandDescriptor d;
        wnnGraphGetInput(g, i, &ins[i].name, &d);
        ins[i].tensor = NULL;
        WNNTensorDescriptor td = {d.dataType, d.shape, d.rank, false, true, false};
        ok = ok && small(&d) && !wnnContextCreateTensor(ctx, &td, &ins[i].tensor);
        made = i + 1;
        if (!ok) break;
    }
    WNNOperandDescriptor od;
    wnnGraphGetOutput(g, 0, &outs[0].name, &od);
    WNNTensorDescriptor otd = {od.dataType, od.shape, od.rank, true, false, false};
    outs[0].tensor = NULL;
    if (ok && nin <= MAXOPS && small(&od) && !wnnContextCreateTensor(ctx, &otd, &outs[0].tensor))
        wnnContextDispatch(ctx, g, ins, nin, outs, 1);
    for (uint32_t i = 0; i < made; i++) wnnTensorRelease(ins[i].tensor);
    wnnTensorRelease(outs[0].tensor);
    wnnGraphRelease(g);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static WNNContext ctx;
    if (!ctx) {
        WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
        o.adapterIndex = wnnSomeUint32(0);
        o.threadCount = 1;
        if (wnnCreateContext(&o, &ctx)) return 0;
    }
    Bytes b = {data, size};
    State s;
    memset(&s, 0, sizeof s);
    wnnCreateGraphBuilder(ctx, &s.b);
    wnnCreateGraphBuilder(ctx, &s.other);
    uint32_t shape[2] = {2, 2};
    WNNOperandDescriptor d = {WNNOperandDataType_Float32, shape, 2};
    wnnGraphBuilderInput(s.other, "x", &d, &s.foreign);
    for (int i = 0; i < 64 && b.n; i++) one_op(&s, &b);
    if (take(&b) & 1) build_and_run(ctx, &s);
    wnnGraphBuilderRelease(s.b);
    wnnGraphBuilderRelease(s.other);
    return 0;
}
