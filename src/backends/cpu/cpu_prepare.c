/* cpu_prepare.c: which path runs a conv2d / matmul / gemm (conv_prepare.h). WNN_CPU_CONV (own |
 * onednn | winograd | winograd-nhwc | auto) and WNN_CPU_MATMUL (own | packed | onednn | auto), read
 * at each build so tests can switch,
 * force a path (WNN_CPU_CONV covers convTranspose2d, maxPool2d and averagePool2d too); auto takes oneDNN where conv_auto_onednn says it wins. WNN_CPU_FUSE=0 turns the
 * build-time fusion off (cpu_fuse.h). A node oneDNN cannot run
 * (a filter that is not constant, ...) takes ours whatever the setting; float16 runs on oneDNN in
 * float32, converted at the step's edges (onednn_f16.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/conv_prepare.h"
#include "backends/cpu/cpu_timing.h"
#include "graph/ops/conv.h"
#ifdef WNN_HAVE_ONEDNN
#include "backends/cpu/onednn.h"
#endif

typedef enum { PATH_AUTO, PATH_OWN, PATH_ONEDNN, PATH_WINOGRAD, PATH_WINOGRAD_NHWC, PATH_PACKED } Path;

static Path path_of(const char* var) {
    const char* v = getenv(var);
    if (v && !strcmp(v, "own")) return PATH_OWN;
    if (v && !strcmp(v, "onednn")) return PATH_ONEDNN;
    if (v && !strcmp(v, "winograd")) return PATH_WINOGRAD;
    if (v && !strcmp(v, "winograd-nhwc")) return PATH_WINOGRAD_NHWC; /* NCHW graphs on the NHWC transforms */
    if (v && !strcmp(v, "packed")) return PATH_PACKED;                /* matmul / gemm: our packed GEMM */
    return PATH_AUTO;
}

/* Our packed GEMM (m) or oneDNN's matmul (d): the one that runs the fusion chain when only one
 * does, else the faster by time from 8 MFLOP up (ours unless oneDNN's is 5% faster: on the 2-core
 * AMD machine a loaded host once timed 1024^3 at 59.7 ms ours, 55.4 oneDNN's, where alone ours
 * runs 29.6 and oneDNN's 33), else ours where the CPU lacks AVX-512 (on 2 AVX2 cores 1.2-1.6x
 * oneDNN 2.6 on every BERT-base shape, 92% of the FMA peak at 1024^3) and oneDNN's where it has
 * it (on 2 Zen 4 cores oneDNN's ran BERT's FFN products in 2.8-3.0 ms, our AVX-512 kernel in
 * 3.6-4.2). A product of at most 4 rows with a b over 1 MiB (a classifier's gemm) is bound by
 * reading b, which a graph's other layers have pushed out of the caches by then: ours, untimed (a
 * timing would find b hot). Inside their graphs on 2 Zen 4 cores ours took mobilenetv2's 1 x 1280
 * x 1000 gemm in 0.21 ms against oneDNN's 0.29, resnet50's 1 x 2048 x 1000 in 0.39-0.42 against
 * 0.73-0.80, where alone with b hot oneDNN's ran 1 x 1280 x 1000 in 0.05 ms, ours 0.09. The other
 * is released. */
