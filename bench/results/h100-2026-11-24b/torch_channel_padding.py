"""The channel-padding experiment behind the padded float16 conv path (bench/README.md): PyTorch +
cuDNN on the H100, conv2d + bias + relu [1,C,100,100] 3x3 C->K with C, K in 100..128, NCHW and
channels_last, timed in a CUDA graph; then the copies the padded path needs. Output:
torch_channel_padding.txt."""
import torch, torch.nn.functional as F
torch.backends.cudnn.benchmark = True
torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False
def gtime(fn, reps=50):
    s = torch.cuda.Stream()
    with torch.cuda.stream(s):
        for _ in range(5): fn()
    torch.cuda.synchronize()
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for _ in range(reps): fn()
    ts = []
    for _ in range(15):
        a = torch.cuda.Event(enable_timing=True); b = torch.cuda.Event(enable_timing=True)
        a.record(); g.replay(); b.record(); b.synchronize(); ts.append(a.elapsed_time(b) / reps)
    ts.sort(); return ts[len(ts)//2]
for dt in (torch.float16, torch.float32):
    for C in (100, 104, 112, 128):
        for cl in (False, True):
            x = torch.randn(1, C, 100, 100, device='cuda', dtype=dt)
            w = torch.randn(C, C, 3, 3, device='cuda', dtype=dt)
            b = torch.randn(C, device='cuda', dtype=dt)
            if cl:
                x = x.contiguous(memory_format=torch.channels_last); w = w.contiguous(memory_format=torch.channels_last)
            f = lambda: F.relu(F.conv2d(x, w, b, padding=1))
            print(f"{str(dt)[6:]} C={C} {'nhwc' if cl else 'nchw'} conv+bias+relu {gtime(f)*1000:.1f} us", flush=True)
    x = torch.randn(1, 100, 100, 100, device='cuda', dtype=dt)
    y = torch.empty(1, 100, 100, 100, device='cuda', dtype=dt).contiguous(memory_format=torch.channels_last)
    print(f"{str(dt)[6:]} nchw->nhwc copy {gtime(lambda: y.copy_(x))*1000:.1f} us")
    z = torch.empty(1, 100, 100, 100, device='cuda', dtype=dt)
    print(f"{str(dt)[6:]} plain copy 2MB {gtime(lambda: z.copy_(x))*1000:.1f} us")

# channel counts padded on one side only, and the repacking copies
dt = torch.float16
for C, K in ((100, 100), (104, 100), (100, 104), (104, 104), (112, 112)):
    for cl in (False, True):
        x = torch.randn(1, C, 100, 100, device='cuda', dtype=dt)
        w = torch.randn(K, C, 3, 3, device='cuda', dtype=dt)
        b = torch.randn(K, device='cuda', dtype=dt)
        if cl:
            x = x.contiguous(memory_format=torch.channels_last); w = w.contiguous(memory_format=torch.channels_last)
        f = lambda: F.relu(F.conv2d(x, w, b, padding=1))
        print(f"C={C} K={K} {'nhwc' if cl else 'nchw'} {gtime(f)*1000:.1f} us", flush=True)
x = torch.randn(1, 100, 100, 100, device='cuda', dtype=dt)
xp = torch.zeros(1, 104, 100, 100, device='cuda', dtype=dt).contiguous(memory_format=torch.channels_last)
print(f"nchw100 -> nhwc104 copy {gtime(lambda: xp[:, :100].copy_(x))*1000:.1f} us")
y = torch.zeros(1, 104, 100, 100, device='cuda', dtype=dt).contiguous(memory_format=torch.channels_last)
o = torch.empty(1, 100, 100, 100, device='cuda', dtype=dt)
print(f"nhwc104 -> nchw100 copy {gtime(lambda: o.copy_(y[:, :100]))*1000:.1f} us")
xn = torch.zeros(1, 104, 100, 100, device='cuda', dtype=dt)
print(f"nchw100 -> nchw104 copy {gtime(lambda: xn[:, :100].copy_(x))*1000:.1f} us")
xc = x.contiguous(memory_format=torch.channels_last)
print(f"nhwc100 -> nhwc104 copy {gtime(lambda: xp[:, :100].copy_(xc))*1000:.1f} us")
print(f"4 kernels empty-ish: {gtime(lambda: o.add_(0))*1000:.1f} us")
