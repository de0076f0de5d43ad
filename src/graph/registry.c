/* registry.c: the op table, expanded from ops.def. */
#include <string.h>

#include "graph/graph.h"

static const WnnOpInfo* const k_infos[WNN_OP_COUNT] = {
#define WNN_OP(name, family) &wnn_opinfo_##name,
#include "graph/ops.def"
#undef WNN_OP
};

_Static_assert(WNN_ARRAY_SIZE(k_infos) == WNN_OP_COUNT, "every op has limits");
_Static_assert(WNN_OP_COUNT == 95, "the spec has 95 operations");

const WnnOpInfo* wnn_op_info(WnnOpId op) { return (unsigned)op < WNN_OP_COUNT ? k_infos[op] : NULL; }

const WnnOperandLimit* wnn_op_slot(WnnOpId op, const char* slotName) {
    const WnnOpInfo* info = wnn_op_info(op);
    if (!info || !slotName) return NULL;
    for (uint32_t i = 0; i < info->slotCount; i++)
        if (strcmp(info->slots[i].name, slotName) == 0) return &info->slots[i];
    return NULL;
}
