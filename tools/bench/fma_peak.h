/* fma_peak.h: the machine's float32 FMA peak, measured: a register-resident loop of independent
 * fused multiply-adds (12 chains, enough to cover the FMA latency on two ports) on `threads`
 * threads at once, at the widest vector width the CPU has (AVX-512, else AVX2 + FMA). It is what
 * `wnn-bench workloads --device cpu` prints %peak against unless --peak-gflops is given, so that
 * the figure means the same on every machine (the project's machines have been AVX2 ones with a
 * peak of about 183 GFLOP/s on 2 cores and AVX-512 ones with about 480). */
#ifndef WNN_TOOLS_BENCH_FMA_PEAK_H_
#define WNN_TOOLS_BENCH_FMA_PEAK_H_

/* GFLOP/s over about `seconds` (best of 3 tries); *isa names the loop's instructions
 * ("avx512", "avx2", or "none": 0 returned, no FMA on this CPU or not x86-64). */
double wbp_fma_peak(int threads, double seconds, const char** isa);

#endif
