/* cuda_conv_graph.c: see cuda_conv_graph.h. cuDNN's backend API: every descriptor is created, given
 * its attributes (each with its exact attribute type and element count), then finalized. The
 * descriptors the plan depends on (tensors, operations, operation graph, engine config) are kept
 * until the plan is freed. A descriptor-valued attribute is read into descriptors the caller has
 * created beforehand. */
#include "backends/cuda/cuda_conv_graph.h"

#include <cuda_runtime_api.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cuda/cuda_conv.h"
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/cuda_timing.h"

/* Tensor ids in the variant pack; the last two are virtual (intermediates never stored). */
enum { UID_X = 1, UID_W, UID_B, UID_Y, UID_CONV_OUT, UID_BIAS_OUT };

#define MAX_DESCS 24
#define MAX_CONFIGS 48                       /* engine configs taken from each heuristics mode */
#define MAX_TRIES 16                         /* plans timed at most */
#define WORKSPACE_LIMIT ((int64_t)256 << 20) /* plans needing more are skipped (as on the legacy path) */
#define SIG_LEN 256

struct WnnConvGraph {
    cudnnBackendDescriptor_t descs[MAX_DESCS]; /* in creation order; destroyed in reverse */
    int descCount;
    cudnnBackendDescriptor_t plan;
    int64_t workspace;
    int bias;
    char description[SIG_LEN + 64];
};

/* Where a failure's description goes (size 0: nowhere). */
typedef struct Err {
    char* why;
    size_t size;
} Err;

static cudnnStatus_t failed(Err* err, const char* call, cudnnStatus_t s) {
    if (err->size) snprintf(err->why, err->size, "%s failed: %s", call, cudnnGetErrorString(s));
    return s;
}

