/* k_matmul.c: gemm and matmul on the CPU through sgemm (float16 converted to float32 and rounded
 * once at the end). */
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/copy_util.h"
#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/sgemm.h"
#include "graph/ops/conv.h"

#define IN(k) (args->inputs[k])
#define OUT(k) (args->outputs[k])

/* A float32 copy of a tensor (or the tensor itself when it is float32: *owned = 0). */
static float* as_f32(const WnnCpuTensor* t, int* owned) {
    if (t->desc->type == WNNOperandDataType_Float32) {
        *owned = 0;
        return t->data;
    }
    size_t n = (size_t)wnn_desc_numel(t->desc);
    float* f = malloc(sizeof(float) * n + 1);
    *owned = 1;
    if (f)
        for (size_t i = 0; i < n; i++) f[i] = wnn_half_to_float(((const uint16_t*)t->data)[i]);
    return f;
}

static void store_out(const WnnCpuTensor* o, const float* v, size_t n) {
    if (o->desc->type == WNNOperandDataType_Float32) {
        if (v != o->data) memcpy(o->data, v, n * sizeof(float));
    } else {
        for (size_t i = 0; i < n; i++) ((uint16_t*)o->data)[i] = wnn_float_to_half(v[i]);
    }
}

/* A row-major copy of the transpose of an r x c matrix. */
static float* transposed(const float* m, size_t r, size_t c) {
    float* t = malloc(sizeof(float) * r * c + 1);
    if (t)
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < c; j++) t[j * r + i] = m[i * c + j];
    return t;
}

WNNStatus wnn_cpu_gemm(const WnnCpuKernelArgs* args) {
    const WnnGemmAttrs* g = args->node->attrs;
    const WnnDesc *da = IN(0).desc, *out = OUT(0).desc;
    size_t M = out->shape[0], N = out->shape[1], K = g->aTranspose ? da->shape[0] : da->shape[1];
    int oa, ob;
    float *a = as_f32(&IN(0), &oa), *b = as_f32(&IN(1), &ob);
    float *at = NULL, *bt = NULL, *c = malloc(sizeof(float) * M * N + 1);
    WNNStatus s = WNNStatus_Success;
    if (!a || !b || !c) goto oom;
    if (g->aTranspose && !(at = transposed(a, K, M))) goto oom;
    if (g->bTranspose && !(bt = transposed(b, N, K))) goto oom;
    wnn_sgemm(M, N, K, at ? at : a, K, bt ? bt : b, N, c, N, args->pool);
    if (g->alpha != 1.0 || IN(2).data) {
        const WnnDesc* dc = IN(2).desc;
        int64_t cs[WNN_MAX_RANK] = {0};
        if (dc) wnn_row_strides(dc, cs);
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < N; j++) {
                double v = g->alpha * c[i * N + j];
                if (dc) {
                    /* c broadcasts unidirectionally to [M, N] */
                    size_t ci = 0;
                    if (dc->rank == 2) ci = (dc->shape[0] == 1 ? 0 : i * (size_t)cs[0]) + (dc->shape[1] == 1 ? 0 : j);
                    else if (dc->rank == 1) ci = dc->shape[0] == 1 ? 0 : j;
                    v += g->beta * wnn_load_f64(IN(2).data, dc->type, ci);
                }
                c[i * N + j] = (float)v;
            }
    }
    store_out(&OUT(0), c, M * N);
    goto done;
oom:
    s = wnn_error(WNNStatus_OutOfMemory, "gemm: out of memory");
done:
    if (oa) free(a);
    if (ob) free(b);
    free(at);
    free(bt);
    free(c);
    return s;
}

WNNStatus wnn_cpu_matmul(const WnnCpuKernelArgs* args) {
    const WnnDesc *da = IN(0).desc, *db = IN(1).desc, *out = OUT(0).desc;
    size_t M = out->shape[out->rank - 2], N = out->shape[out->rank - 1], K = da->shape[da->rank - 1];
    size_t batches = (size_t)wnn_desc_numel(out) / (M * N);
    int oa, ob;
    float *a = as_f32(&IN(0), &oa), *b = as_f32(&IN(1), &ob);
    float* c = out->type == WNNOperandDataType_Float32 ? OUT(0).data : malloc(sizeof(float) * M * N * batches + 1);
    WNNStatus s = WNNStatus_Success;
    if (!a || !b || !c) {
        s = wnn_error(WNNStatus_OutOfMemory, "matmul: out of memory");
        goto done;
    }
    /* Batch strides of a and b under broadcasting to the output's batch shape. */
    uint32_t brank = out->rank - 2;
    size_t sa[WNN_MAX_RANK] = {0}, sb[WNN_MAX_RANK] = {0};
    for (uint32_t d = brank, stA = M * K, stB = K * N, ra = da->rank - 2, rb = db->rank - 2; d-- > 0;) {
        int32_t ia = (int32_t)d - (int32_t)(brank - ra), ib = (int32_t)d - (int32_t)(brank - rb);
        if (ia >= 0) { sa[d] = da->shape[ia] == 1 ? 0 : stA; stA *= da->shape[ia]; }
        if (ib >= 0) { sb[d] = db->shape[ib] == 1 ? 0 : stB; stB *= db->shape[ib]; }
    }
    for (size_t bi = 0; bi < batches; bi++) {
        size_t offA = 0, offB = 0, r = bi;
        for (uint32_t d = brank; d-- > 0;) {
            size_t coord = r % out->shape[d];
            r /= out->shape[d];
            offA += coord * sa[d];
            offB += coord * sb[d];
        }
        wnn_sgemm(M, N, K, a + offA, K, b + offB, N, c + bi * M * N, N, args->pool);
    }
    store_out(&OUT(0), c, M * N * batches);
done:
    if (oa) free(a);
    if (ob) free(b);
    if (c != OUT(0).data) free(c);
    return s;
}
