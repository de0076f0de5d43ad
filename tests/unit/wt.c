/* wt.c: the unit-test kit (see wt.h). */
#include "wt.h"

#include <math.h>
#include <stdlib.h>

#include "core/core.h"

int wt_failures;
int wt_checks;
static WNNContext g_cpu;

/* WNN_TEST_ADAPTER=N runs the op tests on adapter N (wnn-info lists them) instead of the CPU;
 * WNN_TEST_REQUIRE_DEVICE=1 then also fails every graph that places an operation on the CPU. */
WNNContext wt_cpu(void) {
    if (!g_cpu) {
        WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
        const char* adapter = getenv("WNN_TEST_ADAPTER");
        o.adapterIndex = wnnSomeUint32(adapter ? (uint32_t)atoi(adapter) : 0);
        if (wnnCreateContext(&o, &g_cpu) != WNNStatus_Success) {
            fprintf(stderr, "cannot create the test context on adapter %s: %s\n", adapter ? adapter : "0",
                    wnnGetLastErrorMessage());
            exit(2);
        }
    }
    return g_cpu;
}

static int wt_require_device(void) {
    const char* v = getenv("WNN_TEST_REQUIRE_DEVICE");
    return v && *v == '1' && getenv("WNN_TEST_ADAPTER");
}

int wt_summary(const char* name) {
    wnnContextRelease(g_cpu);
    g_cpu = NULL;
    printf("%s: %d checks, %d failures\n", name, wt_checks, wt_failures);
    return wt_failures ? 1 : 0;
}

WNNGraphBuilder wt_builder(void) {
    WNNGraphBuilder b = NULL;
    if (wnnCreateGraphBuilder(wt_cpu(), &b) != WNNStatus_Success) {
        fprintf(stderr, "cannot create a builder: %s\n", wnnGetLastErrorMessage());
        exit(2);
    }
    return b;
}

WNNOperand wt_input(WNNGraphBuilder b, const char* name, WNNOperandDataType type, uint32_t rank,
                    const uint32_t* shape) {
    WNNOperandDescriptor d = {type, shape, rank};
    WNNOperand x = NULL;
    WT_OK(wnnGraphBuilderInput(b, name, &d, &x));
    return x;
}

static size_t bytes_of(WNNOperandDataType type, uint32_t rank, const uint32_t* shape) {
    size_t n = wnn_type_size(type);
    for (uint32_t i = 0; i < rank; i++) n *= shape[i];
    return n;
}

WNNOperand wt_constant(WNNGraphBuilder b, WNNOperandDataType type, uint32_t rank, const uint32_t* shape,
                       const void* data) {
    WNNOperandDescriptor d = {type, shape, rank};
    WNNOperand x = NULL;
    WT_OK(wnnGraphBuilderConstant(b, &d, data, bytes_of(type, rank, shape), &x));
    return x;
}

WNNStatus wt_run(WNNContext ctx, WNNGraphBuilder b, const WtFeed* feeds, size_t feedCount,
                 const WNNNamedOperand* outputs, size_t outputCount, void* const* outData) {
    WNNGraph g = NULL;
    WNNStatus s = wnnGraphBuilderBuild(b, outputs, outputCount, &g);
    if (s) return s;
    WNNGraphPartitionInfo part;
    if (wt_require_device() && wnnGraphGetPartitionInfo(g, &part) == WNNStatus_Success && part.fallbackNodeCount) {
        wt_checks++;
        wt_failures++;
        fprintf(stderr, "wt_run: %u operation(s) of graph '%s' ran on the CPU, not on the test adapter\n",
                part.fallbackNodeCount, outputs[0].name);
    }
    uint32_t nin = wnnGraphGetInputCount(g);
    WNNNamedTensor* ins = calloc(nin + 1, sizeof *ins);
    WNNNamedTensor* outs = calloc(outputCount + 1, sizeof *outs);
    for (uint32_t i = 0; i < nin && !s; i++) {
        const char* name;
        WNNOperandDescriptor d;
        wnnGraphGetInput(g, i, &name, &d);
        WNNTensorDescriptor td = {d.dataType, d.shape, d.rank, false, true, false};
        ins[i].name = name;
        if ((s = wnnContextCreateTensor(ctx, &td, &ins[i].tensor))) break;
        const void* data = NULL;
        for (size_t f = 0; f < feedCount; f++)
            if (strcmp(feeds[f].name, name) == 0) data = feeds[f].data;
        if (!data) {
            fprintf(stderr, "wt_run: no feed for input '%s'\n", name);
            s = WNNStatus_TypeError;
            break;
        }
        s = wnnContextWriteTensor(ctx, ins[i].tensor, data, wnnTensorGetByteLength(ins[i].tensor));
    }
    for (size_t i = 0; i < outputCount && !s; i++) {
        WNNTensorDescriptor td = {wnnOperandGetDataType(outputs[i].operand), NULL,
                                  wnnOperandGetRank(outputs[i].operand), true, false, false};
        uint32_t shape[WNN_MAX_RANK];
        wnnOperandGetShape(outputs[i].operand, shape);
        td.shape = shape;
        outs[i].name = outputs[i].name;
        s = wnnContextCreateTensor(ctx, &td, &outs[i].tensor);
    }
    if (!s) s = wnnContextDispatch(ctx, g, ins, nin, outs, outputCount);
    for (size_t i = 0; i < outputCount && !s; i++)
        s = wnnContextReadTensor(ctx, outs[i].tensor, outData[i], wnnTensorGetByteLength(outs[i].tensor));
    for (uint32_t i = 0; i < nin; i++) wnnTensorRelease(ins[i].tensor);
    for (size_t i = 0; i < outputCount; i++) wnnTensorRelease(outs[i].tensor);
    free(ins);
    free(outs);
    wnnGraphRelease(g);
    return s;
}

