#!/bin/bash
# collapse need and the pipeline preset through the command line: answers, tables, exit codes and
# one clear message for every bad argument.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1 # need writes its answer into results/ by default
fails=0 passes=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
# expect EXIT SUBSTRING ARGS...: exit status and a message on stderr
expect() {
  local want=$1 text=$2; shift 2
  local out rc
  out=$("$bin" "$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" != "$want" ] || ! grep -qF -- "$text" <<<"$out"; then
    echo "FAIL: collapse $*"; echo "  want exit $want and '$text'"; echo "  got exit $rc: $out"
    fails=$((fails + 1))
  else
    passes=$((passes + 1))
  fi
}

check "--help lists need" bash -c "'$bin' --help | grep -q 'collapse need'"
check "need --help shows the grammar" bash -c "'$bin' need --help | grep -q 'gen0'"
check "need --help lists need's options from the shared table" \
  bash -c "'$bin' need --help | grep -q -- '--precision E' && '$bin' need --help | grep -q -- '--seed S'"
check "need --help leaves out run's options" bash -c "! '$bin' need --help | grep -q -- '--no-plots'"

# an answer with an interval; the same for 1 and 2 threads (common random numbers)
"$bin" need cats --target "alive(yellow) >= 0.95" --at 30 sampling.temperature=0.9 \
  run.replicates=40 --threads 1 --quiet -o "$tmp/o1" > "$tmp/n1" 2>&1
rc=$?
check "need exits 0" test "$rc" = 0
check "need prints h* with an interval" grep -qE '^h\* = [0-9.e-]+  \(95 % interval' "$tmp/n1"
"$bin" need cats --target "alive(yellow) >= 0.95" --at 30 sampling.temperature=0.9 \
  run.replicates=40 --threads 2 --quiet -o "$tmp/o1" --force > "$tmp/n2" 2>&1
check "need does not depend on the thread count" cmp -s "$tmp/n1" "$tmp/n2"
"$bin" need cats --target "p_yellow >= 0.5" --at 5 run.replicates=5 --quiet -o "$tmp/o3" \
  > "$tmp/n3" 2>&1
check "need searches every grid point: one row per temperature" \
  bash -c "grep -qE '^0 +1.0 +not met ' '$tmp/n3' && grep -qE '^1 +0.9 +not met ' '$tmp/n3'"
check "no grid line when the override chose the axis" bash -c "! grep -q 'grid points' '$tmp/n1'"
"$bin" need cats --target "p_yellow >= 0.5" --at 5 run.replicates=5 sampling.temperature=1.0 \
  --quiet -o "$tmp/o3b" > "$tmp/n3b" 2>&1
check "an unreachable target says so" grep -q 'not met even with h = 1' "$tmp/n3b"

# the issue's question: one row per temperature, need.csv and need.json in the default folder
"$bin" need cats --target "alive(yellow) >= 0.95" --at 50 run.replicates=40 --quiet > "$tmp/n6" 2>&1
check "need cats: one row per temperature" \
  bash -c "grep -qE '^0 +1.0 +[0-9.e-]+ ' '$tmp/n6' && grep -qE '^1 +0.9 +[0-9.e-]+ ' '$tmp/n6'"
csv=$(ls results/cats-need-*/need.csv 2>/dev/null | head -1)
check "need.csv in results/cats-need-STAMP/" test -n "$csv"
check "need.csv: a header and one row per point" \
  bash -c "head -1 '$csv' | grep -qx 'point,sampling.temperature,h,lo,hi,feasible,mean,se,replicates,evaluations' && [ \$(wc -l < '$csv') = 3 ]"
check "need.json holds every evaluation" \
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); p=d['points']; assert len(p)==2 and all(len(x['evaluations'])>=1 for x in p) and d['target']=='alive(yellow) >= 0.95'" "${csv%.csv}.json"
check "the CSV's h* is the table's" \
  bash -c "[ \"\$(sed -n 3p '$csv' | cut -d, -f3)\" = \"\$(grep -E '^1 +0.9 ' '$tmp/n6' | awk '{print \$3}')\" ]"
