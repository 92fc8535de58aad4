#!/bin/sh
# gmm_kde.sh - the gmm and kde families against scikit-learn, and their scaling over threads.
#
#   sh bench/gmm_kde.sh [BUILD]     (BUILD defaults to build; needs python3-sklearn)
#   PART=scaling sh bench/gmm_kde.sh [BUILD]   only part 3
#
# 1. shumailov-gmm's core loop (fit a 2-component GMM by EM to 1000 2-D points, draw 1000,
#    repeat): build/gmm_kde_bench against bench/gmm_kde_peer.py (scikit-learn GaussianMixture with
#    the same settings), both single-threaded. Ratio of throughputs, per generation and per E+M
#    step (the chains differ, so their mean iteration counts do too).
# 2. The kde loop (fixed bandwidth, n = 1000, score 1000 held-out points, draw 1000) against
#    KernelDensity.
# 3. `collapse run shumailov-gmm model.k=2,3` (a 2-point grid, 4 replicates each) on 1 and 2
#    threads: speed-up.
# Prints markdown table rows for docs/BENCHMARKS.md.
set -eu
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
BENCH=$BUILD/gmm_kde_bench
CLI=$BUILD/collapse
if ! $PY -c "import sklearn" 2>/dev/null; then
    echo "gmm_kde.sh: scikit-learn is missing (apt-get install python3-sklearn)" >&2
    exit 1
fi
[ -x "$BENCH" ] || { echo "gmm_kde.sh: $BENCH not built" >&2; exit 1; }

# single-threaded BLAS / OpenMP for both sides
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

# CPU time per generation, the fastest of REPEAT alternating runs of each side (the 2 cores
# may be shared with other work)
REPEAT=${REPEAT:-3}
min() { awk 'NR == 1 || $1 < m { m = $1; l = $0 } END { print l }'; }
G_OURS=${G_OURS:-2000}
G_PEER=${G_PEER:-200}
K_OURS=${K_OURS:-200}
K_PEER=${K_PEER:-30}
PART=${PART:-all} # all | scaling
TMP=$(mktemp -d)
[ "$PART" = scaling ] && REPEAT_PEER=0 || REPEAT_PEER=$REPEAT
for i in $(seq "$REPEAT_PEER"); do
    "$BENCH" gmm "$G_OURS" >>"$TMP/ours_gmm"
    $PY "$HERE/gmm_kde_peer.py" gmm "$G_PEER" >>"$TMP/peer_gmm"
    "$BENCH" kde "$K_OURS" 1000 1000 0.3 >>"$TMP/ours_kde"
    $PY "$HERE/gmm_kde_peer.py" kde "$K_PEER" 1000 1000 0.3 >>"$TMP/peer_kde"
done
if [ "$PART" != scaling ]; then
set -- $(min <"$TMP/ours_gmm")
ours_t=$1 ours_it=$2
set -- $(min <"$TMP/peer_gmm")
peer_t=$1 peer_it=$2
# E+M steps per fit: ours it + 1 (the E step after the k-means++ start), scikit-learn's
# n_iter_ + 1 (its final E step); both also run the M step of the start
awk -v a="$ours_t" -v ai="$ours_it" -v b="$peer_t" -v bi="$peer_it" 'BEGIN {
    printf "| gmm: fit k=2 + draw, n=1000, d=2 | %.3f ms (%.2f EM it.) | %.3f ms (%.2f EM it.) | %.1fx | %.1fx |\n",
        1e3 * a, ai, 1e3 * b, bi, b / a, (b / (bi + 1)) / (a / (ai + 1)) }'
ours_k=$(min <"$TMP/ours_kde")
peer_k=$(min <"$TMP/peer_kde")
awk -v a="$ours_k" -v b="$peer_k" 'BEGIN {
    printf "| kde: fit + score 1000 held-out + draw, n=1000, d=2 | %.3f ms | %.3f ms | %.1fx | |\n",
        1e3 * a, 1e3 * b, b / a }'
fi
rm -rf "$TMP"

# thread scaling of a whole run (metrics included): wall and CPU time, the fastest wall of
# REPEAT runs per thread count. Equal CPU time at 1 and 2 threads means no parallel overhead; the
# wall-time speed-up also needs both cores free.
unset OMP_NUM_THREADS
GEN=${GEN:-300}
OUT=$(mktemp -d)
for t in 1 2; do
    for i in $(seq "$REPEAT"); do
        /usr/bin/time -f "%e %U %S" -o "$OUT/time" "$CLI" run shumailov-gmm model.k=2,3 \
            run.generations="$GEN" run.replicates=4 --threads $t -o "$OUT/t$t" --quiet >/dev/null
        cat "$OUT/time" >>"$OUT/times$t"
    done
    set -- $(min <"$OUT/times$t")
    eval "wall$t=\$1 cpu$t=\$(echo \"\$2 + \$3\" | bc)"
done
LOAD=$(cut -d' ' -f1 /proc/loadavg)
awk -v a="$wall1" -v b="$wall2" -v ca="$cpu1" -v cb="$cpu2" -v g="$GEN" -v l="$LOAD" 'BEGIN {
    printf "| collapse run shumailov-gmm model.k=2,3 (a 2-point grid), %d generations x 4 replicates | 1 thread %.2f s wall, %.2f s CPU | 2 threads %.2f s wall, %.2f s CPU | speed-up %.2fx (load %s) | |\n",
        g, a, ca, b, cb, a / b, l }'
cmp -s "$OUT/t1/metrics.csv" "$OUT/t2/metrics.csv" || { echo "gmm_kde.sh: outputs differ across thread counts" >&2; exit 1; }
rm -rf "$OUT"
