#!/usr/bin/python3
"""Writes tests/data/run-cats/: a small hand-made run directory in the format of docs/OUTPUTS.md.

A tiny cats experiment simulated here in numpy (world blue 0.90 / yellow 0.09 / green 0.01,
n = 40 samples per generation, 8 generations, 10 replicates; grid regime.name = replace, fresh
(h = 0.5) x sampling.temperature = 1, 0.8), so that the plot and report code can be developed and
tested without the engine. Every metric records its role and unit and every point what its
regime declares (regime_declares), as `collapse run` writes them: the presentation chooses by
those. Reproducible: `/usr/bin/python3 tests/data/make_run_cats.py` (needs numpy).
Quantiles are numpy's default (type 7), as in summary.h.
"""
import json
import math
import os
import sys

import numpy as np

NAMES = ["blue", "yellow", "green"]
WORLD = np.array([0.90, 0.09, 0.01])
N, G, R, H, SEED = 40, 8, 10, 0.5, 7
TAIL = 0.05  # categories whose world probability is below this form the tail
POINTS = [("replace", "1"), ("replace", "0.8"), ("fresh", "1"), ("fresh", "0.8")]

METRICS = [  # name, description, direction, presence, headline, subject, role, unit
    ("n", "training-set size (samples)", 0, False, False, "", "size", "samples"),
    ("human_share", "share of the training set made by humans (fraction)", 1, False, False, "",
     "human_share", "fraction"),
    ("alive", "categories with probability > 0 (count)", 1, False, True, "", "diversity",
     "categories"),
    ("tail_mass", "model probability of the world's tail categories (world p < 0.05)", 1, False,
     False, "", "tail", "fraction"),
] + [("p_" + c, "model probability of %s" % c, 0, False, c == "yellow", c, "share", "probability")
     for c in NAMES] \
  + [("alive_" + c, "%s still has probability > 0 (0/1)" % c, 1, True, False, c, "presence", "")
     for c in NAMES] \
  + [("entropy", "Shannon entropy of the model (nats)", 1, False, False, "", "diversity", "nats"),
     ("kl", "KL(world || model) (nats); +inf once a world category is extinct", -1, False, True,
      "", "divergence", "nats"),
     ("tv", "total variation distance to the world", -1, False, False, "", "divergence", "")]

# What each regime declares (summary.json's regime_declares; include/collapse/regime.h).
DECLARES = {
    "replace": {"uses_h": False, "uses_schedule": False, "pool_grows": False, "draws_whole": True,
                "draws_subsampled": False, "law": "model_only"},
    "fresh": {"uses_h": True, "uses_schedule": False, "pool_grows": False, "draws_whole": True,
              "draws_subsampled": False, "law": "other"},
}


def metrics(p, human, n):
    with np.errstate(divide="ignore", invalid="ignore"):
        ent = -sum(x * math.log(x) for x in p if x > 0)
        kl = sum(w * math.log(w / x) if x > 0 else math.inf for w, x in zip(WORLD, p))
    v = [n, human / n, float((p > 0).sum()), float(p[WORLD < TAIL].sum())]
    v += list(p) + [float(x > 0) for x in p] + [ent, kl, 0.5 * float(np.abs(p - WORLD).sum())]
    return v


def run_point(rng, regime, temp):
    out = np.zeros((R, G + 1, len(METRICS)))
    for r in range(R):
        counts = rng.multinomial(N, WORLD)
        p = counts / N
        out[r, 0] = metrics(p, N, N)
        for g in range(1, G + 1):
            q = p ** (1.0 / float(temp))
            q /= q.sum()
            nh = int(round(H * N)) if regime == "fresh" else 0
            counts = rng.multinomial(N - nh, q) + (rng.multinomial(nh, WORLD) if nh else 0)
            p = counts / N
            out[r, g] = metrics(p, nh, N)
    return out


