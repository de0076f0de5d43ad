/* eltwise_f16.c: the float16 fast path of the element-wise ops (eltwise_engine.h). The output is
 * cut into blocks; each input's block is converted to float32 (F16C where the CPU has it,
 * f16_convert.c), the op's float32 block function computes (eltwise_float_ops.c says why that is
 * exact enough), and the block is rounded to float16 once on the store. Blocks run over the pool.
 * Broadcasting covers what graphs use most: a single element, a row along the last axis (a bias,
 * [1,128,768] + [768]) and a column ([.., n, 1]: a per-row statistic); the engine does the rest. */
#include "backends/cpu/eltwise_engine.h"
#include "backends/cpu/f16_convert.h"
#include "graph/ops/elementwise.h"

#define BLOCK 512

typedef enum Mode { FULL, SCALAR, ROW, COL } Mode;

typedef struct F16Job {
    const WnnEltFloatOp* op;
    WnnEltFloatParams p;
    const uint16_t* in[2];
    Mode mode[2];
    uint16_t* out;
    size_t n, inner; /* output elements, and along its last axis */
} F16Job;

/* How input d reaches the output's shape od, or -1 when none of the four ways. */
static int mode_of(const WnnDesc* d, const WnnDesc* od) {
    if (wnn_desc_same_shape(d, od)) return FULL;
    if (wnn_desc_numel(d) == 1) return SCALAR;
    int row = 1, col = 1;
    for (uint32_t a = 0; a < od->rank; a++) {
        int32_t ia = (int32_t)a - (int32_t)(od->rank - d->rank);
        uint32_t dim = ia < 0 ? 1 : d->shape[ia], last = a + 1 == od->rank;
        row &= dim == (last ? od->shape[a] : 1);
        col &= dim == (last ? 1 : od->shape[a]);
    }
    return row ? ROW : col ? COL : -1;
}

static void fill(float* buf, float v, size_t n) {
    for (size_t i = 0; i < n; i++) buf[i] = v;
}

/* Input k's values at output elements [s, s + n) into buf. */
static void load(const F16Job* j, int k, float* buf, size_t s, size_t n) {
    const uint16_t* src = j->in[k];
    if (j->mode[k] == FULL) wnn_f16_to_f32_n(src + s, buf, n);
    else if (j->mode[k] == SCALAR) fill(buf, wnn_half_to_float(src[0]), n);
    else for (size_t done = 0; done < n;) { /* a row or column: piece by output row */
        size_t at = s + done, c = at % j->inner, m = WNN_MIN(n - done, j->inner - c);
        if (j->mode[k] == ROW) wnn_f16_to_f32_n(src + c, buf + done, m);
        else fill(buf + done, wnn_half_to_float(src[at / j->inner]), m);
        done += m;
    }
}

static void run_blocks(void* ctx, size_t begin, size_t end) {
    const F16Job* j = ctx;
    float in[2][BLOCK], out[BLOCK];
    for (size_t b = begin; b < end; b++) {
        size_t s = b * BLOCK, n = WNN_MIN(BLOCK, j->n - s);
        for (uint32_t k = 0; k < j->op->inputs; k++) load(j, (int)k, in[k], s, n);
        j->op->fn(&j->p, out, in[0], j->op->inputs > 1 ? in[1] : NULL, n);
        wnn_f32_to_f16_n(out, j->out + s, n);
    }
}

int wnn_elt_f16(const WnnCpuKernelArgs* args) {
    const WnnDesc* od = args->outputs[0].desc;
    const WnnEltFloatOp* op = wnn_elt_float_op(args->node->op);
    if (od->type != WNNOperandDataType_Float16 || !op || args->node->inputCount != op->inputs) return 0;
    F16Job j = {op, {0, 0, 0, 0}, {NULL, NULL}, {FULL, FULL}, args->outputs[0].data, (size_t)wnn_desc_numel(od),
                od->rank ? od->shape[od->rank - 1] : 1};
    for (uint32_t k = 0; k < op->inputs; k++) {
        const WnnDesc* d = args->inputs[k].desc;
        int m = d && d->type == WNNOperandDataType_Float16 ? mode_of(d, od) : -1;
        if (m < 0) return 0;
        j.mode[k] = (Mode)m;
        j.in[k] = args->inputs[k].data;
    }
    if (op->attrs == WNN_ELT_CLAMP_ATTRS && !wnn_elt_clamp_bounds(args->node->attrs, &j.p.lo, &j.p.hi)) return 0;
    if (op->attrs == WNN_ELT_ACTIVATION_ATTRS) {
        const WnnActivationAttrs* a = args->node->attrs;
        j.p.alpha = (float)a->alpha;
        j.p.beta = (float)a->beta;
    }
    size_t blocks = (j.n + BLOCK - 1) / BLOCK;
    wnn_parallel_for(args->pool, blocks, 16384 / BLOCK, run_blocks, &j);
    return 1;
}
