"""Run one array program through pullback and check it against its oracles.

The scalar oracle (``oracle``) applied per array element: every float leaf of
every argument (array elements, the float of a tuple, the values of a dict)
is one coordinate.  Oracles:

- central finite differences in each coordinate at three step sizes, a
  coordinate whose differences disagree (a kink or a jump nearby) not judged;
- JAX: ``jax.value_and_grad`` of the program's ``jax_twin`` (jax.numpy, writes
  as ``.at[i].set``), unless JAX's value differs (another branch was taken);
- pullback against itself: ``value_and_grad``'s value against the function,
  ``vjp``'s cotangents against ``grad``, ``jvp``'s tangent against ``grad``
  contracted with the same tangent (J v), int arguments getting 0.

``check_array(program)`` returns an ``oracle.Outcome`` with the same kinds; a
program that writes to its own arguments (a shrinker's candidate can) or does
not return one float is ``invalid``.
"""
import copy
import functools
import math

import numpy as np

import pullback

from . import oracle
from .oracle import AD_RTOL, LIMIT, Outcome, _close, _finite_differences, load


def leaves(value):
    """The float leaves of an argument, a gradient or a tangent, in a fixed order."""
    if isinstance(value, np.ndarray) or hasattr(value, "shape") and value.shape:
        return [float(v) for v in np.ravel(np.asarray(value))]
    if isinstance(value, (tuple, list)):
        return [v for item in value for v in leaves(item)]
    if isinstance(value, dict):
        return [v for k in sorted(value) for v in leaves(value[k])]
    return [float(value)]


def rebuild(like, flat):
    """``like`` with its float leaves replaced, in ``leaves`` order, by ``flat`` (consumed)."""
    if isinstance(like, np.ndarray):
        out = np.array([flat.pop(0) for _ in range(like.size)]).reshape(like.shape)
        return out
    if isinstance(like, tuple):
        return tuple(rebuild(item, flat) for item in like)
    if isinstance(like, dict):        # keys in the argument's order (pullback pairs by position)
        items = {k: rebuild(like[k], flat) for k in sorted(like)}
        return {k: items[k] for k in like}
    return flat.pop(0)


def check_array(program, use_jax=True, timeout=None, loaded=None):
    """As ``oracle.check``: with ``timeout`` a slow program fails, a slow primal is invalid;
    ``loaded``: the caller's ``load(program.source)``, as there."""
    return oracle.guarded(functools.partial(_check, loaded=loaded), program, use_jax, timeout)


def _check(program, use_jax, primal_done, loaded=None):
    args, nums = program.args, program.argnums
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            ns, code, filename = loaded or load(program.source)
            f = ns[program.entry]
            value = f(*copy.deepcopy(args))
            mine = copy.deepcopy(args)
            f(*mine)
    except Exception as exc:   # noqa: BLE001 -- also Timeout: a primal that never ends
        return Outcome("invalid", "raises", repr(exc))
    primal_done()
    if leaves(mine) != leaves(args):     # a shrunk program may write to its argument
        return Outcome("invalid", "mutates", "the program writes to its arguments")
    if not isinstance(value, (int, float, np.floating, np.ndarray)) or np.ndim(value) != 0:
        return Outcome("invalid", "not a float", repr(value))
    value = float(value)
    if not math.isfinite(value) or abs(value) > LIMIT:
        return Outcome("invalid", "range", repr(value))
    grads, failed = oracle.run_grad(f, args, nums, value, _float)
    if failed:
        return failed
    judged = False
    for i, g in zip(nums, grads):
        g = leaves(g)
        if len(g) != len(leaves(args[i])) or not all(math.isfinite(v) for v in g):
            return Outcome("fail", "crash", f"d/d{program.params[i][0]} is {g!r}")
        for k, gk in enumerate(g):
            fd, noise = _finite_differences(_along(f, args, i, k), [leaves(args[i])[k]], 0, value)
            if fd is None:
                continue
            judged = True
            if not _close(gk, fd, oracle.FD_RTOL, oracle.FD_ATOL + 10 * noise):
                return Outcome("fail", "fd", f"d/d{program.params[i][0]}[{k}]: pullback {gk!r}, "
                               f"finite differences {fd!r}")
    if use_jax:
        out = _against_jax(program, args, nums, value, grads)
        if out is not None and out.status != "ok":
            return out
        judged = judged or out is not None
    out = _modes(program, f, args, nums, value, grads)
    if out is not None:
        return out
    return Outcome("ok") if judged else Outcome("invalid", "unjudged")


