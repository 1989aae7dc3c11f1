"""The snippets of issue 11 as written there (rows for tests/test_issue11_snippets.py).

A line a backend must reject carries a ``# <name>`` marker (in the function, else in
this file); the row's ``reject`` maps each rejecting backend to that marker.  Twins (``*_j``) are the JAX oracles.
"""
import functools
import math

import jax.numpy as jnp
import numpy as np

from test_aliasing import (alias, alias_in_loop, asarray_write, column_view, copy_then_write,
                           helper_max_write, helper_result_write, list_then_write,
                           rebind_augmented, rows_in_place, view_write)
from test_globals import _scaled

X3 = np.array([0.3, 0.7, 1.1])
B32 = np.array([[0.3, -0.7], [1.1, 0.4], [0.9, -1.3]])
EVERY = ("python", "numba", "c")
WRITE = {b: "# write" for b in EVERY}       # test_aliasing's marker, in the function itself

# -- globals, closures, defaults, decorators -----------------------------------------
LAM = 0.1


def reg(x):
    return LAM * x ** 2


def reg_j(x):
    return LAM * x ** 2


def _lam(v):
    def set_lam():
        global LAM
        LAM = v
    return set_lam


W = np.ones(3)


def wsum(x):
    return np.sum(W * x)        # wsum


def wsum_j(x):
    return jnp.sum(jnp.asarray(W) * x)


def _w_rebound():
    global W
    W = np.array([2.0, -1.0, 0.5])


def _w_in_place():
    W[:] = 5.0


def _w_reset():
    global W
    W = np.ones(3)


MASK = np.array([True, False, True])


def masked(x, y):
    return np.sum(np.where(MASK, x, y))         # masked


def masked_j(x, y):
    return jnp.sum(jnp.where(MASK, x, y))


def _mask_flip():
    MASK[:] = [False, True, True]


def _mask_reset():
    MASK[:] = [True, False, True]


def _closure_mask():
    mask = np.array([True, False, True])

    def cmask(x, y):
        return np.sum(np.where(mask, x, y))     # cmask

    def cmask_j(x, y):
        return jnp.sum(jnp.where(mask, x, y))
    return cmask, cmask_j


def _counter():
    k = 1.0

    def knl(x):
        return k * x * x

    def setk():
        nonlocal k
        k = 5.0
    return knl, setk


def kdef(x, k=1.0):
    return k * x * x


def _kdef_defaults(v):
    def set_defaults():
        kdef.__defaults__ = (v,)
    return set_defaults


@_scaled(10.0)
def wrapped_sq(x):
    return x * x


C_CONST = np.arange(3.0)


def with_constants(x):
    return x * x, C_CONST


def with_constants_j(x):
    return x * x, jnp.asarray(C_CONST)


def fdefault(x, _r=np.sum):
    return _r(x * x)


# -- aliasing (the bullets' programs are tests/test_aliasing.py's) ----------------------
def copy_write_j(x):
    return jnp.sum(x * x.at[1].add(-1.0))


def peak_write_j(s):
    return jnp.sum((s * jnp.ones((3, 2))).max(axis=1).at[2:].set(5.0))


def clip_helper(a, hi):
    a[a > hi] = hi              # clip_helper
    return a


def clip_caller(x):
    y = x * 2.0
    z = clip_helper(y, 1.0)
    return np.sum(z * z)


def clip_caller_j(x):
    y = x * 2.0
    return jnp.sum(jnp.where(y > 1.0, 1.0, y) ** 2)


def clip_reader(x):
    y = x * 2.0
    z = clip_helper(y, 1.0)     # y is read below: the helper's write is rejected
    return np.sum(z * y)


def set_first(a, k):
    a[0] = a[1] * k
    a[2] += a[0]
    return a


def helper_writes(x):
    y = np.exp(x)               # read by the reverse sweep: the helper must not change it
    z = set_first(y * 1.0, 3.0)
    return np.sum(z * y)


def helper_writes_j(x):
    y = jnp.exp(x)
    z = y.at[0].set(y[1] * 3.0)
    return jnp.sum(z.at[2].add(z[0]) * y)


def helper_chain(x):
    z = set_first(np.exp(x), 3.0)
    w = set_first(z, 2.0)
    return np.sum(w * x)


# -- containers, rules, types ---------------------------------------------------------
def stack_one(x):
    return np.sum(np.stack([x])[0, 1] - np.ones(4))     # stack_one


def stack_one_j(x):
    return jnp.sum(jnp.stack([x])[0, 1] - jnp.ones(4))


def complex_loss(a, b):
    return np.sum(np.abs(a + b) ** 2)           # complex_loss


def complex_loss_j(a, b):
    return jnp.sum(jnp.abs(a + b) ** 2)


B_COMPLEX = np.array([1 + 1j, 2 + 0j, -0.5j])


def int_power(x, n):
    return x * n ** 3                           # int_power


def index_array(x):
    idx = np.array([0, 3, 3, 5])
    return np.sum(x[idx] ** 2)                  # index_array


def index_array_j(x):
    return jnp.sum(x[jnp.array([0, 3, 3, 5])] ** 2)


def norm_list(x):
    return np.linalg.norm([x, x + 2.0])         # norm_list


def repeat_zero(x):
    return np.sum(np.repeat(x, 0)) + np.sum(x * x)      # repeat_zero


def bool_mask(x):
    m = np.array([True, False, True, False, False, True])
    return np.sum(x[m] ** 3) + np.sum(np.array([1, 2, 3, 4, 5, 6]) * x) / 4    # bool_mask


