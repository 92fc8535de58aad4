"""The numpy peer of bench_binomial.c: Generator.binomial on the same (n, p) table, and
Generator.multinomial(10^9, SUBTLEX shares) G times (numpy's multinomial is the same conditional
binomials, in C). CPU time of this process, the same way as bench_binomial.c.

Prints "n=<n> p=<p> numpy_ns=<ns per draw>" (numpy_ns=- where n >= 2^63: numpy's n is an int64)
and "multinomial K=<K> n=<n> G=<G> numpy_s=<CPU s>".
The bit generator is numpy's default (PCG64), ours is xoshiro256**; both cost a few ns per draw.
BLAS plays no part in either.
usage: /usr/bin/python3 binomial_numpy.py R [SUBTLEX_JSON G]
"""
import json
import sys
import time

import numpy as np

CASES = [(20, 0.3), (100, 0.05), (100, 0.5), (1e4, 0.01), (1e6, 0.3), (1e9, 2e-8), (1e9, 1e-5),
         (1e9, 0.3), (4e9, 0.5), (1e12, 0.3), (1e15, 0.1), (1e18, 0.3), (1e19, 0.5),
         (1.8e19, 0.9), (1e19, 5e-19)]


def main():
    R = int(sys.argv[1])
    rng = np.random.default_rng(7)
    for n, p in CASES:
        if n >= 2**63:
            print(f"n={n:.4g} p={p:g} numpy_ns=-")
            continue
        t0 = time.process_time()
        x = rng.binomial(int(n), p, size=R)
        dt = time.process_time() - t0
        print(f"n={n:.4g} p={p:g} numpy_ns={dt / R * 1e9:.1f} mean_rel={x.mean() / (n * p):.6g}")
    if len(sys.argv) > 3:
        with open(sys.argv[2]) as f:
            table = json.load(f)
        q = np.array([e["count"] for e in table], dtype=np.float64)
        q /= q.sum()
        G = int(sys.argv[3])
        t0 = time.process_time()
        for _ in range(G):
            rng.multinomial(10**9, q)
        dt = time.process_time() - t0
        print(f"multinomial K={len(q)} n=1000000000 G={G} numpy_s={dt:.4f}")


if __name__ == "__main__":
    main()
