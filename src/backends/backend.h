/* backend.h: what a backend implements. A backend knows the graph IR (src/graph) and core, never
 * the API layer. The runtime owns objects and the timeline; a backend owns device memory, compiled
 * graphs and execution. */
#ifndef WNN_BACKENDS_BACKEND_H_
#define WNN_BACKENDS_BACKEND_H_

#include <stddef.h>

#include "graph/graph.h"

typedef struct WnnDevice WnnDevice;       /* one adapter opened for one context */
typedef struct WnnBuffer WnnBuffer;       /* device memory of one tensor */
typedef struct WnnCompiled WnnCompiled;   /* a graph compiled for a device */

typedef struct WnnDeviceOptions {
    unsigned threadCount;     /* CPU worker threads; 0 = one per core */
    bool allowTf32;           /* float32 products may use reduced-precision (TF32) math */
    void* externalStream;     /* GPU: run on the caller's stream (not owned) when hasExternalStream */
    bool hasExternalStream;
} WnnDeviceOptions;

/* Release callback of imported device memory (webnn_cuda.h). */
typedef void (*WnnReleaseFn)(void* pointer, void* userData);

/* One tensor exported to a consumer (a device ordinal and a stream); owned by the backend. */
typedef struct WnnExportState WnnExportState;

typedef struct WnnBackendOps {
    const char* name; /* "cpu", "cuda" */
    /* Opens the adapter for a context. */
    WNNStatus (*device_open)(uint32_t adapterLocalIndex, const WnnDeviceOptions* options, WnnDevice** device);
    void (*device_close)(WnnDevice* device);
    /* Zero-filled buffer of `bytes`. OutOfMemory on failure. */
    WNNStatus (*buffer_alloc)(WnnDevice* device, size_t bytes, WnnBuffer** buffer);
    void (*buffer_free)(WnnDevice* device, WnnBuffer* buffer);
    WNNStatus (*buffer_write)(WnnDevice* device, WnnBuffer* buffer, const void* data, size_t bytes);
    /* Waits for queued work writing the buffer, then copies out. */
    WNNStatus (*buffer_read)(WnnDevice* device, WnnBuffer* buffer, void* data, size_t bytes);
    /* Compiles the IR; the IR outlives the compiled graph. OperationError / NotSupportedError. */
    WNNStatus (*compile)(WnnDevice* device, const WnnGraphIR* ir, WnnCompiled** compiled);
    void (*compiled_free)(WnnDevice* device, WnnCompiled* compiled);
    /* inputs[i] binds ir->inputIds[i], outputs[i] binds ir->outputIds[i]. */
    WNNStatus (*dispatch)(WnnDevice* device, WnnCompiled* compiled, WnnBuffer* const* inputs,
                          WnnBuffer* const* outputs);
    /* Whether the device runs this node (its op, data types, options). NULL = every node. Nodes it
     * refuses run on the CPU, with copies between the devices (src/compile/partition.h). */
    bool (*supports)(WnnDevice* device, const WnnGraphIR* ir, const WnnNode* node);

    /* GPU interop (webnn_cuda.h); NULL where the backend has none. Export orders the consumer's
     * stream after the work queued on the buffer and gives the consumer a pointer (the buffer's, or
     * a copy's on another device: *isCopy); return orders later work after the consumer's stream
     * and copies back when needed, then frees the state. Neither waits on the host. */
    WNNStatus (*buffer_export)(WnnDevice* device, WnnBuffer* buffer, int consumerDevice, void* consumerStream,
                               WnnExportState** state, void** pointer, bool* isCopy);
    WNNStatus (*buffer_return)(WnnDevice* device, WnnBuffer* buffer, WnnExportState* state, void* consumerStream);
    /* Wraps caller-owned device memory; later work waits for producerStream's work so far (NULL:
     * none). buffer_free waits for the buffer's work, then calls release. */
    WNNStatus (*buffer_wrap)(WnnDevice* device, void* pointer, size_t bytes, void* producerStream, WnnReleaseFn release,
                             void* userData, WnnBuffer** buffer);
    /* The device ordinal of a GPU device. */
    int (*device_ordinal)(WnnDevice* device);
    /* After a failed call: whether the device is unusable from now on (a sticky CUDA error), with
     * why; the runtime then marks the context lost. NULL: a failure never loses the device. */
    bool (*device_lost)(WnnDevice* device, char* why, size_t whySize);
    /* Host memory the device copies to and from by DMA (page-locked), for
     * wnnContextAllocateHostMemory; NULL: plain aligned memory serves. */
    WNNStatus (*host_alloc)(WnnDevice* device, size_t bytes, void** data);
    void (*host_free)(WnnDevice* device, void* data);
    /* Bytes the compiled graph holds for its intermediates (its liveness-planned arena); NULL: 0. */
    size_t (*compiled_arena_bytes)(const WnnCompiled* compiled);
    /* Bytes the compiled graph holds beside the arena: weights packed or reordered for its
     * kernels, folded constants, per-node buffers; NULL: 0. */
    size_t (*compiled_prepared_bytes)(const WnnCompiled* compiled);
} WnnBackendOps;

/* Every device begins with this header. */
struct WnnDevice {
    const WnnBackendOps* ops;
};

extern const WnnBackendOps wnn_cpu_backend;

#endif
