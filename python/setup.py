# setup.py - the collapse Python package: pure Python over libcollapse (ctypes). No pyproject.toml
# on purpose: pip then builds with the setuptools already installed (Debian's python3-setuptools)
# and needs no network: `pip install ./python`. The library itself comes from `make install`
# (or the build tree); see docs/PYTHON.md.
from setuptools import setup

setup(
    name="collapse",
    version="0.3.0",
    description="Python interface to libcollapse, a laboratory for model collapse",
    packages=["collapse"],
    python_requires=">=3.8",
    install_requires=[],  # numpy, pandas: used when present (Debian python3-numpy, python3-pandas)
)
