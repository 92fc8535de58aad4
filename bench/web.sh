#!/bin/sh
# Curation, the detector and the shared web against a plain `fresh` generation (issue 12): the
# same world, model and sizes through the CLI, one thread, CPU time of the process (user + sys),
# the best of 3 runs. The peer is the plain fresh run: every row's ratio is its cost over that.
# usage: bench/web.sh BUILD_DIR
set -eu
build=${1:-build}
bin=$build/collapse
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
base="world.type=zipf world.zipf_k=1000 world.zipf_s=1.1 metrics.track=none regime.n=100000
 regime.h=0.3 run.generations=50 run.replicates=4 --threads 1 --quiet --no-plots --force"
cpu() { # best CPU seconds of 3 runs of collapse run cats $base "$@"
  best=
  for i in 1 2 3; do
    /usr/bin/time -f '%U %S' -o "$tmp/t" "$bin" run cats $base "$@" -o "$tmp/out" > /dev/null
    t=$(awk '{ printf "%.3f", $1 + $2 }' "$tmp/t")
    best=$(awk -v a="$t" -v b="${best:-1e9}" 'BEGIN { print (a < b) ? a : b }')
  done
  echo "$best"
}
fresh=$(cpu regime.name=fresh)
row() { # label, then the run's settings
  label=$1; shift
  t=$(cpu "$@")
  awk -v l="$label" -v t="$t" -v f="$fresh" 'BEGIN { printf "| %s | %.3f s | %.3f s | %.2fx |\n", l, t, f, t / f }'
}
echo "| run (50 generations x 4 replicates, n = 10^5, Zipf K = 1000) | ours | plain fresh | ratio |"
echo "|---|---|---|---|"
row "fresh h = 0.3 (the peer itself)" regime.name=fresh
row "fresh + select = top, K = 4" regime.name=fresh regime.select=top regime.candidates=4
row "fresh + select = best-of, K = 4" regime.name=fresh regime.select=best-of regime.candidates=4
row "fresh + detector (TPR 0.9, FPR 0.05, refill)" regime.name=fresh regime.detector_tpr=0.9 regime.detector_fpr=0.05
row "web, 1 lineage = fresh (publish 7 10^4, retention 0)" regime.name=web regime.publish=70000 regime.retention=0
row "web, 3 lineages (publish 10^5, retention 0.7)" regime.name=web regime.models=3 regime.publish=100000 regime.retention=0.7
