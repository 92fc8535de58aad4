/* mixworld.c - the Gaussian / Gaussian-mixture world of the gmm and kde families and the metric
 * pieces they share. Keys and contracts are in mixworld.h.
 *
 * Tail mass. The world's tail is where its squared Mahalanobis distance
 * D^2(x) = (x - mu_0)^T Sigma_0^-1 (x - mu_0), with the world's overall mean and covariance,
 * exceeds its 99th percentile r^2: for a Gaussian world r^2 = F^-1_chi2_d(0.99); for a mixture
 * it is the empirical 99th percentile of 10^5 world draws (standard error of the level about
 * sqrt(0.01 * 0.99 / 10^5) = 3e-4). A model's tail mass is then estimated from its samples.
 *
 * Sliced W2 (Rabin, Peyre, Delon & Bernot 2011): SW2(P, Q)^2 = E_theta W2^2(theta.P, theta.Q),
 * averaged over L fixed unit directions drawn once with the world (common random numbers across
 * generations), each 1-D W2 exact between the two empirical distributions (mc_w2_sorted).
 */
#include "mixworld.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

void mixworld_free(void *world)
{
    mixworld *w = world;
    if (!w)
        return;
    mc_gmix_free(w->mix);
    mc_gmm_free(w->gm);
    mc_gauss_free(w->overall);
    free(w->mean);
    free(w->held);
    free(w->theta);
    free(w->held_proj);
    free(w);
}

/* The world's mixture from the keys (mc_gworld_mixture: the same world and messages as the
 * gaussian family's) as w->mix, with its d, and the same components, contiguous and prepared, as
 * w->gm. */
static int build_mixture(const mc_gworld_params *p, const mc_point *pt, mixworld *w,
                         mc_error *err)
{
    int rc = mc_gworld_mixture(p, pt, &w->mix, err);
    if (rc)
        return rc;
    size_t k = w->mix->k, d = w->mix->d;
    w->d = d;
    if (!(w->gm = mc_gmm_alloc(k, d)))
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    for (size_t j = 0; j < k; j++) {
        const mc_gauss *c = w->mix->comp[j];
        w->gm->w[j] = w->mix->w[j];
        memcpy(w->gm->mu + j * d, c->mu, d * sizeof *c->mu);
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b < d; b++)
                w->gm->cov[j * d * d + a * d + b] = gsl_matrix_get(c->cov, a, b);
    }
    return mc_gmm_prepare(w->gm, err);
}

int mixworld_create(const mc_gworld_params *p, const mc_point *pt, gsl_rng *r, mixworld **out,
                    mc_error *err)
{
    *out = NULL;
    mixworld *w = calloc(1, sizeof *w);
    if (!w)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    int rc = build_mixture(p, pt, w, err);
    size_t k = w->gm ? w->gm->k : 0, d = w->d ? w->d : 1;
    if (rc == MC_OK)
        rc = mc_gauss_alloc(d, &w->overall, err);
    w->mean = malloc(d * sizeof *w->mean);
    w->nheld = (size_t)p->holdout;
    w->held = malloc(w->nheld * d * sizeof *w->held);
    w->theta = malloc(MIXWORLD_DIRS * d * sizeof *w->theta);
    w->held_proj = malloc(MIXWORLD_DIRS * w->nheld * sizeof *w->held_proj);
    double *S = malloc(d * d * sizeof *S);
    if (rc == MC_OK && (!w->mean || !w->held || !w->theta || !w->held_proj || !S))
        rc = mc_error_set(err, MC_ENOMEM, "out of memory for the world's held-out set");
    if (rc == MC_OK) {
        mc_gmm_moments(w->gm, w->mean, S);
        memcpy(w->overall->mu, w->mean, d * sizeof *w->mean);
        gsl_matrix_view Sv = gsl_matrix_view_array(S, d, d);
        gsl_matrix_memcpy(w->overall->cov, &Sv.matrix);
        rc = mc_gauss_factor(w->overall, 0, 1, "the world's overall covariance", err);
    }
    free(S);
    if (rc == MC_OK) {
        w->trace = 0;
        for (size_t a = 0; a < d; a++)
            w->trace += gsl_matrix_get(w->overall->cov, a, a);
        w->logdet = w->overall->logdet;
        rc = mc_gmix_sample(r, w->mix, w->nheld, w->held, err);
    }
    if (rc == MC_OK) {
        mc_sliced_dirs(r, d, MIXWORLD_DIRS, w->theta);
        for (size_t l = 0; l < MIXWORLD_DIRS; l++)
            mc_project_sorted(w->theta + l * d, d, w->held, w->nheld,
                              w->held_proj + l * w->nheld);
    }
    if (rc == MC_OK && k == 1) {
        w->tail_r2 = gsl_cdf_chisq_Pinv(0.99, (double)d);
    } else if (rc == MC_OK) {
        enum { N = 100000, CHUNK = 4096 };
        double *d2 = malloc(N * sizeof *d2), *x = malloc(CHUNK * d * sizeof *x);
        double *work = malloc(d * sizeof *work);
        if (!d2 || !x || !work)
            rc = mc_error_set(err, MC_ENOMEM, "out of memory for the world's tail");
        for (size_t done = 0; rc == MC_OK && done < N; done += CHUNK) {
            size_t c = N - done < CHUNK ? N - done : CHUNK;
            rc = mc_gmix_sample(r, w->mix, c, x, err);
            for (size_t i = 0; rc == MC_OK && i < c; i++)
                d2[done + i] = mc_gauss_maha2(w->overall, x + i * d, work);
        }
        if (rc == MC_OK) {
            gsl_sort(d2, 1, N);
            w->tail_r2 = gsl_stats_quantile_from_sorted_data(d2, 1, N, 0.99);
        }
        free(d2);
        free(x);
        free(work);
    }
    if (rc != MC_OK) {
        mixworld_free(w);
        return rc;
    }
    *out = w;
    return MC_OK;
}

