/* ir.c: from the builder's operands and nodes to the immutable graph IR that backends compile:
 * the spec's build() output checks, pruning to what the outputs need, and moving constant data. */
#include <stdlib.h>
#include <string.h>

#include "graph/builder.h"

void wnn_graph_ir_free(WnnGraphIR* ir) {
    if (!ir) return;
    if (ir->borrowed) {
        free(ir->nodes);
        free(ir->inputIds);
        free(ir->outputIds);
        free(ir);
        return;
    }
    if (ir->operands)
        for (uint32_t i = 0; i < ir->operandCount; i++) free((void*)ir->operands[i].data);
    free(ir->operands);
    for (uint32_t i = 0; i < ir->nodeCount; i++) {
        free(ir->nodes[i].inputs);
        free(ir->nodes[i].outputs);
        free(ir->nodes[i].attrs);
        free(ir->nodes[i].label);
    }
    free(ir->nodes);
    for (uint32_t i = 0; i < ir->inputCount; i++) free(ir->inputNames[i]);
    for (uint32_t i = 0; i < ir->outputCount; i++) free(ir->outputNames[i]);
    free(ir->inputIds);
    free(ir->inputNames);
    free(ir->outputIds);
    free(ir->outputNames);
    free(ir);
}

static WNNStatus check_outputs(WNNGraphBuilder b, const WNNNamedOperand* outputs, size_t count) {
    if (count == 0 || !outputs) return wnn_error(WNNStatus_TypeError, "build: outputs is empty");
    for (size_t i = 0; i < count; i++) {
        const char* name = outputs[i].name;
        if (!name || !name[0]) return wnn_error(WNNStatus_TypeError, "build: output %zu has an empty name", i);
        WNNStatus s = wnn_builder_check_operand(b, "build", name, outputs[i].operand);
        if (s) return s;
        if (outputs[i].operand->kind != WNN_OPERAND_NODE_OUTPUT)
            return wnn_error(WNNStatus_TypeError,
                             "build: output '%s' is a graph input or constant (use identity() to pass it through)",
                             name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(outputs[j].name, name) == 0)
                return wnn_error(WNNStatus_TypeError, "build: output name '%s' is used twice", name);
    }
    return WNNStatus_Success;
}

WNNStatus wnn_graph_ir_create(WNNGraphBuilder b, const WNNNamedOperand* outputs, size_t outputCount,
                              WnnGraphIR** out) {
    *out = NULL;
    WNNStatus s = check_outputs(b, outputs, outputCount);
    if (s) return s;

    /* Mark the nodes the outputs need, walking producers backwards (nodes are in creation order,
     * which is a topological order). */
    uint8_t* needNode = wnn_calloc(b->nodeCount ? b->nodeCount : 1, 1);
    uint8_t* needOperand = wnn_calloc(b->operandCount ? b->operandCount : 1, 1);
    int32_t* nodeMap = wnn_malloc(sizeof(int32_t) * (b->nodeCount ? b->nodeCount : 1));
    WnnGraphIR* ir = wnn_calloc(1, sizeof *ir);
    if (!needNode || !needOperand || !nodeMap || !ir) goto oom;
    for (size_t i = 0; i < outputCount; i++) needOperand[outputs[i].operand->id] = 1;
    for (uint32_t k = b->nodeCount; k-- > 0;) {
        const WnnNode* n = &b->nodes[k];
        for (uint32_t j = 0; j < n->outputCount && !needNode[k]; j++)
            if (needOperand[n->outputs[j]]) needNode[k] = 1;
        if (!needNode[k]) continue;
        for (uint32_t j = 0; j < n->inputCount; j++)
            if (n->inputs[j] >= 0) needOperand[n->inputs[j]] = 1;
    }

    ir->operandCount = b->operandCount;
    ir->operands = wnn_calloc(b->operandCount ? b->operandCount : 1, sizeof(WnnIrOperand));
    ir->nodes = wnn_calloc(b->nodeCount ? b->nodeCount : 1, sizeof(WnnNode));
    ir->inputIds = wnn_calloc(b->operandCount ? b->operandCount : 1, sizeof(uint32_t));
    ir->inputNames = wnn_calloc(b->operandCount ? b->operandCount : 1, sizeof(char*));
    ir->outputIds = wnn_calloc(outputCount, sizeof(uint32_t));
    ir->outputNames = wnn_calloc(outputCount, sizeof(char*));
    if (!ir->operands || !ir->nodes || !ir->inputIds || !ir->inputNames || !ir->outputIds || !ir->outputNames)
        goto oom;

    for (uint32_t k = 0; k < b->nodeCount; k++) {
        nodeMap[k] = -1;
        if (!needNode[k]) continue;
        const WnnNode* n = &b->nodes[k];
        WnnNode* c = &ir->nodes[ir->nodeCount];
        *c = *n;
        c->inputs = wnn_malloc(sizeof(int32_t) * (n->inputCount ? n->inputCount : 1));
        c->outputs = wnn_malloc(sizeof(int32_t) * (n->outputCount ? n->outputCount : 1));
        c->attrs = wnn_malloc(n->attrsSize ? n->attrsSize : 1);
        c->label = n->label ? wnn_strdup(n->label) : NULL;
        if (!c->inputs || !c->outputs || !c->attrs || (n->label && !c->label)) {
            ir->nodeCount++; /* so that free releases this one too */
            goto oom;
        }
        memcpy(c->inputs, n->inputs, sizeof(int32_t) * n->inputCount);
        memcpy(c->outputs, n->outputs, sizeof(int32_t) * n->outputCount);
        memcpy(c->attrs, n->attrs, n->attrsSize);
        nodeMap[k] = (int32_t)ir->nodeCount++;
    }

    for (uint32_t i = 0; i < b->operandCount; i++) {
        WNNOperand x = b->operands[i];
        WnnIrOperand* o = &ir->operands[i];
        o->kind = x->kind;
        o->desc = x->desc;
        o->node = x->node >= 0 ? nodeMap[x->node] : -1;
        if (!needOperand[i]) continue;
        if (x->kind == WNN_OPERAND_CONSTANT) {
            /* The builder never builds again, so the data moves into the IR. */
            o->data = x->data;
            x->data = NULL;
        } else if (x->kind == WNN_OPERAND_INPUT) {
            ir->inputIds[ir->inputCount] = i;
            ir->inputNames[ir->inputCount] = wnn_strdup(x->name);
            if (!ir->inputNames[ir->inputCount++]) goto oom;
        }
    }
    for (size_t i = 0; i < outputCount; i++) {
        ir->outputIds[i] = outputs[i].operand->id;
        ir->outputNames[i] = wnn_strdup(outputs[i].name);
        ir->outputCount++;
        if (!ir->outputNames[i]) goto oom;
    }
    free(needNode);
    free(needOperand);
    free(nodeMap);
    *out = ir;
    return WNNStatus_Success;

oom:
    free(needNode);
    free(needOperand);
    free(nodeMap);
    wnn_graph_ir_free(ir);
    return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
}
