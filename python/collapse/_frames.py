"""CSV files of a run folder (docs/OUTPUTS.md) as pandas DataFrames, or numpy record arrays
when pandas is not installed. Columns whose every value is a number (including the files'
"nan", "inf", "-inf") are float or int; the others are text."""
import csv

try:
    import numpy as np
except ImportError:  # pragma: no cover - numpy is required for frames
    np = None
try:
    import pandas as pd
except ImportError:
    pd = None


def _column(values):
    try:
        ints = [int(v) for v in values]
        return np.array(ints, dtype=np.int64)
    except ValueError:
        pass
    try:
        return np.array([float(v) for v in values], dtype=np.float64)
    except ValueError:
        return np.array(values, dtype=str)


def _read_pandas(path):
    # pandas' C reader; "NA", "null", ... stay text (category names), and the files' own
    # nan, inf, -inf make a column numeric afterwards
    frame = pd.read_csv(path, keep_default_na=False)
    for name in frame.columns:
        if frame[name].dtype == object:
            try:
                frame[name] = frame[name].astype(np.float64)  # takes "nan", "inf", "-inf"
            except (ValueError, TypeError):
                pass
    return frame


def read_csv(path):
    """The CSV file at path as a DataFrame (pandas) or a numpy record array."""
    if np is None:
        raise ImportError("collapse: reading results needs numpy (Debian: python3-numpy)")
    if pd is not None:
        return _read_pandas(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    columns = [_column([r[i] for r in body]) for i in range(len(header))]
    if not body:
        return np.rec.fromarrays([np.array([], dtype=float) for _ in header], names=header)
    return np.rec.fromarrays(columns, names=header)
