/*
 * webnn.h: the W3C Web Neural Network API (WebNN) as a C API.
 *
 * Conventions (modelled on webgpu.h):
 *  - Objects are opaque handles: WNNContext, WNNGraphBuilder, WNNOperand, WNNGraph, WNNTensor.
 *  - Every fallible call returns WNNStatus; WNNStatus_Success (0) is success. On failure the call
 *    writes nothing to its out-parameters (they are set to NULL / 0) and wnnGetLastErrorMessage()
 *    says, in words, what was wrong. Bad input never aborts the process and never changes state:
 *    a rejected builder call leaves the builder usable, as the spec requires.
 *  - Options are structs; a zero-initialised struct (or a NULL options pointer) means every spec
 *    default. Each has an _INIT macro that is exactly that. Options whose spec default is not zero
 *    use WNNOptionalBool / WNNOptionalDouble / WNNOptionalUint32, whose zero value means "absent"
 *    (use the default). Arrays are pointer + count; for list options that the spec makes optional,
 *    a NULL pointer means "absent" and a non-NULL pointer with count 0 is the empty list.
 *  - The library copies everything it keeps; it never holds a caller's pointer past the call.
 *
 * Ownership: contexts, builders, graphs and tensors are reference counted (...AddRef/...Release;
 * Release accepts NULL). Creation returns one reference. Operands belong to their builder and live
 * until the builder's last reference is released; they need no release of their own. A tensor or
 * graph keeps its context alive. wnnContextDestroy / wnnGraphDestroy / wnnTensorDestroy are the
 * spec's destroy(): they release the resources now, and later use fails with InvalidStateError or
 * TypeError, while the handle itself stays valid until its last Release.
 *
 * Threading: handles may be used from any thread, but calls on one builder must not overlap.
 * Calls on a context (dispatch, read, write, tensor creation) are serialised by the context; they
 * take effect in call order (the context's timeline). Error messages are thread-local.
 *
 * Blocking: builder calls never block. wnnGraphBuilderBuild blocks while the graph is compiled.
 * wnnContextDispatch and wnnContextWriteTensor return once the work is queued (the CPU backend may
 * run it inline). wnnContextReadTensor blocks until the tensor's queued work is done.
 */
#ifndef WEBNN_WEBNN_H_
#define WEBNN_WEBNN_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#  if defined(WNN_BUILDING_LIBRARY)
#    define WNN_EXPORT __declspec(dllexport)
#  elif defined(WNN_SHARED_LIBRARY)
#    define WNN_EXPORT __declspec(dllimport)
#  else
#    define WNN_EXPORT
#  endif
#else
#  define WNN_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define WNN_VERSION_MAJOR 0
#define WNN_VERSION_MINOR 1
#define WNN_VERSION_PATCH 0

/* The largest rank a tensor may have in this implementation (opSupportLimits reports it). */
#define WNN_MAX_RANK 8

/* ------------------------------------------------------------------------------------------ */
/* Status codes: one per spec exception.                                                        */

typedef enum WNNStatus {
    WNNStatus_Success = 0,
    WNNStatus_TypeError = 1,         /* bad argument: shape, type, option, foreign object */
    WNNStatus_InvalidStateError = 2, /* object destroyed, builder already built, context lost */
    WNNStatus_NotSupportedError = 3, /* valid per spec but not supported here */
    WNNStatus_OperationError = 4,    /* compilation or execution failed */
    WNNStatus_OutOfMemory = 5,       /* allocation failed (the spec's UnknownError for memory) */
    WNNStatus_DeviceLost = 6,        /* the device was lost; the context is lost */
    WNNStatus_UnknownError = 7,
    WNNStatus_DataError = 8          /* a buffer of the wrong byte length */
} WNNStatus;

/* Thread-local description of the last failure on this thread ("" if none yet). Valid until the
 * next failing call on this thread. Never NULL. */
WNN_EXPORT const char* wnnGetLastErrorMessage(void);
WNN_EXPORT const char* wnnStatusName(WNNStatus status);

/* ------------------------------------------------------------------------------------------ */
/* Handles                                                                                     */

typedef struct WNNContextImpl* WNNContext;
typedef struct WNNGraphBuilderImpl* WNNGraphBuilder;
typedef struct WNNOperandImpl* WNNOperand;
typedef struct WNNGraphImpl* WNNGraph;
typedef struct WNNTensorImpl* WNNTensor;

/* ------------------------------------------------------------------------------------------ */
/* Enums. Value 0 is "undefined" = the spec default where one exists.                          */

typedef enum WNNOperandDataType {
    WNNOperandDataType_Undefined = 0,
    WNNOperandDataType_Float32 = 1,
    WNNOperandDataType_Float16 = 2,
    WNNOperandDataType_Int32 = 3,
    WNNOperandDataType_Uint32 = 4,
    WNNOperandDataType_Int64 = 5,
    WNNOperandDataType_Uint64 = 6,
    WNNOperandDataType_Int8 = 7,
    WNNOperandDataType_Uint8 = 8
} WNNOperandDataType;
#define WNN_DATA_TYPE_COUNT 9 /* including Undefined */

typedef enum WNNOptionalBool {
    WNNOptionalBool_Undefined = 0, /* the spec default */
    WNNOptionalBool_False = 1,
    WNNOptionalBool_True = 2
} WNNOptionalBool;

typedef struct WNNOptionalDouble {
    bool present; /* false: the spec default */
    double value;
} WNNOptionalDouble;

typedef struct WNNOptionalUint32 {
    bool present; /* false: the spec default */
    uint32_t value;
} WNNOptionalUint32;

static inline WNNOptionalDouble wnnSomeDouble(double v) { WNNOptionalDouble o; o.present = true; o.value = v; return o; }
static inline WNNOptionalUint32 wnnSomeUint32(uint32_t v) { WNNOptionalUint32 o; o.present = true; o.value = v; return o; }

/* The spec's MLNumber: (bigint or unrestricted double). Undefined = absent. */
typedef enum WNNNumberType {
    WNNNumberType_Undefined = 0,
    WNNNumberType_Double = 1,
    WNNNumberType_Int64 = 2,
    WNNNumberType_Uint64 = 3
} WNNNumberType;

typedef struct WNNNumber {
    WNNNumberType type;
    double asDouble;   /* when type == Double (may be NaN or infinite) */
    int64_t asInt64;   /* when type == Int64 */
    uint64_t asUint64; /* when type == Uint64 */
} WNNNumber;

