"""The environment an autograd example program runs in under ``tools/outside_examples.py``.

Used only by that measurement tool (never imported by pullback).  ``install(provider)``
prepares ``sys.modules`` so that an example written for autograd runs unchanged and fast:

- ``matplotlib`` is a stub (no plotting); ``data_mnist.mnist()`` returns small random
  arrays of MNIST's shapes (no download);
- optimisation loops are cut to a few steps: autograd's ``adam``/``sgd``/``rmsprop``
  stop after ``STEPS`` iterations, ``scipy.optimize.minimize`` after ``STEPS``
  iterations, ``scipy.optimize.newton`` after ``STEPS``;
- the derivative operators (``grad``, ``value_and_grad``, ``elementwise_grad``,
  ``jacobian``, ``hessian``) come from the *provider*: ``"pullback"`` (the operators are
  pullback's, through ``outside_shim``, and autograd.numpy is NumPy) or ``"autograd"``
  (the real autograd from the sdist: the second oracle).  Either way every derivative
  call goes through ``Checked``: the first ``CHECKS`` calls of each operator are
  measured by the dot-product test (a random direction ``v`` drawn from a generator
  seeded by the program, the operator's creation index and the call's index, so both
  providers use the same ``v``) and recorded.

Invariants: NumPy's global random stream and every ``RandomState``/``Generator``
reachable from the differentiated function (its globals, closure cells, arguments)
are put back before each evaluation the check makes and left, afterwards, as the
derivative call itself left them: the program runs on exactly as it would unchecked.
"""
import functools
import os
import sys
import traceback
import types
import zlib
from unittest import mock

import numpy as np
import scipy.optimize

from outside_cases import inner, leaves, random_like, shifted

STEPS = 3
CHECKS = 2
H_STEPS = (1e-6, 1e-5, 1e-4, 1e-7)


class Stop(BaseException):
    """pullback rejected or crashed: the program stops here (no ``except`` in it eats this)."""

    def __init__(self, record):
        super().__init__(record.get("message", ""))
        self.record = record


class Log:
    """Everything the run recorded: one entry per checked derivative call."""
    program = ""
    checks = []
    operators = 0


# ---- random states: put back before each evaluation ----------------------------------------

def _generators(fun, args):
    found, seen = [], set()

    def visit(x, depth=0):
        if id(x) in seen or depth > 3:
            return
        seen.add(id(x))
        if isinstance(x, (np.random.RandomState, np.random.Generator)):
            found.append(x)
        elif isinstance(x, (list, tuple)):
            for e in x:
                visit(e, depth + 1)
        elif isinstance(x, functools.partial):
            visit(x.func, depth + 1)
            visit(x.args, depth + 1)
        elif isinstance(x, types.FunctionType):
            for c in x.__closure__ or ():
                try:
                    visit(c.cell_contents, depth + 1)
                except ValueError:
                    pass
            for name in x.__code__.co_names:
                if name in x.__globals__:
                    visit(x.__globals__[name], depth + 1)
    visit(fun)
    visit(args)
    return found


class States:
    def __init__(self, fun, args):
        self.gens = _generators(fun, args)

    def save(self):
        own = [g.get_state() if isinstance(g, np.random.RandomState) else g.bit_generator.state
               for g in self.gens]
        return np.random.get_state(), own

    def restore(self, saved):
        glob, own = saved
        np.random.set_state(glob)
        for g, s in zip(self.gens, own):
            if isinstance(g, np.random.RandomState):
                g.set_state(s)
            else:
                g.bit_generator.state = s


# ---- the checked derivative operator ----------------------------------------------------------

def _argnums(argnum):
    return tuple(argnum) if isinstance(argnum, (tuple, list)) else (argnum,)


def _fingerprint(xs):
    return [[list(np.shape(x)), float(np.sum(np.asarray(x, dtype=float)))]
            for x in leaves(xs) if np.issubdtype(np.asarray(x).dtype, np.number)]


def _where(exc):
    tb = traceback.extract_tb(exc.__traceback__)
    generated = os.environ.get("PULLBACK_CACHE_DIR") or os.sep + "pullback"
    inside = [f for f in tb if "/pullback/" in f.filename or f.filename.startswith(generated)]
    f = (inside or tb)[-1]
    return f"{f.filename.split('/pullback/')[-1]}:{f.lineno}", bool(inside)


