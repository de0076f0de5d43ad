/* graph.h: operands, nodes, the builder's internals, the op registry and the helpers every op's
 * builder function uses (validation prefix, operand checks, adding a node).
 *
 * How an op is written (see src/graph/ops/<family>.c):
 *
 *   WNNStatus wnnGraphBuilderConv2d(WNNGraphBuilder b, WNNOperand input, WNNOperand filter,
 *                                   const WNNConv2dOptions* options, WNNOperand* output) {
 *       WnnOpCall call;
 *       WNNStatus s = wnn_op_begin(&call, b, WNN_OP_conv2d, options ? options->label : NULL, output);
 *       if (s) return s;
 *       const WnnDesc* in; if ((s = wnn_op_operand(&call, "input", input, &in))) return s;
 *       ... checks, each failing with   return wnn_op_fail(&call, "groups must be > 0");
 *       WnnConv2dAttrs attrs = {...};              (flat struct, no pointers)
 *       WNNOperand ins[3] = {input, filter, bias}; (NULL for an absent optional operand)
 *       return wnn_op_finish(&call, ins, 3, &attrs, sizeof attrs, &outDesc, 1, output);
 *   }
 *
 * wnn_op_operand checks the operand is non-NULL, belongs to the builder, and that its data type and
 * rank are allowed for that operand slot by the op's limits (wnn_opinfo_<op>). wnn_op_finish checks
 * the output descriptors are valid and adds the node; nothing is changed before it succeeds. */
#ifndef WNN_GRAPH_GRAPH_H_
#define WNN_GRAPH_GRAPH_H_

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"

/* ---- the op registry ---- */
typedef enum WnnOpId {
#define WNN_OP(name, family) WNN_OP_##name,
#include "graph/ops.def"
#undef WNN_OP
    WNN_OP_COUNT
} WnnOpId;

/* Limits of one operand slot of an op ("input", "filter", "bias", "output", ...). */
typedef struct WnnOperandLimit {
    const char* name;
    uint32_t allowedTypes;  /* mask of WNN_T_* the spec allows (and this implementation supports) */
    uint32_t requiredTypes; /* mask the spec requires every implementation to support */
    uint8_t rankMin, rankMax;       /* allowed ranks (rankMax WNN_MAX_RANK for "N") */
    uint8_t reqRankMin, reqRankMax; /* required rank range */
} WnnOperandLimit;

#define WNN_OP_MAX_SLOTS 12
typedef struct WnnOpInfo {
    const char* name; /* spec name, e.g. "conv2d" */
    uint32_t slotCount;
    WnnOperandLimit slots[WNN_OP_MAX_SLOTS];
} WnnOpInfo;

#define WNN_OP(name, family) extern const WnnOpInfo wnn_opinfo_##name;
#include "graph/ops.def"
#undef WNN_OP

const WnnOpInfo* wnn_op_info(WnnOpId op);
const char* wnn_op_name(WnnOpId op);
/* -1 if unknown. */
int wnn_op_from_name(const char* name);
const WnnOperandLimit* wnn_op_slot(WnnOpId op, const char* slotName);

/* ---- descriptors ---- */
typedef struct WnnDesc {
    WNNOperandDataType type;
    uint32_t rank;
    uint32_t shape[WNN_MAX_RANK];
} WnnDesc;

uint64_t wnn_desc_numel(const WnnDesc* d);   /* 1 for a scalar */
uint64_t wnn_desc_bytes(const WnnDesc* d);
bool wnn_desc_equal(const WnnDesc* a, const WnnDesc* b);
bool wnn_desc_same_shape(const WnnDesc* a, const WnnDesc* b); /* rank and dimensions, any type */
/* Formats "float32 [1,2,3]" into buf. */
const char* wnn_desc_str(const WnnDesc* d, char* buf, size_t size);
/* Formats a uint32 list "[1,2,3]". */
const char* wnn_dims_str(const uint32_t* dims, size_t n, char* buf, size_t size);
/* Validates a public descriptor (type valid, rank <= WNN_MAX_RANK, every dimension and the element
 * count a valid dimension, byte length within limits) and converts it. `what` prefixes the error. */
WNNStatus wnn_desc_from_public(const char* what, WNNOperandDataType type, const uint32_t* shape, uint32_t rank,
                               WnnDesc* out);
/* Max byte length of one tensor (opSupportLimits.maxTensorByteLength). */
#define WNN_MAX_TENSOR_BYTES ((uint64_t)1 << 40)