static WnnCpuPrepared* faster_matmul(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* fuse,
                                     WnnThreadPool* pool, WnnCpuPrepared* m, WnnCpuPrepared* d) {
    const WnnDesc* od = &ir->operands[node->outputs[0]].desc;
    const WnnDesc* da = &ir->operands[node->inputs[0]].desc;
    const WnnGemmAttrs* g = node->op == WNN_OP_gemm ? node->attrs : NULL;
    double flops = 2.0 * (double)wnn_desc_numel(od) * (double)(g && g->aTranspose ? da->shape[0] : da->shape[da->rank - 1]);
    double tm = -1, td = -1;
    size_t n = od->shape[od->rank - 1], rows = n ? (size_t)wnn_desc_numel(od) / n : 0;
    double bBytes = flops / (2.0 * (double)(rows ? rows : 1)) * sizeof(float); /* K x N floats */
    int keepM;
    if (m->fused != d->fused) {
        keepM = m->fused;
    } else if (rows <= 4 && bBytes >= (1 << 20)) {
        keepM = 1; /* a product of a few rows streams b from memory at each dispatch: see above */
    } else if (wnn_cpu_tuning(flops)) {
        wnn_cpu_time_two(ir, node, fuse, pool, m, d, &tm, &td);
        keepM = tm >= 0 && (td < 0 || tm < 1.05 * td); /* within 5%, the host's noise: ours */
    } else {
        __builtin_cpu_init();
        keepM = !__builtin_cpu_supports("avx512f");
    }
    if (wnn_cpu_verbose())
        fprintf(stderr, "WNN_CPU_VERBOSE: %s %s: %s %.3f ms, %s %.3f ms -> %s\n", wnn_op_name(node->op), node->label ? node->label : "",
                m->path, tm, d->path, td, keepM ? m->path : d->path);
    WnnCpuPrepared* drop = keepM ? d : m;
    drop->release(drop);
    return keepM ? m : d;
}

/* matmul / gemm: WNN_CPU_MATMUL = own (the kernel table), packed (ours where it applies, else the
 * kernel table), onednn, or auto (faster_matmul when both apply). */
static WNNStatus prepare_matmul(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* fuse,
                                const WnnCpuPrepareEnv* env, WnnCpuPrepared** out) {
    Path p = path_of("WNN_CPU_MATMUL");
    WnnCpuPrepared *m = NULL, *d = NULL;
    WNNStatus s = WNNStatus_Success;
    if (p == PATH_OWN) return s;
    if (wnn_cpu_fuse_permuted(fuse)) { /* transposes read as strided views: oneDNN's matmul only */
        *out = NULL;
#ifdef WNN_HAVE_ONEDNN
        if (p != PATH_PACKED) s = wnn_onednn_matmul_prepare(ir, node, fuse, out);
#endif
        return s;
    }
    if (p != PATH_ONEDNN && (s = wnn_cpu_matmul_packed_prepare(ir, node, fuse, &m))) return s;
    if (p == PATH_PACKED) return *out = m, s;
#ifdef WNN_HAVE_ONEDNN
    if ((s = wnn_onednn_matmul_prepare(ir, node, fuse, &d))) {
        if (m) m->release(m);
        return s;
    }
#endif
    *out = m && d ? faster_matmul(ir, node, fuse, env->pool, m, d) : m ? m : d;
    return s;
}

#ifdef WNN_HAVE_ONEDNN
/* auto: oneDNN wherever it has a kernel. Measured on 2 AVX2 cores: its depthwise kernel wants a
 * blocked layout, and with the activations kept in it between steps (cpu_backend.c,
 * link_layouts) mobilenetv2 runs 3.7x faster than with our direct depthwise kernel in between. */
static int conv_auto_onednn(const WnnConvAttrs* a) {
    (void)a;
    return 1;
}

/* auto: Winograd F(2x2, 3x3) (onednn_winograd.c) is a candidate for 3x3 convs of at least 32
 * channels in and out and 12 x 12 output pixels; smaller ones were never faster. Whether it wins
 * depends on the machine: on 2 AVX2 cores it took seed_conv from 14.1 to 8.5 ms and resnet50 from
 * 45.0 to 43.6 ms, on 2 AVX-512 cores it is 2-4x slower than oneDNN's direct kernel on every
 * resnet50 layer (its batched products run at half the speed) and still faster on seed_conv. So
 * both are made and timed (pick_faster). */
static int conv_winograd_candidate(const WnnGraphIR* ir, const WnnNode* node) {
    const WnnConvAttrs* a = node->attrs;
    const WnnDesc* od = &ir->operands[node->outputs[0]].desc;
    size_t pixels = (size_t)od->shape[a->nhwc ? 1 : 2] * od->shape[a->nhwc ? 2 : 3];
    return wnn_onednn_winograd_fits(ir, node) && a->cin >= 32 && a->cout >= 32 && pixels >= 144;
}

