/* cuda_plugin.c: the CUDA backend module's entry point, adapter enumeration, devices (a stream and
 * a cuBLAS handle per context) and device memory. Graphs run through cuda_exec.c; the nodes it does
 * not run are placed on the CPU by the library's partitioner. */
#include <cuda_runtime_api.h>
#include <cudnn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cuda/cuda_device.h"
#include "backends/cuda/cuda_matmul.h"

static const WnnHostApi* g_host;
static WnnPluginApi g_api;

/* Errors go through the host so that wnnGetLastErrorMessage() reports them. */
WNNStatus wnn_error(WNNStatus status, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    WNNStatus s = g_host ? g_host->verror(status, fmt, ap) : status;
    va_end(ap);
    return s;
}

WNNStatus wnn_cuda_fail(const char* what, const char* call, cudaError_t e) {
    return wnn_error(e == cudaErrorMemoryAllocation ? WNNStatus_OutOfMemory : WNNStatus_OperationError,
                     "%s: %s failed: %s", what, call, cudaGetErrorString(e));
}
#define CUDA_CHECK CUDA_TRY

static WNNStatus cuda_device_open(uint32_t index, const WnnDeviceOptions* options, WnnDevice** out) {
    CudaDevice* d = calloc(1, sizeof *d);
    if (!d) return wnn_error(WNNStatus_OutOfMemory, "createContext: out of memory");
    d->base.ops = g_api.ops;
    d->ordinal = (int)index;
    d->allowTf32 = options->allowTf32;
    d->externalStream = options->hasExternalStream;
    cudaError_t e = cudaSetDevice(d->ordinal);
    if (e == cudaSuccess && d->externalStream) d->stream = (cudaStream_t)options->externalStream;
    else if (e == cudaSuccess) e = cudaStreamCreateWithFlags(&d->stream, cudaStreamNonBlocking);
    if (e == cudaSuccess) e = cudaEventCreateWithFlags(&d->orderEvent, cudaEventDisableTiming);
    if (e != cudaSuccess) {
        if (d->stream && !d->externalStream) cudaStreamDestroy(d->stream);
        free(d);
        return wnn_error(WNNStatus_NotSupportedError, "createContext: CUDA device %u: %s", index,
                         cudaGetErrorString(e));
    }
    if (cublasCreate(&d->blas) != CUBLAS_STATUS_SUCCESS) {
        cudaEventDestroy(d->orderEvent);
        if (!d->externalStream) cudaStreamDestroy(d->stream);
        free(d);
        return wnn_error(WNNStatus_NotSupportedError, "createContext: cublasCreate failed on CUDA device %u", index);
    }
    cudnnHandle_t dnn;
    cudnnStatus_t ds = cudnnCreate(&dnn);
    if (ds != CUDNN_STATUS_SUCCESS) {
        cublasDestroy(d->blas);
        cudaEventDestroy(d->orderEvent);
        if (!d->externalStream) cudaStreamDestroy(d->stream);
        free(d);
        return wnn_error(WNNStatus_NotSupportedError, "createContext: cudnnCreate failed on CUDA device %u: %s", index,
                         cudnnGetErrorString(ds));
    }
    d->dnn = dnn;
    *out = &d->base;
    return WNNStatus_Success;
}

static void cuda_device_close(WnnDevice* dev) {
    CudaDevice* d = (CudaDevice*)dev;
    cudaSetDevice(d->ordinal);
    cudaStreamSynchronize(d->stream);
    cublasDestroy(d->blas);
    cudnnDestroy((cudnnHandle_t)d->dnn);
    wnn_cuda_lt_device_free(d);
    cudaEventDestroy(d->orderEvent);
    if (!d->externalStream) cudaStreamDestroy(d->stream);
    free(d);
}

/* A sticky error (a kernel fault, an illegal address, ...) breaks the whole CUDA context for the
 * life of the process: every later call fails with it. cudaStreamQuery reports such an error
 * without waiting; "not ready" and ordinary failures (out of memory, bad arguments) are not loss. */
bool wnn_cuda_device_lost(WnnDevice* dev, char* why, size_t whySize) {
    CudaDevice* d = (CudaDevice*)dev;
    cudaSetDevice(d->ordinal);
    cudaError_t e = cudaStreamQuery(d->stream);
    if (e == cudaSuccess || e == cudaErrorNotReady) {
        cudaGetLastError(); /* clear a non-sticky error left by the failed call */
        return false;
    }
    snprintf(why, whySize, "CUDA device %d failed: %s", d->ordinal, cudaGetErrorString(e));
    return true;
}

static WNNStatus cuda_buffer_alloc(WnnDevice* dev, size_t bytes, WnnBuffer** out) {
    CudaDevice* d = (CudaDevice*)dev;
    WnnBuffer* b = calloc(1, sizeof *b);
    if (!b) return wnn_error(WNNStatus_OutOfMemory, "createTensor: out of memory");
    b->bytes = bytes;
    cudaError_t e = cudaSetDevice(d->ordinal);
    if (e == cudaSuccess) e = cudaMallocAsync(&b->ptr, bytes ? bytes : 1, d->stream);
    if (e == cudaSuccess) e = cudaMemsetAsync(b->ptr, 0, bytes, d->stream);
    if (e != cudaSuccess) {
        if (b->ptr) cudaFreeAsync(b->ptr, d->stream);
        free(b);
        return wnn_error(e == cudaErrorMemoryAllocation ? WNNStatus_OutOfMemory : WNNStatus_OperationError,
                         "createTensor: cannot allocate %zu bytes on CUDA device %d: %s", bytes, d->ordinal,
                         cudaGetErrorString(e));
    }
    *out = b;
    return WNNStatus_Success;
}

