// Compiled as C++17 with -pedantic -Werror: the public header must work from C++.
#include <webnn/webnn.h>
#include <webnn/webnn_cuda.h>

int use_header_cxx();
int use_header_cxx() {
    WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
    WNNLstmOptions l = WNN_LSTM_OPTIONS_INIT;
    WNNClampOptions c = WNN_CLAMP_OPTIONS_INIT;
    c.minValue = wnnNumberDouble(0.0);
    o.accelerated = WNNOptionalBool_False;
    return static_cast<int>(o.accelerated) + static_cast<int>(l.returnSequence) + static_cast<int>(c.minValue.type);
}
