/* conv_ops.c: builder functions and limits of conv2d and convTranspose2d. */
#include <string.h>

#include "graph/ops/conv.h"
#include "graph/ops/op_limits.h"

#define CONV_INFO(op)                                                                                 \
    const WnnOpInfo wnn_opinfo_##op = {#op, 4, {SLOT("input", WNN_T_FLOAT, WNN_T_FLOAT, 4, 4, 4, 4),  \
        SLOT("filter", WNN_T_FLOAT, WNN_T_FLOAT, 4, 4, 4, 4), SLOT("bias", WNN_T_FLOAT, WNN_T_FLOAT, 1, 1, 1, 1), \
        SLOT("output", WNN_T_FLOAT, WNN_T_FLOAT, 4, 4, 4, 4)}};
CONV_INFO(conv2d)
CONV_INFO(convTranspose2d)

/* A [2] or [4] list option with a default; entries that must be > 0 are checked by the caller. */
static WNNStatus list_opt(const WnnOpCall* call, const char* name, const uint32_t* v, size_t count, size_t want,
                          uint32_t dflt, uint32_t* out) {
    if (!v) {
        for (size_t i = 0; i < want; i++) out[i] = dflt;
        return WNNStatus_Success;
    }
    if (count != want) return wnn_op_fail(call, "%s must have %zu entries (got %zu)", name, want, count);
    memcpy(out, v, want * sizeof(uint32_t));
    return WNNStatus_Success;
}

static WNNStatus positive(const WnnOpCall* call, const char* name, const uint32_t* v) {
    if (v[0] == 0 || v[1] == 0) return wnn_op_fail(call, "%s entries must be > 0", name);
    return WNNStatus_Success;
}

/* Shared checks: input, filter, padding, strides, dilations, groups, layouts. */
static WNNStatus conv_common(const WnnOpCall* call, WNNOperand input, WNNOperand filter, const uint32_t* padding,
                             size_t paddingCount, const uint32_t* strides, size_t stridesCount,
                             const uint32_t* dilations, size_t dilationsCount, WNNOptionalUint32 groups,
                             WNNInputOperandLayout layout, const WnnDesc** in, const WnnDesc** f, WnnConvAttrs* a) {
    WNNStatus s;
    if ((s = wnn_op_operand(call, "input", input, in)) || (s = wnn_op_operand(call, "filter", filter, f))) return s;
    if ((*f)->type != (*in)->type) return wnn_op_fail(call, "filter data type must match input");
    if ((s = list_opt(call, "padding", padding, paddingCount, 4, 0, a->pad)) ||
        (s = list_opt(call, "strides", strides, stridesCount, 2, 1, a->strides)) ||
        (s = list_opt(call, "dilations", dilations, dilationsCount, 2, 1, a->dilations)) ||
        (s = positive(call, "strides", a->strides)) || (s = positive(call, "dilations", a->dilations)))
        return s;
    a->groups = groups.present ? groups.value : 1;
    if (a->groups == 0) return wnn_op_fail(call, "groups must be > 0");
    if ((unsigned)layout > WNNInputOperandLayout_Nhwc) return wnn_op_fail(call, "invalid inputLayout %d", (int)layout);
    a->nhwc = layout == WNNInputOperandLayout_Nhwc;
    a->cin = (*in)->shape[a->nhwc ? 3 : 1];
    return WNNStatus_Success;
}

static WNNStatus check_bias(const WnnOpCall* call, WNNOperand bias, const WnnDesc* in, uint32_t cout) {
    const WnnDesc* d;
    WNNStatus s = wnn_op_optional_operand(call, "bias", bias, &d);
    if (s || !d) return s;
    if (d->type != in->type) return wnn_op_fail(call, "bias data type must match input");
    if (d->shape[0] != cout) return wnn_op_fail(call, "bias must have shape [%u] (got [%u])", cout, d->shape[0]);
    return WNNStatus_Success;
}

static WnnDesc conv_output(const WnnDesc* in, const WnnConvAttrs* a, uint32_t oh, uint32_t ow) {
    WnnDesc out = {in->type, 4, {in->shape[0], 0, 0, 0}};
    if (a->nhwc) { out.shape[1] = oh; out.shape[2] = ow; out.shape[3] = a->cout; }
    else { out.shape[1] = a->cout; out.shape[2] = oh; out.shape[3] = ow; }
    return out;
}

