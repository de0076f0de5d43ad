/* graph_json.c: builds and runs a JSON graph through the public API (see graph_json.h). */
#include "graph_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

typedef struct Named {
    char* name;
    WNNOperand operand;
} Named;

typedef struct Port {
    char* name;
    WtdTensor data;
    WNNTensor tensor;
    /* The bytes moved to or from the tensor, in the context's host memory (page-locked on a GPU, as
     * PyTorch's pinned buffers): an input's copy of data, or an output's data itself. NULL when
     * none could be had (then data serves). */
    void* host;
} Port;

struct WgjGraph {
    WNNContext ctx;
    WNNGraphBuilder builder;
    WNNGraph graph;
    Named* names;
    size_t nameCount, nameCap;
    Port* inputs;
    size_t inputCount;
    Port* outputs;
    size_t outputCount;
};

static int g_float16;
void wgj_use_float16(int on) { g_float16 = on; }

/* Converts a float32 tensor to float16 in place (the --fp16 benchmark variant). */
static int to_float16(WtdTensor* t) {
    if (!g_float16 || t->type != WNNOperandDataType_Float32) return 0;
    uint16_t* h = malloc(sizeof(uint16_t) * (t->count ? t->count : 1));
    if (!h) return -1;
    for (size_t i = 0; i < t->count; i++) h[i] = wnn_float_to_half(((const float*)t->data)[i]);
    free(t->data);
    t->data = h;
    t->type = WNNOperandDataType_Float16;
    return 0;
}

static WNNOperand lookup(void* ctx, const char* name) {
    WgjGraph* g = ctx;
    for (size_t i = g->nameCount; i-- > 0;)
        if (strcmp(g->names[i].name, name) == 0) return g->names[i].operand;
    return NULL;
}

static int add_name(WgjGraph* g, const char* name, WNNOperand x) {
    if (g->nameCount == g->nameCap) {
        size_t cap = g->nameCap ? g->nameCap * 2 : 16;
        Named* p = realloc(g->names, cap * sizeof *p);
        if (!p) return -1;
        g->names = p;
        g->nameCap = cap;
    }
    g->names[g->nameCount].name = strdup(name);
    g->names[g->nameCount++].operand = x;
    return 0;
}

void wgj_free(WgjGraph* g) {
    if (!g) return;
    for (size_t i = 0; i < g->nameCount; i++) free(g->names[i].name);
    free(g->names);
    for (size_t i = 0; i < g->inputCount; i++) {
        free(g->inputs[i].name);
        wtd_free(&g->inputs[i].data);
        wnnTensorRelease(g->inputs[i].tensor);
        wnnContextFreeHostMemory(g->ctx, g->inputs[i].host);
    }
    for (size_t i = 0; i < g->outputCount; i++) {
        free(g->outputs[i].name);
        if (g->outputs[i].host) g->outputs[i].data.data = NULL; /* not malloc's */
        wtd_free(&g->outputs[i].data);
        wnnTensorRelease(g->outputs[i].tensor);
        wnnContextFreeHostMemory(g->ctx, g->outputs[i].host);
    }
    free(g->inputs);
    free(g->outputs);
    wnnGraphRelease(g->graph);
    wnnGraphBuilderRelease(g->builder);
    free(g);
}

static WNNStatus add_inputs(WgjGraph* g, const cJSON* inputs, char* err, size_t errSize) {
    g->inputs = calloc((size_t)cJSON_GetArraySize(inputs) + 1, sizeof(Port));
    for (const cJSON* in = inputs->child; in; in = in->next) {
        WtdTensor t;
        char why[256];
        if (wtd_parse_descriptor(cJSON_GetObjectItemCaseSensitive(in, "descriptor"), &t, why, sizeof why) ||
            wtd_fill(&t, cJSON_GetObjectItemCaseSensitive(in, "data"), why, sizeof why) || to_float16(&t)) {
            snprintf(err, errSize, "input '%s': %s", in->string, why);
            wtd_free(&t);
            return WNNStatus_UnknownError;
        }
        WNNOperandDescriptor d = {t.type, t.shape, t.rank};
        WNNOperand x = NULL;
        WNNStatus s;
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "constant"))) {
            s = wnnGraphBuilderConstant(g->builder, &d, t.data, wtd_byte_length(&t), &x);
            wtd_free(&t);
        } else {
            s = wnnGraphBuilderInput(g->builder, in->string, &d, &x);
            Port* p = &g->inputs[g->inputCount++];
            p->name = strdup(in->string);
            p->data = t;
        }
        if (s) {
            snprintf(err, errSize, "input '%s': %s", in->string, wnnGetLastErrorMessage());
            return s;
        }
        add_name(g, in->string, x);
    }
    return WNNStatus_Success;
}

