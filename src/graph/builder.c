/* builder.c: operand and node storage of the builder, and the helpers every op uses. */
#include "graph/builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

WNNGraphBuilder wnn_builder_create(const WnnBuilderHooks* hooks) {
    WNNGraphBuilder b = wnn_calloc(1, sizeof *b);
    if (!b) return NULL;
    wnn_ref_init(&b->ref);
    b->hooks = *hooks;
    return b;
}

static void node_free(WnnNode* n) {
    free(n->inputs);
    free(n->outputs);
    free(n->attrs);
    free(n->label);
}

void wnn_builder_free(WNNGraphBuilder b) {
    if (!b) return;
    for (uint32_t i = 0; i < b->operandCount; i++) {
        WNNOperand x = b->operands[i];
        free(x->name);
        free(x->data);
        if (x->tensor && b->hooks.release_tensor) b->hooks.release_tensor(x->tensor);
        free(x);
    }
    free(b->operands);
    for (uint32_t i = 0; i < b->nodeCount; i++) node_free(&b->nodes[i]);
    free(b->nodes);
    if (b->hooks.release_owner) b->hooks.release_owner(b->hooks.owner);
    free(b);
}

WNNStatus wnn_builder_check_usable(WNNGraphBuilder b, const char* what) {
    if (!b) return wnn_error(WNNStatus_TypeError, "%s: builder is NULL", what);
    if (b->built) return wnn_error(WNNStatus_InvalidStateError, "%s: the builder has already built a graph", what);
    if (b->hooks.owner_lost && b->hooks.owner_lost(b->hooks.owner))
        return wnn_error(WNNStatus_InvalidStateError, "%s: the context is lost", what);
    return WNNStatus_Success;
}

WNNStatus wnn_builder_check_operand(WNNGraphBuilder b, const char* what, const char* arg, WNNOperand x) {
    if (!x) return wnn_error(WNNStatus_TypeError, "%s: %s is NULL", what, arg);
    if (x->builder != b) return wnn_error(WNNStatus_TypeError, "%s: %s belongs to another builder", what, arg);
    return WNNStatus_Success;
}

static int grow(void** items, uint32_t* capacity, uint32_t need, size_t itemSize) {
    if (need <= *capacity) return 1;
    uint32_t cap = *capacity ? *capacity * 2 : 16;
    while (cap < need) cap *= 2;
    void* p = realloc(*items, (size_t)cap * itemSize);
    if (!p) return 0;
    *items = p;
    *capacity = cap;
    return 1;
}

WNNStatus wnn_builder_add_operand(WNNGraphBuilder b, WnnOperandKind kind, const WnnDesc* desc, char* name,
                                  void* data, WNNTensor tensor, WNNOperand* out) {
    WNNOperand x = wnn_calloc(1, sizeof *x);
    if (!x || !grow((void**)&b->operands, &b->operandCapacity, b->operandCount + 1, sizeof(WNNOperand))) {
        free(x);
        return wnn_error(WNNStatus_OutOfMemory, "out of memory adding an operand");
    }
    x->builder = b;
    x->id = b->operandCount;
    x->kind = kind;
    x->desc = *desc;
    x->name = name;
    x->data = data;
    x->tensor = tensor;
    x->node = -1;
    b->operands[b->operandCount++] = x;
    *out = x;
    return WNNStatus_Success;
}

/* ---- op helpers ---- */

WNNStatus wnn_op_begin(WnnOpCall* call, WNNGraphBuilder b, WnnOpId op, const char* label, void* output) {
    if (output) *(void**)output = NULL;
    call->builder = b;
    call->op = op;
    if (label && label[0])
        snprintf(call->prefix, sizeof call->prefix, "%s '%s'", wnn_op_name(op), label);
    else
        snprintf(call->prefix, sizeof call->prefix, "%s", wnn_op_name(op));
    return wnn_builder_check_usable(b, call->prefix);
}

static WNNStatus op_vfail(const WnnOpCall* call, WNNStatus status, const char* fmt, va_list ap) {
    char msg[768];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return wnn_error(status, "%s: %s", call->prefix, msg);
}

WNNStatus wnn_op_fail(const WnnOpCall* call, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    WNNStatus s = op_vfail(call, WNNStatus_TypeError, fmt, ap);
    va_end(ap);
    return s;
}

WNNStatus wnn_op_failv(const WnnOpCall* call, WNNStatus status, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    WNNStatus s = op_vfail(call, status, fmt, ap);
    va_end(ap);
    return s;
}

WNNStatus wnn_op_check_type(const WnnOpCall* call, const char* slot, WNNOperandDataType t) {
    const WnnOperandLimit* lim = wnn_op_slot(call->op, slot);
    if (!lim) return wnn_op_failv(call, WNNStatus_UnknownError, "internal: no limits for operand '%s'", slot);
    if (!wnn_type_valid(t) || !(lim->allowedTypes & (1u << t))) {
        char names[128];
        return wnn_op_fail(call, "%s data type %s is not allowed (allowed: %s)", slot, wnn_type_name(t),
                           wnn_type_mask_names(lim->allowedTypes, names, sizeof names));
    }
    return WNNStatus_Success;
}

