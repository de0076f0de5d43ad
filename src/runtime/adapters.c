/* adapters.c: the adapter list (the CPU, then each GPU a backend reports), enumerated once. */
#include <dlfcn.h>
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/threadpool.h"
#include "backends/plugin.h"
#include "runtime/runtime.h"

#define WNN_MAX_ADAPTERS 16
static WnnAdapter g_adapters[WNN_MAX_ADAPTERS];
static uint32_t g_count;
static const WnnStagingOps* g_staging;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

#ifdef WNN_HAVE_CUDA_PLUGIN
/* Opens libwebnn_cuda.so: $WNN_CUDA_PLUGIN, else beside the object that holds this code (the
 * shared library, or the executable when linked statically), else through the loader's path. */
static void* open_plugin(char* why, size_t whySize) {
    const char* env = getenv("WNN_CUDA_PLUGIN");
    if (env && env[0]) {
        void* h = dlopen(env, RTLD_NOW | RTLD_LOCAL);
        if (!h) snprintf(why, whySize, "%s", dlerror());
        return h;
    }
    Dl_info info;
    if (dladdr((void*)&wnn_adapter_count, &info) && info.dli_fname) {
        char copy[1024], path[1100];
        snprintf(copy, sizeof copy, "%s", info.dli_fname);
        const char* dir = dirname(copy);
        snprintf(path, sizeof path, "%s/libwebnn_cuda.so", dir);
        void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (h) return h;
        snprintf(why, whySize, "%s", dlerror());
        if (access(path, F_OK) == 0) return NULL; /* present but failed to load: keep that reason */
    }
    void* h = dlopen("libwebnn_cuda.so", RTLD_NOW | RTLD_LOCAL);
    if (!h) snprintf(why, whySize, "%s", dlerror());
    return h;
}

static WNNStatus host_verror(WNNStatus status, const char* fmt, va_list ap) { return wnn_verror(status, fmt, ap); }
static const WnnHostApi k_host = {WNN_PLUGIN_ABI, host_verror};

static void add_unavailable_gpu(const char* reason) {
    WnnAdapter* a = &g_adapters[g_count++];
    a->info.kind = WNNAdapterKind_Gpu;
    snprintf(a->info.name, sizeof a->info.name, "CUDA");
    snprintf(a->info.backend, sizeof a->info.backend, "cuda");
    snprintf(a->info.unavailableReason, sizeof a->info.unavailableReason, "%s", reason);
}

static void load_cuda_plugin(void) {
    char why[512] = "";
    void* h = open_plugin(why, sizeof why);
    if (!h) {
        add_unavailable_gpu(why);
        return;
    }
    WnnPluginEntryFn entry = (WnnPluginEntryFn)dlsym(h, WNN_PLUGIN_ENTRY);
    const WnnPluginApi* api = entry ? entry(&k_host) : NULL;
    if (!api) {
        add_unavailable_gpu("libwebnn_cuda.so has no compatible entry point");
        return;
    }
    for (uint32_t i = 0; i < api->adapterCount && g_count < WNN_MAX_ADAPTERS; i++) {
        WnnAdapter* a = &g_adapters[g_count++];
        a->info = api->adapters[i];
        a->ops = a->info.available ? api->ops : NULL;
        a->localIndex = i;
        if (a->info.available) g_staging = api->staging; /* interop needs a usable GPU */
    }
    /* The module stays loaded for the life of the process. */
}
#else
static void load_cuda_plugin(void) {}
#endif

static void enumerate(void) {
    WnnAdapter* cpu = &g_adapters[g_count++];
    cpu->info.kind = WNNAdapterKind_Cpu;
    cpu->info.available = true;
    cpu->info.threadCount = wnn_cpu_count();
    snprintf(cpu->info.name, sizeof cpu->info.name, "cpu (%u threads)", cpu->info.threadCount);
    snprintf(cpu->info.backend, sizeof cpu->info.backend, "cpu");
    long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
    cpu->info.memoryBytes = pages > 0 && pageSize > 0 ? (uint64_t)pages * (uint64_t)pageSize : 0;
    cpu->ops = &wnn_cpu_backend;
    cpu->localIndex = 0;
    load_cuda_plugin();
}

const WnnStagingOps* wnn_cuda_staging_ops(void) {
    wnn_adapter_count();
    return g_staging;
}

uint32_t wnn_adapter_count(void) {
    pthread_once(&g_once, enumerate);
    return g_count;
}

const WnnAdapter* wnn_adapter_get(uint32_t index) {
    return index < wnn_adapter_count() ? &g_adapters[index] : NULL;
}

uint32_t wnn_adapter_add(const WnnBackendOps* ops, WNNAdapterKind kind, const char* name) {
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    uint32_t index = UINT32_MAX;
    wnn_adapter_count();
    pthread_mutex_lock(&lock);
    if (g_count < WNN_MAX_ADAPTERS) {
        WnnAdapter* a = &g_adapters[g_count];
        memset(a, 0, sizeof *a);
        a->info.kind = kind;
        a->info.available = true;
        snprintf(a->info.name, sizeof a->info.name, "%s", name);
        snprintf(a->info.backend, sizeof a->info.backend, "%s", ops->name);
        a->ops = ops;
        index = g_count++;
    }
    pthread_mutex_unlock(&lock);
    return index;
}

WNN_EXPORT uint32_t wnnGetAdapterCount(void) { return wnn_adapter_count(); }

WNN_EXPORT WNNStatus wnnGetAdapterInfo(uint32_t index, WNNAdapterInfo* info) {
    const WnnAdapter* a = wnn_adapter_get(index);
    if (!a) return wnn_error(WNNStatus_TypeError, "getAdapterInfo: adapter index %u out of range (%u adapters)",
                             index, wnn_adapter_count());
    if (!info) return wnn_error(WNNStatus_TypeError, "getAdapterInfo: info is NULL");
    *info = a->info;
    return WNNStatus_Success;
}
