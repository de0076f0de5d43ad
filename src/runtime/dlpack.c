/* dlpack.c: webnn_dlpack.h on top of the CUDA rent cycle (interop.c). Compiled when dlpack.h is
 * found (Debian's libdlpack-dev). */
#ifdef WNN_HAVE_DLPACK
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"
#include "webnn/webnn_dlpack.h"

static const struct {
    WNNOperandDataType type;
    uint8_t code, bits;
} k_types[] = {
    {WNNOperandDataType_Float32, kDLFloat, 32}, {WNNOperandDataType_Float16, kDLFloat, 16},
    {WNNOperandDataType_Int32, kDLInt, 32},     {WNNOperandDataType_Uint32, kDLUInt, 32},
    {WNNOperandDataType_Int64, kDLInt, 64},     {WNNOperandDataType_Uint64, kDLUInt, 64},
    {WNNOperandDataType_Int8, kDLInt, 8},       {WNNOperandDataType_Uint8, kDLUInt, 8},
};

/* What an exported DLManagedTensor carries: the rent and the shape storage. */
typedef struct ExportCtx {
    DLManagedTensor managed;
    WNNCudaExportedTensor exported;
    struct CUstream_st* consumerStream;
    int64_t shape[WNN_MAX_RANK];
} ExportCtx;

static void export_deleter(DLManagedTensor* self) {
    ExportCtx* x = self->manager_ctx;
    wnnCudaExportedTensorReturn(x->exported, x->consumerStream);
    free(x);
}

WNN_EXPORT WNNStatus wnnContextExportDLPack(WNNContext ctx, WNNTensor t, struct CUstream_st* consumerStream,
                                            DLManagedTensor** out) {
    if (!out) return wnn_error(WNNStatus_TypeError, "exportDLPack: out-pointer is NULL");
    *out = NULL;
    if (!ctx || !t) return wnn_error(WNNStatus_TypeError, "exportDLPack: context or tensor is NULL");
    ExportCtx* x = calloc(1, sizeof *x);
    if (!x) return wnn_error(WNNStatus_OutOfMemory, "exportDLPack: out of memory");
    int device = wnnContextGetCudaDevice(ctx);
    WNNCudaConsumer consumer = {device >= 0 ? device : 0, consumerStream};
    WNNCudaExportInfo info;
    WNNStatus s = wnnContextExportToCuda(ctx, t, &consumer, &x->exported, &info);
    if (s) {
        free(x);
        return s;
    }
    x->consumerStream = consumerStream;
    DLTensor* dl = &x->managed.dl_tensor;
    dl->data = info.devicePointer;
    dl->device.device_type = kDLCUDA;
    dl->device.device_id = info.device;
    dl->ndim = (int)t->desc.rank;
    for (uint32_t i = 0; i < t->desc.rank; i++) x->shape[i] = t->desc.shape[i];
    dl->shape = x->shape;
    dl->strides = NULL; /* dense row-major */
    for (size_t i = 0; i < sizeof k_types / sizeof k_types[0]; i++)
        if (k_types[i].type == t->desc.type) dl->dtype = (DLDataType){k_types[i].code, k_types[i].bits, 1};
    x->managed.manager_ctx = x;
    x->managed.deleter = export_deleter;
    *out = &x->managed;
    return WNNStatus_Success;
}

static void import_release(void* pointer, void* user) {
    (void)pointer;
    DLManagedTensor* m = user;
    if (m->deleter) m->deleter(m);
}

WNN_EXPORT WNNStatus wnnContextImportDLPack(WNNContext ctx, DLManagedTensor* m, struct CUstream_st* producerStream,
                                            bool readable, bool writable, WNNTensor* out) {
    if (!out) return wnn_error(WNNStatus_TypeError, "importDLPack: out-pointer is NULL");
    *out = NULL;
    if (!ctx || !m) return wnn_error(WNNStatus_TypeError, "importDLPack: context or tensor is NULL");
    const DLTensor* dl = &m->dl_tensor;
    if (dl->device.device_type != kDLCUDA && dl->device.device_type != kDLCUDAManaged)
        return wnn_error(WNNStatus_TypeError, "importDLPack: the tensor is not in CUDA memory (device type %d)",
                         (int)dl->device.device_type);
    if (dl->device.device_id != wnnContextGetCudaDevice(ctx))
        return wnn_error(WNNStatus_TypeError, "importDLPack: the tensor is on CUDA device %d, the context on %d",
                         (int)dl->device.device_id, wnnContextGetCudaDevice(ctx));
    if (dl->ndim < 0 || dl->ndim > WNN_MAX_RANK)
        return wnn_error(WNNStatus_TypeError, "importDLPack: rank %d is not supported", dl->ndim);
    WNNOperandDataType type = WNNOperandDataType_Undefined;
    for (size_t i = 0; i < sizeof k_types / sizeof k_types[0]; i++)
        if (dl->dtype.code == k_types[i].code && dl->dtype.bits == k_types[i].bits && dl->dtype.lanes == 1)
            type = k_types[i].type;
    if (!type)
        return wnn_error(WNNStatus_TypeError, "importDLPack: data type (code %u, %u bits, %u lanes) has no WebNN type",
                         dl->dtype.code, dl->dtype.bits, dl->dtype.lanes);
    uint32_t shape[WNN_MAX_RANK];
    int64_t expected = 1;
    for (int d = dl->ndim - 1; d >= 0; d--) {
        if (dl->shape[d] < 0 || dl->shape[d] > UINT32_MAX)
            return wnn_error(WNNStatus_TypeError, "importDLPack: dimension %d is %lld", d, (long long)dl->shape[d]);
        /* Strides of size-1 dimensions do not matter; others must be the dense row-major ones. */
        if (dl->strides && dl->shape[d] != 1 && dl->strides[d] != expected)
            return wnn_error(WNNStatus_TypeError, "importDLPack: the tensor is not dense row-major (dimension %d has "
                             "stride %lld, expected %lld)", d, (long long)dl->strides[d], (long long)expected);
        shape[d] = (uint32_t)dl->shape[d];
        expected *= dl->shape[d];
    }
    WNNTensorDescriptor desc = {type, shape, (uint32_t)dl->ndim, readable, writable, false};
    uint64_t bytes = (uint64_t)expected * (dl->dtype.bits / 8);
    return wnnContextImportCudaMemory(ctx, &desc, (char*)dl->data + dl->byte_offset, bytes, producerStream,
                                      import_release, m, out);
}
#endif
