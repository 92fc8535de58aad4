"""collapse - model-collapse experiments from Python, over libcollapse (the C library).

    import collapse
    run = collapse.run("cats", {"regime.h": [0.05, 0.1]}, replicates=500)
    run.summary                      # DataFrame: point, generation, metric, mean, sd, ...
    collapse.need("cats", "alive(yellow) >= 0.95", at=50).table
    collapse.theory("gaussian-regimes")
    collapse.presets()

Results are the files of a run folder (docs/OUTPUTS.md) read back as pandas DataFrames (numpy
record arrays without pandas). Library errors raise CollapseError (ConfigError for a bad
configuration) with the library's message. Runs release the GIL and stop on Ctrl-C
(KeyboardInterrupt; the folder is left without partial files). docs/PYTHON.md.
"""
import ctypes
import json
import os
import tempfile
import threading
import webbrowser

from . import _frames
from ._lib import lib, presets as _preset_table

__all__ = ["run", "load", "need", "theory", "config", "presets", "Run", "Need",
           "CollapseError", "ConfigError"]
__version__ = "0.3.0"

_MSG = 2048
_DIR = 4096


class CollapseError(Exception):
    """A failure reported by libcollapse: .status (error.h code), .reason, and the message."""

    def __init__(self, status, message):
        self.status = status
        self.reason = lib.mc_strerror(status).decode()
        super().__init__(message or self.reason)


class ConfigError(CollapseError, ValueError):
    """A configuration, target or command the library refused (exit status 2 in the CLI)."""


_CONFIG_CODES = (-1, -2, -4)  # MC_ECONFIG, MC_EUSAGE, MC_EDATA


def _raise(status, msg):
    text = msg.value.decode("utf-8", "replace")
    if status == -8:  # MC_ECANCELED: only through Ctrl-C, which raises KeyboardInterrupt
        raise KeyboardInterrupt(text)
    raise (ConfigError if status in _CONFIG_CODES else CollapseError)(status, text)


def _value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (list, tuple)) or type(v).__name__ == "ndarray":
        return ", ".join(_value(x) for x in list(v))
    return str(v.item() if hasattr(v, "item") else v)


def _overrides(overrides, **keys):
    items = dict(overrides or {})
    for key, value in keys.items():
        if value is not None:
            items[key] = value
    texts = ["%s=%s" % (k, _value(v)) for k, v in items.items()]
    array = (ctypes.c_char_p * max(1, len(texts)))(*[t.encode() for t in texts])
    return array, len(texts)


def _call(fn, *args):
    """fn(*args) on a worker thread, so that Ctrl-C reaches Python while the library runs: it
    then asks the library to stop (mc_cancel_request), waits for it, and re-raises. Waits on an
    Event, not Thread.join: a join interrupted by KeyboardInterrupt may report a live thread as
    finished (CPython before 3.13)."""
    box, done = {}, threading.Event()

    def work():
        try:
            box["status"] = fn(*args)
        finally:
            done.set()

    threading.Thread(target=work, name="collapse", daemon=True).start()
    try:
        while not done.wait(0.05):
            pass
    except KeyboardInterrupt:
        lib.mc_cancel_request()
        while not done.wait(0.05):
            pass
        raise
    return box["status"]


def _enc(s):
    return None if s is None else os.fspath(s).encode()


class Run:
    """A finished run folder: its files as frames (read on first use)."""

    def __init__(self, path):
        self.dir = os.fspath(path)
        summary = os.path.join(self.dir, "summary.json")
        if not os.path.isfile(summary):
            raise ConfigError(-2, "%s: no summary.json: not a finished run folder" % self.dir)
        with open(summary, encoding="utf-8") as f:
            self.info = json.load(f)
        if not self.info.get("complete"):
            raise ConfigError(-2, "%s: summary.json is not complete" % self.dir)
        self._frames = {}

    def _frame(self, name):
        if name not in self._frames:
            self._frames[name] = _frames.read_csv(os.path.join(self.dir, name + ".csv"))
        return self._frames[name]

    summary = property(lambda self: self._frame("summary"),
                       doc="summary.csv: per point, generation and metric: n, mean, sd, q05, "
                           "q50, q95, theory_mean, ...")
    metrics = property(lambda self: self._frame("metrics"),
                       doc="metrics.csv: every replicate, generation and metric")
    extinction = property(lambda self: self._frame("extinction"),
                          doc="extinction.csv: per category, when it died out")
    points = property(lambda self: self._frame("points"), doc="points.csv: the grid")

    @property
    def config(self):
        """config.ini of the run: the resolved configuration (text)."""
        with open(os.path.join(self.dir, "config.ini"), encoding="utf-8") as f:
            return f.read()

    def report(self, open=False):
        """The path of report.html (drawn now, with the figures, if the run has none); with
        open=True it is also shown in a web browser."""
        path = os.path.join(self.dir, "report.html")
        if not os.path.exists(path):
            err = _Error()
            status = _call(lib.mc_plot_and_report, _enc(self.dir), ctypes.byref(err))
            if status != 0:
                raise CollapseError(status, err.msg.decode("utf-8", "replace"))
        if open:
            webbrowser.open("file://" + os.path.abspath(path))
        return path

    def __repr__(self):
        return "<collapse.Run %s: %d points, %s>" % (self.info.get("name", "?"),
                                                   len(self.info.get("points", [])), self.dir)


