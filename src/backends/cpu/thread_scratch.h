/* thread_scratch.h: one growable float buffer per worker thread, for steps whose tasks need a few
 * hundred KiB of working rows that should stay in the core's L2 (a fused block's ring and
 * depthwise rows): kept from one step to the next, freed when the thread ends. */
#ifndef WNN_BACKENDS_CPU_THREAD_SCRATCH_H_
#define WNN_BACKENDS_CPU_THREAD_SCRATCH_H_

#include <stddef.h>

/* The calling thread's buffer of at least `floats` floats (64-byte aligned), or NULL when it cannot
 * grow. Zeros when first made or grown; after that whatever the thread's last user left in it. */
float* wnn_thread_scratch(size_t floats);

#endif
