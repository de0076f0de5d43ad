/* eltwise_engine.h: runs an element-wise function over broadcast inputs for every data type.
 *
 * Each input is loaded block by block into one of three compute domains (double for float types,
 * int64 for the signed and narrow unsigned integer types, uint64 for uint64), the op's block function
 * computes in that domain, and the result is stored with the output type's conversion: floats round
 * once, integer results wrap, float-to-integer truncates and saturates. Work is split over the
 * thread pool by blocks of the innermost dimension. */
#ifndef WNN_BACKENDS_CPU_ELTWISE_ENGINE_H_
#define WNN_BACKENDS_CPU_ELTWISE_ENGINE_H_

#include "backends/cpu/cpu_kernels.h"

#define WNN_ELT_BLOCK 256
#define WNN_ELT_MAX_INPUTS 3

typedef enum WnnEltDomain { WNN_DOM_F64, WNN_DOM_I64, WNN_DOM_U64 } WnnEltDomain;

typedef struct WnnEltFns {
    void (*f)(const void* ctx, double* out, const double* const* in, size_t n);
    void (*i)(const void* ctx, int64_t* out, const int64_t* const* in, size_t n);
    void (*u)(const void* ctx, uint64_t* out, const uint64_t* const* in, size_t n);
} WnnEltFns;

/* The domain a type computes in. */
WnnEltDomain wnn_elt_domain(WNNOperandDataType t);

/* Runs fns over the kernel's inputs (all of them, broadcast to the output shape), computing in the
 * domain of `domainType` (the input type that decides the arithmetic). */
WNNStatus wnn_elt_run(const WnnCpuKernelArgs* args, const WnnEltFns* fns, const void* ctx,
                      WNNOperandDataType domainType);

/* The float32 fast path (eltwise_f32.c): returns 1 when it ran the op (all inputs float32, each
 * of the output's shape or a single element), 0 when the engine must. ctx: WnnClampAttrs for clamp. */
typedef enum WnnEltF32Op { WNN_F32_ADD, WNN_F32_SUB, WNN_F32_MUL, WNN_F32_DIV, WNN_F32_RELU, WNN_F32_CLAMP } WnnEltF32Op;
int wnn_elt_f32(const WnnCpuKernelArgs* args, WnnEltF32Op op, const void* ctx);

/* clamp's bounds as float32 (+-inf when absent); 0 when one is NaN or not a float32 value, where
 * a float compare would not be the engine's double one. */
struct WnnClampAttrs;
int wnn_elt_clamp_bounds(const struct WnnClampAttrs* c, float* lo, float* hi);

/* float32 block functions of the ops whose float16 results may be computed in float32
 * (eltwise_float_ops.c). b is NULL for unary ops; p holds the op's attributes as floats. */
typedef struct WnnEltFloatParams {
    float lo, hi;      /* clamp */
    float alpha, beta; /* elu, hardSigmoid, leakyRelu, linear */
} WnnEltFloatParams;
typedef void (*WnnEltFloatFn)(const WnnEltFloatParams* p, float* o, const float* a, const float* b, size_t n);
typedef enum WnnEltFloatAttrs { WNN_ELT_NO_ATTRS, WNN_ELT_ACTIVATION_ATTRS, WNN_ELT_CLAMP_ATTRS } WnnEltFloatAttrs;
typedef struct WnnEltFloatOp {
    WnnEltFloatFn fn; /* NULL: the op has no float32 block function */
    uint32_t inputs;  /* 1 or 2 */
    WnnEltFloatAttrs attrs;
} WnnEltFloatOp;
/* The op's entry, or NULL. */
const WnnEltFloatOp* wnn_elt_float_op(WnnOpId op);

/* How an input of shape d reaches the output's od (eltwise_block.c): the same shape, a single
 * element, a row along the last axis ([..1.., n]) or a column ([d0..dk, 1]); -1 for anything else. */
typedef enum WnnEltMode { WNN_ELT_FULL, WNN_ELT_SCALAR, WNN_ELT_ROW, WNN_ELT_COL } WnnEltMode;
int wnn_elt_mode(const WnnDesc* d, const WnnDesc* od);
/* The float32 values of a float32 or float16 (f16) input at output elements [s, s + n) into buf;
 * inner: the output's last dimension. */
void wnn_elt_load(const void* src, int f16, WnnEltMode mode, size_t inner, float* buf, size_t s, size_t n);
/* node's attributes as op's parameters; 0 when the float32 form would not be exact (clamp). */
int wnn_elt_float_params(const WnnEltFloatOp* op, const WnnNode* node, WnnEltFloatParams* p);

/* The float16 fast path (eltwise_f16.c): returns 1 when it ran the op (a wnn_elt_float_op op,
 * every input and the output float16, each input of the output's shape, a single element, a row
 * along the last axis ([..1.., n]) or a column ([d0..dk, 1])), 0 when the engine must. */
int wnn_elt_f16(const WnnCpuKernelArgs* args);

#endif
