/* error.c: the thread-local last-error message and status names. */
#include <stdio.h>

#include "core/core.h"

static _Thread_local char g_message[1024];

WNNStatus wnn_verror(WNNStatus status, const char* fmt, va_list ap) {
    vsnprintf(g_message, sizeof g_message, fmt, ap);
    return status;
}

WNNStatus wnn_error(WNNStatus status, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    wnn_verror(status, fmt, ap);
    va_end(ap);
    return status;
}

WNN_EXPORT const char* wnnGetLastErrorMessage(void) { return g_message; }

WNN_EXPORT const char* wnnStatusName(WNNStatus status) {
    switch (status) {
        case WNNStatus_Success: return "Success";
        case WNNStatus_TypeError: return "TypeError";
        case WNNStatus_InvalidStateError: return "InvalidStateError";
        case WNNStatus_NotSupportedError: return "NotSupportedError";
        case WNNStatus_OperationError: return "OperationError";
        case WNNStatus_OutOfMemory: return "OutOfMemory";
        case WNNStatus_DeviceLost: return "DeviceLost";
        case WNNStatus_UnknownError: return "UnknownError";
        case WNNStatus_DataError: return "DataError";
    }
    return "InvalidStatus";
}
