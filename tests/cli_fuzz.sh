#!/bin/bash
# The fuzzers' inputs through the command line, in this build (release or the gcc sanitizer
# build, where the clang harnesses of fuzz/ do not run): every regression input of
# fuzz/regressions/ and every seed of fuzz/corpus/ for the INI reader, the data readers and the
# run-folder reader must end in a result or a message (exit 0, 1 or 2), never a signal or a
# sanitizer report. The framing of the inputs is the harnesses' (fuzz/README.md).
set -u
bin=$1
src=${MC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0

# check WHAT ARGS...: runs collapse ARGS, which must exit 0, 1 or 2 without a sanitizer report.
check() {
  local what=$1; shift
  local rc
  timeout 60 "$bin" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
  if [ "$rc" -gt 2 ] || grep -qE 'Sanitizer|runtime error:' "$tmp/err"; then
    echo "FAIL: $what: collapse $* exited $rc"; head -30 "$tmp/err"; fails=$((fails + 1))
  else
    passes=$((passes + 1))
  fi
}

# split FILE DIR NAME...: writes the parts of FILE (separated by lines "%%%") as DIR/NAME...
split() {
  python3 - "$@" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
parts = data.split(b'\n%%%\n')
for name, part in zip(sys.argv[3:], parts):
    open(sys.argv[2] + '/' + name, 'wb').write(part)
PY
}

small="run.generations=1 run.replicates=1"
for f in "$src"/fuzz/corpus/ini/* "$src"/fuzz/regressions/ini/*; do
  [ -f "$f" ] || continue
  check "$f" theory "$f" $small
done

# data inputs: byte 0 chooses the reader (0-2: a table .json/.csv/.tsv, 3: a corpus file, 4: a
# corpus folder), byte 1 its options (bit 4 for a folder: no cats.txt), the rest is the content
for f in "$src"/fuzz/corpus/data/* "$src"/fuzz/regressions/data/*; do
  [ -f "$f" ] || continue
  mode=$(( $(od -An -tu1 -N1 "$f") % 5 ))
  opt=$(od -An -tu1 -j1 -N1 "$f")
  tail -c +3 "$f" >"$tmp/content"
  case $mode in
    0|1|2) ext=$(echo json csv tsv | cut -d' ' -f$((mode + 1)))
           cp "$tmp/content" "$tmp/table.$ext"
           check "$f" theory cats world.type=table "world.table=$tmp/table.$ext" $small ;;
    3) cp "$tmp/content" "$tmp/corpus.txt"
       check "$f" theory brown "world.corpus=$tmp/corpus.txt" $small ;;
    4) rm -rf "$tmp/corpus"; mkdir "$tmp/corpus"
       if [ $(( ${opt:-0} & 16 )) -eq 0 ]; then
         split "$tmp/content" "$tmp/corpus" cats.txt ca01 ca02 ca03 ca04 ca05 ca06 ca07 ca08
       elif [ -s "$tmp/content" ]; then # no Brown index; no content: an empty folder
         split "$tmp/content" "$tmp/corpus" ca00 ca01 ca02 ca03 ca04 ca05 ca06 ca07 ca08
       fi
       check "$f" theory brown "world.corpus=$tmp/corpus" $small ;;
  esac
done

# run folders: summary.json, points.csv, config.ini; `collapse report` reads them
for f in "$src"/fuzz/corpus/rundir/* "$src"/fuzz/regressions/rundir/*; do
  [ -f "$f" ] || continue
  rm -rf "$tmp/run"; mkdir "$tmp/run"
  split "$f" "$tmp/run" summary.json points.csv config.ini
  check "$f" report "$tmp/run"
done

echo "cli_fuzz: $passes passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$passes" -gt 0 ]