static inline WNNNumber wnnNumberDouble(double v) { WNNNumber n = {WNNNumberType_Double, v, 0, 0}; return n; }
static inline WNNNumber wnnNumberInt64(int64_t v) { WNNNumber n = {WNNNumberType_Int64, 0.0, v, 0}; return n; }
static inline WNNNumber wnnNumberUint64(uint64_t v) { WNNNumber n = {WNNNumberType_Uint64, 0.0, 0, v}; return n; }

typedef enum WNNPowerPreference {
    WNNPowerPreference_Default = 0,
    WNNPowerPreference_HighPerformance = 1,
    WNNPowerPreference_LowPower = 2
} WNNPowerPreference;

typedef enum WNNInputOperandLayout {
    WNNInputOperandLayout_Undefined = 0, /* nchw */
    WNNInputOperandLayout_Nchw = 1,
    WNNInputOperandLayout_Nhwc = 2
} WNNInputOperandLayout;

typedef enum WNNConv2dFilterOperandLayout {
    WNNConv2dFilterOperandLayout_Undefined = 0, /* oihw */
    WNNConv2dFilterOperandLayout_Oihw = 1,
    WNNConv2dFilterOperandLayout_Hwio = 2,
    WNNConv2dFilterOperandLayout_Ohwi = 3,
    WNNConv2dFilterOperandLayout_Ihwo = 4
} WNNConv2dFilterOperandLayout;

typedef enum WNNConvTranspose2dFilterOperandLayout {
    WNNConvTranspose2dFilterOperandLayout_Undefined = 0, /* iohw */
    WNNConvTranspose2dFilterOperandLayout_Iohw = 1,
    WNNConvTranspose2dFilterOperandLayout_Hwoi = 2,
    WNNConvTranspose2dFilterOperandLayout_Ohwi = 3
} WNNConvTranspose2dFilterOperandLayout;

typedef enum WNNRoundingType {
    WNNRoundingType_Undefined = 0, /* floor */
    WNNRoundingType_Floor = 1,
    WNNRoundingType_Ceil = 2
} WNNRoundingType;

typedef enum WNNPaddingMode {
    WNNPaddingMode_Undefined = 0, /* constant */
    WNNPaddingMode_Constant = 1,
    WNNPaddingMode_Edge = 2,
    WNNPaddingMode_Reflection = 3
} WNNPaddingMode;

typedef enum WNNInterpolationMode {
    WNNInterpolationMode_Undefined = 0, /* nearest-neighbor */
    WNNInterpolationMode_NearestNeighbor = 1,
    WNNInterpolationMode_Linear = 2
} WNNInterpolationMode;

typedef enum WNNRecurrentNetworkDirection {
    WNNRecurrentNetworkDirection_Undefined = 0, /* forward */
    WNNRecurrentNetworkDirection_Forward = 1,
    WNNRecurrentNetworkDirection_Backward = 2,
    WNNRecurrentNetworkDirection_Both = 3
} WNNRecurrentNetworkDirection;

typedef enum WNNGruWeightLayout {
    WNNGruWeightLayout_Undefined = 0, /* zrn */
    WNNGruWeightLayout_Zrn = 1,
    WNNGruWeightLayout_Rzn = 2
} WNNGruWeightLayout;

typedef enum WNNLstmWeightLayout {
    WNNLstmWeightLayout_Undefined = 0, /* iofg */
    WNNLstmWeightLayout_Iofg = 1,
    WNNLstmWeightLayout_Ifgo = 2
} WNNLstmWeightLayout;

typedef enum WNNRecurrentNetworkActivation {
    WNNRecurrentNetworkActivation_Undefined = 0, /* invalid inside a list */
    WNNRecurrentNetworkActivation_Relu = 1,
    WNNRecurrentNetworkActivation_Sigmoid = 2,
    WNNRecurrentNetworkActivation_Tanh = 3
} WNNRecurrentNetworkActivation;

/* ------------------------------------------------------------------------------------------ */
/* Descriptors                                                                                  */

typedef struct WNNOperandDescriptor {
    WNNOperandDataType dataType;
    const uint32_t* shape; /* rank entries; may be NULL when rank is 0 (a scalar) */
    uint32_t rank;
} WNNOperandDescriptor;

typedef struct WNNTensorDescriptor {
    WNNOperandDataType dataType;
    const uint32_t* shape;
    uint32_t rank;
    bool readable;
    bool writable;
    bool exportableToGPU; /* see webnn_cuda.h; NotSupportedError where no GPU interop exists */
} WNNTensorDescriptor;

typedef struct WNNNamedOperand {
    const char* name;
    WNNOperand operand;
} WNNNamedOperand;

typedef struct WNNNamedTensor {
    const char* name;
    WNNTensor tensor;
} WNNNamedTensor;

/* ------------------------------------------------------------------------------------------ */
/* Adapters and contexts                                                                        */

typedef enum WNNAdapterKind {
    WNNAdapterKind_Cpu = 1,
    WNNAdapterKind_Gpu = 2
} WNNAdapterKind;

typedef struct WNNAdapterInfo {
    WNNAdapterKind kind;
    bool available;           /* false: present but unusable; unavailableReason says why */
    char name[128];           /* e.g. "cpu (2 threads)", "NVIDIA H100 80GB HBM3" */
    char backend[16];         /* "cpu", "cuda" */
    char unavailableReason[192];
    uint64_t memoryBytes;     /* device memory, or physical memory for the CPU (0 if unknown) */
    uint32_t threadCount;     /* CPU: worker threads used by default */
} WNNAdapterInfo;

/* Adapters are enumerated once per process; the CPU adapter is always index 0 and available. */
WNN_EXPORT uint32_t wnnGetAdapterCount(void);
WNN_EXPORT WNNStatus wnnGetAdapterInfo(uint32_t index, WNNAdapterInfo* info);

typedef struct WNNContextOptions {
    WNNPowerPreference powerPreference;
    WNNOptionalBool accelerated;       /* default true */
    WNNOptionalUint32 adapterIndex;    /* native extension: pick an adapter explicitly */
    uint32_t threadCount;              /* CPU worker threads; 0 = one per core */
    /* Native extension: let float32 matrix products and convolutions use reduced-precision math
     * (TF32 tensor cores on NVIDIA GPUs). Off by default: float32 is IEEE float32, as the spec's
     * tolerances assume. */
    bool allowReducedPrecisionFloat32;
} WNNContextOptions;
#define WNN_CONTEXT_OPTIONS_INIT {WNNPowerPreference_Default, WNNOptionalBool_Undefined, {false, 0}, 0, false}