/* Broadcasting (spec): bidirectional gives the output shape; unidirectional checks from -> to. */
bool wnn_broadcast_shapes(const WnnDesc* a, const WnnDesc* b, WnnDesc* out /* type copied from a */);
bool wnn_broadcast_unidirectional(const WnnDesc* from, const WnnDesc* to);

/* ---- operands and nodes ---- */
typedef enum WnnOperandKind {
    WNN_OPERAND_INPUT = 1,
    WNN_OPERAND_CONSTANT = 2,
    WNN_OPERAND_NODE_OUTPUT = 3
} WnnOperandKind;

struct WNNOperandImpl {
    WNNGraphBuilder builder;
    uint32_t id; /* index in the builder's operand list */
    WnnOperandKind kind;
    WnnDesc desc;
    char* name;         /* graph inputs */
    void* data;         /* constants: owned bytes (desc bytes) */
    WNNTensor tensor;   /* constants made from a constant tensor: reference held until build */
    int32_t node;       /* producing node for NODE_OUTPUT, else -1 */
};

/* One op call. inputs[i] is an operand id or -1 for an absent optional operand; attrs is the op's
 * flat attribute struct (owned). */
typedef struct WnnNode {
    WnnOpId op;
    uint32_t inputCount;
    int32_t* inputs;
    uint32_t outputCount;
    int32_t* outputs;
    void* attrs;
    size_t attrsSize;
    char* label;
} WnnNode;

/* The graph as backends see it: operands, the nodes in execution order (only those the outputs
 * need), the graph inputs and outputs. Owned by the WNNGraph; immutable after build. */
typedef struct WnnGraphIR {
    uint32_t operandCount;
    struct WnnIrOperand {
        WnnOperandKind kind;
        WnnDesc desc;
        const void* data; /* constants */
        int32_t node;     /* producing node index (into nodes[]) or -1 */
    } * operands;
    uint32_t nodeCount;
    WnnNode* nodes;
    uint32_t inputCount;
    uint32_t* inputIds;
    char** inputNames;
    uint32_t outputCount;
    uint32_t* outputIds;
    char** outputNames;
    /* A view of part of another IR (a partition segment): operands, nodes and constant data are
     * borrowed from it and not freed with this one. */
    bool borrowed;
} WnnGraphIR;
typedef struct WnnIrOperand WnnIrOperand;

void wnn_graph_ir_free(WnnGraphIR* ir);

/* ---- builder helpers for op implementations ---- */
typedef struct WnnOpCall {
    WNNGraphBuilder builder;
    WnnOpId op;
    char prefix[96]; /* "conv2d" or "conv2d 'label'" */
} WnnOpCall;

/* Checks the builder is usable (not built, context not lost) and NULLs *output (may be NULL). */
WNNStatus wnn_op_begin(WnnOpCall* call, WNNGraphBuilder b, WnnOpId op, const char* label, void* output);
/* TypeError "<op>: <message>". */
WNNStatus wnn_op_fail(const WnnOpCall* call, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
/* Any status, "<op>: <message>". */
WNNStatus wnn_op_failv(const WnnOpCall* call, WNNStatus status, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A required operand in slot `slot`: non-NULL, from this builder, type and rank allowed by the
 * slot's limits. *desc receives its descriptor. */
WNNStatus wnn_op_operand(const WnnOpCall* call, const char* slot, WNNOperand x, const WnnDesc** desc);
/* An optional operand: NULL is fine (then *desc = NULL); otherwise as wnn_op_operand. */
WNNStatus wnn_op_optional_operand(const WnnOpCall* call, const char* slot, WNNOperand x, const WnnDesc** desc);
/* Checks a data type against a slot's allowed types (for outputs or types given as arguments). */
WNNStatus wnn_op_check_type(const WnnOpCall* call, const char* slot, WNNOperandDataType t);
/* Checks `axes` (NULL allowed: returns 0) are each < rank and unique. */
WNNStatus wnn_op_check_axes(const WnnOpCall* call, const char* what, const uint32_t* axes, size_t count,
                            uint32_t rank);
/* Validates the outputs' descriptors (valid dimensions, byte length) and adds the node. On
 * success outputs[0..outputCount) receive the new operands. */
WNNStatus wnn_op_finish(const WnnOpCall* call, const WNNOperand* inputs, uint32_t inputCount, const void* attrs,
                        size_t attrsSize, const WnnDesc* outputDescs, uint32_t outputCount, WNNOperand* outputs);

/* Descriptor of an operand (no checks). */
static inline const WnnDesc* wnn_operand_desc(WNNOperand x) { return &x->desc; }

#endif /* WNN_GRAPH_GRAPH_H_ */
