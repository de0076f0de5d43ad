/* webnn_cuda.h: sharing WebNN tensors with the application's own CUDA code (the native form of
 * the spec's MLContext.exportToGPU and createContext(GPUDevice)). docs/interop.md explains the
 * rules with a diagram; examples/custom_op_cuda.c is the seed scenario as a program.
 *
 * The rent cycle
 *   1. Create the tensor with WNNTensorDescriptor.exportableToGPU = true.
 *   2. wnnContextExportToCuda(): the consumer (a CUDA device and stream) gets the tensor's device
 *      pointer. The consumer stream is ordered after all WebNN work queued on the tensor with a CUDA
 *      event: the host never waits. From now on the consumer has exclusive access: dispatch, read,
 *      write and a second export naming the tensor fail with TypeError and change nothing.
 *   3. The consumer enqueues its kernels on its stream.
 *   4. wnnCudaExportedTensorReturn(): later WebNN work on the tensor is ordered after the
 *      consumer's work enqueued so far (an event on the consumer stream). The exported handle is
 *      freed; the tensor can be exported again (same pointer).
 *
 * Same device: zero copy, always (info.isCopy false). A tensor of a CPU context is copied to the
 * consumer's device on export and back on return through pinned staging (info.isCopy true); the
 * copy back completes before the CPU next uses the tensor. A context created on the caller's own
 * stream (wnnCreateContextOnCudaStream) exporting to that same stream needs no events at all.
 *
 * Destroying the tensor or its context while exported leaves the consumer's memory valid until the
 * export is returned (the memory is freed then, after the consumer's work).
 *
 * Every function returns NotSupportedError with a message when the library has no CUDA backend or
 * no usable GPU. Streams are CUDA runtime streams (cudaStream_t, which is struct CUstream_st*);
 * NULL means the legacy default stream. */
#ifndef WEBNN_WEBNN_CUDA_H_
#define WEBNN_WEBNN_CUDA_H_

#include "webnn/webnn.h"

#ifdef __cplusplus
extern "C" {
#endif

struct CUstream_st;

/* A context on the caller's CUDA device and stream: WebNN work is enqueued on `stream` in call
 * order with the caller's own work. `options` may be NULL; its adapter choice is ignored. The
 * stream must outlive the context. */
WNN_EXPORT WNNStatus wnnCreateContextOnCudaStream(int cudaDevice, struct CUstream_st* stream,
                                                  const WNNContextOptions* options, WNNContext* context);

/* The CUDA device ordinal of a context on a CUDA adapter; -1 for other contexts. */
WNN_EXPORT int wnnContextGetCudaDevice(WNNContext context);

/* Whether CUDA code on device `consumer` reads and writes device `owner`'s memory in place (peer
 * access): an export between them is then zero-copy; otherwise it is a copy (info.isCopy). False
 * when either is not a usable CUDA device. */
WNN_EXPORT bool wnnCudaCanAccessPeer(int consumer, int owner);

/* Who receives an exported tensor: a CUDA device ordinal (-1: the calling thread's current
 * device) and a stream on that device. */
typedef struct WNNCudaConsumer {
    int device;
    struct CUstream_st* stream;
} WNNCudaConsumer;

typedef struct WNNCudaExportedTensorImpl* WNNCudaExportedTensor;

typedef struct WNNCudaExportInfo {
    void* devicePointer; /* dense row-major bytes of the tensor, on `device` */
    uint64_t byteLength;
    int device;
    bool isCopy;         /* the library copied the data to reach the consumer (and copies it back) */
} WNNCudaExportInfo;

/* Rents `tensor` to the consumer. TypeError: not exportableToGPU, already exported, destroyed,
 * another context's, a constant tensor. InvalidStateError: the context is lost. */
WNN_EXPORT WNNStatus wnnContextExportToCuda(WNNContext context, WNNTensor tensor, const WNNCudaConsumer* consumer,
                                            WNNCudaExportedTensor* exported, WNNCudaExportInfo* info);
WNN_EXPORT void wnnCudaExportedTensorGetInfo(WNNCudaExportedTensor exported, WNNCudaExportInfo* info);
/* Ends the rent: WebNN work on the tensor after this call waits for the work enqueued on
 * `consumerStream` (normally the export's stream) so far. Frees `exported`. If the tensor or the
 * context was destroyed meanwhile, its memory is released once that work is done. */
WNN_EXPORT WNNStatus wnnCudaExportedTensorReturn(WNNCudaExportedTensor exported, struct CUstream_st* consumerStream);

/* Device memory the caller owns becomes a tensor, without a copy. `devicePointer` must hold the
 * descriptor's byte length on the context's device. WebNN work on the tensor waits for the work
 * enqueued on `producerStream` so far (NULL: no wait; the memory is ready). `release` (may be NULL)
 * is called once WebNN no longer uses the memory (the tensor is destroyed and its work is done).
 * The descriptor's readable / writable flags apply; exportableToGPU is allowed. */
typedef void (*WNNCudaReleaseCallback)(void* devicePointer, void* userData);
WNN_EXPORT WNNStatus wnnContextImportCudaMemory(WNNContext context, const WNNTensorDescriptor* descriptor,
                                                void* devicePointer, uint64_t byteLength,
                                                struct CUstream_st* producerStream, WNNCudaReleaseCallback release,
                                                void* userData, WNNTensor* tensor);

#ifdef __cplusplus
}
#endif

#endif
