/* thread_scratch.c: the worker thread's buffer (thread_scratch.h), behind a pthread key. */
#include "backends/cpu/thread_scratch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

static pthread_key_t g_key;
static pthread_once_t g_keyOnce = PTHREAD_ONCE_INIT;
typedef struct Scratch {
    size_t floats;
    float* p;
} Scratch;

static void scratch_free(void* v) {
    Scratch* s = v;
    wnn_aligned_free(s->p);
    free(s);
}

static void make_key(void) {
    if (pthread_key_create(&g_key, scratch_free)) g_key = (pthread_key_t)-1;
}

float* wnn_thread_scratch(size_t floats) {
    pthread_once(&g_keyOnce, make_key);
    if (g_key == (pthread_key_t)-1) return NULL;
    Scratch* s = pthread_getspecific(g_key);
    if (!s) {
        if (!(s = calloc(1, sizeof *s))) return NULL;
        if (pthread_setspecific(g_key, s)) {
            free(s);
            return NULL;
        }
    }
    if (s->floats < floats) {
        float* p = wnn_aligned_alloc(sizeof(float) * floats);
        if (!p) return NULL;
        wnn_aligned_free(s->p);
        memset(p, 0, sizeof(float) * floats);
        s->p = p, s->floats = floats;
    }
    return s->p;
}
