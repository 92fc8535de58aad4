/* test_textbpb.c - the held-out bits per byte the text families share (src/text/textbpb.c): the
 * character model that spells <unk> by hand, its normalisation over every word, the held-out
 * byte count and <unk> list of a text world, and the ngram family's heldout_bpb through the
 * engine. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "ngram/corpus.h"
#include "ngram/ngram.h"
#include "text/textbpb.h"
#include "text/textworld.h"

static void assert_near_(double x, double y, double tol, int line)
{
    if (!(fabs(x - y) <= tol))
        fail_msg("line %d: %.17g against %.17g (tolerance %g)", line, x, y, tol);
}
#define assert_near(x, y, tol) assert_near_((x), (y), (tol), __LINE__)

/* A world of two word types "ab" (id 3) and "a" (id 4), and a training text "ab a". */
typedef struct tiny {
    char chars[8];
    size_t type_off[2];
    uint32_t id_type[5];
    mc_corpus c;
    mc_textworld w;
    mc_ngram_ds *train;
} tiny;

static void tiny_make(tiny *t)
{
    memset(t, 0, sizeof *t);
    memcpy(t->chars, "ab\0a\0", 5);
    t->type_off[0] = 0, t->type_off[1] = 3;
    t->c.chars = t->chars, t->c.type_off = t->type_off, t->c.ntypes = 2;
    t->id_type[0] = t->id_type[1] = t->id_type[2] = UINT32_MAX;
    t->id_type[3] = 0, t->id_type[4] = 1;
    t->w.corpus = &t->c, t->w.id_type = t->id_type, t->w.nids = 5;
    t->train = mc_ngram_ds_alloc();
    uint32_t s[] = {3, 4, MC_NGRAM_UNK}; /* <unk> has no spelling: skipped */
    assert_int_equal(mc_ngram_ds_push(t->train, s, 3, 1), MC_OK);
}

/* Counts: start -> a 2; a -> b 1, a -> end 1; b -> end 1. Rows add 1/2 to each of the 254 bytes
 * (and the end, but at the start): q(b) = 0.5/129 * 1.5/128.5, and b lies outside the vocabulary
 * {ab, a}, whose chain mass q(a) + q(ab) the normalisation removes. */
static void test_hand(void **state)
{
    (void)state;
    tiny t;
    tiny_make(&t);
    mc_text_spell *s = mc_text_spell_alloc();
    assert_int_equal(mc_text_spell_fit(s, &t.w, t.train), MC_OK);
    double qa = 2.5 / 129 * (1.5 / 129.5), qab = 2.5 / 129 * (1.5 / 129.5) * (1.5 / 128.5);
    double qb = 0.5 / 129 * (1.5 / 128.5);
    double qba = 0.5 / 129 * (0.5 / 128.5) * (1.5 / 129.5);
    assert_near(mc_text_spell_chain(s, "a", 1), qa, 1e-15);
    assert_near(mc_text_spell_chain(s, "ab", 2), qab, 1e-15);
    assert_near(mc_text_spell_nats(s, "b"), -log(qb / (1 - qa - qab)), 1e-12);
    assert_near(mc_text_spell_nats(s, "ba"), -log(qba / (1 - qa - qab)), 1e-12);
    /* words the separators or an empty string would need: never written */
    assert_true(mc_text_spell_chain(s, "", 0) == 0);
    assert_true(mc_text_spell_chain(s, "a b", 3) == 0);
    assert_true(isinf(mc_text_spell_nats(s, "a\n")));
    mc_text_spell_free(s);
    mc_ngram_ds_free(t.train);
}

/* q is a probability over all non-empty words: every row sums to 1 over what may follow and
 * ends with positive probability (so a word ends with probability 1); and, exhaustively over the
 * words of one and two bytes, the chain's q(w) plus the mass of the prefixes of length 2 that go
 * on is exactly 1. Then p(. | <unk>) = q / (1 - q(vocabulary)) over the words outside it sums
 * to 1 as well. */
