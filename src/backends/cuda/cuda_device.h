/* cuda_device.h: what the CUDA module's files share: the device, its buffers, error reporting. */
#ifndef WNN_BACKENDS_CUDA_CUDA_DEVICE_H_
#define WNN_BACKENDS_CUDA_CUDA_DEVICE_H_

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "backends/plugin.h"

typedef struct CudaDevice {
    WnnDevice base;
    int ordinal;
    cudaStream_t stream;
    cublasHandle_t blas;
    void* dnn; /* cudnnHandle_t, created with the device */
    bool allowTf32; /* the context allows reduced-precision float32 math */
    bool externalStream; /* the stream is the caller's (webnn_cuda.h): not destroyed with the device */
    cudaEvent_t orderEvent; /* orders one stream after another (export, return, import); reusable at once */
    void* lt;               /* cublasLtHandle_t and its workspace, made at the first matmul (cuda_matmul.c) */
    void* ltWorkspace;
} CudaDevice;

struct WnnBuffer {
    size_t bytes;
    void* ptr;
    WnnReleaseFn release; /* imported memory: the owner's callback (ptr is not ours to free) */
    void* userData;
    bool imported;
};

/* Interop (cuda_interop.c). */
WNNStatus wnn_cuda_buffer_export(WnnDevice* device, WnnBuffer* buffer, int consumerDevice, void* consumerStream,
                                 WnnExportState** state, void** pointer, bool* isCopy);
WNNStatus wnn_cuda_buffer_return(WnnDevice* device, WnnBuffer* buffer, WnnExportState* state, void* consumerStream);
WNNStatus wnn_cuda_buffer_wrap(WnnDevice* device, void* pointer, size_t bytes, void* producerStream, WnnReleaseFn release,
                               void* userData, WnnBuffer** buffer);
int wnn_cuda_device_ordinal(WnnDevice* device);
bool wnn_cuda_device_lost(WnnDevice* device, char* why, size_t whySize);
extern const WnnStagingOps wnn_cuda_staging;
/* Makes `waiter` wait for the work enqueued on `producer` so far (no-op when they are one stream). */
WNNStatus wnn_cuda_order(CudaDevice* d, cudaStream_t producer, cudaStream_t waiter, const char* what);

/* Reports a failed CUDA runtime call, naming it. */
WNNStatus wnn_cuda_fail(const char* what, const char* call, cudaError_t e);

#define CUDA_TRY(what, call)                                              \
    do {                                                                  \
        cudaError_t e_ = (call);                                          \
        if (e_ != cudaSuccess) return wnn_cuda_fail(what, #call, e_);     \
    } while (0)

WNNStatus wnn_cuda_compile(WnnDevice* device, const WnnGraphIR* ir, WnnCompiled** compiled);
void wnn_cuda_compiled_free(WnnDevice* device, WnnCompiled* compiled);
size_t wnn_cuda_compiled_arena_bytes(const WnnCompiled* compiled);
WNNStatus wnn_cuda_dispatch(WnnDevice* device, WnnCompiled* compiled, WnnBuffer* const* inputs,
                            WnnBuffer* const* outputs);
bool wnn_cuda_supports(WnnDevice* device, const WnnGraphIR* ir, const WnnNode* node);

#endif
