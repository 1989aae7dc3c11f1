"""Run one program through pullback and check it against its oracles.

Oracles: central finite differences (at three step sizes: a point whose
differences disagree between steps is near a kink or a jump and is not
compared), JAX (the same source executed with ``math`` and the builtins
``abs``/``min``/``max``/``float`` bound to ``jax.numpy``), and pullback's own
modes against each other: ``value_and_grad``'s value against the function,
``vjp`` and (when present) ``jvp`` against ``grad``.

``check(program)`` returns an ``Outcome``: ``ok``; ``invalid`` (the program
raised or overflowed at this point, or no oracle could judge it); or ``fail``
with a ``kind``: ``unsupported``, ``crash``, ``value``, ``fd``, ``jax``,
``vjp``, ``jvp``.
"""
import functools
import linecache
import math
import os
import signal
import warnings
from dataclasses import dataclass

import pullback

from .branches import traced

FD_STEPS = (1e-4, 1e-5, 1e-6)
FD_RTOL, FD_ATOL = 1e-5, 1e-6
AD_RTOL = 1e-8               # pullback against JAX and its own modes: exact AD both
LIMIT = 1e8                  # |f| beyond this: the point is not used
PRIMAL_LIMIT = 1.0           # seconds the program itself may run


@dataclass
class Outcome:
    status: str               # "ok" | "invalid" | "fail"
    kind: str = ""
    detail: str = ""

    @property
    def failed(self):
        return self.status == "fail"


class Timeout(Exception):
    pass


_SERIAL = [0]
_DIR = []


def module_dir():
    """A temp folder of this process's generated modules (removed at exit)."""
    if not _DIR:
        import atexit
        import shutil
        import tempfile
        _DIR.append(tempfile.mkdtemp(prefix="pullback-fuzz-"))
        atexit.register(shutil.rmtree, _DIR[0], True)
    return _DIR[0]


def load(source, namespace=None, tag="fuzz"):
    """Write ``source`` to a module file in a temp folder and import it, as a user's module
    is: its functions have real globals and ``inspect.getsource`` reads the file.  Returns
    (the module's namespace, the code object, the file name); ``namespace`` is bound first."""
    import importlib.util
    import sys
    _SERIAL[0] += 1
    name = f"{tag.replace('-', '_')}_{os.getpid()}_{_SERIAL[0]}"
    filename = os.path.join(module_dir(), name + ".py")
    with open(filename, "w") as fh:
        fh.write(source)
    linecache.checkcache(filename)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # shrunk programs may call a constant
        code = compile(source, filename, "exec")
        spec = importlib.util.spec_from_file_location(name, filename)
        module = importlib.util.module_from_spec(spec)
        vars(module).update(namespace or {})
        sys.modules[name] = module            # dropped below: a campaign loads thousands
        try:
            exec(code, vars(module))
        finally:
            sys.modules.pop(name, None)
    return vars(module), code, filename


@functools.cache
def _jax():
    import jax
    import jax.numpy as jnp
    import jax.scipy.special as jsp
    jax.config.update("jax_enable_x64", True)

    def log(x, base=None):
        return jnp.log(x) if base is None else jnp.log(x) / jnp.log(base)

    def reduce(op):
        def fn(*xs):
            if len(xs) == 1:          # min(sequence)
                xs = tuple(xs[0])
            acc = xs[0]
            for x in xs[1:]:
                acc = op(acc, x)
            return acc
        return fn
    shim = dict(sin=jnp.sin, cos=jnp.cos, tan=jnp.tan, asin=jnp.arcsin, acos=jnp.arccos,
                atan=jnp.arctan, atan2=jnp.arctan2, sinh=jnp.sinh, cosh=jnp.cosh,
                tanh=jnp.tanh, asinh=jnp.arcsinh, acosh=jnp.arccosh, atanh=jnp.arctanh,
                exp=jnp.exp, expm1=jnp.expm1, exp2=jnp.exp2, log=log, log1p=jnp.log1p,
                log2=jnp.log2, log10=jnp.log10, sqrt=jnp.sqrt, cbrt=jnp.cbrt, pow=jnp.power,
                hypot=jnp.hypot, fabs=jnp.abs, erf=jsp.erf, erfc=jsp.erfc, lgamma=jsp.gammaln,
                gamma=jsp.gamma, floor=jnp.floor, ceil=jnp.ceil, trunc=jnp.trunc,
                copysign=jnp.copysign, degrees=jnp.degrees, radians=jnp.radians,
                pi=math.pi, e=math.e, tau=math.tau, inf=math.inf)
    import types
    namespace = {"math": types.SimpleNamespace(**shim), "abs": jnp.abs,
                 "min": reduce(jnp.minimum), "max": reduce(jnp.maximum),
                 "float": lambda v=0.0: jnp.asarray(v, dtype=jnp.float64)}
    return jax, namespace


