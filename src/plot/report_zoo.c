/* report_zoo.c - the report's "Published results" section: a zoo run's checks (DIR/zoo.csv,
 * written by `collapse zoo`, include/collapse/zoo.h) side by side: the published or closed-form
 * value with its source, ours with its standard error, z and the verdict. A run without zoo.csv
 * gets no section; a zoo.csv that cannot be read gets a sentence saying so. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "collapse.h"
#include "csvtab.h"
#include "report_zoo.h"

static const char *const COLUMNS[] = {"entry", "paper", "quantity", "point", "generation", "op",
                                      "expected", "source", "ours", "se", "z", "z_max", "rel",
                                      "verdict"};
enum { C_ENTRY, C_PAPER, C_QUANTITY, C_POINT, C_GEN, C_OP, C_EXPECTED, C_SOURCE, C_OURS, C_SE,
       C_Z, C_ZMAX, C_REL, C_VERDICT, C_N };

static void put_row(mc_sbuf *s, const mc_csvtab *t, size_t r, const long *col)
{
    const char *v[C_N];
    for (int c = 0; c < C_N; c++)
        v[c] = mc_csvtab_get(t, r, (size_t)col[c]);
    double num[4];
    const int which[4] = {C_EXPECTED, C_OURS, C_SE, C_ZMAX};
    char buf[4][32];
    for (int k = 0; k < 4; k++)
        num[k] = mc_parse_double(v[which[k]], &num[k]) == MC_OK ? num[k] : NAN;
    mc_sb_printf(s, "<tr><td class=\"l\">");
    mc_sb_html(s, v[C_QUANTITY]);
    mc_sb_printf(s, " at g = %s, point %s</td><td>", v[C_GEN], v[C_POINT]);
    mc_sb_html(s, v[C_OP]);
    mc_sb_printf(s, " %s</td><td class=\"l\">", mc_fmt_num(num[0], buf[0]));
    mc_sb_html(s, v[C_SOURCE]);
    if (isnan(num[2]))
        mc_sb_printf(s, "</td><td>%s</td><td>", mc_fmt_num(num[1], buf[1]));
    else
        mc_sb_printf(s, "</td><td>%s &plusmn; %s</td><td>", mc_fmt_num(num[1], buf[1]),
                     mc_fmt_num(num[2], buf[2]));
    mc_sb_html(s, v[C_Z]);
    if (isnan(num[2])) /* a quantile: no standard error */
        mc_sb_printf(s, "</td><td>%s relative (a quantile)", mc_fmt_num(atof(v[C_REL]), buf[0]));
    else
        mc_sb_printf(s, "</td><td>%s SE", mc_fmt_num(num[3], buf[3]));
    if (!isnan(num[2]) && v[C_REL][0] && v[C_REL][0] != '0')
        mc_sb_printf(s, " + %s relative", mc_fmt_num(atof(v[C_REL]), buf[0]));
    mc_sb_printf(s, "</td><td><b>");
    mc_sb_html(s, v[C_VERDICT]);
    mc_sb_printf(s, "</b></td></tr>\n");
}

void mc_report_published(mc_sbuf *s, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/zoo.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    fclose(f);
    mc_csvtab *t = NULL;
    mc_error err = {0};
    long col[C_N];
    int ok = mc_csvtab_read(path, &t, &err) == MC_OK;
    for (int c = 0; ok && c < C_N; c++)
        ok = (col[c] = mc_csvtab_column(t, COLUMNS[c])) >= 0;
    mc_sb_printf(s, "<section id=\"published\"><h2>Published results</h2>\n");
    if (!ok) {
        mc_sb_printf(s, "<p>zoo.csv could not be read: ");
        mc_sb_html(s, err.msg[0] ? err.msg : "a column is missing");
        mc_sb_printf(s, "</p></section>\n");
        mc_csvtab_free(t);
        return;
    }
    if (t->nrows) {
        mc_sb_printf(s, "<p>");
        mc_sb_html(s, mc_csvtab_get(t, 0, (size_t)col[C_PAPER]));
        mc_sb_printf(s, " (zoo entry ");
        mc_sb_html(s, mc_csvtab_get(t, 0, (size_t)col[C_ENTRY]));
        mc_sb_printf(s, "). Ours is the replicate mean with its standard error (or a quantile "
                        "across replicates); a check passes within the stated tolerance "
                        "(docs/ZOO.md).</p>\n");
    }
    mc_sb_printf(s, "<div class=\"scroll\"><table><thead><tr><th>quantity</th><th>expected</th>"
                    "<th>source</th><th>ours</th><th>z</th><th>tolerance</th><th>verdict</th>"
                    "</tr></thead><tbody>\n");
    for (size_t r = 0; r < t->nrows; r++)
        put_row(s, t, r, col);
    mc_sb_printf(s, "</tbody></table></div></section>\n");
    mc_csvtab_free(t);
}
