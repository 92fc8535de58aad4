#!/bin/bash
# cli_rundir.sh - the run folder under stress: an empty -o, two runs into one folder (one wins, the
# other is refused naming the other run's pid, the survivor is a valid run), the default folder
# when its name is taken, a folder holding another run (refused; --force removes that run's files
# and nothing else), kill -9 at random moments (never a complete-looking partial file; the next
# run names the leftovers and --force cleans them), and failed writes: an injected full disk
# (MC_FAULT_WRITE_AFTER), a real full tmpfs, a file-size limit and a read-only folder, each with
# the system's reason in the message and nothing complete-looking left behind.
# Usage: cli_rundir.sh /path/to/collapse
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
py=/usr/bin/python3
tmp=$(mktemp -d /tmp/collapse-rundir-XXXXXX)
mnt=""
cleanup() {
  [ -n "$mnt" ] && umount "$mnt" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fails=0 passes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { passes=$((passes + 1)); }
small="cats run.replicates=3 run.generations=4 --quiet --no-plots"
long="cats run.replicates=150 run.generations=100 --quiet --no-plots"

# valid_run DIR: summary.json parses with "complete": true, metrics.csv rows are well formed and
# as many as summary.json's points x replicates x (generations + 1) x metrics.
valid_run() {
  $py - "$1" <<'PY' || return 1
import json, re, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
assert s["complete"] is True, "not complete"
want = sum(p["replicates"] * (p["generations"] + 1) * len(p["metrics"]) for p in s["points"])
row = re.compile(r"^\d+,\d+,\d+,[^,\n]+,(-?[0-9.]+(e[-+]?\d+)?|-?inf|nan)$")
lines = open(d + "/metrics.csv").read().split("\n")
assert lines[0] == "point,replicate,generation,metric,value", "bad header"
assert lines[-1] == "", "no final newline"
bad = [l for l in lines[1:-1] if not row.match(l)]
assert not bad, "malformed rows: %r" % bad[:3]
assert len(lines) - 2 == want, "%d rows, want %d" % (len(lines) - 2, want)
PY
}
# no_partial DIR: no summary.json unless it is a complete run; what the killed or failed run left
# is only temporary files (dot names), never a complete-looking file.
no_partial() {
  if [ -e "$1/summary.json" ]; then
    valid_run "$1" || { echo "summary.json of an incomplete run in $1"; return 1; }
  fi
  return 0
}
leftovers() { ls -A "$1" 2>/dev/null | grep -E '^\..+\.([A-Za-z0-9]{6}|tmp)$'; }

# 1. -o "": a clear message, exit 2, no crash (defect 7)
msg=$("$bin" run $small -o "" 2>&1 >/dev/null); rc=$?
[ "$rc" = 2 ] && grep -q "^collapse: output directory: the name is empty$" <<<"$msg" && pass ||
  fail "-o '': exit $rc: $msg"

# 2a. a second run into a folder being written is refused at once, naming the folder and the pid
"$bin" run $long -o "$tmp/one" --seed 1 >/dev/null 2>"$tmp/first.err" &
first=$!
for _ in $(seq 200); do [ -s "$tmp/one/.collapse.lock" ] && break; sleep 0.01; done
t0=$(date +%s%N)
msg=$("$bin" run $long -o "$tmp/one" --seed 2 2>&1 >/dev/null); rc=$?
t1=$(date +%s%N)
wait $first; rc1=$?
if [ "$rc1" != 0 ]; then
  fail "first run into one folder: exit $rc1: $(cat "$tmp/first.err")"
elif [ "$rc" = 0 ] ||
     ! grep -qF "$tmp/one: another collapse run (pid $first) is writing into this folder" <<<"$msg"
then
  fail "second run into a locked folder: exit $rc: $msg"
elif [ $(( (t1 - t0) / 1000000 )) -gt 2000 ]; then
  fail "second run into a locked folder took $(( (t1 - t0) / 1000000 )) ms to be refused"
else
  valid_run "$tmp/one" && grep -q '"seed":1,' "$tmp/one/summary.json" && pass ||
    fail "the surviving run of one folder is not valid (or not seed 1)"
fi
[ ! -e "$tmp/one/.collapse.lock" ] || fail "the lock file stays after the run"

# 2b. two runs started together into one folder, three times: exactly one succeeds, the other
# exits non-zero, the folder holds the winner's valid run
for trial in 1 2 3; do
  d="$tmp/race$trial"
  "$bin" run $long -o "$d" --seed 11 >/dev/null 2>"$tmp/a.err" & a=$!
  "$bin" run $long -o "$d" --seed 22 >/dev/null 2>"$tmp/b.err" & b=$!
  wait $a; ra=$?
  wait $b; rb=$?
  if [ $((ra == 0)) -eq $((rb == 0)) ]; then
    fail "race $trial: exits $ra and $rb: $(cat "$tmp/a.err" "$tmp/b.err")"
    continue
  fi
  seed=11; loser=$tmp/b.err
  [ "$ra" = 0 ] || { seed=22; loser=$tmp/a.err; }
  grep -qE "another collapse run \(pid [0-9]+\)|holds the files of another run" "$loser" ||
    fail "race $trial: the refused run says: $(cat "$loser")"
  valid_run "$d" && grep -q "\"seed\":$seed," "$d/summary.json" && pass ||
    fail "race $trial: the folder is not the winner's valid run"
  [ -z "$(leftovers "$d")" ] || fail "race $trial: temporary files left: $(leftovers "$d")"
done

# 3. the default folder: when results/cats-STAMP is taken (every second from now on for a
# while), the run takes cats-STAMP-2 and leaves the taken folders alone
mkdir -p "$tmp/cwd/results"
now=$(date +%s)
for k in 0 1 2 3 4 5; do mkdir "$tmp/cwd/results/cats-$(date -d "@$((now + k))" +%Y%m%d-%H%M%S)"; done
dir=$(cd "$tmp/cwd" && "$bin" run $small | sed -n 's|^results: \(.*\)/ (.*|\1|p')
if [[ "$dir" =~ ^results/cats-[0-9]{8}-[0-9]{6}-2$ ]] && valid_run "$tmp/cwd/$dir"; then
  pass
else
  fail "default folder when taken: '$dir'"
fi
[ "$(find "$tmp/cwd/results" -mindepth 2 | grep -vc "^$tmp/cwd/$dir/")" = 0 ] ||
  fail "the run wrote into a folder that was taken"
# and two runs started in the same moment get two folders
rm -rf "$tmp/cwd/results"
(cd "$tmp/cwd" && exec "$bin" run $small >"$tmp/p1.out" 2>&1) & p1=$!
(cd "$tmp/cwd" && exec "$bin" run $small >"$tmp/p2.out" 2>&1) & p2=$!
wait $p1 $p2
d1=$(sed -n 's|^results: \(.*\)/ (.*|\1|p' "$tmp/p1.out")
d2=$(sed -n 's|^results: \(.*\)/ (.*|\1|p' "$tmp/p2.out")
if [ -n "$d1" ] && [ -n "$d2" ] && [ "$d1" != "$d2" ] && valid_run "$tmp/cwd/$d1" &&
   valid_run "$tmp/cwd/$d2"; then pass; else fail "two default runs at once: '$d1' '$d2'"; fi

# 4. a folder that holds another run: refused (exit 2, naming its files); --force removes that
# run's files (plots/ and report.html included) and nothing else
d=$tmp/old
"$bin" run $small -o "$d" >/dev/null 2>&1 || fail "a run into $d"
mkdir -p "$d/plots"; touch "$d/plots/shares.png" "$d/plots/shares.svg" "$d/plots/mine.txt" \
  "$d/report.html" "$d/notes.txt" "$d/.summary.csv.Zz9Yy8"
msg=$("$bin" run $small -o "$d" 2>&1 >/dev/null); rc=$?
[ "$rc" = 2 ] && grep -qF "$d: holds the files of another run" <<<"$msg" &&
  grep -qF ".summary.csv.Zz9Yy8" <<<"$msg" && grep -qF -- "--force" <<<"$msg" && pass ||
  fail "a run into a folder with another run: exit $rc: $msg"
[ -e "$d/report.html" ] || fail "the refused run removed report.html"
"$bin" run $small -o "$d" --force >/dev/null 2>&1 && valid_run "$d" && pass || fail "--force"
[ ! -e "$d/report.html" ] && [ ! -e "$d/plots/shares.png" ] && [ ! -e "$d/plots/shares.svg" ] &&
  [ -e "$d/plots/mine.txt" ] && [ -e "$d/notes.txt" ] && [ -z "$(leftovers "$d")" ] && pass ||
  fail "--force removed the wrong files: $(ls -AR "$d")"
# an empty folder, or one with files of no run, is fine without --force
mkdir -p "$tmp/empty"; touch "$tmp/empty/README"
"$bin" run $small -o "$tmp/empty" >/dev/null 2>&1 && pass || fail "a run into a folder of other files"

# 5. kill -9 at random moments: never a complete-looking partial file; the next run names the
# leftovers and refuses; --force cleans them and runs
for i in $(seq 6); do
  d=$tmp/kill$i
  "$bin" run $long -o "$d" >/dev/null 2>&1 & pid=$!
  sleep "0.$(printf '%03d' $((RANDOM % 600)))"
  kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  no_partial "$d" || fail "kill $i left a complete-looking partial run"
  left=$(leftovers "$d")
  if [ -n "$left" ]; then
    msg=$("$bin" run $small -o "$d" 2>&1 >/dev/null); rc=$?
    named=1
    for f in $left; do grep -qF "$f" <<<"$msg" || named=0; done
    [ "$rc" = 2 ] && [ $named = 1 ] && pass ||
      fail "kill $i: the next run did not name each of $left: exit $rc: $msg"
  fi
  "$bin" run $small -o "$d" --force >/dev/null 2>&1 && valid_run "$d" &&
    [ -z "$(leftovers "$d")" ] && pass || fail "kill $i: --force did not clean up: $(ls -A "$d")"
done

# 6. an injected full disk after N bytes: exit 1, the file and "No space left on device" named,
# no complete-looking file, no temporary file; the folder then takes a run without --force
for n in 0 1 3000 100000 1000000; do
  d=$tmp/full$n
  msg=$(MC_FAULT_WRITE_AFTER=$n "$bin" run $long -o "$d" 2>&1 >/dev/null); rc=$?
  [ "$rc" = 1 ] && grep -qE "^collapse: $d/[a-z.]+(/[a-z0-9.-]+)?: write error: No space left on device$" <<<"$msg" &&
    [ ! -e "$d/summary.json" ] && [ -z "$(leftovers "$d")" ] && pass ||
    fail "fault after $n bytes: exit $rc: $msg; left $(ls -A "$d")"
  "$bin" run $small -o "$d" >/dev/null 2>&1 && pass || fail "fault after $n: the folder is not clean"
done
# ... and while drawing the plots: the data files are complete, the figures complete or absent
d=$tmp/fullplots
"$bin" run $small -o "$tmp/sized" >/dev/null 2>&1
size=$(cat "$tmp/sized"/*.csv "$tmp/sized"/*.json "$tmp/sized"/config.ini | wc -c)
msg=$(MC_FAULT_WRITE_AFTER=$((size + 20000)) "$bin" run cats run.replicates=3 run.generations=4 \
      --quiet -o "$d" 2>&1 >/dev/null); rc=$?
[ "$rc" = 1 ] && grep -q "No space left on device" <<<"$msg" && valid_run "$d" &&
  [ ! -e "$d/report.html" ] && [ -z "$(leftovers "$d/plots")" ] && pass ||
  fail "fault while plotting: exit $rc: $msg; $(ls -AR "$d")"
for f in "$d"/plots/*.png; do
  [ -e "$f" ] || continue
  head -c 8 "$f" | od -An -tx1 | tr -d ' \n' | grep -q '^89504e470d0a1a0a$' || fail "$f: partial"
done

# 7. a real full file system (a 64 KiB tmpfs) and a file-size limit (EFBIG)
mkdir -p "$tmp/mnt"
if mount -t tmpfs -o size=64k tmpfs "$tmp/mnt" 2>/dev/null; then
  mnt=$tmp/mnt
  # a run whose metrics.csv alone would not fit is refused before it makes a folder
  msg=$("$bin" run $long -o "$mnt/big" 2>&1 >/dev/null); rc=$?
  [ "$rc" = 1 ] && grep -q "metrics.csv would take about .* but the disk has .* GB free" <<<"$msg" &&
    [ ! -e "$mnt/big" ] && pass || fail "output larger than the disk: exit $rc: $msg"
  # one whose metrics.csv, checkpoint and two threads' unit states fit (about 63 KB estimated) but not with its
  # summaries fills the disk
  msg=$("$bin" run cats run.replicates=1 run.generations=22 --threads 2 --quiet --no-plots -o "$mnt/run" \
    2>&1 >/dev/null); rc=$?
  [ "$rc" = 1 ] && grep -q "No space left on device" <<<"$msg" && [ ! -e "$mnt/run/summary.json" ] &&
    [ -z "$(leftovers "$mnt/run")" ] && pass || fail "full tmpfs: exit $rc: $msg"
  # 8. a read-only folder (as root chmod does not stop writes; a read-only mount does)
  mkdir "$mnt/ro" && mount -o remount,ro "$mnt" &&
  { msg=$("$bin" run $small -o "$mnt/ro" 2>&1 >/dev/null); rc=$?
    want="$mnt/ro/.collapse.lock: cannot create the lock file: Read-only file system"
    [ "$rc" = 1 ] && grep -qF "$want" <<<"$msg" &&
      pass || fail "read-only folder: exit $rc: $msg"; }
  umount "$mnt" && mnt=""
else
  echo "skip: a full tmpfs and a read-only mount (mount -t tmpfs is not allowed here)"
fi
if [ "$(id -u)" != 0 ]; then
  mkdir -p "$tmp/ro" && chmod 555 "$tmp/ro"
  msg=$("$bin" run $small -o "$tmp/ro" 2>&1 >/dev/null); rc=$?
  [ "$rc" = 1 ] && grep -q "Permission denied" <<<"$msg" && pass || fail "chmod 555: exit $rc: $msg"
fi
msg=$(trap '' XFSZ; ulimit -f 64; "$bin" run $long -o "$tmp/fsize" 2>&1 >/dev/null); rc=$?
[ "$rc" = 1 ] && grep -qE "^collapse: $tmp/fsize/[a-z.]+(/[a-z0-9.-]+)?: write error: File too large$" <<<"$msg" &&
  [ ! -e "$tmp/fsize/summary.json" ] && [ -z "$(leftovers "$tmp/fsize")" ] && pass ||
  fail "ulimit -f: exit $rc: $msg"

# 6. plot and report rewrite a finished run's files under the folder's lock: refused while another
# process holds it (util-linux flock stands in for a run), fine once it is free
"$bin" run $small -o "$tmp/drawn" >/dev/null 2>&1
if command -v flock >/dev/null; then
  flock "$tmp/drawn/.collapse.lock" sleep 3 & holder=$!
  for _ in $(seq 100); do [ -e "$tmp/drawn/.collapse.lock" ] && break; sleep 0.01; done
  sleep 0.2
  for cmd in plot report; do
    msg=$("$bin" $cmd "$tmp/drawn" 2>&1 >/dev/null); rc=$?
    [ "$rc" = 1 ] && grep -q "another collapse run" <<<"$msg" && pass ||
      fail "$cmd into a locked folder: exit $rc: $msg"
  done
  wait $holder
fi
"$bin" plot "$tmp/drawn" >/dev/null 2>&1 && [ -s "$tmp/drawn/plots/metric-kl.svg" ] &&
  [ ! -e "$tmp/drawn/.collapse.lock" ] && pass || fail "plot of a free finished run"

[ "$fails" = 0 ] || { echo "cli_rundir: $fails failed, $passes passed"; exit 1; }
echo "cli_rundir: all $passes checks passed"
