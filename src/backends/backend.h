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
} WnnDeviceOptions;

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
} WnnBackendOps;

/* Every device begins with this header. */
struct WnnDevice {
    const WnnBackendOps* ops;
};

extern const WnnBackendOps wnn_cpu_backend;

#endif
