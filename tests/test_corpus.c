/* test_corpus.c - the corpus readers (plain, directory, Brown tagged), the split, bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"
#include "ngram/corpus.h"

/* tests/data/ngram/rel */
static const char *data_path(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "ngram/%s", rel);
    return tu_data_path(buf);
}

/* The words of sentence s joined by single spaces. */
static const char *sentence(const mc_corpus *c, uint64_t s)
{
    static char buf[4096];
    size_t n = 0;
    buf[0] = '\0';
    for (uint64_t t = c->sent[s]; t < c->sent[s + 1]; t++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", t > c->sent[s] ? " " : "",
                              mc_corpus_type(c, c->tok[t]));
    return buf;
}

static int read_text(const char *text, const mc_corpus_opts *o, mc_corpus **c, mc_error *err)
{
    return mc_corpus_read(tu_write_file("corpus.txt", text), o, c, err);
}

static void test_plain_file(void **state)
{
    (void)state;
    mc_corpus *c;
    mc_error err = {0};
    mc_corpus_opts o = {MC_CORPUS_PLAIN, 0, 0};
    /* Paragraphs (blank-line blocks) are documents; CRLF and tabs are white space. */
    assert_int_equal(read_text("The cat sat .\r\n  the  cat\tran\n\n\nA dog .\n", &o, &c, &err),
                     MC_OK);
    assert_int_equal(c->nsent, 3);
    assert_int_equal(c->ntok, 10);
    assert_int_equal(c->ndocs, 2);
    assert_int_equal(c->doc[1], 2);
    assert_string_equal(sentence(c, 0), "The cat sat .");
    assert_string_equal(sentence(c, 1), "the cat ran");
    assert_int_equal(c->ntypes, 8); /* The the cat sat . ran A dog */
    assert_int_equal(c->tok[1], c->tok[5]); /* "cat" interned once */
    mc_corpus_free(c);
    o.lowercase = 1;
    assert_int_equal(read_text("The cat sat .\nthe CAT ran\n", &o, &c, &err), MC_OK);
    assert_int_equal(c->ntypes, 5);
    assert_string_equal(sentence(c, 1), "the cat ran");
    mc_corpus_free(c);
    /* A last line without a newline still counts; valid multi-byte UTF-8 is kept as it is. */
    assert_int_equal(read_text("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", &o, &c,
                               &err),
                     MC_OK);
    assert_int_equal(c->ntok, 3);
    assert_string_equal(mc_corpus_type(c, 0), "caf\xc3\xa9");
    mc_corpus_free(c);
}

static void test_brown_format(void **state)
{
    (void)state;
    mc_corpus *c;
    mc_error err = {0};
    mc_corpus_opts o = {MC_CORPUS_BROWN, 1, 0};
    assert_int_equal(read_text("\tThe/at Fulton/np-tl jury/nn said/vbd 1/2/cd "
                               "Atlanta's/np$ ``/`` ./.\n\n\n\tno-tag /x\n",
                               &o, &c, &err),
                     MC_OK);
    assert_int_equal(c->nsent, 2);
    /* The last /tag goes; a token without one (or only a leading '/') stays whole. */
    assert_string_equal(sentence(c, 0), "the fulton jury said 1/2 atlanta's `` .");
    assert_string_equal(sentence(c, 1), "no-tag /x");
    mc_corpus_free(c);
}

static void test_directory_with_cats(void **state)
{
    (void)state;
    mc_corpus *c;
    mc_error err = {0};
    mc_corpus_opts o = {MC_CORPUS_AUTO, 1, 0};
    assert_int_equal(mc_corpus_read(data_path("brownlike"), &o, &c, &err), MC_OK);
    /* cats.txt lists 12 files in two genres, each file 8 sentences (see the files). */
    assert_int_equal(c->ndocs, 12);
    assert_int_equal(c->ngenres, 2);
    assert_string_equal(c->genre[0], "news");
    assert_string_equal(c->genre[1], "fiction");
    assert_int_equal(c->nsent, 96);
    for (size_t d = 0; d < c->ndocs; d++) {
        assert_int_equal(c->doc[d + 1] - c->doc[d], 8);
        assert_int_equal(c->doc_genre[d], d < 6 ? 0 : 1);
    }
    /* Auto-detected Brown format: no token keeps a tag. */
    for (size_t t = 0; t < c->ntypes; t++)
        assert_null(strchr(mc_corpus_type(c, t), '/'));
    mc_corpus_free(c);
}

