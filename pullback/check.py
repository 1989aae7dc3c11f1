"""``check_grad``: finite differences and the dot-product test.

Central differences check each gradient entry; the dot-product test checks
the pullback as a linear map: for random v and w, <J v, w> (J v by a central
difference along v) must equal <v, J^T w> (from ``vjp``).
"""
import random

from .api import grad, vjp
from .arguments import argnum_tuple, bind
from .tracebacks import user_facing


class GradientMismatch(AssertionError):
    pass


@user_facing
def check_grad(f, *args, argnums=0, eps=1e-6, rtol=1e-5, atol=1e-7, seed=0):
    """Raise ``GradientMismatch`` with the worst disagreement; return the worst error."""
    args = bind(f, args, {})
    nums = argnum_tuple(argnums, len(args))
    args = [float(a) if i in nums else a for i, a in enumerate(args)]
    g = grad(f, argnums=nums)(*args)
    worst = (0.0, None)
    for i, gi in zip(nums, g):
        h = eps * max(1.0, abs(args[i]))
        fd = (f(*_shift(args, {i: h})) - f(*_shift(args, {i: -h}))) / (2 * h)
        err = abs(gi - fd) / (atol + rtol * abs(fd))
        if err > worst[0]:
            worst = (err, f"d/d(arg {i}): pullback {gi!r}, finite differences {fd!r}")
    rng = random.Random(seed)
    v = {i: rng.uniform(-1, 1) for i in nums}
    w = rng.uniform(-1, 1)
    h = eps * max(1.0, max(abs(args[i]) for i in nums))
    jv = (f(*_shift(args, {i: h * v[i] for i in nums})) -
          f(*_shift(args, {i: -h * v[i] for i in nums}))) / (2 * h)
    _, pull = vjp(f, *args)
    ct = pull(w)
    vjtw = sum(v[i] * ct[i] for i in nums)
    err = abs(jv * w - vjtw) / (atol + rtol * abs(jv * w))
    if err > worst[0]:
        worst = (err, f"dot-product test: <J v, w> = {jv * w!r}, <v, J^T w> = {vjtw!r}")
    if worst[0] > 1.0:
        raise GradientMismatch(f"gradient check failed for {f.__name__}: {worst[1]}")
    return worst[0]


def _shift(args, deltas):
    return [a + deltas[i] if i in deltas else a for i, a in enumerate(args)]