def bool_mask_j(x):
    m = jnp.array([True, False, True, False, False, True])
    return jnp.sum(x[m] ** 3) + jnp.sum(jnp.array([1, 2, 3, 4, 5, 6]) * x) / 4


def seed25(s):
    """tools/fuzz.py --arrays --seed 25: C stored a value read later only for its shape."""
    if np.all(s * np.ones(4) > 1.5):
        return 1.0
    s += 1.0
    y0 = np.ones(3)
    y0[:] = np.sum(s * np.ones((3, 2)), axis=1)
    return y0[1]


def seed25_j(s):
    return jnp.sum((s + 1.0) * jnp.ones((3, 2)), axis=1)[1]


def reduce_mul(x):
    return functools.reduce(lambda a, b: a * b, [x[0], x[1], x[2]])


def reduce_array(x):
    return functools.reduce(lambda a, b: a + b, x)      # reduce_array


def rows(Row):
    knl, setk = _counter()
    cmask, cmask_j = _closure_mask()
    return [
        Row("global_number_rebound", reg, (1.0,), reg_j, states=(_lam(10.0),),
            reset=_lam(0.1)),
        Row("global_array_rebound", wsum, (X3,), wsum_j, {"c": "# wsum"},
            states=(_w_rebound,), reset=_w_reset),
        Row("global_array_in_place", wsum, (X3,), wsum_j, {"c": "# wsum"},
            states=(_w_in_place,), reset=_w_reset),
        Row("global_mask", masked, (X3, -X3), masked_j, {"c": "# masked"},
            states=(_mask_flip,), reset=_mask_reset),
        Row("closure_mask", cmask, (X3, -X3), cmask_j, {"c": "# cmask"}),
        Row("nonlocal_reassigned", knl, (1.5,), states=(setk,)),
        Row("defaults_replaced", kdef, (1.5,), states=(_kdef_defaults(7.0),),
            reset=_kdef_defaults(1.0)),
        Row("wraps_decorator", wrapped_sq, (1.5,)),
        Row("function_default", fdefault, (X3,), lambda x: jnp.sum(x * x)),
        Row("alias", alias, (X3,), reject=WRITE),
        Row("view_write", view_write, (X3,), reject=WRITE),
        Row("rebind_augmented", rebind_augmented, (X3,), reject=WRITE),
        Row("asarray_write", asarray_write, (X3,), reject=WRITE),
        Row("column_view", column_view, (B32,), reject=WRITE),
        Row("rows_in_place", rows_in_place, (B32,), reject=WRITE),
        Row("list_then_write", list_then_write, (X3,), reject=WRITE),
        Row("helper_result_write", helper_result_write, (X3,), reject=WRITE),
        Row("alias_in_loop", alias_in_loop, (X3,), reject=WRITE),
        Row("copy_write", copy_then_write, (X3,), copy_write_j),
        Row("peak_write", helper_max_write, (1.5,), peak_write_j),
        Row("clip_helper", clip_caller, (X3,), clip_caller_j,     # a mask write's adjoint: not on numba/C
            {"numba-grad": "# clip_helper", "c": "# clip_helper"}),
        Row("helper_writes_param", helper_writes, (X3,), helper_writes_j),
        Row("helper_writes_chained", helper_chain, (X3,)),
        Row("clip_reader", clip_reader, (X3,), reject={b: "# clip_helper" for b in EVERY}),
        Row("sum_list", lambda x: np.sum([x, 2.0 * x]), (X3,),
            lambda x: jnp.sum(jnp.array([x, 2.0 * x]))),
        Row("mean_list", lambda x: np.mean([x, x + 2.0]), (X3,),
            lambda x: jnp.mean(jnp.array([x, x + 2.0]))),
        Row("norm_list", norm_list, (X3,), lambda x: jnp.linalg.norm(jnp.array([x, x + 2.0])),
            {"c": "# norm_list"}),
        Row("sum_mixed_list", lambda a: np.sum([1, a * a, 2]), (1.3,),
            lambda a: jnp.sum(jnp.array([1, a * a, 2]))),
        Row("stack_jvp", stack_one, (np.ones(3),), stack_one_j, {"c": "# stack_one"}),
        Row("prod_zero", lambda x: np.prod(x), (np.array([0.0, 2.0, 3.0]),), jnp.prod),
        Row("complex_loss", complex_loss, (X3, B_COMPLEX), complex_loss_j,
            {"numba": "# complex_loss", "c": "# complex_loss"}),
        Row("int_power", int_power, (1.5, 3_000_000), reject={"c": "# int_power",
                                                              "numba": "OverflowError"}),
        Row("repeat_zero", repeat_zero, (X3,),
            lambda x: jnp.sum(jnp.repeat(x, 0)) + jnp.sum(x * x), {"c": "# repeat_zero"}),
        Row("index_array", index_array, (np.arange(6.0),), index_array_j,
            {"numba-grad": "# index_array", "c": "# index_array"}),
        Row("bool_mask_array", bool_mask, (np.arange(6.0),), bool_mask_j,
            {"numba": "# bool_mask", "c": "# bool_mask"}),
        Row("fuzz_seed_25", seed25, (1.0523,), seed25_j),
        Row("factorial", lambda x: x * math.factorial(4), (1.5,)),
        Row("reduce", reduce_mul, (X3,), lambda x: x[0] * x[1] * x[2]),
        Row("reduce_array", reduce_array, (X3,), reject={b: "# reduce_array" for b in EVERY}),
    ]
