/* tools_version.c: the version string the tools print (keeps the tools' common library non-empty). */
#include "webnn/webnn.h"

#define WNN_STR2(x) #x
#define WNN_STR(x) WNN_STR2(x)

const char* wnn_tools_version(void);
const char* wnn_tools_version(void) {
    return WNN_STR(WNN_VERSION_MAJOR) "." WNN_STR(WNN_VERSION_MINOR) "." WNN_STR(WNN_VERSION_PATCH);
}