static void cuda_buffer_free(WnnDevice* dev, WnnBuffer* b) {
    CudaDevice* d = (CudaDevice*)dev;
    if (!b) return;
    cudaSetDevice(d->ordinal);
    if (b->imported) {
        /* The owner's memory: hand it back once our queued work on it is done. */
        cudaStreamSynchronize(d->stream);
        if (b->release) b->release(b->ptr, b->userData);
    } else {
        cudaFreeAsync(b->ptr, d->stream);
    }
    free(b);
}

/* Whether p is page-locked host memory (cudaHostAlloc'd or registered): copies from it are DMA
 * transfers that run in stream order, after the call returns. */
static bool page_locked(const void* p) {
    struct cudaPointerAttributes a;
    if (cudaPointerGetAttributes(&a, p) != cudaSuccess) {
        cudaGetLastError(); /* an unknown pointer is plain (pageable) memory */
        return false;
    }
    return a.type == cudaMemoryTypeHost;
}

static WNNStatus cuda_buffer_write(WnnDevice* dev, WnnBuffer* b, const void* data, size_t bytes) {
    CudaDevice* d = (CudaDevice*)dev;
    CUDA_CHECK("writeTensor", cudaSetDevice(d->ordinal));
    CUDA_CHECK("writeTensor", cudaMemcpyAsync(b->ptr, data, bytes, cudaMemcpyHostToDevice, d->stream));
    /* writeTensor takes the bytes at call time. From pageable memory the driver has staged them when
     * cudaMemcpyAsync returns; from page-locked memory the DMA runs later, in stream order, so wait
     * for it (behind the work queued before it) or the caller could change the bytes under it. */
    if (page_locked(data)) {
        CUDA_CHECK("writeTensor", cudaEventRecord(d->orderEvent, d->stream));
        CUDA_CHECK("writeTensor", cudaEventSynchronize(d->orderEvent));
    }
    return WNNStatus_Success;
}

static WNNStatus cuda_host_alloc(WnnDevice* dev, size_t bytes, void** data) {
    CudaDevice* d = (CudaDevice*)dev;
    CUDA_CHECK("allocateHostMemory", cudaSetDevice(d->ordinal));
    cudaError_t e = cudaHostAlloc(data, bytes, cudaHostAllocPortable);
    if (e == cudaErrorMemoryAllocation) {
        cudaGetLastError();
        return wnn_error(WNNStatus_OutOfMemory, "allocateHostMemory: cannot page-lock %zu bytes", bytes);
    }
    CUDA_CHECK("allocateHostMemory", e);
    return WNNStatus_Success;
}

static void cuda_host_free(WnnDevice* dev, void* data) {
    (void)dev;
    cudaFreeHost(data);
}

static WNNStatus cuda_buffer_read(WnnDevice* dev, WnnBuffer* b, void* data, size_t bytes) {
    CudaDevice* d = (CudaDevice*)dev;
    CUDA_CHECK("readTensor", cudaSetDevice(d->ordinal));
    CUDA_CHECK("readTensor", cudaMemcpyAsync(data, b->ptr, bytes, cudaMemcpyDeviceToHost, d->stream));
    CUDA_CHECK("readTensor", cudaStreamSynchronize(d->stream));
    return WNNStatus_Success;
}

static const WnnBackendOps k_cuda_ops = {
    "cuda",           cuda_device_open,  cuda_device_close,      cuda_buffer_alloc, cuda_buffer_free,
    cuda_buffer_write, cuda_buffer_read, wnn_cuda_compile, wnn_cuda_compiled_free, wnn_cuda_dispatch,
    wnn_cuda_supports, wnn_cuda_buffer_export, wnn_cuda_buffer_return, wnn_cuda_buffer_wrap, wnn_cuda_device_ordinal,
    wnn_cuda_device_lost, cuda_host_alloc, cuda_host_free, wnn_cuda_compiled_arena_bytes,
    NULL, /* prepared bytes: the GPU's weights and plans are not counted */
};

static void enumerate(void) {
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
        /* One entry that says why there is no usable GPU (no driver, no device, ...). */
        WNNAdapterInfo* a = &g_api.adapters[g_api.adapterCount++];
        a->kind = WNNAdapterKind_Gpu;
        snprintf(a->name, sizeof a->name, "CUDA");
        snprintf(a->backend, sizeof a->backend, "cuda");
        snprintf(a->unavailableReason, sizeof a->unavailableReason, "%s", cudaGetErrorString(e));
        return;
    }
    for (int i = 0; i < count && g_api.adapterCount < WNN_PLUGIN_MAX_ADAPTERS; i++) {
        WNNAdapterInfo* a = &g_api.adapters[g_api.adapterCount++];
        struct cudaDeviceProp p;
        a->kind = WNNAdapterKind_Gpu;
        snprintf(a->backend, sizeof a->backend, "cuda");
        if (cudaGetDeviceProperties(&p, i) == cudaSuccess) {
            snprintf(a->name, sizeof a->name, "%.100s (sm_%d%d)", p.name, p.major, p.minor);
            a->memoryBytes = p.totalGlobalMem;
            a->available = true;
        } else {
            snprintf(a->name, sizeof a->name, "CUDA device %d", i);
            snprintf(a->unavailableReason, sizeof a->unavailableReason, "cudaGetDeviceProperties failed");
        }
    }
}

__attribute__((visibility("default"))) const WnnPluginApi* wnn_plugin_entry(const WnnHostApi* host);
const WnnPluginApi* wnn_plugin_entry(const WnnHostApi* host) {
    if (!host || host->abi != WNN_PLUGIN_ABI) return NULL;
    g_host = host;
    g_api.abi = WNN_PLUGIN_ABI;
    g_api.ops = &k_cuda_ops;
    g_api.staging = &wnn_cuda_staging;
    enumerate();
    return &g_api;
}
