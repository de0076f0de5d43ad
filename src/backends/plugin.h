/* plugin.h: the boundary between the library and a backend built as a separate module (the CUDA
 * backend is one: the library loads it with dlopen at run time, so a build with CUDA still runs
 * where there is no GPU, no driver or no cuDNN; the adapter is then listed with the reason).
 *
 * The module exports WNN_PLUGIN_ENTRY; the library calls it once with its host functions (error
 * reporting goes through the host so that wnnGetLastErrorMessage sees it). */
#ifndef WNN_BACKENDS_PLUGIN_H_
#define WNN_BACKENDS_PLUGIN_H_

#include <stdarg.h>

#include "backends/backend.h"

#define WNN_PLUGIN_ABI 4
#define WNN_PLUGIN_ENTRY "wnn_plugin_entry"
#define WNN_PLUGIN_MAX_ADAPTERS 15

typedef struct WnnHostApi {
    uint32_t abi;
    WNNStatus (*verror)(WNNStatus status, const char* fmt, va_list ap);
} WnnHostApi;

/* Staging of a CPU tensor for a GPU consumer (webnn_cuda.h): pinned host memory and device memory
 * of `bytes` on `device`. The library fills `pinned`, upload() copies it to `device_ptr` on the
 * stream; download() copies back on a stream and records an event that wait() waits for on the host. */
typedef struct WnnStaging {
    void* pinned;
    void* devicePtr;
    size_t bytes;
    int device;
    void* event;
} WnnStaging;

typedef struct WnnStagingOps {
    WNNStatus (*open)(int device, size_t bytes, WnnStaging* staging);
    WNNStatus (*upload)(WnnStaging* staging, void* stream);
    WNNStatus (*download)(WnnStaging* staging, void* stream);
    WNNStatus (*wait)(WnnStaging* staging);
    void (*close)(WnnStaging* staging);
    /* The calling thread's current device (for consumer device -1). */
    int (*current_device)(void);
    /* Whether code on device `consumer` can read and write device `owner`'s memory in place. */
    bool (*peer_access)(int consumer, int owner);
} WnnStagingOps;

typedef struct WnnPluginApi {
    uint32_t abi;
    const WnnBackendOps* ops;
    const WnnStagingOps* staging;
    uint32_t adapterCount;
    WNNAdapterInfo adapters[WNN_PLUGIN_MAX_ADAPTERS]; /* available == false carries the reason */
} WnnPluginApi;

typedef const WnnPluginApi* (*WnnPluginEntryFn)(const WnnHostApi* host);

#endif