/* Is operand id a graph input (or output)? A step there has no oneDNN neighbour to link with. */
static int at_edge(const WnnGraphIR* ir, int32_t id, int output) {
    uint32_t n = output ? ir->outputCount : ir->inputCount;
    for (uint32_t i = 0; i < n; i++)
        if ((int32_t)(output ? ir->outputIds[i] : ir->inputIds[i]) == id) return 1;
    return 0;
}

/* The NCHW Winograd (w) or the same on the NHWC transforms with reorders at the edges (v), the
 * faster by time; the other is released. */
static WnnCpuPrepared* faster_winograd(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* fuse,
                                       WnnThreadPool* pool, WnnCpuPrepared* w, WnnCpuPrepared* v) {
    double tw, tv;
    if (w->fused != v->fused) return v->release(v), w;
    wnn_cpu_time_two(ir, node, fuse, pool, w, v, &tw, &tv);
    if (wnn_cpu_verbose())
        fprintf(stderr, "WNN_CPU_VERBOSE: conv2d %s: winograd %.3f ms, winograd nhwc %.3f ms\n", node->label ? node->label : "", tw, tv);
    int keepV = tv >= 0 && tw >= 0 && tv < tw;
    WnnCpuPrepared* drop = keepV ? w : v;
    drop->release(drop);
    return keepV ? v : w;
}

/* The costs inside a graph of Winograd state w and of oneDNN's direct conv d (*costD), from timings
 * on scratch tensors (tl: d's linked, or -1; wnn_cpu_winograd_costs weighs them); -1: w failed to
 * run. w is timed linked only where it links like d (an NCHW graph's conv on the NHWC transforms
 * beside oneDNN's NHWC brgemm kernels on AVX-512). */
static double winograd_cost(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* fuse, WnnThreadPool* pool,
                            WnnCpuPrepared* w, WnnCpuPrepared* d, double tl, double* costD) {
    double tw = -1, td = -1, twl = -1;
    wnn_cpu_time_two(ir, node, fuse, pool, w, d, &tw, &td);
    const dnnl_memory_desc_t *wl = wnn_onednn_out_layout(w), *dl = wnn_onednn_out_layout(d);
    if (tl >= 0 && wl && dl && dnnl_memory_desc_equal(wl, dl)) twl = wnn_onednn_time_linked(w, ir, node, fuse, pool, 3);
    double costW = wnn_cpu_winograd_costs(tw, twl, td, tl, costD);
    if (wnn_cpu_verbose())
        fprintf(stderr, "WNN_CPU_VERBOSE: conv2d %s: %s %.3f ms (linked %.3f), %s %.3f ms (linked %.3f)\n",
                node->label ? node->label : "", w->path, tw, twl, d->path, td, tl);
    return tw >= 0 && w->fused == d->fused ? costW : -1;
}

/* The cheapest of the Winograd states w and v (v may be NULL: an NCHW graph's conv on the NHWC
 * transforms) and oneDNN's direct conv d (winograd_cost; ties and failed timings keep d). The
 * others are released. WNN_CPU_VERBOSE=1 prints the times. */
static WnnCpuPrepared* pick_faster(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* fuse,
                                   WnnThreadPool* pool, WnnCpuPrepared* w, WnnCpuPrepared* v, WnnCpuPrepared* d) {
    int32_t out = d->fused && fuse ? fuse->output : node->outputs[0];
    int edge = at_edge(ir, node->inputs[0], 0) && at_edge(ir, out, 1);
    double tl = !edge && wnn_onednn_out_layout(d) ? wnn_onednn_time_linked(d, ir, node, fuse, pool, 3) : -1;
    double dw = -1, dv = -1, cw = winograd_cost(ir, node, fuse, pool, w, d, tl, &dw), cv = -1;
    if (v) cv = winograd_cost(ir, node, fuse, pool, v, d, tl, &dv);
    double cd = dv >= 0 && dw >= 0 ? 0.5 * (dw + dv) : dw >= 0 ? dw : dv; /* d timed twice */
    WnnCpuPrepared* keep = d;
    double best = cd;
    if (cw >= 0 && best >= 0 && cw < best) keep = w, best = cw;
    if (cv >= 0 && best >= 0 && cv < best) keep = v, best = cv;
    if (wnn_cpu_verbose()) fprintf(stderr, "WNN_CPU_VERBOSE: conv2d %s: -> %s\n", node->label ? node->label : "", keep->path);
    WnnCpuPrepared* all[3] = {w, v, d};
    for (int i = 0; i < 3; i++)
        if (all[i] && all[i] != keep) all[i]->release(all[i]);
    return keep;
}
#endif

