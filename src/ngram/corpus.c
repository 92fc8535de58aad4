/* corpus.c - text corpora: plain text, a directory of files, the Brown corpus's tagged format.
 *
 * Reading is streamed in 64 KiB blocks; a line is held in memory only up to opts.line_max bytes,
 * so a pathological input (a single 100 MB line, a binary file) is refused early with its file
 * and line rather than read whole. Each line is checked to be valid UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF) and free of NUL bytes and of control characters
 * other than white space (io/utf8.h), so that every word is safe in JSON and on a terminal. Only
 * regular files are read (a FIFO is refused before it can block).
 *
 * One non-blank line is one sentence (the Brown corpus puts one sentence per line, indented by a
 * tab, with blank lines between); tokens are separated by ASCII white space. In the Brown format
 * every token is `word/tag` and the text from the last '/' on is dropped ("Atlanta's/np$" ->
 * "Atlanta's"); a token with no '/' (or only a leading one) is kept whole.
 *
 * The split (mc_corpus_split) is by document and stratified by genre, as in the usual Brown
 * experiments, so that held-out text is from documents the model never saw.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "corpus.h"
#include "collapse/config.h" /* mc_strings_free */
#include "collapse/rng.h"
#include "io/textfile.h"
#include "io/utf8.h"

#define EMPTY UINT32_MAX
#define BLOCK 65536

/* ---- growing arrays ---------------------------------------------------------------------- */

static int grow(void **p, size_t elem, size_t need, size_t *cap)
{
    if (need <= *cap)
        return MC_OK;
    size_t c = *cap ? *cap : 64;
    while (c < need) {
        if (c > SIZE_MAX / 2 / elem)
            return MC_ENOMEM;
        c *= 2;
    }
    void *q = realloc(*p, c * elem);
    if (!q)
        return MC_ENOMEM;
    *p = q;
    *cap = c;
    return MC_OK;
}

/* ---- interning --------------------------------------------------------------------------- */

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return mc_mix64(h);
}

static int rehash(mc_corpus *c, size_t cap)
{
    uint32_t *t = malloc(cap * sizeof *t);
    if (!t)
        return MC_ENOMEM;
    for (size_t i = 0; i < cap; i++)
        t[i] = EMPTY;
    for (size_t id = 0; id < c->ntypes; id++) {
        const char *s = mc_corpus_type(c, id);
        size_t i = hash_bytes(s, strlen(s)) & (cap - 1);
        while (t[i] != EMPTY)
            i = (i + 1) & (cap - 1);
        t[i] = (uint32_t)id;
    }
    free(c->hash);
    c->hash = t;
    c->hash_cap = cap;
    return MC_OK;
}

/* Id of the type s[0..n), added when new. */
static int intern(mc_corpus *c, const char *s, size_t n, uint32_t *id)
{
    if (2 * (c->ntypes + 1) > c->hash_cap) {
        int rc = rehash(c, c->hash_cap ? 2 * c->hash_cap : 1024);
        if (rc)
            return rc;
    }
    size_t i = hash_bytes(s, n) & (c->hash_cap - 1);
    for (; c->hash[i] != EMPTY; i = (i + 1) & (c->hash_cap - 1)) {
        const char *t = mc_corpus_type(c, c->hash[i]);
        if (strncmp(t, s, n) == 0 && t[n] == '\0') {
            *id = c->hash[i];
            return MC_OK;
        }
    }
    if (c->ntypes >= UINT32_MAX - 1)
        return MC_ERANGE;
    if (grow((void **)&c->chars, 1, c->chars_len + n + 1, &c->chars_cap) ||
        grow((void **)&c->type_off, sizeof *c->type_off, c->ntypes + 1, &c->types_cap))
        return MC_ENOMEM;
    memcpy(c->chars + c->chars_len, s, n);
    c->chars[c->chars_len + n] = '\0';
    c->type_off[c->ntypes] = c->chars_len;
    c->chars_len += n + 1;
    *id = (uint32_t)c->ntypes;
    c->hash[i] = *id;
    c->ntypes++;
    return MC_OK;
}

