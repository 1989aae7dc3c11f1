"""Forward (tangent) rules of the NumPy primitives declared with reverse rules only.

One expression per parameter over ``t``, the tangent of that parameter, the
parameters and ``y`` (the output); None where no derivative flows.  The forward
transform adds up the contributions of the active parameters; inactive ones
contribute nothing, and tangents broadcast like values (no unbroadcast).

A linear function's forward rule is the function itself applied to the tangent;
so are those of the helpers reverse-mode code calls (``unbroadcast``,
``expand_to``, ``getitem_vjp``, ``matmul_vjp_a`` ...), which makes forward over
reverse (Hessians) work on array programs.  ``setitem`` is handled by the
transform itself (``x_dot[idx] = v_dot`` in place).  An array primitive with an
active argument and no rule here is rejected with its line.
"""
from .registry import PRIMITIVES, forward_rule


def _linear(name, k=0):
    """``name`` is linear in parameter ``k``: its rule is itself with ``t`` there."""
    params = list(PRIMITIVES[name].params)
    args = ", ".join("t" if i == k else p for i, p in enumerate(params))
    rules = [None] * len(params)
    rules[k] = f"{name}({args})"
    forward_rule(name, *rules)


# -- functions linear in their first argument ------------------------------------
for _name in ("unbroadcast", "expand_like", "expand_to", "getitem_vjp", "like", "transpose_vjp",
              "cumsum_vjp", "split_part_vjp", "concat_first", "concat_second", "tile_vjp",
              "repeat_vjp", "pad_vjp", "take_vjp", "take_along_axis_vjp", "sort_vjp",
              "astype_like", "diag_vjp", "trace_vjp", "sum", "mean", "cumsum", "trace",
              "reshape", "ravel", "flatten", "transpose", "swapaxes", "moveaxis", "expand_dims",
              "squeeze", "broadcast_to", "atleast_2d", "split_part", "tile", "repeat", "flip",
              "roll", "pad", "diag", "copy_array", "astype", "getitem", "getitem_copy", "take",
              "take_along_axis", "asarray", "tril", "triu", "diagonal", "diagonal_vjp", "diff",
              "diff_vjp", "hstack_first", "hstack_second", "array_split_part",
              "array_split_part_vjp"):
    _linear(_name)

# -- products: linear in each factor ------------------------------------------------
for _name in ("matmul", "dot", "inner", "vdot", "outer", "tensordot"):
    _p = PRIMITIVES[_name].params
    forward_rule(_name, *[f"{_name}({', '.join('t' if j == i else p for j, p in enumerate(_p))})"
                          if i < 2 else None for i in range(len(_p))])
for _name in ("matmul_vjp_a", "matmul_vjp_b", "dot_vjp_a", "dot_vjp_b", "inner_vjp_a",
              "inner_vjp_b", "tensordot_vjp_a", "tensordot_vjp_b"):
    # g and the other factor enter linearly; the factor named by the suffix only by shape
    _other = 2 if _name.endswith("_a") else 1
    _p = PRIMITIVES[_name].params
    forward_rule(_name, *[f"{_name}({', '.join('t' if j == i else p for j, p in enumerate(_p))})"
                          if i in (0, _other) else None for i in range(len(_p))])
for _n in range(1, 5):
    _p = PRIMITIVES[f"einsum{_n}"].params
    forward_rule(f"einsum{_n}", None, *[
        f"einsum{_n}({', '.join('t' if j == i else p for j, p in enumerate(_p))})"
        for i in range(1, len(_p))])
forward_rule("concat2", "concat2(t, zeros_like(b), axis)", "concat2(zeros_like(a), t, axis)")
forward_rule("hstack2", "hstack2(t, zeros_like(b))", "hstack2(zeros_like(a), t)")
forward_rule("full", None, "full(shape, t, dtype)")
forward_rule("full_like", None, "full_like(x, t, dtype)")
forward_rule("linspace", "(1.0 - linspace_weights(y, num, endpoint)) * t",
             "linspace_weights(y, num, endpoint) * t")