/* The spec's createContext(options). NULL options = defaults. Default policy: accelerated and not
 * low-power picks the fastest available GPU, else the CPU. */
WNN_EXPORT WNNStatus wnnCreateContext(const WNNContextOptions* options, WNNContext* context);
WNN_EXPORT void wnnContextAddRef(WNNContext context);
WNN_EXPORT void wnnContextRelease(WNNContext context);
/* The spec's MLContext.destroy(): loses the context, destroys its graphs and tensors. */
WNN_EXPORT void wnnContextDestroy(WNNContext context);
WNN_EXPORT bool wnnContextIsAccelerated(WNNContext context);
/* true once the context is lost; *message (may be NULL) receives the lost-info message. */
WNN_EXPORT bool wnnContextIsLost(WNNContext context, const char** message);
/* Information on the adapter the context runs on. */
WNN_EXPORT WNNStatus wnnContextGetAdapterInfo(WNNContext context, WNNAdapterInfo* info);

/* ------------------------------------------------------------------------------------------ */
/* opSupportLimits                                                                              */

typedef struct WNNTensorLimits {
    uint32_t dataTypes; /* bit (1u << WNNOperandDataType_X) for each supported type */
    uint32_t rankMin;
    uint32_t rankMax;
} WNNTensorLimits;

typedef struct WNNOpSupportLimits {
    WNNInputOperandLayout preferredInputLayout;
    uint64_t maxTensorByteLength;
    WNNTensorLimits input;
    WNNTensorLimits constant;
    WNNTensorLimits output;
} WNNOpSupportLimits;

WNN_EXPORT WNNStatus wnnContextGetOpSupportLimits(WNNContext context, WNNOpSupportLimits* limits);
/* The operator registry: every op of the spec, by its spec name ("conv2d", "reduceSum", ...). */
WNN_EXPORT uint32_t wnnGetOperatorCount(void);
WNN_EXPORT const char* wnnGetOperatorName(uint32_t index);
/* Number of operands (inputs, then outputs) the op's limits describe, and their spec names
 * ("input", "filter", "bias", "output", ...). */
WNN_EXPORT uint32_t wnnGetOperatorOperandCount(const char* opName);
WNN_EXPORT const char* wnnGetOperatorOperandName(const char* opName, uint32_t index);
/* The context's limits for one operand of one op. TypeError for an unknown op or operand. */
WNN_EXPORT WNNStatus wnnContextGetOperandLimits(WNNContext context, const char* opName,
                                                const char* operandName, WNNTensorLimits* limits);
/* The spec's required minimum for one operand of one op (what every implementation supports). */
WNN_EXPORT WNNStatus wnnGetRequiredOperandLimits(const char* opName, const char* operandName,
                                                 WNNTensorLimits* limits);

/* ------------------------------------------------------------------------------------------ */
/* Tensors                                                                                      */

/* Contents are zero-filled. TypeError on an invalid descriptor. */
WNN_EXPORT WNNStatus wnnContextCreateTensor(WNNContext context, const WNNTensorDescriptor* descriptor,
                                            WNNTensor* tensor);
/* A constant tensor: usable only through wnnGraphBuilderConstantTensor, never in dispatch. */
WNN_EXPORT WNNStatus wnnContextCreateConstantTensor(WNNContext context, const WNNOperandDescriptor* descriptor,
                                                    const void* data, size_t byteLength, WNNTensor* tensor);
/* Copies byteLength bytes (must equal the tensor's byte length) at call time. */
WNN_EXPORT WNNStatus wnnContextWriteTensor(WNNContext context, WNNTensor tensor, const void* data,
                                           size_t byteLength);
/* Blocks until the queued work that writes the tensor is done, then copies it out. */
WNN_EXPORT WNNStatus wnnContextReadTensor(WNNContext context, WNNTensor tensor, void* data, size_t byteLength);
/* Host memory that the context's device copies to and from fastest: page-locked on a GPU, so that
 * writeTensor and readTensor with it are DMA transfers without a staging copy (a write from it
 * returns once the transfer is done, behind the work queued before it); plain 64-byte aligned
 * memory on the CPU. It stays valid until wnnContextFreeHostMemory or the context's last release,
 * which frees what is left. TypeError for byteLength 0; OutOfMemory when it cannot be had. */
WNN_EXPORT WNNStatus wnnContextAllocateHostMemory(WNNContext context, size_t byteLength, void** data);
/* TypeError (and nothing freed) for memory this context did not allocate or already freed; NULL is
 * a no-op. */
WNN_EXPORT WNNStatus wnnContextFreeHostMemory(WNNContext context, void* data);
WNN_EXPORT void wnnTensorDestroy(WNNTensor tensor);
WNN_EXPORT void wnnTensorAddRef(WNNTensor tensor);
WNN_EXPORT void wnnTensorRelease(WNNTensor tensor);
WNN_EXPORT WNNOperandDataType wnnTensorGetDataType(WNNTensor tensor);
WNN_EXPORT uint32_t wnnTensorGetRank(WNNTensor tensor);
/* Copies the shape into shape[0..rank). */
WNN_EXPORT void wnnTensorGetShape(WNNTensor tensor, uint32_t* shape);
WNN_EXPORT uint64_t wnnTensorGetByteLength(WNNTensor tensor);
WNN_EXPORT bool wnnTensorIsReadable(WNNTensor tensor);
WNN_EXPORT bool wnnTensorIsWritable(WNNTensor tensor);
WNN_EXPORT bool wnnTensorIsConstant(WNNTensor tensor);
WNN_EXPORT bool wnnTensorIsExportableToGPU(WNNTensor tensor);

/* ------------------------------------------------------------------------------------------ */
/* Graphs                                                                                       */

/* The spec's dispatch(graph, inputs, outputs): every graph input and output named exactly once,
 * with tensors of the exact descriptor; no tensor twice. Returns once the work is queued. */
WNN_EXPORT WNNStatus wnnContextDispatch(WNNContext context, WNNGraph graph,
                                        const WNNNamedTensor* inputs, size_t inputCount,
                                        const WNNNamedTensor* outputs, size_t outputCount);
WNN_EXPORT void wnnGraphDestroy(WNNGraph graph);
WNN_EXPORT void wnnGraphAddRef(WNNGraph graph);
WNN_EXPORT void wnnGraphRelease(WNNGraph graph);
/* How the graph runs on its context: in one piece on the context's device, or split into segments
 * because the device lacks some ops, which then run on the CPU with copies between the devices. */