/* ---- structure --------------------------------------------------------------------------- */

static int push_token(mc_corpus *c, uint32_t id)
{
    size_t cap = (size_t)c->tok_cap;
    int rc = grow((void **)&c->tok, sizeof *c->tok, (size_t)c->ntok + 1, &cap);
    c->tok_cap = cap;
    if (rc)
        return rc;
    c->tok[c->ntok++] = id;
    return MC_OK;
}

/* Closes the sentence begun at sent[nsent] when it holds a token. */
static int end_sentence(mc_corpus *c)
{
    if (c->ntok == c->sent[c->nsent])
        return MC_OK;
    size_t cap = (size_t)c->sent_cap;
    int rc = grow((void **)&c->sent, sizeof *c->sent, (size_t)c->nsent + 2, &cap);
    c->sent_cap = cap;
    if (rc)
        return rc;
    c->nsent++;
    c->sent[c->nsent] = c->ntok;
    return MC_OK;
}

/* Closes the document begun at doc[ndocs] when it holds a sentence. */
static int end_document(mc_corpus *c, uint32_t genre)
{
    if (c->nsent == c->doc[c->ndocs])
        return MC_OK;
    if (grow((void **)&c->doc, sizeof *c->doc, c->ndocs + 2, &c->doc_cap))
        return MC_ENOMEM;
    size_t gcap = c->doc_cap; /* doc_genre grows in step with doc */
    uint32_t *g = realloc(c->doc_genre, gcap * sizeof *g);
    if (!g)
        return MC_ENOMEM;
    c->doc_genre = g;
    c->doc_genre[c->ndocs] = genre;
    c->ndocs++;
    c->doc[c->ndocs] = c->nsent;
    return MC_OK;
}

static int add_genre(mc_corpus *c, const char *name, uint32_t *id)
{
    for (size_t i = 0; i < c->ngenres; i++)
        if (strcmp(c->genre[i], name) == 0) {
            *id = (uint32_t)i;
            return MC_OK;
        }
    char **g = realloc(c->genre, (c->ngenres + 1) * sizeof *g);
    if (!g)
        return MC_ENOMEM;
    c->genre = g;
    if (!(g[c->ngenres] = strdup(name)))
        return MC_ENOMEM;
    *id = (uint32_t)c->ngenres++;
    return MC_OK;
}

/* ---- lines ------------------------------------------------------------------------------- */

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

typedef struct reader {
    mc_corpus *c;
    mc_corpus_format format;
    int lowercase;
    int paragraphs;  /* a blank line ends a document (single-file corpora) */
    uint32_t genre;
    const char *file;
    long line;
} reader;

static int take_line(reader *rd, char *s, size_t n, mc_error *err)
{
    const char *why = NULL;
    size_t bad = mc_text_check(s, n, " \t\r\v\f", &why); /* white space separates words */
    if (bad < n)
        return mc_error_set(err, MC_EDATA, "%s:%ld: %s at byte %zu", rd->file, rd->line, why,
                            bad + 1);
    mc_corpus *c = rd->c;
    size_t i = 0;
    int any = 0;
    while (i < n) {
        while (i < n && is_space(s[i]))
            i++;
        size_t b = i;
        while (i < n && !is_space(s[i]))
            i++;
        if (i == b)
            break;
        size_t len = i - b;
        if (rd->format == MC_CORPUS_BROWN) {
            size_t slash = len;
            for (size_t j = len; j-- > 1;)
                if (s[b + j] == '/') {
                    slash = j;
                    break;
                }
            len = slash;
        }
        if (rd->lowercase)
            for (size_t j = 0; j < len; j++)
                if (s[b + j] >= 'A' && s[b + j] <= 'Z')
                    s[b + j] = (char)(s[b + j] - 'A' + 'a');
        uint32_t id;
        int rc = intern(c, s + b, len, &id);
        if (!rc)
            rc = push_token(c, id);
        if (rc)
            return mc_error_set(err, rc, "%s:%ld: %s", rd->file, rd->line,
                                rc == MC_ERANGE ? "more than 2^32 word types" : "out of memory");
        any = 1;
    }
    int rc = any ? end_sentence(c) : (rd->paragraphs ? end_document(c, rd->genre) : MC_OK);
    if (rc)
        return mc_error_set(err, rc, "%s:%ld: out of memory", rd->file, rd->line);
    return MC_OK;
}

