#!/bin/sh
# run_metrics.sh - a whole `collapse run` against scikit-learn's bare fit-and-sample loop
# (issue 14): `collapse run shumailov-gmm run.generations=G run.replicates=1 --no-plots
# --threads 1` end to end (process start, preparation, every metric, the files), with
# metrics.every = 1 (every generation measured) and metrics.every = G (generation 0 and G only),
# per generation, against bench/gmm_kde_peer.py gmm (GaussianMixture fit + sample 1000, no
# metrics at all). Best of 3; CPU seconds (user + system) for both.
#   sh bench/run_metrics.sh [BUILD]        (needs python3-sklearn)
set -eu
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
G=${G:-1000}
G_PEER=${G_PEER:-200}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
best() { sort -g | head -1; }
ours() { # EVERY -> CPU seconds per generation
  for i in 1 2 3; do
    /usr/bin/time -f "%U %S" -o "$TMP/t" "$BUILD/collapse" run shumailov-gmm run.generations="$G" \
      run.replicates=1 metrics.every="$1" --no-plots --quiet --threads 1 -o "$TMP/run$i" >/dev/null
    awk -v g="$G" '{ printf "%.6g\n", ($1 + $2) / g }' "$TMP/t"
    rm -rf "$TMP/run$i"
  done | best
}
every1=$(ours 1)
everyG=$(ours "$G")
peer=$(for i in 1 2 3; do $PY "$HERE/gmm_kde_peer.py" gmm "$G_PEER" | awk '{ print $1 }'; done | best)
awk -v a="$every1" -v b="$everyG" -v p="$peer" -v g="$G" 'BEGIN {
  printf "collapse run shumailov-gmm, %d generations, 1 replicate, 1 thread (ms per generation):\n", g
  printf "  metrics.every = 1    %8.3f   %5.1fx scikit-learn\n", 1000 * a, p / a
  printf "  metrics.every = %-4d %8.3f   %5.1fx scikit-learn\n", g, 1000 * b, p / b
  printf "  scikit-learn fit + sample loop (no metrics) %8.3f\n", 1000 * p }'
