/* gdata_moments.c - sufficient statistics of an mc_gdata: per provenance part (0 synthetic,
 * 1 human) the count n, the mean and the scatter M2 = sum (x - mean)(x - mean)^T, MC_GMOM_SIZE(d)
 * doubles per part.
 *
 * From the rows: one pass with a shift (Chan, Golub & LeVeque 1983), a block of rows at a time so
 * that each scatter entry is a vectorised dot product. Two parts combine exactly (Chan, Golub &
 * LeVeque 1979), so a merge of cached moments costs O(d^2) and a fit on an accumulated pool never
 * reads its rows again. The operator's signal of the pipeline regime, tr S, comes from the same
 * moments. */
#include "gdata.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Chan, Golub & LeVeque (1979): the moments of the union of two parts,
 *   n = na + nb, delta = mean_b - mean_a, mean = mean_a + delta nb / n,
 *   M2 = M2_a + M2_b + delta delta^T na nb / n. a is updated. */
void mc_gmom_combine(double *a, const double *b, size_t d)
{
    double na = a[0], nb = b[0], n = na + nb;
    if (nb == 0.0)
        return;
    if (na == 0.0) {
        memcpy(a, b, MC_GMOM_SIZE(d) * sizeof(double));
        return;
    }
    double *ma = a + 1, *Ma = a + 1 + d;
    const double *mb = b + 1, *Mb = b + 1 + d;
    double f = na * nb / n;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++)
            Ma[i * d + j] += Mb[i * d + j] + (mb[i] - ma[i]) * (mb[j] - ma[j]) * f;
    for (size_t i = 0; i < d; i++)
        ma[i] += (mb[i] - ma[i]) * nb / n;
    a[0] = n;
}

/* The moments take rows a block at a time: a block's values are stored column by column, so that
 * each entry of the scatter matrix is a dot product over the block, which the compiler
 * vectorises. */
#define MOM_BLOCK MC_GDATA_BLOCK

/* Adds the cross-products of a block Y (columns of MOM_BLOCK values, cnt used; d columns and then
 * zero columns up to a multiple of 4) to C (d, d, lower triangle). Four columns b at a time, the
 * last four reaching into the zero columns or above the diagonal (computed, not stored): four
 * independent sums keep the adder busy where one would wait on its own latency. */
static void block_sums(double *restrict C, size_t d, const double *Y, size_t cnt)
{
    for (size_t a = 0; a < d; a++) {
        const double *restrict ya = Y + a * MOM_BLOCK;
        for (size_t b = 0; b <= a; b += 4) {
            const double *restrict y0 = Y + b * MOM_BLOCK, *restrict y1 = y0 + MOM_BLOCK,
                                   *restrict y2 = y1 + MOM_BLOCK, *restrict y3 = y2 + MOM_BLOCK;
            double u0 = 0.0, u1 = 0.0, u2 = 0.0, u3 = 0.0;
#pragma omp simd reduction(+ : u0, u1, u2, u3)
            for (size_t c = 0; c < cnt; c++) {
                double t = ya[c];
                u0 += t * y0[c];
                u1 += t * y1[c];
                u2 += t * y2[c];
                u3 += t * y3[c];
            }
            const double u[4] = {u0, u1, u2, u3};
            for (size_t e = 0; e < 4 && b + e <= a; e++)
                C[a * d + b + e] += u[e];
        }
    }
}

/* One pass over the rows with a shift (Chan, Golub & LeVeque 1983, "Algorithms for computing the
 * sample variance", the shifted-data formula): with K the part's first row and y = x - K,
 *   mean = K + sum(y) / n,   M2 = sum(y y^T) - sum(y) sum(y)^T / n.
 * The shift is within a few standard deviations of the mean, so the cancellation costs a few bits
 * at most, and a part whose rows are all identical gets M2 = 0 exactly. */
