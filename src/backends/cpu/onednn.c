/* onednn.c: the oneDNN engine, errors, thread count and post-ops (onednn.h). */
#ifdef WNN_HAVE_ONEDNN
#include "backends/cpu/onednn.h"
#include "backends/cpu/copy_util.h"
#include "backends/cpu/cpu_profile.h"
#include "backends/cpu/cpu_timing.h"

#include <math.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl_debug.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/ops/elementwise.h"

static dnnl_engine_t g_engine;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static atomic_uint g_prepared, g_linked, g_plain;

/* The engine lives as long as the process (oneDNN's own caches do too). */
static void make_engine(void) {
    if (dnnl_engine_create(&g_engine, dnnl_cpu, 0) != dnnl_success) g_engine = NULL;
}

dnnl_engine_t wnn_onednn_engine(void) {
    pthread_once(&g_once, make_engine);
    return g_engine;
}

WNNStatus wnn_onednn_check(dnnl_status_t s, const char* what, const char* call) {
    if (s == dnnl_success) return WNNStatus_Success;
    if (s == dnnl_out_of_memory) return wnn_error(WNNStatus_OutOfMemory, "%s: oneDNN %s: out of memory", what, call);
    return wnn_error(WNNStatus_OperationError, "%s: oneDNN %s failed (%s)", what, call, dnnl_status2str(s));
}

void wnn_onednn_set_threads(const WnnThreadPool* pool) {
    int n = (int)wnn_threadpool_size(pool);
    if (omp_get_max_threads() != n) omp_set_num_threads(n);
}

unsigned wnn_onednn_prepared_count(void) { return atomic_load(&g_prepared); }
void wnn_onednn_count_prepared(void) { atomic_fetch_add(&g_prepared, 1); }
unsigned wnn_onednn_linked_count(void) { return atomic_load(&g_linked); }
unsigned wnn_onednn_plain_count(void) { return atomic_load(&g_plain); }

const char* wnn_onednn_impl(const_dnnl_primitive_desc_t pd) {
    const char* s = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &s) != dnnl_success || !s) return "?";
    return s;
}

/* The ISA a JIT implementation's name ends with, ranked: avx512 3, avx2 2, sse41 1, else 0. */
static int isa_rank(const char* impl) {
    return strstr(impl, "avx512") ? 3 : strstr(impl, "avx2") ? 2 : strstr(impl, "sse41") ? 1 : 0;
}

/* One candidate implementation, made and given zeroed buffers once, then run in turns with the
 * others. */
typedef struct Trial {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim;
    dnnl_stream_t stream;
    dnnl_memory_t mem[5];
    dnnl_exec_arg_t ea[5];
    int n;
    double best; /* fastest timed run, ms (-1: none yet) */
    int failed;
} Trial;

static int trial_init(Trial* t, dnnl_primitive_desc_t pd, int side) {
    static const int args[5] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST,
                                DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1};
    dnnl_engine_t eng = wnn_onednn_engine();
    memset(t, 0, sizeof *t);
    t->pd = pd;
    t->best = -1;
    int ok = dnnl_primitive_create(&t->prim, pd) == dnnl_success &&
             dnnl_stream_create(&t->stream, eng, dnnl_stream_default_flags) == dnnl_success;
    for (int i = 0; ok && i < 5; i++) {
        if (i == 4 && !side) break;
        const dnnl_memory_desc_t* md = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, args[i]);
        if (!md || md->ndims == 0) continue;
        void* h = NULL;
        ok = dnnl_memory_create(&t->mem[t->n], md, eng, DNNL_MEMORY_ALLOCATE) == dnnl_success &&
             dnnl_memory_get_data_handle(t->mem[t->n], &h) == dnnl_success;
        if (ok) memset(h, 0, dnnl_memory_desc_get_size(md));
        t->ea[t->n] = (dnnl_exec_arg_t){args[i], t->mem[t->n]};
        t->n += t->mem[t->n] != NULL;
    }
    return ok;
}

/* One timed run (ms), or -1. */
static double trial_run(Trial* t) {
    double t0 = wnn_cpu_profile_now_ms();
    if (dnnl_primitive_execute(t->prim, t->stream, t->n, t->ea) != dnnl_success || dnnl_stream_wait(t->stream) != dnnl_success)
        return -1;
    return wnn_cpu_profile_now_ms() - t0;
}

