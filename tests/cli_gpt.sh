#!/bin/bash
# The gpt family through the command line: every regime on a small generated corpus with
# outputs bit-identical for 1 and 2 threads; training's status line (step, loss, gradient norm,
# tokens/s) in the progress output; and one message naming the key with exit status 2 for each
# impossible shape, size or corpus.
set -u
bin=$1
. "$(dirname "$0")/clilib.sh"

# 60 documents of 8 sentences over a 12-word vocabulary (a fixed pseudo-random walk)
. "$(dirname "$0")/tiny_gpt.sh"
tiny_gpt_ini "$tmp" 2 > "$tmp/small.ini"
for t in 1 2; do
  "$bin" run "$tmp/small.ini" --threads $t --quiet --no-plots -o "$tmp/out$t" > "$tmp/run$t.log" 2>&1 ||
    { echo "FAIL: run with $t threads"; cat "$tmp/run$t.log"; fails=$((fails + 1)); }
done
if cmp -s "$tmp/out1/metrics.csv" "$tmp/out2/metrics.csv"; then passes=$((passes + 1)); else
  echo "FAIL: metrics.csv differs between 1 and 2 threads"; fails=$((fails + 1)); fi
grep -q ",heldout_bpb," "$tmp/out1/metrics.csv" && passes=$((passes + 1)) ||
  { echo "FAIL: no heldout_bpb"; fails=$((fails + 1)); }

small() { echo "$tmp/small.ini run.generations=0 run.replicates=1 regime.name=replace $*"; }

# training's status reaches the progress output (stderr not a terminal: a line), not with --quiet;
# the results are the quiet run's
"$bin" run $(small) --threads 1 --no-plots -o "$tmp/loud" > /dev/null 2> "$tmp/loud.err"
ok grep -qE '^collapse: gpt: step [0-9]+/20, loss [0-9.]+ nats/token, gradient norm [0-9.e+-]+, [0-9]+ tokens/s$' "$tmp/loud.err"
"$bin" run $(small) --threads 1 --no-plots --quiet -o "$tmp/hush" > /dev/null 2> "$tmp/hush.err"
ok test ! -s "$tmp/hush.err"
ok cmp -s "$tmp/loud/metrics.csv" "$tmp/hush/metrics.csv"
expect 2 "is not a multiple of heads" run $(small model.dim=16 model.heads=3) -o "$tmp/bad"
expect 2 "model.context" run $(small model.context=0) -o "$tmp/bad"
expect 2 "model.vocab" run $(small model.vocab=255) -o "$tmp/bad"
expect 2 "lower model.dim" run $(small model.dim=8192 model.layers=64) -o "$tmp/bad"
expect 2 "too few for one batch" run $(small model.batch=500 model.context=64) -o "$tmp/bad"
[ ! -e "$tmp/bad/metrics.csv" ] && passes=$((passes + 1)) || { echo "FAIL: a refused run left metrics.csv"; fails=$((fails + 1)); }
echo "cli_gpt: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
