/* workloads.h: `wnn-bench workloads`, the workloads of ../shared/bench/workloads timed side by side
 * with an anchor (ONNX Runtime or PyTorch, run as a child process on the same graphs and data). */
#ifndef WNN_TOOLS_BENCH_WORKLOADS_H_
#define WNN_TOOLS_BENCH_WORKLOADS_H_

/* argv[0] is "workloads". Returns the process exit status: 0 when every workload ran and every
 * checksum matched the anchor's, 1 otherwise, 2 for bad arguments. */
int wnn_bench_workloads(int argc, char** argv);

#endif
