/* op_names.c: the ops' spec names, expanded from ops.def (apart from registry.c so that the CUDA
 * module, which has no op limits, can name ops too). */
#include <string.h>

#include "graph/graph.h"

static const char* const k_names[WNN_OP_COUNT] = {
#define WNN_OP(name, family) #name,
#include "graph/ops.def"
#undef WNN_OP
};

const char* wnn_op_name(WnnOpId op) { return (unsigned)op < WNN_OP_COUNT ? k_names[op] : "unknown"; }

int wnn_op_from_name(const char* name) {
    if (!name) return -1;
    for (int i = 0; i < WNN_OP_COUNT; i++)
        if (strcmp(k_names[i], name) == 0) return i;
    return -1;
}