static void test_normalised(void **state)
{
    (void)state;
    tiny t;
    tiny_make(&t);
    mc_text_spell *s = mc_text_spell_alloc();
    assert_int_equal(mc_text_spell_fit(s, &t.w, t.train), MC_OK);
    for (int prev = 0; prev <= MC_TEXT_SPELL_START; prev++) {
        double sum = 0;
        for (int next = 0; next <= MC_TEXT_SPELL_END; next++)
            sum += mc_text_spell_next(s, prev, next);
        assert_near(sum, 1.0, 1e-13);
        if (prev != MC_TEXT_SPELL_START)
            assert_true(mc_text_spell_next(s, prev, MC_TEXT_SPELL_END) > 0);
    }
    assert_true(mc_text_spell_next(s, MC_TEXT_SPELL_START, MC_TEXT_SPELL_END) == 0);
    assert_true(mc_text_spell_next(s, 'a', ' ') == 0 && mc_text_spell_next(s, 'a', '\n') == 0);
    double words = 0, going_on = 0;
    char w[2];
    for (int a = 0; a < 256; a++) {
        w[0] = (char)a;
        words += mc_text_spell_chain(s, w, 1);
        double pa = mc_text_spell_next(s, MC_TEXT_SPELL_START, a);
        for (int b = 0; b < 256; b++) {
            w[1] = (char)b;
            words += mc_text_spell_chain(s, w, 2);
            going_on += pa * mc_text_spell_next(s, a, b) *
                        (1 - mc_text_spell_next(s, b, MC_TEXT_SPELL_END));
        }
    }
    assert_near(words + going_on, 1.0, 1e-12);
    mc_text_spell_free(s);
    mc_ngram_ds_free(t.train);
}

/* A text world's held-out bytes (words joined by spaces, one per sentence end) and its list of
 * held-out words outside the vocabulary, against a walk of the corpus. */
static void test_world_heldout(void **state)
{
    (void)state;
    /* ten documents (paragraphs), each with words of its own and words they all share */
    char path[] = "/tmp/test_textbpb_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    for (int d = 0; d < 10; d++)
        fprintf(f, "the w%d cat\nA  Dog%d sat on x%dy the\n\n", d, d * 7, d);
    fclose(f);
    mc_textworld_opts o = {MC_CORPUS_PLAIN, 1, 0.3, 0, 1};
    mc_textworld *w;
    int split_failed;
    mc_error err = {0};
    if (mc_textworld_create(path, &o, &w, &split_failed, &err) != MC_OK)
        fail_msg("world: %s", err.msg);
    remove(path);
    const mc_corpus *c = w->corpus;
    double bytes = 0;
    uint64_t oov = 0, held = 0;
    for (size_t d = 0; d < c->ndocs; d++) {
        if (w->part[d] != MC_SPLIT_HELDOUT)
            continue;
        for (uint64_t s = c->doc[d]; s < c->doc[d + 1]; s++, held++) {
            uint64_t b = c->sent[s], e = c->sent[s + 1];
            for (uint64_t t = b; t < e; t++) {
                const char *word = mc_corpus_type(c, c->tok[t]);
                bytes += (double)strlen(word) + (t > b ? 1 : 0);
                int known = 0;
                for (uint32_t i = MC_NGRAM_FIRST_WORD; i < w->nids && !known; i++)
                    known = strcmp(mc_textworld_word(w, i), word) == 0;
                if (!known) {
                    assert_true(oov < w->nheldout_oov);
                    assert_string_equal(mc_corpus_type(c, w->heldout_oov[oov]), word);
                    oov++;
                }
            }
            bytes += 1;
        }
    }
    assert_true(held > 0 && held == w->heldout->nsent);
    assert_true(bytes == w->heldout_bytes);
    assert_true(oov == w->nheldout_oov && oov > 0);
    mc_textworld_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand),
        cmocka_unit_test(test_normalised),
        cmocka_unit_test(test_world_heldout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
