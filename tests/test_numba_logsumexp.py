"""logsumexp's adjoint on the Numba backend is one loop (numba_arrays.lse_grad_fn): the
rule table's logsumexp rows (a number, axis=1 with a weighted adjoint, keepdims) against
JAX and central differences, through the twins' row check."""
import pytest

pytest.importorskip("numba")

from test_numba_twins import BY_ID, _check_row_on_numba  # noqa: E402


@pytest.mark.parametrize("rid", ["logsumexp-0", "logsumexp-1", "logsumexp-2"])
def test_logsumexp_adjoint_loop_matches_jax_and_differences(rid):
    _check_row_on_numba(BY_ID[rid])