def _failure(exc):
    if type(exc).__name__ in ("TransformError", "UnsupportedError"):
        return {"verdict": "rejected", "kind": type(exc).__name__,
                "message": getattr(exc, "message", str(exc))[:400],
                "at": f"{getattr(exc, 'filename', '')}:{getattr(exc, 'line', '')}",
                "construct": str(getattr(exc, "construct", "") or "")[:200]}
    at, inside = _where(exc)
    return {"verdict": "crash" if inside else "crash (harness)", "kind": type(exc).__name__,
            "message": str(exc)[:400], "at": at}


class Checked:
    """``kind(fun, argnum)`` of the provider, its first calls checked against differences.

    ``kind`` is grad, value_and_grad or elementwise_grad (checked) or jacobian/hessian
    (run unchecked).  Nesting (``grad(grad(f))``) composes the provider's operators."""

    def __init__(self, provider, kind, fun, argnum=0):
        self.index = Log.operators
        Log.operators += 1
        self.kind, self.fun, self.argnums, self.calls = kind, fun, _argnums(argnum), 0
        base = fun.raw if isinstance(fun, Checked) else fun
        self.scalar = base               # the function whose derivative is taken
        self.raw = provider(kind, base, argnum)
        self.__name__ = getattr(base, "__name__", kind)
        self.__doc__ = getattr(base, "__doc__", None)

    @property
    def pullback_lowers_as(self):
        """Called inside differentiated code, the provider's derivative itself (pullback
        differentiates it there; the checks are of the program's top-level calls)."""
        return self.raw

    def __call__(self, *args, **kwargs):
        states = States(self.scalar, args)
        before = states.save()
        try:
            out = self.raw(*args, **kwargs)
        except Exception as exc:
            rec = _failure(exc)
            rec.update(operator=self.index, call=self.calls, op=self.kind)
            if rec["verdict"] == "crash (harness)":
                raise
            raise Stop(rec) from exc
        after = states.save()
        if self.calls < CHECKS and self.kind in ("grad", "value_and_grad", "elementwise_grad"):
            Log.checks.append(self.check(args, kwargs, out, states, before))
            states.restore(after)
        self.calls += 1
        return out

    def _at(self, args, kwargs, xs, states, before):
        full = list(args)
        for i, x in zip(self.argnums, xs):
            full[i] = x
        states.restore(before)
        return self.scalar(*full, **kwargs)

    def check(self, args, kwargs, out, states, before):
        rec = {"operator": self.index, "call": self.calls, "op": self.kind}
        xs = [args[i] for i in self.argnums]
        rec["args"] = _fingerprint(xs)
        g = out[1] if self.kind == "value_and_grad" else out
        g = list(g) if len(xs) > 1 else [g]
        rng = np.random.default_rng(zlib.crc32(f"{Log.program}:{self.index}:{self.calls}".encode()))
        v = random_like(xs, rng)
        try:
            rec["dot"] = dot = inner(g, v)
            y = self._at(args, kwargs, xs, states, before)
            if self.kind == "value_and_grad":
                rec["value_ok"] = bool(np.allclose(out[0], y, rtol=1e-7, atol=1e-9))
            fds = []
            for h in H_STEPS:
                hi = self._at(args, kwargs, shifted(xs, v, h), states, before)
                lo = self._at(args, kwargs, shifted(xs, v, -h), states, before)
                fd = float(np.sum(np.asarray(hi) - np.asarray(lo))) / (2 * h)
                fds.append(fd)
                if abs(dot - fd) <= 1e-4 * max(abs(dot), abs(fd)) + 1e-8 * (1 + abs(np.sum(y))):
                    break
            rec["fd"] = fds
            agree = abs(dot - fds[-1]) <= 1e-4 * max(abs(dot), abs(fds[-1])) + \
                1e-8 * (1 + abs(float(np.sum(y))))
            rec["verdict"] = "right" if agree and rec.get("value_ok", True) else "suspect"
        except Exception as exc:
            rec.update(verdict="unchecked", message=f"{type(exc).__name__}: {exc}"[:200])
        return rec


# ---- stand-ins for loops, plotting and data ---------------------------------------------------

def _parts(value):
    if isinstance(value, dict):
        value = [value[k] for k in sorted(value)]
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            out = out + _parts(v)
        return out
    return [np.ravel(value)]