# -- nonlinear reductions -------------------------------------------------------------
forward_rule("prod", "sum(t * prod_others(x, axis), axis, keepdims)")
forward_rule("cumprod", "cumprod_jvp(t, x, axis)")
for _name in ("amax", "amin"):
    forward_rule(_name, "sum(t * extremum_mask(x, y, axis, keepdims), axis, keepdims)")
forward_rule("var", "sum(t * 2.0 * (x - mean(x, axis, True)), axis, keepdims) / "
             "(count(x, axis) - ddof)")
forward_rule("std", "sum(t * (x - mean(x, axis, True)), axis, keepdims) / "
             "((count(x, axis) - ddof) * y)")
forward_rule("norm", "sum(norm_vjp(ones_like(y), x, y, ord, axis, keepdims) * t, axis, keepdims)")
forward_rule("stack", "stack(t, axis)")
forward_rule("sort", "take_along_axis(t, argsort(x, axis), axis)")

# -- linear algebra -------------------------------------------------------------------
forward_rule("inv", "-matmul(matmul(y, t), y)")
forward_rule("pinv", "-matmul(matmul(y, t), y) + matmul(matmul(y, swapaxes(y, -1, -2)), "
             "swapaxes(t, -1, -2) - matmul(swapaxes(t, -1, -2), matmul(x, y))) + "
             "matmul(swapaxes(t, -1, -2) - matmul(matmul(y, x), swapaxes(t, -1, -2)), "
             "matmul(swapaxes(y, -1, -2), y))")
_TR = "sum(sum(swapaxes(inv(x), -1, -2) * t, -1, False), -1, False)"    # trace(inv(x) @ t)
forward_rule("det", f"y * {_TR}")
forward_rule("slogdet_logabs", _TR)
forward_rule("solve", "-solve(a, matmul(t, y))", "solve(a, t)")
# its reverse rule's helpers (Hessians): gb = a^-T g is linear in g, and d(gb) = a^-T (-t^T gb)
# in a; solve_vjp_a = -gb x^T is linear in g and in x
_DGB = "-matmul(swapaxes(t, -1, -2), solve_vjp_b(g, a, b))"
forward_rule("solve_vjp_b", "solve_vjp_b(t, a, b)", "solve_vjp_b(-matmul(swapaxes(t, -1, -2), y), a, b)")
forward_rule("solve_vjp_a", "solve_vjp_a(t, a, b, x)", f"solve_vjp_a({_DGB}, a, b, x)", None,
             "solve_vjp_a(g, a, b, t)")
# cholesky and eigh read one triangle of x: the tangent they see is that triangle,
# mirrored (Giles; Murray, "Differentiation of the Cholesky decomposition")
_LOW = "(tril(t, 0) + swapaxes(tril(t, -1), -1, -2))"
_UP = "(triu(t, 0) + swapaxes(triu(t, 1), -1, -2))"
_X = f"solve(y, swapaxes(solve(y, {_LOW}), -1, -2))"          # L^-1 S L^-T
forward_rule("cholesky", f"matmul(y, tril({_X}, -1) + 0.5 * triu(tril({_X}, 0), 0))")
_V = "eigh_v(x, UPLO)"
forward_rule("eigh_w", f"sum({_V} * matmul(select(UPLO == 'L', {_LOW}, {_UP}), {_V}), -2, False)")

if "logsumexp" in PRIMITIVES:       # scipy.special
    _W = "exp(a - expand_to(y, a, axis, keepdims))"
    forward_rule("logsumexp", f"sum({_W} * logsumexp_weight(b) * t, axis, keepdims)", None,
                 f"sum({_W} * t, axis, keepdims)")
    forward_rule("softmax", "y * (t - sum(t * y, axis, True))")
    forward_rule("log_softmax", "t - sum(exp(y) * t, axis, True)")