/* Frees what trial_init made; the pd too unless keepPd. */
static void trial_free(Trial* t, int keepPd) {
    for (int i = 0; i < t->n; i++) dnnl_memory_destroy(t->mem[i]);
    if (t->prim) dnnl_primitive_destroy(t->prim);
    if (t->stream) dnnl_stream_destroy(t->stream);
    if (!keepPd && t->pd) dnnl_primitive_desc_destroy(t->pd);
}

#define MAX_TRIALS 8
#define TRIAL_ROUNDS 5 /* after one untimed round */

dnnl_primitive_desc_t wnn_onednn_fastest(const_dnnl_op_desc_t op, const_dnnl_primitive_attr_t attr, int side,
                                         const char* what, double* msOut) {
    dnnl_primitive_desc_iterator_t it = NULL;
    if (dnnl_primitive_desc_iterator_create(&it, op, attr, wnn_onednn_engine(), NULL) != dnnl_success) return NULL;
    Trial trials[MAX_TRIALS];
    int count = 0;
    int top = -1; /* the best ISA on offer: the first JIT implementation's (oneDNN lists them best first) */
    do {
        dnnl_primitive_desc_t pd = dnnl_primitive_desc_iterator_fetch(it);
        if (!pd) continue;
        const char* impl = wnn_onednn_impl(pd);
        /* skipped too: gemm-based convolutions (im2col; never faster here, and oneDNN 2.6's gave
         * wrong results with a binary post-op on NHWC tensors) */
        int rank = isa_rank(impl), ref = strstr(impl, "ref") != NULL ||
                                         (*(const dnnl_primitive_kind_t*)op == dnnl_convolution && strstr(impl, "gemm"));
        if (rank && top < 0) top = rank;
        /* an implementation without an ISA in its name (gemm:jit) takes the best one's */
        if (!ref && (!rank || rank == top) && count < MAX_TRIALS) {
            if (trial_init(&trials[count], pd, side)) count++;
            else trial_free(&trials[count], 0);
        } else {
            dnnl_primitive_desc_destroy(pd);
        }
    } while (dnnl_primitive_desc_iterator_next(it) == dnnl_success);
    dnnl_primitive_desc_iterator_destroy(it);
    /* in turns, so that a burst of load on a shared host slows every candidate alike */
    for (int r = 0; r <= TRIAL_ROUNDS; r++)
        for (int i = 0; i < count; i++) {
            if (trials[i].failed) continue;
            double ms = trial_run(&trials[i]);
            trials[i].failed = ms < 0;
            if (r > 0 && ms >= 0 && (trials[i].best < 0 || ms < trials[i].best)) trials[i].best = ms;
        }
    int pick = -1;
    for (int i = 0; i < count; i++) {
        if (trials[i].failed) continue;
        if (wnn_cpu_verbose()) fprintf(stderr, "WNN_CPU_VERBOSE: %s: %s %.4f ms\n", what, wnn_onednn_impl(trials[i].pd), trials[i].best);
        if (pick < 0 || trials[i].best < trials[pick].best) pick = i;
    }
    for (int i = 0; i < count; i++) trial_free(&trials[i], i == pick);
    if (msOut) *msOut = pick >= 0 ? trials[pick].best : -1;
    return pick >= 0 ? trials[pick].pd : NULL;
}