def _close(a, b, rtol, atol):
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def _same_decisions(traced_f, trace, args, i, scale):
    """Whether every branch, kink and integer conversion goes the same way at the point
    and at the points finite differences evaluate."""
    try:
        traced_f(*args)
        here = trace()
        for step in (FD_STEPS[0], -FD_STEPS[0], 1e-7, -1e-7):
            moved = list(args)
            moved[i] += step * scale
            traced_f(*moved)
            if trace() != here:
                return False
    except Exception:   # noqa: BLE001 -- a neighbour that raises: no finite differences
        return False
    return True


def _finite_differences(f, args, i, value, traced_f=None, trace=None):
    """The derivative in argument ``i`` by central differences, or None if unreliable."""
    scale = max(1.0, abs(args[i]))
    if traced_f is not None and not _same_decisions(traced_f, trace, args, i, scale):
        return None, 0.0
    est = []
    for step in FD_STEPS:
        h = step * scale
        hi, lo = list(args), list(args)
        hi[i] += h
        lo[i] -= h
        try:
            est.append((f(*hi) - f(*lo)) / (2 * h))
        except (ArithmeticError, ValueError, RecursionError):
            return None, 0.0
    noise = 1e-8 * max(1.0, abs(value)) / scale
    d4, d5, d6 = est
    if not all(math.isfinite(d) for d in est):
        return None, noise
    if not _close(d5, d6, 1e-6, 1e-6 + noise) or not _close(d4, d5, 1e-4, 1e-5 + noise):
        return None, noise
    # central differences cannot see a kink exactly at the point (abs(x) at 0): one-sided can
    h = 1e-7 * scale
    hi, lo = list(args), list(args)
    hi[i] += h
    lo[i] -= h
    try:
        forward, backward = (f(*hi) - value) / h, (value - f(*lo)) / h
    except (ArithmeticError, ValueError, RecursionError):
        return None, noise
    if not _close(forward, backward, 1e-6, 1e-6 + 10 * noise):
        return None, noise
    return d6, noise


def check(program, use_jax=True, timeout=None, loaded=None):
    """The ``Outcome`` of one program at its evaluation point; with ``timeout`` (seconds,
    main thread only) a program that runs too long fails, and one whose own function
    runs over ``PRIMAL_LIMIT`` is invalid (a shrunk program that lost its loop counter).
    ``loaded``: ``load(program.source)`` made by the caller, whose function objects it
    goes on to run (pullback's cache then serves the same derivatives to both)."""
    return guarded(functools.partial(_check, loaded=loaded), program, use_jax, timeout)


def guarded(run, program, use_jax, timeout):
    """``run(program, use_jax, primal_done)`` under ``check``'s time limits."""
    def arm(seconds):
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, seconds)
    if timeout:
        signal.signal(signal.SIGALRM, _alarm)
    try:
        arm(min(timeout or 0, PRIMAL_LIMIT))
        return run(program, use_jax, lambda: arm(timeout))
    except Timeout:
        return Outcome("fail", "timeout", f"more than {timeout} s")
    finally:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _alarm(signum, frame):
    raise Timeout()


def _check(program, use_jax, primal_done, loaded=None):
    args, nums = list(program.args), program.argnums
    try:
        ns, code, filename = loaded or load(program.source)
        f = ns[program.entry]
        traced_ns, trace = traced(program.source, filename)
        value = f(*args)
    except Exception as exc:   # noqa: BLE001 -- also Timeout: a primal that never ends
        return Outcome("invalid", "raises", repr(exc))
    primal_done()
    if not isinstance(value, (int, float)) or not math.isfinite(value) or abs(value) > LIMIT:
        return Outcome("invalid", "range", repr(value))
    grads, failed = run_grad(f, args, nums, value)
    if failed:
        return failed
    judged = False
    for i, g in zip(nums, grads):
        if not math.isfinite(g):
            return Outcome("fail", "crash", f"d/d{program.params[i][0]} is {g!r}")
        fd, noise = _finite_differences(f, args, i, value, traced_ns[program.entry], trace)
        if fd is None:
            continue
        judged = True
        if not _close(g, fd, FD_RTOL, FD_ATOL + 10 * noise):
            return Outcome("fail", "fd", f"d/d{program.params[i][0]}: pullback {g!r}, "
                           f"finite differences {fd!r}")
    if use_jax:
        out = _against_jax(program, code, args, nums, value, grads)
        if out is not None and out.status != "ok":
            return out
        judged = judged or out is not None
    out = _modes(program, f, args, nums, value, grads)
    if out is not None:
        return out
    return Outcome("ok") if judged else Outcome("invalid", "unjudged")


