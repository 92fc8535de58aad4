/* loader.c - Loader's stirlerr and bd0 (randist_internal.h), shared by the binomial,
 * hypergeometric and Poisson samplers. */
#include <math.h>
#include <stddef.h>
#include "randist_internal.h"

/* stirlerr(x) = ln x! - (x + 1/2) ln x + x - ln sqrt(2 pi): exact values below 16, then the
 * Stirling series 1/(12x) - 1/(360x^3) + 1/(1260x^5) - 1/(1680x^7) + 1/(1188x^9) (Loader). */
double mc_stirlerr(uint64_t x)
{
    static const double small[16] = {
        0.0,
        0.0810614667953272582196702,  0.0413406959554092940938221,  0.02767792568499833914878929,
        0.02079067210376509311152277, 0.01664469118982119216319487, 0.01387612882307074799874573,
        0.01189670994589177009505572, 0.010411265261972096497478567, 0.009255462182712732917728637,
        0.008330563433362871256469318, 0.007573675487951840794972024, 0.006942840107209529865664152,
        0.006408994188004207068439631, 0.005951370112758847735624416, 0.005554733551962801371038690,
    };
    const double S0 = 1.0 / 12, S1 = 1.0 / 360, S2 = 1.0 / 1260, S3 = 1.0 / 1680, S4 = 1.0 / 1188;
    if (x < 16)
        return small[x];
    double i = 1 / (double)x, i2 = i * i;
    if (x > 500)
        return (S0 - S1 * i2) * i;
    if (x > 80)
        return (S0 - (S1 - S2 * i2) * i2) * i;
    if (x > 35)
        return (S0 - (S1 - (S2 - S3 * i2) * i2) * i2) * i;
    return (S0 - (S1 - (S2 - (S3 - S4 * i2) * i2) * i2) * i2) * i;
}

/* bd0(x, M) = x ln(x/M) + M - x for x >= 1, M > 0, given d = x - M to full relative precision;
 * near M by the series (x-M) v + 2x sum_j v^(2j+1) / (2j+1), v = (x-M)/(x+M), which has no
 * cancellation. */
double mc_bd0(double x, double M, double d)
{
    static const double inv_odd[] = {1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13,
                                     1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25,
                                     1.0 / 27, 1.0 / 29, 1.0 / 31, 1.0 / 33, 1.0 / 35, 1.0 / 37};
    if (fabs(d) < 0.1 * (x + M)) {
        /* |v| < 0.1: the 18 terms reach v^36 < 1e-36 */
        double v = d / (x + M), s = d * v, ej = 2 * x * v, v2 = v * v;
        for (size_t j = 0; j < sizeof inv_odd / sizeof inv_odd[0]; j++) {
            ej *= v2;
            double s1 = s + ej * inv_odd[j];
            if (s1 == s)
                break;
            s = s1;
        }
        return s;
    }
    return x * log(x / M) + M - x;
}