WNNStatus wgj_build(WNNContext ctx, const cJSON* graph, WgjGraph** out, char* err, size_t errSize) {
    *out = NULL;
    WgjGraph* g = calloc(1, sizeof *g);
    g->ctx = ctx;
    WNNStatus s = wnnCreateGraphBuilder(ctx, &g->builder);
    if (s) {
        snprintf(err, errSize, "createGraphBuilder: %s", wnnGetLastErrorMessage());
        wgj_free(g);
        return s;
    }
    const cJSON* inputs = cJSON_GetObjectItemCaseSensitive(graph, "inputs");
    const cJSON* ops = cJSON_GetObjectItemCaseSensitive(graph, "operators");
    const cJSON* expected = cJSON_GetObjectItemCaseSensitive(graph, "expectedOutputs");
    if (!cJSON_IsObject(inputs) || !cJSON_IsArray(ops) || !cJSON_IsObject(expected)) {
        snprintf(err, errSize, "graph needs inputs, operators and expectedOutputs");
        wgj_free(g);
        return WNNStatus_UnknownError;
    }
    if ((s = add_inputs(g, inputs, err, errSize))) {
        wgj_free(g);
        return s;
    }
    int index = 0;
    for (const cJSON* op = ops->child; op; op = op->next, index++) {
        const cJSON* name = cJSON_GetObjectItemCaseSensitive(op, "name");
        const cJSON* outputs = cJSON_GetObjectItemCaseSensitive(op, "outputs");
        WNNOperand outs[16];
        size_t n = 0;
        char why[512];
        s = wgj_call_op(g->builder, cJSON_IsString(name) ? name->valuestring : "", cJSON_GetObjectItemCaseSensitive(op, "arguments"),
                        lookup, g, outs, 16, &n, why, sizeof why);
        if (s) {
            snprintf(err, errSize, "operator %d (%s): %s", index, cJSON_IsString(name) ? name->valuestring : "?", why);
            wgj_free(g);
            return s;
        }
        if (cJSON_IsString(outputs)) {
            add_name(g, outputs->valuestring, outs[0]);
        } else if (cJSON_IsArray(outputs)) {
            size_t k = 0;
            for (const cJSON* o = outputs->child; o && k < n; o = o->next, k++) add_name(g, o->valuestring, outs[k]);
        }
    }
    size_t nout = (size_t)cJSON_GetArraySize(expected), k = 0;
    WNNNamedOperand* named = calloc(nout + 1, sizeof *named);
    g->outputs = calloc(nout + 1, sizeof(Port));
    for (const cJSON* e = expected->child; e; e = e->next, k++) {
        named[k].name = e->string;
        named[k].operand = lookup(g, e->string);
        g->outputs[k].name = strdup(e->string);
    }
    g->outputCount = nout;
    s = wnnGraphBuilderBuild(g->builder, named, nout, &g->graph);
    free(named);
    if (s) {
        snprintf(err, errSize, "build: %s", wnnGetLastErrorMessage());
        wgj_free(g);
        return s;
    }
    *out = g;
    return WNNStatus_Success;
}

WNNStatus wgj_write_inputs(WgjGraph* g, char* err, size_t errSize) {
    for (size_t i = 0; i < g->inputCount; i++) {
        Port* p = &g->inputs[i];
        if (!p->tensor) {
            WNNTensorDescriptor d = {p->data.type, p->data.shape, p->data.rank, false, true, false};
            if (wnnContextCreateTensor(g->ctx, &d, &p->tensor)) {
                snprintf(err, errSize, "createTensor '%s': %s", p->name, wnnGetLastErrorMessage());
                return WNNStatus_OperationError;
            }
            size_t bytes = (size_t)wnnTensorGetByteLength(p->tensor);
            if (bytes && wnnContextAllocateHostMemory(g->ctx, bytes, &p->host) == WNNStatus_Success)
                memcpy(p->host, p->data.data, bytes);
        }
        WNNStatus s = wnnContextWriteTensor(g->ctx, p->tensor, p->host ? p->host : p->data.data,
                                            (size_t)wnnTensorGetByteLength(p->tensor));
        if (s) {
            snprintf(err, errSize, "writeTensor '%s': %s", p->name, wnnGetLastErrorMessage());
            return s;
        }
    }
    return WNNStatus_Success;
}

