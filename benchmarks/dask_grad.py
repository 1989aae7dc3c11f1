"""dask: the gradient of a logistic-regression loss over 1 000 000 rows, as NumPy in one
process and as one Dask graph on a LocalCluster of 1 and 2 workers (threads, one each).

The Dask rows read X and y block by block (``read_rows``, a copy as from storage), counting
the bytes each worker reads per gradient (each chunk once: the two workers' bytes add up to the data's size).  The note
gives rows of gradient evaluation per second.  ``python -m benchmarks --only dask``.
"""
import atexit
import threading

import numpy as np

import pullback

from .harness import Row

N, D, CHUNK = 1_000_000, 16, 125_000
TITLE = "dask: logistic-regression gradient, 1 000 000 × 16 (NumPy, Dask on 1 and 2 workers)"
REFERENCE = "pullback, NumPy, one process"
BASELINES = (REFERENCE,)
_rng = np.random.default_rng(0)
X = _rng.normal(size=(N, D))
Y = (_rng.random(N) > 0.5) * 1.0
W = _rng.normal(size=D) * 0.1
READ = {}           # row label -> {worker name: bytes read in one gradient}
_CLOSE = []


def loss(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


SOURCES = {"X": X, "y": Y}
_COUNT, _LOCK = {}, threading.Lock()      # worker name -> bytes read (workers are threads)


def read_rows(name, block_id=None):
    """One row block of ``SOURCES[name]``, copied as a read from storage would; counted
    for the worker that runs it (a module function: the graph holds no data)."""
    from distributed import get_worker
    rows = slice(block_id[0] * CHUNK, (block_id[0] + 1) * CHUNK)
    out = SOURCES[name][rows].copy()
    with _LOCK:
        who = get_worker().name
        _COUNT[who] = _COUNT.get(who, 0) + out.nbytes
    return out


def source(name):
    import dask.array as da
    a = SOURCES[name]
    chunks = ((CHUNK,) * (N // CHUNK),) + tuple((n,) for n in a.shape[1:])
    return da.map_blocks(read_rows, name, chunks=chunks, dtype=a.dtype,
                         meta=np.empty((0,) * a.ndim), name=f"read-{name}")


def make_numpy():
    g = pullback.grad(loss, argnums=(0, 1))
    READ[REFERENCE] = {"one process": X.nbytes + Y.nbytes}
    return lambda: g(W, 0.1, X, Y)


def make_dask(workers):
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=False,
                           dashboard_address=None)
    client = Client(cluster, set_as_default=False)
    _CLOSE.extend([client, cluster])
    Xd, yd = source("X"), source("y")
    g = pullback.grad(loss, argnums=(0, 1))

    def call():
        return tuple(client.compute(list(g(W, 0.1, Xd, yd)), sync=True))
    call()                                          # warm: the derivative and the workers
    _COUNT.clear()
    call()
    READ[_label(workers)] = dict(_COUNT)
    return call


def _label(workers):
    return f"pullback, Dask, {workers} worker{'s' if workers > 1 else ''}"


def rows():
    return [Row(REFERENCE, "pullback", make_numpy),
            Row(_label(1), "pullback", lambda: make_dask(1)),
            Row(_label(2), "pullback", lambda: make_dask(2))]


def annotate(results):
    """Notes: rows per second, and the bytes each worker read in one gradient."""
    for r in results:
        if r.median_s is None:
            continue
        read = READ.get(r.label, {})
        per = ", ".join(f"{k}: {v / 1e6:.0f} MB" for k, v in sorted(read.items(), key=str))
        r.note = f"{N / r.median_s / 1e6:.1f} M rows/s; read per gradient: {per} " \
                 f"(data {(X.nbytes + Y.nbytes) / 1e6:.0f} MB)"


@atexit.register
def _close():
    for c in _CLOSE:
        c.close()