class _Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("msg", ctypes.c_char * 1024)]


lib.mc_plot_and_report.argtypes = [ctypes.c_char_p, ctypes.POINTER(_Error)]
lib.mc_plot_and_report.restype = ctypes.c_int


def run(source="cats", overrides=None, replicates=None, generations=None, seed=None, dir=None,
        threads=0, force=False, plots=False):
    """Runs a preset or an INI file with overrides {"section.key": value or [values]} (a list
    is a grid axis) into dir (default results/NAME-STAMP, as the CLI) and returns its Run.
    plots=True also draws the figures and report.html."""
    ov, n = _overrides(overrides, **{"run.replicates": replicates,
                                     "run.generations": generations, "run.seed": seed})
    out, msg = ctypes.create_string_buffer(_DIR), ctypes.create_string_buffer(_MSG)
    status = _call(lib.mc_bind_run, _enc(source), ov, n, _enc(dir), int(threads), int(force),
                   int(plots), out, _DIR, msg, _MSG)
    if status != 0:
        _raise(status, msg)
    return Run(out.value.decode())


def load(path):
    """The Run of a finished run folder (of the CLI or of run())."""
    return Run(path)


class Need:
    """The answer of need(): .table (need.csv: one row per grid point with h, lo, hi, ...),
    .answer (need.json: the target, the options and every evaluation), .dir."""

    def __init__(self, path):
        self.dir = os.fspath(path)
        self.table = _frames.read_csv(os.path.join(self.dir, "need.csv"))
        with open(os.path.join(self.dir, "need.json"), encoding="utf-8") as f:
            self.answer = json.load(f)

    def __repr__(self):
        return "<collapse.Need %s at generation %s: %d points, %s>" % (
            self.answer["target"], self.answer["generation"], len(self.answer["points"]),
            self.dir)


def need(source="cats", target=None, at=None, overrides=None, replicates=None, seed=None,
         confidence=0.95, tolerance=0, precision=0, dir=None, threads=0, force=False):
    """The smallest fresh human fraction h meeting target ("alive(yellow) >= 0.95") at
    generation at, at every grid point (as `collapse need`); need.csv and need.json go into
    dir (default results/NAME-need-STAMP)."""
    if target is None or at is None:
        raise ConfigError(-2, "need: target and at are required")
    ov, n = _overrides(overrides, **{"run.replicates": replicates, "run.seed": seed})
    out, msg = ctypes.create_string_buffer(_DIR), ctypes.create_string_buffer(_MSG)
    status = _call(lib.mc_bind_need, _enc(source), ov, n, target.encode(), int(at),
                   float(confidence), float(tolerance), float(precision), _enc(dir), int(threads),
                   int(force), out, _DIR, msg, _MSG)
    if status != 0:
        _raise(status, msg)
    return Need(out.value.decode())


def theory(source="cats", overrides=None):
    """The closed-form expected value of every metric that has one, per point and generation:
    a frame point, setting, metric, generation, theory_mean (no run)."""
    ov, n = _overrides(overrides)
    msg = ctypes.create_string_buffer(_MSG)
    with tempfile.TemporaryDirectory(prefix="collapse-") as tmp:
        path = os.path.join(tmp, "theory.csv")
        status = _call(lib.mc_bind_theory, _enc(source), ov, n, path.encode(), msg, _MSG)
        if status != 0:
            _raise(status, msg)
        return _frames.read_csv(path)


def config(source="cats", overrides=None):
    """The resolved configuration (every default filled in) as INI text, without running."""
    ov, n = _overrides(overrides)
    msg = ctypes.create_string_buffer(_MSG)
    with tempfile.TemporaryDirectory(prefix="collapse-") as tmp:
        path = os.path.join(tmp, "config.ini")
        status = _call(lib.mc_bind_config, _enc(source), ov, n, path.encode(), msg, _MSG)
        if status != 0:
            _raise(status, msg)
        with open(path, encoding="utf-8") as f:
            return f.read()


def presets():
    """The built-in presets: a frame (or record array) of name and description."""
    table = _preset_table()
    if _frames.pd is not None:
        return _frames.pd.DataFrame({"name": [p[0] for p in table],
                                     "description": [p[1] for p in table]})
    return _frames.np.rec.fromarrays([[p[0] for p in table], [p[1] for p in table]],
                                     names=["name", "description"])
