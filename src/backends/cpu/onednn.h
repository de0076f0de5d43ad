/* onednn.h: what the CPU backend's oneDNN paths share (built only with WNN_HAVE_ONEDNN): the one
 * CPU engine, errors as statuses naming the failing call, the thread count, and the fused chain
 * (cpu_fuse.h) as oneDNN post-ops. */
#ifndef WNN_BACKENDS_CPU_ONEDNN_H_
#define WNN_BACKENDS_CPU_ONEDNN_H_

#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>

#include "backends/cpu/conv_prepare.h"
#include "backends/cpu/cpu_fuse.h"
#include "graph/ops/conv.h"

/* The process's CPU engine (made once), or NULL when oneDNN cannot make one. */
dnnl_engine_t wnn_onednn_engine(void);

/* Success for dnnl_success, else an OperationError "<what>: oneDNN <call> failed (<status>)". */
WNNStatus wnn_onednn_check(dnnl_status_t s, const char* what, const char* call);

/* oneDNN (OpenMP runtime in Debian's build) uses as many threads as the context's pool. Called on
 * the compiling thread before primitives are made (they fix their thread split then) and on the
 * dispatching thread before each execution: omp_set_num_threads is per calling thread. */
void wnn_onednn_set_threads(const WnnThreadPool* pool);

/* *attr = post-ops for f (the bias is the primitive's own): a residual add of a tensor laid out as
 * `residual` (post-op 0) when given, then the activation; NULL when there are none. Returns 0 when
 * oneDNN has no exact equivalent of the activation (then do not fuse). */
int wnn_onednn_post_ops(const WnnCpuFusion* f, const dnnl_memory_desc_t* residual, dnnl_primitive_attr_t* attr);

/* The fastest of oneDNN's JIT implementations of op (an op descriptor such as a
 * dnnl_convolution_desc_t, with attr), each timed on zeroed scratch memory of the layouts it asks
 * for (src, weights, bias, dst, and the binary post-op's src1 when side): the weights' layout
 * varies by implementation, so the caller's fixed src / dst layouts keep it linked to its
 * neighbours. Reference ones, and JIT ones of ISAs below the best on offer, are skipped. The
 * candidates run in turns (one untimed round, then 5, each candidate's fastest kept), so a burst of
 * load on a shared host slows all of them alike instead of the one being timed.
 * Returns NULL when none could be made; *ms (may be NULL) = the winner's time. WNN_CPU_VERBOSE=1
 * prints the times. */
dnnl_primitive_desc_t wnn_onednn_fastest(const_dnnl_op_desc_t op, const_dnnl_primitive_attr_t attr, int side,
                                         const char* what, double* ms);

/* A primitive's implementation name ("jit:avx2", "gemm:jit", ...). */
const char* wnn_onednn_impl(const_dnnl_primitive_desc_t pd);

/* Nodes prepared on the oneDNN path since the process started (tests check a forced path ran). */
unsigned wnn_onednn_prepared_count(void);
void wnn_onednn_count_prepared(void);
/* Operand sets linked (wnn_onednn_link) since the process started, for tests. */
unsigned wnn_onednn_linked_count(void);
/* Reorders made as plain copies (WnnOnednnPlain) since the process started, for tests. */
unsigned wnn_onednn_plain_count(void);

/* A reorder between two plain layouts of one 1-, 2- or 4-byte type (NCHW <-> NHWC) whose
 * transposed extents are both 32 or more: run as our strided copy (wnn_affine_copy, in vector
 * tiles) instead of oneDNN's primitive, which took 0.31-0.51 ms for a 100 x 100 x 100 uint8 image
 * on two Zen 4 cores against our 0.08 (rank 0: not such a reorder). */
typedef struct WnnOnednnPlain {
    uint32_t rank;
    size_t esize;
    uint32_t shape[WNN_MAX_RANK]; /* the destination's dimensions in memory order */
    int64_t in[WNN_MAX_RANK];     /* the source's strides along them, in elements */
} WnnOnednnPlain;

/* One oneDNN step at dispatch: the user's input and output (dense, row-major) are bound by handle;
 * when the primitive wants another layout, reorders go in front (in) and behind (out). wei is
 * either prepared once (constant) or bound per dispatch (weiArg >= 0: that node input). */
