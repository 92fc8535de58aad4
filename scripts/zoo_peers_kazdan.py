#!/usr/bin/python3
"""Runs Kazdan, Schaeffer et al.'s own KDE loop (src/fit_kdes/fit_kdes.py of
github.com/RylanSchaeffer/KoyejoLab-Collapse-or-Thrive, a checkout given by path, never copied)
on the settings given, over seeds 0..R-1, and prints the mean test NLL per iteration with its
standard error as CSV: setting,kernel,bandwidth,n,iteration,mean,se,seeds.

Their code logs to Weights & Biases and its src/data.py imports accelerate, datasets and
transformers (pip-only, used by their language-model experiments, not by the KDE loop). This
driver puts stand-ins for those four modules first on sys.path: wandb.init hands their function
the configuration given here and wandb.log keeps the logged rows; the three others only define
the names src/data.py imports. Nothing of their loop is replaced: fitting, sampling, scoring and
seeding (np.random.seed(seed), sklearn's global RNG) are theirs.

usage: zoo_peers_kazdan.py CHECKOUT SEEDS SETTING:KERNEL:BANDWIDTH:N:ITERATIONS[:DATASET:NOISE] ...
"""
import contextlib
import math
import os
import sys
import tempfile

SHIMS = {
    "wandb.py": '''
config = None
override = None
rows = []
class _Api:
    default_entity = None
api = _Api()
def init(project=None, config=None, entity=None, **kw):
    globals()["config"] = dict(override)
    rows.clear()
    return None
def log(d, **kw):
    rows.append(dict(d))
def finish():
    pass
''',
    "accelerate.py": "class PartialState:\n    pass\n",
    "datasets.py": "".join(
        f"def {f}(*a, **k):\n    raise RuntimeError('stand-in')\n"
        for f in ("concatenate_datasets", "load_dataset", "interleave_datasets"))
    + "class DatasetDict(dict):\n    pass\n",
    "transformers.py": "class PreTrainedTokenizer:\n    pass\n",
}


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    checkout, seeds = sys.argv[1], int(sys.argv[2])
    shim_dir = tempfile.mkdtemp(prefix="zoo-peers-")
    for name, text in SHIMS.items():
        with open(os.path.join(shim_dir, name), "w") as f:
            f.write(text)
    sys.path[:0] = [shim_dir, checkout]
    import wandb  # the stand-in
    from src.fit_kdes.fit_kdes import fit_kernel_density_estimators

    print("setting,kernel,bandwidth,n,iteration,mean,se,seeds")
    for spec in sys.argv[3:]:
        parts = spec.split(":")
        setting, kernel, bw, n, iters = parts[:5]
        dataset = parts[5] if len(parts) > 5 else "moons"
        noise = float(parts[6]) if len(parts) > 6 else 0.05
        per_iter = {}
        for seed in range(seeds):
            wandb.override = {
                "data_config": {"dataset_name": dataset, "dataset_kwargs": {"noise": noise}},
                "kernel": kernel,
                "kernel_bandwidth": bw,
                "num_samples_per_iteration": int(n),
                "num_iterations": int(iters),
                "seed": seed,
                "setting": setting,
            }
            with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
                fit_kernel_density_estimators()  # theirs; it prints its configuration
            for row in wandb.rows:
                per_iter.setdefault(row["Model-Fitting Iteration"], []).append(
                    row["Mean Negative Log Prob (Test)"])
        for it in sorted(per_iter):
            v = per_iter[it]
            m = sum(v) / len(v)
            sd = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else 0.0
            print(f"{setting},{kernel},{bw},{n},{it},{m:.6g},{sd / math.sqrt(len(v)):.3g},{len(v)}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
