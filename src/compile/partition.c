/* partition.c: see partition.h. Nodes are in topological order, so consecutive runs on one device
 * respect every dependency. */
#include "compile/partition.h"

#include <stdlib.h>
#include <string.h>

void wnn_partition_free(WnnPartition* p) {
    for (uint32_t i = 0; i < p->segmentCount; i++) wnn_graph_ir_free(p->segments[i].ir);
    free(p->segments);
    p->segments = NULL;
    p->segmentCount = 0;
}

/* Builds the view of nodes [first, last) of ir. */
static WnnGraphIR* segment_ir(const WnnGraphIR* ir, uint32_t first, uint32_t last, const int32_t* lastUse,
                              const uint8_t* isGraphOutput) {
    WnnGraphIR* s = calloc(1, sizeof *s);
    uint8_t* produced = calloc(ir->operandCount + 1, 1);
    uint8_t* taken = calloc(ir->operandCount + 1, 1);
    if (!s || !produced || !taken) goto oom;
    s->borrowed = true;
    s->operandCount = ir->operandCount;
    s->operands = ir->operands;
    s->nodeCount = last - first;
    s->nodes = malloc(sizeof(WnnNode) * (s->nodeCount ? s->nodeCount : 1));
    s->inputIds = malloc(sizeof(uint32_t) * (ir->operandCount + 1));
    s->outputIds = malloc(sizeof(uint32_t) * (ir->operandCount + 1));
    if (!s->nodes || !s->inputIds || !s->outputIds) goto oom;
    memcpy(s->nodes, ir->nodes + first, sizeof(WnnNode) * s->nodeCount);
    for (uint32_t k = first; k < last; k++) {
        const WnnNode* n = &ir->nodes[k];
        for (uint32_t j = 0; j < n->inputCount; j++) {
            int32_t id = n->inputs[j];
            if (id < 0 || produced[id] || taken[id] || ir->operands[id].kind == WNN_OPERAND_CONSTANT) continue;
            taken[id] = 1;
            s->inputIds[s->inputCount++] = (uint32_t)id;
        }
        for (uint32_t j = 0; j < n->outputCount; j++) produced[n->outputs[j]] = 1;
    }
    for (uint32_t k = first; k < last; k++) {
        const WnnNode* n = &ir->nodes[k];
        for (uint32_t j = 0; j < n->outputCount; j++) {
            int32_t id = n->outputs[j];
            if (isGraphOutput[id] || lastUse[id] >= (int32_t)last) s->outputIds[s->outputCount++] = (uint32_t)id;
        }
    }
    free(produced);
    free(taken);
    return s;
oom:
    free(produced);
    free(taken);
    if (s) {
        s->borrowed = true;
        wnn_graph_ir_free(s);
    }
    return NULL;
}

WNNStatus wnn_partition(const WnnGraphIR* ir, WnnSupportsFn supports, void* ctx, WnnPartition* out) {
    memset(out, 0, sizeof *out);
    int32_t* lastUse = malloc(sizeof(int32_t) * (ir->operandCount + 1));
    uint8_t* isOut = calloc(ir->operandCount + 1, 1);
    uint8_t* onCpu = calloc(ir->nodeCount + 1, 1);
    out->segments = calloc(ir->nodeCount + 1, sizeof(WnnSegment));
    WNNStatus s = WNNStatus_Success;
    if (!lastUse || !isOut || !onCpu || !out->segments) goto oom;
    for (uint32_t i = 0; i < ir->operandCount; i++) lastUse[i] = -1;
    for (uint32_t k = 0; k < ir->nodeCount; k++) {
        const WnnNode* n = &ir->nodes[k];
        for (uint32_t j = 0; j < n->inputCount; j++)
            if (n->inputs[j] >= 0) lastUse[n->inputs[j]] = (int32_t)k;
        onCpu[k] = supports && !supports(ctx, ir, n);
        out->fallbackNodes += onCpu[k];
    }
    for (uint32_t i = 0; i < ir->outputCount; i++) isOut[ir->outputIds[i]] = 1;
    for (uint32_t first = 0; first < ir->nodeCount;) {
        uint32_t last = first + 1;
        while (last < ir->nodeCount && onCpu[last] == onCpu[first]) last++;
        WnnSegment* seg = &out->segments[out->segmentCount];
        seg->fallback = onCpu[first];
        if (!(seg->ir = segment_ir(ir, first, last, lastUse, isOut))) goto oom;
        out->segmentCount++;
        first = last;
    }
    goto done;
oom:
    wnn_partition_free(out);
    s = wnn_error(WNNStatus_OutOfMemory, "build: out of memory partitioning the graph");
done:
    free(lastUse);
    free(isOut);
    free(onCpu);
    return s;
}