def _unflat(template, vec, at):
    """(template's structure with leaves read from ``vec`` from ``at`` on, the next offset)."""
    if isinstance(template, (list, tuple)):
        out = []
        for t in template:
            x, at = _unflat(t, vec, at)
            out.append(x)
        return (tuple(out) if isinstance(template, tuple) else out), at
    if isinstance(template, dict):
        out = {}
        for k in sorted(template):
            out[k], at = _unflat(template[k], vec, at)
        return out, at
    n = np.size(template)
    return np.reshape(vec[at:at + n], np.shape(template)), at + n


def flatten(value):
    """(flat vector, unflatten) of a pytree of arrays, tuples, lists and dicts (written so
    that pullback can differentiate through it: the programs call it inside objectives)."""
    return np.concatenate(_parts(value)), functools.partial(_unflatten, value)


def _unflatten(template, vec):
    return _unflat(template, vec, 0)[0]


def flatten_func(func, example):
    flat, unflatten = flatten(example)

    def flat_func(x, *args):
        return func(unflatten(x), *args)
    return flat_func, unflatten, flat


def _flat_optimizer(step):
    def optimize(grad, x0, callback=None, num_iters=100, **kw):
        x, unflatten = flatten(x0)
        state = {}
        for i in range(min(num_iters, STEPS)):
            g = flatten(grad(unflatten(x), i))[0]
            if callback:
                callback(unflatten(x), i, unflatten(g))
            x = step(x, g, i, state, **kw)
        return unflatten(x)
    return optimize


def _sgd(x, g, i, s, step_size=0.1, mass=0.9):
    s["v"] = mass * s.get("v", np.zeros_like(x)) - (1.0 - mass) * g
    return x + step_size * s["v"]


def _rmsprop(x, g, i, s, step_size=0.1, gamma=0.9, eps=1e-8):
    s["r"] = s.get("r", np.ones_like(x)) * gamma + g ** 2 * (1 - gamma)
    return x - step_size * g / (np.sqrt(s["r"]) + eps)


def _adam(x, g, i, s, step_size=0.001, b1=0.9, b2=0.999, eps=1e-8):
    s["m"] = (1 - b1) * g + b1 * s.get("m", np.zeros_like(x))
    s["v"] = (1 - b2) * g ** 2 + b2 * s.get("v", np.zeros_like(x))
    mhat, vhat = s["m"] / (1 - b1 ** (i + 1)), s["v"] / (1 - b2 ** (i + 1))
    return x - step_size * mhat / (np.sqrt(vhat) + eps)


OPTIMIZERS = {"sgd": _flat_optimizer(_sgd), "rmsprop": _flat_optimizer(_rmsprop),
              "adam": _flat_optimizer(_adam)}


def _mnist():
    rng = np.random.default_rng(0)
    return (rng.integers(0, 256, (300, 28, 28)).astype(np.uint8),
            rng.integers(0, 10, 300).astype(np.uint8),
            rng.integers(0, 256, (100, 28, 28)).astype(np.uint8),
            rng.integers(0, 10, 100).astype(np.uint8))


def _imread(path):
    """An image of the PNG's shape (its IHDR header), deterministic values in [0, 1]."""
    import struct
    with open(path, "rb") as fh:
        head = fh.read(33)
    w, h, _, color = struct.unpack(">IIBB", head[16:26])
    channels = {0: 0, 2: 3, 3: 0, 4: 2, 6: 4}[color]
    rng = np.random.default_rng(zlib.crc32(path.encode()))
    return rng.random((h, w, channels) if channels else (h, w))


def _plt():
    plt = mock.MagicMock(name="pyplot")
    plt.subplots.side_effect = lambda *a, **k: (mock.MagicMock(), mock.MagicMock())
    return plt


def _stub_libraries():
    mpl = mock.MagicMock(name="matplotlib")
    plt = _plt()
    mpl.pyplot = plt
    for name in ("matplotlib", "matplotlib.cm", "matplotlib.image", "matplotlib.colors",
                 "matplotlib.animation", "imageio", "pylab"):
        sys.modules[name] = mpl if name == "matplotlib" else mock.MagicMock(name=name)
    sys.modules["matplotlib.pyplot"] = plt
    plt.imread.side_effect = _imread
    sys.modules["data_mnist"] = types.SimpleNamespace(mnist=_mnist)
    minimize, newton = scipy.optimize.minimize, scipy.optimize.newton

    def short_minimize(*a, **kw):
        kw["options"] = dict(kw.get("options") or {}, maxiter=STEPS)
        return minimize(*a, **kw)

    def short_newton(*a, **kw):
        kw["maxiter"] = STEPS
        kw["disp"] = False
        return newton(*a, **kw)
    scipy.optimize.minimize, scipy.optimize.newton = short_minimize, short_newton