typedef struct WnnOnednnExec {
    WnnCpuPrepared base;
    const char* what; /* "conv2d", "matmul", "gemm" for errors */
    dnnl_primitive_t prim, reorderIn, reorderOut;
    WnnOnednnPlain plainIn, plainOut, plainSide; /* the reorders that are plain copies */
    dnnl_memory_t userIn, in, userOut, out, wei, bias;
    int weiArg;
    /* a residual read by a binary post-op: node input sideArg, in oneDNN's layout `side` (reordered
     * from the graph's `userSide`, unless sideLinked) */
    int sideArg, sideLinked;
    dnnl_memory_t userSide, side;
    dnnl_primitive_t reorderSide;
    int inLinked, outLinked; /* the graph's tensor holds oneDNN's layout itself (wnn_onednn_link) */
    /* float16 graph tensors: the primitive runs in float32 on these buffers (the graph's layout),
     * converted from / to float16 at each dispatch (onednn_f16.c); none for a linked tensor */
    int f16;
    float *in32, *out32, *side32, *wei32;
    size_t inN, outN, sideN, weiN;
    dnnl_stream_t stream;
    pthread_mutex_t lock; /* the memories' handles are set per dispatch */
} WnnOnednnExec;

/* float16 <-> float32 over n elements, F16C-vectorised, split over pool (may be NULL). */
void wnn_onednn_f16_to_f32(WnnThreadPool* pool, const uint16_t* h, float* f, size_t n);
void wnn_onednn_f32_to_f16(WnnThreadPool* pool, const float* f, uint16_t* h, size_t n);
/* Element i of a float32 (f16 == 0) or float16 array, as a float. */
float wnn_onednn_value(const void* data, int f16, size_t i);
/* The constant weights w (float32, or float16 when e->f16: converted) once into the primitive's
 * layout want (user: w's own layout), as e->wei. */
WNNStatus wnn_onednn_weights(WnnOnednnExec* e, const dnnl_memory_desc_t* user, const WnnIrOperand* w,
                             const dnnl_memory_desc_t* want);

/* Fills e's memories from the primitive's descriptors; userIn/userOut/userWei describe the graph's
 * tensors. wei == NULL with weiArg >= 0: bound per dispatch. With e->f16 set, userIn / userOut are
 * the float32 buffers (in32, out32, made here) the float16 tensors are converted through. */
WNNStatus wnn_onednn_exec_init(WnnOnednnExec* e, dnnl_primitive_desc_t pd, const dnnl_memory_desc_t* userIn,
                               const dnnl_memory_desc_t* userOut);
/* Reorders constant data (user layout md) into a new memory of the primitive's layout want. */
WNNStatus wnn_onednn_constant(WnnOnednnExec* e, const dnnl_memory_desc_t* user, const void* data,
                              const dnnl_memory_desc_t* want, dnnl_memory_t* out);
void wnn_onednn_exec_release(WnnCpuPrepared* self);
/* The end of a prepare: destroys pd, then hands e over as *out (s == Success) or releases it and
 * returns s. */
WNNStatus wnn_onednn_exec_finish(WnnOnednnExec* e, dnnl_primitive_desc_t pd, WNNStatus s, WnnCpuPrepared** out);

/* A set of operands written by `producers` and read (as input 0) by `consumers`, all oneDNN steps
 * whose reorders would turn it into the graph's layout and back: when all want the same layout,
 * those reorders are dropped and the operands' buffers hold oneDNN's layout. asSide[i]: consumer i
 * reads the set as its residual, not as input 0. plainBytes != 0: the
 * layout must take exactly that many bytes (element-wise kernels between the steps read the buffers
 * as flat arrays). Returns the bytes each buffer needs, or 0 when nothing was linked. */
size_t wnn_onednn_link(WnnCpuPrepared* const* producers, size_t np, WnnCpuPrepared* const* consumers,
                       const int* asSide, size_t nc, size_t plainBytes);
/* The node input a oneDNN step reads as its residual, or -1. */
int wnn_onednn_side_arg(const WnnCpuPrepared* p);
/* Makes e read a residual (node input `arg`, graph layout user) in layout want, by a reorder at
 * each dispatch until linked. */
WNNStatus wnn_onednn_side_init(WnnOnednnExec* e, int arg, const dnnl_memory_desc_t* user, const dnnl_memory_desc_t* want);

/* A step of an NCHW graph that our own kernels run in NHWC (the Winograd transforms, conv_block.c)
 * is a WnnOnednnExec to the linking: x->in / x->out are its NHWC buffers (input xd, output yd,
 * N, C, H, W), filled from and emptied into the graph's NCHW (x->userIn / x->userOut, bound per
 * dispatch) by x->reorderIn / x->reorderOut, which a linked edge skips. x->what names the op.
 * buffers = 0: x->in / x->out describe the layout but own no memory (a step that reads and writes
 * NCHW in place when not linked, as the Winograd transforms do). */
WNNStatus wnn_onednn_nhwc_edges(WnnOnednnExec* x, const dnnl_dims_t xd, const dnnl_dims_t yd, int buffers);
/* The reorder into x->in from the graph's input `user`, and out of x->out into its output, on
 * x->stream (the caller holds x->lock). */
