/* vexp.h - exp(x) in single precision from arithmetic alone (private to src/gpt/).
 *
 * The softmaxes and GELU call exp once per element; libm's expf is a call, which keeps those
 * loops scalar. This one is a few multiplications and adds with no branch and no call, so the
 * compiler vectorises the loops round it (src/gpt/ is built with -O3), and a vector lane computes
 * exactly what the scalar code does (no contraction: -ffp-contract=off), on any x86-64.
 * x = n ln2 + r, n = round(x / ln2) (the 1.5 * 2^23 shifter), ln2 in two parts (Cody-Waite), so
 * |r| <= ln2 / 2; e^r by Cephes's expf polynomial (relative error about 1e-7, about one ulp);
 * 2^n built in the exponent bits. x is clamped to [-87, 88], where 2^n stays a normal number:
 * exp(x) for x < -87 is 1.6e-38 instead of smaller (which changes no softmax: it is 1e-31 of
 * the largest term at least), and for x > 88 it is 1.65e38, not inf (GELU's tanh gets +-1
 * either way).
 */
#ifndef MC_GPT_VEXP_H
#define MC_GPT_VEXP_H

#include <stdint.h>
#include <string.h>

static inline float mc_gpt_expf(float x)
{
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    const float shifter = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
    float t = x * 1.44269504088896341f + shifter;
    float n = t - shifter;
    float r = x - n * 0.693359375f;   /* ln2's first 9 bits: n * this is exact */
    r = r - n * -2.12194440e-4f;      /* the rest of ln2 */
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    int32_t bits;
    memcpy(&bits, &t, sizeof bits); /* t's low mantissa bits hold n + 2^22 */
    int32_t e = ((bits - 0x4B400000) + 127) << 23;
    float two_n;
    memcpy(&two_n, &e, sizeof two_n);
    return p * two_n;
}

#endif