int mc_gdata_moments_into(const mc_gdata *ds, double *mom, mc_error *err)
{
    size_t d = ds->d, sz = MC_GMOM_SIZE(d);
    if (ds->has_mom) {
        memcpy(mom, ds->mom, 2 * sz * sizeof(double));
        return MC_OK;
    }
    /* scratch: per part a shift (d), sums (d), a block (dp, MOM_BLOCK) whose columns from d to dp
     * (d rounded up to a multiple of 4) stay 0 for block_sums; then mc_gdata_row's */
    size_t dp = (d + 3) / 4 * 4;
    size_t per = 2 * d + dp * MOM_BLOCK;
    size_t total = 2 * per + (ds->deferred ? MC_GDATA_ROW_SCRATCH(d) : 0);
    double *buf = malloc(total * sizeof(double));
    if (!buf)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the moments of a dataset");
    memset(mom, 0, 2 * sz * sizeof(double));
    memset(buf, 0, 2 * per * sizeof(double));
    double *K[2], *S[2], *Y[2], *rowbuf = buf + 2 * per;
    size_t cnt[2] = {0, 0};
    for (int p = 0; p < 2; p++) {
        K[p] = buf + p * per;
        S[p] = K[p] + d;
        Y[p] = S[p] + d;
    }
    for (uint64_t i = 0; i < ds->n; i++) {
        int p = ds->is_human[i];
        const double *xi = mc_gdata_row(ds, i, rowbuf);
        if (mom[p * sz] == 0.0)
            memcpy(K[p], xi, d * sizeof(double));
        mom[p * sz] += 1.0;
        double *restrict y = Y[p] + cnt[p], *restrict sum = S[p];
        const double *restrict k = K[p];
        for (size_t a = 0; a < d; a++) {
            double v = xi[a] - k[a];
            y[a * MOM_BLOCK] = v;
            sum[a] += v;
        }
        if (++cnt[p] == MOM_BLOCK) {
            block_sums(mom + p * sz + 1 + d, d, Y[p], cnt[p]);
            cnt[p] = 0;
        }
    }
    for (int p = 0; p < 2; p++) {
        double n = mom[p * sz], *mean = mom + p * sz + 1, *M = mean + d;
        if (cnt[p])
            block_sums(M, d, Y[p], cnt[p]);
        if (n == 0.0)
            continue;
        for (size_t a = 0; a < d; a++) {
            for (size_t b = 0; b <= a; b++)
                M[a * d + b] -= S[p][a] * S[p][b] / n;
            mean[a] = K[p][a] + S[p][a] / n;
        }
        for (size_t a = 0; a < d; a++) {
            M[a * d + a] = M[a * d + a] > 0.0 ? M[a * d + a] : 0.0; /* rounding can go below 0 */
            for (size_t b = 0; b < a; b++)
                M[b * d + a] = M[a * d + b];
        }
    }
    free(buf);
    return MC_OK;
}

int mc_gdata_moments(mc_gdata *ds, mc_error *err)
{
    if (ds->virtual_rows)
        return MC_OK; /* its moments are all there is */
    if (!ds->mom && !(ds->mom = malloc(2 * MC_GMOM_SIZE(ds->d) * sizeof(double))))
        return mc_error_set(err, MC_ENOMEM, "out of memory for a dataset");
    ds->has_mom = 0;
    int rc = mc_gdata_moments_into(ds, ds->mom, err);
    ds->has_mom = rc == MC_OK;
    return rc;
}

/* tr S of all the rows (S their 1/n covariance), from the per-part moments: the parts' scatter
 * traces plus the between-part term n0 n1 / n ||mean1 - mean0||^2. */
int mc_gdata_signal(const void *params, const void *vd, double *out)
{
    (void)params;
    const mc_gdata *ds = vd;
    size_t d = ds->d, sz = MC_GMOM_SIZE(d);
    double *mom = malloc(2 * sz * sizeof(double));
    mc_error err;
    if (!mom || mc_gdata_moments_into(ds, mom, &err) != MC_OK) {
        free(mom);
        return MC_ENOMEM;
    }
    double n0 = mom[0], n1 = mom[sz], n = n0 + n1, tr = 0.0, between = 0.0;
    for (size_t a = 0; a < d; a++) {
        tr += mom[1 + d + a * d + a] + mom[sz + 1 + d + a * d + a];
        double diff = mom[sz + 1 + a] - mom[1 + a];
        between += diff * diff;
    }
    if (n0 > 0.0 && n1 > 0.0)
        tr += between * n0 * n1 / n;
    free(mom);
    *out = n > 0.0 ? tr / n : NAN;
    return MC_OK;
}