def fmt(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return "%.6g" % v


def jnum(v):
    if math.isnan(v) or math.isinf(v):
        return fmt(v)
    return float("%.6g" % v)


def quantile(s, p):
    # type 7 (numpy's default), but +-inf neighbours give +-inf rather than nan (summary.h)
    h = (len(s) - 1) * p
    lo = int(math.floor(h))
    hi = min(lo + 1, len(s) - 1)
    if h == lo or s[lo] == s[hi]:
        return float(s[lo])
    return float(s[lo] + (h - lo) * (s[hi] - s[lo]))


def stats(x):
    x = x[~np.isnan(x)]
    n = len(x)
    mean = float(np.mean(x)) if n else math.nan
    if n > 1 and np.all(np.isfinite(x)):
        sd = float(np.std(x, ddof=1))
    else:
        sd = math.nan
    if math.isinf(mean):
        sd = math.nan
    qs = [quantile(np.sort(x), q) if n else math.nan for q in (0.05, 0.5, 0.95)]
    return n, mean, sd, qs[0], qs[1], qs[2]


def theory(regime, temp, name):
    # E[p_g] = world p for both regimes at temperature 1 (the fit is unbiased); none otherwise.
    if temp == "1" and name.startswith("p_"):
        return float(WORLD[NAMES.index(name[2:])])
    return math.nan


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "run-cats")
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(SEED)
    config = {
        "world": {"type": "weights", "weights": "blue=0.9, yellow=0.09, green=0.01",
                  "tail_threshold": "0.05"},
        "model": {"family": "categorical", "alpha": "0"},
        "regime": {"name": "replace, fresh", "h": "0.5", "n": str(N), "growth": "1"},
        "sampling": {"temperature": "1, 0.8", "top_k": "0", "top_p": "1"},
        "run": {"generations": str(G), "replicates": str(R), "seed": str(SEED),
                "version": "0.1.0"},
        "metrics": {},
    }
    with open(os.path.join(out_dir, "config.ini"), "w") as f:
        f.write("# collapse 0.1.0: resolved configuration of run cats-tiny\n")
        for sec, kv in config.items():
            f.write("\n[%s]\n" % sec)
            for k, v in kv.items():
                f.write("%s = %s\n" % (k, v))
    points, mrows, srows, erows = [], [], [], []
    for i, (regime, temp) in enumerate(POINTS):
        vals = run_point(rng, regime, temp)
        label = "regime.name=%s; sampling.temperature=%s" % (regime, temp)
        summ = {}
        for m, meta in enumerate(METRICS):
            cols = {k: [] for k in ("n", "mean", "sd", "q05", "q50", "q95", "theory_mean")}
            for g in range(G + 1):
                n, mean, sd, q05, q50, q95 = stats(vals[:, g, m].copy())
                th = theory(regime, temp, meta[0])
                srows.append([i, g, meta[0], n] + [fmt(v) for v in (mean, sd, q05, q50, q95, th)])
                cols["n"].append(n)
                for k, v in zip(("mean", "sd", "q05", "q50", "q95", "theory_mean"),
                                (mean, sd, q05, q50, q95, th)):
                    cols[k].append(jnum(v))
            summ[meta[0]] = cols
        ext = []
        for m, meta in enumerate(METRICS):
            if not meta[3]:
                continue
            first = []
            for r in range(R):
                dead = np.nonzero(vals[r, :, m] == 0)[0]
                if len(dead):
                    first.append(float(dead[0]))
            alive_end = float(np.mean(vals[:, G, m]))
            extinct = len(first) / R
            if first:
                _, fm, _, f05, f50, f95 = stats(np.array(first))
            else:
                fm = f05 = f50 = f95 = math.nan
            erows.append([i, meta[5], meta[0], R, fmt(alive_end), fmt(extinct)] +
                         [fmt(v) for v in (fm, f05, f50, f95)])
            ext.append({"category": meta[5], "metric": meta[0], "replicates": R,
                        "alive_end": jnum(alive_end), "extinct": jnum(extinct),
                        "first_extinct": {"mean": jnum(fm), "q05": jnum(f05), "q50": jnum(f50),
                                          "q95": jnum(f95)}})
        for r in range(R):
            for g in range(G + 1):
                for m, meta in enumerate(METRICS):
                    v = vals[r, g, m]
                    mrows.append("%d,%d,%d,%s,%s" % (i, r, g, meta[0],
                                                    fmt(v) if not math.isfinite(v) else repr(float(v))))
        points.append({
            "point": i, "label": label, "family": "categorical", "regime": regime,
            "regime_declares": DECLARES[regime],
            "params": dict({"%s.%s" % (sec, k): v for sec, kv in config.items() for k, v in kv.items()},
                           **{"regime.name": regime, "sampling.temperature": temp}),
            "metrics": [{"name": m[0], "description": m[1], "direction": m[2], "presence": m[3],
                         "headline": m[4], "subject": m[5], "role": m[6], "unit": m[7]}
                        for m in METRICS],
            "summary": summ, "extinction": ext})
    with open(os.path.join(out_dir, "points.csv"), "w") as f:
        f.write("point,label,family,regime,sampling.temperature\n")
        for p in points:
            f.write('%d,"%s",%s,%s,%s\n' % (p["point"], p["label"], p["family"], p["regime"],
                                           p["params"]["sampling.temperature"]))
    with open(os.path.join(out_dir, "metrics.csv"), "w") as f:
        f.write("point,replicate,generation,metric,value\n" + "\n".join(mrows) + "\n")
    with open(os.path.join(out_dir, "summary.csv"), "w") as f:
        f.write("point,generation,metric,n,mean,sd,q05,q50,q95,theory_mean\n")
        f.writelines(",".join(str(x) for x in row) + "\n" for row in srows)
    with open(os.path.join(out_dir, "extinction.csv"), "w") as f:
        f.write("point,category,metric,replicates,alive_end,extinct,first_extinct_mean,"
                "first_extinct_q05,first_extinct_q50,first_extinct_q95\n")
        f.writelines(",".join(str(x) for x in row) + "\n" for row in erows)
    doc = {"tool": "collapse", "version": "0.1.0", "generator": "splitmix64-xoshiro256**",
           "seed": SEED, "name": "cats-tiny", "generations": G, "replicates": R,
           "config": config,
           "axes": [{"key": "regime.name", "values": ["replace", "fresh"]},
                    {"key": "sampling.temperature", "values": ["1", "0.8"]}],
           "points": points, "complete": True}
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


main()
