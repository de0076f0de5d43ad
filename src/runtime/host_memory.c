/* host_memory.c: wnnContextAllocateHostMemory / wnnContextFreeHostMemory. The device's allocator
 * (page-locked memory on a GPU, so that writeTensor and readTensor move it by DMA) or plain aligned
 * memory; each block is listed on its context, which frees what is left at its last release. */
#include <stdlib.h>

#include "runtime/runtime.h"

struct WnnHostBlock {
    struct WnnHostBlock* next;
    void* data;
    WnnDevice* device; /* whose allocator made it; NULL: wnn_aligned_alloc */
};

static void block_free(WnnHostBlock* b) {
    if (b->device) b->device->ops->host_free(b->device, b->data);
    else wnn_aligned_free(b->data);
    free(b);
}

WNN_EXPORT WNNStatus wnnContextAllocateHostMemory(WNNContext ctx, size_t byteLength, void** data) {
    if (data) *data = NULL;
    if (!ctx || !data) return wnn_error(WNNStatus_TypeError, "allocateHostMemory: context or data out-pointer is NULL");
    if (byteLength == 0) return wnn_error(WNNStatus_TypeError, "allocateHostMemory: byteLength is 0");
    WnnHostBlock* b = wnn_calloc(1, sizeof *b);
    if (!b) return wnn_error(WNNStatus_OutOfMemory, "allocateHostMemory: out of memory");
    pthread_mutex_lock(&ctx->mutex);
    WNNStatus s = wnn_context_check_alive(ctx, "allocateHostMemory");
    if (!s && ctx->device->ops->host_alloc) {
        b->device = ctx->device;
        s = wnn_context_after(ctx, ctx->device->ops->host_alloc(ctx->device, byteLength, &b->data));
    } else if (!s && !(b->data = wnn_aligned_alloc(byteLength))) {
        s = wnn_error(WNNStatus_OutOfMemory, "allocateHostMemory: cannot allocate %zu bytes", byteLength);
    }
    if (!s) {
        b->next = ctx->hostBlocks;
        ctx->hostBlocks = b;
        *data = b->data;
    }
    pthread_mutex_unlock(&ctx->mutex);
    if (s) free(b);
    return s;
}

WNN_EXPORT WNNStatus wnnContextFreeHostMemory(WNNContext ctx, void* data) {
    if (!ctx) return wnn_error(WNNStatus_TypeError, "freeHostMemory: context is NULL");
    if (!data) return WNNStatus_Success; /* as free(NULL) */
    pthread_mutex_lock(&ctx->mutex);
    WnnHostBlock** at = &ctx->hostBlocks;
    while (*at && (*at)->data != data) at = &(*at)->next;
    WnnHostBlock* b = *at;
    if (b) *at = b->next;
    pthread_mutex_unlock(&ctx->mutex);
    if (!b)
        return wnn_error(WNNStatus_TypeError,
                         "freeHostMemory: %p is not host memory of this context (or was freed already)", data);
    block_free(b);
    return WNNStatus_Success;
}

void wnn_context_free_host_memory(WNNContext ctx) {
    while (ctx->hostBlocks) {
        WnnHostBlock* b = ctx->hostBlocks;
        ctx->hostBlocks = b->next;
        block_free(b);
    }
}
