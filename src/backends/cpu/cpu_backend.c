/* cpu_backend.c: the CPU device: host buffers, compile (kernel binding and the memory plan) and
 * dispatch (runs the nodes in order, inline, on the context's thread pool). */
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "backends/cpu/conv_block.h"
#include "backends/cpu/conv_prepare.h"
#include "backends/cpu/cpu_fuse.h"
#include "backends/cpu/cpu_passes.h"
#include "backends/cpu/cpu_profile.h"
#include "backends/cpu/cpu_qdq.h"
#ifdef WNN_HAVE_ONEDNN
#include "backends/cpu/onednn.h"
#endif
#include "backends/cpu/cpu_kernels.h"
#include "compile/memory_plan.h"
#include "core/threadpool.h"

typedef struct CpuDevice {
    WnnDevice base;
    WnnThreadPool* pool;
} CpuDevice;

struct WnnBuffer {
    size_t bytes;
    void* data;
};

/* Where an operand's bytes live at dispatch. */
typedef enum { LOC_NONE, LOC_INPUT, LOC_OUTPUT, LOC_CONST, LOC_ARENA, LOC_ALIAS } LocKind;
typedef struct Loc {
    LocKind kind;
    size_t index; /* input/output binding index, arena offset, or the operand aliased */
} Loc;

struct WnnCompiled {
    const WnnGraphIR* ir; /* &fused.view: the graph with fused chains as single nodes */
    WnnCpuFusedIR fused;
    WnnCpuFolded folded; /* the graph with constant nodes evaluated (cpu_fold.c), under fused */
    Loc* locs;           /* per operand */
    void** ptrs;         /* per operand, filled at dispatch */
    WnnCpuTensor* views; /* per node: inputs then outputs, consecutive */
    size_t* viewStart;   /* per node */
    size_t* bytes;       /* per operand: its buffer's size when more than its descriptor's, else 0 */
    WnnCpuPrepared** prepared; /* per node: state built once from constants, or NULL (conv_prepare.h) */
    char* skip;                /* per node: 1 runs inside a chain's step, 2 an alias (cpu_passes.h) */
    void* arena;
    size_t arenaBytes;
    size_t scratchBytes; /* the worker threads' scratch its steps need: the largest step's x threads */
    WnnCpuProfile profile;
};

static WNNStatus cpu_device_open(uint32_t localIndex, const WnnDeviceOptions* options, WnnDevice** out) {
    CpuDevice* d = wnn_calloc(1, sizeof *d);
    if (!d) return wnn_error(WNNStatus_OutOfMemory, "createContext: out of memory");
    d->base.ops = &wnn_cpu_backend;
    d->pool = wnn_threadpool_create(options->threadCount);
    if (!d->pool) {
        free(d);
        return wnn_error(WNNStatus_OutOfMemory, "createContext: cannot start the thread pool");
    }
    *out = &d->base;
    return WNNStatus_Success;
}

static void cpu_device_close(WnnDevice* dev) {
    CpuDevice* d = (CpuDevice*)dev;
    wnn_threadpool_destroy(d->pool);
    free(d);
}

static WNNStatus cpu_buffer_alloc(WnnDevice* dev, size_t bytes, WnnBuffer** out) {
    WnnBuffer* b = wnn_malloc(sizeof *b);
    void* data = b ? wnn_aligned_alloc(bytes) : NULL;
    if (!data) {
        free(b);
        return wnn_error(WNNStatus_OutOfMemory, "createTensor: cannot allocate %zu bytes", bytes);
    }
    memset(data, 0, bytes);
    b->bytes = bytes;
    b->data = data;
    *out = b;
    return WNNStatus_Success;
}

static void cpu_buffer_free(WnnDevice* dev, WnnBuffer* b) {
    if (!b) return;
    wnn_aligned_free(b->data);
    free(b);
}

static WNNStatus cpu_buffer_write(WnnDevice* dev, WnnBuffer* b, const void* data, size_t bytes) {
    memcpy(b->data, data, bytes < b->bytes ? bytes : b->bytes);
    return WNNStatus_Success;
}