int wnn_onednn_post_ops(const WnnCpuFusion* f, const dnnl_memory_desc_t* residual, dnnl_primitive_attr_t* attr) {
    *attr = NULL;
    if (!f || (f->act == WNN_OP_COUNT && !residual && !f->hasScale)) return 1;
    const WnnActivationAttrs* a = f->actAttrs;
    const WnnClampAttrs* c = f->actAttrs;
    dnnl_alg_kind_t alg[2];
    float alpha[2] = {0, 0}, beta[2] = {0, 0};
    int count = 1;
    switch (f->act) {
        case WNN_OP_COUNT: count = 0; break;
        case WNN_OP_relu: alg[0] = dnnl_eltwise_relu; break;
        case WNN_OP_leakyRelu: alg[0] = dnnl_eltwise_relu, alpha[0] = (float)a->alpha; break;
        case WNN_OP_clamp:
            alg[0] = dnnl_eltwise_clip;
            alpha[0] = c->hasMin ? (float)c->minF : -INFINITY;
            beta[0] = c->hasMax ? (float)c->maxF : INFINITY;
            break;
        case WNN_OP_sigmoid: alg[0] = dnnl_eltwise_logistic; break;
        case WNN_OP_tanh: alg[0] = dnnl_eltwise_tanh; break;
        case WNN_OP_elu: alg[0] = dnnl_eltwise_elu, alpha[0] = (float)a->alpha; break;
        case WNN_OP_gelu: alg[0] = dnnl_eltwise_gelu_erf; break;      /* WebNN's gelu is the erf form */
        case WNN_OP_hardSwish: alg[0] = dnnl_eltwise_hardswish; break; /* x * relu6(x + 3) / 6 */
        case WNN_OP_softplus: alg[0] = dnnl_eltwise_soft_relu; break;  /* log(1 + exp(x)) */
        case WNN_OP_linear: alg[0] = dnnl_eltwise_linear, alpha[0] = (float)a->alpha, beta[0] = (float)a->beta; break;
        case WNN_OP_hardSigmoid: /* max(0, min(1, alpha x + beta)): a linear then a clip */
            alg[0] = dnnl_eltwise_linear, alpha[0] = (float)a->alpha, beta[0] = (float)a->beta;
            alg[1] = dnnl_eltwise_clip, alpha[1] = 0.0f, beta[1] = 1.0f;
            count = 2;
            break;
        default: return 0;
    }
    dnnl_post_ops_t po = NULL;
    if (dnnl_post_ops_create(&po) != dnnl_success) return 0;
    int ok = !residual || dnnl_post_ops_append_binary(po, dnnl_binary_add, residual) == dnnl_success;
    /* a scale is never fused with a residual (cpu_fuse.c): it comes first, on the biased result */
    if (ok && f->hasScale) ok = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_linear, f->scale, 0.0f) == dnnl_success;
    for (int i = 0; i < count && ok; i++) ok = dnnl_post_ops_append_eltwise(po, 1.0f, alg[i], alpha[i], beta[i]) == dnnl_success;
    ok = ok && dnnl_primitive_attr_create(attr) == dnnl_success;
    ok = ok && dnnl_primitive_attr_set_post_ops(*attr, po) == dnnl_success;
    dnnl_post_ops_destroy(po);
    if (!ok && *attr) {
        dnnl_primitive_attr_destroy(*attr);
        *attr = NULL;
    }
    return ok;
}
/* Whether from -> to only permutes plain layouts of one type; then p describes the copy. */
static int plain_of(const dnnl_memory_desc_t* from, const dnnl_memory_desc_t* to, WnnOnednnPlain* p) {
    memset(p, 0, sizeof *p);
    int n = to->ndims;
    if (n < 1 || n > WNN_MAX_RANK || from->ndims != n || from->data_type != to->data_type) return 0;
    const dnnl_memory_desc_t* m[2] = {from, to};
    for (int k = 0; k < 2; k++) {
        if (m[k]->format_kind != dnnl_blocked || m[k]->format_desc.blocking.inner_nblks != 0 || m[k]->offset0 != 0 ||
            m[k]->extra.flags != 0)
            return 0;
        for (int d = 0; d < n; d++)
            if (m[k]->dims[d] != from->dims[d] || m[k]->padded_dims[d] != m[k]->dims[d] || m[k]->dims[d] < 1 ||
                m[k]->dims[d] > (dnnl_dim_t)UINT32_MAX)
                return 0;
    }
    int order[WNN_MAX_RANK]; /* to's dimensions by decreasing stride */
    for (int d = 0; d < n; d++) {
        int j = d;
        for (; j > 0 && to->format_desc.blocking.strides[order[j - 1]] < to->format_desc.blocking.strides[d]; j--) order[j] = order[j - 1];
        order[j] = d;
    }
    int64_t dense = 1;
    for (int k = n; k-- > 0;) {
        int d = order[k];
        if (to->dims[d] > 1 && to->format_desc.blocking.strides[d] != dense) return 0; /* to must be dense */
        dense *= to->dims[d];
        p->shape[k] = (uint32_t)to->dims[d];
        p->in[k] = from->format_desc.blocking.strides[d];
    }
    p->esize = dnnl_data_type_size(from->data_type);
    /* only where ours is the faster: in vector tiles (3 channels stay oneDNN's: 0.04 ms for a
     * 224 x 224 float32 image, ours 0.23) */
    if ((p->esize != 1 && p->esize != 2 && p->esize != 4) || !wnn_affine_copy_tiled((uint32_t)n, p->shape, p->in)) return 0;
    p->rank = (uint32_t)n;
    return 1;
}

