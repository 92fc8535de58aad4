#!/bin/bash
# zoo-peers-b.sh - the papers' side of the zoo entries shumailov-gmm-l2 and dohmatob-scaling.
#
#   scripts/zoo-peers-b.sh CURSE_RECURSE_CHECKOUT [REPLICATES [GENERATIONS]]
#   scripts/zoo-peers-b.sh dohmatob
#   scripts/zoo-peers-b.sh ferbach
#
# `ferbach` prints the expected values of presets/zoo/ferbach-gaussian.ini: the variance of the
# law that best-of-K curation keeps, by quadrature, iterated over the generations, beside the
# paper's K -> infinity tilt. Ferbach et al.'s own code was not found (not in the index this was
# written with); this is a re-implementation of their selection law, not their code.
#
# `dohmatob` prints the expected values of presets/zoo/dohmatob-scaling.ini: the exact expected
# test error of the infinite-memory model for each (h, T) of the entry's grid, and the paper's
# asymptotic laws (docs/THEORY.md, Categorical family, missing mass). Needs python3-numpy.
#
# CURSE_RECURSE_CHECKOUT is a clone of https://github.com/iliaishacked/curse_recurse (Shumailov et
# al., Nature 631, 2024; not vendored here). Its GMM experiment is a Colab notebook
# (Normals_GMM_experiments.ipynb) whose loop is interleaved with plotting, google.colab downloads
# and `!pip install`, and runs one chain of 2050 generations, so it is not run as it stands: this
# script executes the notebook's own L2_of_gmms cell (their squared L2 distance between two
# scikit-learn mixtures) from the checkout and repeats their loop, stated here line by line:
#   X0 = make_blobs(N, centers=[[0, 0]], cluster_std=1)   (a 2-D N(0, I) sample; their X0_orig)
#   gmm_0 = GaussianMixture(n_components=2, tol=1e-5, covariance_type="full", max_iter=2000).fit(X0)
#   X = X0; for m = 0, 1, ...: gmm = GaussianMixture(same).fit(X); X = gmm.sample(N)[0];
#                              l2s.append(L2_of_gmms(gmm_0, gmm))
# with N = 1000, over REPLICATES (default 40) independent chains of GENERATIONS (default 50), and
# prints the mean of l2s (and of n_iter_) at m = 0, 1, 10, 50 with its standard error, and
# scikit-learn's mean EM iterations (n_iter_) over all fits. Their m is collapse's generation g
# (fit m is on samples of fit m - 1) except that their fit 0 is a second fit to the world's sample
# (with another k-means start), not gmm_0 itself: l2s at m = 0, the distance between two fits of
# the same data, is the offset this adds. Needs Debian's python3-sklearn and python3-scipy (scripts/install-deps.sh
# bench). Takes about a minute on one core.
set -eu
repo=${1:?usage: scripts/zoo-peers-b.sh CURSE_RECURSE_CHECKOUT [REPLICATES [GENERATIONS]] | dohmatob | ferbach}
if [ "$repo" = ferbach ]; then
  exec /usr/bin/python3 - <<'PY'
import numpy as np
# presets/zoo/ferbach-gaussian.ini: world N(0, 1), fit N(0, v), best-of K with weights
# w = pi^beta (the Bradley-Terry choice of the oracle verifier, up to a constant). The kept law is
# q(x) = p(x) w(x) K int_0^inf exp(-t w(x)) phi(t)^(K-1) dt, phi(t) = E_p exp(-t w(X)) (from
# 1/y = int_0^inf exp(-t y) dt with y = w(x) + the other K - 1 weights); by quadrature on x and t.
K, beta, n = 50, 1.0, 2000
def var_kept(v, K):
    x = np.linspace(-12 * np.sqrt(v), 12 * np.sqrt(v), 4001)
    dx = x[1] - x[0]
    p = np.exp(-x * x / (2 * v)) / np.sqrt(2 * np.pi * v)
    w = np.exp(-beta * x * x / 2)
    t = np.concatenate([np.linspace(0, 2, 2001)[:-1], np.geomspace(2, 1e4, 4000)])
    phi = np.array([np.sum(p * np.exp(-ti * w)) * dx for ti in t])
    inner = K * np.trapz(np.exp(-np.outer(w, t)) * phi[None, :] ** (K - 1), t, axis=1)
    q = p * w * inner
    return np.sum(x * x * q) / np.sum(q)
