/* exec_plan.c: see exec_plan.h. Device 0 is the context's device, device 1 the CPU fallback. */
#include "runtime/exec_plan.h"

#include <stdlib.h>
#include <string.h>

#include "compile/partition.h"

typedef struct PlanSegment {
    WnnDevice* device;
    int fallback;
    const WnnGraphIR* ir;
    WnnCompiled* compiled;
    WnnBuffer** in;  /* per segment input, filled at dispatch */
    WnnBuffer** out; /* per segment output */
} PlanSegment;

struct WnnExecPlan {
    WNNContext ctx;
    const WnnGraphIR* ir;
    WnnCompiled* whole; /* the single-device case */
    WnnPartition part;
    PlanSegment* segs;
    WnnBuffer** buf[2];   /* per operand and device: intermediate copies */
    uint8_t* valid[2];    /* per dispatch: operand holds current data on that device */
    int32_t* producer;    /* per operand: device of the segment that writes it, -1 */
    WnnBuffer* const* boundIn;
    WnnBuffer* const* boundOut;
    int32_t* inputIndex;  /* per operand: graph input index or -1 */
    int32_t* outputIndex; /* per operand: first graph output index or -1 */
    void* staging;
    size_t stagingBytes;
    uint32_t copies;
};

static WnnDevice* device_of(const WnnExecPlan* p, int d) { return d ? p->ctx->fallback : p->ctx->device; }

static bool supports(void* c, const WnnGraphIR* ir, const WnnNode* n) {
    WnnDevice* dev = c;
    return dev->ops->supports(dev, ir, n);
}

void wnn_plan_free(WnnExecPlan* p) {
    if (!p) return;
    if (p->whole) p->ctx->device->ops->compiled_free(p->ctx->device, p->whole);
    for (uint32_t i = 0; p->segs && i < p->part.segmentCount; i++) {
        PlanSegment* s = &p->segs[i];
        if (s->compiled) s->device->ops->compiled_free(s->device, s->compiled);
        free(s->in);
        free(s->out);
    }
    for (int d = 0; d < 2; d++) {
        for (uint32_t i = 0; p->buf[d] && i < p->ir->operandCount; i++)
            if (p->buf[d][i]) device_of(p, d)->ops->buffer_free(device_of(p, d), p->buf[d][i]);
        free(p->buf[d]);
        free(p->valid[d]);
    }
    wnn_partition_free(&p->part);
    free(p->segs);
    free(p->producer);
    free(p->inputIndex);
    free(p->outputIndex);
    free(p->staging);
    free(p);
}

/* A buffer for operand x on device d, allocated once. */
static WNNStatus ensure_buffer(WnnExecPlan* p, int d, uint32_t x) {
    if (p->buf[d][x]) return WNNStatus_Success;
    size_t bytes = (size_t)wnn_desc_bytes(&p->ir->operands[x].desc);
    if (bytes > p->stagingBytes) p->stagingBytes = bytes;
    return device_of(p, d)->ops->buffer_alloc(device_of(p, d), bytes, &p->buf[d][x]);
}