typedef struct WNNGraphPartitionInfo {
    uint32_t segmentCount;          /* 1 when everything runs on the context's device */
    uint32_t fallbackNodeCount;     /* operations placed on the CPU */
    uint32_t lastDispatchCopyCount; /* tensors copied between devices by the last dispatch */
} WNNGraphPartitionInfo;
WNN_EXPORT WNNStatus wnnGraphGetPartitionInfo(WNNGraph graph, WNNGraphPartitionInfo* info);
/* The memory a built graph holds for its intermediate tensors: build places them in one arena per
 * device, two sharing bytes when no step needs both (liveness), and fusions drop some altogether.
 * Beside them, what build prepared for its kernels. */
typedef struct WNNGraphMemoryInfo {
    uint64_t intermediateBytes;       /* the arenas' size: the graph's peak intermediate memory */
    uint64_t intermediateTensorBytes; /* the intermediate tensors' sizes summed: the memory without reuse */
    uint64_t preparedBytes; /* weights packed or reordered for the kernels, folded constants, per-node
                               buffers and the worker threads' working rows (the CPU's; 0 on a GPU):
                               the graph's memory beyond its arenas and the constants the builder
                               was given */
} WNNGraphMemoryInfo;
WNN_EXPORT WNNStatus wnnGraphGetMemoryInfo(WNNGraph graph, WNNGraphMemoryInfo* info);
/* Graph inputs and outputs, in no particular order. The name is valid while the graph lives. */
WNN_EXPORT uint32_t wnnGraphGetInputCount(WNNGraph graph);
WNN_EXPORT uint32_t wnnGraphGetOutputCount(WNNGraph graph);
/* desc->shape points into the graph (valid while the graph lives). */
WNN_EXPORT WNNStatus wnnGraphGetInput(WNNGraph graph, uint32_t index, const char** name, WNNOperandDescriptor* desc);
WNN_EXPORT WNNStatus wnnGraphGetOutput(WNNGraph graph, uint32_t index, const char** name, WNNOperandDescriptor* desc);

/* ------------------------------------------------------------------------------------------ */
/* Graph builder                                                                                */

WNN_EXPORT WNNStatus wnnCreateGraphBuilder(WNNContext context, WNNGraphBuilder* builder);
WNN_EXPORT void wnnGraphBuilderAddRef(WNNGraphBuilder builder);
WNN_EXPORT void wnnGraphBuilderRelease(WNNGraphBuilder builder);

WNN_EXPORT WNNOperandDataType wnnOperandGetDataType(WNNOperand operand);
WNN_EXPORT uint32_t wnnOperandGetRank(WNNOperand operand);
/* Copies the shape into shape[0..rank). */
WNN_EXPORT void wnnOperandGetShape(WNNOperand operand, uint32_t* shape);

WNN_EXPORT WNNStatus wnnGraphBuilderInput(WNNGraphBuilder builder, const char* name,
                                          const WNNOperandDescriptor* descriptor, WNNOperand* output);
/* Copies byteLength bytes (must equal the descriptor's byte length). */
WNN_EXPORT WNNStatus wnnGraphBuilderConstant(WNNGraphBuilder builder, const WNNOperandDescriptor* descriptor,
                                             const void* data, size_t byteLength, WNNOperand* output);
/* A rank-0 constant holding value cast to dataType. */
WNN_EXPORT WNNStatus wnnGraphBuilderConstantScalar(WNNGraphBuilder builder, WNNOperandDataType dataType,
                                                   WNNNumber value, WNNOperand* output);
/* A constant from a constant tensor of the same context (wnnContextCreateConstantTensor). */
WNN_EXPORT WNNStatus wnnGraphBuilderConstantTensor(WNNGraphBuilder builder, WNNTensor tensor, WNNOperand* output);
/* Compiles the graph that computes the named outputs. A builder builds once. */
WNN_EXPORT WNNStatus wnnGraphBuilderBuild(WNNGraphBuilder builder, const WNNNamedOperand* outputs,
                                          size_t outputCount, WNNGraph* graph);

/* Every op: options may be NULL (all defaults). `label` is the spec's MLOperatorOptions.label,
 * used in error messages. */
typedef struct WNNOperatorOptions {
    const char* label;
} WNNOperatorOptions;
#define WNN_OPERATOR_OPTIONS_INIT {NULL}

/* --- argMin / argMax --- */
typedef struct WNNArgMinMaxOptions {
    const char* label;
    bool keepDimensions;
    WNNOperandDataType outputDataType; /* Undefined = int32 */
} WNNArgMinMaxOptions;
#define WNN_ARG_MIN_MAX_OPTIONS_INIT {NULL, false, WNNOperandDataType_Undefined}
WNN_EXPORT WNNStatus wnnGraphBuilderArgMin(WNNGraphBuilder b, WNNOperand input, uint32_t axis,
                                           const WNNArgMinMaxOptions* options, WNNOperand* output);
WNN_EXPORT WNNStatus wnnGraphBuilderArgMax(WNNGraphBuilder b, WNNOperand input, uint32_t axis,
                                           const WNNArgMinMaxOptions* options, WNNOperand* output);

/* --- batchNormalization --- */
typedef struct WNNBatchNormalizationOptions {
    const char* label;
    WNNOperand scale;            /* NULL = absent */
    WNNOperand bias;             /* NULL = absent */
    WNNOptionalUint32 axis;      /* default 1 */
    WNNOptionalDouble epsilon;   /* default 1e-5 */
} WNNBatchNormalizationOptions;
#define WNN_BATCH_NORMALIZATION_OPTIONS_INIT {NULL, NULL, NULL, {false, 0}, {false, 0.0}}
WNN_EXPORT WNNStatus wnnGraphBuilderBatchNormalization(WNNGraphBuilder b, WNNOperand input, WNNOperand mean,
                                                       WNNOperand variance, const WNNBatchNormalizationOptions* options,
                                                       WNNOperand* output);

/* --- cast --- */
WNN_EXPORT WNNStatus wnnGraphBuilderCast(WNNGraphBuilder b, WNNOperand input, WNNOperandDataType dataType,
                                         const WNNOperatorOptions* options, WNNOperand* output);

/* --- clamp --- */
typedef struct WNNClampOptions {
    const char* label;
    WNNNumber minValue; /* type Undefined = -infinity (no lower bound) */
    WNNNumber maxValue; /* type Undefined = +infinity (no upper bound) */
} WNNClampOptions;
#define WNN_CLAMP_OPTIONS_INIT {NULL, {WNNNumberType_Undefined, 0.0, 0, 0}, {WNNNumberType_Undefined, 0.0, 0, 0}}
WNN_EXPORT WNNStatus wnnGraphBuilderClamp(WNNGraphBuilder b, WNNOperand input, const WNNClampOptions* options,
                                          WNNOperand* output);

