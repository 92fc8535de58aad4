#!/bin/bash
# `collapse config`: the plan without a run (resolved configuration, grid, units, memory, time);
# grid values range() and linspace(); the seed is not an axis; --seed and run.seed that disagree;
# the hint to quote a list the shell split.
bin=$1
. "$(dirname "$0")/clilib.sh"

# the plan of the cats: 2 x 2 points, 200 replicates each, every default filled in, no files
out=$(cd "$tmp" && "$bin" config cats --threads 2) || { echo "FAIL: config cats"; exit 1; }
ok grep -q '^grid: 2 axes, 4 points$' <<<"$out"
ok grep -q '^units: 800 (point x replicate), 2 threads$' <<<"$out"
ok grep -q '^zipf_s = 1.1$' <<<"$out"              # a default the preset leaves out
ok grep -q '^  regime.name (preset cats:16: \[regime\] name): replace, fresh  \[2\]$' <<<"$out"
ok grep -q '^memory: up to ' <<<"$out"
ok grep -qE '^time: (under a second|about [0-9.]+ (s|min|h)) with 2 threads \(.* from [0-9]+ units? run now' <<<"$out"
ok test -z "$(ls -A "$tmp")"                        # nothing written

# the printed configuration runs as it is: config.ini of a run reads the same
"$bin" config cats run.replicates=3 | sed -n '/^\[world\]/,/^$/p;/^\[model\]/,/^grid/p' \
  | grep -v '^grid' > "$tmp/plan.ini"
"$bin" run "$tmp/plan.ini" -o "$tmp/run" --quiet --no-plots > /dev/null
ok test -f "$tmp/run/summary.json"
ok grep -q '^replicates = 3$' "$tmp/run/config.ini"

# range: stop left out, decimal steps without rounding residue; linspace: both ends in
out=$("$bin" config cats 'regime.h=range(0, 0.2, 0.02)' regime.name=fresh sampling.temperature=1)
ok grep -q 'regime.h (command line: regime.h): 0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.14, 0.16, 0.18  \[10\]$' <<<"$out"
out=$("$bin" config cats 'regime.n=range(100, 400, 100), 1000' regime.name=fresh sampling.temperature=1)
ok grep -q 'regime.n (command line: regime.n): 100, 200, 300, 1000  \[4\]$' <<<"$out"
out=$("$bin" config cats 'world.weights=a=0.5, b=0.5 | a=0.9, b=0.1' regime.name=fresh sampling.temperature=1)
ok grep -q 'world.weights (command line: world.weights): a=0.5, b=0.5 | a=0.9, b=0.1  \[2\]$' <<<"$out"
out=$("$bin" config cats 'sampling.temperature=linspace(0.5, 1, 3)' regime.name=fresh)
ok grep -q 'sampling.temperature (command line: sampling.temperature): 0.5, 0.75, 1  \[3\]$' <<<"$out"
out=$("$bin" config cats 'regime.h=range(1, 0, -0.25)' regime.name=fresh sampling.temperature=1)
ok grep -q 'regime.h (command line: regime.h): 1, 0.75, 0.5, 0.25  \[4\]$' <<<"$out"
expect 2 "regime.h: range(0, 1, 0): the step is 0" config cats 'regime.h=range(0, 1, 0)'
expect 2 "regime.h: range(0, 1, -0.1): no values" config cats 'regime.h=range(0, 1, -0.1)'
expect 2 "regime.h: linspace(0, 1, 1): expected linspace(a, b, k)" config cats 'regime.h=linspace(0, 1, 1)'
expect 2 "regime.h: range(0, x): an argument is not a number" config cats 'regime.h=range(0, x)'
expect 2 "regime.h: range(0, 1e9): 1000000000 values, more than 10000" config cats 'regime.h=range(0, 1e9)'
expect 2 "regime.h: range(0, 1: no closing ')'" config cats 'regime.h=range(0, 1'
expect 2 "regime.h: 1.25 is out of range" config cats 'regime.h=range(0, 1.5, 0.25)'

# seeds are not an axis, said plainly; --seed and run.seed must agree
expect 2 "run.seed: '1, 2': run.seed takes one value; it is not a grid axis (every replicate" config cats 'run.seed=1, 2'
expect 2 "run.seed takes one value; it is not a grid axis" run cats --seed 1,2 -o "$tmp/x"
expect 2 "command line: --seed 1 and run.seed=2 disagree; give one" run cats --seed 1 run.seed=2 -o "$tmp/x"
ok "$bin" config cats --seed 7 run.seed=7 run.replicates=1 > /dev/null
ok grep -q '^seed = 7$' <("$bin" config cats --seed 7 run.replicates=1)

# an unquoted list: a hint to quote it, not "unexpected argument"
expect 2 "'fresh' looks like the rest of a list that the shell split at a space; quote the whole value" run cats regime.name=replace, fresh -o "$tmp/x"
expect 2 "'0.9' looks like the rest of a list" config regime.name=fresh sampling.temperature=1, 0.9
expect 2 "',fresh' looks like the rest of a list" config cats regime.name=replace ,fresh
expect 2 "theory: unexpected argument '1.0' (the rest of a list the shell split" theory cats sampling.temperature=0.9, 1.0
ok test ! -e "$tmp/x"

# collapse theory: a header, no nan cell, what has no closed form named, not printed
out=$("$bin" theory cats)
ok grep -q "^closed-form expected values: the mean over replicates a run estimates" <<<"$out"
ok grep -qE '^point +setting +metric +g=0 +g=10 ' <<<"$out"
ok bash -c "! grep -qw nan <<<\"\$1\"" _ "$out"
ok bash -c "! grep -qE '^[0-9]+ .* alive ' <<<\"\$1\"" _ "$out"
ok grep -q '^no closed form (left out): alive; tail_mass (points 1, 3); ' <<<"$out"
ok grep -qE '^0 +replace, temperature=1.0 +p_yellow +0.09 ' <<<"$out"
ok grep -qx "no closed form applies to any metric of this configuration (see docs/THEORY.md)" \
  <("$bin" theory pipeline)

echo "cli_config: $passes passed, $fails failed"
[ "$fails" = 0 ]
