"""Gradients over Dask arrays on a LocalCluster (issue 19).

Vectorised losses: ``pullback.grad`` of a loss over a chunked Dask array returns lazy Dask
arrays, and computing them on a two-worker cluster gives JAX's gradient.  Losses written
as loops over examples: ``pullback.distributed`` maps the Numba gradient over partitions
and adds them in a tree; checked against JAX on the whole data.  One in-process cluster
(``processes=False``) serves the module, to stay fast.
"""
import os
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
import pullback.distributed  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
import dask_logistic as ex  # noqa: E402   (its per-example loss is checked here too)

jax.config.update("jax_enable_x64", True)


def logistic(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def logistic_jax(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + jnp.exp(-z))
    return -jnp.mean(y * jnp.log(p) + (1 - y) * jnp.log(1 - p))


def per_example_jax(w, c, X, y):
    z = X @ w + c
    return jnp.sum(jnp.log(1.0 + jnp.exp(-z)) + (1.0 - y) * z)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def data(n=120, d=4, chunk=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (rng.random(n) > 0.5) * 1.0
    return X, y, da.from_array(X, chunks=(chunk, d)), da.from_array(y, chunks=chunk)


def test_grad_of_a_dask_loss_is_lazy_and_right(client):
    X, y, Xd, yd = data()
    w, b = np.linspace(-0.5, 0.5, 4), 0.2
    w_bar, b_bar = pullback.grad(logistic, argnums=(0, 1))(w, b, Xd, yd)
    assert isinstance(w_bar, da.Array) and isinstance(b_bar, da.Array)
    w_got, b_got = dask.compute(w_bar, b_bar)     # on the cluster (the default client)
    w_want, b_want = jax.grad(logistic_jax, argnums=(0, 1))(w, b, X, y)
    np.testing.assert_allclose(w_got, w_want, rtol=1e-12)
    assert float(b_got) == pytest.approx(float(b_want), rel=1e-12)


def test_the_graph_reads_each_chunk_once(client):
    """One task per chunk of X in the gradient's graph, shared by both of X's uses."""
    X, y, Xd, yd = data()
    w_bar, b_bar = pullback.grad(logistic, argnums=(0, 1))(np.zeros(4), 0.0, Xd, yd)
    graph = dict(dask.array.core.Array.__dask_graph__(w_bar))
    graph.update(dict(b_bar.__dask_graph__()))
    x_chunks = [k for k in graph if isinstance(k, tuple) and k[0] == Xd.name]
    assert len(x_chunks) == Xd.npartitions


def test_distributed_per_example_loss(client):
    pytest.importorskip("numba")
    X, y, Xd, yd = data(n=80, chunk=40)         # one block shape: one Numba compile
    w, c = np.linspace(-0.3, 0.6, 4), 0.1
    value, (w_bar, c_bar) = pullback.distributed.value_and_grad(
        ex.per_example, argnums=(0, 1), split_every=2)(w, c, Xd, yd)
    w_want, c_want = jax.grad(per_example_jax, argnums=(0, 1))(w, c, X, y)
    np.testing.assert_allclose(w_bar, w_want, rtol=1e-11)
    assert c_bar == pytest.approx(float(c_want), rel=1e-11)
    assert value == pytest.approx(float(per_example_jax(w, c, X, y)), rel=1e-12)


def test_distributed_refuses_differentiating_the_data(client):
    X, y, Xd, yd = data()
    with pytest.raises(TypeError, match="argnums"):
        pullback.distributed.grad(ex.per_example, argnums=2)(np.zeros(4), 0.0, Xd, yd)


def test_example_fit_matches_numpy_and_is_optimal(client):
    """examples/dask_logistic.py: L-BFGS on the Dask gradient lands where the NumPy run
    does, and JAX's gradient of the loss vanishes there."""
    X, y = ex.make_data(n=2000, d=4)
    on_dask = ex.fit(da.from_array(X, chunks=(500, 4)), da.from_array(y, chunks=500))
    on_numpy = ex.fit(X, y)
    np.testing.assert_allclose(on_dask.x, on_numpy.x, rtol=1e-9, atol=1e-12)

    def loss_jax(w, b):
        p = 1.0 / (1.0 + jnp.exp(-(X @ w + b)))
        return -jnp.mean(y * jnp.log(p) + (1 - y) * jnp.log(1 - p)) + \
            0.5 * ex.LAM * jnp.sum(w * w)
    w_bar, b_bar = jax.grad(loss_jax, argnums=(0, 1))(on_dask.x[:-1], on_dask.x[-1])
    assert np.max(np.abs(np.append(w_bar, b_bar))) < 1e-6


def test_scatter_adjoints_on_dask(client):
    """Repeated indices (np.add.at on NumPy): Dask's adjoint adds in rounds of writes."""
    from test_foreign_arrays import _case, jax_twin
    f, (w, X, idx), nums = _case("gather")
    got = pullback.grad(f, argnums=nums)(da.from_array(w, chunks=2),
                                         da.from_array(X, chunks=(4, 3)), idx)
    assert all(isinstance(g, da.Array) for g in got)
    want = jax.grad(jax_twin(f), argnums=nums)(w, X, idx)
    for g, ref in zip(dask.compute(*got), want):
        np.testing.assert_allclose(g, ref, rtol=1e-12)
