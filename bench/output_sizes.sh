#!/bin/sh
# output_sizes.sh - the run folder's size before and after the lean outputs (docs/BENCHMARKS.md):
# the cats demo (`collapse run cats`), cats with 2,000 replicates and gaussian-regimes, written by
# an older binary (OLD, %.17g numbers) and by this one with the defaults, output.compress=gzip
# and output.metrics=none. Sizes of the data files (CSV, JSON, config.ini; no figures), in bytes.
#   sh bench/output_sizes.sh OLD_BINARY [BUILD]
set -eu
OLD=$1
NEW=${2:-build}/collapse
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
size() { du -cb "$1"/*.csv* "$1"/*.json "$1"/config.ini | tail -1 | cut -f1; }
metrics() { du -b "$1"/metrics.csv* 2>/dev/null | cut -f1 || echo 0; }
printf "%-34s %14s %14s %14s %14s\n" "run" "before" "after" "gzip" "metrics=none"
for run in "cats" "cats run.replicates=2000" "gaussian-regimes"; do
  "$OLD" run $run --quiet --no-plots -o "$TMP/old" >/dev/null
  "$NEW" run $run --quiet --no-plots -o "$TMP/new" >/dev/null
  "$NEW" run $run --quiet --no-plots -o "$TMP/gz" output.compress=gzip >/dev/null
  "$NEW" run $run --quiet --no-plots -o "$TMP/none" output.metrics=none >/dev/null
  printf "%-34s %14s %14s %14s %14s\n" "$run (all files)" "$(size "$TMP/old")" "$(size "$TMP/new")" \
    "$(size "$TMP/gz")" "$(size "$TMP/none")"
  printf "%-34s %14s %14s %14s %14s\n" "  metrics.csv" "$(metrics "$TMP/old")" "$(metrics "$TMP/new")" \
    "$(metrics "$TMP/gz")" 0
  rm -rf "$TMP/old" "$TMP/new" "$TMP/gz" "$TMP/none"
done