/* from -> to by r, or by our copy where plain says so (the memories' handles set). */
static WNNStatus run_reorder(const char* what, dnnl_primitive_t r, const WnnOnednnPlain* plain, dnnl_memory_t from,
                             dnnl_memory_t to, dnnl_stream_t stream, WnnThreadPool* pool) {
    if (plain && plain->rank) {
        void *src = NULL, *dst = NULL;
        WNNStatus s = wnn_onednn_check(dnnl_memory_get_data_handle(from, &src), what, "dnnl_memory_get_data_handle");
        if (!s) s = wnn_onednn_check(dnnl_memory_get_data_handle(to, &dst), what, "dnnl_memory_get_data_handle");
        if (!s) wnn_affine_copy(dst, src, plain->esize, plain->rank, plain->shape, plain->in, 0, pool);
        return s;
    }
    dnnl_exec_arg_t ra[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    return wnn_onednn_check(dnnl_primitive_execute(r, stream, 2, ra), what, "dnnl_primitive_execute (reorder)");
}

/* ---- one step at dispatch ---- */

static WNNStatus exec_run(const WnnCpuPrepared* self, const WnnCpuKernelArgs* args) {
    WnnOnednnExec* e = (WnnOnednnExec*)self; /* the handles change per dispatch, under the lock */
    WNNStatus s = WNNStatus_Success;
    pthread_mutex_lock(&e->lock);
    wnn_onednn_set_threads(args->pool);
    void* src = args->inputs[0].data;
    void* dst = e->f16 && !e->outLinked ? e->out32 : args->outputs[0].data;
    void* wei = e->weiArg >= 0 ? args->inputs[e->weiArg].data : NULL;
    if (e->f16 && !e->inLinked) wnn_onednn_f16_to_f32(args->pool, src, e->in32, e->inN), src = e->in32;
    if (e->f16 && wei) wnn_onednn_f16_to_f32(args->pool, wei, e->wei32, e->weiN), wei = e->wei32;
    dnnl_status_t st = dnnl_memory_set_data_handle(e->inLinked ? e->in : e->userIn, src);
    if (st == dnnl_success) st = dnnl_memory_set_data_handle(e->outLinked ? e->out : e->userOut, dst);
    if (st == dnnl_success && wei) st = dnnl_memory_set_data_handle(e->wei, wei);
    if (st != dnnl_success) {
        s = wnn_onednn_check(st, e->what, "dnnl_memory_set_data_handle");
        goto done;
    }
    if (e->side) {
        void* r = args->inputs[e->sideArg].data;
        if (e->f16 && !e->sideLinked) wnn_onednn_f16_to_f32(args->pool, r, e->side32, e->sideN), r = e->side32;
        st = dnnl_memory_set_data_handle(e->sideLinked || !e->reorderSide ? e->side : e->userSide, r);
        if ((s = wnn_onednn_check(st, e->what, "dnnl_memory_set_data_handle"))) goto done;
        if (e->reorderSide && !e->sideLinked &&
            (s = run_reorder(e->what, e->reorderSide, &e->plainSide, e->userSide, e->side, e->stream, args->pool)))
            goto done;
    }
    if (e->reorderIn && !e->inLinked && (s = run_reorder(e->what, e->reorderIn, &e->plainIn, e->userIn, e->in, e->stream, args->pool)))
        goto done;
    dnnl_exec_arg_t pa[5] = {{DNNL_ARG_SRC, e->in}, {DNNL_ARG_DST, e->out}};
    int na = 2;
    if (e->side) pa[na++] = (dnnl_exec_arg_t){DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, e->side};
    if (e->wei) pa[na++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, e->wei};
    if (e->bias) pa[na++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, e->bias};
    if ((s = wnn_onednn_check(dnnl_primitive_execute(e->prim, e->stream, na, pa), e->what, "dnnl_primitive_execute")))
        goto done;
    if (e->reorderOut && !e->outLinked &&
        (s = run_reorder(e->what, e->reorderOut, &e->plainOut, e->out, e->userOut, e->stream, args->pool)))
        goto done;
    s = wnn_onednn_check(dnnl_stream_wait(e->stream), e->what, "dnnl_stream_wait");
    if (!s && e->f16 && !e->outLinked) wnn_onednn_f32_to_f16(args->pool, e->out32, args->outputs[0].data, e->outN);
done:
    pthread_mutex_unlock(&e->lock);
    return s;
}

/* Bytes of a memory that holds its own buffer (made with DNNL_MEMORY_ALLOCATE: the handle is set
 * already; a user-side memory gets its handle at each dispatch), else 0. */
static size_t owned_bytes(dnnl_memory_t m) {
    void* h = NULL;
    const dnnl_memory_desc_t* md = NULL;
    if (!m || dnnl_memory_get_data_handle(m, &h) != dnnl_success || !h || dnnl_memory_get_memory_desc(m, &md) != dnnl_success)
        return 0;
    return dnnl_memory_desc_get_size(md);
}

WNNStatus wnn_onednn_exec_finish(WnnOnednnExec* e, dnnl_primitive_desc_t pd, WNNStatus s, WnnCpuPrepared** out) {
    snprintf(e->base.path, sizeof e->base.path, "onednn %s", wnn_onednn_impl(pd));
    dnnl_primitive_desc_destroy(pd);
    if (s) {
        wnn_onednn_exec_release(&e->base);
        return s;
    }
    /* weights, bias, the reorder buffers in oneDNN's layouts, the float32 copies of float16 tensors */
    e->base.bytes = owned_bytes(e->wei) + owned_bytes(e->bias) + owned_bytes(e->side) + owned_bytes(e->in) +
                    owned_bytes(e->out) + sizeof(float) * (e->inN + e->outN + e->sideN + e->weiN);
    wnn_onednn_count_prepared();
    *out = &e->base;
    return WNNStatus_Success;
}

void wnn_onednn_exec_release(WnnCpuPrepared* self) {
    WnnOnednnExec* e = (WnnOnednnExec*)self;
    if (!e) return;
    dnnl_memory_t mems[8] = {e->in != e->userIn ? e->in : NULL, e->out != e->userOut ? e->out : NULL, e->userIn,
                             e->userOut, e->wei, e->bias, e->side, e->userSide};
    for (int i = 0; i < 8; i++)
        if (mems[i]) dnnl_memory_destroy(mems[i]);
    dnnl_primitive_t prims[4] = {e->prim, e->reorderIn, e->reorderOut, e->reorderSide};
    for (int i = 0; i < 4; i++)
        if (prims[i]) dnnl_primitive_destroy(prims[i]);
    if (e->stream) dnnl_stream_destroy(e->stream);
    free(e->in32);
    free(e->out32);
    free(e->side32);
    free(e->wei32);
    pthread_mutex_destroy(&e->lock);
    free(e);
}

/* A reorder primitive from -> to (and, when plain is given, whether our copy can run it instead). */
static WNNStatus make_reorder(const char* what, const dnnl_memory_desc_t* from, const dnnl_memory_desc_t* to,
                              dnnl_primitive_t* out, WnnOnednnPlain* plain) {
    if (plain && plain_of(from, to, plain)) {
        atomic_fetch_add(&g_plain, 1);
        if (wnn_cpu_verbose())
            fprintf(stderr, "WNN_CPU_VERBOSE: %s: a layout change as our copy (%u-D, %zu-byte elements)\n", what, plain->rank, plain->esize);
    }
    dnnl_engine_t eng = wnn_onednn_engine();
    dnnl_primitive_desc_t rpd = NULL;
    WNNStatus s = wnn_onednn_check(dnnl_reorder_primitive_desc_create(&rpd, from, eng, to, eng, NULL), what,
                                   "dnnl_reorder_primitive_desc_create");
    if (!s) s = wnn_onednn_check(dnnl_primitive_create(out, rpd), what, "dnnl_primitive_create (reorder)");
    if (rpd) dnnl_primitive_desc_destroy(rpd);
    return s;
}

/* A float32 buffer of md's size (n elements), for a float16 tensor's conversion. */
static WNNStatus f32_buffer(const WnnOnednnExec* e, const dnnl_memory_desc_t* md, float** buf, size_t* n) {
    size_t bytes = dnnl_memory_desc_get_size(md);
    *n = bytes / sizeof(float);
    if (!(*buf = wnn_malloc(bytes ? bytes : 1))) return wnn_error(WNNStatus_OutOfMemory, "%s: out of memory", e->what);
    return WNNStatus_Success;
}

WNNStatus wnn_onednn_exec_init(WnnOnednnExec* e, dnnl_primitive_desc_t pd, const dnnl_memory_desc_t* userIn,
                               const dnnl_memory_desc_t* userOut) {
    dnnl_engine_t eng = wnn_onednn_engine();
    const dnnl_memory_desc_t* in = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t* out = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    WNNStatus s;
    e->base.run = exec_run;
    e->base.onednn = 1;
    e->base.release = wnn_onednn_exec_release;
    if (pthread_mutex_init(&e->lock, NULL)) return wnn_error(WNNStatus_OperationError, "%s: cannot make a mutex", e->what);
    if ((s = wnn_onednn_check(dnnl_primitive_create(&e->prim, pd), e->what, "dnnl_primitive_create"))) return s;
    if ((s = wnn_onednn_check(dnnl_stream_create(&e->stream, eng, dnnl_stream_default_flags), e->what,
                              "dnnl_stream_create")))
        return s;
    if ((s = wnn_onednn_check(dnnl_memory_create(&e->userIn, userIn, eng, DNNL_MEMORY_NONE), e->what,
                              "dnnl_memory_create")) ||
        (s = wnn_onednn_check(dnnl_memory_create(&e->userOut, userOut, eng, DNNL_MEMORY_NONE), e->what,
                              "dnnl_memory_create")))
        return s;
    e->in = e->userIn;
    e->out = e->userOut;
    if (e->f16 && ((s = f32_buffer(e, userIn, &e->in32, &e->inN)) || (s = f32_buffer(e, userOut, &e->out32, &e->outN))))
        return s;
    /* Another layout inside: a buffer of it (kept with the state) and the reorders. */
    if (!dnnl_memory_desc_equal(in, userIn)) {
        if ((s = wnn_onednn_check(dnnl_memory_create(&e->in, in, eng, DNNL_MEMORY_ALLOCATE), e->what,
                                  "dnnl_memory_create")))
            return e->in = e->userIn, s;
        if ((s = make_reorder(e->what, userIn, in, &e->reorderIn, &e->plainIn))) return s;
    }
    if (!dnnl_memory_desc_equal(out, userOut)) {
        if ((s = wnn_onednn_check(dnnl_memory_create(&e->out, out, eng, DNNL_MEMORY_ALLOCATE), e->what,
                                  "dnnl_memory_create")))
            return e->out = e->userOut, s;
        if ((s = make_reorder(e->what, out, userOut, &e->reorderOut, &e->plainOut))) return s;
    }
    return WNNStatus_Success;
}

/* m's descriptor, or NULL. */
static const dnnl_memory_desc_t* md_of(dnnl_memory_t m) {
    const dnnl_memory_desc_t* md = NULL;
    return dnnl_memory_get_memory_desc(m, &md) == dnnl_success ? md : NULL;
}

double wnn_onednn_time_linked(WnnCpuPrepared* p, const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f,
                              WnnThreadPool* pool, int runs) {
    WnnOnednnExec* e = (WnnOnednnExec*)p;
    size_t bytes[9] = {0};
    int fused = f && f->absorbedCount > 0 && p->fused;
    uint32_t n = node->inputCount + (fused && f->residual >= 0);
    if (!p->onednn || n > 8) return -1;
    if (e->reorderIn) bytes[0] = dnnl_memory_desc_get_size(md_of(e->in));
    if (e->reorderSide) bytes[e->sideArg] = dnnl_memory_desc_get_size(md_of(e->side));
    if (e->reorderOut) bytes[n] = dnnl_memory_desc_get_size(md_of(e->out));
    /* Linked, a step binds the scratch to its internal memories: stand-ins of their layouts do
     * (setting a handle on the step's own memories would free the buffers they own). */
    dnnl_memory_t* own[3] = {e->reorderIn ? &e->in : NULL, e->reorderOut ? &e->out : NULL, e->reorderSide ? &e->side : NULL};
    dnnl_memory_t stand[3] = {NULL, NULL, NULL}, keep[3] = {NULL, NULL, NULL};
    WnnCpuScratch s;
    if (wnn_cpu_scratch_init(&s, ir, node, fused ? f : NULL, bytes)) return -1;
    int ok = 1;
    for (int i = 0; i < 3; i++)
        if (own[i] && dnnl_memory_create(&stand[i], md_of(*own[i]), wnn_onednn_engine(), DNNL_MEMORY_NONE) != dnnl_success) ok = 0;
    double ms = -1;
    if (ok) {
        int in = e->inLinked, out = e->outLinked, side = e->sideLinked;
        for (int i = 0; i < 3; i++)
            if (own[i]) keep[i] = *own[i], *own[i] = stand[i];
        e->inLinked = e->reorderIn != NULL, e->outLinked = e->reorderOut != NULL, e->sideLinked = e->reorderSide != NULL;
        ms = wnn_cpu_time_state(p, node, &s, pool, 1, runs);
        e->inLinked = in, e->outLinked = out, e->sideLinked = side;
        for (int i = 0; i < 3; i++)
            if (own[i]) *own[i] = keep[i];
    }
    for (int i = 0; i < 3; i++)
        if (stand[i]) dnnl_memory_destroy(stand[i]);
    wnn_cpu_scratch_free(&s);
    return ms;
}

const dnnl_memory_desc_t* wnn_onednn_out_layout(const WnnCpuPrepared* p) {
    const WnnOnednnExec* e = (const WnnOnednnExec*)p;
    return p && p->onednn && e->reorderOut ? md_of(e->out) : NULL;
}

int wnn_onednn_side_arg(const WnnCpuPrepared* p) {
    const WnnOnednnExec* e = (const WnnOnednnExec*)p;
    return p->onednn && e->side ? e->sideArg : -1;
}

WNNStatus wnn_onednn_side_init(WnnOnednnExec* e, int arg, const dnnl_memory_desc_t* user, const dnnl_memory_desc_t* want) {
    dnnl_engine_t eng = wnn_onednn_engine();
    e->sideArg = arg;
    WNNStatus s16 = e->f16 ? f32_buffer(e, user, &e->side32, &e->sideN) : WNNStatus_Success;
    if (s16) return s16;
    WNNStatus s = wnn_onednn_check(dnnl_memory_create(&e->side, want, eng, dnnl_memory_desc_equal(user, want) ? DNNL_MEMORY_NONE : DNNL_MEMORY_ALLOCATE),
                                   e->what, "dnnl_memory_create");
    if (s || dnnl_memory_desc_equal(user, want)) return s;
    if ((s = wnn_onednn_check(dnnl_memory_create(&e->userSide, user, eng, DNNL_MEMORY_NONE), e->what, "dnnl_memory_create")))
        return s;
    return make_reorder(e->what, user, want, &e->reorderSide, &e->plainSide);
}

size_t wnn_onednn_link(WnnCpuPrepared* const* producers, size_t np, WnnCpuPrepared* const* consumers,
                       const int* asSide, size_t nc, size_t plainBytes) {
    if (!np || !nc) return 0;
    WnnOnednnExec* first = (WnnOnednnExec*)producers[0];
    const dnnl_memory_desc_t* want = producers[0]->onednn && first->reorderOut ? md_of(first->out) : NULL;
    if (!want) return 0;
    size_t bytes = dnnl_memory_desc_get_size(want);
    if (plainBytes && bytes != plainBytes) return 0;
    for (size_t i = 0; i < np + nc; i++) {
        const WnnOnednnExec* e = (const WnnOnednnExec*)(i < np ? producers[i] : consumers[i - np]);
        int side = i >= np && asSide[i - np];
        int ok = i < np    ? e->base.onednn && e->reorderOut && !e->outLinked
                 : side    ? e->base.onednn && e->reorderSide && !e->sideLinked
                           : e->base.onednn && e->reorderIn && !e->inLinked;
        const dnnl_memory_desc_t* md = ok ? md_of(i < np ? e->out : side ? e->side : e->in) : NULL;
        if (!md || !dnnl_memory_desc_equal(want, md)) return 0;
    }
    /* Memories of that layout bound per dispatch, all made before anything changes. */
    dnnl_memory_t* fresh = wnn_calloc(np + nc, sizeof *fresh);
    if (!fresh) return 0;
    for (size_t i = 0; i < np + nc; i++) {
        if (dnnl_memory_create(&fresh[i], want, wnn_onednn_engine(), DNNL_MEMORY_NONE) != dnnl_success) {
            for (size_t j = 0; j < i; j++) dnnl_memory_destroy(fresh[j]);
            free(fresh);
            return 0;
        }
    }
    for (size_t i = 0; i < np + nc; i++) {
        WnnOnednnExec* e = (WnnOnednnExec*)(i < np ? producers[i] : consumers[i - np]);
        int side = i >= np && asSide[i - np];
        dnnl_memory_t* m = i < np ? &e->out : side ? &e->side : &e->in;
        size_t held = owned_bytes(*m); /* counted in e->base.bytes (exec_finish) */
        e->base.bytes -= held < e->base.bytes ? held : e->base.bytes;
        dnnl_memory_destroy(*m); /* want may point into first->out: not read after this */
        *m = fresh[i];
        if (i < np) e->outLinked = 1;
        else if (side) e->sideLinked = 1;
        else e->inLinked = 1;
    }
    free(fresh);
    atomic_fetch_add(&g_linked, 1);
    return bytes;
}

WNNStatus wnn_onednn_constant(WnnOnednnExec* e, const dnnl_memory_desc_t* user, const void* data,
                              const dnnl_memory_desc_t* want, dnnl_memory_t* out) {
    dnnl_engine_t eng = wnn_onednn_engine();
    dnnl_memory_t from = NULL;
    dnnl_primitive_t r = NULL;
    WNNStatus s = wnn_onednn_check(dnnl_memory_create(out, want, eng, DNNL_MEMORY_ALLOCATE), e->what, "dnnl_memory_create");
    if (!s) s = wnn_onednn_check(dnnl_memory_create(&from, user, eng, (void*)data), e->what, "dnnl_memory_create");
    if (!s) s = make_reorder(e->what, user, want, &r, NULL);
    if (!s) {
        dnnl_exec_arg_t ra[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, *out}};
        s = wnn_onednn_check(dnnl_primitive_execute(r, e->stream, 2, ra), e->what, "dnnl_primitive_execute (constant)");
        if (!s) s = wnn_onednn_check(dnnl_stream_wait(e->stream), e->what, "dnnl_stream_wait");
    }
    if (r) dnnl_primitive_destroy(r);
    if (from) dnnl_memory_destroy(from);
    return s;
}
/* ---- an NCHW graph's step run in NHWC by our own kernels (Winograd, conv_block.c) ---- */