/* Opens a regular file for reading; anything else (a FIFO would block for ever, a device never
 * ends) is refused before a read: the open does not wait (O_NONBLOCK) and fstat decides. */
static int open_regular(const char *path, FILE **out, mc_error *err)
{
    int e = mc_open_regular(path, out);
    if (e == ENOTSUP)
        return mc_error_set(err, MC_EIO, "corpus: %s is not a regular file", path);
    if (e)
        return mc_error_set(err, MC_EIO, "corpus: cannot open %s: %s", path, strerror(e));
    return MC_OK;
}

/* Reads one file into the corpus, line by line, never holding more than line_max + one block. */
static int read_file(reader *rd, size_t line_max, mc_error *err)
{
    FILE *f;
    int opened = open_regular(rd->file, &f, err);
    if (opened != MC_OK)
        return opened;
    char *block = malloc(BLOCK);
    char *line = NULL;
    size_t len = 0, cap = 0;
    int rc = block ? MC_OK : mc_error_set(err, MC_ENOMEM, "corpus: out of memory");
    rd->line = 1;
    size_t got;
    while (!rc && (got = fread(block, 1, BLOCK, f)) > 0) {
        size_t i = 0;
        while (!rc && i < got) {
            char *nl = memchr(block + i, '\n', got - i);
            size_t part = (nl ? (size_t)(nl - block) : got) - i;
            if (memchr(block + i, '\0', part)) {
                rc = mc_error_set(err, MC_EDATA,
                                  "%s:%ld: NUL byte: a binary file, not text (one sentence per "
                                  "line expected)", rd->file, rd->line);
                break;
            }
            if (len + part > line_max) {
                rc = mc_error_set(err, MC_EDATA,
                                  "%s:%ld: line longer than %zu bytes; a corpus holds one "
                                  "sentence per line", rd->file, rd->line, line_max);
                break;
            }
            if (grow((void **)&line, 1, len + part + 1, &cap)) {
                rc = mc_error_set(err, MC_ENOMEM, "corpus: out of memory");
                break;
            }
            memcpy(line + len, block + i, part);
            len += part;
            i += part;
            if (nl) {
                rc = take_line(rd, line, len, err);
                len = 0;
                rd->line++;
                i++;
            }
        }
    }
    if (!rc && ferror(f))
        rc = mc_error_set(err, MC_EIO, "corpus: cannot read %s: %s", rd->file, strerror(errno));
    if (!rc && len > 0)
        rc = take_line(rd, line, len, err);
    free(line);
    free(block);
    fclose(f);
    return rc;
}

/* ---- files and directories --------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Files of a directory in byte order of their names, hidden ones skipped. */
static int list_dir(const char *path, char ***names, size_t *n, mc_error *err)
{
    DIR *d = opendir(path);
    if (!d)
        return mc_error_set(err, MC_EIO, "corpus: cannot open directory %s: %s", path,
                            strerror(errno));
    char **v = NULL;
    size_t cnt = 0, cap = 0;
    int rc = MC_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *full = join(path, e->d_name);
        struct stat st;
        if (!full) {
            rc = MC_ENOMEM;
            break;
        }
        int regular = stat(full, &st) == 0 && S_ISREG(st.st_mode);
        free(full);
        if (!regular)
            continue;
        if (grow((void **)&v, sizeof *v, cnt + 1, &cap) || !(v[cnt] = strdup(e->d_name))) {
            rc = MC_ENOMEM;
            break;
        }
        cnt++;
    }
    closedir(d);
    if (rc) {
        mc_strings_free(v, cnt);
        return mc_error_set(err, rc, "corpus: out of memory");
    }
    if (cnt == 0)
        return mc_error_set(err, MC_EDATA, "corpus %s: the folder holds no files (hidden files "
                            "and subfolders are skipped)", path);
    qsort(v, cnt, sizeof *v, cmp_str);
    *names = v;
    *n = cnt;
    return MC_OK;
}

