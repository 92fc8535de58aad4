#!/bin/bash
# The INI reader and config.ini (issue 13): carriage returns cannot overflow the reader, a value
# config.ini cannot hold is refused before any computing (naming the key), config.ini repeats
# the run, numbers are decimal, and a file without settings is refused.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect EXIT SUBSTRING ARGS...: exit status, one message holding SUBSTRING, no crash
expect() {
  local want=$1 text=$2; shift 2
  local out rc
  out=$("$bin" "$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" != "$want" ] || ! grep -qF -- "$text" <<<"$out" || [ "$(grep -c . <<<"$out")" -gt 2 ]; then
    fail "collapse $*"; echo "  want exit $want and '$text'"; echo "  got exit $rc: $out"
  else
    passes=$((passes + 1))
  fi
}

small="run.replicates=2 run.generations=3 regime.n=100"
# defect 1: 300 '\r' after a value, and a line of the limit's 198 characters before "\r\r\n"
{ printf '[world]\nweights = blue=0.9, yellow=0.1\n[run]\ngenerations = 3'
  head -c 300 /dev/zero | tr '\0' '\r'; printf '\nreplicates = 2\n'
  printf 'name = %s\r\r\n' "$(head -c 191 /dev/zero | tr '\0' 'x')"; } > "$tmp/cr.ini"
expect 0 "" run "$tmp/cr.ini" -o "$tmp/cr" --quiet
grep -qx "generations = 3" "$tmp/cr/config.ini" 2>/dev/null || fail "cr.ini: generations not read back"
printf '[run]\nname = %s\r\r\n' "$(head -c 192 /dev/zero | tr '\0' 'x')" > "$tmp/long.ini"
expect 2 "$tmp/long.ini:2: line longer than 198 characters" run "$tmp/long.ini" -o "$tmp/long" --quiet

# defect 3: a table path too long for a line of config.ini is refused at once, naming the key
deep="$tmp/$(printf 'd%.0s' {1..100})/$(printf 'e%.0s' {1..100})"
table="$deep/t.csv"
mkdir -p "$deep" && printf 'word,count\ncat,3\ndog,1\n' > "$table"
expect 2 "command line: world.table: a value of ${#table} characters does not fit config.ini" \
  run cats world.type=table "world.table=$table" $small -o "$tmp/table" --quiet
[ ! -e "$tmp/table" ] || fail "a refused run left $tmp/table"

# defect 8: a value config.ini cannot hold is refused; one it can hold is repeated exactly
expect 2 "command line: run.name: the value has a ';' after white space" \
  run cats "run.name=exp ; v2" $small -o "$tmp/semi" --quiet
expect 2 "command line: run.name: the value contains a line break" \
  run cats "run.name=exp
[run]
seed = 9" $small -o "$tmp/nl" --quiet
"$bin" run cats "run.name=exp;v2 #3" $small --seed 11 -o "$tmp/a" --quiet >/dev/null || fail "run.name=exp;v2 #3"
"$bin" run "$tmp/a/config.ini" -o "$tmp/b" --quiet >/dev/null || fail "rerun of config.ini"
grep -qx "name = exp;v2 #3" "$tmp/b/config.ini" 2>/dev/null || fail "run.name not read back"
cmp -s "$tmp/a/metrics.csv" "$tmp/b/metrics.csv" || fail "config.ini did not repeat the run"
cmp -s <(grep -v '^#' "$tmp/a/config.ini") <(grep -v '^#' "$tmp/b/config.ini") ||
  fail "config.ini differs when repeated"

# defect 9: decimal numbers, honest range messages, no silent default run
expect 2 "command line: regime.n: '0x10' is not a decimal number" run cats regime.n=0x10 -o "$tmp/x" --quiet
expect 2 "sampling.temperature: 'inf' is not a decimal number" run cats sampling.temperature=inf -o "$tmp/x" --quiet
expect 2 "sampling.temperature: 1e308 is out of range: must be <= 1e+300" run cats sampling.temperature=1e308 -o "$tmp/x" --quiet
expect 2 "sampling.temperature: 1e-320 is out of range: too close to zero" run cats sampling.temperature=1e-320 -o "$tmp/x" --quiet
: > "$tmp/empty.ini"
expect 2 "$tmp/empty.ini: no settings" run "$tmp/empty.ini" -o "$tmp/x" --quiet
printf '; nothing but comments\n# and a header\n[run]\n' > "$tmp/comments.ini"
expect 2 "$tmp/comments.ini: no settings" run "$tmp/comments.ini" -o "$tmp/x" --quiet
[ ! -e "$tmp/x" ] || fail "a refused run left $tmp/x"

echo "cli_ini: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
