#!/bin/bash
# Golden runs: every preset at a small size, compared value by value with the metrics.csv stored
# under tests/golden/ (full precision, so "unchanged" means bit for bit).
#
#   tests/golden.sh COLLAPSE_BINARY            compare (exit 1 on any difference)
#   tests/golden.sh COLLAPSE_BINARY --update   rewrite the stored files from this binary
#
# GOLDEN_RTOL=x compares values to a relative tolerance x instead of bit for bit: a build at
# another optimisation level (the sanitizer build, -O0) rounds a few last bits differently, while
# one build is bit-identical for any thread count.
#
# A metric renamed on purpose is listed in tests/golden/renames.txt ("old new" per line): the
# stored name is read as the new one. A preset whose data is not installed (brown without
# `make data`) is skipped with a message. Run it before and after a change that must not move
# any result; the suite runs it too (cli_golden.sh).
set -u
# OpenBLAS (the gpt family's matrix products) picks its kernels by processor, and kernels sum in
# different orders: the generic x86-64 kernels make the stored bits those of any x86-64 machine.
export OPENBLAS_CORETYPE=Prescott
bin=$1
update=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
gold=$here/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# preset and its small-size overrides
sizes() {
  case $1 in
    brown) echo "run.replicates=1 run.generations=2 regime.n=2000" ;;
    gpt-brown) echo "run.replicates=1 run.generations=1 regime.n=300 model.steps=4 metrics.sample=30 metrics.heldout=200" ;;
    shumailov-gmm) echo "run.replicates=2 run.generations=4" ;;
    web-scale) echo "run.replicates=1 run.generations=2 world.zipf_k=2000 regime.n=1e9 regime.publish=2e8" ;;
    *) echo "run.replicates=3 run.generations=4" ;;
  esac
}

renames=$(grep -v '^#' "$gold/renames.txt" 2>/dev/null | awk 'NF == 2 { printf "%s%s=%s", sep, $1, $2; sep = "," }')
normalise() { # metrics.csv with stored names renamed
  awk -F, -v OFS=, -v map="$renames" 'BEGIN { n = split(map, a, ","); for (i = 1; i <= n; i++) { split(a[i], kv, "="); r[kv[1]] = kv[2] } }
    NR > 1 && ($4 in r) { $4 = r[$4] } { print }' "$1"
}

# With GOLDEN_RTOL set: the same rows (point, replicate, generation, metric) and every value within
# the relative tolerance (inf and nan must match exactly).
close_enough() { # PRESET FILE
  [ -n "${GOLDEN_RTOL:-}" ] || return 1
  paste -d '\n' <(normalise "$gold/$1.csv") "$2" | awk -F, -v tol="$GOLDEN_RTOL" '
    NR % 2 == 1 { a = $0; split($0, x, ","); next }
    { if (NR == 2) { if ($0 != a) bad = 1; next }
      split($0, y, ",")
      if (x[1] != y[1] || x[2] != y[2] || x[3] != y[3] || x[4] != y[4]) { bad = 1; next }
      if (x[5] == y[5]) next
      if (x[5] !~ /^-?[0-9.]/ || y[5] !~ /^-?[0-9.]/) { bad = 1; next }
      d = x[5] - y[5]; if (d < 0) d = -d
      m = x[5] < 0 ? -x[5] : x[5]
      if (d > tol * m) bad = 1 }
    END { exit bad }' && [ "$(wc -l < "$gold/$1.csv")" -eq "$(wc -l < "$2")" ]
}

fails=0 passes=0 skipped=0
for preset in $("$bin" presets | awk '/^  [a-z]/ { print $1 }'); do
  out=$tmp/$preset
  if ! "$bin" run "$preset" $(sizes "$preset") --threads 2 --quiet --no-plots -o "$out" \
      > "$tmp/$preset.log" 2>&1; then
    if grep -q 'make data' "$tmp/$preset.log"; then
      echo "skip: $preset (its data is not installed: make data)"
      skipped=$((skipped + 1))
      continue
    fi
    echo "FAIL: $preset did not run:"; cat "$tmp/$preset.log"
    fails=$((fails + 1))
    continue
  fi
  if [ "$update" = --update ]; then
    cp "$out/metrics.csv" "$gold/$preset.csv"
    echo "updated: $preset ($(($(wc -l < "$out/metrics.csv") - 1)) values)"
    continue
  fi
  if [ ! -f "$gold/$preset.csv" ]; then
    echo "FAIL: $preset has no stored golden file (tests/golden.sh BIN --update)"
    fails=$((fails + 1))
  elif diff <(normalise "$gold/$preset.csv") "$out/metrics.csv" > "$tmp/$preset.diff" ||
       close_enough "$preset" "$out/metrics.csv"; then
    passes=$((passes + 1))
  else
    echo "FAIL: $preset differs from tests/golden/$preset.csv ($(grep -c '^>' "$tmp/$preset.diff") values):"
    head -n 8 "$tmp/$preset.diff"
    fails=$((fails + 1))
  fi
done
[ "$update" = --update ] && exit 0
echo "golden: $passes passed, $fails failed, $skipped skipped"
[ "$fails" -eq 0 ]
