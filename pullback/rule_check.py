"""Custom rules checked against finite differences, at the arguments ``f`` gives them.

``check_grad`` runs ``f`` once in Python with ``custom.recording()`` on, so every
custom_vjp / custom_jvp function (and library rule, ``pullback.defvjp``) notes the
arguments of its first call; each rule is then checked there by itself: a VJP rule by
the dot-product test <J v, g> = <v, bwd(res, g)>, a JVP rule by its tangent along v,
J v by central differences of the function.  A wrong rule is reported at its own
file:line, which the gradient of the whole function could not say.

Invariant: only the user's Python functions run here (the rule and the function as
written); pullback's derivatives are never the reference.
"""
import numpy as np

from . import pytree
from .custom import recording


def check_rules(f, args, eps, rtol, atol, seed, mismatch):
    """Raise ``mismatch(message, where)`` for the first rule that disagrees."""
    with recording() as calls:
        f(*args)
    rng = np.random.default_rng(seed)
    for rule, cargs in calls:
        err, rule_fn, detail = _error(rule, cargs, eps, rtol, atol, rng)
        if err > 1.0:
            code = rule_fn.__code__
            where = f"{code.co_filename}:{code.co_firstlineno}"
            raise mismatch(f"the custom rule '{rule_fn.__name__}' of '{rule.__name__}' "
                           f"({where}) disagrees with finite differences of "
                           f"'{rule.__name__}': {detail}", where)


def _error(rule, args, eps, rtol, atol, rng):
    """(scaled error, the rule function, what differed)."""
    diff = [i for i, a in enumerate(args) if _is_float(a)]
    v = {i: _random_like(args[i], rng) for i in diff}
    scale = max([1.0] + [float(np.max(np.abs(pytree.flatten(args[i])[1]))) for i in diff])
    h = eps * scale
    up = _flat(rule.fun(*_moved(args, v, h)))
    down = _flat(rule.fun(*_moved(args, v, -h)))
    jv = [(a - b) / (2 * h) for a, b in zip(up, down)]
    if rule.pullback_rule == "jvp":
        tangents = tuple(v[i] if i in v else _zeros_like(a) for i, a in enumerate(args))
        got = _flat(rule.jvp(tuple(args), tangents)[1])
        err = max([float(np.max(np.abs(np.asarray(g) - j) / (atol + rtol * np.abs(j))))
                   for g, j in zip(got, jv)] or [0.0])
        return err, rule.jvp, f"tangent {got!r}, finite differences {jv!r}"
    out, res = rule.fwd(*args)
    tree, leaves = pytree.flatten(out)
    g = [rng.uniform(-1, 1, np.shape(x)) if np.ndim(x) else rng.uniform(-1, 1) for x in leaves]
    cts = rule.bwd(res, pytree.unflatten(tree, g))
    lhs = sum(float(np.sum(np.asarray(a) * b)) for a, b in zip(jv, g))
    rhs = sum(float(np.sum(np.asarray(x) * y)) for i in diff
              for x, y in zip(pytree.flatten(v[i])[1], pytree.flatten(cts[i])[1]))
    return abs(lhs - rhs) / (atol + rtol * abs(lhs)), rule.bwd, \
        f"dot-product test <J v, g> = {lhs!r}, <v, bwd(res, g)> = {rhs!r}"


def _is_float(a):
    leaves = pytree.flatten(a)[1]
    return bool(leaves) and all(np.issubdtype(np.asarray(x).dtype, np.floating) for x in leaves)


def _random_like(a, rng):
    tree, leaves = pytree.flatten(a)
    return pytree.unflatten(tree, [rng.uniform(-1, 1, np.shape(x)) if np.ndim(x)
                                   else rng.uniform(-1, 1) for x in leaves])


def _zeros_like(a):
    tree, leaves = pytree.flatten(a)
    return pytree.unflatten(tree, [np.zeros(np.shape(x)) if np.ndim(x) else 0.0
                                   for x in leaves])


def _moved(args, v, h):
    out = list(args)
    for i, d in v.items():
        tree, leaves = pytree.flatten(args[i])
        out[i] = pytree.unflatten(tree, [x + h * y for x, y in
                                         zip(leaves, pytree.flatten(d)[1])])
    return out


def _flat(value):
    return [np.asarray(x, dtype=float) for x in pytree.flatten(value)[1]]


__all__ = ["check_rules"]