WNN_EXPORT WNNStatus wnnGraphBuilderConv2d(WNNGraphBuilder b, WNNOperand input, WNNOperand filter,
                                           const WNNConv2dOptions* o, WNNOperand* output) {
    WNNConv2dOptions dflt = WNN_CONV2D_OPTIONS_INIT;
    if (!o) o = &dflt;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_conv2d, o->label, output);
    if (s) return s;
    const WnnDesc *in, *f;
    WnnConvAttrs a;
    memset(&a, 0, sizeof a);
    if ((s = conv_common(&call, input, filter, o->padding, o->paddingCount, o->strides, o->stridesCount,
                         o->dilations, o->dilationsCount, o->groups, o->inputLayout, &in, &f, &a)))
        return s;
    /* Where output channels, input channels, kh and kw sit in each filter layout. */
    static const uint32_t dims[4][4] = {{0, 1, 2, 3}, {3, 2, 0, 1}, {0, 3, 1, 2}, {3, 0, 1, 2}};
    int layout = o->filterLayout ? (int)o->filterLayout - 1 : 0;
    if (layout < 0 || layout > 3) return wnn_op_fail(&call, "invalid filterLayout %d", (int)o->filterLayout);
    a.fo = dims[layout][0]; a.fi = dims[layout][1]; a.fh = dims[layout][2]; a.fw = dims[layout][3];
    a.cout = f->shape[a.fo];
    a.kh = f->shape[a.fh];
    a.kw = f->shape[a.fw];
    if (a.cin % a.groups != 0) return wnn_op_fail(&call, "input channels %u are not divisible by groups %u", a.cin, a.groups);
    if (a.cin / a.groups != f->shape[a.fi])
        return wnn_op_fail(&call, "input channels %u / groups %u != filter input channels %u", a.cin, a.groups, f->shape[a.fi]);
    if (a.cout % a.groups != 0) return wnn_op_fail(&call, "output channels %u are not divisible by groups %u", a.cout, a.groups);
    if ((s = check_bias(&call, o->bias, in, a.cout))) return s;
    uint32_t size[2];
    for (int i = 0; i < 2; i++) {
        int64_t inSize = in->shape[a.nhwc ? 1 + i : 2 + i];
        int64_t k = (int64_t)((i ? a.kw : a.kh) - 1) * a.dilations[i] + 1;
        int64_t span = inSize + a.pad[2 * i] + a.pad[2 * i + 1] - k;
        if (span < 0) return wnn_op_fail(&call, "the effective filter size %lld exceeds the padded input %lld", (long long)k, (long long)(inSize + a.pad[2 * i] + a.pad[2 * i + 1]));
        size[i] = (uint32_t)(span / a.strides[i] + 1);
    }
    WnnDesc out = conv_output(in, &a, size[0], size[1]);
    WNNOperand ins[3] = {input, filter, o->bias};
    return wnn_op_finish(&call, ins, 3, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderConvTranspose2d(WNNGraphBuilder b, WNNOperand input, WNNOperand filter,
                                                    const WNNConvTranspose2dOptions* o, WNNOperand* output) {
    WNNConvTranspose2dOptions dflt = WNN_CONV_TRANSPOSE2D_OPTIONS_INIT;
    if (!o) o = &dflt;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_convTranspose2d, o->label, output);
    if (s) return s;
    const WnnDesc *in, *f;
    WnnConvAttrs a;
    memset(&a, 0, sizeof a);
    if ((s = conv_common(&call, input, filter, o->padding, o->paddingCount, o->strides, o->stridesCount,
                         o->dilations, o->dilationsCount, o->groups, o->inputLayout, &in, &f, &a)))
        return s;
    /* filter dimension of: output channels (per group), input channels, kh, kw */
    static const uint32_t dims[3][4] = {{1, 0, 2, 3}, {2, 3, 0, 1}, {0, 3, 1, 2}};
    int layout = o->filterLayout ? (int)o->filterLayout - 1 : 0;
    if (layout < 0 || layout > 2) return wnn_op_fail(&call, "invalid filterLayout %d", (int)o->filterLayout);
    a.fo = dims[layout][0]; a.fi = dims[layout][1]; a.fh = dims[layout][2]; a.fw = dims[layout][3];
    a.kh = f->shape[a.fh];
    a.kw = f->shape[a.fw];
    if (a.cin != f->shape[a.fi])
        return wnn_op_fail(&call, "input channels %u != filter input channels %u", a.cin, f->shape[a.fi]);
    if (a.cin % a.groups != 0) return wnn_op_fail(&call, "input channels %u are not divisible by groups %u", a.cin, a.groups);
    uint64_t cout = (uint64_t)f->shape[a.fo] * a.groups;
    if (cout > 0x7fffffffu) return wnn_op_fail(&call, "output channels are not a valid dimension");
    a.cout = (uint32_t)cout;
    if ((s = check_bias(&call, o->bias, in, a.cout))) return s;
    uint32_t outPad[2];
    if ((s = list_opt(&call, "outputPadding", o->outputPadding, o->outputPaddingCount, 2, 0, outPad))) return s;
    if (o->outputSizes && o->outputSizesCount != 2) return wnn_op_fail(&call, "outputSizes must have 2 entries");
    uint32_t size[2];
    for (int i = 0; i < 2; i++) {
        if (outPad[i] >= a.strides[i])
            return wnn_op_fail(&call, "outputPadding[%d] = %u must be smaller than strides[%d] = %u", i, outPad[i], i, a.strides[i]);
        int64_t inSize = in->shape[a.nhwc ? 1 + i : 2 + i];
        int64_t calc = (inSize - 1) * a.strides[i] + (int64_t)((i ? a.kw : a.kh) - 1) * a.dilations[i] + 1 -
                       a.pad[2 * i] - a.pad[2 * i + 1];
        if (o->outputSizes) {
            int64_t want = o->outputSizes[i];
            if (want < calc || want >= calc + a.strides[i])
                return wnn_op_fail(&call, "outputSizes[%d] = %lld must be in [%lld, %lld)", i, (long long)want,
                                   (long long)calc, (long long)(calc + a.strides[i]));
            calc = want;
        } else {
            calc += outPad[i];
        }
        if (calc <= 0 || calc > 0x7fffffff) return wnn_op_fail(&call, "the output size %lld is not a valid dimension", (long long)calc);
        size[i] = (uint32_t)calc;
    }
    WnnDesc out = conv_output(in, &a, size[0], size[1]);
    WNNOperand ins[3] = {input, filter, o->bias};
    return wnn_op_finish(&call, ins, 3, &a, sizeof a, &out, 1, output);
}