static void test_directory_plain(void **state)
{
    (void)state;
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/plaindir", tu_tmpdir());
    mkdir(dir, 0700);
    const char *names[] = {"b.txt", "a.txt", ".hidden"};
    const char *texts[] = {"two words\nand more\n", "first file\n", "ignored\n"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(texts[i], f);
        fclose(f);
    }
    mc_corpus *c;
    mc_error err = {0};
    assert_int_equal(mc_corpus_read(dir, NULL, &c, &err), MC_OK);
    /* One document per file, in byte order of names, hidden files skipped, one genre. */
    assert_int_equal(c->ndocs, 2);
    assert_int_equal(c->ngenres, 1);
    assert_string_equal(sentence(c, 0), "first file");
    assert_string_equal(sentence(c, 1), "two words");
    assert_int_equal(c->doc[1], 1);
    mc_corpus_free(c);
}

/* A read that must fail with code, and a message holding `needle`. */
static void expect_fail(const char *path, const mc_corpus_opts *o, int code, const char *needle)
{
    mc_corpus *c = (mc_corpus *)1;
    mc_error err = {0};
    int rc = mc_corpus_read(path, o, &c, &err);
    if (rc != code || !strstr(err.msg, needle))
        fail_msg("reading %s: status %d (want %d), message \"%s\" (want \"%s\")", path, rc, code,
                 err.msg, needle);
    assert_null(c);
}

static void test_bad_input(void **state)
{
    (void)state;
    mc_corpus_opts o = {MC_CORPUS_PLAIN, 0, 0};
    expect_fail("/nonexistent/corpus.txt", &o, MC_EIO, "/nonexistent/corpus.txt");
    expect_fail(tu_write_file("empty.txt", ""), &o, MC_EDATA, "empty corpus");
    expect_fail(tu_write_file("blank.txt", "\n  \n\t\n"), &o, MC_EDATA, "empty corpus");
    /* invalid UTF-8: a lone continuation byte, an overlong '/', a surrogate, a cut sequence,
     * a code point above U+10FFFF; each names its line */
    expect_fail(tu_write_file("u1.txt", "ok\nbad \x80 byte\n"), &o, MC_EDATA,
                "u1.txt:2: invalid UTF-8 at byte 5");
    expect_fail(tu_write_file("u2.txt", "\xc0\xaf\n"), &o, MC_EDATA, "u2.txt:1: invalid UTF-8");
    expect_fail(tu_write_file("u3.txt", "a\nb\n\xed\xa0\x80\n"), &o, MC_EDATA,
                "u3.txt:3: invalid UTF-8");
    expect_fail(tu_write_file("u4.txt", "cut \xe2\x82"), &o, MC_EDATA, "u4.txt:1: invalid UTF-8");
    expect_fail(tu_write_file("u5.txt", "\xf4\x90\x80\x80\n"), &o, MC_EDATA,
                "u5.txt:1: invalid UTF-8");
    /* a binary file: a NUL byte */
    const char *bin = tu_write_file("bin.dat", "text\n");
    FILE *f = fopen(bin, "ab");
    assert_non_null(f);
    fwrite("\x7f" "ELF\0\0\x01", 1, 7, f);
    fclose(f);
    expect_fail(bin, &o, MC_EDATA, "bin.dat:2: NUL byte: a binary file");
    /* a directory whose cats.txt names a missing file */
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/badcats", tu_tmpdir());
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/cats.txt", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("gone news\n", f);
    fclose(f);
    expect_fail(dir, &o, MC_EIO, "gone");
    /* control characters other than white space (they would reach a terminal raw) */
    expect_fail(tu_write_file("c1.txt", "the cat\nthe \x1b[2Jdog\n"), &o, MC_EDATA,
                "c1.txt:2: a control character at byte 5");
    expect_fail(tu_write_file("c2.txt", "a\x7f b\n"), &o, MC_EDATA,
                "c2.txt:1: a control character");
    /* an empty folder (qsort of no names was undefined behaviour) */
    snprintf(dir, sizeof dir, "%s/emptydir", tu_tmpdir());
    mkdir(dir, 0700);
    expect_fail(dir, &o, MC_EDATA, "the folder holds no files");
    /* a FIFO, as the corpus or as a file that cats.txt names: refused, never waited on */
    char fifo[4200];
    snprintf(fifo, sizeof fifo, "%s/corpus.fifo", tu_tmpdir());
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(20); /* a regression blocks: fail by SIGALRM instead */
    expect_fail(fifo, &o, MC_EIO, "corpus.fifo is not a regular file");
    snprintf(dir, sizeof dir, "%s/fifocats", tu_tmpdir());
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/cats.txt", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("pipe news\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/pipe", dir);
    unlink(path);
    assert_int_equal(mkfifo(path, 0600), 0);
    expect_fail(dir, &o, MC_EIO, "pipe is not a regular file");
    alarm(0);
    /* a line over a small limit */
    mc_corpus_opts small = {MC_CORPUS_PLAIN, 0, 16};
    expect_fail(tu_write_file("long.txt", "short\nthis line is longer than sixteen bytes\n"), &small,
                MC_EDATA, "long.txt:2: line longer than 16 bytes");
}

