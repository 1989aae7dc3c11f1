"""``check_grad``: finite differences and the dot-product test.

Central differences check every entry of the gradient (each element of each
array leaf of each differentiated argument, containers included); the
dot-product test checks the pullback as a linear map: for random v and w,
<J v, w> (J v by a central difference along v) must equal <v, J^T w> (from
``vjp``).  The error names the worst entry as Python spells it (``p['w'][1, 2]``).
Every value is compared with finite differences of ``f`` itself, never with
another of pullback's derivatives.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable

import numpy as np

from . import pytree
from .api import grad, vjp
from .arguments import Argnums, argnum_tuple, bind
from .rule_check import check_rules
from .tracebacks import user_facing


class GradientMismatch(AssertionError):
    """A gradient disagrees with finite differences; ``where`` names the worst entry."""

    def __init__(self, message, where=None):
        super().__init__(message)
        self.where = where


@user_facing
def check_grad(f: Callable, *args: Any, argnums: Argnums = 0, eps: float = 1e-6,
               rtol: float = 1e-5, atol: float = 1e-7, seed: int = 0) -> float:
    """Check ``grad(f, argnums)`` at ``args`` (floats, arrays, containers of them) against
    central differences entry by entry and by the dot-product test; raise
    ``GradientMismatch`` naming the worst entry, else return its scaled error (<= 1)."""
    args = bind(f, args, {})
    nums = argnum_tuple(argnums, len(args))
    names = list(inspect.signature(f).parameters)
    trees = {}
    for i in nums:          # differentiated leaves as floats (float arrays), like grad's
        tree, leaves = pytree.flatten(args[i])
        trees[i] = tree
        args[i] = pytree.unflatten(tree, [np.array(x, dtype=float) if np.ndim(x) else
                                          float(x) for x in leaves])
    check_rules(f, args, eps, rtol, atol, seed, GradientMismatch)     # custom rules first
    g = grad(f, argnums=nums)(*args)
    worst, where, count = (0.0, None), None, 0
    for i, gi in zip(nums, g):
        leaves = pytree.flatten(args[i])[1]
        name = names[i] if i < len(names) else f"args[{i}]"
        for k, (path, x, gx) in enumerate(zip(pytree.paths(trees[i]), leaves,
                                              pytree.flatten(gi)[1])):
            for idx in np.ndindex(np.shape(x)):
                h = eps * max(1.0, abs(float(np.asarray(x)[idx])))
                fd = (_f(f, _moved(args, i, trees[i], k, idx, h)) -
                      _f(f, _moved(args, i, trees[i], k, idx, -h))) / (2 * h)
                got = float(np.asarray(gx)[idx])
                err = abs(got - fd) / (atol + rtol * abs(fd))
                count += 1
                if err > worst[0]:
                    at = name + path + (f"[{', '.join(map(str, idx))}]" if idx else "")
                    worst, where = (err, f"at {at}: pullback {got!r}, finite differences "
                                         f"{fd!r}"), at
    rng = np.random.default_rng(seed)
    v = {i: [rng.uniform(-1, 1, np.shape(x)) for x in pytree.flatten(args[i])[1]] for i in nums}
    w = rng.uniform(-1, 1)
    h = eps * max([1.0] + [float(np.max(np.abs(x))) for i in nums
                           for x in pytree.flatten(args[i])[1] if np.size(x)])
    jv = (_f(f, _along(args, trees, v, h)) - _f(f, _along(args, trees, v, -h))) / (2 * h)
    _, pull = vjp(f, *args)
    ct = pull(w)
    vjtw = sum(float(np.sum(vx * np.asarray(c))) for i in nums
               for vx, c in zip(v[i], pytree.flatten(ct[i])[1]))
    err = abs(jv * w - vjtw) / (atol + rtol * abs(jv * w))
    if err > worst[0]:
        worst, where = (err, f"dot-product test: <J v, w> = {jv * w!r}, <v, J^T w> = "
                             f"{vjtw!r}"), "dot-product test"
    if worst[0] > 1.0:
        raise GradientMismatch(f"gradient check failed for {f.__name__} {worst[1]} (the worst "
                               f"of {count} entries and the dot-product test)", where)
    return worst[0]


def _f(f, args):
    return float(f(*args))


def _moved(args, i, tree, k, idx, delta):
    """``args`` with element ``idx`` of leaf ``k`` of argument ``i`` moved by ``delta``."""
    leaves = list(pytree.flatten(args[i])[1])
    if idx:
        leaves[k] = leaves[k].copy()
        leaves[k][idx] += delta
    else:
        leaves[k] = leaves[k] + delta
    return [pytree.unflatten(tree, leaves) if j == i else a for j, a in enumerate(args)]


def _along(args, trees, v, h):
    """``args`` moved by ``h * v`` in every differentiated leaf."""
    out = list(args)
    for i, dirs in v.items():
        leaves = pytree.flatten(args[i])[1]
        out[i] = pytree.unflatten(trees[i], [x + h * d if np.ndim(x) else x + h * float(d)
                                             for x, d in zip(leaves, dirs)])
    return out
