"""Finding and declaring libcollapse (ctypes).

The library is looked for, in order:
  1. $COLLAPSE_LIBRARY, a path to libcollapse.so.*;
  2. beside an installed package: make install writes _libpath.py with the path from the
     package folder to PREFIX/lib;
  3. the build trees of a source checkout this package sits in (../build*/);
  4. the system's search path (ld.so: LD_LIBRARY_PATH, ldconfig).
Only plain C types cross the boundary (include/collapse/bind.h); ctypes releases the GIL for
the length of every call.
"""
import ctypes
import ctypes.util
import glob
import os

SONAME = "libcollapse.so.0.3"
_here = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    env = os.environ.get("COLLAPSE_LIBRARY")
    if env:
        yield env
        return
    try:
        from . import _libpath  # written by make install
        yield os.path.normpath(os.path.join(_here, _libpath.RELATIVE))
    except ImportError:
        pass
    root = os.path.dirname(os.path.dirname(_here))
    for build in sorted(glob.glob(os.path.join(root, "build*"))):
        path = os.path.join(build, SONAME)
        if os.path.exists(path):
            yield path
    yield SONAME
    found = ctypes.util.find_library("collapse")
    if found:
        yield found


def _load():
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("collapse: libcollapse not found; build it (make) or install it (make "
                      "install), or set COLLAPSE_LIBRARY to its path. Tried: " + "; ".join(tried))


lib = _load()

_c = ctypes
_strs = _c.POINTER(_c.c_char_p)
_sz = _c.c_size_t
lib.mc_bind_run.argtypes = [_c.c_char_p, _strs, _sz, _c.c_char_p, _c.c_int, _c.c_int, _c.c_int,
                            _c.c_char_p, _sz, _c.c_char_p, _sz]
lib.mc_bind_need.argtypes = [_c.c_char_p, _strs, _sz, _c.c_char_p, _c.c_long, _c.c_double,
                             _c.c_double, _c.c_double, _c.c_char_p, _c.c_int, _c.c_int,
                             _c.c_char_p, _sz, _c.c_char_p, _sz]
lib.mc_bind_theory.argtypes = [_c.c_char_p, _strs, _sz, _c.c_char_p, _c.c_char_p, _sz]
lib.mc_bind_config.argtypes = [_c.c_char_p, _strs, _sz, _c.c_char_p, _c.c_char_p, _sz]
for _f in (lib.mc_bind_run, lib.mc_bind_need, lib.mc_bind_theory, lib.mc_bind_config):
    _f.restype = _c.c_int
lib.mc_cancel_request.argtypes = []
lib.mc_cancel_request.restype = None
lib.mc_strerror.argtypes = [_c.c_int]
lib.mc_strerror.restype = _c.c_char_p


class _Preset(_c.Structure):
    _fields_ = [("name", _c.c_char_p), ("description", _c.c_char_p), ("text", _c.c_char_p)]


def presets():
    """[(name, description, text)] of the built-in presets."""
    n = _sz.in_dll(lib, "mc_npresets").value
    table = (_Preset * n).in_dll(lib, "mc_presets")
    return [(p.name.decode(), p.description.decode(), p.text.decode()) for p in table]