/* --- concat --- */
WNN_EXPORT WNNStatus wnnGraphBuilderConcat(WNNGraphBuilder b, const WNNOperand* inputs, size_t inputCount,
                                           uint32_t axis, const WNNOperatorOptions* options, WNNOperand* output);

/* --- conv2d --- */
typedef struct WNNConv2dOptions {
    const char* label;
    const uint32_t* padding;   /* [beginH, endH, beginW, endW]; NULL = zeros */
    size_t paddingCount;
    const uint32_t* strides;   /* [h, w]; NULL = [1, 1] */
    size_t stridesCount;
    const uint32_t* dilations; /* [h, w]; NULL = [1, 1] */
    size_t dilationsCount;
    WNNOptionalUint32 groups;  /* default 1 */
    WNNInputOperandLayout inputLayout;
    WNNConv2dFilterOperandLayout filterLayout;
    WNNOperand bias;           /* NULL = absent */
} WNNConv2dOptions;
#define WNN_CONV2D_OPTIONS_INIT {NULL, NULL, 0, NULL, 0, NULL, 0, {false, 0}, WNNInputOperandLayout_Undefined, WNNConv2dFilterOperandLayout_Undefined, NULL}
WNN_EXPORT WNNStatus wnnGraphBuilderConv2d(WNNGraphBuilder b, WNNOperand input, WNNOperand filter,
                                           const WNNConv2dOptions* options, WNNOperand* output);

/* --- convTranspose2d --- */
typedef struct WNNConvTranspose2dOptions {
    const char* label;
    const uint32_t* padding;
    size_t paddingCount;
    const uint32_t* strides;
    size_t stridesCount;
    const uint32_t* dilations;
    size_t dilationsCount;
    const uint32_t* outputPadding; /* [h, w]; NULL = [0, 0] */
    size_t outputPaddingCount;
    const uint32_t* outputSizes;   /* [h, w]; NULL = absent */
    size_t outputSizesCount;
    WNNOptionalUint32 groups;      /* default 1 */
    WNNInputOperandLayout inputLayout;
    WNNConvTranspose2dFilterOperandLayout filterLayout;
    WNNOperand bias;
} WNNConvTranspose2dOptions;
#define WNN_CONV_TRANSPOSE2D_OPTIONS_INIT {NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, {false, 0}, WNNInputOperandLayout_Undefined, WNNConvTranspose2dFilterOperandLayout_Undefined, NULL}
WNN_EXPORT WNNStatus wnnGraphBuilderConvTranspose2d(WNNGraphBuilder b, WNNOperand input, WNNOperand filter,
                                                    const WNNConvTranspose2dOptions* options, WNNOperand* output);

/* --- cumulativeSum --- */
typedef struct WNNCumulativeSumOptions {
    const char* label;
    bool exclusive;
    bool reversed;
} WNNCumulativeSumOptions;
#define WNN_CUMULATIVE_SUM_OPTIONS_INIT {NULL, false, false}
WNN_EXPORT WNNStatus wnnGraphBuilderCumulativeSum(WNNGraphBuilder b, WNNOperand input, uint32_t axis,
                                                  const WNNCumulativeSumOptions* options, WNNOperand* output);

/* --- element-wise binary, comparison and logical ops --- */
#define WNN_DECLARE_BINARY(Name) \
    WNN_EXPORT WNNStatus wnnGraphBuilder##Name(WNNGraphBuilder b, WNNOperand a, WNNOperand bOperand, \
                                               const WNNOperatorOptions* options, WNNOperand* output);
WNN_DECLARE_BINARY(Add)
WNN_DECLARE_BINARY(Sub)
WNN_DECLARE_BINARY(Mul)
WNN_DECLARE_BINARY(Div)
WNN_DECLARE_BINARY(Max)
WNN_DECLARE_BINARY(Min)
WNN_DECLARE_BINARY(Pow)
WNN_DECLARE_BINARY(Equal)
WNN_DECLARE_BINARY(NotEqual)
WNN_DECLARE_BINARY(Greater)
WNN_DECLARE_BINARY(GreaterOrEqual)
WNN_DECLARE_BINARY(Lesser)
WNN_DECLARE_BINARY(LesserOrEqual)
WNN_DECLARE_BINARY(LogicalAnd)
WNN_DECLARE_BINARY(LogicalOr)
WNN_DECLARE_BINARY(LogicalXor)

/* --- element-wise unary ops and activations without options --- */
#define WNN_DECLARE_UNARY(Name) \
    WNN_EXPORT WNNStatus wnnGraphBuilder##Name(WNNGraphBuilder b, WNNOperand input, \
                                               const WNNOperatorOptions* options, WNNOperand* output);
WNN_DECLARE_UNARY(LogicalNot)
WNN_DECLARE_UNARY(IsNaN)
WNN_DECLARE_UNARY(IsInfinite)
WNN_DECLARE_UNARY(Abs)
WNN_DECLARE_UNARY(Ceil)
WNN_DECLARE_UNARY(Cos)
WNN_DECLARE_UNARY(Erf)
WNN_DECLARE_UNARY(Exp)
WNN_DECLARE_UNARY(Floor)
WNN_DECLARE_UNARY(Identity)
WNN_DECLARE_UNARY(Log)
WNN_DECLARE_UNARY(Neg)
WNN_DECLARE_UNARY(Reciprocal)
WNN_DECLARE_UNARY(RoundEven)
WNN_DECLARE_UNARY(Sign)
WNN_DECLARE_UNARY(Sin)
WNN_DECLARE_UNARY(Sqrt)
WNN_DECLARE_UNARY(Tan)
WNN_DECLARE_UNARY(Gelu)
WNN_DECLARE_UNARY(HardSwish)
WNN_DECLARE_UNARY(Relu)
WNN_DECLARE_UNARY(Sigmoid)
WNN_DECLARE_UNARY(Softplus)
WNN_DECLARE_UNARY(Softsign)
WNN_DECLARE_UNARY(Tanh)

/* --- quantizeLinear / dequantizeLinear --- */
WNN_EXPORT WNNStatus wnnGraphBuilderDequantizeLinear(WNNGraphBuilder b, WNNOperand input, WNNOperand scale,
                                                     WNNOperand zeroPoint, const WNNOperatorOptions* options,
                                                     WNNOperand* output);
