/* graph_json.h: replays a graph in the WPT / workload JSON form through the public API: builder
 * calls by op name (options that name operands resolved to operands), build, tensors, dispatch.
 * Used by wnn-conformance and wnn-run. */
#ifndef WNN_TOOLS_GRAPH_JSON_H_
#define WNN_TOOLS_GRAPH_JSON_H_

#include <cjson/cJSON.h>

#include "tensor_data.h"
#include "webnn/webnn.h"

typedef struct WgjGraph WgjGraph;

/* When set, float32 graph inputs, constants and casts are built as float16 (benchmarks). */
void wgj_use_float16(int on);

/* Builds `graph` ({"inputs", "operators", "expectedOutputs"}) on ctx. On failure returns the API's
 * status (or WNNStatus_UnknownError for a malformed file) and writes a message naming the operator. */
WNNStatus wgj_build(WNNContext ctx, const cJSON* graph, WgjGraph** out, char* err, size_t errSize);
/* Writes the graph inputs (from the JSON data), dispatches and reads every output. */
WNNStatus wgj_run(WgjGraph* g, char* err, size_t errSize);
/* Dispatch + read only (inputs written once by wgj_run or wgj_write_inputs). */
WNNStatus wgj_write_inputs(WgjGraph* g, char* err, size_t errSize);
WNNStatus wgj_dispatch_and_read(WgjGraph* g, char* err, size_t errSize);
/* Dispatch only (the tensors exist after a first wgj_run). */
WNNStatus wgj_dispatch_only(WgjGraph* g, char* err, size_t errSize);
size_t wgj_output_count(const WgjGraph* g);
const char* wgj_output_name(const WgjGraph* g, size_t i);
const WtdTensor* wgj_output(const WgjGraph* g, size_t i);
void wgj_free(WgjGraph* g);
/* The built graph's placement (wnnGraphGetPartitionInfo). */
WNNStatus wgj_partition_info(const WgjGraph* g, WNNGraphPartitionInfo* info);
WNNStatus wgj_memory_info(const WgjGraph* g, WNNGraphMemoryInfo* info);

/* Calls one builder op by its spec name with JSON positional arguments and options (operand names
 * resolved through `lookup`). outs receives up to outCap operands. For the validation tables. */
typedef WNNOperand (*WgjLookup)(void* ctx, const char* name);
WNNStatus wgj_call_op(WNNGraphBuilder b, const char* op, const cJSON* args, WgjLookup lookup, void* lookupCtx,
                      WNNOperand* outs, size_t outCap, size_t* outCount, char* err, size_t errSize);

#endif
