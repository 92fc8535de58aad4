#!/bin/bash
# Every kind of bad input gets one clear message (file, line, key) and exit status 2 (usage or
# configuration) or 1 (runtime), never a crash, and never an output that looks complete.
bin=$1
EXPECT_MAX_LINES=2 # a message and its hint
. "$(dirname "$0")/clilib.sh"

o="-o $tmp/out --quiet"
# usage
expect 2 "unknown command 'rnu' (did you mean 'run'?)" rnu
expect 2 "unknown preset 'cast' (did you mean 'cats'?" run cast $o
expect 2 "unknown option '--frobnicate'" run cats --frobnicate
expect 2 "--threads 0: expected a whole number" run cats --threads 0
expect 2 "collapse: --seed needs a value" run cats --seed
expect 2 "unknown option '--target'" run cats --target "p_yellow >= 0.1"
expect 2 "expected section.key=value" run cats replicates=5 $o
# configuration
expect 2 "command line: run.replicat: unknown key (did you mean 'replicates'?)" run cats run.replicat=5 $o
expect 2 "unknown section [sampler] (did you mean [sampling]?)" run cats sampler.top_p=0.5 $o
expect 2 "command line: regime.n: 'lots' is not a whole number" run cats regime.n=lots $o
expect 2 "regime.n: 0 is out of range" run cats regime.n=0 $o
expect 2 "sampling.temperature: 0 is out of range: must be > 0" run cats sampling.temperature=0 $o
expect 2 "sampling.top_p: 1.5 is out of range: must be in (0, 1]" run cats sampling.top_p=1.5 $o
expect 2 "sampling.top_p: 0 is out of range" run cats sampling.top_p=0 $o
expect 2 "regime.h: 2 is out of range: must be in [0, 1]" run cats regime.h=2 $o
expect 2 "weight of 'green' is negative (-0.01)" run cats "world.weights=blue=0.9, green=-0.01" $o
expect 2 "the weights sum to zero" run cats "world.weights=blue=0, green=0" $o
expect 2 "unknown regime 'acumulate' (did you mean 'accumulate'?)" run cats regime.name=acumulate $o
expect 2 "does not support this sampling setting" run cats sampling.shrink=0.5 $o

cat > "$tmp/bad.ini" <<'INI'
[world]
weights = blue=0.9, yellow=0.1

[run]
replicates = many
INI
expect 2 "$tmp/bad.ini:5: [run] replicates: 'many' is not a whole number" run "$tmp/bad.ini" $o
printf '[world]\nwieghts = a=1\n' > "$tmp/typo.ini"
expect 2 "$tmp/typo.ini:2: [world] wieghts: unknown key (did you mean 'weights'?)" run "$tmp/typo.ini" $o
expect 1 "$tmp/missing.ini: cannot read" run "$tmp/missing.ini" $o
# data files
expect 1 "cannot read" run cats world.type=table world.table=$tmp/nope.csv $o
printf 'word,count\ncat,12\ndog,many\n' > "$tmp/bad.csv"
expect 2 "$tmp/bad.csv:3: count 'many' is not a number" run cats world.type=table world.table=$tmp/bad.csv $o
printf 'cat,1\ncat,2\n' > "$tmp/dup.csv"
expect 2 "word 'cat' appears twice" run cats world.type=table world.table=$tmp/dup.csv $o
printf '[{"word": "you", "count": 3}, {"word": 7}]' > "$tmp/bad.json"
expect 2 "entry 2: expected {\"word\": string, \"count\": number}" run cats world.type=table world.table=$tmp/bad.json $o
printf '[{"word": "you", "count": 3},' > "$tmp/trunc.json"
expect 2 "$tmp/trunc.json:1: malformed JSON" run cats world.type=table world.table=$tmp/trunc.json $o
printf 'a\0b,1\n' > "$tmp/bin.csv"
expect 2 "not a text file" run cats world.type=table world.table=$tmp/bin.csv $o
# sizes that cannot fit
expect 1 "of results need" run cats run.replicates=1e9 run.generations=1e6 $o
expect 1 "categories would need" run cats world.type=zipf world.zipf_k=3e9 $o
expect 2 "beyond 64-bit counts" run cats regime.growth=10 run.generations=30 $o
# an output directory that cannot be written
touch "$tmp/afile"
expect 1 "cannot create output directory" run cats run.replicates=2 -o "$tmp/afile/sub" --quiet

# a failed run leaves nothing that looks complete
[ ! -e "$tmp/out/summary.json" ] || { echo "FAIL: a failed run left summary.json"; fails=$((fails + 1)); }

echo "cli_bad_input: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