WNNStatus wnn_onednn_nhwc_edges(WnnOnednnExec* x, const dnnl_dims_t xd, const dnnl_dims_t yd, int buffers) {
    dnnl_engine_t eng = wnn_onednn_engine();
    dnnl_memory_desc_t xu, xn, yu, yn;
    dnnl_memory_desc_init_by_tag(&xu, 4, xd, dnnl_f32, dnnl_nchw);
    dnnl_memory_desc_init_by_tag(&xn, 4, xd, dnnl_f32, dnnl_nhwc);
    dnnl_memory_desc_init_by_tag(&yu, 4, yd, dnnl_f32, dnnl_nchw);
    dnnl_memory_desc_init_by_tag(&yn, 4, yd, dnnl_f32, dnnl_nhwc);
    dnnl_memory_desc_t* mds[4] = {&xu, &yu, &xn, &yn};
    dnnl_memory_t* mems[4] = {&x->userIn, &x->userOut, &x->in, &x->out};
    WNNStatus s = WNNStatus_Success;
    for (int i = 0; i < 4 && !s; i++)
        s = wnn_onednn_check(dnnl_memory_create(mems[i], mds[i], eng, i < 2 || !buffers ? DNNL_MEMORY_NONE : DNNL_MEMORY_ALLOCATE),
                             x->what, "dnnl_memory_create");
    if (!s) s = make_reorder(x->what, &xu, &xn, &x->reorderIn, &x->plainIn);
    if (!s) s = make_reorder(x->what, &yn, &yu, &x->reorderOut, &x->plainOut);
    return s;
}

