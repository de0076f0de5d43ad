import torch, torch.nn.functional as F
torch.backends.cudnn.benchmark = True
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