WNN_EXPORT WNNStatus wnnGraphBuilderQuantizeLinear(WNNGraphBuilder b, WNNOperand input, WNNOperand scale,
                                                   WNNOperand zeroPoint, const WNNOperatorOptions* options,
                                                   WNNOperand* output);

/* --- elu --- */
typedef struct WNNEluOptions {
    const char* label;
    WNNOptionalDouble alpha; /* default 1 */
} WNNEluOptions;
#define WNN_ELU_OPTIONS_INIT {NULL, {false, 0.0}}
WNN_EXPORT WNNStatus wnnGraphBuilderElu(WNNGraphBuilder b, WNNOperand input, const WNNEluOptions* options,
                                        WNNOperand* output);

/* --- expand --- */
WNN_EXPORT WNNStatus wnnGraphBuilderExpand(WNNGraphBuilder b, WNNOperand input, const uint32_t* newShape,
                                           size_t newShapeCount, const WNNOperatorOptions* options, WNNOperand* output);

/* --- gather, gatherElements, gatherND --- */
typedef struct WNNGatherOptions {
    const char* label;
    uint32_t axis; /* default 0 */
} WNNGatherOptions;
#define WNN_GATHER_OPTIONS_INIT {NULL, 0}
/* Out-of-range indices are clamped into range at run time (never read out of bounds). */
WNN_EXPORT WNNStatus wnnGraphBuilderGather(WNNGraphBuilder b, WNNOperand input, WNNOperand indices,
                                           const WNNGatherOptions* options, WNNOperand* output);
WNN_EXPORT WNNStatus wnnGraphBuilderGatherElements(WNNGraphBuilder b, WNNOperand input, WNNOperand indices,
                                                   const WNNGatherOptions* options, WNNOperand* output);
WNN_EXPORT WNNStatus wnnGraphBuilderGatherND(WNNGraphBuilder b, WNNOperand input, WNNOperand indices,
                                             const WNNOperatorOptions* options, WNNOperand* output);

/* --- gemm --- */
typedef struct WNNGemmOptions {
    const char* label;
    WNNOperand c;            /* NULL = absent */
    WNNOptionalDouble alpha; /* default 1 */
    WNNOptionalDouble beta;  /* default 1 */
    bool aTranspose;
    bool bTranspose;
} WNNGemmOptions;
#define WNN_GEMM_OPTIONS_INIT {NULL, NULL, {false, 0.0}, {false, 0.0}, false, false}
WNN_EXPORT WNNStatus wnnGraphBuilderGemm(WNNGraphBuilder b, WNNOperand a, WNNOperand bOperand,
                                         const WNNGemmOptions* options, WNNOperand* output);

/* --- gru, gruCell --- */
typedef struct WNNGruOptions {
    const char* label;
    WNNOperand bias;
    WNNOperand recurrentBias;
    WNNOperand initialHiddenState;
    WNNOptionalBool resetAfter; /* default true */
    bool returnSequence;
    WNNRecurrentNetworkDirection direction;
    WNNGruWeightLayout layout;
    const WNNRecurrentNetworkActivation* activations; /* NULL = [sigmoid, tanh] */
    size_t activationsCount;
} WNNGruOptions;
#define WNN_GRU_OPTIONS_INIT {NULL, NULL, NULL, NULL, WNNOptionalBool_Undefined, false, WNNRecurrentNetworkDirection_Undefined, WNNGruWeightLayout_Undefined, NULL, 0}
/* outputs receives 1 operand, or 2 when returnSequence; *outputCount says how many. */
WNN_EXPORT WNNStatus wnnGraphBuilderGru(WNNGraphBuilder b, WNNOperand input, WNNOperand weight,
                                        WNNOperand recurrentWeight, uint32_t steps, uint32_t hiddenSize,
                                        const WNNGruOptions* options, WNNOperand* outputs, size_t outputCapacity,
                                        size_t* outputCount);

typedef struct WNNGruCellOptions {
    const char* label;
    WNNOperand bias;
    WNNOperand recurrentBias;
    WNNOptionalBool resetAfter; /* default true */
    WNNGruWeightLayout layout;
    const WNNRecurrentNetworkActivation* activations;
    size_t activationsCount;
} WNNGruCellOptions;
#define WNN_GRU_CELL_OPTIONS_INIT {NULL, NULL, NULL, WNNOptionalBool_Undefined, WNNGruWeightLayout_Undefined, NULL, 0}
WNN_EXPORT WNNStatus wnnGraphBuilderGruCell(WNNGraphBuilder b, WNNOperand input, WNNOperand weight,
                                            WNNOperand recurrentWeight, WNNOperand hiddenState, uint32_t hiddenSize,
                                            const WNNGruCellOptions* options, WNNOperand* output);

/* --- hardSigmoid --- */
typedef struct WNNHardSigmoidOptions {
    const char* label;
    WNNOptionalDouble alpha; /* default 0.2 */
    WNNOptionalDouble beta;  /* default 0.5 */
} WNNHardSigmoidOptions;
#define WNN_HARD_SIGMOID_OPTIONS_INIT {NULL, {false, 0.0}, {false, 0.0}}
WNN_EXPORT WNNStatus wnnGraphBuilderHardSigmoid(WNNGraphBuilder b, WNNOperand input,
                                                const WNNHardSigmoidOptions* options, WNNOperand* output);

/* --- instanceNormalization --- */
typedef struct WNNInstanceNormalizationOptions {
    const char* label;
    WNNOperand scale;
    WNNOperand bias;
    WNNOptionalDouble epsilon; /* default 1e-5 */
    WNNInputOperandLayout layout;
} WNNInstanceNormalizationOptions;
#define WNN_INSTANCE_NORMALIZATION_OPTIONS_INIT {NULL, NULL, NULL, {false, 0.0}, WNNInputOperandLayout_Undefined}
WNN_EXPORT WNNStatus wnnGraphBuilderInstanceNormalization(WNNGraphBuilder b, WNNOperand input,
                                                          const WNNInstanceNormalizationOptions* options,
                                                          WNNOperand* output);

/* --- layerNormalization --- */
typedef struct WNNLayerNormalizationOptions {
    const char* label;
    WNNOperand scale;
    WNNOperand bias;
    const uint32_t* axes;      /* NULL = [1, ..., rank-1] */
    size_t axesCount;
    WNNOptionalDouble epsilon; /* default 1e-5 */
} WNNLayerNormalizationOptions;
#define WNN_LAYER_NORMALIZATION_OPTIONS_INIT {NULL, NULL, NULL, NULL, 0, {false, 0.0}}
WNN_EXPORT WNNStatus wnnGraphBuilderLayerNormalization(WNNGraphBuilder b, WNNOperand input,
                                                       const WNNLayerNormalizationOptions* options, WNNOperand* output);

