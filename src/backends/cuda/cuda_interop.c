/* cuda_interop.c: tensors rented to the application's CUDA code and back (webnn_cuda.h), imported
 * device memory, and the staging a CPU context uses to reach a GPU consumer.
 *
 * Ordering is always by events between streams, never a host wait:
 *   export: record on the context's stream, the consumer's stream waits;
 *   return: record on the consumer's stream, the context's stream waits.
 * A consumer on another GPU reads the memory in place when peer access is possible; otherwise it
 * gets a copy on its device (copied on export and back on return, both on the context's stream). */
#include <cuda_runtime_api.h>
#include <stdlib.h>

#include "backends/cuda/cuda_device.h"

struct WnnExportState {
    int consumerDevice;
    void* copy; /* the consumer's copy on its device, or NULL (zero copy) */
};

int wnn_cuda_device_ordinal(WnnDevice* device) { return ((CudaDevice*)device)->ordinal; }

/* An event on `device` (the device of the stream it will be recorded on). */
static WNNStatus event_on(int device, int home, cudaEvent_t* ev) {
    CUDA_TRY("interop", cudaSetDevice(device));
    cudaError_t e = cudaEventCreateWithFlags(ev, cudaEventDisableTiming);
    cudaSetDevice(home);
    return e == cudaSuccess ? WNNStatus_Success : wnn_cuda_fail("interop", "cudaEventCreateWithFlags", e);
}

WNNStatus wnn_cuda_order(CudaDevice* d, cudaStream_t producer, cudaStream_t waiter, const char* what) {
    if (producer == waiter) return WNNStatus_Success;
    CUDA_TRY(what, cudaEventRecord(d->orderEvent, producer));
    CUDA_TRY(what, cudaStreamWaitEvent(waiter, d->orderEvent, 0));
    return WNNStatus_Success;
}

/* Orders `waiter` (on any device) after `producer` (on `producerDevice`). */
static WNNStatus order_across(CudaDevice* d, int producerDevice, cudaStream_t producer, cudaStream_t waiter,
                              const char* what) {
    if (producerDevice == d->ordinal) return wnn_cuda_order(d, producer, waiter, what);
    cudaEvent_t ev;
    WNNStatus s = event_on(producerDevice, d->ordinal, &ev);
    if (s) return s;
    cudaError_t e = cudaSetDevice(producerDevice);
    if (e == cudaSuccess) e = cudaEventRecord(ev, producer);
    if (e == cudaSuccess) e = cudaStreamWaitEvent(waiter, ev, 0);
    cudaEventDestroy(ev); /* destroyed once the recorded work completes */
    cudaSetDevice(d->ordinal);
    return e == cudaSuccess ? WNNStatus_Success : wnn_cuda_fail(what, "cudaEventRecord/cudaStreamWaitEvent", e);
}

/* Whether `consumer` can read and write `owner`'s memory in place (enabling it when possible). */
static bool peer_ready(int consumer, int owner) {
    int can = 0;
    if (cudaDeviceCanAccessPeer(&can, consumer, owner) != cudaSuccess || !can) return false;
    int home;
    cudaGetDevice(&home);
    cudaSetDevice(consumer);
    cudaError_t e = cudaDeviceEnablePeerAccess(owner, 0);
    if (e == cudaErrorPeerAccessAlreadyEnabled) e = cudaSuccess;
    cudaGetLastError(); /* clear the "already enabled" error */
    cudaSetDevice(home);
    return e == cudaSuccess;
}

WNNStatus wnn_cuda_buffer_export(WnnDevice* device, WnnBuffer* b, int consumerDevice, void* consumerStream,
                                 WnnExportState** out, void** pointer, bool* isCopy) {
    CudaDevice* d = (CudaDevice*)device;
    cudaStream_t consumer = (cudaStream_t)consumerStream;
    CUDA_TRY("exportToCuda", cudaSetDevice(d->ordinal));
    WnnExportState* st = calloc(1, sizeof *st);
    if (!st) return wnn_error(WNNStatus_OutOfMemory, "exportToCuda: out of memory");
    st->consumerDevice = consumerDevice;
    WNNStatus s = WNNStatus_Success;
    if (consumerDevice != d->ordinal && !peer_ready(consumerDevice, d->ordinal)) {
        /* A copy on the consumer's device: allocated on its stream (freed there on return), filled on
         * our stream after the tensor's queued work and the allocation. */
        cudaError_t e = cudaSetDevice(consumerDevice);
        if (e == cudaSuccess) e = cudaMallocAsync(&st->copy, b->bytes ? b->bytes : 1, consumer);
        cudaSetDevice(d->ordinal);
        if (e != cudaSuccess) s = wnn_cuda_fail("exportToCuda", "cudaMallocAsync (copy for another GPU)", e);
        if (!s) s = order_across(d, consumerDevice, consumer, d->stream, "exportToCuda");
        if (!s && (e = cudaMemcpyPeerAsync(st->copy, consumerDevice, b->ptr, d->ordinal, b->bytes, d->stream)))
            s = wnn_cuda_fail("exportToCuda", "cudaMemcpyPeerAsync (copy for another GPU)", e);
    }
    if (!s) s = order_across(d, d->ordinal, d->stream, consumer, "exportToCuda");
    if (s) {
        if (st->copy) {
            cudaSetDevice(consumerDevice);
            cudaFreeAsync(st->copy, consumer);
            cudaSetDevice(d->ordinal);
        }
        free(st);
        return s;
    }
    *out = st;
    *pointer = st->copy ? st->copy : b->ptr;
    *isCopy = st->copy != NULL;
    return WNNStatus_Success;
}