/* Reads a Brown-style cats.txt ("ca01 news" per line) into the files and their genres. */
static int read_cats(mc_corpus *c, const char *cats, char ***names, uint32_t **genres, size_t *n,
                     mc_error *err)
{
    FILE *f;
    int opened = open_regular(cats, &f, err);
    if (opened != MC_OK)
        return opened;
    char buf[512];
    char **v = NULL;
    uint32_t *g = NULL;
    size_t cnt = 0, cap = 0, gcap = 0;
    long line = 0;
    int rc = MC_OK;
    while (!rc && fgets(buf, sizeof buf, f)) {
        line++;
        char name[256], genre[256];
        int k = sscanf(buf, "%255s %255s", name, genre);
        if (k <= 0)
            continue;
        const char *why = NULL;
        size_t len = strlen(buf), bad = mc_text_check(buf, len, " \t\r\n\v\f", &why);
        if (bad < len) {
            rc = mc_error_set(err, MC_EDATA, "%s:%ld: %s at byte %zu", cats, line, why, bad + 1);
            break;
        }
        if (k != 2 || strchr(name, '/')) {
            rc = mc_error_set(err, MC_EDATA, "%s:%ld: expected `file genre`", cats, line);
            break;
        }
        uint32_t gid;
        if (grow((void **)&v, sizeof *v, cnt + 1, &cap) ||
            grow((void **)&g, sizeof *g, cnt + 1, &gcap) || add_genre(c, genre, &gid) ||
            !(v[cnt] = strdup(name))) {
            rc = mc_error_set(err, MC_ENOMEM, "corpus: out of memory");
            break;
        }
        g[cnt++] = gid;
    }
    fclose(f);
    if (rc) {
        mc_strings_free(v, cnt);
        free(g);
        return rc;
    }
    *names = v;
    *genres = g;
    *n = cnt;
    return MC_OK;
}

static int read_dir(mc_corpus *c, const char *path, const mc_corpus_opts *o, size_t line_max,
                    mc_error *err)
{
    char *cats = join(path, "cats.txt");
    if (!cats)
        return mc_error_set(err, MC_ENOMEM, "corpus: out of memory");
    struct stat st;
    int have_cats = stat(cats, &st) == 0 && S_ISREG(st.st_mode);
    char **names = NULL;
    uint32_t *genres = NULL;
    size_t n = 0;
    int rc;
    if (have_cats) {
        rc = read_cats(c, cats, &names, &genres, &n, err);
    } else {
        uint32_t all;
        rc = add_genre(c, "all", &all);
        if (rc)
            rc = mc_error_set(err, rc, "corpus: out of memory");
        else
            rc = list_dir(path, &names, &n, err);
    }
    free(cats);
    reader rd = {c, o->format, o->lowercase, 0, 0, NULL, 0};
    if (rd.format == MC_CORPUS_AUTO)
        rd.format = have_cats ? MC_CORPUS_BROWN : MC_CORPUS_PLAIN;
    for (size_t i = 0; !rc && i < n; i++) {
        char *file = join(path, names[i]);
        if (!file) {
            rc = mc_error_set(err, MC_ENOMEM, "corpus: out of memory");
            break;
        }
        rd.file = file;
        rd.genre = genres ? genres[i] : 0;
        rc = read_file(&rd, line_max, err);
        if (!rc && end_document(c, rd.genre))
            rc = mc_error_set(err, MC_ENOMEM, "corpus: out of memory");
        free(file);
    }
    mc_strings_free(names, n);
    free(genres);
    return rc;
}

void mc_corpus_free(mc_corpus *c)
{
    if (!c)
        return;
    free(c->chars);
    free(c->type_off);
    free(c->tok);
    free(c->sent);
    free(c->doc);
    free(c->doc_genre);
    for (size_t i = 0; i < c->ngenres; i++)
        free(c->genre[i]);
    free(c->genre);
    free(c->hash);
    free(c);
}