static WNNStatus cpu_buffer_read(WnnDevice* dev, WnnBuffer* b, void* data, size_t bytes) {
    memcpy(data, b->data, bytes < b->bytes ? bytes : b->bytes);
    return WNNStatus_Success;
}

static void cpu_compiled_free(WnnDevice* dev, WnnCompiled* c) {
    if (!c) return;
    if (c->profile.ms) {
        const char** paths = wnn_calloc(c->ir->nodeCount ? c->ir->nodeCount : 1, sizeof *paths);
        for (uint32_t k = 0; paths && k < c->ir->nodeCount; k++) paths[k] = c->skip && c->skip[k] ? (c->skip[k] == 1 ? "in a chain" : "alias") : c->prepared[k] ? c->prepared[k]->path : NULL;
        if (paths) wnn_cpu_profile_report(&c->profile, c->ir, paths);
        free(paths);
        free(c->profile.ms);
    }
    free(c->locs);
    free(c->ptrs);
    free(c->views);
    free(c->viewStart);
    free(c->bytes);
    free(c->skip);
    for (uint32_t k = 0; c->prepared && k < c->ir->nodeCount; k++)
        if (c->prepared[k]) c->prepared[k]->release(c->prepared[k]);
    free(c->prepared);
    wnn_cpu_fused_ir_free(&c->fused);
    wnn_cpu_folded_free(&c->folded);
    wnn_aligned_free(c->arena);
    free(c);
}

/* Assigns graph inputs, outputs and constants their locations, and plans the arena for the rest. */
static WNNStatus plan_locations(WnnCompiled* c) {
    const WnnGraphIR* ir = c->ir;
    for (uint32_t i = 0; i < ir->inputCount; i++) c->locs[ir->inputIds[i]] = (Loc){LOC_INPUT, i};
    for (uint32_t i = ir->outputCount; i-- > 0;) c->locs[ir->outputIds[i]] = (Loc){LOC_OUTPUT, i};
    for (uint32_t i = 0; i < ir->operandCount; i++)
        if (ir->operands[i].kind == WNN_OPERAND_CONSTANT && ir->operands[i].data) c->locs[i] = (Loc){LOC_CONST, 0};

    WnnPlanItem* items = wnn_calloc(ir->operandCount ? ir->operandCount : 1, sizeof *items);
    int32_t* itemOf = wnn_malloc(sizeof(int32_t) * (ir->operandCount ? ir->operandCount : 1));
    if (!items || !itemOf) {
        free(items);
        free(itemOf);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory planning memory");
    }
    size_t count = 0;
    int alias = wnn_cpu_pass_on("WNN_CPU_ALIAS");
    for (uint32_t i = 0; i < ir->operandCount; i++) itemOf[i] = -1;
    for (uint32_t k = 0; k < ir->nodeCount; k++) {
        const WnnNode* n = &ir->nodes[k];
        if (c->skip[k]) continue;
        if (alias && wnn_cpu_alias_candidate(ir, n, c->bytes) && c->locs[n->outputs[0]].kind == LOC_NONE &&
            c->locs[n->inputs[0]].kind != LOC_NONE) {
            /* an intermediate output: the input's bytes, alive as long as either is read */
            c->locs[n->outputs[0]] = (Loc){LOC_ALIAS, (size_t)n->inputs[0]};
            itemOf[n->outputs[0]] = itemOf[n->inputs[0]];
            if (itemOf[n->inputs[0]] >= 0) items[itemOf[n->inputs[0]]].last = k;
            c->skip[k] = 2;
            continue;
        }
        for (uint32_t j = 0; j < n->outputCount; j++) {
            uint32_t id = (uint32_t)n->outputs[j];
            if (c->locs[id].kind != LOC_NONE) continue;
            size_t bytes = (size_t)wnn_desc_bytes(&ir->operands[id].desc);
            if (c->bytes[id] > bytes) bytes = c->bytes[id];
            items[count] = (WnnPlanItem){bytes, k, k, 0};
            itemOf[id] = (int32_t)count++;
            c->locs[id].kind = LOC_ARENA;
        }
        for (uint32_t j = 0; j < n->inputCount; j++) {
            int32_t id = n->inputs[j];
            if (id >= 0 && itemOf[id] >= 0) items[itemOf[id]].last = k;
        }
    }
    c->arenaBytes = wnn_memory_plan(items, count, 64);
    for (uint32_t i = 0; i < ir->operandCount; i++)
        if (c->locs[i].kind == LOC_ARENA) c->locs[i].index = items[itemOf[i]].offset;
    free(items);
    free(itemOf);
    if (c->arenaBytes) {
        c->arena = wnn_aligned_alloc(c->arenaBytes);
        if (!c->arena) return wnn_error(WNNStatus_OutOfMemory, "build: cannot allocate %zu bytes", c->arenaBytes);
    }
    return WNNStatus_Success;
}

