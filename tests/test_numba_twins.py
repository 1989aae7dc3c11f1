"""Every helper a rule can print into generated code has a nopython version on the Numba
backend, or a reasoned exemption printed by the test; each twin is checked by running the
rule table's rows on the Numba backend against JAX and central finite differences (the
oracles of test_numpy_rules.py), never against pullback's own Python backend."""
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

pytest.importorskip("numba")

import pullback  # noqa: E402
from pullback.backends import numba_arrays, numba_layout, numba_lists, numba_twins  # noqa: E402
from pullback.backends.numba_helpers import HELPERS  # noqa: E402
from pullback.rules import PRIMITIVES  # noqa: E402
from test_numpy_rules import ROWS, differentiated, fd_grad, inputs, jax_twin, objective  # noqa: E402

jax.config.update("jax_enable_x64", True)

# helper primitives with no nopython version, and why (printed by the test; the Numba backend
# rejects each at the user's line, naming it)
EXEMPT = {
    "run_draw": "random draws run once in the forward sweep on the user's generator object: "
                "Python backend only by design",
    "run_effect": "print/warnings/logging effects: Python backend only by design",
    "tensordot_vjp_a": "np.tensordot: not written yet (np.einsum and @ have twins)",
    "tensordot_vjp_b": "np.tensordot: not written yet",
    "interp_slope": "np.interp: not written yet", "interp_fp_jvp": "np.interp: not written yet",
    "interp_fp_vjp": "np.interp: not written yet",
    "prod_others_jvp": "forward mode of np.prod: not written yet",
    "index_list": "fancy indexing with run-time lists: basic indices only on Numba",
    "linspace_weights": "np.linspace with a differentiated endpoint: not written yet",
    "arange_start_vjp": "np.arange with differentiated bounds: not written yet",
    "arange_step_vjp": "np.arange with differentiated bounds: not written yet",
    "logsumexp_weight": "scipy.special.logsumexp with weights b: SciPy is not nopython",
    "cabs_jvp": "complex values: python backend only (rejected at the user's line on Numba)",
    "cabs_vjp": "complex values: python backend only (rejected at the user's line on Numba)",
    "cangle_jvp": "complex values: python backend only (rejected at the user's line on Numba)",
    "cangle_vjp": "complex values: python backend only (rejected at the user's line on Numba)",
    "fft2_vjp": "complex values: python backend only (rejected at the user's line on Numba)",
    "fft_vjp": "complex values: python backend only (rejected at the user's line on Numba)",
    "ifft2_vjp": "complex values: python backend only (rejected at the user's line on Numba)",
    "ifft_vjp": "complex values: python backend only (rejected at the user's line on Numba)",
    "imag_vjp": "complex values: python backend only (rejected at the user's line on Numba)",
    "irfft_vjp": "complex values: python backend only (rejected at the user's line on Numba)",
    "rfft_vjp": "complex values: python backend only (rejected at the user's line on Numba)",
    "python_only": "marks a form the Numba backend rejects at the user's line",
    "zeta_dx": "scipy.special.zeta's derivative in x: scipy.special.zeta itself is not nopython",
    "lstsq_residuals": "np.linalg.lstsq residuals: not written yet",
    "lstsq_residuals_vjp": "np.linalg.lstsq residuals: not written yet",
    "lstsq_residuals_jvp": "np.linalg.lstsq residuals: not written yet",
    "norm_vjp_dx": "second derivatives through np.linalg.norm: not written yet",
    "norm_vjp_dy": "second derivatives through np.linalg.norm: not written yet",
    "svd_s": "np.linalg.svd: not written yet", "svd_u": "np.linalg.svd: not written yet",
    "svd_vh": "np.linalg.svd: not written yet", "svd_s_vjp": "np.linalg.svd: not written yet",
    "svd_vectors_vjp": "np.linalg.svd: not written yet",
    "svd_vectors_jvp": "np.linalg.svd: not written yet",
    "svd_s_jvp": "np.linalg.svd: not written yet",
    "lu_packed": "scipy.linalg.lu_factor: SciPy is not nopython",
    "lu_packed_vjp": "scipy.linalg.lu_factor: SciPy is not nopython",
    "lu_packed_jvp": "scipy.linalg.lu_factor: SciPy is not nopython",
    "lu_perm": "scipy.linalg.lu_factor: SciPy is not nopython",
    "lu_piv": "scipy.linalg.lu_factor: SciPy is not nopython",
    "convolve": "np.convolve, scipy.signal.convolve/correlate: not written yet",
    "convolve_vjp_a": "np.convolve, scipy.signal.convolve/correlate: not written yet",
    "convolve_vjp_b": "np.convolve, scipy.signal.convolve/correlate: not written yet",
    "convolve_axes": "convolution over some axes (autograd's signature): not written yet",
    "convolve_axes_vjp_a": "convolution over some axes (autograd's signature): not written yet",
    "convolve_axes_vjp_b": "convolution over some axes (autograd's signature): not written yet",
}
PRINTED = set(numba_arrays.OPS) | set(numba_layout.OPS) | set(numba_twins.PRINTERS) | \
    set(numba_lists.OPS)


def _helper_ops():
    return {name: prim.helper for name, prim in PRIMITIVES.items() if prim.helper}


