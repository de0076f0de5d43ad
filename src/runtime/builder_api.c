/* builder_api.c: the builder's public entry points that touch the runtime: creation, input,
 * constants (bytes, scalar, constant tensor) and build. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/builder.h"
#include "runtime/exec_plan.h"

static bool ctx_lost(void* owner) { return atomic_load(&((WNNContext)owner)->lost); }
static void ctx_release(void* owner) { wnnContextRelease((WNNContext)owner); }
static void tensor_release(WNNTensor t) { wnnTensorRelease(t); }

WNN_EXPORT WNNStatus wnnCreateGraphBuilder(WNNContext ctx, WNNGraphBuilder* out) {
    if (!out) return wnn_error(WNNStatus_TypeError, "createGraphBuilder: builder out-pointer is NULL");
    *out = NULL;
    if (!ctx) return wnn_error(WNNStatus_TypeError, "createGraphBuilder: context is NULL");
    WNNStatus s = wnn_context_check_alive(ctx, "createGraphBuilder");
    if (s) return s;
    WnnBuilderHooks hooks = {ctx, ctx_lost, tensor_release, ctx_release};
    WNNGraphBuilder b = wnn_builder_create(&hooks);
    if (!b) return wnn_error(WNNStatus_OutOfMemory, "createGraphBuilder: out of memory");
    wnnContextAddRef(ctx);
    *out = b;
    return WNNStatus_Success;
}

WNN_EXPORT void wnnGraphBuilderAddRef(WNNGraphBuilder b) {
    if (b) wnn_ref_add(&b->ref);
}

WNN_EXPORT void wnnGraphBuilderRelease(WNNGraphBuilder b) {
    if (b && wnn_ref_release(&b->ref)) wnn_builder_free(b);
}

WNN_EXPORT WNNStatus wnnGraphBuilderInput(WNNGraphBuilder b, const char* name, const WNNOperandDescriptor* d,
                                          WNNOperand* out) {
    if (out) *out = NULL;
    WNNStatus s = wnn_builder_check_usable(b, "input");
    if (s) return s;
    if (!out || !d) return wnn_error(WNNStatus_TypeError, "input: descriptor or output is NULL");
    if (!name || !name[0]) return wnn_error(WNNStatus_TypeError, "input: the name is empty");
    for (uint32_t i = 0; i < b->operandCount; i++)
        if (b->operands[i]->kind == WNN_OPERAND_INPUT && strcmp(b->operands[i]->name, name) == 0)
            return wnn_error(WNNStatus_TypeError, "input: the name '%s' is already used by another input", name);
    WnnDesc desc;
    char what[160];
    snprintf(what, sizeof what, "input '%.120s'", name);
    if ((s = wnn_desc_from_public(what, d->dataType, d->shape, d->rank, &desc))) return s;
    char* copy = wnn_strdup(name);
    if (!copy) return wnn_error(WNNStatus_OutOfMemory, "input: out of memory");
    if ((s = wnn_builder_add_operand(b, WNN_OPERAND_INPUT, &desc, copy, NULL, NULL, out))) free(copy);
    return s;
}

static WNNStatus add_constant(WNNGraphBuilder b, const WnnDesc* desc, const void* data, WNNOperand* out) {
    size_t bytes = (size_t)wnn_desc_bytes(desc);
    void* copy = wnn_malloc(bytes);
    if (!copy) return wnn_error(WNNStatus_OutOfMemory, "constant: out of memory (%zu bytes)", bytes);
    memcpy(copy, data, bytes);
    WNNStatus s = wnn_builder_add_operand(b, WNN_OPERAND_CONSTANT, desc, NULL, copy, NULL, out);
    if (s) free(copy);
    return s;
}

WNN_EXPORT WNNStatus wnnGraphBuilderConstant(WNNGraphBuilder b, const WNNOperandDescriptor* d, const void* data,
                                             size_t byteLength, WNNOperand* out) {
    if (out) *out = NULL;
    WNNStatus s = wnn_builder_check_usable(b, "constant");
    if (s) return s;
    if (!out || !d) return wnn_error(WNNStatus_TypeError, "constant: descriptor or output is NULL");
    WnnDesc desc;
    if ((s = wnn_desc_from_public("constant", d->dataType, d->shape, d->rank, &desc))) return s;
    if (!data || byteLength != wnn_desc_bytes(&desc))
        return wnn_error(WNNStatus_TypeError, "constant: buffer is %zu bytes, the descriptor %s needs %llu",
                         data ? byteLength : 0, wnn_type_name(desc.type), (unsigned long long)wnn_desc_bytes(&desc));
    return add_constant(b, &desc, data, out);
}

WNN_EXPORT WNNStatus wnnGraphBuilderConstantScalar(WNNGraphBuilder b, WNNOperandDataType type, WNNNumber value,
                                                   WNNOperand* out) {
    if (out) *out = NULL;
    WNNStatus s = wnn_builder_check_usable(b, "constant");
    if (s) return s;
    if (!out) return wnn_error(WNNStatus_TypeError, "constant: output is NULL");
    WnnDesc desc;
    if ((s = wnn_desc_from_public("constant", type, NULL, 0, &desc))) return s;
    uint64_t bytes = 0;
    if (!wnn_store_number(&bytes, type, 0, value))
        return wnn_error(WNNStatus_TypeError, "constant: the value has no number type");
    return add_constant(b, &desc, &bytes, out);
}

WNN_EXPORT WNNStatus wnnGraphBuilderConstantTensor(WNNGraphBuilder b, WNNTensor t, WNNOperand* out) {
    if (out) *out = NULL;
    WNNStatus s = wnn_builder_check_usable(b, "constant");
    if (s) return s;
    if (!out || !t) return wnn_error(WNNStatus_TypeError, "constant: tensor or output is NULL");
    if (t->context != (WNNContext)b->hooks.owner)
        return wnn_error(WNNStatus_TypeError, "constant: the tensor belongs to another context");
    if (t->destroyed) return wnn_error(WNNStatus_TypeError, "constant: the tensor has been destroyed");
    if (!t->constant) return wnn_error(WNNStatus_TypeError, "constant: the tensor is not a constant tensor");
    wnnTensorAddRef(t);
    if ((s = wnn_builder_add_operand(b, WNN_OPERAND_CONSTANT, &t->desc, NULL, NULL, t, out))) wnnTensorRelease(t);
    return s;
}

/* Copies each constant tensor's data into its operand (build time); ctx locked. */
static WNNStatus fetch_constant_tensors(WNNGraphBuilder b, WNNContext ctx) {
    for (uint32_t i = 0; i < b->operandCount; i++) {
        WNNOperand x = b->operands[i];
        if (!x->tensor || x->data) continue;
        if (x->tensor->destroyed)
            return wnn_error(WNNStatus_TypeError, "build: constant tensor of operand %u has been destroyed", i);
        size_t bytes = (size_t)wnn_desc_bytes(&x->desc);
        x->data = wnn_malloc(bytes);
        if (!x->data) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
        WNNStatus s = ctx->device->ops->buffer_read(ctx->device, x->tensor->buffer, x->data, bytes);
        if (s) return s;
    }
    return WNNStatus_Success;
}

