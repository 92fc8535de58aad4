"""The numpy peer of bench_categorical.c: the same work, timed the same way.

p_0 = the SUBTLEX word shares (K = 74,286); for g in 1..100: counts = rng.multinomial(n, p);
p = counts / n (replace). Prints "n=<n> numpy_s=<seconds for 100 generations> alive=<K alive>".
usage: /usr/bin/python3 categorical_numpy.py SUBTLEX_JSON N [N ...]
"""
import json
import sys
import time

import numpy as np


def main():
    with open(sys.argv[1]) as f:
        table = json.load(f)
    counts = np.array([e["count"] for e in table], dtype=np.float64)
    p0 = counts / counts.sum()
    rng = np.random.default_rng(1)
    for arg in sys.argv[2:]:
        n = int(float(arg))
        p = p0.copy()
        t0 = time.perf_counter()
        for _ in range(100):
            c = rng.multinomial(n, p)
            p = c / n
        dt = time.perf_counter() - t0
        print(f"n={arg} numpy_s={dt:.6f} alive={int((p > 0).sum())}")


if __name__ == "__main__":
    main()
