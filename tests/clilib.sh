# clilib.sh - what the command-line tests share (sourced): a temporary folder, pass/fail counts and
# `expect`, the check that a command fails as it should.
#   . "$(dirname "$0")/clilib.sh"    with bin=PATH/TO/collapse set before
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
EXPECT_MAX_LINES=${EXPECT_MAX_LINES:-1}

# expect EXIT SUBSTRING ARGS...: collapse ARGS ends within 20 s with that exit status (never a
# signal), the text on stderr, at most EXPECT_MAX_LINES lines of message, and no control
# character for the terminal.
expect() {
  local want=$1 text=$2; shift 2
  local out rc lines
  out=$(timeout 20 "$bin" "$@" 2>&1 >/dev/null); rc=$?
  lines=$(printf '%s\n' "$out" | grep -c . || true)
  if [ "$rc" != "$want" ] || ! grep -qF -- "$text" <<<"$out" || [ "$rc" -ge 124 ]; then
    echo "FAIL: collapse $*"; echo "  want exit $want and '$text'"; echo "  got exit $rc: $out"
    fails=$((fails + 1))
  elif [ "$lines" -gt "$EXPECT_MAX_LINES" ]; then
    echo "FAIL: collapse $*: more than one message: $out"; fails=$((fails + 1))
  elif printf '%s' "$out" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]'; then
    echo "FAIL: collapse $*: a control character reached the terminal"; fails=$((fails + 1))
  else
    passes=$((passes + 1))
  fi
}

# ok COMMAND...: the command succeeds.
ok() { if "$@"; then passes=$((passes + 1)); else echo "FAIL: $*"; fails=$((fails + 1)); fi; }
