/* quantize_simd.h: quantizeLinear / dequantizeLinear over a run of elements that share one scale
 * and zero point, in vectors (k_quantize.c walks the runs). The same results as the scalar loop,
 * bit for bit: quantize divides in double and rounds half to even there; dequantize's
 * (x - zeroPoint) is exact in float32 and its product rounds once, as the double product would. */
#ifndef WNN_BACKENDS_CPU_QUANTIZE_SIMD_H_
#define WNN_BACKENDS_CPU_QUANTIZE_SIMD_H_

#include <stddef.h>
#include <stdint.h>

#include "webnn/webnn.h"

/* out[i] = saturate(roundHalfEven(x[i] / scale) + zeroPoint), NaN -> 0 (int8 stored as its bytes). */
typedef void (*WnnQuantizeRunFn)(const float* x, size_t n, float scale, double zeroPoint, uint8_t* out);
/* out[i] = (x[i] - zeroPoint) * scale (x: int8 or uint8 bytes). */
typedef void (*WnnDequantizeRunFn)(const uint8_t* x, size_t n, float scale, float zeroPoint, float* out);

/* The vector kernel for these types on this CPU, or NULL (float32 <-> int8 / uint8 with a float32
 * scale, on AVX2; anything else takes the scalar loop). */
WnnQuantizeRunFn wnn_quantize_run_fn(WNNOperandDataType input, WNNOperandDataType scale, WNNOperandDataType output);
WnnDequantizeRunFn wnn_dequantize_run_fn(WNNOperandDataType input, WNNOperandDataType scale, WNNOperandDataType output);

#endif
