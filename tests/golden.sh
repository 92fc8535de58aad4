#!/bin/bash
# Golden runs: every preset at a small size, compared value by value with the metrics.csv stored
# under tests/golden/ (full precision, so "unchanged" means bit for bit).
#
#   tests/golden.sh COLLAPSE_BINARY            compare (exit 1 on any difference)
#   tests/golden.sh COLLAPSE_BINARY --update   rewrite the stored files from this binary
#
# A metric renamed on purpose is listed in tests/golden/renames.txt ("old new" per line): the
# stored name is read as the new one. A preset whose data is not installed (brown without
# `make data`) is skipped with a message. Run it before and after a change that must not move
# any result; the suite runs it too (cli_golden.sh).
set -u
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
    shumailov-gmm) echo "run.replicates=2 run.generations=4" ;;
    *) echo "run.replicates=3 run.generations=4" ;;
  esac
}

renames=$(grep -v '^#' "$gold/renames.txt" 2>/dev/null | awk 'NF == 2 { printf "%s%s=%s", sep, $1, $2; sep = "," }')
normalise() { # metrics.csv with stored names renamed
  awk -F, -v OFS=, -v map="$renames" 'BEGIN { n = split(map, a, ","); for (i = 1; i <= n; i++) { split(a[i], kv, "="); r[kv[1]] = kv[2] } }
    NR > 1 && ($4 in r) { $4 = r[$4] } { print }' "$1"
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
  elif diff <(normalise "$gold/$preset.csv") "$out/metrics.csv" > "$tmp/$preset.diff"; then
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
