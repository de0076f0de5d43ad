/* wnn-info: lists the adapters (and why one is unavailable) and prints a context's
 * opSupportLimits as JSON.   wnn-info [--device cpu|cuda|default] [--limits-only] */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_select.h"
#include "webnn/webnn.h"
#include "webnn/webnn_cuda.h"

static cJSON* type_list(uint32_t mask) {
    static const char* const names[] = {"", "float32", "float16", "int32", "uint32", "int64", "uint64", "int8", "uint8"};
    cJSON* a = cJSON_CreateArray();
    for (int t = 1; t < WNN_DATA_TYPE_COUNT; t++)
        if (mask & (1u << t)) cJSON_AddItemToArray(a, cJSON_CreateString(names[t]));
    return a;
}

static cJSON* limits_json(const WNNTensorLimits* l) {
    cJSON* o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "dataTypes", type_list(l->dataTypes));
    cJSON* r = cJSON_AddObjectToObject(o, "rankRange");
    cJSON_AddNumberToObject(r, "min", l->rankMin);
    cJSON_AddNumberToObject(r, "max", l->rankMax);
    return o;
}

/* Which CUDA devices read which others' memory in place (zero-copy exports between them). */
static void print_peer_access(void) {
    int devices[16], n = 0, ordinal = 0; /* CUDA adapters are listed in device order */
    for (uint32_t i = 0; i < wnnGetAdapterCount() && n < 16; i++) {
        WNNAdapterInfo a;
        wnnGetAdapterInfo(i, &a);
        if (strcmp(a.backend, "cuda") != 0) continue;
        if (a.available) devices[n++] = ordinal;
        ordinal++;
    }
    if (n < 2) return;
    printf("CUDA peer access (row: consumer, column: owner; yes = zero-copy export, copy = through a copy):\n     ");
    for (int j = 0; j < n; j++) printf(" gpu%-3d", devices[j]);
    printf("\n");
    for (int i = 0; i < n; i++) {
        printf("  gpu%-3d", devices[i]);
        for (int j = 0; j < n; j++)
            printf(" %-6s", i == j ? "-" : wnnCudaCanAccessPeer(devices[i], devices[j]) ? "yes" : "copy");
        printf("\n");
    }
}

int main(int argc, char** argv) {
    const char* device = "default";
    int limitsOnly = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--device") == 0 && i + 1 < argc) device = argv[++i];
        else if (strcmp(argv[i], "--limits-only") == 0) limitsOnly = 1;
        else {
            fprintf(stderr, "usage: wnn-info [--device cpu|cuda|default] [--limits-only]\n");
            return 2;
        }
    }
    if (!limitsOnly) {
        printf("adapters:\n");
        for (uint32_t i = 0; i < wnnGetAdapterCount(); i++) {
            WNNAdapterInfo a;
            wnnGetAdapterInfo(i, &a);
            printf("  [%u] %-4s %-40s %s", i, a.backend, a.name, a.available ? "available" : "unavailable");
            if (!a.available) printf(" (%s)", a.unavailableReason);
            if (a.memoryBytes) printf(", %.1f GiB", (double)a.memoryBytes / (1024.0 * 1024.0 * 1024.0));
            printf("\n");
        }
        print_peer_access();
    }
    WNNContext ctx = NULL;
    if (wds_create_context(device, &ctx)) return 1;
    WNNAdapterInfo info;
    wnnContextGetAdapterInfo(ctx, &info);
    WNNOpSupportLimits lim;
    wnnContextGetOpSupportLimits(ctx, &lim);
    cJSON* root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "adapter", info.name);
    cJSON_AddStringToObject(root, "preferredInputLayout", lim.preferredInputLayout == WNNInputOperandLayout_Nhwc ? "nhwc" : "nchw");
    cJSON_AddNumberToObject(root, "maxTensorByteLength", (double)lim.maxTensorByteLength);
    cJSON_AddItemToObject(root, "input", limits_json(&lim.input));
    cJSON_AddItemToObject(root, "constant", limits_json(&lim.constant));
    cJSON_AddItemToObject(root, "output", limits_json(&lim.output));
    for (uint32_t i = 0; i < wnnGetOperatorCount(); i++) {
        const char* op = wnnGetOperatorName(i);
        cJSON* o = cJSON_AddObjectToObject(root, op);
        for (uint32_t j = 0; j < wnnGetOperatorOperandCount(op); j++) {
            const char* slot = wnnGetOperatorOperandName(op, j);
            WNNTensorLimits l;
            wnnContextGetOperandLimits(ctx, op, slot, &l);
            cJSON_AddItemToObject(o, slot, limits_json(&l));
        }
    }
    char* text = cJSON_Print(root);
    printf("%s\n", text);
    free(text);
    cJSON_Delete(root);
    wnnContextRelease(ctx);
    return 0;
}
