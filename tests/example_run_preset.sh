#!/bin/bash
# examples/run_preset.c, the library without the CLI: it writes a complete run directory, the
# same numbers as `collapse run` for the same configuration, and fails cleanly on a bad preset.
set -u
example=$1 bin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $what"; fails=$((fails + 1)); fi
}

args="run.replicates=6 run.generations=8"
"$example" cats "$tmp/ex" $args > "$tmp/ex.out" 2>&1 || { echo "FAIL: run_preset"; cat "$tmp/ex.out"; exit 1; }
check "summary.json is complete" grep -q '"complete":true}' "$tmp/ex/summary.json"
check "no temporary (hidden) files left" bash -c "! ls -A '$tmp/ex' | grep -q '^\\.'"
check "one line per grid point" test "$(grep -c '^point [0-9]* done' "$tmp/ex.out")" -eq \
  "$(($(wc -l < "$tmp/ex/points.csv") - 1))"
"$bin" run cats $args -o "$tmp/cli" --no-plots --quiet > /dev/null 2>&1
for f in metrics.csv summary.csv extinction.csv summary.json points.csv; do
  check "$f is what collapse run writes" cmp -s "$tmp/ex/$f" "$tmp/cli/$f"
done
"$example" cast "$tmp/bad" > /dev/null 2> "$tmp/bad.err"
check "an unknown preset exits 2" test $? -eq 2
check "and says the near name" grep -q "did you mean 'cats'" "$tmp/bad.err"
check "and writes nothing" test ! -e "$tmp/bad"

echo "example_run_preset: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