/* A single line of 100 MB is refused once it passes MC_CORPUS_LINE_MAX (1 MiB), before it is
 * held in memory. */
static void test_huge_line(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/huge.txt", tu_tmpdir());
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    size_t chunk = (size_t)1 << 20;
    char *buf = malloc(chunk);
    assert_non_null(buf);
    for (size_t i = 0; i < chunk; i++)
        buf[i] = i % 8 == 7 ? ' ' : 'x';
    for (int i = 0; i < 100; i++)
        assert_int_equal(fwrite(buf, 1, chunk, f), chunk);
    fputc('\n', f);
    fclose(f);
    free(buf);
    expect_fail(path, NULL, MC_EDATA, "huge.txt:1: line longer than 1048576 bytes");
    unlink(path);
}

static void test_split(void **state)
{
    (void)state;
    mc_corpus *c;
    mc_error err = {0};
    assert_int_equal(mc_corpus_read(data_path("brownlike"), NULL, &c, &err), MC_OK);
    uint8_t a[12], b[12], x[12];
    /* 6 documents per genre: round(0.2 * 6) = 1 held out, round(0.34 * 6) = 2 in reserve. */
    assert_int_equal(mc_corpus_split(c, 0.2, 0.34, 1, a, &err), MC_OK);
    for (uint32_t g = 0; g < 2; g++) {
        int n[3] = {0};
        for (size_t d = 0; d < c->ndocs; d++)
            if (c->doc_genre[d] == g)
                n[a[d]]++;
        assert_int_equal(n[MC_SPLIT_TRAIN], 3);
        assert_int_equal(n[MC_SPLIT_HELDOUT], 1);
        assert_int_equal(n[MC_SPLIT_RESERVE], 2);
    }
    /* deterministic for a key; another key gives another split (of the C(6,1)C(5,2) = 60
     * per genre, so 3600 in all, the chance of equality by accident is 1/3600 per key) */
    assert_int_equal(mc_corpus_split(c, 0.2, 0.34, 1, b, &err), MC_OK);
    assert_memory_equal(a, b, sizeof a);
    int differs = 0;
    for (uint64_t key = 2; key < 6 && !differs; key++) {
        assert_int_equal(mc_corpus_split(c, 0.2, 0.34, key, x, &err), MC_OK);
        differs = memcmp(a, x, sizeof a) != 0;
    }
    assert_true(differs);
    /* errors: fractions that leave no training document; too few documents to hold out */
    assert_int_equal(mc_corpus_split(c, 0.5, 0.5, 1, x, &err), MC_ECONFIG);
    assert_int_equal(mc_corpus_split(c, 0.5, 0.45, 1, x, &err), MC_EDATA);
    assert_non_null(strstr(err.msg, "no document left for training"));
    mc_corpus_free(c);
    assert_int_equal(read_text("one paragraph only\nsecond line\n", NULL, &c, &err), MC_OK);
    assert_int_equal(mc_corpus_split(c, 0.1, 0, 1, x, &err), MC_EDATA);
    assert_non_null(strstr(err.msg, "too few"));
    mc_corpus_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_file),
        cmocka_unit_test(test_brown_format),
        cmocka_unit_test(test_directory_with_cats),
        cmocka_unit_test(test_directory_plain),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_huge_line),
        cmocka_unit_test(test_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