# ---- the providers ------------------------------------------------------------------------------

def _pullback_provider(kind, fun, argnum):
    import pullback
    if kind == "elementwise_grad":         # of an elementwise function: its jvp with ones
        def egrad(x):
            return pullback.jvp(fun, (x,), (np.ones_like(x),))[1]
        return egrad
    return getattr(pullback, kind)(fun, argnums=argnum)


def _fixed_point_of(pullback):
    """autograd's fixed_point(f, a, x0, distance, tol) as pullback's (implicit derivative);
    pullback lowers it where it is called in differentiated code (no import in its body)."""
    def fixed_point(f, a, x0, distance, tol):
        return pullback.fixed_point(lambda x, theta: f(theta)(x), x0, a, tol=tol)
    return fixed_point


def _hvp(fun, argnum=0):
    import pullback
    return lambda x, v: pullback.hvp(fun, (x,), (v,))


def _check_grads(fun, args, kwargs, argnums, modes):
    """autograd's check_grads in a program: one case judged like the test suite's."""
    import tempfile
    import outside_cases
    case_id = f"{Log.program}:check_grads:{len(Log.checks)}"
    rec = outside_cases.judge(case_id, fun, args, kwargs, argnums, modes, tempfile.gettempdir())
    rec.update(operator="check_grads", call=len(Log.checks), op="check_grads")
    if rec["verdict"] in ("rejected", "crash"):
        raise Stop(rec)
    rec["verdict"] = {"kink": "right", "n/a": "unchecked"}.get(rec["verdict"], rec["verdict"])
    Log.checks.append(rec)


def _autograd_provider(sdist):
    """The real autograd's operators (the sdist first on the path), taken before
    ``install`` puts the checked ones in their place."""
    sys.path.insert(0, sdist)
    import autograd
    raw = {k: getattr(autograd, k) for k in
           ("grad", "value_and_grad", "elementwise_grad", "jacobian", "hessian")}
    return lambda kind, fun, argnum: raw[kind](fun, argnum)


def install(provider, sdist):
    """Stand-ins for plotting, data, optimiser loops and the derivative operators."""
    _stub_libraries()
    make = _pullback_provider if provider == "pullback" else _autograd_provider(sdist)
    ops = {k: (lambda kind: lambda fun, argnum=0: Checked(make, kind, fun, argnum))(k)
           for k in ("grad", "value_and_grad", "elementwise_grad", "jacobian", "hessian")}
    if provider == "pullback":
        import pullback
        for k in ("grad", "value_and_grad"):     # written inside differentiated code
            ops[k].pullback_lowers_as = getattr(pullback, k)
        import outside_shim
        outside_shim.install()
        flat = outside_shim._module("autograd.misc.flatten", flatten=flatten,
                                    flatten_func=flatten_func)
        opt = outside_shim._module("autograd.misc.optimizers", **OPTIMIZERS)
        misc = outside_shim._module("autograd.misc", flatten=flatten, optimizers=opt)
        fixed = outside_shim._module("autograd.misc.fixed_points",
                                     fixed_point=_fixed_point_of(pullback))
        sys.modules["autograd.misc.fixed_points"] = fixed
        builtins = outside_shim._module("autograd.builtins", tuple=tuple, list=list, dict=dict,
                                        isinstance=isinstance)
        sys.modules.update({"autograd.misc": misc, "autograd.misc.flatten": flat,
                            "autograd.misc.optimizers": opt, "autograd.builtins": builtins})
        top = sys.modules["autograd"]
        top.misc, top.builtins = misc, builtins
        top.__dict__.update(ops)
        top.deriv = ops["grad"]
        top.hessian_vector_product = _hvp
        outside_shim.RECORDER.on_case = _check_grads
        return
    import autograd
    import autograd.misc.optimizers as opt
    autograd.__dict__.update(ops)
    for name in ("sgd", "rmsprop", "adam"):
        real = getattr(opt, name)
        setattr(opt, name, (lambda real: lambda grad, x0, callback=None, num_iters=100, **kw:
                            real(grad, x0, callback, num_iters=min(num_iters, STEPS), **kw))(real))
