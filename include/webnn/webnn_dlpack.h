/* webnn_dlpack.h: WebNN tensors as DLPack tensors (DLManagedTensor, dlpack.h 0.6 or later) and back,
 * both without a copy, for PyTorch, CuPy, JAX and others. Built on webnn_cuda.h's rent cycle.
 *
 * Export: the tensor is rented to the consumer (webnn_cuda.h rules: while the DLManagedTensor is
 * alive, WebNN calls naming the tensor fail with TypeError). Its data is ready on `consumerStream`
 * (DLPack's producer rule: the producer orders the consumer's stream, no host wait). The consumer
 * calls the deleter when done; later WebNN work then waits for the work enqueued on
 * `consumerStream` by that time. A CPU context's tensor is exported as a copy on CUDA device 0.
 *
 * Import: a dense row-major DLTensor in CUDA device memory on the context's device becomes a
 * WNNTensor that uses the memory in place. WebNN work waits for `producerStream`'s work so far; the
 * DLManagedTensor's deleter is called once the WNNTensor is destroyed and WebNN's work on it is
 * done. On failure the DLManagedTensor stays the caller's. */
#ifndef WEBNN_WEBNN_DLPACK_H_
#define WEBNN_WEBNN_DLPACK_H_

#include <dlpack/dlpack.h>

#include "webnn/webnn_cuda.h"

#ifdef __cplusplus
extern "C" {
#endif

WNN_EXPORT WNNStatus wnnContextExportDLPack(WNNContext context, WNNTensor tensor, struct CUstream_st* consumerStream,
                                            DLManagedTensor** out);
WNN_EXPORT WNNStatus wnnContextImportDLPack(WNNContext context, DLManagedTensor* managed,
                                            struct CUstream_st* producerStream, bool readable, bool writable,
                                            WNNTensor* out);

#ifdef __cplusplus
}
#endif

#endif