int mixworld_draw(gsl_rng *r, const void *params, const void *world, uint64_t n, void **out,
                  mc_error *err)
{
    (void)params;
    const mixworld *w = world;
    mc_gdata *ds;
    int rc = mc_gdata_new(w->d, n, 1, &ds, err);
    if (rc)
        return rc;
    rc = mc_gmix_sample(r, w->mix, n, ds->x, err);
    if (rc) {
        mc_gdata_free(ds);
        return rc;
    }
    *out = ds;
    return MC_OK;
}

static const mc_metric_def MIX_METRICS[MIX_NSHARED] = {
    [MIX_MEAN_ERROR] = {"mean_error", MC_ROLE_LOCATION, "", -1, 0,
                        "||mu_g - mu_0||^2, the model's overall mean against the world's"},
    [MIX_TRACE_RATIO] = {"trace_ratio", MC_ROLE_SPREAD, "ratio", 0, 0,
                         "tr Sigma_g / tr Sigma_0 of the overall covariances (world: 1)"},
    [MIX_LOGDET_RATIO] = {"logdet_ratio", MC_ROLE_SPREAD, "nats", 0, 0,
                          "log det Sigma_g - log det Sigma_0 (world: 0)"},
    [MIX_W2_SLICED] = {"w2_sliced", MC_ROLE_DIVERGENCE, "", -1, 0,
                       "sliced 2-Wasserstein distance to the held-out human set"},
    [MIX_NLL_HELDOUT] = {"nll_heldout", MC_ROLE_HELDOUT_FIT, "nats", -1, 0,
                         "mean negative log-likelihood of the held-out human set"},
    [MIX_TAIL_MASS] = {"tail_mass", MC_ROLE_TAIL, "fraction", 0, 0,
                       "model mass beyond the world's 99th Mahalanobis percentile (world: 0.01)"},
};

int mixworld_describe(mc_metric_list *l, unsigned headline)
{
    for (int i = 0; i < MIX_NSHARED; i++) {
        mc_metric_def d = MIX_METRICS[i];
        d.flags |= (headline >> i & 1u) ? MC_METRIC_HEADLINE : 0;
        int r = mc_metric_declare(l, &d, NULL);
        if (r != MC_OK)
            return r;
    }
    return MC_OK;
}

void mixworld_moment_metrics(const mixworld *w, const double *mu, const double *S, double *out,
                             double *work)
{
    size_t d = w->d;
    double e = 0, tr = 0;
    for (size_t a = 0; a < d; a++) {
        e += (mu[a] - w->mean[a]) * (mu[a] - w->mean[a]);
        tr += S[a * d + a];
    }
    out[MIX_MEAN_ERROR] = e;
    out[MIX_TRACE_RATIO] = tr / w->trace;
    memcpy(work, S, d * d * sizeof *work);
    gsl_matrix_view L = gsl_matrix_view_array(work, d, d);
    double logdet = -INFINITY;
    if (gsl_linalg_cholesky_decomp1(&L.matrix) == 0) {
        logdet = 0;
        for (size_t a = 0; a < d; a++)
            logdet += 2 * log(work[a * d + a]);
    }
    out[MIX_LOGDET_RATIO] = isnan(logdet) ? -INFINITY : logdet - w->logdet;
}

double mixworld_sliced_w2(const mixworld *w, size_t L, const double *y, size_t m, double *work)
{
    size_t d = w->d;
    double s = 0;
    for (size_t l = 0; l < L; l++) {
        mc_project_sorted(w->theta + l * d, d, y, m, work);
        double w2 = mc_w2_sorted(work, m, w->held_proj + l * w->nheld, w->nheld);
        s += w2 * w2;
    }
    return sqrt(s / (double)L);
}

void mixworld_theory_step(int accumulate, double a, double sig, double *SS, double *M, double *N)
{
    if (!accumulate) {
        *SS = (a - 1) * sig;
        *M += sig / a;
        *N = a;
    } else {
        *SS += (a - 1 + *N / (*N + a)) * sig;
        *M += a / ((*N + a) * (*N + a)) * sig;
        *N += a;
    }
}

double mixworld_tail_mass(const mixworld *w, const double *y, size_t m, double *work)
{
    size_t c = 0;
    for (size_t i = 0; i < m; i++)
        if (mc_gauss_maha2(w->overall, y + i * w->d, work) > w->tail_r2)
            c++;
    return (double)c / (double)m;
}
