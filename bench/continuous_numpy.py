"""continuous_numpy.py - numpy peer of bench_continuous.c, for bench/continuous.sh.

Does the same work as one replicate loop of the gaussian-regimes / linreg-regimes presets, with the
same algorithms where numpy has them, and prints the same lines:
  point=<i> regime=<name> n=<n_0> replicates=<R> generations=<G> seconds=<CPU time>

gaussian-regimes (d = 10, world N(0, I), 100 generations): per generation draw n from the model
(z @ L^T + mu), build the regime's training set (replace: the draws; accumulate: pooled moments
combined exactly as the C code does; accumulate-subsample: a pool array and rng.choice without
replacement), fit the MLE mean and covariance (a ridge of 1e-6 tr/d when n <= d), Cholesky, and the
metrics: mean error, trace ratio, log-det ratio, closed-form W2, held-out NLL from the held-out
moments, tail mass from 1000 fixed reference draws via the SVD of L_0^-1 L_g.
linreg-regimes (T = 50, d = 10, 10 generations): relabel the design with the previous estimate plus
noise, pool label vectors (accumulate), least squares through a Cholesky of X^T X, and the two
error metrics.
usage: continuous_numpy.py PRESET R
"""
import sys
import time

import numpy as np


def gaussian_point(rng, regime, n, R, G=100, d=10):
    mu0 = np.zeros(d)
    cov0 = np.eye(d)
    L0 = np.linalg.cholesky(cov0)
    logdet0 = 2 * np.log(np.diag(L0)).sum()
    tr0 = np.trace(cov0)
    w0, V0 = np.linalg.eigh(cov0)
    sqrt0 = (V0 * np.sqrt(np.maximum(w0, 0))) @ V0.T
    ho = rng.standard_normal((1000, d)) @ L0.T + mu0
    ho_mean = ho.mean(0)
    S = np.cov(ho.T, bias=True)
    ws, Vs = np.linalg.eigh(S)
    ho_sqrt = (Vs * np.sqrt(np.maximum(ws, 0))) @ Vs.T
    zref = rng.standard_normal((d, 1000))
    r2 = np.sort((zref ** 2).sum(0))[989:991].mean()
    out = np.empty((R, G + 1, 6))

    def fit(mean, M2, count):
        cov = M2 / count
        if count <= d:
            cov = cov + 1e-6 * np.trace(cov) / d * np.eye(d)
        return mean, cov, np.linalg.cholesky(cov)

    def metrics(mu, cov, L):
        e = ((mu - mu0) ** 2).sum()
        trr = np.trace(cov) / tr0
        logdet = 2 * np.log(np.diag(L)).sum()
        M = sqrt0 @ cov @ sqrt0
        w2 = np.sqrt(max(e + np.trace(cov) + tr0 - 2 * np.sqrt(np.maximum(np.linalg.eigvalsh(M), 0)).sum(), 0))
        Mh = np.linalg.solve(L, ho_sqrt)
        v = np.linalg.solve(L, ho_mean - mu)
        nll = 0.5 * (d * np.log(2 * np.pi) + logdet + (Mh ** 2).sum() + (v ** 2).sum())
        A = np.linalg.solve(L0, L)
        b = np.linalg.solve(L0, mu - mu0)
        U, s, _ = np.linalg.svd(A)
        c = U.T @ b
        q = ((s[:, None] * zref + c[:, None]) ** 2).sum(0)
        tail = (q > r2).mean()
        return e, trr, logdet - logdet0, w2, nll, tail

    def moments(x):
        m = x.mean(0)
        xc = x - m
        return m, xc.T @ xc, len(x)

    for r in range(R):
        x = rng.standard_normal((n, d)) @ L0.T + mu0
        pm, pM2, pn = moments(x)
        mu, cov, L = fit(pm, pM2, pn)
        out[r, 0] = metrics(mu, cov, L)
        if regime == "accumulate-subsample":
            pool = np.empty(((G + 1) * n, d))
            pool[:n] = x
            size = n
        for g in range(1, G + 1):
            x = rng.standard_normal((n, d)) @ L.T + mu
            if regime == "replace":
                pm, pM2, pn = moments(x)
            elif regime == "accumulate":
                m, M2, k = moments(x)
                delta = m - pm
                tot = pn + k
                pM2 = pM2 + M2 + np.outer(delta, delta) * pn * k / tot
                pm = pm + delta * k / tot
                pn = tot
            else:
                pool[size:size + n] = x
                size += n
                idx = np.sort(rng.choice(size, n, replace=False))
                pm, pM2, pn = moments(pool[idx])
            mu, cov, L = fit(pm, pM2, pn)
            out[r, g] = metrics(mu, cov, L)
    return out


def linreg_point(rng, regime, R, G=10, T=50, d=10, sigma=1.0):
    X = rng.standard_normal((T, d))
    wstar = np.full(d, 1 / np.sqrt(d))
    Lx = np.linalg.cholesky(X.T @ X / T)
    out = np.empty((R, G + 1, 2))

    def solve(ybar):
        b = X.T @ ybar / T
        return np.linalg.solve(Lx.T, np.linalg.solve(Lx, b))

    for r in range(R):
        y = X @ wstar + sigma * rng.standard_normal(T)
        ysum, k = y.copy(), 1
        w = solve(y)
        e = ((w - wstar) ** 2).sum()
        out[r, 0] = (e, e + sigma ** 2)
        for g in range(1, G + 1):
            y = X @ w + sigma * rng.standard_normal(T)
            if regime == "accumulate":
                ysum += y
                k += 1
                w = solve(ysum / k)
            else:
                w = solve(y)
            e = ((w - wstar) ** 2).sum()
            out[r, g] = (e, e + sigma ** 2)
    return out


def main():
    preset, R = sys.argv[1], int(sys.argv[2])
    rng = np.random.default_rng(1)
    if preset == "gaussian-regimes":
        points = [(reg, n) for reg in ("replace", "accumulate", "accumulate-subsample")
                  for n in (10, 100, 1000)]
        G = 100
    elif preset == "linreg-regimes":
        points = [("replace", 50), ("accumulate", 50)]
        G = 10
    else:
        sys.exit("continuous_numpy.py: unknown preset " + preset)
    for i, (reg, n) in enumerate(points):
        t0 = time.process_time()
        if preset == "gaussian-regimes":
            gaussian_point(rng, reg, n, R)
        else:
            linreg_point(rng, reg, R)
        t = time.process_time() - t0
        print(f"point={i} regime={reg} n={n} replicates={R} generations={G} seconds={t:.6f}")


if __name__ == "__main__":
    main()
