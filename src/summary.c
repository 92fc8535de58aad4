/* summary.c - statistics across replicates (see summary.h for the definitions). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collapse/summary.h"
#include "io/numfmt.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double mc_quantile_sorted(const double *s, size_t n, double p)
{
    if (n == 0)
        return NAN;
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1)
        return s[n - 1];
    double frac = h - (double)lo;
    double a = s[lo], b = s[lo + 1];
    if (frac == 0 || a == b)
        return a;
    if (isinf(a) || isinf(b)) /* inf - inf would give NaN; the interpolant lies at the inf end */
        return isinf(b) ? b : a;
    return a + frac * (b - a);
}

void mc_stat_compute(double *x, size_t len, mc_stat *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (!isnan(x[i]))
            x[n++] = x[i];
    out->n = n;
    out->skew = NAN;
    if (n == 0) {
        out->mean = out->sd = out->q05 = out->q50 = out->q95 = NAN;
        return;
    }
    qsort(x, n, sizeof *x, cmp_double);
    int posinf = isinf(x[n - 1]) && x[n - 1] > 0, neginf = isinf(x[0]) && x[0] < 0;
    if (posinf || neginf) {
        out->mean = posinf && neginf ? NAN : (posinf ? INFINITY : -INFINITY);
        out->sd = NAN;
    } else {
        /* two-pass mean and variance (Welford-equivalent accuracy for our sizes) */
        double m = 0;
        for (size_t i = 0; i < n; i++)
            m += x[i];
        m /= (double)n;
        double ss = 0, s3 = 0;
        for (size_t i = 0; i < n; i++) {
            double e = x[i] - m;
            ss += e * e;
            s3 += e * e * e;
        }
        out->mean = m;
        out->sd = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
        /* G1 = g1 sqrt(n (n - 1)) / (n - 2), g1 = m3 / m2^(3/2) with the 1/n central moments */
        if (n > 2 && ss > 0) {
            double dn = (double)n, m2 = ss / dn, m3 = s3 / dn;
            out->skew = m3 / (m2 * sqrt(m2)) * sqrt(dn * (dn - 1)) / (dn - 2);
        }
    }
    out->q05 = mc_quantile_sorted(x, n, 0.05);
    out->q50 = mc_quantile_sorted(x, n, 0.50);
    out->q95 = mc_quantile_sorted(x, n, 0.95);
}

void mc_summary_free(mc_summary *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->npresence; i++)
        free(s->presence[i].first);
    free(s->presence);
    free(s->stats);
    free(s->theory);
    free(s);
}

int mc_summary_compute(const mc_point_result *res, mc_summary **out, mc_error *err)
{
    const mc_point *p = res->point;
    const size_t M = res->nmetrics, G1 = (size_t)res->generations + 1;
    const long R = res->replicates;
    mc_summary *s = calloc(1, sizeof *s);
    double *scratch = malloc(sizeof(double) * (size_t)R);
    if (!s || !scratch) {
        free(s);
        free(scratch);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    s->point = p;
    s->generations = res->generations;
    s->nmetrics = M;
    s->stats = calloc(G1 * M, sizeof *s->stats);
    s->theory = malloc(G1 * M * sizeof *s->theory);
    size_t npres = 0;
    for (size_t m = 0; m < M; m++)
        npres += p->metrics.items[m].role == MC_ROLE_PRESENCE;
    s->presence = calloc(npres ? npres : 1, sizeof *s->presence);
    if (!s->stats || !s->theory || !s->presence) {
        free(scratch);
        mc_summary_free(s);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    for (size_t g = 0; g < G1; g++)
        for (size_t m = 0; m < M; m++) {
            for (long r = 0; r < R; r++)
                scratch[r] = res->values[((size_t)r * G1 + g) * M + m];
            mc_stat_compute(scratch, (size_t)R, &s->stats[g * M + m]);
            s->theory[g * M + m] = mc_point_theory(p, m, (unsigned)g);
        }
    for (size_t m = 0; m < M; m++) {
        if (p->metrics.items[m].role != MC_ROLE_PRESENCE)
            continue;
        mc_presence *pr = &s->presence[s->npresence++];
        pr->metric = m;
        pr->replicates = R;
        pr->first = malloc(sizeof(long) * (size_t)R);
        if (!pr->first) {
            free(scratch);
            mc_summary_free(s);
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        }
        size_t k = 0;
        for (long r = 0; r < R; r++) {
            long first = -1;
            for (size_t g = 0; g < G1 && first < 0; g++)
                if (res->values[((size_t)r * G1 + g) * M + m] == 0)
                    first = (long)g;
            pr->first[r] = first;
            if (first >= 0) {
                pr->extinct++;
                scratch[k++] = (double)first;
            }
            if (res->values[((size_t)r * G1 + (G1 - 1)) * M + m] != 0)
                pr->alive_end++;
        }
        mc_stat_compute(scratch, k, &pr->first_extinct);
    }
    free(scratch);
    *out = s;
    return MC_OK;
}

const char *mc_format_value(double v, char *buf)
{
    if (isnan(v))
        return strcpy(buf, "nan");
    if (isinf(v))
        return strcpy(buf, v > 0 ? "inf" : "-inf");
    snprintf(buf, 32, "%.6g", v);
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
    return buf;
}

const char *mc_format_exact(double v, char *buf)
{
    return mc_num_shortest(v, buf);
}