int mc_corpus_read(const char *path, const mc_corpus_opts *opts, mc_corpus **out, mc_error *err)
{
    static const mc_corpus_opts dflt = {MC_CORPUS_AUTO, 0, 0};
    const mc_corpus_opts *o = opts ? opts : &dflt;
    size_t line_max = o->line_max ? o->line_max : MC_CORPUS_LINE_MAX;
    *out = NULL;
    struct stat st;
    if (!path || stat(path, &st) != 0)
        return mc_error_set(err, MC_EIO, "corpus: cannot open %s: %s", path ? path : "(null)",
                            strerror(errno));
    mc_corpus *c = calloc(1, sizeof *c);
    if (!c || !(c->sent = calloc(1, sizeof *c->sent)) || !(c->doc = calloc(1, sizeof *c->doc))) {
        mc_corpus_free(c);
        return mc_error_set(err, MC_ENOMEM, "corpus: out of memory");
    }
    c->sent_cap = c->doc_cap = 1;
    int rc;
    if (S_ISDIR(st.st_mode)) {
        rc = read_dir(c, path, o, line_max, err);
    } else {
        uint32_t all;
        rc = add_genre(c, "all", &all);
        if (rc) {
            rc = mc_error_set(err, rc, "corpus: out of memory");
        } else {
            reader rd = {c, o->format == MC_CORPUS_AUTO ? MC_CORPUS_PLAIN : o->format,
                         o->lowercase, 1, 0, path, 0};
            rc = read_file(&rd, line_max, err);
            if (!rc && end_document(c, 0))
                rc = mc_error_set(err, MC_ENOMEM, "corpus: out of memory");
        }
    }
    if (!rc && c->ntok == 0)
        rc = mc_error_set(err, MC_EDATA, "corpus %s: empty corpus (no words)", path);
    if (rc) {
        mc_corpus_free(c);
        return rc;
    }
    free(c->hash); /* interning is over */
    c->hash = NULL;
    c->hash_cap = 0;
    *out = c;
    return MC_OK;
}

/* ---- split ------------------------------------------------------------------------------- */

typedef struct keyed {
    uint64_t key;
    size_t doc;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

int mc_corpus_split(const mc_corpus *c, double heldout, double reserve, uint64_t seed,
                    uint8_t *part, mc_error *err)
{
    if (!(heldout >= 0 && reserve >= 0 && heldout + reserve < 1))
        return mc_error_set(err, MC_ECONFIG,
                            "corpus split: held-out (%g) and reserve (%g) fractions must be >= 0 "
                            "and sum to less than 1", heldout, reserve);
    keyed *k = malloc((c->ndocs ? c->ndocs : 1) * sizeof *k);
    if (!k)
        return mc_error_set(err, MC_ENOMEM, "corpus split: out of memory");
    size_t ntrain = 0, nheld = 0;
    for (size_t g = 0; g < c->ngenres; g++) {
        size_t m = 0;
        for (size_t d = 0; d < c->ndocs; d++)
            if (c->doc_genre[d] == g) {
                k[m].key = mc_stream_key(seed, g, m);
                k[m].doc = d;
                m++;
            }
        qsort(k, m, sizeof *k, cmp_keyed);
        size_t h = (size_t)(heldout * (double)m + 0.5), rs = (size_t)(reserve * (double)m + 0.5);
        if (h + rs > m)
            rs = m - h;
        for (size_t i = 0; i < m; i++)
            part[k[i].doc] = i < h ? MC_SPLIT_HELDOUT : i < h + rs ? MC_SPLIT_RESERVE
                                                                 : MC_SPLIT_TRAIN;
        nheld += h;
        ntrain += m - h - rs;
    }
    free(k);
    if (ntrain == 0)
        return mc_error_set(err, MC_EDATA,
                            "corpus split: no document left for training (%zu documents; lower "
                            "the held-out and reserve fractions)", c->ndocs);
    if (heldout > 0 && nheld == 0)
        return mc_error_set(err, MC_EDATA,
                            "corpus split: %zu documents are too few to hold out %g of each genre "
                            "(a single file is split at blank lines; give more paragraphs or files)",
                            c->ndocs, heldout);
    return MC_OK;
}
