#!/usr/bin/env python3
"""PyTorch and WebNN sharing GPU memory through DLPack, with no copies.

A torch tensor becomes a WebNN graph input in place (wnnContextImportDLPack), WebNN computes
relu(x) * 2 into an exportable tensor, and torch reads that output in place
(wnnContextExportDLPack + torch.utils.dlpack.from_dlpack). Pointer equality proves there was no copy;
changing the torch input and dispatching again proves WebNN reads torch's memory.

    python3 examples/torch_dlpack.py [path/to/libwebnn.so]

Needs PyTorch with CUDA and libwebnn built with its CUDA backend (libwebnn_cuda.so beside it).
"""
import ctypes as C
import os
import sys

import torch
import torch.utils.dlpack


class DLDevice(C.Structure):
    _fields_ = [("device_type", C.c_int32), ("device_id", C.c_int32)]


class DLDataType(C.Structure):
    _fields_ = [("code", C.c_uint8), ("bits", C.c_uint8), ("lanes", C.c_uint16)]


class DLTensor(C.Structure):
    _fields_ = [("data", C.c_void_p), ("device", DLDevice), ("ndim", C.c_int32), ("dtype", DLDataType),
                ("shape", C.POINTER(C.c_int64)), ("strides", C.POINTER(C.c_int64)), ("byte_offset", C.c_uint64)]


class DLManagedTensor(C.Structure):
    _fields_ = [("dl_tensor", DLTensor), ("manager_ctx", C.c_void_p), ("deleter", C.c_void_p)]


class OperandDescriptor(C.Structure):
    _fields_ = [("dataType", C.c_int), ("shape", C.POINTER(C.c_uint32)), ("rank", C.c_uint32)]


class TensorDescriptor(C.Structure):
    _fields_ = [("dataType", C.c_int), ("shape", C.POINTER(C.c_uint32)), ("rank", C.c_uint32),
                ("readable", C.c_bool), ("writable", C.c_bool), ("exportableToGPU", C.c_bool)]


class Number(C.Structure):  # WNNNumber, passed by value
    _fields_ = [("type", C.c_int), ("asDouble", C.c_double), ("asInt64", C.c_int64), ("asUint64", C.c_uint64)]


class Named(C.Structure):  # WNNNamedOperand and WNNNamedTensor have the same layout
    _fields_ = [("name", C.c_char_p), ("handle", C.c_void_p)]


