/* dispatch.h: `wnn-bench dispatch`, the host time of one wnnContextDispatch call on tiny graphs. */
#ifndef WNN_TOOLS_BENCH_DISPATCH_H_
#define WNN_TOOLS_BENCH_DISPATCH_H_

/* argv[0] is "dispatch". Returns the process exit status (2 for bad arguments). */
int wnn_bench_dispatch(int argc, char** argv);

#endif
