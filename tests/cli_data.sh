#!/bin/bash
# Data readers and silent nonsense (issue 13, defects 5, 6, 7, 9, 10): a word table never drops
# a row for a header, words that are not printable UTF-8 are refused (so summary.json is valid
# JSON and the terminal sees no control character), FIFOs and empty corpus folders are refused
# at once, and impossible or pointless settings get one message naming their key.
bin=$1
. "$(dirname "$0")/clilib.sh"

o="-o $tmp/out --quiet"
t="world.type=table metrics.track=none"
# defect 5: a first row whose count does not parse is an error on line 1
printf 'cat,1O\ndog,5\nbird,3\n' >"$tmp/a.csv"
expect 2 "a.csv:1: count '1O' is not a number" theory cats $t world.table="$tmp/a.csv"
printf 'cat,nan\ndog,5\n' >"$tmp/b.csv"
expect 2 "b.csv:1: count 'nan' is not a number" theory cats $t world.table="$tmp/b.csv"
printf 'cat,1e-320\ndog,5\n' >"$tmp/c.csv"
expect 2 "c.csv:1: count 1e-320 is out of range" theory cats $t world.table="$tmp/c.csv"
printf '[{"word": "cat", "count": 1e400}]\n' >"$tmp/d.json"
expect 2 'd.json: entry 1 ("cat"): count out of range' theory cats $t world.table="$tmp/d.json"
# defect 6: words that are not printable UTF-8
printf 'dog,5\n\xff\xfe,3\n' >"$tmp/e.csv"
expect 2 "e.csv:2: invalid UTF-8 at byte 1" \
  run cats world.type=table world.table="$tmp/e.csv" metrics.track=dog $o
printf 'dog,5\nc\x1b[2Jat,3\n' >"$tmp/f.csv"
expect 2 "f.csv:2: a control character at byte 2" theory cats $t world.table="$tmp/f.csv"
printf 'the cat sat\n\nthe \x1b]0;owned\x07dog ran\n' >"$tmp/g.txt"
expect 2 "g.txt:3: a control character at byte 5" theory brown world.corpus="$tmp/g.txt"
# a tracked UTF-8 word: summary.json stays valid JSON
printf 'caf\xc3\xa9,5\n\xe7\x8c\xab,3\ndog,2\n' >"$tmp/u.csv"
"$bin" run cats world.type=table world.table="$tmp/u.csv" metrics.track="café, 猫" \
  run.replicates=3 run.generations=2 regime.name=replace sampling.temperature=1 \
  -o "$tmp/u" --quiet >/dev/null 2>&1
ok python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert "café" in json.dumps(d, ensure_ascii=False)' "$tmp/u/summary.json"
# defect 7: an empty corpus folder
mkdir -p "$tmp/empty"
expect 2 "the folder holds no files" theory brown world.corpus="$tmp/empty"
# defect 9: held-out set of 0, tracked twice, FIFOs, impossible targets
expect 2 "world.heldout: 0 is out of range: must be in (0, 1)" run brown world.heldout=0 $o
expect 2 "metrics.track: category 'blue' is named twice" run cats metrics.track="blue, blue" $o
mkfifo "$tmp/fifo.csv"
expect 1 "fifo.csv: not a regular file" theory cats $t world.table="$tmp/fifo.csv"
expect 1 "fifo.csv is not a regular file" theory brown world.corpus="$tmp/fifo.csv"
expect 2 "alive_yellow (role presence) lies in [0, 1]" \
  need cats --target "alive(yellow) >= 1.5" --at 5
# defect 10: generations=1e9 refused at once naming run.generations; need --at -5 one message
start=$(date +%s)
expect 1 "run.generations: one replicate's results" run cats run.generations=1e9 $o
ok test $(($(date +%s) - start)) -le 3
expect 2 "--at -5: expected a whole number" need cats --target "alive(yellow) >= 0.9" --at -5
help=$("$bin" run --help 2>&1)
ok grep -q "model.covariance .*full, or diag (diagonal)" <<<"$help"
# a FIFO where a run folder's summary.json should be: refused at once, not read for ever
mkdir -p "$tmp/fifo-run" && mkfifo "$tmp/fifo-run/summary.json"
expect 1 "summary.json: not a regular file" plot "$tmp/fifo-run"
# a grid whose metrics.csv would pass 1 GB is announced before it runs (here it stops at once on
# an empty output name, after the warning)
out=$(timeout 20 "$bin" run cats "regime.n=10,20,30,40,50,60,70,80,90,100" \
  "sampling.temperature=1,0.99,0.98,0.97,0.96,0.95,0.94,0.93,0.92,0.91" run.replicates=2000 \
  run.generations=100 -o "" 2>&1 >/dev/null)
ok grep -q "^collapse: warning: metrics.csv will take about 18.2 GB" <<<"$out"

echo "cli_data: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
