/* memory.c: allocation wrappers (one place to add accounting or failure injection later). */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

void* wnn_malloc(size_t size) { return malloc(size ? size : 1); }
void* wnn_calloc(size_t n, size_t size) { return calloc(n ? n : 1, size ? size : 1); }

void* wnn_aligned_alloc(size_t size) {
    void* p = NULL;
    if (posix_memalign(&p, 64, size ? size : 64) != 0) return NULL;
    return p;
}

void wnn_aligned_free(void* p) { free(p); }

char* wnn_strdup(const char* s) {
    size_t n = strlen(s) + 1;
    char* d = wnn_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}
