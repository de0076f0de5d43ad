/* cpu_qdq.h: quantized (QDQ) conv2d / matmul / gemm on the CPU as one int8 step.
 *
 * WebNN writes a quantized layer as
 *     x = dequantizeLinear(x_q, sx, zx)   w = dequantizeLinear(constant w_q, sw, zw)
 *     y = act(op(x, w) + bias)            y_q = quantizeLinear(y, sy, zy)
 * (op conv2d, matmul or gemm; bias, act and the quantizeLinear optional). The build-time pattern
 * (cpu_qdq.c) finds it around node k and the oneDNN int8 path (onednn_int8.c) runs it as one
 * primitive: int8 x int8 products summed exactly in int32, then rescaled once in float32 by
 * sx * sw[c] / sy, bias and activation applied in that scale, zy added, rounded half to even and
 * saturated. Only that rescale rounds differently from the spec's dequantize -> float op ->
 * quantize, so a quantized output equals the float path's or differs by 1 where y / sy lies within
 * a few float32 ulps of a rounding tie (measured in tests/unit/test_cpu_int8.c); a float output
 * (no quantizeLinear) is within float32 rounding of the exact value.
 *
 * Conditions (else the float path runs the nodes as written): x_q int8 / uint8 with one scale
 * and zero point for the whole tensor (a scalar, or a shape whose values are all equal), w_q a
 * constant int8 / uint8 with one scale per tensor or per output channel and (w_q - zw) within
 * int8 (symmetric weights always; uint8 weights with zero point 128 too), scales float32,
 * positive and finite, scale / zero point operands constants, the op's bias (gemm: c per column,
 * alpha != 0) a float32 constant or
 * the dequantizeLinear of an integer constant (an ONNX-style int32 bias), the activation relu, clamp or leakyRelu when quantized (any that
 * oneDNN fuses exactly for a float output), and every intermediate from the op to the
 * quantizeLinear read only by the next node of the pattern and not a graph output. A
 * dequantizeLinear read by other nodes too stays in the graph (the int8 step reads x_q itself).
 *
 * WNN_CPU_INT8 = onednn | own | auto (default), read at each build: onednn takes the int8 path
 * wherever the conditions hold, own never (the float path), auto as onednn where oneDNN has exact
 * int8 dot products (VNNI or AMX: without them its kernels halve the weights, which rounds). */
#ifndef WNN_BACKENDS_CPU_CPU_QDQ_H_
#define WNN_BACKENDS_CPU_CPU_QDQ_H_

#include "backends/cpu/conv_prepare.h"

typedef struct WnnCpuQdq {
    int32_t x, xScale, xZp; /* the activation's dequantizeLinear: x_q and its parameters */
    int32_t w, wScale, wZp; /* the weights' */
    uint32_t wAxis;         /* dimension of w_q holding the output channels */
    int32_t b, bScale, bZp; /* the op's bias (conv2d bias, gemm c): a float32 constant (bScale -1),
                               or dequantizeLinear(constant b_q, bScale, bZp) as from ONNX's int32
                               biases; b -1: none */
    int32_t yScale, yZp;    /* the trailing quantizeLinear's parameters, or -1: float output */
    int32_t y;              /* the step's output: y_q, or the float result */
} WnnCpuQdq;

/* Quantized add: y_q = quantizeLinear(act(dequantizeLinear(a_q) + dequantizeLinear(b_q))) with
 * a_q, b_q and y_q of one shape, int8 / uint8, parameters per tensor, act relu, clamp or none, runs
 * as one pass over the int8 tensors (no float tensors in memory). It computes what the float path
 * does, in the same precision (float32 dequantize and sum, the quantize's division in double), so
 * its results are identical. It needs no oneDNN; WNN_CPU_INT8=own turns it off too. */

/* 1 when node k (conv2d, matmul or gemm; or add) is the middle of a QDQ pattern the int8 path may run:
 * f is the chain to fold (the dequantizeLinear nodes read only by k, the bias add, activation
 * and quantizeLinear; f->input[0] = x_q, f->output = q->y), q the quantization parameters. */
int wnn_cpu_qdq_candidate(const WnnGraphIR* ir, const uint32_t* uses, uint32_t k, WnnCpuFusion* f, WnnCpuQdq* q);

/* *out = the int8 step for the pattern, or NULL when oneDNN cannot run it (values out of range,
 * no primitive): the caller then prepares node k alone. */
WNNStatus wnn_cpu_qdq_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f, const WnnCpuQdq* q,
                              WnnCpuPrepared** out);

/* After every node is prepared: a dequantizeLinear whose readers are all int8 steps (each reads
 * its int8 input itself) is dead; it is folded into the first of them (fused[], absorbed[]). */
void wnn_cpu_qdq_fold_shared(const WnnGraphIR* ir, WnnCpuPrepared* const* prep, WnnCpuFusion* fused, char* absorbed);

/* int8 steps prepared since the process started (tests check that a forced path ran). */
unsigned wnn_cpu_int8_nodes(void);
/* May a build take the int8 path (WNN_CPU_INT8, and in auto the CPU's int8 dot products)? Constant
 * folding then keeps dequantizeLinear nodes, which the pattern reads. */
int wnn_cpu_qdq_may_run(void);
/* Whether this CPU has exact int8 dot products in oneDNN (VNNI): the int8 conv2d / matmul / gemm
 * steps run only then, whatever WNN_CPU_INT8 says. */
int wnn_cpu_int8_exact(void);

#ifdef WNN_HAVE_ONEDNN
/* The oneDNN primitive of a conv2d / matmul / gemm pattern (onednn_int8.c), or *out = NULL. */
WNNStatus wnn_onednn_int8_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f,
                                  const WnnCpuQdq* q, WnnCpuPrepared** out);
#endif

#endif
