/* threadpool.c: a fixed set of workers that run one parallel-for at a time.
 * The caller takes part in the work, so a pool of size N has N-1 worker threads. Work is handed
 * out in chunks through an atomic counter, so uneven chunks balance themselves.
 * Built with WNN_THREADPOOL_OPENMP (when oneDNN, whose Debian build runs on OpenMP, is linked), the
 * workers are OpenMP's: a pool is then only its size, and a parallel-for is an OpenMP parallel
 * region of that many threads. Two sets of workers would fight for the cores: OpenMP's spin for a
 * while after each oneDNN call, just when our kernels start. */
#include "core/threadpool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/core.h"

struct WnnThreadPool {
    unsigned size; /* threads including the caller */
    pthread_t* workers;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    pthread_cond_t done;
    pthread_mutex_t run_lock; /* one parallel-for at a time per pool */
    /* the current job */
    uint64_t generation;
    int stopping;
    WnnParallelFn fn;
    void* ctx;
    size_t n, chunk;
    atomic_size_t next;
    unsigned active; /* workers still inside the current job */
};

/* The cores this process may run on (taskset, cgroup cpusets), not every core of the machine:
 * more workers than that only wait for each other. */
unsigned wnn_cpu_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return (unsigned)CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

#ifndef WNN_THREADPOOL_OPENMP
static void run_chunks(WnnThreadPool* p) {
    for (;;) {
        size_t begin = atomic_fetch_add(&p->next, p->chunk);
        if (begin >= p->n) break;
        size_t end = begin + p->chunk < p->n ? begin + p->chunk : p->n;
        p->fn(p->ctx, begin, end);
    }
}

static void* worker_main(void* arg) {
    WnnThreadPool* p = arg;
    uint64_t seen = 0;
    pthread_mutex_lock(&p->mutex);
    for (;;) {
        while (!p->stopping && p->generation == seen) pthread_cond_wait(&p->wake, &p->mutex);
        if (p->stopping) break;
        seen = p->generation;
        pthread_mutex_unlock(&p->mutex);
        run_chunks(p);
        pthread_mutex_lock(&p->mutex);
        if (--p->active == 0) pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mutex);
    return NULL;
}
#endif

WnnThreadPool* wnn_threadpool_create(unsigned threads) {
    if (threads == 0) threads = wnn_cpu_count();
    WnnThreadPool* p = wnn_calloc(1, sizeof *p);
    if (!p) return NULL;
    p->size = threads;
    pthread_mutex_init(&p->mutex, NULL);
    pthread_mutex_init(&p->run_lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
#ifndef WNN_THREADPOOL_OPENMP
    if (threads > 1) {
        p->workers = wnn_calloc(threads - 1, sizeof(pthread_t));
        if (!p->workers) { free(p); return NULL; }
        for (unsigned i = 0; i + 1 < threads; i++) {
            if (pthread_create(&p->workers[i], NULL, worker_main, p) != 0) {
                p->size = i + 1; /* run with the threads we got */
                break;
            }
        }
    }
#endif
    return p;
}

void wnn_threadpool_destroy(WnnThreadPool* p) {
    if (!p) return;
    pthread_mutex_lock(&p->mutex);
    p->stopping = 1;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mutex);
    for (unsigned i = 0; p->workers && i + 1 < p->size; i++) pthread_join(p->workers[i], NULL);
    free(p->workers);
    pthread_mutex_destroy(&p->mutex);
    pthread_mutex_destroy(&p->run_lock);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    free(p);
}

unsigned wnn_threadpool_size(const WnnThreadPool* p) { return p ? p->size : 1; }

void wnn_parallel_for(WnnThreadPool* p, size_t n, size_t grain, WnnParallelFn fn, void* ctx) {
    if (n == 0) return;
    if (grain == 0) grain = 1;
    if (!p || p->size <= 1 || n <= grain) {
        fn(ctx, 0, n);
        return;
    }
    /* About 4 chunks per thread for balance, never below the grain. */
    size_t chunk = (n + (size_t)p->size * 4 - 1) / ((size_t)p->size * 4);
    if (chunk < grain) chunk = grain;
    pthread_mutex_lock(&p->run_lock);
#ifdef WNN_THREADPOOL_OPENMP
    atomic_size_t next = 0;
#pragma omp parallel num_threads(p->size)
    for (;;) {
        size_t begin = atomic_fetch_add(&next, chunk);
        if (begin >= n) break;
        fn(ctx, begin, begin + chunk < n ? begin + chunk : n);
    }
    pthread_mutex_unlock(&p->run_lock);
#else
    pthread_mutex_lock(&p->mutex);
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    p->chunk = chunk;
    atomic_store(&p->next, 0);
    p->active = p->size - 1;
    p->generation++;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mutex);
    run_chunks(p);
    pthread_mutex_lock(&p->mutex);
    while (p->active > 0) pthread_cond_wait(&p->done, &p->mutex);
    pthread_mutex_unlock(&p->mutex);
    pthread_mutex_unlock(&p->run_lock);
#endif
}
