/* cpu_chain.c: runs of element-wise nodes as one step (cpu_passes.h). A run is a chain of nodes
 * with a float32 block function (eltwise_float_ops.c) on float32 or float16 tensors of one shape,
 * each reading the previous one's output (its only reader, not a graph output) and otherwise
 * operands that are the same shape, a single element, a last-axis row or a column of it. The step
 * takes the output block by block (512 elements: a few KiB, in L1) through every op of the run and
 * stores it once, so the intermediates never reach memory. float16 is computed in float32 and
 * rounded once at the end (fewer roundings than op by op); float32 ops are the float32 functions,
 * within a few ulp of the engine's double-rounded ones for the transcendental ops and
 * bit-identical for the arithmetic ones. The step runs at the place of the run's last node, where
 * every operand it reads has been made. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_passes.h"
#include "backends/cpu/eltwise_engine.h"
#include "backends/cpu/f16_convert.h"

#define BLOCK 512
#define RUNNING (-1) /* an op's argument that is the previous op's result */

typedef struct ChainOp {
    const WnnEltFloatOp* op;
    WnnEltFloatParams p;
    int32_t arg[2]; /* RUNNING, or an index into the step's inputs */
} ChainOp;

typedef struct Chain {
    WnnCpuPrepared base;
    uint32_t opCount, inputCount;
    ChainOp* ops;
    int32_t* inputs;  /* operand ids: the step's node reads these */
    WnnEltMode* mode; /* per input */
    int f16;
    size_t n, inner; /* output elements, and along its last axis */
} Chain;

typedef struct ChainJob {
    const Chain* c;
    const WnnCpuKernelArgs* args;
} ChainJob;

static void run_blocks(void* ctx, size_t begin, size_t end) {
    const ChainJob* j = ctx;
    const Chain* c = j->c;
    float v[BLOCK], t[2][BLOCK];
    for (size_t b = begin; b < end; b++) {
        size_t s = b * BLOCK, n = WNN_MIN(BLOCK, c->n - s);
        for (uint32_t i = 0; i < c->opCount; i++) {
            const ChainOp* o = &c->ops[i];
            const float* a[2] = {v, v};
            for (uint32_t k = 0; k < o->op->inputs; k++) {
                if (o->arg[k] == RUNNING) continue;
                const void* src = j->args->inputs[o->arg[k]].data;
                if (!c->f16 && c->mode[o->arg[k]] == WNN_ELT_FULL) a[k] = (const float*)src + s; /* read in place */
                else wnn_elt_load(src, c->f16, c->mode[o->arg[k]], c->inner, t[k], s, n), a[k] = t[k];
            }
            /* the last float32 op writes the output itself; the functions allow o == a or b */
            float* dst = !c->f16 && i + 1 == c->opCount ? (float*)j->args->outputs[0].data + s : v;
            o->op->fn(&o->p, dst, a[0], o->op->inputs > 1 ? a[1] : NULL, n);
        }
        if (c->f16) wnn_f32_to_f16_n(v, (uint16_t*)j->args->outputs[0].data + s, n);
    }
}

static WNNStatus chain_run(const WnnCpuPrepared* self, const WnnCpuKernelArgs* args) {
    const Chain* c = (const Chain*)self;
    ChainJob j = {c, args};
    size_t blocks = (c->n + BLOCK - 1) / BLOCK, grain = 32 / c->opCount + 1;
    wnn_parallel_for(args->pool, blocks, grain, run_blocks, &j);
    return WNNStatus_Success;
}

static void chain_release(WnnCpuPrepared* self) {
    Chain* c = (Chain*)self;
    free(c->ops);
    free(c->inputs);
    free(c->mode);
    free(c);
}

/* Can node k join a chain of output descriptor od (NULL: as its head, any shape)? */
static int chainable(const WnnGraphIR* ir, const WnnCpuPrepared* const* prep, const size_t* bytes, uint32_t k,
                     const WnnDesc* od) {
    const WnnNode* n = &ir->nodes[k];
    const WnnEltFloatOp* op = wnn_elt_float_op(n->op);
    WnnEltFloatParams p;
    if (prep[k] || !op || n->inputCount != op->inputs || n->outputCount != 1 || bytes[n->outputs[0]]) return 0;
    const WnnDesc* d = &ir->operands[n->outputs[0]].desc;
    if ((d->type != WNNOperandDataType_Float32 && d->type != WNNOperandDataType_Float16) || (od && !wnn_desc_equal(d, od)))
        return 0;
    for (uint32_t j = 0; j < n->inputCount; j++) {
        int32_t id = n->inputs[j];
        if (id < 0 || bytes[id] || ir->operands[id].desc.type != d->type || wnn_elt_mode(&ir->operands[id].desc, d) < 0)
            return 0;
    }
    return wnn_elt_float_params(op, n, &p);
}

/* Is a run of one node k worth a step? float32 nodes the double engine would run: every op but
 * add / sub / mul / div / relu / clamp on full or single-element operands (eltwise_f32.c's fast
 * path). On [1,128,3072]: exp 0.96 -> 0.61 ms, sigmoid 1.03 -> 0.66, tanh 3.39 -> 3.12 (the float32
 * functions are scalar libm calls). float16 nodes have their own fast path. */
