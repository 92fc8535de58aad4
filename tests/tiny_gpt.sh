# tiny_gpt.sh - sourced by the cli tests of the gpt family: a tiny transformer's experiment over a
# fixed pseudo-random walk of 60 documents of 8 sentences over a 12-word vocabulary.
# tiny_gpt_ini DIR GENERATIONS [MODEL_LINE]: writes DIR/walk.txt and prints the experiment (replace,
# accumulate and fresh h = 0.2, 2 replicates) with MODEL_LINE (e.g. "init = previous") in [model].
tiny_gpt_ini() {
  awk 'BEGIN { s = 7; for (d = 0; d < 60; d++) { for (k = 0; k < 8; k++) { line = "";
         n = 3 + (s % 7); for (i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648;
         line = line (i ? " " : "") "w" (s % 12) } print line } print "" } }' > "$1/walk.txt"
  cat <<EOF2
[world]
corpus = $1/walk.txt
format = plain
heldout = 0.2
reserve = 0.2
[model]
family = gpt
vocab = 300
dim = 16
layers = 1
heads = 2
context = 16
batch = 4
steps = 20
streams = 8
${3:-}
[metrics]
sample = 40
[regime]
name = replace, accumulate, fresh
h = 0.2
[run]
generations = $2
replicates = 2
EOF2
}
