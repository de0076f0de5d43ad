/* cuda_matmul.c: see cuda_matmul.h. One cuBLASLt handle and one workspace per device: a device's
 * steps run one after another on its stream, so they can share the workspace. */
#include "backends/cuda/cuda_matmul.h"

#include <cublasLt.h>
#include <stdlib.h>

#define WNN_LT_WORKSPACE ((size_t)32 << 20)

struct CudaLt {
    cublasLtMatmulDesc_t op;
    cublasLtMatrixLayout_t a, b, c;
    cublasLtMatmulAlgo_t algo;
    size_t workspace;
};

#define LT_TRY(call)                                                                                  \
    do {                                                                                              \
        cublasStatus_t st_ = (call);                                                                  \
        if (st_ != CUBLAS_STATUS_SUCCESS) {                                                           \
            wnn_cuda_lt_free(lt);                                                                     \
            return wnn_error(WNNStatus_OperationError, "build: %s failed (status %d)", #call, (int)st_); \
        }                                                                                             \
    } while (0)

void wnn_cuda_lt_free(CudaLt* lt) {
    if (!lt) return;
    if (lt->op) cublasLtMatmulDescDestroy(lt->op);
    if (lt->a) cublasLtMatrixLayoutDestroy(lt->a);
    if (lt->b) cublasLtMatrixLayoutDestroy(lt->b);
    if (lt->c) cublasLtMatrixLayoutDestroy(lt->c);
    free(lt);
}

void wnn_cuda_lt_device_free(CudaDevice* d) {
    if (d->ltWorkspace) cudaFree(d->ltWorkspace);
    if (d->lt) cublasLtDestroy((cublasLtHandle_t)d->lt);
    d->ltWorkspace = d->lt = NULL;
}

static cublasStatus_t layout(cublasLtMatrixLayout_t* l, cudaDataType t, int rows, int cols, int ld, int batch,
                             long long stride) {
    cublasStatus_t s = cublasLtMatrixLayoutCreate(l, t, (uint64_t)rows, (uint64_t)cols, ld);
    if (s == CUBLAS_STATUS_SUCCESS && batch > 1) {
        int32_t count = batch;
        int64_t offset = stride;
        s = cublasLtMatrixLayoutSetAttribute(*l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof count);
        if (s == CUBLAS_STATUS_SUCCESS)
            s = cublasLtMatrixLayoutSetAttribute(*l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &offset, sizeof offset);
    }
    return s;
}

/* Leading dimensions and batch strides that keep every matrix 16-byte aligned. */
static bool aligned_shape(const CudaLtShape* sh) {
    long long e = sh->dtype ? 2 : 4;
    long long v[6] = {sh->lda, sh->ldb, sh->ldc, sh->strideA, sh->strideB, sh->strideC};
    for (int i = 0; i < 6; i++)
        if ((v[i] * e) % 16) return false;
    return true;
}

WNNStatus wnn_cuda_lt_prepare(CudaDevice* d, const CudaLtShape* sh, CudaLt** out) {
    *out = NULL;
    if (!aligned_shape(sh))
        return wnn_error(WNNStatus_NotSupportedError, "build: matmul rows are not 16-byte aligned for cuBLASLt");
    if (!d->lt) {
        cublasLtHandle_t h;
        if (cublasLtCreate(&h) != CUBLAS_STATUS_SUCCESS)
            return wnn_error(WNNStatus_OperationError, "build: cublasLtCreate failed");
        d->lt = h;
        cudaError_t e = cudaMalloc(&d->ltWorkspace, WNN_LT_WORKSPACE);
        if (e != cudaSuccess) return wnn_cuda_fail("build", "cudaMalloc (cuBLASLt workspace)", e);
    }
    CudaLt* lt = calloc(1, sizeof *lt);
    if (!lt) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    cudaDataType t = sh->dtype ? CUDA_R_16F : CUDA_R_32F;
    cublasComputeType_t compute = !sh->dtype && d->allowTf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
    LT_TRY(cublasLtMatmulDescCreate(&lt->op, compute, CUDA_R_32F));
    cublasOperation_t ta = sh->transA ? CUBLAS_OP_T : CUBLAS_OP_N, tb = sh->transB ? CUBLAS_OP_T : CUBLAS_OP_N;
    LT_TRY(cublasLtMatmulDescSetAttribute(lt->op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta));
    LT_TRY(cublasLtMatmulDescSetAttribute(lt->op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb));
    if (sh->epilogue != WNN_LT_NONE) {
        cublasLtEpilogue_t epi = sh->epilogue == WNN_LT_RELU_BIAS ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_BIAS;
        LT_TRY(cublasLtMatmulDescSetAttribute(lt->op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi));
        LT_TRY(cublasLtMatmulDescSetAttribute(lt->op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &sh->bias, sizeof sh->bias));
        LT_TRY(cublasLtMatmulDescSetAttribute(lt->op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &t, sizeof t));
    }
    /* op(A) is m x k, op(B) k x n, D m x n (column-major). */
    LT_TRY(layout(&lt->a, t, sh->transA ? sh->k : sh->m, sh->transA ? sh->m : sh->k, sh->lda, sh->batch, sh->strideA));
    LT_TRY(layout(&lt->b, t, sh->transB ? sh->n : sh->k, sh->transB ? sh->k : sh->n, sh->ldb, sh->batch, sh->strideB));
    LT_TRY(layout(&lt->c, t, sh->m, sh->n, sh->ldc, sh->batch, sh->strideC));
    cublasLtMatmulPreference_t pref;
    LT_TRY(cublasLtMatmulPreferenceCreate(&pref));
    size_t ws = WNN_LT_WORKSPACE;
    cublasStatus_t ps = cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws);
    /* Algorithms valid for 16-byte aligned operands (wnn_cuda_lt_run's callers check it). */
    const cublasLtMatmulPreferenceAttributes_t aligns[4] = {
        CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
        CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES};
    uint32_t sixteen = 16;
    for (int i = 0; i < 4 && ps == CUBLAS_STATUS_SUCCESS; i++)
        ps = cublasLtMatmulPreferenceSetAttribute(pref, aligns[i], &sixteen, sizeof sixteen);
    cublasLtMatmulHeuristicResult_t result;
    int found = 0;
    if (ps == CUBLAS_STATUS_SUCCESS)
        ps = cublasLtMatmulAlgoGetHeuristic((cublasLtHandle_t)d->lt, lt->op, lt->a, lt->b, lt->c, lt->c, pref, 1, &result,
                                            &found);
    cublasLtMatmulPreferenceDestroy(pref);
    if (ps != CUBLAS_STATUS_SUCCESS || found == 0) {
        wnn_cuda_lt_free(lt);
        return wnn_error(WNNStatus_NotSupportedError, "build: cuBLASLt has no algorithm for this matmul (status %d)",
                         (int)ps);
    }
    lt->algo = result.algo;
    lt->workspace = result.workspaceSize;
    *out = lt;
    return WNNStatus_Success;
}

WNNStatus wnn_cuda_lt_run(CudaDevice* d, const CudaLt* lt, const void* a, const void* b, void* out, float alpha) {
    float beta = 0.0f;
    cublasStatus_t s = cublasLtMatmul((cublasLtHandle_t)d->lt, lt->op, &alpha, a, lt->a, b, lt->b, &beta, out, lt->c, out,
                                      lt->c, &lt->algo, d->ltWorkspace, lt->workspace, d->stream);
    if (s != CUBLAS_STATUS_SUCCESS)
        return wnn_error(WNNStatus_OperationError, "dispatch: cublasLtMatmul failed (status %d)", (int)s);
    return WNNStatus_Success;
}
