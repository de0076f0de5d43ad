/* cuda_reduce.h: launchers of the reduce family's kernels (cuda_reduce.cu), callable from C. Element
 * types are WnnCudaType codes (cuda_op.h). Every launcher enqueues on `stream` and returns the
 * launch's cudaError_t as an int (cudaErrorInvalidValue for a type / op pair it has no kernel for). */
#ifndef WNN_BACKENDS_CUDA_CUDA_REDUCE_H_
#define WNN_BACKENDS_CUDA_CUDA_REDUCE_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum WnnCudaRedOp {
    WNN_CU_RED_L1, WNN_CU_RED_L2, WNN_CU_RED_LOGSUM, WNN_CU_RED_LOGSUMEXP, WNN_CU_RED_MAX, WNN_CU_RED_MEAN,
    WNN_CU_RED_MIN, WNN_CU_RED_PRODUCT, WNN_CU_RED_SUM, WNN_CU_RED_SUMSQUARE, WNN_CU_RED_ARGMIN, WNN_CU_RED_ARGMAX
} WnnCudaRedOp;

#define WNN_CUDA_RED_DIMS 8
#define WNN_CUDA_RED_THREADS 256 /* threads of every reduction block: ox * ry */
#define WNN_CUDA_RED_STATE_BYTES 16 /* the largest partial result one block of a split reduction writes */

/* A tensor folded for a reduction: the kept dimensions (in the output's row-major order) and the
 * reduced ones, size-1 dimensions dropped and neighbours of the same kind merged. Element (o, r) is
 * at offset(o over kept) + offset(r over reduced); pStride gives the scale/bias offset of the
 * normalizations the same way. A block of ox * ry threads reduces ox outputs with ry lanes each
 * (rowMode: a lane's neighbours are in the same output, else in the next output); one output's
 * reduction may be split over `splits` blocks of `chunk` reduced elements (gridDim.y), whose
 * partial results a second kernel combines. */
typedef struct WnnCudaRedGeom {
    int keptRank, redRank;
    int64_t keptSize[WNN_CUDA_RED_DIMS], keptStride[WNN_CUDA_RED_DIMS], keptPStride[WNN_CUDA_RED_DIMS];
    int64_t redSize[WNN_CUDA_RED_DIMS], redStride[WNN_CUDA_RED_DIMS], redPStride[WNN_CUDA_RED_DIMS];
    int64_t outCount, redCount;
    int ox, ry, rowMode;
    int64_t splits, chunk;
} WnnCudaRedGeom;

/* y[o] = op over the reduced elements of output o. argMin/argMax: outType is the index type
 * (WNN_CT_I32 or WNN_CT_I64); otherwise it equals dtype. `partial` holds splits * outCount states of
 * WNN_CUDA_RED_STATE_BYTES (unused when splits is 1). */
int wnn_cuda_reduce(int op, int dtype, int outType, const void* x, void* y, void* partial, const WnnCudaRedGeom* g,
                    void* stream);

/* Instance / layer normalization: each output group of g is normalized over its reduced elements;
 * scale and bias (NULL: 1 and 0) are read at the element's pStride offsets. Float types only. */
int wnn_cuda_group_norm(int dtype, const void* x, const void* scale, const void* bias, void* y,
                        const WnnCudaRedGeom* g, double epsilon, void* stream);

/* Batch normalization of `count` elements whose channel is (i / inner) % channels; scale and bias
 * may be NULL. */
int wnn_cuda_batch_norm(int dtype, const void* x, const void* mean, const void* variance, const void* scale,
                        const void* bias, void* y, int64_t count, int64_t channels, int64_t inner, double epsilon,
                        void* stream);

/* Cumulative sum along the axis of an (outer, len, inner) tensor. */
int wnn_cuda_cumsum(int dtype, const void* x, void* y, int64_t outer, int64_t len, int64_t inner, int exclusive,
                    int reversed, void* stream);

#ifdef __cplusplus
}
#endif

#endif