/* In a function with `Err* err`: return the failure, naming the call. */
#define TRY(call)                                                        \
    do {                                                                 \
        cudnnStatus_t s_ = (call);                                       \
        if (s_ != CUDNN_STATUS_SUCCESS) return failed(err, #call, s_);   \
    } while (0)
/* The same with cleanup: sets `s` and jumps to `done`. */
#define TRY_GOTO(call)                          \
    do {                                        \
        s = (call);                             \
        if (s != CUDNN_STATUS_SUCCESS) {        \
            failed(err, #call, s);              \
            goto done;                          \
        }                                       \
    } while (0)
#define SET(desc, name, type, count, value) TRY(cudnnBackendSetAttribute(desc, name, type, count, value))

bool wnn_cuda_conv_tracing(void) {
    const char* t = getenv("WNN_CUDA_TRACE");
    return t && t[0] && t[0] != '0';
}

/* cudnnBackendCreateDescriptor that leaves NULL on failure (so cleanup never sees garbage). */
static cudnnStatus_t new_desc(cudnnBackendDescriptorType_t type, cudnnBackendDescriptor_t* d) {
    cudnnStatus_t s = cudnnBackendCreateDescriptor(type, d);
    if (s != CUDNN_STATUS_SUCCESS) *d = NULL;
    return s;
}

/* ---- the operation graph ---- */

/* Creates a descriptor that the plan will own. */
static cudnnStatus_t create(Err* err, WnnConvGraph* g, cudnnBackendDescriptorType_t type, cudnnBackendDescriptor_t* d) {
    *d = NULL;
    if (g->descCount == MAX_DESCS) return failed(err, "create (descriptor table full)", CUDNN_STATUS_INTERNAL_ERROR);
    TRY(new_desc(type, d));
    g->descs[g->descCount++] = *d;
    return CUDNN_STATUS_SUCCESS;
}

static int rank_of(const WnnConvGraphSpec* sp) { return sp->matmul ? 3 : 4; }

static cudnnStatus_t tensor(Err* err, WnnConvGraph* g, int64_t uid, int rank, const int64_t* dims,
                            const int64_t* strides, cudnnDataType_t type, bool isVirtual, int64_t alignment,
                            cudnnBackendDescriptor_t* t) {
    cudnnStatus_t s = create(err, g, CUDNN_BACKEND_TENSOR_DESCRIPTOR, t);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    SET(*t, CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &type);
    SET(*t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, rank, dims);
    SET(*t, CUDNN_ATTR_TENSOR_STRIDES, CUDNN_TYPE_INT64, rank, strides); /* in elements, per dimension above */
    SET(*t, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &uid);
    SET(*t, CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT64, 1, &alignment); /* of the data pointer */
    /* CUDNN_TYPE_BOOLEAN is a one-byte C++ bool, as C's bool is. */
    if (isVirtual) SET(*t, CUDNN_ATTR_TENSOR_IS_VIRTUAL, CUDNN_TYPE_BOOLEAN, 1, &isVirtual);
    TRY(cudnnBackendFinalize(*t));
    return CUDNN_STATUS_SUCCESS;
}

static cudnnStatus_t convolution(Err* err, WnnConvGraph* g, const WnnConvGraphSpec* sp, cudnnBackendDescriptor_t x,
                                 cudnnBackendDescriptor_t w, cudnnBackendDescriptor_t y, cudnnBackendDescriptor_t* op) {
    cudnnBackendDescriptor_t conv;
    cudnnDataType_t compute = CUDNN_DATA_FLOAT;           /* accumulate in float32 for float16 too */
    cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION; /* WebNN's conv2d does not flip the filter */
    int64_t spatialDims = 2;
    float alpha = 1.0f, beta = 0.0f; /* y = alpha * conv + beta * y: overwrite */
    cudnnStatus_t s = create(err, g, CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR, &conv);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    SET(conv, CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &compute);
    SET(conv, CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, 1, &mode);
    SET(conv, CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, CUDNN_TYPE_INT64, 1, &spatialDims);
    /* The per-dimension arrays below have SPATIAL_DIMS entries, (H, W). */
    SET(conv, CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, CUDNN_TYPE_INT64, 2, sp->prePad);
    SET(conv, CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, CUDNN_TYPE_INT64, 2, sp->postPad);
    SET(conv, CUDNN_ATTR_CONVOLUTION_DILATIONS, CUDNN_TYPE_INT64, 2, sp->dilation);
    SET(conv, CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, CUDNN_TYPE_INT64, 2, sp->stride); /* the conv's strides */
    TRY(cudnnBackendFinalize(conv));
    s = create(err, g, CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR, op);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    SET(*op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &x);
    SET(*op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &w);
    SET(*op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &y);
    SET(*op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &conv);
    /* The scaling factors' type is CUDNN_TYPE_FLOAT (or DOUBLE) whatever the tensors' type. */
    SET(*op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_TYPE_FLOAT, 1, &alpha);
    SET(*op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, CUDNN_TYPE_FLOAT, 1, &beta);
    TRY(cudnnBackendFinalize(*op));
    return CUDNN_STATUS_SUCCESS;
}

/* y = x w, batched (the matmul's operands are 3-D tensors; strides give the transposes). */
static cudnnStatus_t matmul(Err* err, WnnConvGraph* g, cudnnBackendDescriptor_t x, cudnnBackendDescriptor_t w,
                            cudnnBackendDescriptor_t y, cudnnBackendDescriptor_t* op) {
    cudnnBackendDescriptor_t mm;
    cudnnDataType_t compute = CUDNN_DATA_FLOAT; /* accumulate in float32 for float16 too */
    cudnnStatus_t s = create(err, g, CUDNN_BACKEND_MATMUL_DESCRIPTOR, &mm);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    SET(mm, CUDNN_ATTR_MATMUL_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &compute);
    TRY(cudnnBackendFinalize(mm));
    s = create(err, g, CUDNN_BACKEND_OPERATION_MATMUL_DESCRIPTOR, op);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    SET(*op, CUDNN_ATTR_OPERATION_MATMUL_ADESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &x);
    SET(*op, CUDNN_ATTR_OPERATION_MATMUL_BDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &w);
    SET(*op, CUDNN_ATTR_OPERATION_MATMUL_CDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &y);
    SET(*op, CUDNN_ATTR_OPERATION_MATMUL_DESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &mm);
    TRY(cudnnBackendFinalize(*op));
    return CUDNN_STATUS_SUCCESS;
}

/* A pointwise operation and its parameters. RELU_FWD with clip: y = x > upper ? upper :
 * x < lower ? lower + slope * (x - lower) : x, which is relu, clamp and leakyRelu exactly. */
typedef struct Pointwise {
    cudnnPointwiseMode_t mode;
    int clip;
    double lower, upper, slope;
    int elu;
    double alpha;
} Pointwise;

static bool act_pointwise(int act, float lo, float hi, Pointwise* p) {
    memset(p, 0, sizeof *p);
    p->mode = CUDNN_POINTWISE_RELU_FWD;
    p->upper = INFINITY; /* no upper clip (+inf passes through, as the CPU's relu) */
    switch (act) {
        case WNN_CONV_ACT_RELU: p->clip = 1; return true;
        case WNN_CONV_ACT_CLAMP: p->clip = 1; p->lower = lo; p->upper = hi; return true;
        case WNN_CONV_ACT_LEAKY_RELU: p->clip = 1; p->slope = lo; return true;
        case WNN_CONV_ACT_SIGMOID: p->mode = CUDNN_POINTWISE_SIGMOID_FWD; return true;
        case WNN_CONV_ACT_TANH: p->mode = CUDNN_POINTWISE_TANH_FWD; return true;
        case WNN_CONV_ACT_GELU: p->mode = CUDNN_POINTWISE_GELU_FWD; return true; /* the erf form, as WebNN */
        case WNN_CONV_ACT_ELU: p->mode = CUDNN_POINTWISE_ELU_FWD; p->elu = 1; p->alpha = lo; return true;
        default: return false;
    }
}

bool wnn_cuda_conv_graph_can_fuse(int act, int half) {
    switch (act) {
        case WNN_CONV_ACT_RELU: case WNN_CONV_ACT_CLAMP: case WNN_CONV_ACT_LEAKY_RELU: return true;
        case WNN_CONV_ACT_SIGMOID: case WNN_CONV_ACT_TANH: case WNN_CONV_ACT_GELU: case WNN_CONV_ACT_ELU: return half;
        default: return false;
    }
}

/* y = mode(x) or y = mode(x, b); the math in float32. */
static cudnnStatus_t pointwise(Err* err, WnnConvGraph* g, const Pointwise* p, cudnnBackendDescriptor_t x,
                               cudnnBackendDescriptor_t b, cudnnBackendDescriptor_t y, cudnnBackendDescriptor_t* op) {
    cudnnBackendDescriptor_t pw;
    cudnnDataType_t precision = CUDNN_DATA_FLOAT;
    cudnnStatus_t s = create(err, g, CUDNN_BACKEND_POINTWISE_DESCRIPTOR, &pw);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    SET(pw, CUDNN_ATTR_POINTWISE_MODE, CUDNN_TYPE_POINTWISE_MODE, 1, &p->mode);
    SET(pw, CUDNN_ATTR_POINTWISE_MATH_PREC, CUDNN_TYPE_DATA_TYPE, 1, &precision);
    if (p->clip) { /* DOUBLE, as cuDNN's frontend passes them */
        SET(pw, CUDNN_ATTR_POINTWISE_RELU_LOWER_CLIP, CUDNN_TYPE_DOUBLE, 1, &p->lower);
        SET(pw, CUDNN_ATTR_POINTWISE_RELU_UPPER_CLIP, CUDNN_TYPE_DOUBLE, 1, &p->upper);
        SET(pw, CUDNN_ATTR_POINTWISE_RELU_LOWER_CLIP_SLOPE, CUDNN_TYPE_DOUBLE, 1, &p->slope);
    }
    if (p->elu) SET(pw, CUDNN_ATTR_POINTWISE_ELU_ALPHA, CUDNN_TYPE_DOUBLE, 1, &p->alpha);
    TRY(cudnnBackendFinalize(pw));
    s = create(err, g, CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR, op);
    if (s != CUDNN_STATUS_SUCCESS) return s;
    SET(*op, CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &pw);
    SET(*op, CUDNN_ATTR_OPERATION_POINTWISE_XDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &x);
    if (b) SET(*op, CUDNN_ATTR_OPERATION_POINTWISE_BDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &b);
    SET(*op, CUDNN_ATTR_OPERATION_POINTWISE_YDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &y);
    TRY(cudnnBackendFinalize(*op));
    return CUDNN_STATUS_SUCCESS;
}

/* The bias's dimensions and strides: one value per output channel (conv: [1, K, 1, 1], broadcast
 * over N, H and W, whose strides do not matter) or per column (matmul: [1, 1, N]). */
static void bias_dims(const WnnConvGraphSpec* sp, int64_t* dims, int64_t* strides) {
    int64_t k = sp->matmul ? sp->y[2] : sp->y[1];
    for (int i = 0; i < 4; i++) {
        dims[i] = 1;
        strides[i] = k;
    }
    dims[sp->matmul ? 2 : 1] = k;
    strides[sp->matmul ? 2 : 1] = 1;
}

/* conv_fwd (or matmul) -> (add bias) -> (activation). Intermediates are virtual float32 tensors
 * laid out as y. */
static cudnnStatus_t operation_graph(Err* err, WnnConvGraph* g, cudnnHandle_t handle, const WnnConvGraphSpec* sp,
                                     cudnnBackendDescriptor_t* graph) {
    cudnnDataType_t io = sp->half ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
    cudnnBackendDescriptor_t x, w, y, b = NULL, convOut, biasOut, ops[3];
    int opCount = 0;
    Pointwise add, act;
    memset(&add, 0, sizeof add);
    memset(&act, 0, sizeof act);
    add.mode = CUDNN_POINTWISE_ADD;
    if (sp->act && !act_pointwise(sp->act, sp->lo, sp->hi, &act))
        return failed(err, "activation (no exact cuDNN pointwise mode)", CUDNN_STATUS_NOT_SUPPORTED);
    cudnnStatus_t s;
    int rank = rank_of(sp);
    if ((s = tensor(err, g, UID_X, rank, sp->x, sp->xStride, io, false, sp->alignment, &x)) ||
        (s = tensor(err, g, UID_W, rank, sp->w, sp->wStride, io, false, sp->alignment, &w)) ||
        (s = tensor(err, g, UID_Y, rank, sp->y, sp->yStride, io, false, sp->alignment, &y)))
        return s;
    convOut = y;
    if ((sp->bias || sp->act) &&
        (s = tensor(err, g, UID_CONV_OUT, rank, sp->y, sp->yStride, CUDNN_DATA_FLOAT, true, sp->alignment, &convOut)))
        return s;
    if ((s = sp->matmul ? matmul(err, g, x, w, convOut, &ops[opCount++])
                        : convolution(err, g, sp, x, w, convOut, &ops[opCount++])))
        return s;
    biasOut = convOut;
    if (sp->bias) {
        int64_t dims[4], strides[4];
        bias_dims(sp, dims, strides);
        biasOut = y;
        if ((s = tensor(err, g, UID_B, rank, dims, strides, io, false, sp->alignment, &b)) ||
            (sp->act && (s = tensor(err, g, UID_BIAS_OUT, rank, sp->y, sp->yStride, CUDNN_DATA_FLOAT, true,
                                    sp->alignment, &biasOut))) ||
            (s = pointwise(err, g, &add, convOut, b, biasOut, &ops[opCount++])))
            return s;
    }
    if (sp->act && (s = pointwise(err, g, &act, biasOut, NULL, y, &ops[opCount++]))) return s;
    if ((s = create(err, g, CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR, graph))) return s;
    SET(*graph, CUDNN_ATTR_OPERATIONGRAPH_OPS, CUDNN_TYPE_BACKEND_DESCRIPTOR, opCount, ops);
    SET(*graph, CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, 1, &handle); /* which device */
    TRY(cudnnBackendFinalize(*graph));
    return CUDNN_STATUS_SUCCESS;
}

/* ---- engine configs, plans, execution ---- */

typedef struct Config {
    cudnnBackendDescriptor_t cfg, plan; /* owned by choose() until one moves into the graph */
    int inspected, usable;
    char sig[SIG_LEN]; /* "engine 12 knobs 2=3,14=1" */
    unsigned notes;    /* a bit per cudnnBackendNumericalNote_t */
    int64_t workspace;
    float ms; /* measured, or -1 */
} Config;

/* Appends the engine configs one heuristics mode proposes, best first (created here). */
static cudnnStatus_t heuristics(Err* err, cudnnBackendDescriptor_t graph, cudnnBackendHeurMode_t mode, Config* out,
                                int* count, int max) {
    cudnnBackendDescriptor_t heur = NULL, cfgs[MAX_CONFIGS];
    int64_t available = 0, got = 0;
    int made = 0, want = 0;
    cudnnStatus_t s = CUDNN_STATUS_SUCCESS;
    TRY_GOTO(new_desc(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR, &heur));
    TRY_GOTO(cudnnBackendSetAttribute(heur, CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1,
                                      &graph));
    TRY_GOTO(cudnnBackendSetAttribute(heur, CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, 1, &mode));
    TRY_GOTO(cudnnBackendFinalize(heur));
    /* Asking for 0 elements returns how many there are. */
    TRY_GOTO(cudnnBackendGetAttribute(heur, CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR, 0,
                                      &available, NULL));
    want = (int)(available < MAX_CONFIGS ? available : MAX_CONFIGS);
    if (want > max - *count) want = max - *count;
    for (made = 0; made < want; made++) /* made: how many exist (a failed one is not counted) */
        TRY_GOTO(new_desc(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR, &cfgs[made]));
    if (want > 0)
        TRY_GOTO(cudnnBackendGetAttribute(heur, CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR, want,
                                          &got, cfgs));
    for (int i = 0; i < want; i++) {
        if (i < got) {
            memset(&out[*count], 0, sizeof *out);
            out[(*count)++].cfg = cfgs[i];
        } else {
            cudnnBackendDestroyDescriptor(cfgs[i]);
        }
    }
    made = 0; /* handed over */
done:
    for (int i = 0; i < made; i++) cudnnBackendDestroyDescriptor(cfgs[i]);
    if (heur) cudnnBackendDestroyDescriptor(heur);
    return s;
}

/* The config's engine (global index, numerical notes) and knob choices. */
static cudnnStatus_t inspect(Err* err, Config* c) {
    cudnnBackendDescriptor_t engine = NULL, knobs[CUDNN_KNOB_TYPE_COUNTS];
    cudnnBackendNumericalNote_t notes[CUDNN_NUMERICAL_NOTE_TYPE_COUNT];
    int64_t n = 0, index = -1, count = 0;
    int made = 0, len;
    cudnnStatus_t s = CUDNN_STATUS_SUCCESS;
    c->notes = 0;
    c->sig[0] = 0;
    TRY_GOTO(new_desc(CUDNN_BACKEND_ENGINE_DESCRIPTOR, &engine));
    TRY_GOTO(cudnnBackendGetAttribute(c->cfg, CUDNN_ATTR_ENGINECFG_ENGINE, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &n, &engine));
    TRY_GOTO(cudnnBackendGetAttribute(engine, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, CUDNN_TYPE_INT64, 1, &n, &index));
    TRY_GOTO(cudnnBackendGetAttribute(engine, CUDNN_ATTR_ENGINE_NUMERICAL_NOTE, CUDNN_TYPE_NUMERICAL_NOTE,
                                      CUDNN_NUMERICAL_NOTE_TYPE_COUNT, &count, notes));
    for (int64_t i = 0; i < count && i < CUDNN_NUMERICAL_NOTE_TYPE_COUNT; i++)
        if ((unsigned)notes[i] < 32) c->notes |= 1u << (unsigned)notes[i];
    for (made = 0; made < CUDNN_KNOB_TYPE_COUNTS; made++)
        TRY_GOTO(new_desc(CUDNN_BACKEND_KNOB_CHOICE_DESCRIPTOR, &knobs[made]));
    TRY_GOTO(cudnnBackendGetAttribute(c->cfg, CUDNN_ATTR_ENGINECFG_KNOB_CHOICES, CUDNN_TYPE_BACKEND_DESCRIPTOR,
                                      CUDNN_KNOB_TYPE_COUNTS, &count, knobs));
    len = snprintf(c->sig, SIG_LEN, "engine %lld", (long long)index);
    for (int64_t i = 0; i < count && i < CUDNN_KNOB_TYPE_COUNTS; i++) {
        cudnnBackendKnobType_t type;
        int64_t value = 0;
        TRY_GOTO(cudnnBackendGetAttribute(knobs[i], CUDNN_ATTR_KNOB_CHOICE_KNOB_TYPE, CUDNN_TYPE_KNOB_TYPE, 1, &n, &type));
        TRY_GOTO(cudnnBackendGetAttribute(knobs[i], CUDNN_ATTR_KNOB_CHOICE_KNOB_VALUE, CUDNN_TYPE_INT64, 1, &n, &value));
        if (len > 0 && len < SIG_LEN)
            len += snprintf(c->sig + len, SIG_LEN - (size_t)len, "%s%d=%lld", i ? "," : " knobs ", (int)type,
                            (long long)value);
    }
    if (len <= 0 || len >= SIG_LEN) s = failed(err, "inspect (signature too long)", CUDNN_STATUS_INTERNAL_ERROR);
done:
    for (int i = 0; i < made; i++) cudnnBackendDestroyDescriptor(knobs[i]);
    if (engine) cudnnBackendDestroyDescriptor(engine);
    return s;
}

/* Never engines that convert the inputs down or reduce (accumulate) below float32. Float32 without
 * TF32 allowed is IEEE float32 with the direct algorithm's rounding: no tensor cores (TF32), no
 * FFT or Winograd transforms (their error grows with the transform, past the tolerance of a direct
 * sum). Float16 may use all of them (its own rounding dominates). */
static const char* excluded(const Config* c, const WnnConvGraphSpec* sp) {
    const unsigned transforms = (1u << CUDNN_NUMERICAL_NOTE_FFT) | (1u << CUDNN_NUMERICAL_NOTE_WINOGRAD) |
                                (1u << CUDNN_NUMERICAL_NOTE_WINOGRAD_TILE_4x4) |
                                (1u << CUDNN_NUMERICAL_NOTE_WINOGRAD_TILE_6x6) |
                                (1u << CUDNN_NUMERICAL_NOTE_WINOGRAD_TILE_13x13);
    if (c->notes & (1u << CUDNN_NUMERICAL_NOTE_DOWN_CONVERT_INPUTS)) return "converts inputs down";
    if (c->notes & (1u << CUDNN_NUMERICAL_NOTE_REDUCED_PRECISION_REDUCTION)) return "reduced-precision reduction";
    if (!sp->half && !sp->allowTf32 && (c->notes & (1u << CUDNN_NUMERICAL_NOTE_TENSOR_CORE)))
        return "tensor cores (TF32) for float32";
    if (!sp->half && !sp->allowTf32 && (c->notes & transforms)) return "FFT or Winograd for float32";
    return NULL;
}

static cudnnStatus_t make_plan(Err* err, cudnnHandle_t handle, cudnnBackendDescriptor_t cfg,
                               cudnnBackendDescriptor_t* plan, int64_t* workspace) {
    int64_t n = 0;
    cudnnStatus_t s = CUDNN_STATUS_SUCCESS;
    *workspace = 0;
    TRY(new_desc(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR, plan));
    TRY_GOTO(cudnnBackendSetAttribute(*plan, CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1,
                                      &cfg));
    /* Deprecated in cuDNN 9 (the operation graph names the device) but harmless where accepted;
     * whether it is accepted does not matter. */
    (void)cudnnBackendSetAttribute(*plan, CUDNN_ATTR_EXECUTION_PLAN_HANDLE, CUDNN_TYPE_HANDLE, 1, &handle);
    TRY_GOTO(cudnnBackendFinalize(*plan));
    TRY_GOTO(cudnnBackendGetAttribute(*plan, CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE, CUDNN_TYPE_INT64, 1, &n,
                                      workspace));
    if (*workspace < 0) s = failed(err, "workspace size (negative)", CUDNN_STATUS_INTERNAL_ERROR);
done:
    if (s != CUDNN_STATUS_SUCCESS) {
        cudnnBackendDestroyDescriptor(*plan);
        *plan = NULL;
    }
    return s;
}

/* One execution: the variant pack binds the tensor ids to device pointers and the workspace. */
static cudnnStatus_t execute(Err* err, cudnnHandle_t handle, cudnnBackendDescriptor_t plan, int count,
                             const int64_t* uids, void* const* pointers, void* workspace) {
    cudnnBackendDescriptor_t pack = NULL;
    cudnnStatus_t s = CUDNN_STATUS_SUCCESS;
    TRY(new_desc(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR, &pack));
    TRY_GOTO(cudnnBackendSetAttribute(pack, CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64, count, uids));
    /* An array of `count` void* (not a pointer to the data). */
    TRY_GOTO(cudnnBackendSetAttribute(pack, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR, count,
                                      pointers));
    TRY_GOTO(cudnnBackendSetAttribute(pack, CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, 1, &workspace));
    TRY_GOTO(cudnnBackendFinalize(pack));
    TRY_GOTO(cudnnBackendExecute(handle, plan, pack));
done: {
    cudnnStatus_t d = cudnnBackendDestroyDescriptor(pack);
    if (s == CUDNN_STATUS_SUCCESS && d != CUDNN_STATUS_SUCCESS) s = failed(err, "cudnnBackendDestroyDescriptor(pack)", d);
}
    return s;
}

/* Elements from the first to the last of a strided tensor. */
static int64_t span(int rank, const int64_t* dims, const int64_t* strides) {
    int64_t last = 0;
    for (int i = 0; i < rank; i++) last += (dims[i] - 1) * strides[i];
    return last + 1;
}

/* One execution of a candidate plan on the scratch data (wnn_cuda_time_gpu's callback). */
typedef struct TimedPlan {
    cudnnHandle_t handle;
    const Config* config;
    int count;
    const int64_t* uids;
    void* const* pointers;
    void* workspace;
} TimedPlan;

static bool run_plan(void* arg) {
    const TimedPlan* t = arg;
    Err quiet = {NULL, 0};
    return execute(&quiet, t->handle, t->config->plan, t->count, t->uids, t->pointers, t->workspace) ==
           CUDNN_STATUS_SUCCESS;
}

/* Times every candidate on random scratch data (zeros can run faster than real data). Returns
 * false when the scratch memory could not be had (then nothing is timed). */
static bool measure(cudnnHandle_t handle, cudaStream_t stream, const WnnConvGraphSpec* sp, Config** cands, int count) {
    size_t esize = sp->half ? 2 : 4;
    int r = rank_of(sp);
    int64_t nx = span(r, sp->x, sp->xStride), nw = span(r, sp->w, sp->wStride), ny = span(r, sp->y, sp->yStride);
    int64_t nb = sp->matmul ? sp->y[2] : sp->y[1];
    int64_t work = 0;
    for (int i = 0; i < count; i++)
        if (cands[i]->workspace > work) work = cands[i]->workspace;
    void *x = NULL, *w = NULL, *y = NULL, *b = NULL, *ws = NULL;
    bool ok = cudaMalloc(&x, (size_t)nx * esize) == cudaSuccess && cudaMalloc(&w, (size_t)nw * esize) == cudaSuccess &&
              cudaMalloc(&y, (size_t)ny * esize) == cudaSuccess &&
              (!sp->bias || cudaMalloc(&b, (size_t)nb * esize) == cudaSuccess) &&
              (work == 0 || cudaMalloc(&ws, (size_t)work) == cudaSuccess) &&
              wnn_cuda_fill_random(sp->half, x, nx, 1, stream) == 0 &&
              wnn_cuda_fill_random(sp->half, w, nw, 2, stream) == 0 &&
              (!sp->bias || wnn_cuda_fill_random(sp->half, b, nb, 3, stream) == 0);
    int64_t uids[4] = {UID_X, UID_W, UID_Y, UID_B};
    void* pointers[4] = {x, w, y, b};
    for (int i = 0; i < count && ok; i++) {
        TimedPlan t = {handle, cands[i], sp->bias ? 4 : 3, uids, pointers, ws};
        cands[i]->ms = wnn_cuda_time_gpu(stream, run_plan, &t);
    }
    cudaStreamSynchronize(stream);
    cudaFree(x);
    cudaFree(w);
    cudaFree(y);
    cudaFree(b);
    cudaFree(ws);
    cudaGetLastError(); /* a failed scratch allocation only means no measurement */
    return ok;
}

/* ---- the process-wide cache of choices ---- */

#define CACHE_SIZE 256
typedef struct CacheKey {
    int64_t v[48];
} CacheKey;
typedef struct CacheEntry {
    CacheKey key;
    char sig[SIG_LEN]; /* "" when no engine config finalizes */
    float ms;
} CacheEntry;
static CacheEntry g_cache[CACHE_SIZE];
static int g_cacheCount, g_cacheNext;
static pthread_mutex_t g_cacheLock = PTHREAD_MUTEX_INITIALIZER;

static void cache_key(const WnnConvGraphSpec* sp, CacheKey* k) {
    int n = 0;
    memset(k, 0, sizeof *k);
    k->v[n++] = sp->device;
    k->v[n++] = sp->matmul;
    k->v[n++] = sp->half;
    k->v[n++] = sp->allowTf32;
    k->v[n++] = sp->bias;
    k->v[n++] = sp->act;
    k->v[n++] = sp->alignment;
    k->v[n++] = sp->tries;
    for (int i = 0; i < 4; i++) {
        k->v[n++] = sp->x[i];
        k->v[n++] = sp->xStride[i];
        k->v[n++] = sp->w[i];
        k->v[n++] = sp->wStride[i];
        k->v[n++] = sp->y[i];
        k->v[n++] = sp->yStride[i];
    }
    for (int i = 0; i < 2; i++) {
        k->v[n++] = sp->prePad[i];
        k->v[n++] = sp->postPad[i];
        k->v[n++] = sp->stride[i];
        k->v[n++] = sp->dilation[i];
    }
}

static bool cache_find(const CacheKey* key, CacheEntry* out) {
    bool found = false;
    pthread_mutex_lock(&g_cacheLock);
    for (int i = 0; i < g_cacheCount && !found; i++)
        if (memcmp(&g_cache[i].key, key, sizeof *key) == 0) {
            *out = g_cache[i];
            found = true;
        }
    pthread_mutex_unlock(&g_cacheLock);
    return found;
}

static void cache_store(const CacheKey* key, const char* sig, float ms) {
    pthread_mutex_lock(&g_cacheLock);
    int slot = -1;
    for (int i = 0; i < g_cacheCount && slot < 0; i++)
        if (memcmp(&g_cache[i].key, key, sizeof *key) == 0) slot = i;
    if (slot < 0) { /* a new entry; the oldest goes when the table is full */
        slot = g_cacheCount < CACHE_SIZE ? g_cacheCount++ : g_cacheNext;
        g_cacheNext = (slot + 1) % CACHE_SIZE;
    }
    g_cache[slot].key = *key;
    snprintf(g_cache[slot].sig, SIG_LEN, "%s", sig);
    g_cache[slot].ms = ms;
    pthread_mutex_unlock(&g_cacheLock);
}

/* ---- choosing the plan ---- */

/* Finalizes plans from the configs in order (skipping duplicates, excluded ones and, with `only`,
 * all but that signature) until `want` exist; returns how many. */
static int candidates(cudnnHandle_t handle, const WnnConvGraphSpec* sp, Config* cfgs, int count, const char* only,
                      int want, Config** out) {
    Err quiet = {NULL, 0};
    char why[256];
    Err err = {why, sizeof why};
    bool trace = wnn_cuda_conv_tracing();
    int n = 0;
    for (int i = 0; i < count && n < want; i++) {
        Config* c = &cfgs[i];
        if (!c->inspected) {
            c->inspected = 1;
            c->usable = inspect(&quiet, c) == CUDNN_STATUS_SUCCESS;
            for (int j = 0; j < i && c->usable; j++) /* mode A and the fallback list overlap */
                if (cfgs[j].inspected && strcmp(cfgs[j].sig, c->sig) == 0) c->usable = 0;
            const char* why_not = c->usable ? excluded(c, sp) : NULL;
            if (why_not) {
                c->usable = 0;
                if (trace) fprintf(stderr, "[wnn-cuda-conv]   %s: excluded (%s)\n", c->sig, why_not);
            }
        }
        if (!c->usable || c->plan || (only && strcmp(c->sig, only) != 0)) continue;
        if (make_plan(&err, handle, c->cfg, &c->plan, &c->workspace) != CUDNN_STATUS_SUCCESS) {
            c->usable = 0;
            if (trace) fprintf(stderr, "[wnn-cuda-conv]   %s: %s\n", c->sig, why);
            continue;
        }
        if (c->workspace > WORKSPACE_LIMIT) {
            if (trace) fprintf(stderr, "[wnn-cuda-conv]   %s: workspace %lld bytes, too large\n", c->sig, (long long)c->workspace);
            cudnnBackendDestroyDescriptor(c->plan);
            c->plan = NULL;
            c->usable = 0;
            continue;
        }
        c->ms = -1;
        out[n++] = c;
    }
    return n;
}

static cudnnStatus_t choose(Err* err, WnnConvGraph* g, cudnnHandle_t handle, cudaStream_t stream,
                            const WnnConvGraphSpec* sp, cudnnBackendDescriptor_t graph) {
    int max = 2 * MAX_CONFIGS, count = 0, tries = sp->tries < 1 ? 1 : sp->tries > MAX_TRIES ? MAX_TRIES : sp->tries;
    int n = 0, best = -1;
    bool timed = false, cached = false;
    Config* cands[MAX_TRIES];
    Config* c = NULL;
    CacheKey key;
    CacheEntry hit;
    Err quiet = {NULL, 0};
    cudnnStatus_t s, s2;
    Config* cfgs = calloc((size_t)max, sizeof *cfgs);
    if (!cfgs) return failed(err, "calloc (engine configs)", CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED);
    /* Mode A's ranking first, then the fallback list (engines mode A does not rank). */
    s = heuristics(err, graph, CUDNN_HEUR_MODE_A, cfgs, &count, max);
    s2 = heuristics(s != CUDNN_STATUS_SUCCESS ? &quiet : err, graph, CUDNN_HEUR_MODE_FALLBACK, cfgs, &count, max);
    if (count == 0) {
        s = s != CUDNN_STATUS_SUCCESS ? s : s2;
        if (s == CUDNN_STATUS_SUCCESS) s = failed(err, "heuristics (no engine config)", CUDNN_STATUS_NOT_SUPPORTED);
        goto done;
    }
    s = CUDNN_STATUS_SUCCESS;
    cache_key(sp, &key);
    cached = cache_find(&key, &hit);
    if (cached && !hit.sig[0]) {
        s = failed(err, "engine search (cached: no engine config finalizes)", CUDNN_STATUS_NOT_SUPPORTED);
        goto done;
    }
    if (cached) n = candidates(handle, sp, cfgs, count, hit.sig, 1, cands);
    if (n == 0) { /* no cache entry, or its choice is no longer offered: search */
        cached = false;
        n = candidates(handle, sp, cfgs, count, NULL, tries, cands);
    }
    if (n == 0) {
        cache_store(&key, "", 0);
        s = failed(err, "cudnnBackendFinalize (no engine config finalizes)", CUDNN_STATUS_NOT_SUPPORTED);
        goto done;
    }
    /* Timing also proves that the plans run (a plan that fails on scratch data is not chosen). */
    if (!cached && tries > 1) timed = measure(handle, stream, sp, cands, n);
    for (int i = 0; i < n; i++) {
        if (!timed) {
            best = 0;
            break;
        }
        if (wnn_cuda_conv_tracing())
            fprintf(stderr, "[wnn-cuda-conv]   %s: %.4f ms, workspace %lld bytes\n", cands[i]->sig, cands[i]->ms,
                    (long long)cands[i]->workspace);
        if (cands[i]->ms >= 0 && (best < 0 || cands[i]->ms < cands[best]->ms)) best = i;
    }
    if (best < 0) {
        s = failed(err, "cudnnBackendExecute (every candidate plan, on scratch data)", CUDNN_STATUS_EXECUTION_FAILED);
        goto done;
    }
    if (g->descCount + 2 > MAX_DESCS) {
        s = failed(err, "choose (descriptor table full)", CUDNN_STATUS_INTERNAL_ERROR);
        goto done;
    }
    c = cands[best];
    g->descs[g->descCount++] = c->cfg; /* the plan refers to its config */
    g->descs[g->descCount++] = c->plan;
    g->plan = c->plan;
    g->workspace = c->workspace;
    c->cfg = c->plan = NULL;
    if (cached)
        snprintf(g->description, sizeof g->description, "%s (cached choice, %.4f ms when timed)", c->sig, hit.ms);
    else if (timed)
        snprintf(g->description, sizeof g->description, "%s, %.4f ms (fastest of %d timed)", c->sig, c->ms, n);
    else
        snprintf(g->description, sizeof g->description, "%s (first that finalizes, not timed)", c->sig);
    if (!cached) cache_store(&key, c->sig, timed ? c->ms : 0);
done:
    for (int i = 0; i < count; i++) {
        if (cfgs[i].plan) cudnnBackendDestroyDescriptor(cfgs[i].plan);
        if (cfgs[i].cfg) cudnnBackendDestroyDescriptor(cfgs[i].cfg);
    }
    free(cfgs);
    return s;
}

/* ---- the public functions ---- */

void wnn_cuda_graph_dims(int64_t* dims, int64_t* strides, int64_t n, int64_t c, int64_t h, int64_t w, int nhwc) {
    dims[0] = n;
    dims[1] = c;
    dims[2] = h;
    dims[3] = w;
    strides[0] = c * h * w;
    strides[1] = nhwc ? 1 : h * w;
    strides[2] = nhwc ? w * c : w;
    strides[3] = nhwc ? c : 1;
}

cudnnStatus_t wnn_cuda_conv_graph_build(cudnnHandle_t handle, cudaStream_t stream, const WnnConvGraphSpec* spec,
                                        WnnConvGraph** out, char* why, size_t whySize) {
    Err err = {why, whySize};
    cudnnBackendDescriptor_t graph = NULL;
    *out = NULL;
    if (whySize) why[0] = 0;
    WnnConvGraph* g = calloc(1, sizeof *g);
    if (!g) return failed(&err, "calloc", CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED);
    g->bias = spec->bias;
    cudnnStatus_t s = cudnnSetStream(handle, stream);
    if (s != CUDNN_STATUS_SUCCESS) failed(&err, "cudnnSetStream", s);
    if (s == CUDNN_STATUS_SUCCESS) s = operation_graph(&err, g, handle, spec, &graph);
    if (s == CUDNN_STATUS_SUCCESS) s = choose(&err, g, handle, stream, spec, graph);
    if (s != CUDNN_STATUS_SUCCESS) {
        wnn_cuda_conv_graph_free(g);
        return s;
    }
    *out = g;
    return CUDNN_STATUS_SUCCESS;
}

size_t wnn_cuda_conv_graph_workspace(const WnnConvGraph* g) { return (size_t)g->workspace; }

const char* wnn_cuda_conv_graph_describe(const WnnConvGraph* g) { return g->description; }

cudnnStatus_t wnn_cuda_conv_graph_run(cudnnHandle_t handle, const WnnConvGraph* g, const void* x, const void* w,
                                      const void* bias, void* y, void* workspace, char* why, size_t whySize) {
    Err err = {why, whySize};
    int64_t uids[4] = {UID_X, UID_W, UID_Y, UID_B};
    void* pointers[4] = {(void*)x, (void*)w, y, (void*)bias};
    return execute(&err, handle, g->plan, g->bias ? 4 : 3, uids, pointers, workspace);
}

void wnn_cuda_conv_graph_free(WnnConvGraph* g) {
    if (!g) return;
    for (int i = g->descCount - 1; i >= 0; i--) cudnnBackendDestroyDescriptor(g->descs[i]);
    free(g);
}
