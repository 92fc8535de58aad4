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
#include "w2.h"

void mixworld_free(void *world)
{
    mixworld *w = world;
    if (!w)
        return;
    mc_gworld_release(&w->base);
    free(w->theta);
    free(w->held_proj);
    free(w);
}

int mixworld_slice_directions(mixworld *w, gsl_rng *r, mc_error *err)
{
    size_t d = w->base.d, nheld = w->base.nheld;
    w->theta = malloc(MIXWORLD_DIRS * d * sizeof *w->theta);
    w->held_proj = malloc(MIXWORLD_DIRS * nheld * sizeof *w->held_proj);
    if (!w->theta || !w->held_proj)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world's held-out set");
    mc_sliced_dirs(r, d, MIXWORLD_DIRS, w->theta);
    for (size_t l = 0; l < MIXWORLD_DIRS; l++)
        mc_project_sorted(w->theta + l * d, d, w->base.held, nheld, w->held_proj + l * nheld);
    return MC_OK;
}

/* The world's 99th percentile of D^2: chi-square for a Gaussian world, else from 10^5 draws (in
 * chunks, so the memory stays small whatever d). */
static int tail_radius(mixworld *w, gsl_rng *r, mc_error *err)
{
    size_t d = w->base.d;
    if (w->base.mix->k == 1) {
        w->tail_r2 = gsl_cdf_chisq_Pinv(0.99, (double)d);
        return MC_OK;
    }
    enum { N = 100000, CHUNK = 4096 };
    double *d2 = malloc(N * sizeof *d2), *x = malloc(CHUNK * d * sizeof *x);
    double *work = malloc(d * sizeof *work);
    int rc = MC_OK;
    if (!d2 || !x || !work)
        rc = mc_error_set(err, MC_ENOMEM, "out of memory for the world's tail");
    for (size_t done = 0; rc == MC_OK && done < N; done += CHUNK) {
        size_t c = N - done < CHUNK ? N - done : CHUNK;
        rc = mc_gmm_draw_shuffled(r, w->base.mix, c, x, err);
        for (size_t i = 0; rc == MC_OK && i < c; i++)
            d2[done + i] = mc_gauss_maha2(w->base.overall, x + i * d, work);
    }
    if (rc == MC_OK) {
        gsl_sort(d2, 1, N);
        w->tail_r2 = gsl_stats_quantile_from_sorted_data(d2, 1, N, 0.99);
    }
    free(d2);
    free(x);
    free(work);
    return rc;
}

int mixworld_create(const mc_gworld_params *p, const mc_point *pt, gsl_rng *r, mixworld **out,
                    mc_error *err)
{
    *out = NULL;
    mixworld *w = calloc(1, sizeof *w);
    if (!w)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    int rc = mc_gworld_init(&w->base, p, pt, r, mc_gmm_moments, err);
    if (rc == MC_OK)
        rc = mixworld_slice_directions(w, r, err);
    if (rc == MC_OK)
        rc = tail_radius(w, r, err);
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
    return mc_gworld_draw(r, &((const mixworld *)world)->base, n, (mc_gdata **)out, err);
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
    size_t d = w->base.d;
    const double *mu0 = w->base.overall->mu;
    double e = 0, tr = 0;
    for (size_t a = 0; a < d; a++) {
        e += (mu[a] - mu0[a]) * (mu[a] - mu0[a]);
        tr += S[a * d + a];
    }
    out[MIX_MEAN_ERROR] = e;
    out[MIX_TRACE_RATIO] = tr / w->base.trace;
    memcpy(work, S, d * d * sizeof *work);
    gsl_matrix_view L = gsl_matrix_view_array(work, d, d);
    double logdet = -INFINITY;
    if (gsl_linalg_cholesky_decomp1(&L.matrix) == 0) {
        logdet = 0;
        for (size_t a = 0; a < d; a++)
            logdet += 2 * log(work[a * d + a]);
    }
    out[MIX_LOGDET_RATIO] = isnan(logdet) ? -INFINITY : logdet - w->base.overall->logdet;
}

double mixworld_sliced_w2(const mixworld *w, size_t L, const double *y, size_t m, double *work)
{
    size_t d = w->base.d, nheld = w->base.nheld;
    double s = 0;
    for (size_t l = 0; l < L; l++) {
        mc_project_sorted(w->theta + l * d, d, y, m, work);
        double w2 = mc_w2_sorted(work, m, w->held_proj + l * nheld, nheld);
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
        if (mc_gauss_maha2(w->base.overall, y + i * w->base.d, work) > w->tail_r2)
            c++;
    return (double)c / (double)m;
}
