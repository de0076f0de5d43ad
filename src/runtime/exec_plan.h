/* exec_plan.h: how a built graph runs on its context: one compiled graph on the context's device,
 * or, when that device does not run every node, segments on it and on the CPU with explicit copies
 * through host memory between them (counted, and reported by wnnGraphGetPartitionInfo). */
#ifndef WNN_RUNTIME_EXEC_PLAN_H_
#define WNN_RUNTIME_EXEC_PLAN_H_

#include "runtime/runtime.h"

typedef struct WnnExecPlan WnnExecPlan;

/* Called at build with the context locked. */
WNNStatus wnn_plan_create(WNNContext ctx, const WnnGraphIR* ir, WnnExecPlan** plan);
/* inputs / outputs are the bound tensors' buffers (context device), in ir->inputIds / outputIds order. */
WNNStatus wnn_plan_dispatch(WnnExecPlan* plan, WnnBuffer* const* inputs, WnnBuffer* const* outputs);
void wnn_plan_free(WnnExecPlan* plan);
void wnn_plan_info(const WnnExecPlan* plan, uint32_t* segments, uint32_t* fallbackNodes, uint32_t* copies);
/* The compiled segments' intermediate arenas, in bytes. */
uint64_t wnn_plan_arena_bytes(const WnnExecPlan* plan);
/* The segments' prepared state (backend.h compiled_prepared_bytes), summed. */
uint64_t wnn_plan_prepared_bytes(const WnnExecPlan* plan);

#endif
