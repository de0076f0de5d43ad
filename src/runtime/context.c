/* context.c: createContext (device selection), the context's lifetime and loss. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

/* The spec's policy: accelerated and not low-power -> the best available GPU; else the CPU. */
static uint32_t choose_adapter(const WNNContextOptions* o) {
    bool accelerated = o->accelerated != WNNOptionalBool_False;
    if (!accelerated || o->powerPreference == WNNPowerPreference_LowPower) return 0;
    for (uint32_t i = 1; i < wnn_adapter_count(); i++) {
        const WnnAdapter* a = wnn_adapter_get(i);
        if (a->info.kind == WNNAdapterKind_Gpu && a->info.available) return i;
    }
    return 0;
}

WNNStatus wnn_context_check_options(const WNNContextOptions* o) {
    if ((unsigned)o->powerPreference > WNNPowerPreference_LowPower)
        return wnn_error(WNNStatus_TypeError, "createContext: invalid powerPreference %d", (int)o->powerPreference);
    if ((unsigned)o->accelerated > WNNOptionalBool_True)
        return wnn_error(WNNStatus_TypeError, "createContext: invalid accelerated value %d", (int)o->accelerated);
    return WNNStatus_Success;
}

WNN_EXPORT WNNStatus wnnCreateContext(const WNNContextOptions* options, WNNContext* out) {
    if (!out) return wnn_error(WNNStatus_TypeError, "createContext: context out-pointer is NULL");
    *out = NULL;
    WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
    if (options) o = *options;
    WNNStatus s = wnn_context_check_options(&o);
    if (s) return s;
    uint32_t index;
    if (o.adapterIndex.present) {
        index = o.adapterIndex.value;
        const WnnAdapter* a = wnn_adapter_get(index);
        if (!a) return wnn_error(WNNStatus_NotSupportedError, "createContext: no adapter %u (%u adapters)", index,
                                 wnn_adapter_count());
        if (!a->info.available)
            return wnn_error(WNNStatus_NotSupportedError, "createContext: adapter %u (%s) is unavailable: %s", index,
                             a->info.name, a->info.unavailableReason);
    } else {
        index = choose_adapter(&o);
    }
    return wnn_context_open(index, &o, NULL, false, out);
}

WNNStatus wnn_context_open(uint32_t index, const WNNContextOptions* o, void* externalStream, bool hasExternalStream,
                           WNNContext* out) {
    const WnnAdapter* a = wnn_adapter_get(index);
    WNNContext ctx = wnn_calloc(1, sizeof *ctx);
    if (!ctx) return wnn_error(WNNStatus_OutOfMemory, "createContext: out of memory");
    wnn_ref_init(&ctx->ref);
    pthread_mutex_init(&ctx->mutex, NULL);
    atomic_init(&ctx->lost, false);
    ctx->adapterIndex = index;
    ctx->accelerated = a->info.kind == WNNAdapterKind_Gpu;
    ctx->live.next = ctx->live.prev = &ctx->live;
    WnnDeviceOptions dopts = {o->threadCount, o->allowReducedPrecisionFloat32, externalStream, hasExternalStream};
    WNNStatus s = a->ops->device_open(a->localIndex, &dopts, &ctx->device);
    if (s) {
        pthread_mutex_destroy(&ctx->mutex);
        free(ctx);
        return s;
    }
    /* The adapter's table may wrap the backend's (a test device lacking some ops): use it. */
    ctx->device->ops = a->ops;
    *out = ctx;
    return WNNStatus_Success;
}

WNN_EXPORT void wnnContextAddRef(WNNContext ctx) {
    if (ctx) wnn_ref_add(&ctx->ref);
}

WNN_EXPORT void wnnContextRelease(WNNContext ctx) {
    if (!ctx || !wnn_ref_release(&ctx->ref)) return;
    /* Tensors and graphs hold references, so none is alive here. */
    wnn_context_free_host_memory(ctx); /* before the device that made the blocks closes */
    ctx->device->ops->device_close(ctx->device);
    if (ctx->fallback) ctx->fallback->ops->device_close(ctx->fallback);
    pthread_mutex_destroy(&ctx->mutex);
    free(ctx);
}

void wnn_context_track(WNNContext ctx, WnnTracked* t) {
    t->next = ctx->live.next;
    t->prev = &ctx->live;
    ctx->live.next->prev = t;
    ctx->live.next = t;
}

void wnn_context_untrack(WnnTracked* t) {
    if (!t->next) return;
    t->prev->next = t->next;
    t->next->prev = t->prev;
    t->next = t->prev = NULL;
}

WNN_EXPORT void wnnContextDestroy(WNNContext ctx) {
    if (!ctx) return;
    pthread_mutex_lock(&ctx->mutex);
    if (!atomic_load(&ctx->lost)) {
        snprintf(ctx->lostMessage, sizeof ctx->lostMessage, "the context was destroyed");
        atomic_store(&ctx->lost, true);
    }
    while (ctx->live.next != &ctx->live) {
        WnnTracked* t = ctx->live.next;
        wnn_context_untrack(t);
        t->destroy(t);
    }
    pthread_mutex_unlock(&ctx->mutex);
}

WNNStatus wnn_context_after(WNNContext ctx, WNNStatus s) {
    char why[200];
    if (s && !atomic_load(&ctx->lost) && ctx->device->ops->device_lost &&
        ctx->device->ops->device_lost(ctx->device, why, sizeof why)) {
        snprintf(ctx->lostMessage, sizeof ctx->lostMessage, "%s", why);
        atomic_store(&ctx->lost, true);
    }
    return s;
}

WNNStatus wnn_context_check_alive(WNNContext ctx, const char* what) {
    if (atomic_load(&ctx->lost))
        return wnn_error(WNNStatus_InvalidStateError, "%s: the context is lost (%s)", what, ctx->lostMessage);
    return WNNStatus_Success;
}

WNN_EXPORT bool wnnContextIsAccelerated(WNNContext ctx) { return ctx && ctx->accelerated; }

WNN_EXPORT bool wnnContextIsLost(WNNContext ctx, const char** message) {
    bool lost = ctx && atomic_load(&ctx->lost);
    if (message) *message = lost ? ctx->lostMessage : "";
    return lost;
}

WNN_EXPORT WNNStatus wnnContextGetAdapterInfo(WNNContext ctx, WNNAdapterInfo* info) {
    if (!ctx || !info) return wnn_error(WNNStatus_TypeError, "getAdapterInfo: context or info is NULL");
    return wnnGetAdapterInfo(ctx->adapterIndex, info);
}
