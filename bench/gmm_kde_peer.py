"""gmm_kde_peer.py - the peer of gmm_kde_bench: the same loops with scikit-learn.

    gmm_kde_peer.py gmm G        fit GaussianMixture(2 components, full covariance, tol 1e-3,
                                 reg_covar 1e-6, max_iter 100, one k-means++ start) to 1000 2-D
                                 points, draw 1000, repeat G times
    gmm_kde_peer.py kde G n m h  fit KernelDensity(gaussian kernel, bandwidth h) to n 2-D points,
                                 score m held-out points, draw n, repeat G times

The settings are collapse's defaults for the gmm family (model.tol, model.reg_covar,
model.max_iter, model.restarts = 1, k-means++ initialisation as scikit-learn's
init_params="k-means++"). Prints the same line as gmm_kde_bench. Run single-threaded
(OMP_NUM_THREADS=1 and friends are set by bench/gmm_kde.sh); times are process CPU time, as
gmm_kde_bench's.
"""
import sys
import time

import numpy as np
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import KernelDensity


def gmm(G):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1000, 2))
    iters = []
    t0 = time.process_time()
    for g in range(G):
        m = GaussianMixture(n_components=2, covariance_type="full", tol=1e-3, reg_covar=1e-6,
                            max_iter=100, n_init=1, init_params="k-means++",
                            random_state=g)
        m.fit(x)
        x, _ = m.sample(1000)
        iters.append(m.n_iter_)
    t = time.process_time() - t0
    print("%.6g %.3g" % (t / G, np.mean(iters[:50])))


def kde(G, n, m, h):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((n, 2))
    held = rng.standard_normal((m, 2))
    t0 = time.process_time()
    for g in range(G):
        k = KernelDensity(kernel="gaussian", bandwidth=h).fit(x)
        -k.score_samples(held).mean()
        x = k.sample(n, random_state=g)
    t = time.process_time() - t0
    print("%.6g" % (t / G))


if __name__ == "__main__":
    if sys.argv[1] == "gmm":
        gmm(int(sys.argv[2]))
    else:
        kde(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
