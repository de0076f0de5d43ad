/* k_quantize.c: quantizeLinear and dequantizeLinear on the CPU with blockwise scales.
 * quantize: saturate(roundHalfEven(x / scale) + zeroPoint); dequantize: (x - zeroPoint) * scale. */
#include <math.h>

#include "backends/cpu/cpu_kernels.h"

#define IN(k) (args->inputs[k])
#define OUT(k) (args->outputs[k])

/* Index into scale / zeroPoint of input element i (block = input dim / scale dim per axis). */
static size_t param_index(const WnnDesc* in, const WnnDesc* sc, size_t i) {
    size_t idx = 0, mul = 1;
    for (uint32_t d = in->rank; d-- > 0;) {
        size_t c = i % in->shape[d];
        i /= in->shape[d];
        idx += c / (in->shape[d] / sc->shape[d]) * mul;
        mul *= sc->shape[d];
    }
    return idx;
}

static double type_min(WNNOperandDataType t) {
    return t == WNNOperandDataType_Int8 ? -128.0 : t == WNNOperandDataType_Int32 ? -2147483648.0 : 0.0;
}
static double type_max(WNNOperandDataType t) {
    return t == WNNOperandDataType_Int8 ? 127.0 : t == WNNOperandDataType_Uint8 ? 255.0
           : t == WNNOperandDataType_Int32 ? 2147483647.0 : 4294967295.0;
}

WNNStatus wnn_cpu_quantizeLinear(const WnnCpuKernelArgs* args) {
    const WnnDesc *in = IN(0).desc, *sc = IN(1).desc, *out = OUT(0).desc;
    size_t n = (size_t)wnn_desc_numel(in);
    double lo = type_min(out->type), hi = type_max(out->type);
    for (size_t i = 0; i < n; i++) {
        size_t p = param_index(in, sc, i);
        double q = nearbyint(wnn_load_f64(IN(0).data, in->type, i) / wnn_load_f64(IN(1).data, sc->type, p));
        q += (double)wnn_load_i64(IN(2).data, IN(2).desc->type, p);
        if (isnan(q)) q = 0;
        q = q < lo ? lo : q > hi ? hi : q;
        wnn_store_i64(OUT(0).data, out->type, i, (int64_t)q);
    }
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_dequantizeLinear(const WnnCpuKernelArgs* args) {
    const WnnDesc *in = IN(0).desc, *sc = IN(1).desc, *out = OUT(0).desc;
    size_t n = (size_t)wnn_desc_numel(in);
    for (size_t i = 0; i < n; i++) {
        size_t p = param_index(in, sc, i);
        double x = (double)wnn_load_i64(IN(0).data, in->type, i) - (double)wnn_load_i64(IN(2).data, IN(2).desc->type, p);
        wnn_store_f64(OUT(0).data, out->type, i, x * wnn_load_f64(IN(1).data, sc->type, p));
    }
    return WNNStatus_Success;
}
