/* cpu_alias.c: which nodes may alias their input instead of copying it (cpu_passes.h). The memory
 * plan (cpu_backend.c, plan_locations) gives such a node's output its input's buffer when the
 * output is an intermediate; graph outputs keep the copy. */
#include "backends/cpu/cpu_passes.h"

int wnn_cpu_alias_candidate(const WnnGraphIR* ir, const WnnNode* n, const size_t* bytes) {
    if ((n->op != WNN_OP_reshape && n->op != WNN_OP_identity) || n->inputCount != 1 || n->outputCount != 1 ||
        n->inputs[0] < 0)
        return 0;
    int32_t in = n->inputs[0], out = n->outputs[0];
    /* a buffer in a blocked layout is not the row-major tensor a reshape reinterprets */
    if (bytes[in] || bytes[out]) return 0;
    return wnn_desc_bytes(&ir->operands[in].desc) == wnn_desc_bytes(&ir->operands[out].desc);
}