def _exempt(name, helper):
    return EXEMPT.get(name) or EXEMPT.get(helper)


def test_every_helper_has_a_nopython_version_or_a_reason():
    missing, exempt = [], {}
    for name, helper in sorted(_helper_ops().items()):
        covered = helper in HELPERS or name in PRINTED
        if covered:
            assert not _exempt(name, helper), f"{name} has a twin: remove its exemption"
        elif _exempt(name, helper):
            exempt.setdefault(_exempt(name, helper), []).append(name)
        else:
            missing.append(f"{name} (helper {helper})")
    print("\nhelpers without a Numba version, by exemption:",
          *[f"{', '.join(names)}: {why}" for why, names in exempt.items()], sep="\n  ",
          file=sys.stderr)
    assert not missing, f"helpers with neither a Numba version nor an exemption: {missing}"
    used = {h for n, h in _helper_ops().items()} | set(_helper_ops())
    assert not set(EXEMPT) - used, f"stale exemptions: {set(EXEMPT) - used}"


def _check_row_on_numba(row):
    xs = inputs(row)
    np.random.seed(0)
    y = row.f(*xs)
    w = np.random.default_rng(1).normal(size=np.shape(y)) if np.ndim(y) else 0.7
    nums = differentiated(xs)
    got = pullback.grad(objective(row.f, len(xs)), argnums=tuple(i + 1 for i in nums),
                        backend="numba")(w, *xs)

    def fun(*a):
        return float(np.sum(row.f(*a) * w))
    for k, i in enumerate(nums):
        np.testing.assert_allclose(got[k], fd_grad(fun, xs, i, row.h), rtol=1e-5,
                                   atol=1e-6 * row.scale, err_msg=f"{row.id}: differences")
    if row.jax:
        fj = row.jf or jax_twin(row.f)
        want = jax.grad(lambda *a: jnp.sum(fj(*a) * w), argnums=tuple(nums))(
            *[jnp.asarray(x) if isinstance(x, np.ndarray) else x for x in xs])
        for k, i in enumerate(nums):
            np.testing.assert_allclose(got[k], np.asarray(want[k]), rtol=1e-7, atol=1e-9,
                                       err_msg=f"{row.id}: JAX")


# one row per twin of numba_twins.py and the einsum diagonals (fast: small programs), and
# one row per decomposition (6-9 s each on a quiet machine: LAPACK bindings compile); the
# decompositions' other rows, 4-17 s each, are slow
FAST = ["diag-0", "diag-3", "diagonal-2", "diff-1", "tile-1", "repeat-0", "repeat-1", "pad-1",
        "einsum-1", "einsum-14", "split-1", "hstack-1", "ravel-2", "astype-0", "astype-1",
        "array_split-0", "expand_dims-1", "expand_dims-2", "det-0", "slogdet-0",
        "eigh-0", "qr-1", "cholesky-2", "norm-1", "norm-2", "norm-10",
        "var-1", "var-2", "var-4", "std-1", "std-2", "std-3",
        # numba_gathers.py: run-time indices and one axis of several
        "take-0", "take-1", "take-2", "take-3", "take_along_axis-0", "take_along_axis-1",
        "take_along_axis-2", "sort-0", "sort-1", "sort-4", "sort-5", "sort-6", "sort-7",
        "cumprod-1", "cumprod-3",
        "cumprod-4", "cumprod-5",
        # a callee's residual made in a branch (cho_factor's lower flag is a run-time bool)
        "scipy.linalg.cho_solve-0", "scipy.linalg.cho_solve-1"]
SLOW = ["eigh-1", "eigh-4", "qr-0", "qr-2", "cholesky-0", "slogdet-2", "scipy.linalg.cho_solve-2"]
BY_ID = {r.id: r for r in ROWS}


@pytest.mark.parametrize("rid", FAST)
def test_twin_on_numba_matches_jax_and_differences(rid):
    _check_row_on_numba(BY_ID[rid])


@pytest.mark.slow
@pytest.mark.parametrize("rid", SLOW)
def test_decomposition_twin_on_numba(rid):
    _check_row_on_numba(BY_ID[rid])


def _eigh_sum(a):
    return np.sum(np.linalg.eigh(a + np.swapaxes(a, -1, -2))[0])


def _det_sum(a):
    return np.sum(np.linalg.det(a))


@pytest.mark.parametrize("f", [_eigh_sum, _det_sum])
def test_a_stack_of_matrices_is_rejected_at_the_line(f):
    with pytest.raises(pullback.errors.UnsupportedError, match="test_numba_twins.py.*stacks"):
        pullback.grad(f, backend="numba")(np.random.default_rng(0).normal(size=(2, 3, 3)))


def _row_norms(x):
    return np.sum(np.linalg.norm(x, axis=1))


def test_a_norm_without_a_twin_is_rejected_at_the_line():
    # the 2-norm of all entries has a twin (rows norm-1, norm-2, norm-10 above); along an axis not
    line = _row_norms.__code__.co_firstlineno + 1
    with pytest.raises(pullback.UnsupportedError, match=rf"test_numba_twins.py:{line}:.*norm"):
        pullback.grad(_row_norms, backend="numba")(np.ones((2, 3)))
