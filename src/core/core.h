/* core.h: status and last-error, data types, float16 conversion, small utilities.
 * Everything above core may include this; it includes only the public header. */
#ifndef WNN_CORE_CORE_H_
#define WNN_CORE_CORE_H_

#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "webnn/webnn.h"

/* Set the thread-local error message (printf format) and return `status`. Use as
 *   return wnn_error(WNNStatus_TypeError, "conv2d: groups must be > 0");          */
WNNStatus wnn_error(WNNStatus status, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
WNNStatus wnn_verror(WNNStatus status, const char* fmt, va_list ap);

/* ---- data types ---- */
#define WNN_T(t) (1u << (WNNOperandDataType_##t))
#define WNN_T_F32 WNN_T(Float32)
#define WNN_T_F16 WNN_T(Float16)
#define WNN_T_I32 WNN_T(Int32)
#define WNN_T_U32 WNN_T(Uint32)
#define WNN_T_I64 WNN_T(Int64)
#define WNN_T_U64 WNN_T(Uint64)
#define WNN_T_I8 WNN_T(Int8)
#define WNN_T_U8 WNN_T(Uint8)
#define WNN_T_FLOAT (WNN_T_F32 | WNN_T_F16)
#define WNN_T_ANY (WNN_T_F32 | WNN_T_F16 | WNN_T_I32 | WNN_T_U32 | WNN_T_I64 | WNN_T_U64 | WNN_T_I8 | WNN_T_U8)

/* Bytes per element; 0 for an invalid type. */
size_t wnn_type_size(WNNOperandDataType t);
/* Spec name ("float32", ...); "invalid" for an invalid type. */
const char* wnn_type_name(WNNOperandDataType t);
/* Parse a spec name; Undefined if unknown. */
WNNOperandDataType wnn_type_from_name(const char* name);
int wnn_type_valid(WNNOperandDataType t);
int wnn_type_is_float(WNNOperandDataType t);
int wnn_type_is_signed_int(WNNOperandDataType t);
/* Writes "float32, float16" for a mask into buf. */
const char* wnn_type_mask_names(uint32_t mask, char* buf, size_t size);

/* ---- float16 (IEEE binary16), round to nearest even ---- */
float wnn_half_to_float(uint16_t h);
uint16_t wnn_float_to_half(float f);
uint16_t wnn_double_to_half(double d); /* rounds once, directly from double */

/* ---- generic element access (slow path for reference code and tools) ----
 * Reads element i of a buffer of type t as double / int64 / uint64; writes with the spec's
 * conversion (float: round to nearest; integers: from double, truncation toward zero with
 * saturation; NaN -> 0). */
double wnn_load_f64(const void* data, WNNOperandDataType t, size_t i);
int64_t wnn_load_i64(const void* data, WNNOperandDataType t, size_t i);
uint64_t wnn_load_u64(const void* data, WNNOperandDataType t, size_t i);
void wnn_store_f64(void* data, WNNOperandDataType t, size_t i, double v);
void wnn_store_i64(void* data, WNNOperandDataType t, size_t i, int64_t v);
void wnn_store_u64(void* data, WNNOperandDataType t, size_t i, uint64_t v);

/* Stores an MLNumber into element i of type t: floats round to nearest; integers saturate to the
 * type's range (exactly, for int64/uint64 values beyond 2^53); NaN becomes 0 for integers.
 * Returns 0 for a number of undefined type. */
int wnn_store_number(void* data, WNNOperandDataType t, size_t i, WNNNumber n);

/* ---- memory ---- */
void* wnn_malloc(size_t size);             /* NULL on failure (caller reports OutOfMemory) */
void* wnn_calloc(size_t n, size_t size);
void* wnn_aligned_alloc(size_t size);      /* 64-byte aligned; free with wnn_aligned_free */
void wnn_aligned_free(void* p);
char* wnn_strdup(const char* s);

/* ---- reference counts ---- */
typedef struct WnnRef {
    atomic_int count;
} WnnRef;
static inline void wnn_ref_init(WnnRef* r) { atomic_init(&r->count, 1); }
static inline void wnn_ref_add(WnnRef* r) { atomic_fetch_add(&r->count, 1); }
/* Returns 1 when the last reference went away. */
static inline int wnn_ref_release(WnnRef* r) { return atomic_fetch_sub(&r->count, 1) == 1; }

#define WNN_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define WNN_MIN(a, b) ((a) < (b) ? (a) : (b))
#define WNN_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif /* WNN_CORE_CORE_H_ */
