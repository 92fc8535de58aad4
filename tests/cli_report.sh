#!/bin/bash
# cli_report.sh - end to end: `collapse run` -> `collapse plot` -> `collapse report`, the files they
# write, their errors on bad run directories, and the report as headless Chromium renders it
# (tests/report_check.py: no console errors, nothing loaded from outside, every figure with a
# non-zero rendered size, prints on A4). Saves the screenshot and the PDF into $MC_BINARY_DIR.
# Usage: cli_report.sh /path/to/collapse   (MC_SOURCE_DIR and MC_BINARY_DIR in the environment)
set -u
bin=$1
src=${MC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
out=${MC_BINARY_DIR:-.}
chromium=${CHROMIUM:-/usr/bin/chromium}
py=/usr/bin/python3
tmp=$(mktemp -d /tmp/collapse-report-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok    $*"; }

# expect STATUS NEEDLE CMD...: runs CMD, checks its exit status and that stderr holds NEEDLE
# on a line that starts "collapse: ".
expect() {
  local want=$1 needle=$2
  shift 2
  "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    fail "$* exited $got, expected $want; stderr: $(cat "$tmp/stderr")"
  elif [ -n "$needle" ] && ! grep -q "^collapse: .*$needle" "$tmp/stderr"; then
    fail "$*: stderr lacks 'collapse: ...$needle': $(cat "$tmp/stderr")"
  else
    ok "$* -> $got"
  fi
}

# 1. a real run (without its plots), then its pictures and report
run="$tmp/run"
"$bin" run cats run.replicates=20 run.generations=20 -o "$run" --quiet --no-plots >/dev/null ||
  { echo "FAIL: collapse run cats failed" >&2; exit 1; }
[ ! -e "$run/report.html" ] && [ ! -e "$run/plots" ] || fail "--no-plots drew plots"
expect 0 "" "$bin" plot "$run"
grep -q "figures as PNG and SVG" "$tmp/stdout" || fail "collapse plot did not list its figures"
for fig in shares survival metric-kl metric-p_yellow; do
  [ -s "$run/plots/$fig.png" ] || fail "plots/$fig.png missing"
  [ -s "$run/plots/$fig.svg" ] || fail "plots/$fig.svg missing"
done
npng=0
for png in "$run"/plots/*.png; do
  head -c 8 "$png" | od -An -tx1 | tr -d ' \n' | grep -q '^89504e470d0a1a0a$' ||
    fail "$png: not a PNG"
  npng=$((npng + 1))
done
for svg in "$run"/plots/*.svg; do
  if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$svg" 2>"$tmp/xml" || fail "$svg is not well-formed XML: $(head -3 "$tmp/xml")"
  else
    $py -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$svg" ||
      fail "$svg is not well-formed XML"
  fi
done
ok "$npng PNG files with the PNG signature, their SVGs well-formed XML"
ls -A "$run/plots" | grep -q '^\.' && fail "temporary (hidden) files left in plots/"
expect 0 "" "$bin" report "$run"
[ -s "$run/report.html" ] || fail "report.html missing"
grep -q "went extinct in 100 % of replicates by generation" "$run/report.html" ||
  fail "report.html does not tell the yellow cats' story"

# 2. bad run directories and bad usage
mkdir "$tmp/empty"
expect 2 "not a finished run directory" "$bin" plot "$tmp/empty"
expect 2 "not a finished run directory" "$bin" report "$tmp/empty"
expect 1 "$tmp/nowhere" "$bin" plot "$tmp/nowhere"
mkdir "$tmp/incomplete"
cp "$run/points.csv" "$run/config.ini" "$tmp/incomplete/"
sed 's/"complete":true/"complete":false/' "$run/summary.json" >"$tmp/incomplete/summary.json"
expect 2 "incomplete" "$bin" report "$tmp/incomplete"
mkdir "$tmp/old"
cp "$run/points.csv" "$tmp/old/"
sed 's/"version":"[^"]*"/"version":"0.0.1"/' "$run/summary.json" >"$tmp/old/summary.json"
expect 2 "written by collapse 0.0.1" "$bin" plot "$tmp/old"
# a run written before metric roles, units and regime declarations were recorded still plots
mkdir "$tmp/legacy"
cp "$run/points.csv" "$run/config.ini" "$tmp/legacy/"
sed -e 's/"role":"[a-z_]*","unit":"[^"]*",//g' -e 's/"regime_declares":{[^}]*},//g' \
  -e 's/"version":"[^"]*"/"version":"0.1.0"/' \
  "$run/summary.json" >"$tmp/legacy/summary.json"
grep -q '"role"\|"regime_declares"' "$tmp/legacy/summary.json" && fail "legacy copy still has roles"
expect 0 "" "$bin" plot "$tmp/legacy"
[ -s "$tmp/legacy/plots/survival.svg" ] || fail "legacy run: no survival figure"
sed 's/"role":"presence"/"role":3/' "$run/summary.json" >"$tmp/old/summary.json"
expect 2 '"role" and "unit" must be strings' "$bin" report "$tmp/old"
expect 2 "missing the run directory" "$bin" plot
expect 2 "unexpected argument" "$bin" report "$run" "$run"
expect 2 "unknown option" "$bin" plot --bogus "$run"
expect 0 "" "$bin" plot --help
grep -q "usage: collapse plot DIR" "$tmp/stdout" || fail "plot --help prints no usage"
[ ! -e "$tmp/empty/report.html" ] || fail "a report was written for a directory that is not a run"

# 3. the report in a real browser
if [ ! -x "$chromium" ]; then
  fail "headless Chromium not found at $chromium: run 'sh scripts/install-deps.sh test' (make test does)"
else
  if $py "$src/tests/report_check.py" "$chromium" "$run/report.html" \
      "$out/report-screenshot.png" "$out/report.pdf"; then
    ok "report.html in headless Chromium (screenshot: $out/report-screenshot.png)"
  else
    fail "report.html in headless Chromium"
  fi
fi

if [ "$failures" -ne 0 ]; then
  echo "cli_report: $failures failure(s)" >&2
  exit 1
fi
echo "cli_report: all checks passed"