check "no lock or temporary file left" bash -c "[ -z \"\$(ls -A \$(dirname '$csv') | grep -v '^need\.\(csv\|json\)\$')\" ]"
expect 2 "holds the answer of another \`collapse need\`" need cats --target "p_yellow >= 0.5" --at 5 run.replicates=5 -o "$tmp/o3"
"$bin" need cats --target "p_yellow >= 0.5" --at 5 run.replicates=5 --quiet -o "$tmp/o3" --force > /dev/null
check "--force replaces it" test $? = 0

# more replicates for a stated precision; a pipeline preset searches fresh without its own keys
"$bin" need cats --target "alive(yellow) >= 0.9" --at 20 sampling.temperature=0.9 \
  run.replicates=10 --precision 0.05 --quiet -o "$tmp/o4" > "$tmp/n4" 2>&1
check "--precision adds replicates" \
  bash -c "grep -oE 'with [0-9]+ replicates' '$tmp/n4' | awk '{exit !(\$2 > 10)}'"
"$bin" need pipeline --target "p_yellow >= 0.05" --at 10 run.replicates=10 --quiet \
  -o "$tmp/o5" > "$tmp/n5" 2>&1
check "need pipeline leaves out the pipeline's keys" grep -q 'left out: regime.workforce' "$tmp/n5"
expect 2 "expected a number from" need cats --target "p_yellow >= 0.1" --at 5 --precision -1

expect 2 "--target is required" need cats --at 5
expect 2 "--at is required" need cats --target "p_yellow >= 0.1"
expect 2 "expected a comparison" need cats --target "p_yellow = 0.1" --at 5
expect 2 "expected a number or gen0" need cats --target "p_yellow >= lots" --at 5
expect 2 "did you mean 'alive_yellow'" need cats --target "alive_yelow >= 0.5" --at 5
expect 2 "no metric 'purple'" need cats --target "purple >= 0.5" --at 5
expect 2 "expected a whole number" need cats --target "p_yellow >= 0.1" --at 2.5
expect 2 "expected a number from" need cats --target "p_yellow >= 0.1" --at 5 --confidence 1.5
expect 2 "unknown option" need cats --target "p_yellow >= 0.1" --at 5 --frobnicate
expect 2 "unknown option '--no-plots'" need cats --target "p_yellow >= 0.1" --at 5 --no-plots
expect 2 "need: --seed needs a value" need cats --target "p_yellow >= 0.1" --at 5 --seed
expect 2 "need: --threads 0: expected a whole number" need cats --target "p_yellow >= 0.1" --at 5 --threads 0
expect 2 "unknown preset" need catz --target "p_yellow >= 0.1" --at 5
expect 2 "schedule" need cats --target "p_yellow >= 0.1" --at 5 "regime.schedule=0:0.1"

# the pipeline preset: its own table after the usual one
"$bin" run pipeline run.replicates=20 run.generations=30 --quiet --no-plots -o "$tmp/p" \
  > "$tmp/p.out" 2>&1
check "run pipeline exits 0" test $? = 0
check "pipeline table" grep -q 'the human pipeline' "$tmp/p.out"
check "one pipeline row per lag" bash -c "[ \$(grep -cE '^lag=(0|2|5|10) ' '$tmp/p.out') -eq 4 ]"
check "pipeline metrics in summary.csv" grep -q ',workforce,' "$tmp/p/summary.csv"
check "presets lists pipeline" bash -c "'$bin' presets | grep -q '^  pipeline '"
expect 2 "regime.lag: -1 is out of range" run pipeline regime.lag=-1
expect 2 "regime.attrition: 2 is out of range" run pipeline regime.attrition=2
expect 2 "regime.q: 0 is out of range" run pipeline regime.q=0
expect 2 "strictly increasing" run cats regime.name=fresh "regime.schedule=4:0.1, 2:0.2"

echo "cli_need: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