static WNNStatus build_segments(WnnExecPlan* p) {
    const WnnGraphIR* ir = p->ir;
    uint32_t n = ir->operandCount;
    p->segs = calloc(p->part.segmentCount, sizeof(PlanSegment));
    for (int d = 0; d < 2; d++) {
        p->buf[d] = calloc(n + 1, sizeof(WnnBuffer*));
        p->valid[d] = calloc(n + 1, 1);
    }
    p->producer = malloc(sizeof(int32_t) * (n + 1));
    p->inputIndex = malloc(sizeof(int32_t) * (n + 1));
    p->outputIndex = malloc(sizeof(int32_t) * (n + 1));
    if (!p->segs || !p->buf[0] || !p->buf[1] || !p->valid[0] || !p->valid[1] || !p->producer || !p->inputIndex ||
        !p->outputIndex)
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    for (uint32_t i = 0; i < n; i++) p->producer[i] = p->inputIndex[i] = p->outputIndex[i] = -1;
    for (uint32_t i = 0; i < ir->inputCount; i++) p->inputIndex[ir->inputIds[i]] = (int32_t)i;
    for (uint32_t i = ir->outputCount; i-- > 0;) p->outputIndex[ir->outputIds[i]] = (int32_t)i;
    for (uint32_t k = 0; k < p->part.segmentCount; k++) {
        PlanSegment* s = &p->segs[k];
        const WnnSegment* seg = &p->part.segments[k];
        s->fallback = seg->fallback;
        s->device = device_of(p, seg->fallback);
        s->ir = seg->ir;
        s->in = calloc(seg->ir->inputCount + 1, sizeof(WnnBuffer*));
        s->out = calloc(seg->ir->outputCount + 1, sizeof(WnnBuffer*));
        if (!s->in || !s->out) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
        WNNStatus st = s->device->ops->compile(s->device, seg->ir, &s->compiled);
        if (st) return st;
        int d = seg->fallback;
        /* Inputs that are not the bound graph inputs of device 0 need a buffer on this device. */
        for (uint32_t i = 0; i < seg->ir->inputCount; i++) {
            uint32_t x = seg->ir->inputIds[i];
            if (!(d == 0 && p->inputIndex[x] >= 0) && (st = ensure_buffer(p, d, x))) return st;
            if (p->inputIndex[x] >= 0 && (st = ensure_buffer(p, 1, x))) return st; /* staging size */
        }
        for (uint32_t i = 0; i < seg->ir->outputCount; i++) {
            uint32_t y = seg->ir->outputIds[i];
            p->producer[y] = d;
            if (!(d == 0 && p->outputIndex[y] >= 0) && (st = ensure_buffer(p, d, y))) return st;
        }
    }
    p->staging = malloc(p->stagingBytes + 1);
    return p->staging ? WNNStatus_Success : wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
}

WNNStatus wnn_plan_create(WNNContext ctx, const WnnGraphIR* ir, WnnExecPlan** out) {
    *out = NULL;
    WnnExecPlan* p = calloc(1, sizeof *p);
    if (!p) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    p->ctx = ctx;
    p->ir = ir;
    WnnDevice* dev = ctx->device;
    WNNStatus s = wnn_partition(ir, dev->ops->supports ? supports : NULL, dev, &p->part);
    if (!s && p->part.fallbackNodes == 0) {
        s = dev->ops->compile(dev, ir, &p->whole);
    } else if (!s) {
        WnnDeviceOptions cpu = {0, false, NULL, false};
        if (!ctx->fallback) s = wnn_cpu_backend.device_open(0, &cpu, &ctx->fallback);
        if (!s) s = build_segments(p);
    }
    if (s) {
        wnn_plan_free(p);
        return s;
    }
    *out = p;
    return WNNStatus_Success;
}

/* The buffer holding operand x on device d now (bound tensors first), or NULL. */
static WnnBuffer* resident(const WnnExecPlan* p, int d, uint32_t x) {
    if (d == 0 && p->inputIndex[x] >= 0) return p->boundIn[p->inputIndex[x]];
    if (d == 0 && p->outputIndex[x] >= 0 && p->producer[x] == 0) return p->valid[0][x] ? p->boundOut[p->outputIndex[x]] : NULL;
    return p->valid[d][x] ? p->buf[d][x] : NULL;
}

/* Copies operand x between devices through host memory. */
static WNNStatus copy(WnnExecPlan* p, WnnBuffer* from, int fromDev, WnnBuffer* to, int toDev, uint32_t x) {
    size_t bytes = (size_t)wnn_desc_bytes(&p->ir->operands[x].desc);
    WNNStatus s = device_of(p, fromDev)->ops->buffer_read(device_of(p, fromDev), from, p->staging, bytes);
    if (!s) s = device_of(p, toDev)->ops->buffer_write(device_of(p, toDev), to, p->staging, bytes);
    p->copies++;
    return s;
}