/* --- leakyRelu, linear --- */
typedef struct WNNLeakyReluOptions {
    const char* label;
    WNNOptionalDouble alpha; /* default 0.01 */
} WNNLeakyReluOptions;
#define WNN_LEAKY_RELU_OPTIONS_INIT {NULL, {false, 0.0}}
WNN_EXPORT WNNStatus wnnGraphBuilderLeakyRelu(WNNGraphBuilder b, WNNOperand input,
                                              const WNNLeakyReluOptions* options, WNNOperand* output);

typedef struct WNNLinearOptions {
    const char* label;
    WNNOptionalDouble alpha; /* default 1 */
    WNNOptionalDouble beta;  /* default 0 */
} WNNLinearOptions;
#define WNN_LINEAR_OPTIONS_INIT {NULL, {false, 0.0}, {false, 0.0}}
WNN_EXPORT WNNStatus wnnGraphBuilderLinear(WNNGraphBuilder b, WNNOperand input, const WNNLinearOptions* options,
                                           WNNOperand* output);

/* --- lstm, lstmCell --- */
typedef struct WNNLstmOptions {
    const char* label;
    WNNOperand bias;
    WNNOperand recurrentBias;
    WNNOperand peepholeWeight;
    WNNOperand initialHiddenState;
    WNNOperand initialCellState;
    bool returnSequence;
    WNNRecurrentNetworkDirection direction;
    WNNLstmWeightLayout layout;
    const WNNRecurrentNetworkActivation* activations; /* NULL = [sigmoid, tanh, tanh] */
    size_t activationsCount;
} WNNLstmOptions;
#define WNN_LSTM_OPTIONS_INIT {NULL, NULL, NULL, NULL, NULL, NULL, false, WNNRecurrentNetworkDirection_Undefined, WNNLstmWeightLayout_Undefined, NULL, 0}
/* outputs receives [hidden, cell] or [hidden, cell, sequence] when returnSequence. */
WNN_EXPORT WNNStatus wnnGraphBuilderLstm(WNNGraphBuilder b, WNNOperand input, WNNOperand weight,
                                         WNNOperand recurrentWeight, uint32_t steps, uint32_t hiddenSize,
                                         const WNNLstmOptions* options, WNNOperand* outputs, size_t outputCapacity,
                                         size_t* outputCount);

typedef struct WNNLstmCellOptions {
    const char* label;
    WNNOperand bias;
    WNNOperand recurrentBias;
    WNNOperand peepholeWeight;
    WNNLstmWeightLayout layout;
    const WNNRecurrentNetworkActivation* activations;
    size_t activationsCount;
} WNNLstmCellOptions;
#define WNN_LSTM_CELL_OPTIONS_INIT {NULL, NULL, NULL, NULL, WNNLstmWeightLayout_Undefined, NULL, 0}
/* outputs receives [hidden, cell]; outputCapacity must be at least 2. */
WNN_EXPORT WNNStatus wnnGraphBuilderLstmCell(WNNGraphBuilder b, WNNOperand input, WNNOperand weight,
                                             WNNOperand recurrentWeight, WNNOperand hiddenState, WNNOperand cellState,
                                             uint32_t hiddenSize, const WNNLstmCellOptions* options,
                                             WNNOperand* outputs, size_t outputCapacity, size_t* outputCount);

/* --- matmul --- */
WNN_EXPORT WNNStatus wnnGraphBuilderMatmul(WNNGraphBuilder b, WNNOperand a, WNNOperand bOperand,
                                           const WNNOperatorOptions* options, WNNOperand* output);

/* --- pad --- */
typedef struct WNNPadOptions {
    const char* label;
    WNNPaddingMode mode;
    WNNNumber value; /* type Undefined = 0 */
} WNNPadOptions;
#define WNN_PAD_OPTIONS_INIT {NULL, WNNPaddingMode_Undefined, {WNNNumberType_Undefined, 0.0, 0, 0}}
WNN_EXPORT WNNStatus wnnGraphBuilderPad(WNNGraphBuilder b, WNNOperand input, const uint32_t* beginningPadding,
                                        size_t beginningPaddingCount, const uint32_t* endingPadding,
                                        size_t endingPaddingCount, const WNNPadOptions* options, WNNOperand* output);

/* --- averagePool2d, l2Pool2d, maxPool2d --- */
typedef struct WNNPool2dOptions {
    const char* label;
    const uint32_t* windowDimensions; /* [h, w]; NULL = the whole spatial extent */
    size_t windowDimensionsCount;
    const uint32_t* padding;
    size_t paddingCount;
    const uint32_t* strides;
    size_t stridesCount;
    const uint32_t* dilations;
    size_t dilationsCount;
    WNNInputOperandLayout layout;
    WNNRoundingType outputShapeRounding;
    const uint32_t* outputSizes; /* [h, w]; NULL = absent */
    size_t outputSizesCount;
} WNNPool2dOptions;
#define WNN_POOL2D_OPTIONS_INIT {NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0, WNNInputOperandLayout_Undefined, WNNRoundingType_Undefined, NULL, 0}
WNN_EXPORT WNNStatus wnnGraphBuilderAveragePool2d(WNNGraphBuilder b, WNNOperand input,
                                                  const WNNPool2dOptions* options, WNNOperand* output);
WNN_EXPORT WNNStatus wnnGraphBuilderL2Pool2d(WNNGraphBuilder b, WNNOperand input, const WNNPool2dOptions* options,
                                             WNNOperand* output);
WNN_EXPORT WNNStatus wnnGraphBuilderMaxPool2d(WNNGraphBuilder b, WNNOperand input, const WNNPool2dOptions* options,
                                              WNNOperand* output);

/* --- prelu --- */
WNN_EXPORT WNNStatus wnnGraphBuilderPrelu(WNNGraphBuilder b, WNNOperand input, WNNOperand slope,
                                          const WNNOperatorOptions* options, WNNOperand* output);

/* --- reductions --- */
typedef struct WNNReduceOptions {
    const char* label;
    const uint32_t* axes; /* NULL = all axes; non-NULL with count 0 = no axes */
    size_t axesCount;
    bool keepDimensions;
} WNNReduceOptions;
#define WNN_REDUCE_OPTIONS_INIT {NULL, NULL, 0, false}
#define WNN_DECLARE_REDUCE(Name) \
    WNN_EXPORT WNNStatus wnnGraphBuilder##Name(WNNGraphBuilder b, WNNOperand input, \
                                               const WNNReduceOptions* options, WNNOperand* output);
