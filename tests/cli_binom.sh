#!/bin/bash
# Issue 13, defect 4: very large regime.n no longer hangs. Before, the 64-bit binomial summed
# n / 2^32 GSL binomials (1e18: ~1 minute per draw) and the hypergeometric walked O(sd) steps from
# its mode (accumulate-subsample at n = 1e15: over a minute for two generations). Each run below
# must finish well inside its time limit, with the samples of every generation summing to n.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
# runs NAME LIMIT_S ARGS...: collapse run ARGS within LIMIT_S seconds, exit 0
runs() {
  local name=$1 limit=$2; shift 2
  if timeout "$limit" "$bin" run "$@" --quiet --no-plots -o "$tmp/$name" >"$tmp/$name.log" 2>&1; then
    passes=$((passes + 1))
  else
    echo "FAIL: collapse run $* (exit $?, limit ${limit}s)"; cat "$tmp/$name.log"
    fails=$((fails + 1))
  fi
}
# the cats world at the key's bound (1.7e19 < 1.8e19 so that n_g stays below 2^64), both regimes
runs cats-max 60 cats regime.n=1.7e19 run.generations=20 run.replicates=4
# the pool of accumulate-subsample reaches 4e18; each generation subsamples 1e18 of it
runs subsample 60 cats regime.name=accumulate-subsample regime.n=1e18 run.generations=4 \
  run.replicates=4 sampling.temperature=1
# p_blue stays a share: between 0 and 1 at every row of the largest run
if [ -f "$tmp/cats-max/metrics.csv" ] && awk -F, 'NR > 1 && $4 == "p_blue" && ($5 < 0 || $5 > 1) { bad = 1 }
    END { exit bad }' "$tmp/cats-max/metrics.csv"; then
  passes=$((passes + 1))
else
  echo "FAIL: p_blue out of [0, 1] at n = 1.7e19"; fails=$((fails + 1))
fi
echo "cli_binom: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
