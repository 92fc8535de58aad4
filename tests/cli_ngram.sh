#!/bin/bash
# The ngram family through the command line: an INI file whose corpus path is relative to the
# file's folder, every regime, bit-identical outputs for 1 and 2 threads, and the exit status and
# message of each kind of bad corpus or setting (2: configuration or data, 1: a missing file).
set -u
bin=$1
src=${MC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
# expect STATUS PATTERN ARGS...: `collapse run ARGS` exits with STATUS and prints PATTERN
expect() {
  local want=$1 pattern=$2; shift 2
  "$bin" run "$@" -o "$tmp/bad" --quiet > "$tmp/bad.out" 2>&1
  local got=$?
  if [ "$got" -eq "$want" ] && grep -q -- "$pattern" "$tmp/bad.out"; then
    passes=$((passes + 1))
  else
    echo "FAIL: run $* -> status $got (want $want), output:"; cat "$tmp/bad.out"
    fails=$((fails + 1))
  fi
}

mkdir -p "$tmp/exp"
cp -r "$src/tests/data/ngram/brownlike" "$tmp/exp/"
cat > "$tmp/exp/small.ini" <<'EOF'
# a bigram on a 12-document toy corpus in the Brown format
[world]
corpus = brownlike
heldout = 0.2
reserve = 0.34

[model]
family = ngram
order = 2

[regime]
name = replace, fresh, keep-original, accumulate, accumulate-subsample
h = 0.5

[metrics]
sample = 30

[run]
generations = 3
replicates = 3
EOF

cd "$tmp" # the corpus path must resolve against the INI's folder, not the working directory
"$bin" run exp/small.ini --threads 1 -o "$tmp/t1" > "$tmp/t1.out" 2>&1 || { echo "FAIL: run"; cat "$tmp/t1.out"; exit 1; }
"$bin" run exp/small.ini --threads 2 -o "$tmp/t2" --quiet > /dev/null 2>&1
for f in metrics.csv summary.csv; do
  check "$f is identical for 1 and 2 threads" cmp -s "$tmp/t1/$f" "$tmp/t2/$f"
done
check "the closing table shows held-out perplexity" grep -q 'heldout_ppl' "$tmp/t1.out"
check "five regimes ran" bash -c "[ \$(grep -c ',3,heldout_ppl,' '$tmp/t1/summary.csv') -eq 5 ]"
check "every held-out perplexity is finite" \
  bash -c "! awk -F, '\$4 == \"heldout_ppl\" && (\$5 == \"inf\" || \$5 == \"nan\")' '$tmp/t1/metrics.csv' | grep -q ."

printf 'text\n\0\1\2 binary\n' > "$tmp/bin.txt"
printf 'ok\nbad \xff byte\n' > "$tmp/utf.txt"
: > "$tmp/empty.txt"
expect 1 "cannot open" exp/small.ini world.corpus="$tmp/missing"
expect 2 "binary file" exp/small.ini world.corpus="$tmp/bin.txt"
expect 2 "utf.txt:2: invalid UTF-8" exp/small.ini world.corpus="$tmp/utf.txt"
expect 2 "empty corpus" exp/small.ini world.corpus="$tmp/empty.txt"
expect 2 "must be in \[1, 5\]" exp/small.ini model.order=6
expect 2 "does not support this sampling setting" exp/small.ini sampling.shrink=0.5
expect 2 "leave documents for training" exp/small.ini world.heldout=0.5 world.reserve=0.5
expect 2 "human_weight" exp/small.ini regime.human_weight=0.5 regime.name=fresh

echo "cli_ngram: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
