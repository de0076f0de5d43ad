/* matmul_ops.c: builder functions and limits of gemm and matmul. */
#include "graph/ops/conv.h"
#include "graph/ops/op_limits.h"

const WnnOpInfo wnn_opinfo_gemm = {"gemm", 4, {SLOT("a", WNN_T_FLOAT, WNN_T_FLOAT, 2, 2, 2, 2),
                                               SLOT("b", WNN_T_FLOAT, WNN_T_FLOAT, 2, 2, 2, 2),
                                               SLOT("c", WNN_T_FLOAT, WNN_T_FLOAT, 0, 2, 0, 2),
                                               SLOT("output", WNN_T_FLOAT, WNN_T_FLOAT, 2, 2, 2, 2)}};
const WnnOpInfo wnn_opinfo_matmul = {"matmul", 3, {SLOT("a", WNN_T_FLOAT, WNN_T_FLOAT, 2, RANK_N, 2, 5),
                                                   SLOT("b", WNN_T_FLOAT, WNN_T_FLOAT, 2, RANK_N, 2, 5),
                                                   SLOT("output", WNN_T_FLOAT, WNN_T_FLOAT, 2, RANK_N, 2, 5)}};

WNN_EXPORT WNNStatus wnnGraphBuilderGemm(WNNGraphBuilder b, WNNOperand x, WNNOperand y, const WNNGemmOptions* o,
                                         WNNOperand* output) {
    WNNGemmOptions dflt = WNN_GEMM_OPTIONS_INIT;
    if (!o) o = &dflt;
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_gemm, o->label, output);
    const WnnDesc *da, *db, *dc;
    if (s || (s = wnn_op_operand(&call, "a", x, &da)) || (s = wnn_op_operand(&call, "b", y, &db)) ||
        (s = wnn_op_optional_operand(&call, "c", o->c, &dc)))
        return s;
    if (da->type != db->type) return wnn_op_fail(&call, "a and b must have the same data type");
    uint32_t m = o->aTranspose ? da->shape[1] : da->shape[0], ka = o->aTranspose ? da->shape[0] : da->shape[1];
    uint32_t kb = o->bTranspose ? db->shape[1] : db->shape[0], n = o->bTranspose ? db->shape[0] : db->shape[1];
    if (ka != kb) return wnn_op_fail(&call, "the columns of a (%u) must equal the rows of b (%u)", ka, kb);
    WnnDesc out = {da->type, 2, {m, n}};
    if (dc) {
        if (dc->type != da->type) return wnn_op_fail(&call, "c data type must match a");
        if (!wnn_broadcast_unidirectional(dc, &out)) return wnn_op_fail(&call, "c is not broadcastable to [%u,%u]", m, n);
    }
    WnnGemmAttrs a = {o->alpha.present ? o->alpha.value : 1.0, o->beta.present ? o->beta.value : 1.0, o->aTranspose,
                      o->bTranspose};
    WNNOperand ins[3] = {x, y, o->c};
    return wnn_op_finish(&call, ins, 3, &a, sizeof a, &out, 1, output);
}

WNN_EXPORT WNNStatus wnnGraphBuilderMatmul(WNNGraphBuilder b, WNNOperand x, WNNOperand y, const WNNOperatorOptions* o,
                                           WNNOperand* output) {
    WnnOpCall call;
    WNNStatus s = wnn_op_begin(&call, b, WNN_OP_matmul, o ? o->label : NULL, output);
    const WnnDesc *da, *db;
    if (s || (s = wnn_op_operand(&call, "a", x, &da)) || (s = wnn_op_operand(&call, "b", y, &db))) return s;
    if (da->type != db->type) return wnn_op_fail(&call, "a and b must have the same data type");
    uint32_t k = da->shape[da->rank - 1];
    if (k != db->shape[db->rank - 2])
        return wnn_op_fail(&call, "the columns of a (%u) must equal the rows of b (%u)", k, db->shape[db->rank - 2]);
    WnnDesc ba = *da, bb = *db, out;
    ba.rank -= 2;
    bb.rank -= 2;
    if (!wnn_broadcast_shapes(&ba, &bb, &out)) return wnn_op_fail(&call, "the batch dimensions are not broadcastable");
    out.shape[out.rank++] = da->shape[da->rank - 2];
    out.shape[out.rank++] = db->shape[db->rank - 1];
    WNNOperand ins[2] = {x, y};
    return wnn_op_finish(&call, ins, 2, NULL, 0, &out, 1, output);
}
