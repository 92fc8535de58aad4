#!/bin/bash
# The gaussian and linreg presets run end to end from the command line (shortened), write the
# closed-form theory beside the simulation, and bad continuous-world values exit 2 with one message.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# theory_mean of metric M at generation G of point P in summary.csv (columns: point, generation,
# metric, n, mean, sd, q05, q50, q95, theory_mean)
theory() { awk -F, -v p="$2" -v g="$3" -v m="$4" '$1 == p && $2 == g && $3 == m { print $10 }' "$1"; }

# gaussian-regimes, shortened: the replace points carry ((n-1)/n)^(g+1), accumulate and
# accumulate-subsample their pool recursions, w2 no theory
out=$tmp/g
if ! "$bin" run gaussian-regimes run.replicates=3 run.generations=5 -o "$out" --quiet --no-plots >/dev/null 2>"$tmp/err"; then
  fail "collapse run gaussian-regimes: $(cat "$tmp/err")"
else
  [ "$(awk -F, 'NR > 1' "$out/summary.csv" | cut -d, -f1 | sort -u | wc -l)" = 9 ] || fail "gaussian-regimes: not 9 points"
  t=$(theory "$out/summary.csv" 1 5 trace_ratio)   # point 1: replace, n = 100
  awk -v t="$t" 'BEGIN { e = 0.99 ^ 6; exit !(t > e - 1e-5 && t < e + 1e-5) }' || fail "gaussian-regimes: replace n=100 trace_ratio theory at g=5 is '$t', expected 0.99^6"
  t=$(theory "$out/summary.csv" 4 5 trace_ratio)   # point 4: accumulate, n = 100 (its pool recursion)
  awk -v t="$t" 'BEGIN { exit !(t > 0.98 && t < 0.99) }' || fail "gaussian-regimes: accumulate n=100 trace_ratio theory at g=5 is '$t', expected in (0.98, 0.99)"
  t=$(theory "$out/summary.csv" 7 5 trace_ratio)   # point 7: accumulate-subsample, n = 100
  awk -v t="$t" 'BEGIN { exit !(t > 0.97 && t < 0.98) }' || fail "gaussian-regimes: accumulate-subsample n=100 trace_ratio theory at g=5 is '$t', expected in (0.97, 0.98)"
  t=$(theory "$out/summary.csv" 7 5 w2)
  [ "$t" = "nan" ] || [ -z "$t" ] || fail "gaussian-regimes: w2 has a theory value '$t'"
  grep -q ",nan,nan,nan,nan,nan," "$out/summary.csv" && fail "gaussian-regimes: a metric with no value"
fi

# linreg-regimes, shortened; `collapse theory` prints the same closed forms
out=$tmp/l
if ! "$bin" run linreg-regimes run.replicates=20 -o "$out" --quiet --no-plots >/dev/null 2>"$tmp/err"; then
  fail "collapse run linreg-regimes: $(cat "$tmp/err")"
else
  t0=$(theory "$out/summary.csv" 0 0 err)
  t9=$(theory "$out/summary.csv" 0 9 err)
  awk -v a="$t0" -v b="$t9" 'BEGIN { exit !(a > 0 && b / a > 10 - 1e-9 && b / a < 10 + 1e-9) }' || fail "linreg-regimes: replace theory not linear in g+1 ($t0, $t9)"
fi
"$bin" theory linreg-regimes > "$tmp/theory" 2>&1 || fail "collapse theory linreg-regimes failed"
grep -q "accumulate" "$tmp/theory" || fail "collapse theory linreg-regimes: no accumulate row"

# bad values: exit 2, one message naming the key
check_bad() {
  local want=$1; shift
  local msg rc
  msg=$("$bin" run "$@" -o "$tmp/bad" --quiet 2>&1 >/dev/null); rc=$?
  [ "$rc" = 2 ] || fail "collapse run $*: exit $rc, want 2 ($msg)"
  grep -qF -- "$want" <<<"$msg" || fail "collapse run $*: message '$msg' lacks '$want'"
}
check_bad "world.cov" gaussian-regimes world.dim=2 "world.cov=1, 2; 2, 1"
check_bad "T > d + 1" linreg-regimes world.rows=11
check_bad "sigma" gaussian-regimes world.sigma=-1

[ "$fails" = 0 ] || exit 1
echo "cli_continuous: all checks passed"