/* One edge reorder on x's stream, the graph's buffer `user` bound to the plain side (userSide). */
static WNNStatus edge_reorder(WnnOnednnExec* x, dnnl_primitive_t r, const WnnOnednnPlain* plain, dnnl_memory_t from,
                              dnnl_memory_t to, dnnl_memory_t userSide, void* user, WnnThreadPool* pool) {
    WNNStatus s = wnn_onednn_check(dnnl_memory_set_data_handle(userSide, user), x->what, "dnnl_memory_set_data_handle");
    if (!s) s = run_reorder(x->what, r, plain, from, to, x->stream, pool);
    if (!s) s = wnn_onednn_check(dnnl_stream_wait(x->stream), x->what, "dnnl_stream_wait");
    return s;
}

WNNStatus wnn_onednn_edge_in(WnnOnednnExec* x, void* user, WnnThreadPool* pool) {
    return edge_reorder(x, x->reorderIn, &x->plainIn, x->userIn, x->in, x->userIn, user, pool);
}

WNNStatus wnn_onednn_edge_out(WnnOnednnExec* x, void* user, WnnThreadPool* pool) {
    return edge_reorder(x, x->reorderOut, &x->plainOut, x->out, x->userOut, x->userOut, user, pool);
}

void wnn_onednn_edges_release(WnnOnednnExec* x) {
    if (x->stream) dnnl_stream_destroy(x->stream);
    dnnl_primitive_t prims[2] = {x->reorderIn, x->reorderOut};
    dnnl_memory_t mems[4] = {x->userIn, x->userOut, x->in, x->out};
    for (int i = 0; i < 2; i++)
        if (prims[i]) dnnl_primitive_destroy(prims[i]);
    for (int i = 0; i < 4; i++)
        if (mems[i]) dnnl_memory_destroy(mems[i]);
    pthread_mutex_destroy(&x->lock);
}
#else
typedef int wnn_onednn_unused; /* ISO C: a translation unit is not empty */
#endif