/* Records that node k's state prep[k] runs chain f: the nodes it absorbs are marked, and any of them
 * before k (a transpose it reads through) loses the state it was prepared with. */
static void take_chain(uint32_t k, const WnnCpuFusion* f, WnnCpuPrepared** prep, WnnCpuFusion* fused, char* absorbed,
                       const WnnCpuPrepared** madeBy) {
    fused[k] = *f;
    madeBy[f->output] = prep[k];
    for (uint32_t j = 0; j < f->absorbedCount; j++) {
        uint32_t a = f->absorbed[j];
        absorbed[a] = 1;
        if (a < k && prep[a]) prep[a]->release(prep[a]), prep[a] = NULL;
    }
}

/* Prepares every node of ir (prep[k]), offering conv2d / convTranspose2d / matmul / gemm the chain after them; the
 * chains their states take in are recorded in fused[k]. */
static WNNStatus prepare_nodes(const WnnGraphIR* ir, WnnThreadPool* pool, WnnCpuPrepared** prep, WnnCpuFusion* fused) {
    uint32_t* uses = NULL;
    const char* env = getenv("WNN_CPU_FUSE"); /* "0": no fusion (tests compare both) */
    int fuse = !env || strcmp(env, "0") != 0;
    const char* benv = getenv("WNN_CPU_BLOCK"); /* "0": no fused blocks (conv_block.h) */
    int block = !benv || strcmp(benv, "0") != 0;
    WNNStatus s = wnn_cpu_fuse_uses(ir, &uses);
    char* absorbed = s ? NULL : wnn_calloc(ir->nodeCount ? ir->nodeCount : 1, 1);
    /* madeBy[i]: the state that writes operand i (the end of a fused chain included) */
    const WnnCpuPrepared** madeBy = s ? NULL : wnn_calloc(ir->operandCount ? ir->operandCount : 1, sizeof *madeBy);
    if (!s && (!absorbed || !madeBy)) s = wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    for (uint32_t k = 0; !s && k < ir->nodeCount; k++) {
        const WnnNode* n = &ir->nodes[k];
        if (absorbed[k]) continue;
        WnnCpuFusion f;
        WnnCpuQdq q;
        int offer = 0;
        if (wnn_cpu_qdq_candidate(ir, uses, k, &f, &q)) { /* a quantized layer as one int8 step */
            if ((s = wnn_cpu_qdq_prepare(ir, n, &f, &q, &prep[k]))) break;
            if (prep[k]) {
                fused[k] = f;
                for (uint32_t j = 0; j < f.absorbedCount; j++) {
                    absorbed[f.absorbed[j]] = 1;
                    if (prep[f.absorbed[j]]) prep[f.absorbed[j]]->release(prep[f.absorbed[j]]);
                    prep[f.absorbed[j]] = NULL; /* a dequantizeLinear before k: prepared, now dropped */
                }
                continue;
            }
        }
        WnnCpuBlock blk;
        if (fuse && block && wnn_cpu_block_candidate(ir, uses, k, &f, &blk)) { /* an inverted-residual block as one step */
            if ((s = wnn_cpu_block_prepare(ir, &blk, &prep[k]))) break;
            if (prep[k]) {
                take_chain(k, &f, prep, fused, absorbed, madeBy);
                continue;
            }
        }
        if (fuse && (n->op == WNN_OP_conv2d || n->op == WNN_OP_convTranspose2d || n->op == WNN_OP_matmul || n->op == WNN_OP_gemm)) {
            wnn_cpu_fuse_candidate(ir, uses, k, &f);
            offer = f.absorbedCount > 0;
        }
        WnnCpuPrepareEnv penv = {pool, n->inputCount && n->inputs[0] >= 0 ? madeBy[n->inputs[0]] : NULL};
        WnnCpuFusion ft = f;
        if (fuse && n->op == WNN_OP_matmul && wnn_cpu_fuse_transposes(ir, uses, k, &ft)) {
            /* the transposes around a matmul as strided views, else the chain alone */
            if ((s = wnn_cpu_prepare_node(ir, n, &ft, &penv, &prep[k]))) break;
            if (prep[k] && !prep[k]->fused) prep[k]->release(prep[k]), prep[k] = NULL;
            if (prep[k]) f = ft, offer = 1;
        }
        if (!prep[k] && (s = wnn_cpu_prepare_node(ir, n, offer ? &f : NULL, &penv, &prep[k]))) break;
        for (uint32_t j = 0; j < n->outputCount; j++) madeBy[n->outputs[j]] = prep[k];
        if (offer && prep[k] && prep[k]->fused) take_chain(k, &f, prep, fused, absorbed, madeBy);
    }
    if (!s) wnn_cpu_qdq_fold_shared(ir, prep, fused, absorbed);
    free(uses);
    free(absorbed);
    free(madeBy);
    return s;
}