FLOAT32 = 1
NUMBER_DOUBLE = 1


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "build", "libwebnn.so")
    wnn = C.CDLL(path)
    wnn.wnnGetLastErrorMessage.restype = C.c_char_p

    def check(status, what):
        if status != 0:
            raise RuntimeError(f"{what}: {wnn.wnnGetLastErrorMessage().decode()}")

    py = C.pythonapi
    py.PyCapsule_GetPointer.restype = C.c_void_p
    py.PyCapsule_GetPointer.argtypes = [C.py_object, C.c_char_p]
    py.PyCapsule_SetName.argtypes = [C.py_object, C.c_char_p]
    py.PyCapsule_New.restype = C.py_object
    py.PyCapsule_New.argtypes = [C.c_void_p, C.c_char_p, C.c_void_p]

    ctx = C.c_void_p()
    check(wnn.wnnCreateContext(None, C.byref(ctx)), "createContext")  # default policy: the GPU
    device = wnn.wnnContextGetCudaDevice(ctx)
    if device < 0:
        sys.exit("no CUDA context: libwebnn has no usable GPU here")
    torch.cuda.set_device(device)
    stream = C.c_void_p(torch.cuda.current_stream().cuda_stream)

    n = 1 << 20
    shape = (C.c_uint32 * 1)(n)
    x = torch.randn(n, device="cuda")

    # torch -> WebNN: the input tensor is x's memory.
    capsule = torch.utils.dlpack.to_dlpack(x)
    managed = py.PyCapsule_GetPointer(capsule, b"dltensor")
    py.PyCapsule_SetName(capsule, b"used_dltensor")  # DLPack: the consumer now owns it
    tin = C.c_void_p()
    check(wnn.wnnContextImportDLPack(ctx, C.c_void_p(managed), stream, True, False, C.byref(tin)), "importDLPack")
    in_ptr = DLManagedTensor.from_address(managed).dl_tensor.data

    # y = relu(x) * 2
    b = C.c_void_p()
    check(wnn.wnnCreateGraphBuilder(ctx, C.byref(b)), "createGraphBuilder")
    xop, r, two, y = C.c_void_p(), C.c_void_p(), C.c_void_p(), C.c_void_p()
    check(wnn.wnnGraphBuilderInput(b, b"x", C.byref(OperandDescriptor(FLOAT32, shape, 1)), C.byref(xop)), "input")
    check(wnn.wnnGraphBuilderRelu(b, xop, None, C.byref(r)), "relu")
    wnn.wnnGraphBuilderConstantScalar.argtypes = [C.c_void_p, C.c_int, Number, C.c_void_p]
    check(wnn.wnnGraphBuilderConstantScalar(b, FLOAT32, Number(NUMBER_DOUBLE, 2.0, 0, 0), C.byref(two)), "constant")
    check(wnn.wnnGraphBuilderMul(b, r, two, None, C.byref(y)), "mul")
    graph = C.c_void_p()
    check(wnn.wnnGraphBuilderBuild(b, C.byref(Named(b"y", y)), 1, C.byref(graph)), "build")

    tout = C.c_void_p()
    check(wnn.wnnContextCreateTensor(ctx, C.byref(TensorDescriptor(FLOAT32, shape, 1, True, False, True)),
                                     C.byref(tout)), "createTensor")

    def dispatch():
        check(wnn.wnnContextDispatch(ctx, graph, C.byref(Named(b"x", tin)), 1, C.byref(Named(b"y", tout)), 1),
              "dispatch")

    def to_torch():  # WebNN -> torch: y's memory, rented to torch until torch frees its tensor
        m = C.c_void_p()
        check(wnn.wnnContextExportDLPack(ctx, tout, stream, C.byref(m)), "exportDLPack")
        out_ptr = DLManagedTensor.from_address(m.value).dl_tensor.data
        return torch.utils.dlpack.from_dlpack(py.PyCapsule_New(m, b"dltensor", None)), out_ptr

    dispatch()
    yt, out_ptr = to_torch()
    ok1 = torch.equal(yt, torch.relu(x) * 2)
    print(f"torch input  x.data_ptr() = {x.data_ptr():#x}, WebNN's imported input = {in_ptr:#x}: "
          f"{'same memory' if x.data_ptr() == in_ptr else 'DIFFERENT'}")
    print(f"WebNN output exported     = {out_ptr:#x}, torch's y.data_ptr() = {yt.data_ptr():#x}: "
          f"{'same memory' if yt.data_ptr() == out_ptr else 'DIFFERENT'}")
    del yt  # torch calls the DLPack deleter: the tensor returns to WebNN

    x.mul_(-1)  # torch changes its tensor; WebNN sees it without any copy
    dispatch()
    yt, out_ptr2 = to_torch()
    ok2 = torch.equal(yt, torch.relu(x) * 2) and out_ptr2 == out_ptr
    print(f"values: first dispatch {'match' if ok1 else 'MISMATCH'}, after torch changed x in place "
          f"{'match' if ok2 else 'MISMATCH'}")
    del yt

    wnn.wnnTensorRelease(tin)
    wnn.wnnTensorRelease(tout)
    wnn.wnnGraphRelease(graph)
    wnn.wnnGraphBuilderRelease(b)
    wnn.wnnContextRelease(ctx)
    same = x.data_ptr() == in_ptr and out_ptr2 == out_ptr
    print("PASS: no copies, values match" if ok1 and ok2 and same else "FAIL")
    return 0 if ok1 and ok2 and same else 1


if __name__ == "__main__":
    sys.exit(main())
