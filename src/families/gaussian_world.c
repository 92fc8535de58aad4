/* gaussian_world.c - the gaussian family's world: the shared continuous world (gworld.c) and
 * what the family's closed-form metrics need from it (gaussian_world.h).
 *
 * Held-out set. The mean NLL of the held-out set under N(mu, Sigma) needs only the set's mean m and
 * covariance S (1/nheld):
 *   mean_i (h_i - mu)^T Sigma^-1 (h_i - mu) = tr(Sigma^-1 S) + (m - mu)^T Sigma^-1 (m - mu),
 * so the set is kept as m and S^(1/2), and each generation costs O(d^3) whatever its size.
 *
 * Tails. In 1-D the world's tail is beyond mu_0 -+ 3 sigma_0. In d-D it is where the squared
 * Mahalanobis distance under N(mu_0, Sigma_0) exceeds the world's 99th percentile r^2: for a
 * Gaussian world the empirical percentile of the reference draws themselves (the world then scores
 * exactly 0.01), for a mixture the percentile of 10^5 world draws.
 *
 * W2 to a mixture world. The projection of the world on a direction theta is the 1-D mixture
 * sum_j w_j N(theta . mu_j, theta^T Sigma_j theta); its quantiles at the grid's nodes are computed
 * once here (mc_gmix1_quantile), on one direction in 1-D and on metrics.directions fixed random
 * directions in d-D. */
#include "gaussian_world.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>

void gauss_world_free(void *p)
{
    gauss_world *w = p;
    if (!w)
        return;
    mc_gworld_release(&w->base);
    gsl_matrix_free(w->sqrt0);
    free(w->ho_mean);
    gsl_matrix_free(w->ho_sqrt);
    mc_qgrid_free(w->q);
    free(w->theta);
    free(w->qworld);
    free(w->zref);
    free(w);
}

/* sigma_0^2 when Sigma_0 is exactly sigma_0^2 I of a Gaussian world, else 0. */
static double isotropic_variance(const gauss_world *w)
{
    const gsl_matrix *S = w->base.overall->cov;
    size_t d = w->base.d;
    double v = w->base.mix->k == 1 ? gsl_matrix_get(S, 0, 0) : 0.0;
    for (size_t a = 0; a < d && v > 0.0; a++)
        for (size_t b = 0; b < d; b++)
            if (gsl_matrix_get(S, a, b) != (a == b ? v : 0.0))
                v = 0.0;
    return v;
}

/* The held-out set's mean and the square root of its covariance (see the top); the rows are
 * centred in place and then freed. */
static int holdout_stats(gauss_world *w, mc_error *err)
{
    size_t d = w->base.d, n = w->base.nheld;
    double *ho = w->base.held;
    w->ho_mean = calloc(d, sizeof(double));
    w->ho_sqrt = gsl_matrix_alloc(d, d);
    gsl_matrix *S = gsl_matrix_alloc(d, d);
    int rc = MC_OK;
    if (!w->ho_mean || !w->ho_sqrt || !S) {
        rc = mc_error_set(err, MC_ENOMEM, "out of memory for the world");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++)
            w->ho_mean[a] += ho[i * d + a] / (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++)
            ho[i * d + a] -= w->ho_mean[a];
    gsl_matrix_const_view H = gsl_matrix_const_view_array(ho, n, d);
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0 / (double)n, &H.matrix, 0.0, S);
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < a; b++)
            gsl_matrix_set(S, b, a, gsl_matrix_get(S, a, b));
    rc = mc_sqrtm_psd(S, w->ho_sqrt, err);
done:
    gsl_matrix_free(S);
    free(w->base.held);
    w->base.held = NULL;
    return rc;
}

/* Gaussian world: r^2 between the 10th and 11th largest of the TAIL_REF reference draws' ||z||^2
 * (the world's own points are mu_0 + L_0 z, at squared distance ||z||^2), so TAIL_REF / 100 of
 * them lie beyond and the metric carries no offset from the finite reference set. */
static int gaussian_tail_radius(gauss_world *w, mc_error *err)
{
    size_t d = w->base.d;
    double *z2 = calloc(TAIL_REF, sizeof(double));
    if (!z2)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    for (size_t c = 0; c < d; c++)
        for (size_t j = 0; j < TAIL_REF; j++)
            z2[j] += w->zref[c * TAIL_REF + j] * w->zref[c * TAIL_REF + j];
    gsl_sort(z2, 1, TAIL_REF);
    size_t cut = TAIL_REF - TAIL_REF / 100; /* TAIL_REF / 100 points lie beyond */
    w->r2 = 0.5 * (z2[cut - 1] + z2[cut]);
    free(z2);
    return MC_OK;
}