#ifdef WNN_HAVE_ONEDNN
/* A node that computes each element from the same element of its inputs, all of one shape, and
 * keeps zeros zero: it may run on buffers in oneDNN's blocked layout as flat arrays. */
static int layout_free(const WnnGraphIR* ir, const WnnNode* n, const WnnCpuPrepared* p) {
    if (p || n->outputCount != 1 || (n->op != WNN_OP_add && n->op != WNN_OP_relu && n->op != WNN_OP_clamp)) return 0;
    const WnnDesc* od = &ir->operands[n->outputs[0]].desc;
    if (od->type != WNNOperandDataType_Float32) return 0;
    for (uint32_t j = 0; j < n->inputCount; j++) {
        if (n->inputs[j] < 0) continue;
        const WnnIrOperand* o = &ir->operands[n->inputs[j]];
        if (o->kind != WNN_OPERAND_NODE_OUTPUT || !wnn_desc_equal(&o->desc, od)) return 0;
    }
    return 1;
}

static uint32_t find(uint32_t* parent, uint32_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
}

/* Operands passed between oneDNN steps that all want the same internal layout stay in it
 * (onednn.h, wnn_onednn_link): no reorder out and back in between. Operands joined by layout-free
 * element-wise nodes (a residual add, a relu) form one region, linked all or nothing: every
 * operand in the arena, every producer a oneDNN step or a layout-free node of the region, every
 * reader a oneDNN step (once, as its input 0 or its residual) or a layout-free node of the region. */
