/* cpu_fold.c: constant folding (cpu_passes.h). In node order, a node whose inputs are all constants
 * runs once, here, through the CPU kernel table, and its outputs become constants of the compiled
 * graph (owned by the WnnCpuFolded); so chains of them fold transitively, and a filter made by a
 * transpose / reshape / cast / mul of a constant is a constant filter for the oneDNN paths. A
 * reshape or identity of a constant takes its data as it is. Every op of the table is
 * deterministic. Not folded: nodes writing a graph output (the runtime binds those to the
 * caller's tensors), and outputs far larger than their inputs (an expand of a scalar would cost
 * memory for nothing). */
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_passes.h"
#include "backends/cpu/cpu_qdq.h"

#define FOLD_MAX_GROWTH ((uint64_t)16 << 20) /* bytes an output may exceed its inputs by */

static int is_constant(const WnnGraphIR* ir, int32_t id) {
    return ir->operands[id].kind == WNN_OPERAND_CONSTANT && ir->operands[id].data;
}

/* May node n be folded, given view (the operands as folded so far) and the graph outputs? */
static int foldable(const WnnGraphIR* view, const WnnNode* n, const char* isOutput) {
    /* a dequantized constant weight is what the int8 pattern looks for: folded to float, its layer
     * would run in float32 */
    if (n->op == WNN_OP_dequantizeLinear && wnn_cpu_qdq_may_run()) return 0;
    uint64_t in = 0, out = 0;
    uint32_t present = 0;
    for (uint32_t j = 0; j < n->inputCount; j++) {
        if (n->inputs[j] < 0) continue;
        if (!is_constant(view, n->inputs[j])) return 0;
        in += wnn_desc_bytes(&view->operands[n->inputs[j]].desc);
        present++;
    }
    for (uint32_t j = 0; j < n->outputCount; j++) {
        if (isOutput[n->outputs[j]]) return 0;
        out += wnn_desc_bytes(&view->operands[n->outputs[j]].desc);
    }
    return present > 0 && out <= in + FOLD_MAX_GROWTH;
}

/* Runs n on its constant inputs; on success its outputs' data are new buffers in f->data. */
static int evaluate(WnnCpuFolded* f, const WnnNode* n, WnnThreadPool* pool) {
    WnnGraphIR* v = &f->view;
    if ((n->op == WNN_OP_reshape || n->op == WNN_OP_identity) && n->outputCount == 1 && n->inputCount == 1) {
        v->operands[n->outputs[0]].data = v->operands[n->inputs[0]].data; /* the same bytes */
        return 1;
    }
    WnnCpuTensor* t = wnn_calloc(n->inputCount + n->outputCount + 1, sizeof *t);
    int ok = t != NULL;
    for (uint32_t j = 0; ok && j < n->inputCount; j++)
        if (n->inputs[j] >= 0) t[j] = (WnnCpuTensor){(void*)v->operands[n->inputs[j]].data, &v->operands[n->inputs[j]].desc};
    for (uint32_t j = 0; ok && j < n->outputCount; j++) {
        const WnnDesc* d = &v->operands[n->outputs[j]].desc;
        size_t bytes = (size_t)wnn_desc_bytes(d);
        void* data = wnn_aligned_alloc(bytes ? bytes : 1);
        if (data) memset(data, 0, bytes);
        t[n->inputCount + j] = (WnnCpuTensor){data, d};
        f->data[n->outputs[j]] = data;
        ok = data != NULL;
    }
    WnnCpuKernelArgs args = {n, t, t + n->inputCount, pool};
    ok = ok && wnn_cpu_kernels[n->op](&args) == WNNStatus_Success;
    for (uint32_t j = 0; j < n->outputCount; j++) {
        if (ok) {
            v->operands[n->outputs[j]].data = f->data[n->outputs[j]];
        } else {
            wnn_aligned_free(f->data[n->outputs[j]]);
            f->data[n->outputs[j]] = NULL;
        }
    }
    free(t);
    return ok;
}

WNNStatus wnn_cpu_fold(const WnnGraphIR* ir, WnnThreadPool* pool, WnnCpuFolded* out) {
    memset(out, 0, sizeof *out);
    uint32_t no = ir->operandCount ? ir->operandCount : 1;
    char* isOutput = wnn_calloc(no, 1);
    out->view = *ir;
    out->view.borrowed = true;
    out->view.operands = wnn_malloc(sizeof(WnnIrOperand) * no);
    out->view.nodes = wnn_calloc(ir->nodeCount ? ir->nodeCount : 1, sizeof(WnnNode));
    out->data = wnn_calloc(no, sizeof(void*));
    if (!isOutput || !out->view.operands || !out->view.nodes || !out->data) {
        free(isOutput);
        wnn_cpu_folded_free(out);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    }
    memcpy(out->view.operands, ir->operands, sizeof(WnnIrOperand) * ir->operandCount);
    for (uint32_t i = 0; i < ir->outputCount; i++) isOutput[ir->outputIds[i]] = 1;
    uint32_t m = 0;
    for (uint32_t k = 0; k < ir->nodeCount; k++) {
        const WnnNode* n = &ir->nodes[k];
        int folded = foldable(&out->view, n, isOutput) && evaluate(out, n, pool);
        for (uint32_t j = 0; j < n->outputCount; j++) {
            WnnIrOperand* o = &out->view.operands[n->outputs[j]];
            if (folded) o->kind = WNN_OPERAND_CONSTANT, o->node = -1;
            else o->node = (int32_t)m;
        }
        if (folded) out->count++;
        else out->view.nodes[m++] = *n;
    }
    out->view.nodeCount = m;
    free(isOutput);
    return WNNStatus_Success;
}

void wnn_cpu_folded_free(WnnCpuFolded* f) {
    for (uint32_t i = 0; f->data && i < f->view.operandCount; i++) wnn_aligned_free(f->data[i]);
    free(f->data);
    free(f->view.operands);
    free(f->view.nodes);
    memset(f, 0, sizeof *f);
}