WNNStatus wnn_cuda_buffer_return(WnnDevice* device, WnnBuffer* b, WnnExportState* st, void* consumerStream) {
    CudaDevice* d = (CudaDevice*)device;
    cudaStream_t consumer = (cudaStream_t)consumerStream;
    CUDA_TRY("returnFromCuda", cudaSetDevice(d->ordinal));
    WNNStatus s = order_across(d, st->consumerDevice, consumer, d->stream, "returnFromCuda");
    if (!s && st->copy) {
        cudaError_t e = cudaMemcpyPeerAsync(b->ptr, d->ordinal, st->copy, st->consumerDevice, b->bytes, d->stream);
        /* The copy is freed after the copy back: the consumer's stream waits for our stream, then frees. */
        if (e == cudaSuccess) s = order_across(d, d->ordinal, d->stream, consumer, "returnFromCuda");
        else s = wnn_cuda_fail("returnFromCuda", "cudaMemcpyPeerAsync (copy back)", e);
        if (!s) {
            cudaSetDevice(st->consumerDevice);
            e = cudaFreeAsync(st->copy, consumer);
            cudaSetDevice(d->ordinal);
            if (e != cudaSuccess) s = wnn_cuda_fail("returnFromCuda", "cudaFreeAsync", e);
        }
    }
    free(st);
    return s;
}

WNNStatus wnn_cuda_buffer_wrap(WnnDevice* device, void* pointer, size_t bytes, void* producerStream, WnnReleaseFn release,
                               void* userData, WnnBuffer** out) {
    CudaDevice* d = (CudaDevice*)device;
    struct cudaPointerAttributes attr;
    CUDA_TRY("importCudaMemory", cudaSetDevice(d->ordinal));
    cudaError_t e = cudaPointerGetAttributes(&attr, pointer);
    if (e != cudaSuccess || (attr.type != cudaMemoryTypeDevice && attr.type != cudaMemoryTypeManaged)) {
        cudaGetLastError();
        return wnn_error(WNNStatus_TypeError, "importCudaMemory: %p is not CUDA device memory", pointer);
    }
    if (attr.device != d->ordinal)
        return wnn_error(WNNStatus_TypeError, "importCudaMemory: the memory is on CUDA device %d, the context on %d",
                         attr.device, d->ordinal);
    if (producerStream) {
        WNNStatus s = wnn_cuda_order(d, (cudaStream_t)producerStream, d->stream, "importCudaMemory");
        if (s) return s;
    }
    WnnBuffer* b = calloc(1, sizeof *b);
    if (!b) return wnn_error(WNNStatus_OutOfMemory, "importCudaMemory: out of memory");
    b->bytes = bytes;
    b->ptr = pointer;
    b->imported = true;
    b->release = release;
    b->userData = userData;
    *out = b;
    return WNNStatus_Success;
}

/* ---- staging for a CPU context's tensor ------------------------------------------------------ */

static WNNStatus staging_open(int device, size_t bytes, WnnStaging* st) {
    st->bytes = bytes;
    st->device = device;
    CUDA_TRY("exportToCuda", cudaSetDevice(device));
    CUDA_TRY("exportToCuda", cudaMallocHost(&st->pinned, bytes ? bytes : 1));
    cudaError_t e = cudaMalloc(&st->devicePtr, bytes ? bytes : 1);
    if (e == cudaSuccess) e = cudaEventCreateWithFlags((cudaEvent_t*)&st->event, cudaEventDisableTiming);
    if (e != cudaSuccess) {
        cudaFreeHost(st->pinned);
        if (st->devicePtr) cudaFree(st->devicePtr);
        st->pinned = st->devicePtr = NULL;
        return wnn_cuda_fail("exportToCuda", "cudaMalloc/cudaEventCreate (staging)", e);
    }
    return WNNStatus_Success;
}

static WNNStatus staging_upload(WnnStaging* st, void* stream) {
    CUDA_TRY("exportToCuda", cudaSetDevice(st->device));
    CUDA_TRY("exportToCuda", cudaMemcpyAsync(st->devicePtr, st->pinned, st->bytes, cudaMemcpyHostToDevice,
                                             (cudaStream_t)stream));
    return WNNStatus_Success;
}

static WNNStatus staging_download(WnnStaging* st, void* stream) {
    CUDA_TRY("returnFromCuda", cudaSetDevice(st->device));
    CUDA_TRY("returnFromCuda", cudaMemcpyAsync(st->pinned, st->devicePtr, st->bytes, cudaMemcpyDeviceToHost,
                                               (cudaStream_t)stream));
    CUDA_TRY("returnFromCuda", cudaEventRecord((cudaEvent_t)st->event, (cudaStream_t)stream));
    return WNNStatus_Success;
}

static WNNStatus staging_wait(WnnStaging* st) {
    CUDA_TRY("returnFromCuda", cudaEventSynchronize((cudaEvent_t)st->event));
    return WNNStatus_Success;
}

static void staging_close(WnnStaging* st) {
    cudaSetDevice(st->device);
    if (st->event) cudaEventDestroy((cudaEvent_t)st->event);
    if (st->devicePtr) cudaFree(st->devicePtr); /* waits for the device's work on it */
    if (st->pinned) cudaFreeHost(st->pinned);
    st->event = st->devicePtr = st->pinned = NULL;
}

static int current_device(void) {
    int dev = -1;
    return cudaGetDevice(&dev) == cudaSuccess ? dev : -1;
}

static bool peer_access(int consumer, int owner) {
    int can = 0;
    if (consumer == owner) return true;
    return cudaDeviceCanAccessPeer(&can, consumer, owner) == cudaSuccess && can;
}

const WnnStagingOps wnn_cuda_staging = {staging_open, staging_upload, staging_download, staging_wait, staging_close,
                                        current_device, peer_access};
