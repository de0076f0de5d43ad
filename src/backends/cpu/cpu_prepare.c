/* cpu_prepare.c: which path runs a conv2d / matmul / gemm (conv_prepare.h). With oneDNN built in,
 * WNN_CPU_CONV (own | onednn | winograd | auto) and WNN_CPU_MATMUL (own | onednn | auto), read at
 * each build so tests can switch,
 * force a path (WNN_CPU_CONV covers maxPool2d and averagePool2d too); auto takes oneDNN where conv_auto_onednn says it wins. WNN_CPU_FUSE=0 turns the
 * build-time fusion off (cpu_fuse.h). A node oneDNN cannot run
 * (a filter that is not constant, ...) takes ours whatever the setting; float16 runs on oneDNN in
 * float32, converted at the step's edges (onednn_f16.c). */
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/conv_prepare.h"
#include "graph/ops/conv.h"
#ifdef WNN_HAVE_ONEDNN
#include "backends/cpu/onednn.h"

typedef enum { PATH_AUTO, PATH_OWN, PATH_ONEDNN, PATH_WINOGRAD } Path;

static Path path_of(const char* var) {
    const char* v = getenv(var);
    if (v && !strcmp(v, "own")) return PATH_OWN;
    if (v && !strcmp(v, "onednn")) return PATH_ONEDNN;
    if (v && !strcmp(v, "winograd")) return PATH_WINOGRAD;
    return PATH_AUTO;
}

/* auto: oneDNN wherever it has a kernel. Measured on 2 AVX2 cores: its depthwise kernel wants a
 * blocked layout, and with the activations kept in it between steps (cpu_backend.c,
 * link_layouts) mobilenetv2 runs 3.7x faster than with our direct depthwise kernel in between. */
static int conv_auto_onednn(const WnnConvAttrs* a) {
    (void)a;
    return 1;
}

/* auto: Winograd F(2x2, 3x3) (onednn_winograd.c) for 3x3 convs of at least 32 channels in and out
 * and 12 x 12 output pixels. Measured on 2 AVX2 cores: seed_conv 14.1 -> 8.5 ms (NCHW), 13.3 ->
 * 7.5 ms (NHWC); resnet50 45.0 -> 43.6 ms although its reorders around the plain-layout transforms
 * come back; smaller convs were not faster. */
static int conv_auto_winograd(const WnnGraphIR* ir, const WnnNode* node) {
    const WnnConvAttrs* a = node->attrs;
    const WnnDesc* od = &ir->operands[node->outputs[0]].desc;
    size_t pixels = (size_t)od->shape[a->nhwc ? 1 : 2] * od->shape[a->nhwc ? 2 : 3];
    return wnn_onednn_winograd_fits(ir, node) && a->cin >= 32 && a->cout >= 32 && pixels >= 144;
}
#endif

unsigned wnn_cpu_onednn_nodes(void) {
#ifdef WNN_HAVE_ONEDNN
    return wnn_onednn_prepared_count();
#else
    return 0;
#endif
}

WNNStatus wnn_cpu_prepare_node(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* fuse,
                               WnnCpuPrepared** out) {
    *out = NULL;
#ifdef WNN_HAVE_ONEDNN
    if (node->op == WNN_OP_conv2d && node->inputCount >= 2 && node->inputs[1] >= 0) {
        Path p = path_of("WNN_CPU_CONV");
        if (p == PATH_WINOGRAD || (p == PATH_AUTO && conv_auto_winograd(ir, node))) {
            WNNStatus s = wnn_onednn_winograd_prepare(ir, node, fuse, out);
            if (s || *out) return s;
        }
        if (p == PATH_ONEDNN || p == PATH_WINOGRAD || (p == PATH_AUTO && conv_auto_onednn(node->attrs))) {
            WNNStatus s = wnn_onednn_conv_prepare(ir, node, fuse, out);
            if (s || *out) return s;
        }
    }
    if ((node->op == WNN_OP_maxPool2d || node->op == WNN_OP_averagePool2d) && path_of("WNN_CPU_CONV") != PATH_OWN)
        return wnn_onednn_pool_prepare(ir, node, out);
    if ((node->op == WNN_OP_matmul || node->op == WNN_OP_gemm) && path_of("WNN_CPU_MATMUL") != PATH_OWN)
        return wnn_onednn_matmul_prepare(ir, node, fuse, out);
#else
    (void)fuse;
#endif
    return wnn_cpu_conv_prepare_own(ir, node, out);
}
