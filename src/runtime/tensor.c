/* tensor.c: createTensor, createConstantTensor, write, read and destroy. */
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

#define TENSOR_OF(t) ((WNNTensor)((char*)(t) - offsetof(struct WNNTensorImpl, tracked)))

void wnn_tensor_free_buffer(WNNTensor t) {
    if (t->exportedTo) return; /* the consumer still uses it: freed when it is returned */
    if (t->buffer) t->context->device->ops->buffer_free(t->context->device, t->buffer);
    t->buffer = NULL;
}

/* Frees the tensor's memory; called with the context locked. */
static void tensor_destroy_locked(WnnTracked* self) {
    WNNTensor t = TENSOR_OF(self);
    if (t->destroyed) return;
    t->destroyed = true;
    if (!t->exportedTo) wnn_tensor_settle(t); /* completes a pending copy back first */
    wnn_tensor_free_buffer(t);
}

/* A tensor of `desc` on ctx, around `given` (imported memory, owned by the tensor from here on,
 * even on failure) or a new zero-filled buffer. */
static WNNStatus tensor_create(WNNContext ctx, const char* what, const WnnDesc* desc, WnnBuffer* given,
                               WNNTensor* out) {
    *out = NULL;
    WNNStatus s = WNNStatus_Success;
    WNNTensor t = wnn_calloc(1, sizeof *t);
    if (!t) {
        if (given) ctx->device->ops->buffer_free(ctx->device, given);
        return wnn_error(WNNStatus_OutOfMemory, "%s: out of memory", what);
    }
    wnn_ref_init(&t->ref);
    t->desc = *desc;
    t->tracked.destroy = tensor_destroy_locked;
    t->buffer = given;
    pthread_mutex_lock(&ctx->mutex);
    if ((s = wnn_context_check_alive(ctx, what))) goto fail;
    if (!given && (s = wnn_context_after(ctx, ctx->device->ops->buffer_alloc(ctx->device, (size_t)wnn_desc_bytes(desc),
                                                                               &t->buffer))))
        goto fail;
    wnnContextAddRef(ctx);
    t->context = ctx;
    wnn_context_track(ctx, &t->tracked);
    pthread_mutex_unlock(&ctx->mutex);
    *out = t;
    return WNNStatus_Success;
fail:
    if (given) ctx->device->ops->buffer_free(ctx->device, given);
    pthread_mutex_unlock(&ctx->mutex);
    free(t);
    return s;
}

WNNStatus wnn_tensor_wrap(WNNContext ctx, const char* what, const WnnDesc* desc, WnnBuffer* buffer, WNNTensor* out) {
    return tensor_create(ctx, what, desc, buffer, out);
}

/* Whether tensors of ctx can be exported to CUDA code: a GPU context, or a CPU context while the
 * CUDA module is loaded (copies through pinned staging). */
static bool can_export(WNNContext ctx) {
    return ctx->device->ops->buffer_export || wnn_cuda_staging_ops() != NULL;
}

WNN_EXPORT WNNStatus wnnContextCreateTensor(WNNContext ctx, const WNNTensorDescriptor* d, WNNTensor* out) {
    if (!out) return wnn_error(WNNStatus_TypeError, "createTensor: tensor out-pointer is NULL");
    *out = NULL;
    if (!ctx || !d) return wnn_error(WNNStatus_TypeError, "createTensor: context or descriptor is NULL");
    if (d->exportableToGPU && !can_export(ctx))
        return wnn_error(WNNStatus_NotSupportedError,
                         "createTensor: exportableToGPU needs the CUDA backend module, which is not loaded here");
    WnnDesc desc;
    WNNStatus s = wnn_desc_from_public("createTensor", d->dataType, d->shape, d->rank, &desc);
    if (s) return s;
    WNNTensor t;
    if ((s = tensor_create(ctx, "createTensor", &desc, NULL, &t))) return s;
    t->readable = d->readable;
    t->writable = d->writable;
    t->exportable = d->exportableToGPU;
    *out = t;
    return WNNStatus_Success;
}

WNN_EXPORT WNNStatus wnnContextCreateConstantTensor(WNNContext ctx, const WNNOperandDescriptor* d, const void* data,
                                                    size_t byteLength, WNNTensor* out) {
    if (!out) return wnn_error(WNNStatus_TypeError, "createConstantTensor: tensor out-pointer is NULL");
    *out = NULL;
    if (!ctx || !d) return wnn_error(WNNStatus_TypeError, "createConstantTensor: context or descriptor is NULL");
    WnnDesc desc;
    WNNStatus s = wnn_desc_from_public("createConstantTensor", d->dataType, d->shape, d->rank, &desc);
    if (s) return s;
    if (!data || byteLength != wnn_desc_bytes(&desc))
        return wnn_error(WNNStatus_TypeError, "createConstantTensor: data is %zu bytes, the descriptor needs %llu",
                         data ? byteLength : 0, (unsigned long long)wnn_desc_bytes(&desc));
    WNNTensor t;
    if ((s = tensor_create(ctx, "createConstantTensor", &desc, NULL, &t))) return s;
    t->constant = true;
    pthread_mutex_lock(&ctx->mutex);
    s = ctx->device->ops->buffer_write(ctx->device, t->buffer, data, byteLength);
    pthread_mutex_unlock(&ctx->mutex);
    if (s) {
        wnnTensorDestroy(t);
        wnnTensorRelease(t);
        return s;
    }
    *out = t;
    return WNNStatus_Success;
}

