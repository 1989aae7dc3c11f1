"""One check for pass tests: pullback's gradient against JAX's and central differences
(never against pullback's own output), returning the generated gradient function's
source so the test can also say what the code looks like."""
import jax
import numpy as np

import pullback

jax.config.update("jax_enable_x64", True)


def fd_grad(f, args, i, h=1e-6):
    """Central differences of scalar ``f`` in argument ``i`` (an array), element by element."""
    x = np.array(args[i], dtype=float)
    out = np.zeros_like(x)
    for j in np.ndindex(x.shape):
        up, dn = list(args), list(args)
        up[i], dn[i] = x.copy(), x.copy()
        up[i][j] += h
        dn[i][j] -= h
        out[j] = (f(*up) - f(*dn)) / (2 * h)
    return out


def checked_source(f, f_jax, args, argnum=0):
    """Assert ``grad(f)`` agrees with JAX's grad of ``f_jax`` and with central differences;
    the source of the generated ``<f>_grad`` function."""
    g = pullback.grad(f, argnums=argnum)
    got = g(*args)
    assert np.allclose(got, jax.grad(f_jax, argnums=argnum)(*args), rtol=1e-10, atol=1e-12)
    assert np.allclose(got, fd_grad(f, args, argnum), rtol=1e-5, atol=1e-7)
    src = pullback.source(g)
    return src[src.index(f"def {f.__name__}_grad"):]
