#!/bin/bash
# zoo-peers-b.sh - Shumailov et al.'s own GMM loop run beside `collapse zoo shumailov-gmm-l2`.
#
#   scripts/zoo-peers-b.sh CURSE_RECURSE_CHECKOUT [REPLICATES [GENERATIONS]]
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
# prints the mean of l2s at m = 1, 10, 50 (their m is collapse's generation g: fit m is on samples
# of fit m - 1, fit 0 on the world's sample) with its standard error, and scikit-learn's mean EM
# iterations (n_iter_). Needs Debian's python3-sklearn and python3-scipy (scripts/install-deps.sh
# bench). Takes about a minute on one core.
set -eu
repo=${1:?usage: scripts/zoo-peers-b.sh CURSE_RECURSE_CHECKOUT [REPLICATES [GENERATIONS]]}
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
at = [g for g in (1, 10, 50) if g <= gens]
l2 = {g: [] for g in at}
iters = []
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
print(f"curse_recurse GMM loop (their L2_of_gmms, scikit-learn {__import__('sklearn').__version__}),"
      f" N = {N}, {reps} chains x {gens} generations, {time.time() - t0:.0f} s")
for g in at:
    v = np.array(l2[g])
    print(f"  l2sq_gen0 at g = {g:3d}: {v.mean():.6g} +- {v.std(ddof=1) / np.sqrt(len(v)):.2g}")
it = np.array(iters, dtype=float)
print(f"  EM iterations per fit: {it.mean():.4g} +- {it.std(ddof=1) / np.sqrt(len(it)):.2g}")
PY
