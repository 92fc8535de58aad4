#!/bin/bash
# The paper zoo through the command line (docs/ZOO.md): `collapse zoo` lists every entry; the
# quick version of every entry passes (`--all --quick`: the regression check of every family an
# entry uses), writing each run folder and one zoo.csv with a PASS row per check; a check that
# cannot hold fails with exit status 1; bad usage exits 2; the report shows the published
# results. Also the Poisson family's bad input through the command line.
set -u
bin=$1
src=${MC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$(dirname "$0")/clilib.sh"

# the list names every entry file
list=$("$bin" zoo) || { echo "FAIL: collapse zoo exited $?"; fails=$((fails + 1)); }
for f in "$src"/presets/zoo/*.ini; do
  name=$(basename "$f" .ini)
  ok grep -q "^$name\$" <<<"$list"
done

# every entry's quick version passes (under the sanitizers: two entries, one of each path)
if [ -n "${MC_SANITIZE:-}" ]; then
  entries="suresh-poisson gerstgrasser-linreg"
  for e in $entries; do
    ok "$bin" zoo "$e" --quick -o "$tmp/all/$e" --no-plots -q
  done
  checks=$(cat "$tmp"/all/*/zoo.csv | grep -vc '^entry,')
  rows=$(cat "$tmp"/all/*/zoo.csv | grep -c ',PASS$')
else
  ok "$bin" zoo --all --quick -o "$tmp/all" --no-plots -q
  checks=$(grep -h '^check_[0-9]* *=' "$src"/presets/zoo/*.ini | wc -l)
  rows=$(grep -c ',PASS$' "$tmp/all/zoo.csv")
  ok test "$(grep -vc '^entry,' "$tmp/all/zoo.csv")" -eq "$checks"
  for f in "$src"/presets/zoo/*.ini; do
    ok test -f "$tmp/all/$(basename "$f" .ini)/summary.json"
  done
fi
if [ "$rows" -ne "$checks" ] || [ "$checks" -lt 3 ]; then
  echo "FAIL: $rows of $checks zoo checks passed"; fails=$((fails + 1))
fi

# a check that cannot hold: He et al.'s closed form at w = 0.618 compared with runs at w = 0.1 and 0.2
out=$("$bin" zoo he-golden-ratio --quick "regime.human_weight=0.1, 0.2" -o "$tmp/fail" --no-plots -q)
rc=$?
if [ "$rc" -ne 1 ] || ! grep -q 'FAIL' <<<"$out" || ! grep -q ',FAIL$' "$tmp/fail/zoo.csv"; then
  echo "FAIL: a failing zoo check gave exit $rc: $out"; fails=$((fails + 1))
fi

# the report's published results (with figures unless under the sanitizers)
if [ -z "${MC_SANITIZE:-}" ]; then
  ok "$bin" zoo gerstgrasser-linreg --quick -o "$tmp/report" -q
  ok grep -q 'id="published"' "$tmp/report/report.html"
  ok grep -q 'Gerstgrasser et al. 2024' "$tmp/report/report.html"
fi

# bad usage: exit 2, one message
expect 2 "unknown zoo entry 'suresh-poison' (did you mean 'suresh-poisson'?" zoo suresh-poison
expect 2 "--all takes no entry name" zoo --all suresh-poisson
expect 2 "unexpected argument '--frobnicate'" zoo suresh-poisson --frobnicate
expect 2 "--threads '0'" zoo suresh-poisson --threads 0
expect 2 "unknown section" zoo suresh-poisson colour.red=1 --no-plots -q -o "$tmp/bad"

# the Poisson family's bad input: the key named, exit 2
printf '[world]\nlambda = 0\n[model]\nfamily = poisson\n' > "$tmp/p0.ini"
expect 2 "p0.ini:2: [world] lambda: 0 is out of range" run "$tmp/p0.ini" -o "$tmp/p0"
printf '[world]\ntype = mixture\nlambdas = 1, -2\n[model]\nfamily = poisson\n' > "$tmp/pm.ini"
expect 2 "pm.ini:3: [world] lambdas: component 2" run "$tmp/pm.ini" -o "$tmp/pm"
expect 2 "world.lambda: -1 is out of range" run poisson-survival world.lambda=-1 -o "$tmp/p1"

echo "cli_zoo: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
