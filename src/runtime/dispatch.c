/* dispatch.c: the spec's dispatch() checks and binding, and the graph's input/output queries. */
#include <stdlib.h>
#include <string.h>

#include "runtime/exec_plan.h"

/* Finds the tensor bound to `name`; TypeError when missing or named twice. */
static WNNStatus bind(const char* kind, const char* name, const WnnDesc* want, const WNNNamedTensor* list,
                      size_t count, WNNContext ctx, WNNTensor* out) {
    WNNTensor found = NULL;
    for (size_t i = 0; i < count; i++) {
        if (!list[i].name || strcmp(list[i].name, name) != 0) continue;
        if (found) return wnn_error(WNNStatus_TypeError, "dispatch: %s '%s' is given twice", kind, name);
        found = list[i].tensor;
        if (!found) return wnn_error(WNNStatus_TypeError, "dispatch: %s '%s' has a NULL tensor", kind, name);
    }
    if (!found) return wnn_error(WNNStatus_TypeError, "dispatch: %s '%s' of the graph is not given", kind, name);
    if (found->context != ctx)
        return wnn_error(WNNStatus_TypeError, "dispatch: %s '%s' is a tensor of another context", kind, name);
    if (found->destroyed)
        return wnn_error(WNNStatus_TypeError, "dispatch: %s '%s' is a destroyed tensor", kind, name);
    if (found->constant)
        return wnn_error(WNNStatus_TypeError, "dispatch: %s '%s' is a constant tensor", kind, name);
    if (found->exportedTo)
        return wnn_error(WNNStatus_TypeError, "dispatch: %s '%s' is exported to CUDA code; return it first", kind, name);
    WNNStatus s = wnn_tensor_settle(found);
    if (s) return s;
    if (!wnn_desc_equal(&found->desc, want)) {
        char a[96], b[96];
        return wnn_error(WNNStatus_TypeError, "dispatch: %s '%s' is %s, the graph needs %s", kind, name,
                         wnn_desc_str(&found->desc, a, sizeof a), wnn_desc_str(want, b, sizeof b));
    }
    *out = found;
    return WNNStatus_Success;
}

static WNNStatus check_names(const char* kind, const WNNNamedTensor* list, size_t count, char* const* names,
                             uint32_t nameCount) {
    if (count && !list) return wnn_error(WNNStatus_TypeError, "dispatch: %s list is NULL", kind);
    for (size_t i = 0; i < count; i++) {
        bool known = false;
        for (uint32_t j = 0; j < nameCount && !known; j++) known = list[i].name && strcmp(list[i].name, names[j]) == 0;
        if (!known)
            return wnn_error(WNNStatus_TypeError, "dispatch: %s '%s' is not a %s of the graph", kind,
                             list[i].name ? list[i].name : "(null)", kind);
    }
    return WNNStatus_Success;
}

