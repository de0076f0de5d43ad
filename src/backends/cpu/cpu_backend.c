/* cpu_backend.c: the CPU device: host buffers, compile (kernel binding and the memory plan) and
 * dispatch (runs the nodes in order, inline, on the context's thread pool). */
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "backends/cpu/conv_prepare.h"
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
typedef enum { LOC_NONE, LOC_INPUT, LOC_OUTPUT, LOC_CONST, LOC_ARENA } LocKind;
typedef struct Loc {
    LocKind kind;
    size_t index; /* input/output binding index, or arena offset */
} Loc;

struct WnnCompiled {
    const WnnGraphIR* ir;
    Loc* locs;           /* per operand */
    void** ptrs;         /* per operand, filled at dispatch */
    WnnCpuTensor* views; /* per node: inputs then outputs, consecutive */
    size_t* viewStart;   /* per node */
    WnnCpuPrepared** prepared; /* per node: state built once from constants, or NULL (conv_prepare.h) */
    void* arena;
    size_t arenaBytes;
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
    free(c->locs);
    free(c->ptrs);
    free(c->views);
    free(c->viewStart);
    for (uint32_t k = 0; c->prepared && k < c->ir->nodeCount; k++)
        if (c->prepared[k]) c->prepared[k]->release(c->prepared[k]);
    free(c->prepared);
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
    for (uint32_t k = 0; k < ir->nodeCount; k++) {
        const WnnNode* n = &ir->nodes[k];
        for (uint32_t j = 0; j < n->outputCount; j++) {
            uint32_t id = (uint32_t)n->outputs[j];
            itemOf[id] = -1;
            if (c->locs[id].kind != LOC_NONE) continue;
            items[count] = (WnnPlanItem){(size_t)wnn_desc_bytes(&ir->operands[id].desc), k, k, 0};
            itemOf[id] = (int32_t)count++;
            c->locs[id].kind = LOC_ARENA;
        }
        for (uint32_t j = 0; j < n->inputCount; j++) {
            int32_t id = n->inputs[j];
            if (id >= 0 && c->locs[id].kind == LOC_ARENA) items[itemOf[id]].last = k;
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

static WNNStatus cpu_compile(WnnDevice* dev, const WnnGraphIR* ir, WnnCompiled** out) {
    WnnCompiled* c = wnn_calloc(1, sizeof *c);
    if (!c) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    c->ir = ir;
    size_t views = 0;
    for (uint32_t k = 0; k < ir->nodeCount; k++) views += ir->nodes[k].inputCount + ir->nodes[k].outputCount;
    c->locs = wnn_calloc(ir->operandCount ? ir->operandCount : 1, sizeof(Loc));
    c->ptrs = wnn_calloc(ir->operandCount ? ir->operandCount : 1, sizeof(void*));
    c->views = wnn_calloc(views ? views : 1, sizeof(WnnCpuTensor));
    c->viewStart = wnn_calloc(ir->nodeCount ? ir->nodeCount : 1, sizeof(size_t));
    c->prepared = wnn_calloc(ir->nodeCount ? ir->nodeCount : 1, sizeof(WnnCpuPrepared*));
    if (!c->locs || !c->ptrs || !c->views || !c->viewStart || !c->prepared) {
        cpu_compiled_free(dev, c);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    }
    WNNStatus s = plan_locations(c);
    if (s) {
        cpu_compiled_free(dev, c);
        return s;
    }
    views = 0;
    for (uint32_t k = 0; k < ir->nodeCount; k++) {
        c->viewStart[k] = views;
        views += ir->nodes[k].inputCount + ir->nodes[k].outputCount;
        if ((s = wnn_cpu_prepare_node(ir, &ir->nodes[k], &c->prepared[k]))) {
            cpu_compiled_free(dev, c);
            return s;
        }
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
    for (uint32_t k = 0; k < ir->nodeCount; k++) {
        const WnnNode* n = &ir->nodes[k];
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
        WNNStatus s = c->prepared[k] ? c->prepared[k]->run(c->prepared[k], &args) : wnn_cpu_kernels[n->op](&args);
        if (s) return s;
    }
    /* One operand built under several output names: copy it to the other outputs. */
    for (uint32_t i = 0; i < ir->outputCount; i++) {
        uint32_t id = ir->outputIds[i];
        if (c->locs[id].index != i)
            memcpy(outputs[i]->data, c->ptrs[id], (size_t)wnn_desc_bytes(&ir->operands[id].desc));
    }
    return WNNStatus_Success;
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
};
