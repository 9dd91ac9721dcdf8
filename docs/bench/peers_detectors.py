"""Peer timings for `driftlab bench --only detectors`: SciPy's ks_2samp on 1,000,000 vs 1,000,000 normal
values (the second shifted by 0.001, as DetectorBenchmarks), numpy's sort of both samples, PSI-style binning
against 10 precomputed quantile edges (np.searchsorted + np.bincount), and a plain sum over the same array
(memory read speed). Prints JSON with process CPU milliseconds (best of 5), so figures hold on a shared machine.

Run: OMP_NUM_THREADS=1 /work/oracle-venv/bin/python docs/bench/peers_detectors.py
"""
import json
import time

import numpy as np
import scipy
import scipy.stats as st

rng = np.random.default_rng(2024)
n = 1_000_000
a = rng.normal(size=n)
b = rng.normal(size=n) + 0.001


def best_cpu_ms(body, repeats=5):
    best = float("inf")
    for _ in range(repeats):
        c = time.process_time()
        body()
        best = min(best, time.process_time() - c)
    return best * 1000


edges = np.quantile(a, np.arange(1, 10) / 10)
out = {
    "scipy": scipy.__version__,
    "numpy": np.__version__,
    "ks_2samp_cpu_ms": best_cpu_ms(lambda: st.ks_2samp(a, b)),
    "np_sort_both_cpu_ms": best_cpu_ms(lambda: (np.sort(a), np.sort(b))),
    "psi_binning_cpu_ms": best_cpu_ms(lambda: np.bincount(np.searchsorted(edges, b, side="left"), minlength=10)),
    "sum_cpu_ms": best_cpu_ms(lambda: b.sum()),
}
out["psi_binning_m_values_per_cpu_s"] = n / out["psi_binning_cpu_ms"] / 1e3
out["sum_m_values_per_cpu_s"] = n / out["sum_cpu_ms"] / 1e3
print(json.dumps(out, indent=1))