a = (n - 1) / n
v, vinf = a, a
print("g  E v_g (K = 50)   K -> infinity   expected reward of model g")
for g in range(6):
    print(f"{g}  {v:.6f}         {vinf:.6f}        {-0.5 * np.log(2 * np.pi) - 0.5 * v:.6f}")
    v, vinf = a * var_kept(v, K), a * vinf / (1 + beta * vinf)
PY
fi
if [ "$repo" = dohmatob ]; then
  exec /usr/bin/python3 - <<'PY'
import numpy as np
from math import gamma
K, beta, k, n0 = 100000, 2.0, 100, 1e8  # presets/zoo/dohmatob-scaling.ini
i = np.arange(1, K + 1, dtype=float)
A = 1 / np.sum(i ** -beta)
p = A * i ** -beta
q = p[:k] / p[:k].sum()  # the generating model's top k, renormalised (generation 0 = the world)
point = 0
print("point  h     T        E err (exact)   paper's clean law at hT")
for h in (0, 0.1, 1):
    for g in (1e-5, 1e-4, 1e-3, 1e-2):
        T = round(n0 * g)
        nh = round(h * T)
        ns = T - nh
        e = np.sum(p[:k] * np.exp(nh * np.log1p(-p[:k]) + ns * np.log1p(-q)))
        e += np.sum(p[k:] * np.exp(nh * np.log1p(-p[k:])))
        law = gamma(1 - 1 / beta) / beta * A ** (1 / beta) * nh ** -(1 - 1 / beta) if nh else float("nan")
        print(f"{point:5d}  {h:<4g}  {T:<8d} {e:.9g}     {law:.9g}")
        point += 1
print(f"cut mass sum_(i>k) p_i = {p[k:].sum():.9g}; paper's A k^-(beta-1)/(beta-1) = "
      f"{A * k ** (1 - beta) / (beta - 1):.9g}")
PY
fi
reps=${2:-40}
gens=${3:-50}
nb=$repo/Normals_GMM_experiments.ipynb
[ -f "$nb" ] || { echo "zoo-peers-b.sh: $nb not found (clone curse_recurse there)" >&2; exit 2; }
exec /usr/bin/python3 - "$nb" "$reps" "$gens" <<'PY'
import json, sys, time
import numpy as np
import scipy, scipy.stats, itertools
from sklearn.mixture import GaussianMixture as GMM
from sklearn.datasets import make_blobs

nb, reps, gens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cells = ["".join(c["source"]) for c in json.load(open(nb))["cells"] if c["cell_type"] == "code"]
src = [c for c in cells if "def L2_of_gmms" in c]
if len(src) != 1:
    sys.exit("zoo-peers-b.sh: no single L2_of_gmms cell in " + nb)
ns = {"np": np}
exec(src[0], ns)  # their cell: imports sklearn, scipy, itertools and defines L2_of_gmms
L2_of_gmms = ns["L2_of_gmms"]

gmmparams = {"n_components": 2, "tol": 1e-5, "covariance_type": "full", "max_iter": 2000}
N = 1000
at = [g for g in (0, 1, 10, 50) if g <= gens]
l2 = {g: [] for g in at}
iters, iters_at = [], {g: [] for g in at}
t0 = time.time()
for rep in range(reps):
    rs = np.random.RandomState(1000 + rep)
    X0, _ = make_blobs(n_samples=N, n_features=1, centers=[[0, 0]], cluster_std=1, random_state=rs)
    X0 = X0[:, ::-1]
    g0 = GMM(random_state=rs, **gmmparams).fit(X0)
    X = X0
    for m in range(gens + 1):
        gmm = GMM(random_state=rs, **gmmparams).fit(X)
        iters.append(gmm.n_iter_)
        X = gmm.sample(N)[0]
        if m in l2:
            l2[m].append(L2_of_gmms(g0, gmm))
            iters_at[m].append(gmm.n_iter_)
print(f"curse_recurse GMM loop (their L2_of_gmms, scikit-learn {__import__('sklearn').__version__}),"
      f" N = {N}, {reps} chains x {gens} generations, {time.time() - t0:.0f} s")
for g in at:
    v = np.array(l2[g])
    i = np.array(iters_at[g], dtype=float)
    print(f"  l2sq_gen0 at g = {g:3d}: {v.mean():.6g} +- {v.std(ddof=1) / np.sqrt(len(v)):.2g}"
          f"   EM iterations {i.mean():.4g} +- {i.std(ddof=1) / np.sqrt(len(i)):.2g}")
it = np.array(iters, dtype=float)
print(f"  EM iterations per fit: {it.mean():.4g} +- {it.std(ddof=1) / np.sqrt(len(it)):.2g}")
PY
