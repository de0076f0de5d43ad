/* eltwise_block.c: what the float32-domain element-wise paths share (eltwise_engine.h): how an
 * input broadcasts to the output, loading a block of it as float32, and an op's attributes as
 * float parameters. Used by the float16 fast path (eltwise_f16.c) and the chains (cpu_chain.c). */
#include "backends/cpu/eltwise_engine.h"

#include <string.h>

#include "backends/cpu/f16_convert.h"
#include "graph/ops/elementwise.h"

int wnn_elt_mode(const WnnDesc* d, const WnnDesc* od) {
    if (wnn_desc_same_shape(d, od)) return WNN_ELT_FULL;
    if (wnn_desc_numel(d) == 1) return WNN_ELT_SCALAR;
    if (d->rank > od->rank) return -1;
    int row = 1, col = 1;
    for (uint32_t a = 0; a < od->rank; a++) {
        int32_t ia = (int32_t)a - (int32_t)(od->rank - d->rank);
        uint32_t dim = ia < 0 ? 1 : d->shape[ia], last = a + 1 == od->rank;
        row &= dim == (last ? od->shape[a] : 1);
        col &= dim == (last ? 1 : od->shape[a]);
    }
    return row ? WNN_ELT_ROW : col ? WNN_ELT_COL : -1;
}

static void fill(float* buf, float v, size_t n) {
    for (size_t i = 0; i < n; i++) buf[i] = v;
}

/* n elements of a float32 or float16 array from element s. */
static void convert(const void* src, int f16, size_t s, float* buf, size_t n) {
    if (f16) wnn_f16_to_f32_n((const uint16_t*)src + s, buf, n);
    else memcpy(buf, (const float*)src + s, n * sizeof(float));
}

static float element(const void* src, int f16, size_t i) {
    return f16 ? wnn_half_to_float(((const uint16_t*)src)[i]) : ((const float*)src)[i];
}

void wnn_elt_load(const void* src, int f16, WnnEltMode mode, size_t inner, float* buf, size_t s, size_t n) {
    if (mode == WNN_ELT_FULL) convert(src, f16, s, buf, n);
    else if (mode == WNN_ELT_SCALAR) fill(buf, element(src, f16, 0), n);
    else for (size_t done = 0; done < n;) { /* a row or column: piece by output row */
        size_t at = s + done, c = at % inner, m = WNN_MIN(n - done, inner - c);
        if (mode == WNN_ELT_ROW) convert(src, f16, c, buf + done, m);
        else fill(buf + done, element(src, f16, at / inner), m);
        done += m;
    }
}

int wnn_elt_float_params(const WnnEltFloatOp* op, const WnnNode* node, WnnEltFloatParams* p) {
    memset(p, 0, sizeof *p);
    if (op->attrs == WNN_ELT_CLAMP_ATTRS) return wnn_elt_clamp_bounds(node->attrs, &p->lo, &p->hi);
    if (op->attrs == WNN_ELT_ACTIVATION_ATTRS) {
        const WnnActivationAttrs* a = node->attrs;
        p->alpha = (float)a->alpha;
        p->beta = (float)a->beta;
    }
    return 1;
}
