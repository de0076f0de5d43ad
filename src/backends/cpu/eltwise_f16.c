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

typedef struct F16Job {
    const WnnEltFloatOp* op;
    WnnEltFloatParams p;
    const uint16_t* in[2];
    WnnEltMode mode[2];
    uint16_t* out;
    size_t n, inner; /* output elements, and along its last axis */
} F16Job;

static void run_blocks(void* ctx, size_t begin, size_t end) {
    const F16Job* j = ctx;
    float in[2][BLOCK], out[BLOCK];
    for (size_t b = begin; b < end; b++) {
        size_t s = b * BLOCK, n = WNN_MIN(BLOCK, j->n - s);
        for (uint32_t k = 0; k < j->op->inputs; k++) wnn_elt_load(j->in[k], 1, j->mode[k], j->inner, in[k], s, n);
        j->op->fn(&j->p, out, in[0], j->op->inputs > 1 ? in[1] : NULL, n);
        wnn_f32_to_f16_n(out, j->out + s, n);
    }
}

int wnn_elt_f16(const WnnCpuKernelArgs* args) {
    const WnnDesc* od = args->outputs[0].desc;
    const WnnEltFloatOp* op = wnn_elt_float_op(args->node->op);
    if (od->type != WNNOperandDataType_Float16 || !op || args->node->inputCount != op->inputs) return 0;
    F16Job j = {op, {0, 0, 0, 0}, {NULL, NULL}, {WNN_ELT_FULL, WNN_ELT_FULL}, args->outputs[0].data, (size_t)wnn_desc_numel(od),
                od->rank ? od->shape[od->rank - 1] : 1};
    for (uint32_t k = 0; k < op->inputs; k++) {
        const WnnDesc* d = args->inputs[k].desc;
        int m = d && d->type == WNNOperandDataType_Float16 ? wnn_elt_mode(d, od) : -1;
        if (m < 0) return 0;
        j.mode[k] = (WnnEltMode)m;
        j.in[k] = args->inputs[k].data;
    }
    if (!wnn_elt_float_params(op, args->node, &j.p)) return 0;
    size_t blocks = (j.n + BLOCK - 1) / BLOCK;
    wnn_parallel_for(args->pool, blocks, 16384 / BLOCK, run_blocks, &j);
    return 1;
}
