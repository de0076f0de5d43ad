/* limits.c: opSupportLimits and the public op registry, read from the one op table. */
#include <string.h>

#include "runtime/runtime.h"

WNN_EXPORT uint32_t wnnGetOperatorCount(void) { return WNN_OP_COUNT; }
WNN_EXPORT const char* wnnGetOperatorName(uint32_t index) {
    return index < WNN_OP_COUNT ? wnn_op_name((WnnOpId)index) : NULL;
}

WNN_EXPORT uint32_t wnnGetOperatorOperandCount(const char* opName) {
    int op = wnn_op_from_name(opName);
    return op < 0 ? 0 : wnn_op_info((WnnOpId)op)->slotCount;
}

WNN_EXPORT const char* wnnGetOperatorOperandName(const char* opName, uint32_t index) {
    int op = wnn_op_from_name(opName);
    if (op < 0 || index >= wnn_op_info((WnnOpId)op)->slotCount) return NULL;
    return wnn_op_info((WnnOpId)op)->slots[index].name;
}

static WNNStatus find_slot(const char* what, const char* opName, const char* operandName,
                           const WnnOperandLimit** out) {
    int op = wnn_op_from_name(opName);
    if (op < 0) return wnn_error(WNNStatus_TypeError, "%s: unknown operator '%s'", what, opName ? opName : "(null)");
    *out = wnn_op_slot((WnnOpId)op, operandName);
    if (!*out)
        return wnn_error(WNNStatus_TypeError, "%s: operator '%s' has no operand '%s'", what, opName,
                         operandName ? operandName : "(null)");
    return WNNStatus_Success;
}

WNN_EXPORT WNNStatus wnnContextGetOperandLimits(WNNContext ctx, const char* opName, const char* operandName,
                                                WNNTensorLimits* limits) {
    if (!ctx || !limits) return wnn_error(WNNStatus_TypeError, "getOperandLimits: context or limits is NULL");
    const WnnOperandLimit* slot;
    WNNStatus s = find_slot("getOperandLimits", opName, operandName, &slot);
    if (s) return s;
    /* Every backend runs every type the op allows (the CPU directly; GPUs through the partitioner). */
    limits->dataTypes = slot->allowedTypes;
    limits->rankMin = slot->rankMin;
    limits->rankMax = slot->rankMax;
    return WNNStatus_Success;
}

WNN_EXPORT WNNStatus wnnGetRequiredOperandLimits(const char* opName, const char* operandName, WNNTensorLimits* limits) {
    if (!limits) return wnn_error(WNNStatus_TypeError, "getRequiredOperandLimits: limits is NULL");
    const WnnOperandLimit* slot;
    WNNStatus s = find_slot("getRequiredOperandLimits", opName, operandName, &slot);
    if (s) return s;
    limits->dataTypes = slot->requiredTypes;
    limits->rankMin = slot->reqRankMin;
    limits->rankMax = slot->reqRankMax;
    return WNNStatus_Success;
}

WNN_EXPORT WNNStatus wnnContextGetOpSupportLimits(WNNContext ctx, WNNOpSupportLimits* limits) {
    if (!ctx || !limits) return wnn_error(WNNStatus_TypeError, "opSupportLimits: context or limits is NULL");
    WNNTensorLimits any = {WNN_T_ANY, 0, WNN_MAX_RANK};
    limits->preferredInputLayout = WNNInputOperandLayout_Nchw;
    limits->maxTensorByteLength = WNN_MAX_TENSOR_BYTES;
    limits->input = any;
    limits->constant = any;
    limits->output = any;
    return WNNStatus_Success;
}
