/* Compiled as C99 and C11 with -pedantic -Werror: the public header must stay portable. */
#include <webnn/webnn.h>
#include <webnn/webnn_cuda.h>

int use_header(void);
int use_header(void) {
    WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
    WNNConv2dOptions c = WNN_CONV2D_OPTIONS_INIT;
    WNNGruOptions g = WNN_GRU_OPTIONS_INIT;
    WNNNumber n = wnnNumberInt64(-3);
    o.adapterIndex = wnnSomeUint32(0);
    c.groups = wnnSomeUint32(2);
    return (int)o.adapterIndex.value + (int)c.groups.value + (int)n.asInt64 + (int)g.returnSequence;
}
