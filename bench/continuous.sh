#!/bin/sh
# continuous.sh - the gaussian and linreg families against numpy on their presets' core loops.
#
#   sh bench/continuous.sh [BUILD]      (BUILD defaults to build)
#
# For each grid point of gaussian-regimes (d = 10, n = 10/100/1000 x replace/accumulate/
# accumulate-subsample, 100 generations) and linreg-regimes (T = 50, d = 10, replace/accumulate,
# 10 generations): BUILD/bench_continuous runs R replicates through the engine's unit of work
# (draw, regime, fit, every metric), bench/continuous_numpy.py does the same work in numpy; both
# single-threaded, alternating, best of 3, timed in process CPU time (the build machine is shared:
# CPU time is what one core spends, little disturbed by other processes). The ratio is numpy's
# time per replicate over ours. Prints markdown
# table rows for docs/BENCHMARKS.md, then the whole-preset ratio (sum over the points).
set -eu
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
BENCH=$BUILD/bench_continuous
[ -x "$BENCH" ] || { echo "continuous.sh: $BENCH not built" >&2; exit 1; }
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# best (smallest) CPU seconds per replicate of each point: lines "point seconds_per_replicate"
best() {
    sed 's/point=\([0-9]*\) .*replicates=\([0-9]*\) .*seconds=\([0-9.]*\)/\1 \2 \3/' |
        awk '{ t = $3 / $2; if (!($1 in b) || t < b[$1]) b[$1] = t } END { for (p in b) print p, b[p] }' |
        sort -n
}

run() { # preset R_ours R_peer; the two sides alternate so that both see the same load
    for i in 1 2 3; do
        "$BENCH" "$1" "$2" >> "$TMP/ours.all"
        $PY "$HERE/continuous_numpy.py" "$1" "$3" >> "$TMP/peer.all"
    done
    best < "$TMP/ours.all" > "$TMP/ours"
    best < "$TMP/peer.all" > "$TMP/peer"
    rm -f "$TMP/ours.all" "$TMP/peer.all"
    "$BENCH" "$1" 1 | sed 's/point=\([0-9]*\) regime=\([^ ]*\) n=\([0-9]*\).*/\1 \2 \3/' > "$TMP/labels"
    join "$TMP/labels" "$TMP/ours" | join - "$TMP/peer" | awk -v preset="$1" '
        { printf "| %s | %s, n=%s | %.3f ms | %.3f ms | %.1fx |\n", preset, $2, $3, 1e3 * $4, 1e3 * $5, $5 / $4
          so += $4; sp += $5 }
        END { printf "| %s | whole preset (sum of its points) | %.3f ms | %.3f ms | %.1fx |\n", preset, 1e3 * so, 1e3 * sp, sp / so }'
}

echo "| preset | point | collapse per replicate | numpy per replicate | ratio |"
echo "|---|---|---|---|---|"
run gaussian-regimes "${R_GAUSS:-20}" "${R_GAUSS_PEER:-3}"
run linreg-regimes "${R_LIN:-4000}" "${R_LIN_PEER:-400}"
