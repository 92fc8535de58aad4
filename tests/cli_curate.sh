#!/bin/bash
# Bad curation, detection and web settings get one clear message naming the key and exit status
# 2 (docs/WEB.md); the curation presets' points carry the steps' metrics with their roles.
bin=$1
EXPECT_MAX_LINES=2
. "$(dirname "$0")/clilib.sh"

o="-o $tmp/out --quiet"
expect 2 "regime.candidates: 0 is out of range" run cats regime.select=top regime.candidates=0 $o
expect 2 "regime.select: unknown value 'best' (did you mean 'best-of'?" run cats regime.select=best $o
expect 2 "regime.detector_tpr: 1.2 is out of range: must be in [0, 1]" run cats regime.detector_tpr=1.2 $o
expect 2 "regime.detector_fpr: -0.1 is out of range" run cats regime.detector_fpr=-0.1 $o
expect 2 "regime.verifier_noise: -1 is out of range" run cats regime.select=top regime.verifier_noise=-1 $o
expect 2 "regime.candidates: has no effect with regime.select = none" run cats regime.candidates=4 $o
expect 2 "regime.beta: has no effect with regime.select = top" run cats regime.select=top regime.beta=3 $o
expect 2 "regime.select: model.family = linreg has no verifier score" run linreg-regimes regime.select=top $o
expect 2 "regime.detector_tpr: model.family = linreg cannot thin a dataset" run linreg-regimes regime.detector_tpr=0.5 $o
expect 2 "regime.detector_tpr: a detector with TPR 1 drops every synthetic sample" run cats regime.name=replace regime.detector_tpr=1 $o
expect 2 "every training set would be empty" run cats regime.name=replace regime.detector_tpr=1 regime.detector_refill=false $o
expect 2 "regime.candidates: K = 1000000 candidates" run cats regime.select=top regime.candidates=1e6 regime.n=1e6 $o
# the web
expect 2 "regime.temperatures: 2 temperatures for regime.models = 3 lineages" run web "regime.temperatures=1, 0.9" $o
expect 2 "regime.schedule: h = 1 leaves no room for the models' content" run web "regime.schedule=10:1" $o
expect 2 "regime.retention: 1.5 is out of range" run web regime.retention=1.5 $o
expect 2 "regime.publish: with regime.retention = 0 the web holds only" run web regime.retention=0 regime.publish=10 $o
expect 2 "regime.models: model.family = gmm has no distance between two models" run shumailov-gmm regime.name=web regime.models=2 $o
expect 2 "regime.publish: a crawl of 500 items, but the web holds" run web regime.retention=0.5 regime.publish=10 run.replicates=1 $o
[ ! -e "$tmp/out/summary.json" ] || { echo "FAIL: a refused run left summary.json"; fails=$((fails + 1)); }

# the steps' metrics and their roles reach summary.json
ok "$bin" run curation run.replicates=2 run.generations=2 -o "$tmp/cur" --quiet --no-plots >/dev/null
ok grep -q '"role": *"selection"' "$tmp/cur/summary.json"
ok grep -q '"role": *"score"' "$tmp/cur/summary.json"
ok "$bin" run cats regime.name=fresh regime.h=0.5 regime.detector_tpr=0.9 regime.detector_fpr=0.05 \
  run.replicates=2 run.generations=2 -o "$tmp/det" --quiet --no-plots >/dev/null
ok grep -q 'detect_synthetic_passed' "$tmp/det/summary.csv"

# collapse need over the new knobs
out=$("$bin" need cats --over regime.candidates regime.name=replace regime.select=best-of \
  regime.candidates=8 regime.beta=0.3 sampling.temperature=1 run.replicates=20 \
  --target "p_blue >= 0.98" --at 3 -q -o "$tmp/need" 2>&1)
ok grep -q "^candidates\* = [2-8] " <<<"$out"
expect 2 "--over regime.n: collapse need searches regime.h, regime.detector_tpr or regime.candidates" \
  need cats --over regime.n --target "p_yellow >= 0.05" --at 5 -q
expect 2 "--over regime.candidates searches K from 1 to regime.candidates" \
  need cats --over regime.candidates --target "p_yellow >= 0.05" --at 5 -q

echo "cli_curate: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
