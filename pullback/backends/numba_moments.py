"""np.var and np.std over axes, with ddof and keepdims, for the Numba backend.

Nopython ``np.var``/``np.std`` take the whole array and no ``ddof``: a batch norm's
``x.var(axis=0)`` or a layer norm's ``x.std(axis=-1, keepdims=True)`` did not compile.
Each call with a static shape becomes a generated function, two passes over each output
cell's elements (the mean, then the squared deviations), as NumPy computes them::

    np.var(x, 0, 1, False)   (x 6x4)  ->  _var_6x4_a0_d1_to_4(x)

Invariant: the value equals NumPy's for the shape, axes, ddof and keepdims it was printed
for; the whole-array, ddof-0 form is left to Numba's own (``None``).
"""
import math

from .numba_twins import _tag as tag, _tup as tup


def moment_text(p, op, shape, axes, out, ddof, arg):
    """``op(arg, axes, ddof)`` reshaped to ``out`` as nopython text, or None."""
    if len(axes) == len(shape) and ddof == 0 and not out:
        return None
    keep = [i for i in range(len(shape)) if i not in axes]
    perm = keep + list(axes)
    m, r = math.prod(shape[i] for i in keep), math.prod(shape[i] for i in axes)
    name = (f"_{op}_{tag(shape)}_a{''.join(map(str, axes))}_d{ddof}_to_{tag(out)}"
            .replace("-", "m"))
    view = "np.ascontiguousarray(x)" if perm == list(range(len(shape))) else \
        f"np.ascontiguousarray(x.transpose({tup(tuple(perm))}))"
    root = "math.sqrt(acc / (%d - %d))" if op == "std" else "acc / (%d - %d)"
    p.generated.setdefault(name, f'''
def {name}(x):
    v2 = {view}.reshape(({m}, {r}))
    out = np.empty({m})
    for i in range({m}):
        mu = 0.0
        for j in range({r}):
            mu += v2[i, j]
        mu /= {r}
        acc = 0.0
        for j in range({r}):
            acc += (v2[i, j] - mu) ** 2
        out[i] = {root % (r, ddof)}
    return {"out[0]" if not out else f"out.reshape({tup(out)})"}''')
    return f"{name}({arg})"