static void link_layouts(WnnCompiled* c) {
    const WnnGraphIR* ir = c->ir;
    uint32_t no = ir->operandCount, nn = ir->nodeCount;
    uint32_t* parent = wnn_malloc(sizeof(uint32_t) * (no ? no : 1));
    char* bad = wnn_calloc(no ? no : 1, 1);
    char* free_ = wnn_calloc(nn ? nn : 1, 1);
    WnnCpuPrepared** prod = wnn_malloc(sizeof(WnnCpuPrepared*) * (nn ? nn : 1));
    WnnCpuPrepared** cons = wnn_malloc(sizeof(WnnCpuPrepared*) * 2 * (nn ? nn : 1));
    int* asSide = wnn_malloc(sizeof(int) * 2 * (nn ? nn : 1));
    if (!parent || !bad || !free_ || !prod || !cons || !asSide) goto done; /* linking is an optimisation only */
    for (uint32_t i = 0; i < no; i++) parent[i] = i;
    for (uint32_t k = 0; k < nn; k++) {
        const WnnNode* n = &ir->nodes[k];
        if (!(free_[k] = (char)layout_free(ir, n, c->prepared[k]))) continue;
        for (uint32_t j = 0; j < n->inputCount; j++)
            if (n->inputs[j] >= 0) parent[find(parent, (uint32_t)n->inputs[j])] = find(parent, (uint32_t)n->outputs[0]);
    }
    /* Disqualify regions: graph outputs, operands not made by a node, readers or writers of
     * another kind. */
    for (uint32_t i = 0; i < ir->outputCount; i++) bad[find(parent, ir->outputIds[i])] = 1;
    for (uint32_t i = 0; i < no; i++)
        if (ir->operands[i].kind != WNN_OPERAND_NODE_OUTPUT) bad[find(parent, i)] = 1;
    for (uint32_t k = 0; k < nn; k++) {
        const WnnNode* n = &ir->nodes[k];
        int one = c->prepared[k] && c->prepared[k]->onednn;
        for (uint32_t j = 0; j < n->outputCount; j++)
            if (!one && !free_[k]) bad[find(parent, (uint32_t)n->outputs[j])] = 1;
        int side = one ? wnn_onednn_side_arg(c->prepared[k]) : -1;
        for (uint32_t j = 0; j < n->inputCount; j++)
            if (n->inputs[j] >= 0 && !free_[k] && !(one && (j == 0 || (int)j == side)))
                bad[find(parent, (uint32_t)n->inputs[j])] = 1;
        for (uint32_t j = 1; one && j < n->inputCount; j++) /* read twice, not as input and residual */
            if (n->inputs[j] == n->inputs[0] && (int)j != side) bad[find(parent, (uint32_t)n->inputs[0])] = 1;
    }
    for (uint32_t r = 0; r < no; r++) {
        if (find(parent, r) != r || bad[r] || ir->operands[r].kind != WNN_OPERAND_NODE_OUTPUT) continue;
        size_t np = 0, nc = 0, members = 0;
        for (uint32_t k = 0; k < nn; k++) {
            const WnnNode* n = &ir->nodes[k];
            if (free_[k] || !c->prepared[k] || !c->prepared[k]->onednn) continue;
            int side = wnn_onednn_side_arg(c->prepared[k]);
            if (find(parent, (uint32_t)n->outputs[0]) == r) prod[np++] = c->prepared[k];
            if (n->inputs[0] >= 0 && find(parent, (uint32_t)n->inputs[0]) == r) asSide[nc] = 0, cons[nc++] = c->prepared[k];
            if (side > 0 && n->inputs[side] >= 0 && find(parent, (uint32_t)n->inputs[side]) == r)
                asSide[nc] = 1, cons[nc++] = c->prepared[k];
        }
        for (uint32_t i = 0; i < no; i++) members += find(parent, i) == r;
        size_t plain = (size_t)wnn_desc_bytes(&ir->operands[r].desc);
        size_t bytes = wnn_onednn_link(prod, np, cons, asSide, nc, members > 1 ? plain : 0);
        for (uint32_t i = 0; bytes && i < no; i++)
            if (find(parent, i) == r) c->bytes[i] = bytes;
    }
done:
    free(parent);
    free(bad);
    free(free_);
    free(prod);
    free(cons);
    free(asSide);
}
#else
static void link_layouts(WnnCompiled* c) { (void)c; }
#endif