WNN_EXPORT WNNStatus wnnContextDispatch(WNNContext ctx, WNNGraph g, const WNNNamedTensor* inputs, size_t inputCount,
                                        const WNNNamedTensor* outputs, size_t outputCount) {
    if (!ctx || !g) return wnn_error(WNNStatus_TypeError, "dispatch: context or graph is NULL");
    if (g->context != ctx) return wnn_error(WNNStatus_TypeError, "dispatch: the graph belongs to another context");
    pthread_mutex_lock(&ctx->mutex);
    WnnBuffer** buffers = NULL;
    WNNTensor* tensors = NULL;
    WNNStatus s = wnn_context_check_alive(ctx, "dispatch");
    if (s) goto done;
    if (g->destroyed) {
        s = wnn_error(WNNStatus_InvalidStateError, "dispatch: the graph has been destroyed");
        goto done;
    }
    const WnnGraphIR* ir = g->ir;
    if ((s = check_names("input", inputs, inputCount, ir->inputNames, ir->inputCount))) goto done;
    if ((s = check_names("output", outputs, outputCount, ir->outputNames, ir->outputCount))) goto done;
    size_t total = (size_t)ir->inputCount + ir->outputCount;
    buffers = wnn_malloc(sizeof(WnnBuffer*) * (total ? total : 1));
    tensors = wnn_malloc(sizeof(WNNTensor) * (total ? total : 1));
    if (!buffers || !tensors) {
        s = wnn_error(WNNStatus_OutOfMemory, "dispatch: out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < ir->inputCount; i++)
        if ((s = bind("input", ir->inputNames[i], &ir->operands[ir->inputIds[i]].desc, inputs, inputCount, ctx,
                      &tensors[i])))
            goto done;
    for (uint32_t i = 0; i < ir->outputCount; i++)
        if ((s = bind("output", ir->outputNames[i], &ir->operands[ir->outputIds[i]].desc, outputs, outputCount, ctx,
                      &tensors[ir->inputCount + i])))
            goto done;
    /* No tensor twice: the spec forbids in-place use across inputs and outputs. */
    for (size_t i = 0; i < total; i++)
        for (size_t j = i + 1; j < total; j++)
            if (tensors[i] == tensors[j]) {
                s = wnn_error(WNNStatus_TypeError, "dispatch: the same tensor is bound to '%s' and '%s'",
                              i < ir->inputCount ? ir->inputNames[i] : ir->outputNames[i - ir->inputCount],
                              j < ir->inputCount ? ir->inputNames[j] : ir->outputNames[j - ir->inputCount]);
                goto done;
            }
    for (size_t i = 0; i < total; i++) buffers[i] = tensors[i]->buffer;
    s = wnn_context_after(ctx, wnn_plan_dispatch(g->plan, buffers, buffers + ir->inputCount));
done:
    pthread_mutex_unlock(&ctx->mutex);
    free(buffers);
    free(tensors);
    return s;
}

static WNNStatus graph_port(WNNGraph g, bool input, uint32_t index, const char** name, WNNOperandDescriptor* desc) {
    const char* what = input ? "getInput" : "getOutput";
    if (!g) return wnn_error(WNNStatus_TypeError, "%s: graph is NULL", what);
    if (g->destroyed) return wnn_error(WNNStatus_InvalidStateError, "%s: the graph has been destroyed", what);
    uint32_t count = input ? g->ir->inputCount : g->ir->outputCount;
    if (index >= count) return wnn_error(WNNStatus_TypeError, "%s: index %u out of range (%u)", what, index, count);
    uint32_t id = input ? g->ir->inputIds[index] : g->ir->outputIds[index];
    const WnnDesc* d = &g->ir->operands[id].desc;
    if (name) *name = input ? g->ir->inputNames[index] : g->ir->outputNames[index];
    if (desc) {
        desc->dataType = d->type;
        desc->rank = d->rank;
        desc->shape = d->shape;
    }
    return WNNStatus_Success;
}

WNN_EXPORT uint32_t wnnGraphGetInputCount(WNNGraph g) { return g && !g->destroyed ? g->ir->inputCount : 0; }
WNN_EXPORT uint32_t wnnGraphGetOutputCount(WNNGraph g) { return g && !g->destroyed ? g->ir->outputCount : 0; }
WNN_EXPORT WNNStatus wnnGraphGetInput(WNNGraph g, uint32_t i, const char** name, WNNOperandDescriptor* desc) {
    return graph_port(g, true, i, name, desc);
}
WNN_EXPORT WNNStatus wnnGraphGetOutput(WNNGraph g, uint32_t i, const char** name, WNNOperandDescriptor* desc) {
    return graph_port(g, false, i, name, desc);
}

WNN_EXPORT WNNStatus wnnGraphGetMemoryInfo(WNNGraph g, WNNGraphMemoryInfo* info) {
    if (!g || !info) return wnn_error(WNNStatus_TypeError, "getMemoryInfo: graph or info is NULL");
    if (g->destroyed) return wnn_error(WNNStatus_InvalidStateError, "getMemoryInfo: the graph has been destroyed");
    /* Without reuse every node output that is not a graph output would need its own memory. */
    uint8_t* isOutput = calloc(g->ir->operandCount + 1, 1);
    if (!isOutput) return wnn_error(WNNStatus_OutOfMemory, "getMemoryInfo: out of memory");
    for (uint32_t i = 0; i < g->ir->outputCount; i++) isOutput[g->ir->outputIds[i]] = 1;
    uint64_t tensors = 0;
    for (uint32_t k = 0; k < g->ir->nodeCount; k++)
        for (uint32_t j = 0; j < g->ir->nodes[k].outputCount; j++) {
            int32_t id = g->ir->nodes[k].outputs[j];
            if (id >= 0 && !isOutput[id]) tensors += wnn_desc_bytes(&g->ir->operands[id].desc);
        }
    free(isOutput);
    pthread_mutex_lock(&g->context->mutex);
    info->intermediateBytes = wnn_plan_arena_bytes(g->plan);
    info->preparedBytes = wnn_plan_prepared_bytes(g->plan);
    pthread_mutex_unlock(&g->context->mutex);
    info->intermediateTensorBytes = tensors;
    return WNNStatus_Success;
}

WNN_EXPORT WNNStatus wnnGraphGetPartitionInfo(WNNGraph g, WNNGraphPartitionInfo* info) {
    if (!g || !info) return wnn_error(WNNStatus_TypeError, "getPartitionInfo: graph or info is NULL");
    if (g->destroyed) return wnn_error(WNNStatus_InvalidStateError, "getPartitionInfo: the graph has been destroyed");
    pthread_mutex_lock(&g->context->mutex);
    wnn_plan_info(g->plan, &info->segmentCount, &info->fallbackNodeCount, &info->lastDispatchCopyCount);
    pthread_mutex_unlock(&g->context->mutex);
    return WNNStatus_Success;
}
