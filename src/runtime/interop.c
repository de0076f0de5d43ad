/* interop.c: webnn_cuda.h — contexts on the caller's CUDA stream, tensors rented to CUDA code and
 * returned, imported device memory. The CUDA calls themselves live in the CUDA module
 * (backends/cuda/cuda_interop.c); this file keeps the spec's rules: who may touch a tensor when,
 * and what outlives what. */
#include <stdlib.h>
#include <string.h>

#include "backends/plugin.h"
#include "runtime/runtime.h"
#include "webnn/webnn_cuda.h"

struct WNNCudaExportedTensorImpl {
    WNNTensor tensor; /* a reference: the tensor object outlives its export */
    WNNCudaExportInfo info;
    WnnExportState* state; /* a GPU context's export */
    WnnStaging staging;    /* a CPU context's copy for the consumer */
    bool staged;
};

static const char* k_no_cuda = "the CUDA backend module is not loaded here (see wnn-info)";

/* The CUDA adapter with this device ordinal, or UINT32_MAX. */
static uint32_t cuda_adapter(int ordinal) {
    for (uint32_t i = 0; i < wnn_adapter_count(); i++) {
        const WnnAdapter* a = wnn_adapter_get(i);
        if (a->ops && a->info.available && strcmp(a->info.backend, "cuda") == 0 && (int)a->localIndex == ordinal)
            return i;
    }
    return UINT32_MAX;
}

WNN_EXPORT WNNStatus wnnCreateContextOnCudaStream(int cudaDevice, struct CUstream_st* stream,
                                                  const WNNContextOptions* options, WNNContext* out) {
    if (!out) return wnn_error(WNNStatus_TypeError, "createContextOnCudaStream: context out-pointer is NULL");
    *out = NULL;
    WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
    if (options) o = *options;
    WNNStatus s = wnn_context_check_options(&o);
    if (s) return s;
    if (!wnn_cuda_staging_ops()) return wnn_error(WNNStatus_NotSupportedError, "createContextOnCudaStream: %s", k_no_cuda);
    uint32_t index = cuda_adapter(cudaDevice);
    if (index == UINT32_MAX)
        return wnn_error(WNNStatus_NotSupportedError, "createContextOnCudaStream: no usable CUDA device %d", cudaDevice);
    return wnn_context_open(index, &o, stream, true, out);
}

WNN_EXPORT bool wnnCudaCanAccessPeer(int consumer, int owner) {
    const WnnStagingOps* ops = wnn_cuda_staging_ops();
    if (!ops || cuda_adapter(consumer) == UINT32_MAX || cuda_adapter(owner) == UINT32_MAX) return false;
    return ops->peer_access(consumer, owner);
}

WNN_EXPORT int wnnContextGetCudaDevice(WNNContext ctx) {
    if (!ctx || !ctx->device->ops->device_ordinal) return -1;
    return ctx->device->ops->device_ordinal(ctx->device);
}

/* A CPU tensor's copy back from its consumer: wait for it and take the bytes (nothing to take when
 * the tensor was destroyed meanwhile). */
static WNNStatus finish_return(WNNTensor t) {
    WnnStaging* st = t->returning;
    const WnnStagingOps* ops = wnn_cuda_staging_ops();
    t->returning = NULL;
    WNNStatus s = ops->wait(st);
    if (!s && t->buffer && !t->destroyed)
        s = t->context->device->ops->buffer_write(t->context->device, t->buffer, st->pinned, st->bytes);
    ops->close(st);
    free(st);
    return s;
}

WNNStatus wnn_tensor_settle(WNNTensor t) { return t->returning ? finish_return(t) : WNNStatus_Success; }

WNNStatus wnn_tensor_check_usable(WNNTensor t, const char* what) {
    if (t->exportedTo) return wnn_error(WNNStatus_TypeError, "%s: the tensor is exported to CUDA code; return it first", what);
    return wnn_tensor_settle(t);
}

