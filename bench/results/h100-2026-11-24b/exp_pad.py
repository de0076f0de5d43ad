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