uint64_t wt_next(uint64_t* state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double wt_rand(uint64_t* state, double lo, double hi) {
    return lo + (hi - lo) * ((double)(wt_next(state) >> 11) / 9007199254740992.0);
}

static int64_t ordered_f32(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    int64_t mag = u & 0x7fffffffu;
    return (u >> 31) ? -mag : mag;
}

uint64_t wt_ulp_f32(float a, float b) {
    int64_t d = ordered_f32(a) - ordered_f32(b);
    return (uint64_t)(d < 0 ? -d : d);
}

static int64_t ordered_f16(uint16_t h) {
    int64_t mag = h & 0x7fff;
    return (h >> 15) ? -mag : mag;
}

uint64_t wt_ulp_f16(uint16_t a, uint16_t b) {
    int64_t d = ordered_f16(a) - ordered_f16(b);
    return (uint64_t)(d < 0 ? -d : d);
}

uint16_t wt_f2h(float f) { return wnn_float_to_half(f); }
float wt_h2f(uint16_t h) { return wnn_half_to_float(h); }
uint16_t wt_d2h(double d) { return wnn_double_to_half(d); }

/* Equal values pass first (inf == inf); NaN expected accepts NaN (a reference computed here may be NaN). */
static int same_special(double actual, double expected) {
    if (isnan(expected)) return isnan(actual);
    return actual == expected;
}

static int report(const char* what, size_t i, double actual, double expected, uint64_t dist, int* shown) {
    if ((*shown)++ < 5)
        fprintf(stderr, "  %s[%zu]: got %.9g, expected %.9g (distance %llu)\n", what, i, actual, expected,
                (unsigned long long)dist);
    return 1;
}

int wt_expect_f32(const char* what, const float* actual, const double* expected, size_t count, uint64_t ulp) {
    int bad = 0, shown = 0;
    for (size_t i = 0; i < count; i++) {
        float e = (float)expected[i];
        if (same_special(actual[i], e)) continue;
        uint64_t d = isnan(actual[i]) || isnan(e) ? UINT64_MAX : wt_ulp_f32(actual[i], e);
        if (d > ulp) bad += report(what, i, actual[i], expected[i], d, &shown);
    }
    wt_checks++;
    if (bad) {
        wt_failures++;
        fprintf(stderr, "%s: %d of %zu values off by more than %llu ULP\n", what, bad, count, (unsigned long long)ulp);
    }
    return bad;
}

int wt_expect_f16(const char* what, const uint16_t* actual, const double* expected, size_t count, uint64_t ulp) {
    int bad = 0, shown = 0;
    for (size_t i = 0; i < count; i++) {
        uint16_t e = wnn_double_to_half(expected[i]);
        double a = wnn_half_to_float(actual[i]);
        if (same_special(a, wnn_half_to_float(e))) continue;
        uint64_t d = isnan(a) || isnan(expected[i]) ? UINT64_MAX : wt_ulp_f16(actual[i], e);
        if (d > ulp) bad += report(what, i, a, expected[i], d, &shown);
    }
    wt_checks++;
    if (bad) {
        wt_failures++;
        fprintf(stderr, "%s: %d of %zu float16 values off by more than %llu ULP\n", what, bad, count,
                (unsigned long long)ulp);
    }
    return bad;
}

int wt_expect_f32_atol(const char* what, const float* actual, const double* expected, size_t count, double atol) {
    int bad = 0, shown = 0;
    for (size_t i = 0; i < count; i++) {
        if (same_special(actual[i], expected[i])) continue;
        if (!(fabs(actual[i] - expected[i]) <= atol)) bad += report(what, i, actual[i], expected[i], 0, &shown);
    }
    wt_checks++;
    if (bad) {
        wt_failures++;
        fprintf(stderr, "%s: %d of %zu values off by more than %g\n", what, bad, count, atol);
    }
    return bad;
}

WNNOperand wt_activation(WNNGraphBuilder b, WNNOperand x, int which) {
    WNNOperand y = x;
    switch (which) {
        case 0: WT_OK(wnnGraphBuilderRelu(b, x, NULL, &y)); break;
        case 1: {
            WNNClampOptions o = WNN_CLAMP_OPTIONS_INIT;
            o.minValue = wnnNumberDouble(-0.25);
            o.maxValue = wnnNumberDouble(0.5);
            WT_OK(wnnGraphBuilderClamp(b, x, &o, &y));
            break;
        }
        case 2: WT_OK(wnnGraphBuilderSigmoid(b, x, NULL, &y)); break;
        case 3: WT_OK(wnnGraphBuilderTanh(b, x, NULL, &y)); break;
        case 4: {
            WNNLeakyReluOptions o = WNN_LEAKY_RELU_OPTIONS_INIT;
            o.alpha = wnnSomeDouble(0.2);
            WT_OK(wnnGraphBuilderLeakyRelu(b, x, &o, &y));
            break;
        }
        case 5: WT_OK(wnnGraphBuilderGelu(b, x, NULL, &y)); break;
        case 6: WT_OK(wnnGraphBuilderHardSwish(b, x, NULL, &y)); break;
        case 7: {
            WNNEluOptions o = WNN_ELU_OPTIONS_INIT;
            o.alpha = wnnSomeDouble(0.7);
            WT_OK(wnnGraphBuilderElu(b, x, &o, &y));
            break;
        }
        case 8: WT_OK(wnnGraphBuilderSoftplus(b, x, NULL, &y)); break;
        case 9: {
            WNNHardSigmoidOptions o = WNN_HARD_SIGMOID_OPTIONS_INIT;
            o.alpha = wnnSomeDouble(0.3);
            o.beta = wnnSomeDouble(0.4);
            WT_OK(wnnGraphBuilderHardSigmoid(b, x, &o, &y));
            break;
        }
        case 10: {
            WNNLinearOptions o = WNN_LINEAR_OPTIONS_INIT;
            o.alpha = wnnSomeDouble(2);
            o.beta = wnnSomeDouble(-1);
            WT_OK(wnnGraphBuilderLinear(b, x, &o, &y));
            break;
        }
        default: break;
    }
    return y;
}

WNNOperand wt_transpose(WNNGraphBuilder b, WNNOperand x, const uint32_t* perm, uint32_t rank) {
    WNNTransposeOptions o = WNN_TRANSPOSE_OPTIONS_INIT;
    o.permutation = perm;
    o.permutationCount = rank;
    WNNOperand y;
    WT_OK(wnnGraphBuilderTranspose(b, x, &o, &y));
    return y;
}

/* ---- float64 references ---- */

void wt_permute_f64(const double* x, const uint32_t* shape, uint32_t rank, const uint32_t* perm, double* y,
                    uint32_t* yshape) {
    size_t xs[WT_MAX_RANK], n = 1, idx[WT_MAX_RANK] = {0};
    for (uint32_t d = rank; d-- > 0;) xs[d] = n, n *= shape[d];
    for (uint32_t d = 0; d < rank; d++) yshape[d] = shape[perm[d]];
    for (size_t i = 0; i < n; i++) {
        size_t at = 0;
        for (uint32_t d = 0; d < rank; d++) at += idx[d] * xs[perm[d]];
        y[i] = x[at];
        for (uint32_t d = rank; d-- > 0;) { /* the next output index, last dimension fastest */
            if (++idx[d] < yshape[d]) break;
            idx[d] = 0;
        }
    }
}

size_t wt_numel(const uint32_t* s, uint32_t rank) {
    size_t n = 1;
    for (uint32_t d = 0; d < rank; d++) n *= s[d];
    return n;
}

void wt_matmul_f64(const double* a, const uint32_t* as, const double* b, const uint32_t* bs, uint32_t rank, double* c) {
    uint32_t M = as[rank - 2], K = as[rank - 1], N = bs[rank - 1];
    size_t batches = wt_numel(as, rank - 2);
    for (size_t q = 0; q < batches; q++) {
        size_t bq = 0, rest = q, mul = 1; /* b's batch index: a's with b's 1-dimensions at 0 */
        for (uint32_t d = rank - 2; d-- > 0;) {
            size_t i = rest % as[d];
            rest /= as[d];
            bq += (bs[d] == 1 ? 0 : i) * mul;
            mul *= bs[d];
        }
        for (uint32_t i = 0; i < M; i++)
            for (uint32_t j = 0; j < N; j++) {
                double acc = 0;
                for (uint32_t k = 0; k < K; k++) acc += a[(q * M + i) * K + k] * b[(bq * K + k) * N + j];
                c[(q * M + i) * N + j] = acc;
            }
    }
}