WNN_EXPORT WNNStatus wnnContextExportToCuda(WNNContext ctx, WNNTensor t, const WNNCudaConsumer* consumer,
                                            WNNCudaExportedTensor* out, WNNCudaExportInfo* info) {
    if (!out) return wnn_error(WNNStatus_TypeError, "exportToCuda: exported out-pointer is NULL");
    *out = NULL;
    if (!ctx || !t || !consumer) return wnn_error(WNNStatus_TypeError, "exportToCuda: context, tensor or consumer is NULL");
    const WnnStagingOps* staging = wnn_cuda_staging_ops();
    if (!staging) return wnn_error(WNNStatus_NotSupportedError, "exportToCuda: %s", k_no_cuda);
    int device = consumer->device >= 0 ? consumer->device : staging->current_device();
    if (device < 0 || cuda_adapter(device) == UINT32_MAX)
        return wnn_error(WNNStatus_TypeError, "exportToCuda: the consumer's CUDA device %d is not usable", consumer->device);
    WNNCudaExportedTensor x = calloc(1, sizeof *x);
    if (!x) return wnn_error(WNNStatus_OutOfMemory, "exportToCuda: out of memory");
    pthread_mutex_lock(&ctx->mutex);
    WnnDevice* dev = ctx->device;
    WNNStatus s = wnn_context_check_alive(ctx, "exportToCuda");
    if (!s && t->context != ctx) s = wnn_error(WNNStatus_TypeError, "exportToCuda: the tensor belongs to another context");
    if (!s && t->destroyed) s = wnn_error(WNNStatus_TypeError, "exportToCuda: the tensor has been destroyed");
    if (!s && t->constant) s = wnn_error(WNNStatus_TypeError, "exportToCuda: a constant tensor cannot be exported");
    if (!s && !t->exportable)
        s = wnn_error(WNNStatus_TypeError, "exportToCuda: the tensor was not created exportableToGPU");
    if (!s && t->exportedTo)
        s = wnn_error(WNNStatus_TypeError, "exportToCuda: the tensor is already exported; return it first");
    if (!s) s = wnn_tensor_settle(t);
    size_t bytes = (size_t)wnn_desc_bytes(&t->desc);
    if (!s && dev->ops->buffer_export) {
        s = dev->ops->buffer_export(dev, t->buffer, device, consumer->stream, &x->state, &x->info.devicePointer,
                                    &x->info.isCopy);
    } else if (!s) {
        /* A CPU tensor: its bytes go to the consumer's device through pinned memory. */
        if (!(s = staging->open(device, bytes, &x->staging))) {
            x->staged = true;
            s = dev->ops->buffer_read(dev, t->buffer, x->staging.pinned, bytes);
            if (!s) s = staging->upload(&x->staging, consumer->stream);
            if (s) staging->close(&x->staging);
        }
        x->info.devicePointer = x->staging.devicePtr;
        x->info.isCopy = true;
    }
    s = wnn_context_after(ctx, s);
    if (!s) {
        x->info.byteLength = bytes;
        x->info.device = device;
        x->tensor = t;
        wnnTensorAddRef(t);
        t->exportedTo = x;
        if (info) *info = x->info;
        *out = x;
    }
    pthread_mutex_unlock(&ctx->mutex);
    if (s) free(x);
    return s;
}

WNN_EXPORT void wnnCudaExportedTensorGetInfo(WNNCudaExportedTensor x, WNNCudaExportInfo* info) {
    if (x && info) *info = x->info;
}

WNN_EXPORT WNNStatus wnnCudaExportedTensorReturn(WNNCudaExportedTensor x, struct CUstream_st* consumerStream) {
    if (!x) return wnn_error(WNNStatus_TypeError, "returnFromCuda: exported tensor is NULL");
    WNNTensor t = x->tensor;
    WNNContext ctx = t->context;
    WnnDevice* dev = ctx->device;
    WNNStatus s = WNNStatus_Success;
    pthread_mutex_lock(&ctx->mutex);
    /* No liveness check: a destroyed context or tensor still takes its memory back. */
    if (x->staged) {
        const WnnStagingOps* staging = wnn_cuda_staging_ops();
        WnnStaging* st = malloc(sizeof *st);
        if (!st) {
            s = wnn_error(WNNStatus_OutOfMemory, "returnFromCuda: out of memory");
            staging->close(&x->staging);
        } else {
            *st = x->staging;
            s = staging->download(st, consumerStream);
            t->returning = st; /* the tensor's next use waits for the copy back */
        }
    } else {
        s = dev->ops->buffer_return(dev, t->buffer, x->state, consumerStream);
    }
    t->exportedTo = NULL;
    if (t->destroyed) {
        WNNStatus f = wnn_tensor_settle(t);
        if (!s) s = f;
        wnn_tensor_free_buffer(t);
    }
    pthread_mutex_unlock(&ctx->mutex);
    free(x);
    wnnTensorRelease(t);
    return s;
}

WNN_EXPORT WNNStatus wnnContextImportCudaMemory(WNNContext ctx, const WNNTensorDescriptor* d, void* pointer,
                                                uint64_t byteLength, struct CUstream_st* producerStream,
                                                WNNCudaReleaseCallback release, void* userData, WNNTensor* out) {
    if (!out) return wnn_error(WNNStatus_TypeError, "importCudaMemory: tensor out-pointer is NULL");
    *out = NULL;
    if (!ctx || !d || !pointer)
        return wnn_error(WNNStatus_TypeError, "importCudaMemory: context, descriptor or pointer is NULL");
    if (!ctx->device->ops->buffer_wrap)
        return wnn_error(WNNStatus_NotSupportedError, "importCudaMemory: the context is not on a CUDA device");
    WnnDesc desc;
    WNNStatus s = wnn_desc_from_public("importCudaMemory", d->dataType, d->shape, d->rank, &desc);
    if (s) return s;
    if (byteLength != wnn_desc_bytes(&desc))
        return wnn_error(WNNStatus_TypeError, "importCudaMemory: the memory is %llu bytes, the descriptor needs %llu",
                         (unsigned long long)byteLength, (unsigned long long)wnn_desc_bytes(&desc));
    WnnBuffer* buffer;
    pthread_mutex_lock(&ctx->mutex);
    s = wnn_context_check_alive(ctx, "importCudaMemory");
    if (!s) s = ctx->device->ops->buffer_wrap(ctx->device, pointer, (size_t)byteLength, producerStream, release, userData,
                                              &buffer);
    pthread_mutex_unlock(&ctx->mutex);
    if (s) return s;
    WNNTensor t;
    if ((s = wnn_tensor_wrap(ctx, "importCudaMemory", &desc, buffer, &t))) return s;
    t->readable = d->readable;
    t->writable = d->writable;
    t->exportable = d->exportableToGPU;
    *out = t;
    return WNNStatus_Success;
}