unsigned wnn_cpu_linked_tensors(void) {
#ifdef WNN_HAVE_ONEDNN
    return wnn_onednn_linked_count();
#else
    return 0;
#endif
}

unsigned wnn_cpu_plain_reorders(void) {
#ifdef WNN_HAVE_ONEDNN
    return wnn_onednn_plain_count();
#else
    return 0;
#endif
}

unsigned wnn_cpu_onednn_nodes(void) {
#ifdef WNN_HAVE_ONEDNN
    return wnn_onednn_prepared_count();
#else
    return 0;
#endif
}

WNNStatus wnn_cpu_prepare_node(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* fuse,
                               const WnnCpuPrepareEnv* env, WnnCpuPrepared** out) {
    *out = NULL;
#ifdef WNN_HAVE_ONEDNN
    if (node->op == WNN_OP_conv2d && node->inputCount >= 2 && node->inputs[1] >= 0) {
        Path p = path_of("WNN_CPU_CONV");
        WnnCpuPrepared* w = NULL;
        int wino = p == PATH_WINOGRAD || p == PATH_WINOGRAD_NHWC;
        if (p == PATH_WINOGRAD_NHWC) { /* where it fits, else as winograd */
            WNNStatus s = wnn_onednn_winograd_prepare(ir, node, fuse, 1, &w);
            if (s || w) return *out = w, s;
        }
        if (wino || (p == PATH_AUTO && conv_winograd_candidate(ir, node))) {
            WNNStatus s = wnn_onednn_winograd_prepare(ir, node, fuse, 0, &w);
            if (s || (w && wino)) return *out = w, s;
        }
        WnnCpuPrepared* v = NULL; /* an NCHW graph's conv also on the NHWC transforms */
        if (w && p == PATH_AUTO && wnn_cpu_tuning_allowed()) {
            WNNStatus s = wnn_onednn_winograd_prepare(ir, node, fuse, 1, &v);
            if (s) return w->release(w), s;
            if (v && v->fused != w->fused) v->release(v), v = NULL;
        }
        if (p == PATH_ONEDNN || wino || (p == PATH_AUTO && conv_auto_onednn(node->attrs))) {
            WNNStatus s = wnn_onednn_conv_prepare(ir, node, fuse, out);
            if (s) {
                if (w) w->release(w);
                if (v) v->release(v);
                return s;
            }
            if (*out && w && !wnn_cpu_tuning_allowed()) w->release(w), w = NULL; /* untimed: the direct conv */
            if (*out && w) *out = pick_faster(ir, node, fuse, env->pool, w, v, *out);
            if (*out) return WNNStatus_Success;
        }
        if (w && v) w = faster_winograd(ir, node, fuse, env->pool, w, v);
        if (w) return *out = w, WNNStatus_Success;
    }
    if (node->op == WNN_OP_convTranspose2d && path_of("WNN_CPU_CONV") != PATH_OWN) /* auto: where faster than ours */
        return wnn_onednn_deconv_prepare(ir, node, fuse, path_of("WNN_CPU_CONV") == PATH_AUTO ? env->pool : NULL, out);
    if ((node->op == WNN_OP_maxPool2d || node->op == WNN_OP_averagePool2d) && path_of("WNN_CPU_CONV") != PATH_OWN)
        return wnn_onednn_pool_prepare(ir, node, env->producer, out);
#endif
    if (node->op == WNN_OP_matmul || node->op == WNN_OP_gemm) return prepare_matmul(ir, node, fuse, env, out);
    return wnn_cpu_conv_prepare_own(ir, node, out);
}
