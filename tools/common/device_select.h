/* device_select.h: --device NAME for the tools: cpu, cuda/gpu (the first GPU adapter), or default. */
#ifndef WNN_TOOLS_DEVICE_SELECT_H_
#define WNN_TOOLS_DEVICE_SELECT_H_

#include <stddef.h>

#include "webnn/webnn.h"

/* Creates a context on the named device; on failure prints why to stderr and returns non-zero. */
int wds_create_context(const char* device, WNNContext* ctx);
/* Contexts created afterwards allow reduced-precision (TF32) float32 math. */
void wds_allow_tf32(int on);
/* Path of the shared corpus directory: $WNN_SHARED_DIR, else ../shared beside the working
 * directory's project, written into buf. */
const char* wds_shared_dir(char* buf, size_t size);

#endif