/* Mixture world: the 99th percentile of the squared Mahalanobis distance of 10^5 world draws. */
static int mixture_tail_radius(gauss_world *w, gsl_rng *r, mc_error *err)
{
    size_t d = w->base.d, m = 100000;
    double *x = malloc(m * d * sizeof(double)), *m2 = malloc(m * sizeof(double));
    double *work = malloc(d * sizeof(double));
    int rc = x && m2 && work ? mc_gmm_draw_shuffled(r, w->base.mix, m, x, err)
                             : mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    for (size_t i = 0; rc == MC_OK && i < m; i++)
        m2[i] = mc_gauss_maha2(w->base.overall, x + i * d, work);
    if (rc == MC_OK) {
        gsl_sort(m2, 1, m);
        w->r2 = m2[(size_t)(0.99 * (double)(m - 1))];
    }
    free(x), free(m2), free(work);
    return rc;
}

/* The quantiles of the world's projections on L directions (see the top). */
static int projection_quantiles(gauss_world *w, long directions, gsl_rng *r, mc_error *err)
{
    const mc_gmm *mix = w->base.mix;
    size_t d = w->base.d, k = mix->k;
    w->L = d == 1 ? 1 : (size_t)directions;
    w->theta = malloc(w->L * d * sizeof(double));
    w->qworld = malloc(w->L * QGRID_M * sizeof(double));
    double *pm = malloc(2 * k * sizeof(double)); /* projected means (k), then sds (k) */
    int rc = w->theta && w->qworld && pm
                 ? mc_qgrid_alloc(QGRID_M, &w->q, err)
                 : mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    if (rc == MC_OK && d == 1)
        w->theta[0] = 1.0;
    else if (rc == MC_OK)
        mc_sliced_dirs(r, d, w->L, w->theta);
    for (size_t l = 0; rc == MC_OK && l < w->L; l++) {
        const double *t = w->theta + l * d;
        for (size_t j = 0; j < k; j++) {
            const double *mu = mix->mu + j * d, *S = mix->cov + j * d * d;
            double a = 0.0, v = 0.0;
            for (size_t i = 0; i < d; i++) {
                a += t[i] * mu[i];
                for (size_t i2 = 0; i2 < d; i2++)
                    v += t[i] * S[i * d + i2] * t[i2];
            }
            pm[j] = a;
            pm[k + j] = sqrt(v);
        }
        for (size_t i = 0; i < QGRID_M; i++)
            w->qworld[l * QGRID_M + i] = mc_gmix1_quantile(k, mix->w, pm, pm + k, w->q->z[i]);
    }
    free(pm);
    return rc;
}

/* The tail boundaries of both kinds, and for a mixture world its projections' quantiles. */
static int tails_and_quantiles(gauss_world *w, long directions, gsl_rng *r, mc_error *err)
{
    const mc_gauss *o = w->base.overall;
    double s0 = sqrt(gsl_matrix_get(o->cov, 0, 0));
    w->lo = o->mu[0] - 3.0 * s0;
    w->hi = o->mu[0] + 3.0 * s0;
    if (w->base.mix->k == 1)
        return gaussian_tail_radius(w, err);
    int rc = mixture_tail_radius(w, r, err);
    return rc == MC_OK ? projection_quantiles(w, directions, r, err) : rc;
}

int gauss_world_create(const mc_gworld_params *p, long directions, const mc_point *pt, gsl_rng *r,
                       gauss_world **out, mc_error *err)
{
    *out = NULL;
    gauss_world *w = calloc(1, sizeof *w);
    if (!w)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    int rc = mc_gworld_init(&w->base, p, pt, r, mc_gmm_moments_centred, err);
    size_t d = w->base.d;
    if (rc == MC_OK) {
        w->iso_var = isotropic_variance(w);
        rc = holdout_stats(w, err);
    }
    if (rc == MC_OK) {
        w->sqrt0 = gsl_matrix_alloc(d, d);
        w->zref = malloc((size_t)TAIL_REF * d * sizeof(double));
        rc = w->sqrt0 && w->zref ? mc_sqrtm_psd(w->base.overall->cov, w->sqrt0, err)
                                 : mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    }
    for (size_t i = 0; rc == MC_OK && i < (size_t)TAIL_REF * d; i++)
        w->zref[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
    if (rc == MC_OK)
        rc = tails_and_quantiles(w, directions, r, err);
    if (rc != MC_OK) {
        gauss_world_free(w);
        return rc;
    }
    *out = w;
    return MC_OK;
}

int gauss_world_random(const mc_gworld_params *p, size_t d, double sd, double log_sd,
                       long directions, const mc_point *pt, gsl_rng *r, gauss_world **out,
                       mc_error *err)
{
    *out = NULL;
    double *delta = calloc(d, sizeof(double));
    if (!delta)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    for (size_t a = 0; sd > 0.0 && a < d; a++)
        delta[a] = gsl_ran_gaussian_ziggurat(r, sd);
    mc_gworld_params q = *p;
    q.shift = delta;
    if (log_sd > 0.0)
        q.scale = exp(2.0 * log_sd * gsl_ran_gaussian_ziggurat(r, 1.0));
    int rc = gauss_world_create(&q, directions, pt, r, out, err);
    free(delta);
    return rc;
}