WNNStatus wnn_op_operand(const WnnOpCall* call, const char* slot, WNNOperand x, const WnnDesc** desc) {
    if (desc) *desc = NULL;
    WNNStatus s = wnn_builder_check_operand(call->builder, call->prefix, slot, x);
    if (s) return s;
    if ((s = wnn_op_check_type(call, slot, x->desc.type))) return s;
    const WnnOperandLimit* lim = wnn_op_slot(call->op, slot);
    if (x->desc.rank < lim->rankMin || x->desc.rank > lim->rankMax) {
        if (lim->rankMin == lim->rankMax)
            return wnn_op_fail(call, "%s rank %u is not allowed (must be %u)", slot, x->desc.rank, lim->rankMin);
        return wnn_op_fail(call, "%s rank %u is not allowed (must be %u..%u)", slot, x->desc.rank, lim->rankMin,
                           lim->rankMax);
    }
    if (desc) *desc = &x->desc;
    return WNNStatus_Success;
}

WNNStatus wnn_op_optional_operand(const WnnOpCall* call, const char* slot, WNNOperand x, const WnnDesc** desc) {
    if (desc) *desc = NULL;
    if (!x) return WNNStatus_Success;
    return wnn_op_operand(call, slot, x, desc);
}

WNNStatus wnn_op_check_axes(const WnnOpCall* call, const char* what, const uint32_t* axes, size_t count,
                            uint32_t rank) {
    if (!axes) return WNNStatus_Success;
    uint32_t seen = 0;
    for (size_t i = 0; i < count; i++) {
        if (axes[i] >= rank) return wnn_op_fail(call, "%s[%zu] = %u is out of range for rank %u", what, i, axes[i], rank);
        if (seen & (1u << axes[i])) return wnn_op_fail(call, "%s contains %u more than once", what, axes[i]);
        seen |= 1u << axes[i];
    }
    return WNNStatus_Success;
}

WNNStatus wnn_op_finish(const WnnOpCall* call, const WNNOperand* inputs, uint32_t inputCount, const void* attrs,
                        size_t attrsSize, const WnnDesc* outputDescs, uint32_t outputCount, WNNOperand* outputs) {
    WNNGraphBuilder b = call->builder;
    for (uint32_t i = 0; i < outputCount; i++) {
        WnnDesc checked;
        char what[128];
        snprintf(what, sizeof what, "%s: output %u", call->prefix, i);
        WNNStatus s = wnn_desc_from_public(what, outputDescs[i].type, outputDescs[i].shape, outputDescs[i].rank,
                                           &checked);
        if (s) return s;
    }
    for (uint32_t i = 0; i < inputCount; i++) {
        if (inputs[i] && inputs[i]->builder != b)
            return wnn_op_fail(call, "input %u belongs to another builder", i);
    }
    WnnNode node = {call->op, inputCount, NULL, outputCount, NULL, NULL, attrsSize, NULL};
    node.inputs = wnn_malloc(sizeof(int32_t) * (inputCount ? inputCount : 1));
    node.outputs = wnn_malloc(sizeof(int32_t) * (outputCount ? outputCount : 1));
    node.attrs = wnn_malloc(attrsSize ? attrsSize : 1);
    const char* dash = strchr(call->prefix, '\'');
    if (dash) node.label = wnn_strdup(call->prefix);
    if (!node.inputs || !node.outputs || !node.attrs || (dash && !node.label) ||
        !grow((void**)&b->nodes, &b->nodeCapacity, b->nodeCount + 1, sizeof(WnnNode)) ||
        !grow((void**)&b->operands, &b->operandCapacity, b->operandCount + outputCount, sizeof(WNNOperand))) {
        node_free(&node);
        return wnn_op_failv(call, WNNStatus_OutOfMemory, "out of memory");
    }
    for (uint32_t i = 0; i < inputCount; i++) node.inputs[i] = inputs[i] ? (int32_t)inputs[i]->id : -1;
    if (attrsSize) memcpy(node.attrs, attrs, attrsSize);
    /* Capacity is reserved above, so adding the outputs cannot fail half-way. */
    WNNOperand* made = wnn_calloc(outputCount ? outputCount : 1, sizeof(WNNOperand));
    if (!made) {
        node_free(&node);
        return wnn_op_failv(call, WNNStatus_OutOfMemory, "out of memory");
    }
    for (uint32_t i = 0; i < outputCount; i++) {
        made[i] = wnn_calloc(1, sizeof(struct WNNOperandImpl));
        if (!made[i]) {
            for (uint32_t j = 0; j < i; j++) free(made[j]);
            free(made);
            node_free(&node);
            return wnn_op_failv(call, WNNStatus_OutOfMemory, "out of memory");
        }
    }
    for (uint32_t i = 0; i < outputCount; i++) {
        WNNOperand x = made[i];
        x->builder = b;
        x->id = b->operandCount;
        x->kind = WNN_OPERAND_NODE_OUTPUT;
        x->desc = outputDescs[i];
        x->node = (int32_t)b->nodeCount;
        b->operands[b->operandCount++] = x;
        node.outputs[i] = (int32_t)x->id;
        if (outputs) outputs[i] = x;
    }
    free(made);
    b->nodes[b->nodeCount++] = node;
    return WNNStatus_Success;
}

/* ---- public operand getters ---- */

WNN_EXPORT WNNOperandDataType wnnOperandGetDataType(WNNOperand x) { return x ? x->desc.type : WNNOperandDataType_Undefined; }
WNN_EXPORT uint32_t wnnOperandGetRank(WNNOperand x) { return x ? x->desc.rank : 0; }
WNN_EXPORT void wnnOperandGetShape(WNNOperand x, uint32_t* shape) {
    if (x && shape) memcpy(shape, x->desc.shape, x->desc.rank * sizeof(uint32_t));
}
