/* interop.h: `wnn-bench interop`, the seed scenario's four pipelines (../shared/DESIGN.md sections 1
 * and 8) timed on a GPU. Built when the CUDA toolkit is there (WNN_BENCH_INTEROP). */
#ifndef WNN_TOOLS_BENCH_INTEROP_H_
#define WNN_TOOLS_BENCH_INTEROP_H_

/* argv[0] is "interop". Returns the process exit status. */
int wnn_bench_interop(int argc, char** argv);

#endif
