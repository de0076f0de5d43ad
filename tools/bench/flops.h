/* flops.h: floating-point work of a graph in the workload JSON form, counted as the bench README
 * does: 2 x the multiply-accumulates of conv2d, convTranspose2d, matmul and gemm (every kernel tap,
 * padding included); other ops are not counted. */
#ifndef WNN_TOOLS_BENCH_FLOPS_H_
#define WNN_TOOLS_BENCH_FLOPS_H_

#include <cjson/cJSON.h>
#include <stddef.h>

#include "webnn/webnn.h"

/* Replays the graph's ops on a builder of ctx (every input, constants too, declared as a graph input:
 * only shapes matter) and reads the shapes the builder infers. 0 on success. */
int wbf_count(WNNContext ctx, const cJSON* graph, double* flops, char* err, size_t errSize);

#endif
