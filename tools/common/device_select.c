/* device_select.c: see device_select.h. */
#include "device_select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int g_tf32;
void wds_allow_tf32(int on) { g_tf32 = on; }

int wds_create_context(const char* device, WNNContext* ctx) {
    WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
    o.allowReducedPrecisionFloat32 = g_tf32 != 0;
    if (!device || strcmp(device, "default") == 0) {
        /* the spec's default policy */
    } else if (strcmp(device, "cpu") == 0) {
        o.adapterIndex = wnnSomeUint32(0);
    } else if (strcmp(device, "cuda") == 0 || strcmp(device, "gpu") == 0) {
        uint32_t n = wnnGetAdapterCount(), i;
        WNNAdapterInfo info;
        const char* why = "no GPU adapter is present";
        for (i = 0; i < n; i++) {
            wnnGetAdapterInfo(i, &info);
            if (info.kind != WNNAdapterKind_Gpu) continue;
            if (info.available) break;
            why = info.unavailableReason;
        }
        if (i == n) {
            fprintf(stderr, "--device %s: no usable GPU adapter (%s)\n", device, why);
            return 1;
        }
        o.adapterIndex = wnnSomeUint32(i);
    } else {
        fprintf(stderr, "--device: unknown device '%s' (cpu, cuda, gpu, default)\n", device);
        return 1;
    }
    if (wnnCreateContext(&o, ctx)) {
        fprintf(stderr, "createContext(%s): %s\n", device ? device : "default", wnnGetLastErrorMessage());
        return 1;
    }
    return 0;
}

const char* wds_shared_dir(char* buf, size_t size) {
    const char* env = getenv("WNN_SHARED_DIR");
    if (env && env[0]) {
        snprintf(buf, size, "%s", env);
        return buf;
    }
    /* From the project root, ../shared; from build/, ../../shared. */
    snprintf(buf, size, access("../shared/conformance", F_OK) == 0 ? "../shared" : "../../shared");
    return buf;
}