WNNStatus wnn_plan_dispatch(WnnExecPlan* p, WnnBuffer* const* inputs, WnnBuffer* const* outputs) {
    if (p->whole) return p->ctx->device->ops->dispatch(p->ctx->device, p->whole, inputs, outputs);
    const WnnGraphIR* ir = p->ir;
    p->boundIn = inputs;
    p->boundOut = outputs;
    p->copies = 0;
    memset(p->valid[0], 0, ir->operandCount);
    memset(p->valid[1], 0, ir->operandCount);
    WNNStatus s = WNNStatus_Success;
    for (uint32_t k = 0; k < p->part.segmentCount && !s; k++) {
        PlanSegment* seg = &p->segs[k];
        int d = seg->fallback;
        for (uint32_t i = 0; i < seg->ir->inputCount && !s; i++) {
            uint32_t x = seg->ir->inputIds[i];
            WnnBuffer* here = resident(p, d, x);
            if (!here) { /* it lives on the other device: bring it over */
                WnnBuffer* there = resident(p, 1 - d, x);
                if (!there) return wnn_error(WNNStatus_OperationError, "dispatch: internal: operand %u has no data", x);
                here = p->buf[d][x];
                s = copy(p, there, 1 - d, here, d, x);
                p->valid[d][x] = 1;
            }
            seg->in[i] = here;
        }
        for (uint32_t i = 0; i < seg->ir->outputCount; i++) {
            uint32_t y = seg->ir->outputIds[i];
            seg->out[i] = d == 0 && p->outputIndex[y] >= 0 ? outputs[p->outputIndex[y]] : p->buf[d][y];
            p->valid[d][y] = 1;
        }
        if (!s) s = seg->device->ops->dispatch(seg->device, seg->compiled, seg->in, seg->out);
    }
    /* Graph outputs made on the CPU, and outputs bound twice to one operand, reach their tensors. */
    for (uint32_t i = 0; i < ir->outputCount && !s; i++) {
        uint32_t y = ir->outputIds[i];
        int d = p->producer[y];
        WnnBuffer* from = d == 1 ? p->buf[1][y] : outputs[p->outputIndex[y]];
        if (d == 1 || p->outputIndex[y] != (int32_t)i) s = copy(p, from, d, outputs[i], 0, y);
    }
    return s;
}

void wnn_plan_info(const WnnExecPlan* p, uint32_t* segments, uint32_t* fallbackNodes, uint32_t* copies) {
    if (segments) *segments = p->whole ? 1 : p->part.segmentCount;
    if (fallbackNodes) *fallbackNodes = p->part.fallbackNodes;
    if (copies) *copies = p->copies;
}

/* A compiled graph's arena (prepared = 0) or prepared state (1), as its backend reports it. */
static uint64_t bytes_of(WnnDevice* device, const WnnCompiled* compiled, int prepared) {
    size_t (*f)(const WnnCompiled*) = prepared ? device->ops->compiled_prepared_bytes : device->ops->compiled_arena_bytes;
    return compiled && f ? f(compiled) : 0;
}

static uint64_t plan_bytes(const WnnExecPlan* p, int prepared) {
    if (p->whole) return bytes_of(p->ctx->device, p->whole, prepared);
    uint64_t total = 0;
    for (uint32_t k = 0; p->segs && k < p->part.segmentCount; k++)
        total += bytes_of(p->segs[k].device, p->segs[k].compiled, prepared);
    return total;
}

uint64_t wnn_plan_arena_bytes(const WnnExecPlan* p) { return plan_bytes(p, 0); }
uint64_t wnn_plan_prepared_bytes(const WnnExecPlan* p) { return plan_bytes(p, 1); }