def _float(v):
    """A float, or nan (which compares unequal to everything) for anything else."""
    try:
        return float(v) if isinstance(v, (int, float, np.number, np.ndarray)) and \
            np.ndim(v) == 0 else math.nan
    except (TypeError, ValueError):
        return math.nan


def _along(f, args, i, k):
    """f as a function of coordinate ``k`` of argument ``i`` alone."""
    flat = leaves(args[i])

    def g(t):
        moved = list(flat)
        moved[k] = t
        new = list(args)
        new[i] = rebuild(args[i], moved)
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return float(f(*new))
    return g


def _against_jax(program, args, nums, value, grads):
    jax, _ = oracle._jax()
    import jax.numpy as jnp
    ns, _, _ = load(program.jax_source, tag="fuzz-jax")
    jargs = [jax.tree_util.tree_map(jnp.asarray, a) if k in nums else a
             for k, a in enumerate(args)]
    try:
        vj, gj = jax.value_and_grad(ns[program.entry], argnums=nums)(*jargs)
    except Exception as exc:   # noqa: BLE001 -- a program JAX cannot run is not judged
        return Outcome("invalid", "jax-error", f"{type(exc).__name__}: {exc}")
    if not _close(float(vj), value, 1e-9, 1e-9):
        return None            # JAX took another path (last-bit differences at a branch)
    for i, g, g_jax in zip(nums, grads, gj):
        mine, theirs = leaves(g), leaves(g_jax)
        if not all(math.isfinite(v) for v in theirs):
            return None
        for k, (a, b) in enumerate(zip(mine, theirs)):
            if not _close(a, b, AD_RTOL, 1e-10 * (1 + abs(value))):
                return Outcome("fail", "jax", f"d/d{program.params[i][0]}[{k}]: pullback {a!r}, "
                               f"JAX {b!r}")
    return Outcome("ok")


def _modes(program, f, args, nums, value, grads):
    """vjp's cotangents and jvp's J v must agree with grad."""
    cts, failed = oracle.run_vjp(f, args, value, _float)
    if failed:
        return failed
    for i, ct in enumerate(cts):
        want = leaves(grads[nums.index(i)]) if i in nums else [0.0]
        got = leaves(ct)
        if len(got) != len(want) or not all(_close(a, b, AD_RTOL, 1e-12)
                                            for a, b in zip(got, want)):
            return Outcome("fail", "vjp", f"vjp cotangent {i}: {got!r}, grad {want!r}")
    tangents, want, scale = [], 0.0, 0.0
    for i, a in enumerate(args):
        if i not in nums:
            tangents.append(0)
            continue
        t = [0.5 + 0.25 * ((3 * i + k) % 5) for k in range(len(leaves(a)))]
        tangents.append(rebuild(a, list(t)))
        for tk, gk in zip(t, leaves(grads[nums.index(i)])):
            want += tk * gk
            scale += abs(tk * gk)
    try:
        out, tan = pullback.jvp(f, tuple(args), tuple(tangents))
    except Exception as exc:   # noqa: BLE001
        return Outcome("fail", "jvp", f"{type(exc).__name__}: {exc}")
    if not _close(_float(out), value, 1e-12, 1e-300) or not abs(_float(tan) - want) <= \
            AD_RTOL * scale + 1e-12:
        return Outcome("fail", "jvp", f"jvp {(out, tan)!r}, grad gives {(value, want)!r}")
    return None
