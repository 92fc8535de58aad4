#!/bin/bash
# The architecture's rules, checked over the source tree (docs/ARCHITECTURE.md, "Declare, don't
# name"):
#  1. no code outside src/registry.c and a plug-in's own file names a family or a regime: no
#     string literal equal to a registered name (a comparison, a list, a switch) in src/ or cli/;
#  2. the presentation (src/plot, cli) holds no metric name of a family or regime: it chooses by
#     the roles the metrics declare (metric names and per-subject prefixes such as "p_" come from
#     the plug-ins' mc_metric_def tables);
#  3. no function in src/ or cli/ is longer than 100 lines.
# Usage: cli_architecture.sh [COLLAPSE_BINARY] (the binary is not needed; the source tree is
# MC_SOURCE_DIR, else this script's parent folder).
set -u
src=${MC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$src" || exit 1
fails=0 passes=0 bad=0
fail() { echo "FAIL: $*"; bad=1; }
# closes a check: it passed when nothing failed since the last close
close_check() { if [ "$bad" -eq 0 ]; then passes=$((passes + 1)); else fails=$((fails + 1)); fi; bad=0; }

# The C files with their string literals and comments reduced to what matters here.
strip_comments() { # FILE: the file without /* */ and // comments (strings kept)
  awk '{ line = $0
         while (1) {
           if (inc) { e = index(line, "*/"); if (!e) { line = ""; break } line = substr(line, e + 2); inc = 0 }
           s = index(line, "/*"); if (!s) break
           e = index(substr(line, s + 2), "*/")
           if (e) line = substr(line, 1, s - 1) substr(line, s + 2 + e + 1)
           else { line = substr(line, 1, s - 1); inc = 1; break }
         }
         sub(/[ \t]\/\/.*/, "", line); print line }' "$1"
}

# 1. plug-in names
plugins=$(grep -hE '^\s*\.name\s*=\s*"' src/families/*.c src/regimes/*.c | sed -E 's/.*"([^"]+)".*/\1/' | sort -u)
[ -n "$plugins" ] || fail "found no plug-in names under src/families and src/regimes"
for f in $(find src cli -name '*.c' -o -name '*.h' | sort); do
  [ "$f" = src/registry.c ] && continue
  body=$(strip_comments "$f")
  for name in $plugins; do
    # a plug-in may state its own name once, in its type descriptor; a key's enumerated default
    # may be a word that is also a plug-in's name (model.kernel = gaussian is a kernel)
    hits=$(printf '%s\n' "$body" | grep -nF "\"$name\"" | grep -vE '^\s*[0-9]+:\s*\.name\s*=' |
           grep -vE 'MC_KEY_ENUM, "[^"]*", [^"]*"[^"]*\|' )
    [ -n "$hits" ] && fail "$f names the plug-in \"$name\" (declare a property instead): $(echo "$hits" | head -n 2 | tr '\n' ' ')"
  done
done
close_check

# 2. metric names in the presentation
defs=$(cat src/experiment.c src/point.c src/families/*.c src/regimes/*.c src/ngram/*.c 2>/dev/null |
  grep -oE '\{"[a-z0-9_%]+", MC_ROLE_' | sed -E 's/\{"([^"]+)".*/\1/' | sort -u)
[ "$(echo "$defs" | wc -w)" -ge 20 ] || fail "found only $(echo "$defs" | wc -w) metric declarations (mc_metric_def tables)"
for f in $(find src/plot cli -name '*.c' -o -name '*.h' | sort); do
  body=$(strip_comments "$f")
  for d in $defs; do
    [ ${#d} -ge 2 ] || continue # "n" cannot be told from other one-letter literals
    case $d in
      *%s*) pat="\"${d%%%s*}\"" ;;  # a per-subject name: its prefix as a literal ("p_")
      *) pat="\"$d\"" ;;
    esac
    hits=$(printf '%s\n' "$body" | grep -nF "$pat")
    [ -n "$hits" ] && fail "$f knows the metric name $pat (choose by role): $(echo "$hits" | head -n 1)"
  done
done
close_check

# 3. function length
long=$(awk '
  FNR == 1 { depth = 0; start = 0; cand = 0 }
  { line = $0
    gsub(/"([^"\\]|\\.)*"/, "\"\"", line); gsub(/'"'"'([^'"'"'\\]|\\.)*'"'"'/, "0", line); sub(/\/\/.*/, "", line)
    if (depth == 0 && line ~ /^[a-zA-Z_].*\(/ && line !~ /;[ \t]*$/) { cand = FNR; sig = line }
    n = split(line, ch, "")
    for (i = 1; i <= n; i++) {
      if (ch[i] == "{") { if (depth == 0 && cand) start = cand; depth++ }
      else if (ch[i] == "}") { depth--; if (depth == 0 && start) { len = FNR - start + 1
        if (len > 100) print FILENAME ":" start ": " len " lines: " sig; start = 0; cand = 0 } }
    } }' $(find src cli -name '*.c' | sort))
[ -n "$long" ] && fail "functions over 100 lines:"$'\n'"$long"
close_check

echo "cli_architecture: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
