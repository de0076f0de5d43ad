/* builder.h: the graph builder object (graph layer). The runtime creates it (it owns the context
 * reference) through the hooks below; op functions only use graph.h's helpers. */
#ifndef WNN_GRAPH_BUILDER_H_
#define WNN_GRAPH_BUILDER_H_

#include <stdatomic.h>

#include "graph/graph.h"

typedef struct WnnBuilderHooks {
    void* owner;                                     /* the context */
    bool (*owner_lost)(void* owner);                 /* context lost? */
    void (*release_tensor)(WNNTensor tensor);        /* constant tensors' references */
    void (*release_owner)(void* owner);              /* when the builder dies */
} WnnBuilderHooks;

struct WNNGraphBuilderImpl {
    WnnRef ref;
    WnnBuilderHooks hooks;
    bool built;
    WNNOperand* operands;
    uint32_t operandCount, operandCapacity;
    WnnNode* nodes;
    uint32_t nodeCount, nodeCapacity;
};

WNNGraphBuilder wnn_builder_create(const WnnBuilderHooks* hooks);
void wnn_builder_free(WNNGraphBuilder b);
/* InvalidStateError when built or the context is lost; `what` prefixes the message. */
WNNStatus wnn_builder_check_usable(WNNGraphBuilder b, const char* what);
/* Checks x is an operand of b ("<what>: <arg> ..." messages). */
WNNStatus wnn_builder_check_operand(WNNGraphBuilder b, const char* what, const char* arg, WNNOperand x);
/* Appends an operand (takes ownership of name and data). */
WNNStatus wnn_builder_add_operand(WNNGraphBuilder b, WnnOperandKind kind, const WnnDesc* desc, char* name,
                                  void* data, WNNTensor tensor, WNNOperand* out);

/* Builds the IR for the named outputs: validates the outputs (spec build() TypeErrors), keeps only
 * what they need, moves constant data into the IR. Does not mark the builder built. */
WNNStatus wnn_graph_ir_create(WNNGraphBuilder b, const WNNNamedOperand* outputs, size_t outputCount,
                              WnnGraphIR** ir);

#endif