WNN_DECLARE_REDUCE(ReduceL1)
WNN_DECLARE_REDUCE(ReduceL2)
WNN_DECLARE_REDUCE(ReduceLogSum)
WNN_DECLARE_REDUCE(ReduceLogSumExp)
WNN_DECLARE_REDUCE(ReduceMax)
WNN_DECLARE_REDUCE(ReduceMean)
WNN_DECLARE_REDUCE(ReduceMin)
WNN_DECLARE_REDUCE(ReduceProduct)
WNN_DECLARE_REDUCE(ReduceSum)
WNN_DECLARE_REDUCE(ReduceSumSquare)

/* --- resample2d --- */
typedef struct WNNResample2dOptions {
    const char* label;
    WNNInterpolationMode mode;
    const float* scales;   /* [2]; NULL = [1, 1] */
    size_t scalesCount;
    const uint32_t* sizes; /* [2]; NULL = absent; overrides scales */
    size_t sizesCount;
    const uint32_t* axes;  /* [2]; NULL = [2, 3] */
    size_t axesCount;
} WNNResample2dOptions;
#define WNN_RESAMPLE2D_OPTIONS_INIT {NULL, WNNInterpolationMode_Undefined, NULL, 0, NULL, 0, NULL, 0}
WNN_EXPORT WNNStatus wnnGraphBuilderResample2d(WNNGraphBuilder b, WNNOperand input,
                                               const WNNResample2dOptions* options, WNNOperand* output);

/* --- reshape --- */
WNN_EXPORT WNNStatus wnnGraphBuilderReshape(WNNGraphBuilder b, WNNOperand input, const uint32_t* newShape,
                                            size_t newShapeCount, const WNNOperatorOptions* options, WNNOperand* output);

/* --- reverse --- */
typedef struct WNNReverseOptions {
    const char* label;
    const uint32_t* axes; /* NULL = all axes */
    size_t axesCount;
} WNNReverseOptions;
#define WNN_REVERSE_OPTIONS_INIT {NULL, NULL, 0}
WNN_EXPORT WNNStatus wnnGraphBuilderReverse(WNNGraphBuilder b, WNNOperand input, const WNNReverseOptions* options,
                                            WNNOperand* output);

/* --- scatterElements, scatterND --- */
typedef struct WNNScatterOptions {
    const char* label;
    uint32_t axis; /* default 0 */
} WNNScatterOptions;
#define WNN_SCATTER_OPTIONS_INIT {NULL, 0}
WNN_EXPORT WNNStatus wnnGraphBuilderScatterElements(WNNGraphBuilder b, WNNOperand input, WNNOperand indices,
                                                    WNNOperand updates, const WNNScatterOptions* options,
                                                    WNNOperand* output);
WNN_EXPORT WNNStatus wnnGraphBuilderScatterND(WNNGraphBuilder b, WNNOperand input, WNNOperand indices,
                                              WNNOperand updates, const WNNOperatorOptions* options, WNNOperand* output);

/* --- slice --- */
typedef struct WNNSliceOptions {
    const char* label;
    const uint32_t* strides; /* NULL = all 1 */
    size_t stridesCount;
} WNNSliceOptions;
#define WNN_SLICE_OPTIONS_INIT {NULL, NULL, 0}
WNN_EXPORT WNNStatus wnnGraphBuilderSlice(WNNGraphBuilder b, WNNOperand input, const uint32_t* starts,
                                          size_t startsCount, const uint32_t* sizes, size_t sizesCount,
                                          const WNNSliceOptions* options, WNNOperand* output);

/* --- softmax --- */
WNN_EXPORT WNNStatus wnnGraphBuilderSoftmax(WNNGraphBuilder b, WNNOperand input, uint32_t axis,
                                            const WNNOperatorOptions* options, WNNOperand* output);

/* --- split --- */
typedef struct WNNSplitOptions {
    const char* label;
    uint32_t axis; /* default 0 */
} WNNSplitOptions;
#define WNN_SPLIT_OPTIONS_INIT {NULL, 0}
/* splits as a count: `count` equal parts. */
WNN_EXPORT WNNStatus wnnGraphBuilderSplit(WNNGraphBuilder b, WNNOperand input, uint32_t count,
                                          const WNNSplitOptions* options, WNNOperand* outputs,
                                          size_t outputCapacity, size_t* outputCount);
/* splits as a list of sizes. */
WNN_EXPORT WNNStatus wnnGraphBuilderSplitSizes(WNNGraphBuilder b, WNNOperand input, const uint32_t* splits,
                                               size_t splitsCount, const WNNSplitOptions* options,
                                               WNNOperand* outputs, size_t outputCapacity, size_t* outputCount);

/* --- tile --- */
WNN_EXPORT WNNStatus wnnGraphBuilderTile(WNNGraphBuilder b, WNNOperand input, const uint32_t* repetitions,
                                         size_t repetitionsCount, const WNNOperatorOptions* options,
                                         WNNOperand* output);

/* --- transpose --- */
typedef struct WNNTransposeOptions {
    const char* label;
    const uint32_t* permutation; /* NULL = reversed axes */
    size_t permutationCount;
} WNNTransposeOptions;
#define WNN_TRANSPOSE_OPTIONS_INIT {NULL, NULL, 0}
WNN_EXPORT WNNStatus wnnGraphBuilderTranspose(WNNGraphBuilder b, WNNOperand input,
                                              const WNNTransposeOptions* options, WNNOperand* output);

/* --- triangular --- */
typedef struct WNNTriangularOptions {
    const char* label;
    WNNOptionalBool upper; /* default true */
    int32_t diagonal;      /* default 0 */
} WNNTriangularOptions;
#define WNN_TRIANGULAR_OPTIONS_INIT {NULL, WNNOptionalBool_Undefined, 0}
WNN_EXPORT WNNStatus wnnGraphBuilderTriangular(WNNGraphBuilder b, WNNOperand input,
                                               const WNNTriangularOptions* options, WNNOperand* output);

/* --- where --- */
WNN_EXPORT WNNStatus wnnGraphBuilderWhere(WNNGraphBuilder b, WNNOperand condition, WNNOperand trueValue,
                                          WNNOperand falseValue, const WNNOperatorOptions* options,
                                          WNNOperand* output);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WEBNN_WEBNN_H_ */
