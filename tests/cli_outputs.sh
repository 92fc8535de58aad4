#!/bin/bash
# cli_outputs.sh - the output settings (docs/OUTPUTS.md): output.compress = gzip writes every CSV
# as NAME.csv.gz whose content is byte for byte the plain run's and the figures and report still
# draw; output.metrics = none leaves out metrics.csv only; metrics.every = k measures the
# family's metrics at g = 0, k, 2k, ... and G with exactly the values of the run that measures
# every generation (their streams are keyed by generation) and nan between, n and human_share at
# every generation, summary.csv's n = 0 at the gaps; summary.json's numbers typed; bad values
# refused naming the key.
# Usage: cli_outputs.sh /path/to/collapse
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
py=/usr/bin/python3
. "$(dirname "$0")/clilib.sh"
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { passes=$((passes + 1)); }
small="cats run.replicates=4 run.generations=7 --quiet"

"$bin" run $small --no-plots -o "$tmp/plain" > /dev/null || fail "plain run"
"$bin" run $small --no-plots -o "$tmp/gz" output.compress=gzip > /dev/null || fail "gzip run"
for f in metrics summary extinction points; do
  if [ -f "$tmp/gz/$f.csv" ] || ! zcat "$tmp/gz/$f.csv.gz" | cmp -s - "$tmp/plain/$f.csv"; then
    fail "output.compress=gzip: $f.csv.gz is not the plain run's $f.csv compressed"
  else pass; fi
done
# summary.json: the same but for the configuration's output.compress
$py - "$tmp/plain/summary.json" "$tmp/gz/summary.json" <<'PY' && pass || fail "gzip run: summary.json differs beyond output.compress"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["config"]["output"]["compress"] == "none" and b["config"]["output"]["compress"] == "gzip"
b["config"]["output"]["compress"] = "none"
for p in b["points"]:
    p["params"]["output.compress"] = "none"
assert a == b
PY

"$bin" run $small --no-plots -o "$tmp/none" output.metrics=none > /dev/null || fail "metrics=none run"
if [ -e "$tmp/none/metrics.csv" ] || ! cmp -s "$tmp/none/summary.csv" "$tmp/plain/summary.csv" ||
   ! cmp -s "$tmp/none/extinction.csv" "$tmp/plain/extinction.csv"; then
  fail "output.metrics=none: metrics.csv written or the summaries differ"
else pass; fi

"$bin" run $small --no-plots -o "$tmp/every" metrics.every=3 > /dev/null || fail "metrics.every run"
$py - "$tmp/plain" "$tmp/every" 7 3 <<'PY' && pass || fail "metrics.every=3: values or gaps wrong"
import csv, math, sys, json
full, every, G, k = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = lambda d: {tuple(r[:4]): r[4] for r in list(csv.reader(open(d + "/metrics.csv")))[1:]}
a, b = rows(full), rows(every)
assert a.keys() == b.keys()
measured = 0
for key, v in a.items():
    g, m = int(key[2]), key[3]
    if m in ("n", "human_share") or g % k == 0 or g == G:
        assert b[key] == v, (key, v, b[key]); measured += 1
    else:
        assert b[key] == "nan", (key, b[key])
assert measured < len(a)
for r in list(csv.DictReader(open(every + "/summary.csv"))):
    g = int(r["generation"])
    if r["metric"] not in ("n", "human_share") and g % k and g != G:
        assert r["n"] == "0" and r["mean"] == "nan", r
assert json.load(open(every + "/summary.json"))["metrics_every"] == k
PY

# the report of a compressed run with gaps: it reads points.csv.gz and says how it was measured
"$bin" run $small --no-plots -o "$tmp/everygz" metrics.every=3 output.compress=gzip > /dev/null &&
  "$bin" report "$tmp/everygz" > /dev/null 2>&1 &&
  grep -q "metrics measured every 3 generations" "$tmp/everygz/report.html" &&
  pass || fail "metrics.every=3, gzip: no report, or it does not say how it was measured"

# a FIFO in place of points.csv.gz: refused at once, never a hang
rm "$tmp/everygz/points.csv.gz" && mkfifo "$tmp/everygz/points.csv.gz" &&
  expect 1 "points.csv.gz: not a regular file" report "$tmp/everygz"

# summary.json: numbers where the key is numeric, strings for names and grid lists
$py - "$tmp/plain/summary.json" <<'PY' && pass || fail "summary.json: values not typed"
import json, sys
j = json.load(open(sys.argv[1]))
c = j["config"]
assert c["run"]["seed"] == 20230726 and c["run"]["replicates"] == 4 and c["regime"]["n"] == 1000
assert isinstance(c["regime"]["name"], str) and isinstance(c["sampling"]["temperature"], str)
p = j["points"][1]["params"]
assert p["sampling.temperature"] == 0.9 and p["run.generations"] == 7 and p["model.family"] == "categorical"
PY

# progress without a terminal: a line at most every few seconds (here: the first and the last)
"$bin" run cats run.replicates=50 run.generations=20 --no-plots -o "$tmp/prog" 2> "$tmp/prog.err" > /dev/null
n=$(grep -c 'runs (' "$tmp/prog.err")
if grep -q '200/200 runs (100%)' "$tmp/prog.err" && [ "$n" -le 3 ] && ! grep -q $'\r' "$tmp/prog.err"; then pass
else fail "progress without a terminal: $(cat "$tmp/prog.err")"; fi

expect 2 "output.metrics" run cats output.metrics=some --no-plots -o "$tmp/bad1"
expect 2 "output.compress" run cats output.compress=zip --no-plots -o "$tmp/bad2"
expect 2 "metrics.every" run cats metrics.every=0 --no-plots -o "$tmp/bad3"
expect 2 "metrics.every" run pipeline metrics.every=5 --no-plots -o "$tmp/bad4"

echo "cli_outputs: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
