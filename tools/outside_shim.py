"""Stand-in ``autograd`` modules for running another library's gradient tests on pullback.

Used only by ``tools/outside_suite.py`` (a measurement tool, never imported by
pullback).  ``install()`` puts fake modules into ``sys.modules`` so that a test
file written for autograd runs unchanged:

    import autograd.numpy as np          -> numpy itself
    import autograd.numpy.random as npr  -> numpy.random
    import autograd.scipy.special        -> scipy.special (stats, linalg, integrate, ...)
    autograd.scipy.signal.convolve       -> pullback's convolve_axes: a primitive with a rule
                                            for autograd's signature (axes, dot_axes, mode)
    from autograd import grad            -> pullback.grad (argnum -> argnums)
    from autograd.test_util import check_grads, combo_check
                                         -> one recorded *case* per call, judged by
                                            outside_cases.judge (never raises)

Invariants: the shim never draws from NumPy's global random stream (the test
files seed it and draw their inputs from it, so the inputs here equal the inputs
under the real autograd); a name the shim cannot give a pullback meaning raises
``NotApplicable`` (the test measures autograd's internals, not a derivative).
"""
import itertools
import sys
import types

import numpy as np
import scipy
import scipy.integrate
import scipy.linalg
import scipy.special
import scipy.stats

import pullback
from pullback.rules.signal_helpers import convolve_axes

TOL = 1e-6


class NotApplicable(Exception):
    """The test uses a part of autograd with no counterpart in pullback."""


class Recorder:
    """Where check_grads sends its cases: ``on_case(fun, args, kwargs, argnums, modes)``."""
    on_case = None


RECORDER = Recorder()


def _argnums(argnum):
    return tuple(argnum) if isinstance(argnum, (tuple, list)) else (argnum,)


def check_grads(f, argnum=0, modes=("fwd", "rev"), order=2):
    """autograd's ``check_grads(f, argnum, modes, order)(*args, **kwargs)``: one case."""
    def run(*args, **kwargs):
        RECORDER.on_case(f, args, kwargs, _argnums(argnum), tuple(modes))
    return run


def combo_check(fun, *check_args, **check_kwargs):
    """Every combination of the given argument and keyword values is one case."""
    def run(*arg_lists, **kw_lists):
        kw_items = [[(k, v) for v in vs] for k, vs in kw_lists.items()]
        for args in itertools.product(*arg_lists):
            for kws in itertools.product(*kw_items):
                check_grads(fun, *check_args, **check_kwargs)(*args, **dict(kws))
    return run


def scalar_close(a, b):
    return abs(a - b) < TOL or abs(a - b) / abs(a + b) < TOL


def check_equivalent(a, b):
    assert np.allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-6), (a, b)


def _grad(fun, argnum=0):
    return pullback.grad(fun, argnums=argnum)


def _value_and_grad(fun, argnum=0):
    return pullback.value_and_grad(fun, argnums=argnum)


# written inside differentiated code (grad(grad(f)) by hand), they are pullback's own
_grad.pullback_lowers_as = pullback.grad
_value_and_grad.pullback_lowers_as = pullback.value_and_grad


def _jacobian(fun, argnum=0):
    return pullback.jacobian(fun, argnums=argnum)


_jacobian.pullback_lowers_as = pullback.jacobian


def _hessian(fun, argnum=0):
    return pullback.hessian(fun, argnums=argnum)


def _missing(module, name):
    def absent(*args, **kwargs):
        raise NotApplicable(f"{module}.{name} has no pullback counterpart")
    absent.__name__ = name
    return absent


class _Fake(types.ModuleType):
    """A module whose unknown names are functions that raise NotApplicable."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _missing(self.__name__, name)


def _module(name, **attrs):
    m = _Fake(name)
    m.__path__ = []          # a package, so submodule imports resolve through sys.modules
    m.__dict__.update(attrs)
    return m


def install():
    """Put the stand-in modules into ``sys.modules`` (idempotent)."""
    top = _module("autograd", grad=_grad, deriv=_grad, value_and_grad=_value_and_grad,
                  jacobian=_jacobian, hessian=_hessian,
                  tuple=tuple, list=list, dict=dict, isinstance=isinstance)
    util = _module("autograd.test_util", check_grads=check_grads, combo_check=combo_check,
                   scalar_close=scalar_close, check_equivalent=check_equivalent)
    # autograd's convolve(A, B, axes, dot_axes, mode) is not SciPy's: pullback's primitive
    # for that signature (rules/signal.py), whose values equal autograd's
    signal = _module("autograd.scipy.signal", convolve=convolve_axes)
    ascipy = _module("autograd.scipy", special=scipy.special, stats=scipy.stats,
                     linalg=scipy.linalg, signal=signal, integrate=scipy.integrate,
                     misc=scipy.special)
    mods = {"autograd": top, "autograd.test_util": util, "autograd.scipy": ascipy,
            "autograd.numpy": np, "autograd.numpy.random": np.random,
            "autograd.numpy.linalg": np.linalg, "autograd.numpy.fft": np.fft,
            "autograd.scipy.special": scipy.special, "autograd.scipy.stats": scipy.stats,
            "autograd.scipy.linalg": scipy.linalg, "autograd.scipy.signal": signal,
            "autograd.scipy.integrate": scipy.integrate, "autograd.scipy.misc": scipy.special}
    for dist in ("norm", "t", "gamma", "beta", "poisson", "dirichlet", "multivariate_normal",
                 "chi2", "expon", "logistic"):
        mods[f"autograd.scipy.stats.{dist}"] = getattr(scipy.stats, dist)
    for sub in ("extend", "tracer", "core", "misc", "builtins", "wrap_util", "numpy.numpy_boxes",
                "numpy.numpy_vspaces", "differential_operators", "misc.flatten"):
        mods[f"autograd.{sub}"] = _module(f"autograd.{sub}")
    top.test_util, top.scipy, top.numpy = util, ascipy, np
    sys.modules.update(mods)
