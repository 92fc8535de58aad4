#!/usr/bin/python3
"""ngram_nltk.py - the work of one n-gram generation done by NLTK's KneserNeyInterpolated.

usage: ngram_nltk.py TRAIN.txt HELDOUT.txt SENTENCES EVAL_TOKENS GEN_TOKENS [ORDER]

NLTK is too slow for the full Brown corpus (scoring one word walks its count tables in Python,
and generating one word scores every word of the vocabulary), so it runs on a subset: the first
SENTENCES training sentences; it scores the first EVAL_TOKENS held-out tokens and generates
GEN_TOKENS words. Prints `key value` lines: seconds per step and per-token rates, which
bench/ngram.sh scales to the full work. Per-token costs grow with the model, so the scaled
times are lower bounds of what NLTK would take on the full corpus. Times are CPU seconds.
"""
import random
import resource
import sys
import time

from nltk.lm import KneserNeyInterpolated
from nltk.lm.preprocessing import padded_everygram_pipeline, pad_both_ends
from nltk.util import ngrams


def main():
    train_path, held_path = sys.argv[1], sys.argv[2]
    nsent, neval, ngen = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    order = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    with open(train_path) as f:
        train = [line.split() for _, line in zip(range(nsent), f)]
    with open(held_path) as f:
        held = [line.split() for line in f]
    tokens = sum(len(s) + 1 for s in train)

    t0 = time.process_time()
    lm = KneserNeyInterpolated(order)
    data, vocab = padded_everygram_pipeline(order, train)
    lm.fit(data, vocab)
    t_fit = time.process_time() - t0

    grams = []
    for s in held:
        grams.extend(ngrams(pad_both_ends(s, n=order), order))
        if len(grams) >= neval:
            break
    grams = grams[:neval]
    t0 = time.process_time()
    for g in grams:
        lm.logscore(g[-1], g[:-1])
    t_eval = time.process_time() - t0

    t0 = time.process_time()
    lm.generate(ngen, text_seed=["<s>"] * (order - 1), random_seed=random.Random(1))
    t_gen = time.process_time() - t0

    print(f"nltk_train_sentences {len(train)}")
    print(f"nltk_train_tokens {tokens}")
    print(f"nltk_vocabulary {len(lm.vocab)}")
    print(f"nltk_time_fit {t_fit:.4f}")
    print(f"nltk_fit_tokens_per_s {tokens / t_fit:.1f}")
    print(f"nltk_eval_tokens {len(grams)}")
    print(f"nltk_time_eval {t_eval:.4f}")
    print(f"nltk_eval_tokens_per_s {len(grams) / t_eval:.3f}")
    print(f"nltk_gen_tokens {ngen}")
    print(f"nltk_time_generate {t_gen:.4f}")
    print(f"nltk_gen_tokens_per_s {ngen / t_gen:.4f}")
    print(f"nltk_peak_rss_kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")


if __name__ == "__main__":
    main()
