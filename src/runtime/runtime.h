/* runtime.h: contexts, tensors and graphs (the objects of the API) and the context timeline.
 * A context serialises its calls with one mutex; that is its timeline. It tracks its live tensors
 * and graphs (weakly) so that destroying the context can destroy them. */
#ifndef WNN_RUNTIME_RUNTIME_H_
#define WNN_RUNTIME_RUNTIME_H_

#include <pthread.h>
#include <stdatomic.h>

#include "backends/backend.h"
#include "graph/graph.h"

typedef struct WnnHostBlock WnnHostBlock; /* host_memory.c */

typedef struct WnnTracked {
    struct WnnTracked* prev;
    struct WnnTracked* next;
    void (*destroy)(struct WnnTracked* self); /* the object's destroy(), called with the context locked */
} WnnTracked;

struct WNNContextImpl {
    WnnRef ref;
    pthread_mutex_t mutex; /* the timeline */
    atomic_bool lost;
    char lostMessage[256];
    bool accelerated;
    uint32_t adapterIndex;
    WnnDevice* device;
    WnnDevice* fallback; /* the CPU, opened when a graph has nodes the device does not run */
    WnnTracked live; /* list head of live tensors and graphs */
    WnnHostBlock* hostBlocks; /* wnnContextAllocateHostMemory's blocks not yet freed */
};

struct WNNTensorImpl {
    WnnRef ref;
    WnnTracked tracked;
    WNNContext context;
    WnnDesc desc;
    bool readable, writable, constant, exportable;
    bool destroyed;
    WnnBuffer* buffer;
    /* Interop (interop.c): the export while the tensor is rented to CUDA code, and a CPU tensor's
     * copy back from its GPU consumer that the next use must wait for. */
    struct WNNCudaExportedTensorImpl* exportedTo;
    struct WnnStaging* returning;
};

struct WNNGraphImpl {
    WnnRef ref;
    WnnTracked tracked;
    WNNContext context;
    bool destroyed;
    WnnGraphIR* ir;
    struct WnnExecPlan* plan;
};

/* Adapters (adapters.c) */
typedef struct WnnAdapter {
    WNNAdapterInfo info;
    const WnnBackendOps* ops; /* NULL when unavailable */
    uint32_t localIndex;      /* index within its backend */
} WnnAdapter;
const WnnAdapter* wnn_adapter_get(uint32_t index);
/* Adds an adapter backed by `ops` (tests use it for a device that lacks some ops); returns its
 * index, or UINT32_MAX when the table is full. */
uint32_t wnn_adapter_add(const WnnBackendOps* ops, WNNAdapterKind kind, const char* name);
uint32_t wnn_adapter_count(void);

/* The CUDA module's staging functions, or NULL when it is not loaded. */
const struct WnnStagingOps* wnn_cuda_staging_ops(void);

/* Context helpers */
WNNStatus wnn_context_check_options(const WNNContextOptions* o);
/* Opens adapter `index` (checked by the caller) for a new context. */
WNNStatus wnn_context_open(uint32_t index, const WNNContextOptions* o, void* externalStream, bool hasExternalStream,
                           WNNContext* out);
void wnn_context_track(WNNContext ctx, WnnTracked* t);   /* ctx locked by caller */
void wnn_context_untrack(WnnTracked* t);                  /* ctx locked by caller */
/* InvalidStateError "<what>: the context is lost" when lost. */
WNNStatus wnn_context_check_alive(WNNContext ctx, const char* what);
/* Passes s through; after a failure, marks the context lost when its device says it is (ctx locked). */
/* Frees the host memory blocks still listed (at the context's last release). */
void wnn_context_free_host_memory(WNNContext ctx);
WNNStatus wnn_context_after(WNNContext ctx, WNNStatus s);

/* Tensor helpers (ctx locked). settle completes a pending copy back from a GPU consumer (a CPU
 * tensor's); check_usable first fails with TypeError "<what>: the tensor is exported to CUDA..."
 * while the tensor is rented. */
WNNStatus wnn_tensor_settle(WNNTensor t);
WNNStatus wnn_tensor_check_usable(WNNTensor t, const char* what);
/* Frees the tensor's buffer (deferred to the return while the tensor is exported). */
void wnn_tensor_free_buffer(WNNTensor t);
/* A tensor on `ctx` around `buffer` (imported memory); takes the buffer. */
WNNStatus wnn_tensor_wrap(WNNContext ctx, const char* what, const WnnDesc* desc, WnnBuffer* buffer, WNNTensor* out);

#endif
