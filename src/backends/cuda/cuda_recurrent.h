/* cuda_recurrent.h: the kernels of gru, gruCell, lstm and lstmCell on the GPU (cuda_recurrent.cu),
 * callable from C. cuda_recurrent.c plans the ops and runs the products through cuBLAS; these
 * kernels convert the operands to double and apply the gates. Everything between the operands and
 * the outputs is double, as on the CPU (k_recurrent.c), so every output is rounded once.
 * Every launcher enqueues on `stream` and returns the launch's cudaError_t as an int. */
#ifndef WNN_BACKENDS_CUDA_CUDA_RECURRENT_H_
#define WNN_BACKENDS_CUDA_CUDA_RECURRENT_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Activation codes: the values of WNNRecurrentNetworkActivation. */
#define WNN_RNN_RELU 1
#define WNN_RNN_SIGMOID 2
#define WNN_RNN_TANH 3

/* dst[i] = (double)src[i] for i < count; dtype 0 float32, 1 float16. */
int wnn_rnn_to_double(int dtype, const void* src, double* dst, int64_t count, void* stream);

/* One time step of every direction. Buffers are per direction d (0 forward or the only one, 1 the
 * backward pass of "both"); the gate k block (spec order: gru z r n, lstm i o f g) of a row of
 * gates * hidden values starts at gateOrder[k] * hidden. */
typedef struct WnnRnnStep {
    int lstm, dtype, resetAfter;
    int act[3];       /* gru: gates, new gate; lstm: gates, cell gate, cell filter */
    int gateOrder[4];
    int64_t batch, hidden, directions;
    const double* xp;     /* x . W^T, [directions][rows of the chunk][batch][gates * hidden] */
    int64_t xpDirStride;  /* elements between directions of xp */
    int64_t xpRow[2];     /* this step's row of the chunk, per direction */
    const double* hp;     /* h . R^T, [directions][batch][gates * hidden] (gru without resetAfter: the n
                           * block is (r h) . Rn^T) */
    const double *bias, *rbias, *peephole; /* [directions][gates * hidden], [directions][3 * hidden]; NULL: absent */
    double *h, *c;        /* the states, [directions][batch][hidden], updated in place (c: lstm only) */
    void* sequence;       /* NULL, or the sequence output [steps][directions][batch][hidden] */
    int64_t time[2];      /* this step's time index, per direction */
    void *hOut, *cOut;    /* the last step: the state outputs [directions][batch][hidden]; else NULL */
} WnnRnnStep;

/* gru without resetAfter, before the n block's product: rh = f(xr + br + hr + rbr) * h. */
int wnn_rnn_gru_reset(const WnnRnnStep* p, double* rh, void* stream);
/* The step's gates and state update (and its outputs). */
int wnn_rnn_gates(const WnnRnnStep* p, void* stream);

#ifdef __cplusplus
}
#endif

#endif
