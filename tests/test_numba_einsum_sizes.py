"""np.einsum on the Numba backend with a letter of size 1 in one operand and n in another:
NumPy broadcasts it, the generated loops read past the size-1 axis (audit, issue 11:
'np.einsum("i,i->", np.ones(1) * x[0], x)' gave the jvp's value 0.025 where NumPy gives
-0.095, and the gradient failed inside Numba).  Such an einsum is rejected at its line
on Numba; the python backend is checked against JAX and central differences."""
import numpy as np
import pytest

pytest.importorskip("numba")
jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

import pullback  # noqa: E402
from pullback.errors import UnsupportedError  # noqa: E402
from jax_fd import fd_grad  # noqa: E402

jax.config.update("jax_enable_x64", True)
X = np.array([0.3, -1.2, 0.8])


def broadcast_letter(x):
    return np.einsum("i,i->", np.ones(1) * x[0], x)       # size 1 against 3


@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_a_broadcast_letter_is_rejected_on_numba_at_its_line(mode):
    with pytest.raises(UnsupportedError, match="one size in every operand") as e:
        if mode == "grad":
            pullback.grad(broadcast_letter, backend="numba")(X)
        else:
            pullback.jvp(broadcast_letter, (X,), (np.ones(3),), backend="numba")
    assert e.value.filename == __file__ and \
        "# size 1 against 3" in open(__file__).readlines()[e.value.line - 1]


def test_the_python_backend_broadcasts_it():
    got = pullback.grad(broadcast_letter)(X)
    want = jax.grad(lambda x: jnp.einsum("i,i->", jnp.ones(1) * x[0], x))(X)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(got, fd_grad(broadcast_letter, [X], 0), rtol=1e-6)
