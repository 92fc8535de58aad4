#!/bin/bash
# The gmm and kde families end to end through the command line: the two presets run (shortened),
# write their theory columns where a closed form exists, give identical results on 1 and 2
# threads, and bad values get one message and exit status 2.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# kde-regimes, shortened: theory_mean of trace_ratio is a number for both regimes, and the
# simulated mean lies within 5 of its standard errors (sd / sqrt(R))
"$bin" run kde-regimes run.generations=4 run.replicates=24 world.holdout=50 -o "$tmp/kde" \
    --quiet >/dev/null 2>"$tmp/err" || fail "kde-regimes: $(cat "$tmp/err")"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["metric"] == "trace_ratio" {
        th = $c["theory_mean"]; m = $c["mean"]; se = $c["sd"] / sqrt($c["n"]); rows++
        if (th == "nan" || (m - th) > 5 * se || (th - m) > 5 * se) {
            print "point " $1 " g " $2 ": mean " m " theory " th; bad = 1 }
    }
    END { exit bad || rows != 10 }' "$tmp/kde/summary.csv" || fail "kde-regimes theory"

# shumailov-gmm, shortened, on 1 and 2 threads: byte-identical metrics
for t in 1 2; do
  "$bin" run shumailov-gmm run.generations=20 run.replicates=4 --threads $t -o "$tmp/g$t" \
      --quiet >/dev/null 2>"$tmp/err" || fail "shumailov-gmm --threads $t: $(cat "$tmp/err")"
done
cmp -s "$tmp/g1/metrics.csv" "$tmp/g2/metrics.csv" || fail "shumailov-gmm differs across threads"
grep -q ',nan$' "$tmp/g1/metrics.csv" && fail "shumailov-gmm wrote a NaN metric"
"$bin" theory kde-regimes >/dev/null 2>&1 || fail "collapse theory kde-regimes"

# bad values: one message naming the key, exit 2
expect() {
  local text=$1; shift
  local out rc
  out=$("$bin" run "$@" -o "$tmp/bad" --quiet 2>&1 >/dev/null); rc=$?
  if [ "$rc" != 2 ] || ! grep -qF -- "$text" <<<"$out" || [ "$(grep -c . <<<"$out")" -gt 1 ]; then
    fail "collapse run $*: want exit 2 and '$text', got exit $rc: $out"
  fi
}
expect "model.k: 0 is out of range" shumailov-gmm model.k=0
expect "model.bandwidth: -1 is out of range" kde-regimes model.bandwidth_rule=fixed model.bandwidth=-1
expect "needs model.bandwidth" kde-regimes model.bandwidth_rule=fixed
expect "not positive definite" shumailov-gmm "world.cov=1, 2; 2, 1"

[ "$fails" = 0 ] && echo "cli_gmm_kde: all passed"
exit $((fails > 0))
