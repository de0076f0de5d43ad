/* cpu_passes.c: the passes' off switches and the last build's statistics (cpu_passes.h). */
#include "backends/cpu/cpu_passes.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static WnnCpuPassStats g_last;

int wnn_cpu_pass_on(const char* var) {
    const char* v = getenv(var);
    return !v || strcmp(v, "0") != 0;
}

void wnn_cpu_last_stats(WnnCpuPassStats* out) {
    pthread_mutex_lock(&g_lock);
    *out = g_last;
    pthread_mutex_unlock(&g_lock);
}

void wnn_cpu_set_last_stats(const WnnCpuPassStats* s) {
    pthread_mutex_lock(&g_lock);
    g_last = *s;
    pthread_mutex_unlock(&g_lock);
}
