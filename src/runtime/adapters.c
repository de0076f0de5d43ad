/* adapters.c: the adapter list (the CPU, then each GPU a backend reports), enumerated once. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/threadpool.h"
#include "runtime/runtime.h"

#define WNN_MAX_ADAPTERS 16
static WnnAdapter g_adapters[WNN_MAX_ADAPTERS];
static uint32_t g_count;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

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
    /* GPU backends add their adapters here (a CUDA adapter that is present but unusable is listed
     * with available = false and the reason). */
}

uint32_t wnn_adapter_count(void) {
    pthread_once(&g_once, enumerate);
    return g_count;
}

const WnnAdapter* wnn_adapter_get(uint32_t index) {
    return index < wnn_adapter_count() ? &g_adapters[index] : NULL;
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