static WNNStatus cpu_compile(WnnDevice* dev, const WnnGraphIR* ir, WnnCompiled** out) {
    WnnCompiled* c = wnn_calloc(1, sizeof *c);
    if (!c) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    c->ir = ir;
    uint32_t nn = ir->nodeCount ? ir->nodeCount : 1;
#ifdef WNN_HAVE_ONEDNN
    /* oneDNN fixes a primitive's thread split when it is created: make them for this context's
     * thread count (set on this thread; dispatch sets it again on the dispatching one). */
    wnn_onednn_set_threads(((CpuDevice*)dev)->pool);
#endif
    WNNStatus s = WNNStatus_Success;
    if (wnn_cpu_pass_on("WNN_CPU_FOLD") && !(s = wnn_cpu_fold(ir, ((CpuDevice*)dev)->pool, &c->folded))) ir = &c->folded.view;
    WnnCpuPrepared** prep = wnn_calloc(nn, sizeof *prep);
    WnnCpuFusion* fused = wnn_calloc(nn, sizeof *fused);
    if (!s) s = prep && fused ? prepare_nodes(ir, ((CpuDevice*)dev)->pool, prep, fused) : wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    if (!s) s = wnn_cpu_fused_ir(ir, fused, &c->fused);
    if (s) {
        for (uint32_t k = 0; prep && k < ir->nodeCount; k++)
            if (prep[k]) prep[k]->release(prep[k]);
        free(prep);
        free(fused);
        wnn_cpu_folded_free(&c->folded);
        free(c);
        return s;
    }
    free(fused);
    WnnCpuPassStats stats = {0};
    stats.folded = c->folded.count;
    stats.fused = ir->nodeCount - c->fused.view.nodeCount;
    ir = c->ir = &c->fused.view;
    c->locs = wnn_calloc(ir->operandCount ? ir->operandCount : 1, sizeof(Loc));
    c->ptrs = wnn_calloc(ir->operandCount ? ir->operandCount : 1, sizeof(void*));
    c->viewStart = wnn_calloc(ir->nodeCount ? ir->nodeCount : 1, sizeof(size_t));
    c->bytes = wnn_calloc(ir->operandCount ? ir->operandCount : 1, sizeof(size_t));
    c->skip = wnn_calloc(ir->nodeCount ? ir->nodeCount : 1, 1);
    c->prepared = prep; /* re-indexed to the view's nodes below (origin[k] >= k) */
    size_t scratch = 0;
    for (uint32_t k = 0; k < ir->nodeCount; k++) {
        WnnCpuPrepared* p = prep[c->fused.origin[k]];
        prep[c->fused.origin[k]] = NULL;
        prep[k] = p;
        if (p && p->threadScratch > scratch) scratch = p->threadScratch;
    }
    c->scratchBytes = scratch * wnn_threadpool_size(((CpuDevice*)dev)->pool);
    if (!c->locs || !c->ptrs || !c->viewStart || !c->bytes || !c->skip) {
        cpu_compiled_free(dev, c);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    }
    link_layouts(c);
    if (wnn_cpu_pass_on("WNN_CPU_CHAIN"))
        s = wnn_cpu_chain(&c->fused.view, c->prepared, c->skip, c->bytes, &stats.chains, &stats.chained);
    size_t views = 0; /* after the chains: their steps read more inputs */
    for (uint32_t k = 0; k < ir->nodeCount; k++) views += ir->nodes[k].inputCount + ir->nodes[k].outputCount;
    if (!s && !(c->views = wnn_calloc(views ? views : 1, sizeof(WnnCpuTensor))))
        s = wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    if (s || (s = plan_locations(c)) || (s = wnn_cpu_profile_init(&c->profile, ir->nodeCount))) {
        cpu_compiled_free(dev, c);
        return s;
    }
    for (uint32_t k = 0; k < ir->nodeCount; k++) {
        stats.steps += !c->skip[k];
        stats.aliases += c->skip[k] == 2;
    }
    wnn_cpu_set_last_stats(&stats);
    views = 0;
    for (uint32_t k = 0; k < ir->nodeCount; k++) {
        c->viewStart[k] = views;
        views += ir->nodes[k].inputCount + ir->nodes[k].outputCount;
    }
    *out = c;
    return WNNStatus_Success;
}

