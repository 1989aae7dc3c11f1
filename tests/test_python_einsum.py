"""Two-operand einsums printed as matrix products (backends/python_einsum.py): the
gradient against JAX and central differences for each way the letters sort (batch,
contracted, left, right; several letters in one part; an output in another order), and
the printed forms: a matmul where it applies, the einsum where it does not."""
import jax.numpy as jnp
import numpy as np
import pytest

from jax_fd import checked_source

R = np.random.default_rng(17)
SPECS = [  # (subscripts, shapes of the two operands, printed as matmul?)
    ("kij,nkj->nki", ((3, 2, 2), (4, 3, 2)), True),
    ("nki,nkj->kij", ((4, 3, 2), (4, 3, 2)), True),
    ("kij,pij->kp", ((3, 2, 2), (2, 2, 2)), True),      # two contracted letters
    ("kp,pij->kij", ((3, 2), (2, 2, 2)), True),         # two right letters
    ("ij,jk->ki", ((2, 3), (3, 4)), True),              # output transposed
    ("ij,j->i", ((2, 3), (3,)), True),                  # no right letter
    ("...ij,...jk->...ik", ((2, 3, 2), (2, 2, 3)), True),
    ("ni,ni->n", ((4, 3), (4, 3)), False),              # a batch of dot products
    ("ii,ij->j", ((3, 3), (3, 2)), False),              # a diagonal
    ("ij,jk->", ((2, 3), (3, 2)), False),               # a scalar
    ("ij,kj->i", ((2, 3), (4, 3)), False),              # k summed in one operand alone
]


@pytest.mark.parametrize("subs, shapes, as_matmul", SPECS, ids=[s for s, _, _ in SPECS])
def test_einsum_gradient_as_matmul(subs, shapes, as_matmul):
    a, b = (R.standard_normal(s) for s in shapes)

    def f(a, b):
        return np.sum(np.sin(np.einsum(subs, a, b)))

    def fj(a, b):
        return jnp.sum(jnp.sin(jnp.einsum(subs, a, b)))
    for argnum in (0, 1):
        src = checked_source(f, fj, (a, b), argnum)
    forward = src.splitlines()[1]       # the primal's einsum, the first line of the body
    assert ("@" in forward) == as_matmul, src
    if as_matmul:
        assert "einsum" not in src, src