def run_grad(f, args, nums, value, scalar=lambda v: v):
    """(``value_and_grad``'s gradients, None), or (None, the failing ``Outcome``) when it
    raises (``unsupported``: a TransformError; ``crash``) or its value is not ``value``."""
    try:
        v2, grads = pullback.value_and_grad(f, argnums=nums)(*args)
    except pullback.TransformError as exc:
        return None, Outcome("fail", "unsupported", f"{type(exc).__name__}: {exc}")
    except Timeout:
        raise
    except Exception as exc:   # noqa: BLE001 -- any other exception is a crash to report
        return None, Outcome("fail", "crash", f"{type(exc).__name__}: {exc}")
    if not _close(scalar(v2), value, 1e-12, 1e-300):
        return None, Outcome("fail", "value", f"value_and_grad value {v2!r}, function {value!r}")
    return grads, None


def _against_jax(program, code, args, nums, value, grads):
    jax, namespace = _jax()
    ns = {"__name__": "fuzz_jax"}
    exec(code, ns)
    ns.update(namespace)       # after the program's own ``import math``
    fj = ns[program.entry]
    try:
        vj, gj = jax.value_and_grad(fj, argnums=nums)(*args)
    except Exception as exc:   # noqa: BLE001 -- a program JAX cannot run is not judged
        return Outcome("invalid", "jax-error", f"{type(exc).__name__}: {exc}")
    if not _close(float(vj), value, 1e-9, 1e-9):
        return None            # JAX took another path (last-bit differences at a branch)
    for i, g, gj_i in zip(nums, grads, gj):
        gj_i = float(gj_i)
        if not math.isfinite(gj_i):
            return None
        if not _close(g, gj_i, AD_RTOL, 1e-10 * (1 + abs(value))):
            return Outcome("fail", "jax", f"d/d{program.params[i][0]}: pullback {g!r}, "
                           f"JAX {gj_i!r}")
    return Outcome("ok")


def run_vjp(f, args, value, scalar=lambda v: v):
    """(``pullback.vjp``'s cotangents for output cotangent 1, None), or (None, the failing
    ``Outcome``) when it raises or its value is not the function's."""
    try:
        out, pull = pullback.vjp(f, *args)
        cts = pull(1.0)
    except Exception as exc:   # noqa: BLE001
        return None, Outcome("fail", "vjp", f"{type(exc).__name__}: {exc}")
    if not _close(scalar(out), value, 1e-12, 1e-300):
        return None, Outcome("fail", "vjp", f"vjp value {out!r}, function {value!r}")
    return cts, None


def _modes(program, f, args, nums, value, grads):
    """vjp and jvp must agree with grad (the same derivative, other transforms)."""
    cts, failed = run_vjp(f, args, value)
    if failed:
        return failed
    for i, ct in enumerate(cts):
        want = grads[nums.index(i)] if i in nums else 0.0
        if not _close(ct, want, AD_RTOL, 1e-12):
            return Outcome("fail", "vjp", f"vjp cotangent {i}: {ct!r}, grad {want!r}")
    if not hasattr(pullback, "jvp"):
        return None
    tangents = tuple(0.5 + 0.25 * k if k in nums else 0 for k in range(len(args)))
    try:
        out, tan = pullback.jvp(f, tuple(args), tangents)
    except Exception as exc:   # noqa: BLE001
        return Outcome("fail", "jvp", f"{type(exc).__name__}: {exc}")
    want = sum(t * grads[nums.index(k)] for k, t in enumerate(tangents) if k in nums)
    scale = sum(abs(t * grads[nums.index(k)]) for k, t in enumerate(tangents) if k in nums)
    if not _close(out, value, 1e-12, 1e-300) or abs(tan - want) > AD_RTOL * scale + 1e-12:
        return Outcome("fail", "jvp", f"jvp {(out, tan)!r}, grad gives {(value, want)!r}")
    return None