static WNNStatus cpu_dispatch(WnnDevice* dev, WnnCompiled* c, WnnBuffer* const* inputs, WnnBuffer* const* outputs) {
    CpuDevice* d = (CpuDevice*)dev;
    const WnnGraphIR* ir = c->ir;
    for (uint32_t i = 0; i < ir->operandCount; i++) {
        switch (c->locs[i].kind) {
            case LOC_INPUT: c->ptrs[i] = inputs[c->locs[i].index]->data; break;
            case LOC_OUTPUT: c->ptrs[i] = outputs[c->locs[i].index]->data; break;
            case LOC_CONST: c->ptrs[i] = (void*)ir->operands[i].data; break;
            case LOC_ARENA: c->ptrs[i] = (char*)c->arena + c->locs[i].index; break;
            default: c->ptrs[i] = NULL; break;
        }
    }
    for (uint32_t k = 0; k < ir->nodeCount; k++) /* in node order: an alias of an alias */
        if (c->skip[k] == 2) c->ptrs[ir->nodes[k].outputs[0]] = c->ptrs[ir->nodes[k].inputs[0]];
    for (uint32_t k = 0; k < ir->nodeCount; k++) {
        const WnnNode* n = &ir->nodes[k];
        if (c->skip[k]) continue;
        WnnCpuTensor* v = c->views + c->viewStart[k];
        for (uint32_t j = 0; j < n->inputCount; j++) {
            int32_t id = n->inputs[j];
            v[j].data = id >= 0 ? c->ptrs[id] : NULL;
            v[j].desc = id >= 0 ? &ir->operands[id].desc : NULL;
        }
        WnnCpuTensor* o = v + n->inputCount;
        for (uint32_t j = 0; j < n->outputCount; j++) {
            o[j].data = c->ptrs[n->outputs[j]];
            o[j].desc = &ir->operands[n->outputs[j]].desc;
        }
        WnnCpuKernelArgs args = {n, v, o, d->pool};
        double t0 = c->profile.ms ? wnn_cpu_profile_now_ms() : 0;
        WNNStatus s = c->prepared[k] ? c->prepared[k]->run(c->prepared[k], &args) : wnn_cpu_kernels[n->op](&args);
        if (s) return s;
        if (c->profile.ms) wnn_cpu_profile_add(&c->profile, k, wnn_cpu_profile_now_ms() - t0);
    }
    c->profile.runs += c->profile.ms != NULL;
    /* One operand built under several output names: copy it to the other outputs. */
    for (uint32_t i = 0; i < ir->outputCount; i++) {
        uint32_t id = ir->outputIds[i];
        if (c->locs[id].index != i)
            memcpy(outputs[i]->data, c->ptrs[id], (size_t)wnn_desc_bytes(&ir->operands[id].desc));
    }
    return WNNStatus_Success;
}

static size_t cpu_compiled_arena_bytes(const WnnCompiled* c) { return c->arenaBytes; }

/* The folded constants, every node's prepared state and the worker threads' scratch. */
static size_t cpu_compiled_prepared_bytes(const WnnCompiled* c) {
    size_t total = 0;
    for (uint32_t i = 0; c->folded.data && i < c->folded.view.operandCount; i++)
        if (c->folded.data[i]) total += (size_t)wnn_desc_bytes(&c->folded.view.operands[i].desc);
    for (uint32_t k = 0; c->prepared && k < c->ir->nodeCount; k++)
        if (c->prepared[k]) total += c->prepared[k]->bytes;
    return total + c->scratchBytes;
}

const WnnBackendOps wnn_cpu_backend = {
    "cpu",
    cpu_device_open,
    cpu_device_close,
    cpu_buffer_alloc,
    cpu_buffer_free,
    cpu_buffer_write,
    cpu_buffer_read,
    cpu_compile,
    cpu_compiled_free,
    cpu_dispatch,
    NULL, /* the CPU runs every node */
    NULL, /* interop: a CPU context's tensors reach CUDA code through staging (runtime/interop.c) */
    NULL,
    NULL,
    NULL,
    NULL, /* the CPU is never lost */
    NULL, /* host memory: plain aligned memory */
    NULL,
    cpu_compiled_arena_bytes,
    cpu_compiled_prepared_bytes,
};