/* Common checks of read and write; ctx locked. */
static WNNStatus check_io(WNNContext ctx, WNNTensor t, const char* what, const void* data, size_t byteLength) {
    WNNStatus s = wnn_context_check_alive(ctx, what);
    if (s) return s;
    if (t->context != ctx) return wnn_error(WNNStatus_TypeError, "%s: the tensor belongs to another context", what);
    if (t->destroyed) return wnn_error(WNNStatus_TypeError, "%s: the tensor has been destroyed", what);
    if ((s = wnn_tensor_check_usable(t, what))) return s;
    if (!data) return wnn_error(WNNStatus_TypeError, "%s: data is NULL", what);
    if (byteLength != wnn_desc_bytes(&t->desc))
        return wnn_error(WNNStatus_TypeError, "%s: byte length %zu does not match the tensor's %llu", what,
                         byteLength, (unsigned long long)wnn_desc_bytes(&t->desc));
    return WNNStatus_Success;
}

WNN_EXPORT WNNStatus wnnContextWriteTensor(WNNContext ctx, WNNTensor t, const void* data, size_t byteLength) {
    if (!ctx || !t) return wnn_error(WNNStatus_TypeError, "writeTensor: context or tensor is NULL");
    pthread_mutex_lock(&ctx->mutex);
    WNNStatus s = check_io(ctx, t, "writeTensor", data, byteLength);
    if (!s && !t->writable) s = wnn_error(WNNStatus_TypeError, "writeTensor: the tensor is not writable");
    if (!s) s = wnn_context_after(ctx, ctx->device->ops->buffer_write(ctx->device, t->buffer, data, byteLength));
    pthread_mutex_unlock(&ctx->mutex);
    return s;
}

WNN_EXPORT WNNStatus wnnContextReadTensor(WNNContext ctx, WNNTensor t, void* data, size_t byteLength) {
    if (!ctx || !t) return wnn_error(WNNStatus_TypeError, "readTensor: context or tensor is NULL");
    pthread_mutex_lock(&ctx->mutex);
    WNNStatus s = check_io(ctx, t, "readTensor", data, byteLength);
    if (!s && !t->readable) s = wnn_error(WNNStatus_TypeError, "readTensor: the tensor is not readable");
    if (!s) s = wnn_context_after(ctx, ctx->device->ops->buffer_read(ctx->device, t->buffer, data, byteLength));
    pthread_mutex_unlock(&ctx->mutex);
    return s;
}

WNN_EXPORT void wnnTensorDestroy(WNNTensor t) {
    if (!t) return;
    WNNContext ctx = t->context;
    pthread_mutex_lock(&ctx->mutex);
    wnn_context_untrack(&t->tracked);
    tensor_destroy_locked(&t->tracked);
    pthread_mutex_unlock(&ctx->mutex);
}

WNN_EXPORT void wnnTensorAddRef(WNNTensor t) {
    if (t) wnn_ref_add(&t->ref);
}

WNN_EXPORT void wnnTensorRelease(WNNTensor t) {
    if (!t || !wnn_ref_release(&t->ref)) return;
    WNNContext ctx = t->context;
    wnnTensorDestroy(t);
    free(t);
    wnnContextRelease(ctx);
}

WNN_EXPORT WNNOperandDataType wnnTensorGetDataType(WNNTensor t) { return t ? t->desc.type : WNNOperandDataType_Undefined; }
WNN_EXPORT uint32_t wnnTensorGetRank(WNNTensor t) { return t ? t->desc.rank : 0; }
WNN_EXPORT void wnnTensorGetShape(WNNTensor t, uint32_t* shape) {
    if (t && shape) memcpy(shape, t->desc.shape, t->desc.rank * sizeof(uint32_t));
}
WNN_EXPORT uint64_t wnnTensorGetByteLength(WNNTensor t) { return t ? wnn_desc_bytes(&t->desc) : 0; }
WNN_EXPORT bool wnnTensorIsReadable(WNNTensor t) { return t && t->readable; }
WNN_EXPORT bool wnnTensorIsWritable(WNNTensor t) { return t && t->writable; }
WNN_EXPORT bool wnnTensorIsConstant(WNNTensor t) { return t && t->constant; }
WNN_EXPORT bool wnnTensorIsExportableToGPU(WNNTensor t) { return t && t->exportable; }