WNNStatus wnn_onednn_edge_in(WnnOnednnExec* x, void* user, WnnThreadPool* pool);
WNNStatus wnn_onednn_edge_out(WnnOnednnExec* x, void* user, WnnThreadPool* pool);
/* Destroys the stream, edge reorders and memories, and the lock. */
void wnn_onednn_edges_release(WnnOnednnExec* x);

struct WnnConvAttrs;
/* Prepared states of the oneDNN paths; *out = NULL when oneDNN cannot run the node (not an
 * error: the caller uses its own kernels). *out->fused says whether the chain f was taken in. */
WNNStatus wnn_onednn_conv_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f,
                                  WnnCpuPrepared** out);
/* The graph's conv2d (transposed 0) or convTranspose2d (1) filter fd as oneDNN's (g)oihw dims of
 * type dt with the graph layout's strides (onednn_conv.c). */
void wnn_onednn_filter_md(const struct WnnConvAttrs* a, const WnnDesc* fd, int transposed, dnnl_data_type_t dt,
                          dnnl_memory_desc_t* md);
/* A convolution (transposed: deconvolution) primitive descriptor for a's op, of data types dt =
 * {src, weights, dst} (NULL: float32; the bias float32 always), with src / dst in `tag`
 * (dnnl_format_tag_any: oneDNN's choice), or as *srcMd / *dstMd when given: oneDNN's first
 * implementation, or with `fastest` (src / dst given) the fastest by time (wnn_onednn_fastest;
 * side: a binary post-op reads a residual). */
dnnl_status_t wnn_onednn_conv_pd(const struct WnnConvAttrs* a, int transposed, const WnnDesc* in, const WnnDesc* out,
                                  int hasBias, const dnnl_data_type_t dt[3], dnnl_format_tag_t tag, const dnnl_memory_desc_t* srcMd,
                                  const dnnl_memory_desc_t* dstMd, dnnl_primitive_attr_t attr, int fastest, int side,
                                  dnnl_primitive_desc_t* pd);
/* Can oneDNN run this conv2d / convTranspose2d: float32 or float16, constant filter, constant or no
 * bias (*bias: the bias operand or NULL)? */
int wnn_onednn_conv_fits(const WnnGraphIR* ir, const WnnNode* node, const WnnIrOperand** bias);
/* The step of a conv2d or convTranspose2d node for pd: *out (NULL only when out of memory) with the
 * graph's layouts (*userOut: its output's) and the constant filter reordered once; the bias and a
 * residual are the caller's to add. */
WNNStatus wnn_onednn_conv_step(const WnnGraphIR* ir, const WnnNode* node, dnnl_primitive_desc_t pd, int fused,
                               WnnOnednnExec** out, dnnl_memory_desc_t* userOut);
/* e->bias = the node's own per-channel bias (may be NULL) plus a fused one (may be NULL: cpu_fuse.h). */
WNNStatus wnn_onednn_channel_bias(WnnOnednnExec* e, const WnnIrOperand* own, const WnnIrOperand* fused, uint32_t cout);
/* convTranspose2d through oneDNN's deconvolution (onednn_deconv.c): with a pool only where it
 * measures faster than our kernel on it (and never when too small to time); NULL: forced. */
WNNStatus wnn_onednn_deconv_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f,
                                    WnnThreadPool* pool, WnnCpuPrepared** out);
/* conv2d as Winograd F(2x2, 3x3) (onednn_winograd.c): fits = 3x3, stride 1, one group, float32,
 * constant filter and bias. */
int wnn_onednn_winograd_fits(const WnnGraphIR* ir, const WnnNode* node);
/* viaNhwc: an NCHW graph's conv on the NHWC transforms, reordered at the edges (NULL for an NHWC
 * graph or when it does not fit). */
WNNStatus wnn_onednn_winograd_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f, int viaNhwc,
                                      WnnCpuPrepared** out);
int wnn_onednn_winograd_fits_nhwc(const WnnNode* node);
/* A pool runs in the internal layout of the oneDNN step that writes its input (producer), when
 * there is one, else in oneDNN's 8-channel blocks (NCHW graphs) or NHWC. */
WNNStatus wnn_onednn_pool_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuPrepared* producer,
                                  WnnCpuPrepared** out);
/* The fastest of `runs` runs of p as it runs once linked to its neighbours (wnn_onednn_link: no
 * reorders at its edges), on scratch tensors of node (fused chain f); ms, < 0 on failure. */
double wnn_onednn_time_linked(WnnCpuPrepared* p, const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f,
                              WnnThreadPool* pool, int runs);
/* The layout a oneDNN step keeps its output in when that is not the graph's, else NULL. */
const dnnl_memory_desc_t* wnn_onednn_out_layout(const WnnCpuPrepared* p);
WNNStatus wnn_onednn_matmul_prepare(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f,
                                    WnnCpuPrepared** out);

#endif