WNNStatus wgj_dispatch_and_read(WgjGraph* g, char* err, size_t errSize) {
    WNNNamedTensor* ins = calloc(g->inputCount + 1, sizeof *ins);
    WNNNamedTensor* outs = calloc(g->outputCount + 1, sizeof *outs);
    WNNStatus s = WNNStatus_Success;
    for (size_t i = 0; i < g->inputCount; i++) ins[i] = (WNNNamedTensor){g->inputs[i].name, g->inputs[i].tensor};
    for (size_t i = 0; i < g->outputCount && !s; i++) {
        Port* p = &g->outputs[i];
        if (!p->tensor) {
            WNNOperandDescriptor od;
            const char* name = NULL;
            for (uint32_t k = 0; k < wnnGraphGetOutputCount(g->graph); k++) {
                wnnGraphGetOutput(g->graph, k, &name, &od);
                if (strcmp(name, p->name) == 0) break;
            }
            WNNTensorDescriptor d = {od.dataType, od.shape, od.rank, true, false, false};
            p->data.type = od.dataType;
            p->data.rank = od.rank;
            p->data.count = 1;
            for (uint32_t a = 0; a < od.rank; a++) p->data.count *= (p->data.shape[a] = od.shape[a]);
            if ((s = wnnContextCreateTensor(g->ctx, &d, &p->tensor))) {
                snprintf(err, errSize, "createTensor '%s': %s", p->name, wnnGetLastErrorMessage());
                break;
            }
            size_t bytes = (size_t)wnnTensorGetByteLength(p->tensor);
            if (bytes && wnnContextAllocateHostMemory(g->ctx, bytes, &p->host) == WNNStatus_Success)
                p->data.data = memset(p->host, 0, bytes);
            else
                p->data.data = calloc(1, bytes ? bytes : 1);
        }
        outs[i] = (WNNNamedTensor){p->name, p->tensor};
    }
    if (!s && (s = wnnContextDispatch(g->ctx, g->graph, ins, g->inputCount, outs, g->outputCount)))
        snprintf(err, errSize, "dispatch: %s", wnnGetLastErrorMessage());
    for (size_t i = 0; i < g->outputCount && !s; i++) {
        Port* p = &g->outputs[i];
        if ((s = wnnContextReadTensor(g->ctx, p->tensor, p->data.data, (size_t)wnnTensorGetByteLength(p->tensor))))
            snprintf(err, errSize, "readTensor '%s': %s", p->name, wnnGetLastErrorMessage());
    }
    free(ins);
    free(outs);
    return s;
}

WNNStatus wgj_run(WgjGraph* g, char* err, size_t errSize) {
    WNNStatus s = wgj_write_inputs(g, err, errSize);
    return s ? s : wgj_dispatch_and_read(g, err, errSize);
}

size_t wgj_output_count(const WgjGraph* g) { return g->outputCount; }
const char* wgj_output_name(const WgjGraph* g, size_t i) { return g->outputs[i].name; }
const WtdTensor* wgj_output(const WgjGraph* g, size_t i) { return &g->outputs[i].data; }

WNNStatus wgj_partition_info(const WgjGraph* g, WNNGraphPartitionInfo* info) { return wnnGraphGetPartitionInfo(g->graph, info); }
WNNStatus wgj_memory_info(const WgjGraph* g, WNNGraphMemoryInfo* info) { return wnnGraphGetMemoryInfo(g->graph, info); }

WNNStatus wgj_dispatch_only(WgjGraph* g, char* err, size_t errSize) {
    WNNNamedTensor ins[64], outs[64];
    if (g->inputCount > 64 || g->outputCount > 64) return WNNStatus_NotSupportedError;
    for (size_t i = 0; i < g->inputCount; i++) ins[i] = (WNNNamedTensor){g->inputs[i].name, g->inputs[i].tensor};
    for (size_t i = 0; i < g->outputCount; i++) outs[i] = (WNNNamedTensor){g->outputs[i].name, g->outputs[i].tensor};
    WNNStatus s = wnnContextDispatch(g->ctx, g->graph, ins, g->inputCount, outs, g->outputCount);
    if (s) snprintf(err, errSize, "dispatch: %s", wnnGetLastErrorMessage());
    return s;
}
