/* partition.h: places each node of a graph on the context's device or, when that device does not
 * run it, on the CPU, and cuts the node list into segments of consecutive nodes on one device.
 * Each segment is a borrowed sub-IR whose inputs are the operands it reads from outside (graph
 * inputs or other segments' results) and whose outputs are what later segments or the graph need. */
#ifndef WNN_COMPILE_PARTITION_H_
#define WNN_COMPILE_PARTITION_H_

#include "graph/graph.h"

typedef bool (*WnnSupportsFn)(void* ctx, const WnnGraphIR* ir, const WnnNode* node);

typedef struct WnnSegment {
    int fallback;    /* 0: the context's device; 1: the CPU */
    WnnGraphIR* ir;  /* borrowed view: node copies, input and output operand ids */
} WnnSegment;

typedef struct WnnPartition {
    uint32_t segmentCount;
    WnnSegment* segments;
    uint32_t fallbackNodes; /* nodes placed on the CPU */
} WnnPartition;

/* supports NULL: one segment with every node on the device. OutOfMemory on failure. */
WNNStatus wnn_partition(const WnnGraphIR* ir, WnnSupportsFn supports, void* ctx, WnnPartition* out);
void wnn_partition_free(WnnPartition* p);

#endif
