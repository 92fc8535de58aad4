"""The Python package against the command line and the closed forms (run by
tests/cli_python.sh with Debian's python3, numpy and pandas; plain asserts, exit status 1 on the
first failure). argv: the collapse program, a scratch folder."""
import math
import os
import subprocess
import sys

import numpy as np

import collapse

BIN, TMP = sys.argv[1], sys.argv[2]
os.chdir(TMP)


def cli(*args):
    return subprocess.run([BIN, *args], check=True, capture_output=True, text=True).stdout


def csv_rows(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


# presets: the CLI's list
names = list(collapse.presets()["name"])
assert names == [line.split()[0] for line in cli("presets").splitlines()[1:]], names

# a run with a grid axis from a list: the same files as the CLI's, read back as frames
small = {"run.replicates": 6, "run.generations": 8}
run = collapse.run("cats", {"regime.h": [0.05, 0.1], **small}, dir="py")
cli("run", "cats", "regime.h=0.05, 0.1", "run.replicates=6", "run.generations=8", "-o", "cli",
    "--no-plots", "--quiet")
for name in ("summary", "metrics", "extinction", "points"):
    assert csv_rows("py/%s.csv" % name) == csv_rows("cli/%s.csv" % name), name
s = run.summary
assert len(s) == len(csv_rows("cli/summary.csv")) - 1
assert s["mean"].dtype == np.float64 and s["point"].dtype == np.int64
assert sorted(set(run.points["regime.h"])) == [0.05, 0.1]
# the frame's numbers are the file's: the mean of alive_yellow at g = 8, point 0
row = s[(s.point == 0) & (s.generation == 8) & (s.metric == "alive_yellow")]
line = [l for l in csv_rows("cli/summary.csv") if l.startswith("0,8,alive_yellow,")][0]
assert row["mean"].iloc[0] == float(line.split(",")[4])
# metrics.csv: the mean over replicates is summary.csv's mean
m = run.metrics
x = m[(m.point == 0) & (m.generation == 8) & (m.metric == "p_yellow")]["value"]
y = s[(s.point == 0) & (s.generation == 8) & (s.metric == "p_yellow")]["mean"].iloc[0]
assert len(x) == 6 and abs(x.mean() - y) <= 1e-5 * max(1, abs(y)), (x.mean(), y)
assert "replicates = 6" in run.config
# report(): drawn on demand (the run had no plots), then the same path
page = run.report()
assert page == os.path.join("py", "report.html") and os.path.getsize(page) > 1000
assert os.path.isdir("py/plots") and run.report() == page
# load() reads the CLI's folder alike
assert len(collapse.load("cli").summary) == len(s)
assert repr(run).startswith("<collapse.Run cats: 8 points")

# theory: summary.csv's theory_mean column, without a run
t = collapse.theory("gaussian-regimes", {"run.generations": 8})
g = collapse.run("gaussian-regimes", {"run.generations": 8, "run.replicates": 2}, dir="gauss")
gs = g.summary
merged = t.merge(gs, on=["point", "generation", "metric"])
assert len(merged) == len(t) and len(t) > 0
assert np.allclose(merged["theory_mean_x"], merged["theory_mean_y"], rtol=1e-5, atol=0)
# trace_ratio under replace: ((n-1)/n)^g exactly, for n = 10
tr = t[(t.point == 0) & (t.metric == "trace_ratio")].set_index("generation")["theory_mean"]
assert all(abs(tr[k] - 0.9 ** (k + 1)) < 1e-12 for k in range(9)), tr

# need over a grid: one row per temperature, as the CLI
nd = collapse.need("cats", "alive(yellow) >= 0.95", at=30, replicates=40, dir="need")
assert list(nd.table["sampling.temperature"]) == [1.0, 0.9], nd.table
assert nd.answer["target"] == "alive(yellow) >= 0.95"
assert all(p["evaluations"] for p in nd.answer["points"])
cli("need", "cats", "--target", "alive(yellow) >= 0.95", "--at", "30", "run.replicates=40", "-o",
    "need-cli", "--quiet")
assert csv_rows("need/need.csv") == csv_rows("need-cli/need.csv")

# errors: the library's message, ConfigError for what the user wrote
for call, text in [
    (lambda: collapse.run("cast"), "did you mean 'cats'"),
    (lambda: collapse.run("cats", {"regime.n": "lots"}), "regime.n: 'lots' is not a whole number"),
    (lambda: collapse.run("cats", {"run.seed": [1, 2]}), "it is not a grid axis"),
    (lambda: collapse.need("cats", "alive_yelow >= 0.5", at=5), "did you mean 'alive_yellow'"),
    (lambda: collapse.run("cats", small, dir="py"), "holds the files of another run"),
]:
    try:
        call()
    except collapse.ConfigError as e:
        assert text in str(e), (text, str(e))
        assert e.status in (-1, -2, -4)
    else:
        raise AssertionError("no error for " + text)
try:
    collapse.load(TMP)
except collapse.CollapseError as e:
    assert "summary.json" in str(e)
else:
    raise AssertionError("load of a folder without a run")
print("python package: all checks passed")