static void graph_destroy_locked(WnnTracked* self) {
    WNNGraph g = (WNNGraph)((char*)self - offsetof(struct WNNGraphImpl, tracked));
    if (g->destroyed) return;
    g->destroyed = true;
    wnn_plan_free(g->plan);
    g->plan = NULL;
    wnn_graph_ir_free(g->ir);
    g->ir = NULL;
}

WNN_EXPORT WNNStatus wnnGraphBuilderBuild(WNNGraphBuilder b, const WNNNamedOperand* outputs, size_t outputCount,
                                          WNNGraph* out) {
    if (out) *out = NULL;
    WNNStatus s = wnn_builder_check_usable(b, "build");
    if (s) return s;
    if (!out) return wnn_error(WNNStatus_TypeError, "build: graph out-pointer is NULL");
    WNNContext ctx = (WNNContext)b->hooks.owner;
    WNNGraph g = wnn_calloc(1, sizeof *g);
    if (!g) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    wnn_ref_init(&g->ref);
    g->tracked.destroy = graph_destroy_locked;
    pthread_mutex_lock(&ctx->mutex);
    if ((s = fetch_constant_tensors(b, ctx))) goto fail;
    if ((s = wnn_graph_ir_create(b, outputs, outputCount, &g->ir))) goto fail;
    b->built = true; /* a builder builds once, even when compilation fails */
    if ((s = wnn_context_after(ctx, wnn_plan_create(ctx, g->ir, &g->plan)))) goto fail;
    wnnContextAddRef(ctx);
    g->context = ctx;
    wnn_context_track(ctx, &g->tracked);
    pthread_mutex_unlock(&ctx->mutex);
    *out = g;
    return WNNStatus_Success;
fail:
    pthread_mutex_unlock(&ctx->mutex);
    wnn_graph_ir_free(g->ir);
    free(g);
    return s;
}

WNN_EXPORT void wnnGraphDestroy(WNNGraph g) {
    if (!g) return;
    pthread_mutex_lock(&g->context->mutex);
    wnn_context_untrack(&g->tracked);
    graph_destroy_locked(&g->tracked);
    pthread_mutex_unlock(&g->context->mutex);
}

WNN_EXPORT void wnnGraphAddRef(WNNGraph g) {
    if (g) wnn_ref_add(&g->ref);
}

WNN_EXPORT void wnnGraphRelease(WNNGraph g) {
    if (!g || !wnn_ref_release(&g->ref)) return;
    WNNContext ctx = g->context;
    wnnGraphDestroy(g);
    free(g);
    wnnContextRelease(ctx);
}
