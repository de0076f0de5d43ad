/* threadpool.h: one fixed pool of worker threads and a blocking parallel-for over it. */
#ifndef WNN_CORE_THREADPOOL_H_
#define WNN_CORE_THREADPOOL_H_

#include <stddef.h>

typedef struct WnnThreadPool WnnThreadPool;

/* fn(ctx, begin, end) processes items [begin, end). */
typedef void (*WnnParallelFn)(void* ctx, size_t begin, size_t end);

/* threads == 0: one per online core. Returns NULL on failure. */
WnnThreadPool* wnn_threadpool_create(unsigned threads);
void wnn_threadpool_destroy(WnnThreadPool* pool);
unsigned wnn_threadpool_size(const WnnThreadPool* pool); /* 1 for NULL */
unsigned wnn_cpu_count(void);

/* Splits [0, n) into chunks of at least `grain` items and runs them on the pool and the calling
 * thread; returns when all are done. pool may be NULL (runs inline). Not re-entrant: a kernel
 * must not call it from inside fn. */
void wnn_parallel_for(WnnThreadPool* pool, size_t n, size_t grain, WnnParallelFn fn, void* ctx);

#endif