static int one_op_step(const WnnGraphIR* ir, uint32_t k) {
    const WnnNode* n = &ir->nodes[k];
    const WnnDesc* d = &ir->operands[n->outputs[0]].desc;
    if (d->type != WNNOperandDataType_Float32) return 0;
    int simple = n->op == WNN_OP_add || n->op == WNN_OP_sub || n->op == WNN_OP_mul || n->op == WNN_OP_div ||
                 n->op == WNN_OP_relu || n->op == WNN_OP_clamp;
    for (uint32_t j = 0; simple && j < n->inputCount; j++)
        if (wnn_elt_mode(&ir->operands[n->inputs[j]].desc, d) > WNN_ELT_SCALAR) simple = 0;
    return !simple;
}

/* Index of operand id in c's inputs, appended when new. */
static int32_t input_slot(Chain* c, int32_t id, const WnnDesc* od, const WnnGraphIR* ir) {
    for (uint32_t i = 0; i < c->inputCount; i++)
        if (c->inputs[i] == id) return (int32_t)i;
    c->inputs[c->inputCount] = id;
    c->mode[c->inputCount] = (WnnEltMode)wnn_elt_mode(&ir->operands[id].desc, od);
    return (int32_t)c->inputCount++;
}

/* The step for the run nodes[0..count) of ir; the last node is rewritten to read its inputs. */
static WNNStatus make_chain(WnnGraphIR* ir, const uint32_t* run, uint32_t count, WnnCpuPrepared** out) {
    const WnnDesc* od = &ir->operands[ir->nodes[run[count - 1]].outputs[0]].desc;
    Chain* c = wnn_calloc(1, sizeof *c);
    if (c) {
        c->ops = wnn_calloc(count, sizeof *c->ops);
        c->inputs = wnn_calloc(2 * count, sizeof *c->inputs);
        c->mode = wnn_calloc(2 * count, sizeof *c->mode);
    }
    if (!c || !c->ops || !c->inputs || !c->mode) {
        if (c) chain_release(&c->base);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    }
    c->base.run = chain_run;
    c->base.release = chain_release;
    c->opCount = count;
    c->f16 = od->type == WNNOperandDataType_Float16;
    c->n = (size_t)wnn_desc_numel(od);
    c->inner = od->rank ? od->shape[od->rank - 1] : 1;
    snprintf(c->base.path, sizeof c->base.path, "chain of %u", count);
    int32_t running = -1;
    for (uint32_t i = 0; i < count; i++) {
        const WnnNode* n = &ir->nodes[run[i]];
        ChainOp* o = &c->ops[i];
        o->op = wnn_elt_float_op(n->op);
        wnn_elt_float_params(o->op, n, &o->p);
        for (uint32_t j = 0; j < n->inputCount; j++)
            o->arg[j] = i > 0 && n->inputs[j] == running ? RUNNING : input_slot(c, n->inputs[j], od, ir);
        running = n->outputs[0];
    }
    WnnNode* last = &ir->nodes[run[count - 1]];
    last->inputs = c->inputs;
    last->inputCount = c->inputCount;
    *out = &c->base;
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_chain(WnnGraphIR* ir, WnnCpuPrepared** prep, char* skip, const size_t* bytes, unsigned* chains,
                        unsigned* nodes) {
    *chains = *nodes = 0;
    uint32_t no = ir->operandCount ? ir->operandCount : 1, nn = ir->nodeCount ? ir->nodeCount : 1;
    /* readers[i]: nodes reading operand i (a graph output counts as one more); reader[i]: the last */
    uint32_t* readers = wnn_calloc(no, sizeof *readers);
    uint32_t* reader = wnn_calloc(no, sizeof *reader);
    uint32_t* run = wnn_calloc(nn, sizeof *run);
    WNNStatus s = WNNStatus_Success;
    if (!readers || !reader || !run) s = wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    for (uint32_t k = 0; !s && k < ir->nodeCount; k++)
        for (uint32_t j = 0; j < ir->nodes[k].inputCount; j++) {
            int32_t id = ir->nodes[k].inputs[j];
            if (id >= 0 && (readers[id] == 0 || reader[id] != k)) readers[id]++, reader[id] = k;
        }
    for (uint32_t i = 0; !s && i < ir->outputCount; i++) readers[ir->outputIds[i]]++;
    for (uint32_t k = 0; !s && k < ir->nodeCount; k++) {
        if (skip[k] || !chainable(ir, (const WnnCpuPrepared* const*)prep, bytes, k, NULL)) continue;
        uint32_t count = 0, at = k;
        const WnnDesc* od = &ir->operands[ir->nodes[k].outputs[0]].desc;
        run[count++] = k;
        for (;;) {
            int32_t v = ir->nodes[at].outputs[0];
            if (readers[v] != 1 || reader[v] <= at || skip[reader[v]]) break;
            uint32_t next = reader[v];
            if (!chainable(ir, (const WnnCpuPrepared* const*)prep, bytes, next, od)) break;
            run[count++] = at = next;
        }
        if (count < 2 && !one_op_step(ir, k)) continue;
        WnnCpuPrepared* step = NULL;
        if ((s = make_chain(ir, run, count, &step))) break;
        prep[run[count - 1]] = step;
        for (uint32_t i = 0; i + 1 < count; i++) skip[run[i]] = 1;
        ++*chains;
        *nodes += count;
    }
    free(readers);
    free(reader);
    free(run);
    return s;
}
