"""Gradients of losses written as Python loops over examples, over Dask partitions.

    import pullback.distributed                        # needs Dask (pip install pullback[dask])
    g = pullback.distributed.grad(loss, argnums=0)      # loss(w, X, y) = sum over rows
    w_bar = g(w, X, y)          # X, y: Dask arrays chunked by rows; on the current scheduler

A loop over rows does not vectorise into one Dask graph (each ``X[i]`` would be a task),
so here the data are split instead: each partition's gradient is the Numba derivative of
``loss`` at that partition's rows, and the partitions' gradients (and values) are added
in a tree (``split_every`` at a time).  That is the whole gradient exactly when ``loss``
is a sum over its rows (write a mean as the sum, and divide the gradient): pullback
cannot check this, so it is the caller's statement, as for ``jax.pmap``'s ``psum``.

Invariants: the Dask arrays among the arguments are the data, split along axis 0 into
the same row blocks (rechunked to the first one's, whole along the other axes); every
other argument (the parameters, the differentiated ones) goes whole to every partition.
A worker receives the generated Numba source text, the entry's name and the global arrays
it reads (``_partition``, an importable function, so nothing of the caller's is pickled),
compiles it once per process (Numba's cache on disk keeps the machine code) and calls
it.  One derivative is compiled per distinct block shape (row loops are unrolled per
shape), on the client, where errors name the user's line.
"""
import hashlib
import os

import dask
import dask.array as da
import numpy as np

from .arguments import argnum_tuple, as_value, bind, is_float, upto
from .backends.numba_build import _exec, _write_once, cache_dir
from .backends.private_dir import private_dir
from .derivative import Derivative

_MODULES = {}       # source digest -> module exec'd in this process (a worker)


def grad(f, argnums=0, split_every=4):
    """The gradient of ``f`` (a sum over the rows of its Dask array arguments) w.r.t.
    ``argnums``, computed partition by partition with the Numba backend."""
    return Distributed(f, argnums, False, split_every)


def value_and_grad(f, argnums=0, split_every=4):
    """``(f(...), gradient)``, both summed over the partitions."""
    return Distributed(f, argnums, True, split_every)


class Distributed:
    def __init__(self, f, argnums, with_value, split_every):
        if split_every < 2:
            raise ValueError("split_every must be at least 2")
        self.f, self.argnums, self.with_value = f, argnums, with_value
        self.split_every = split_every
        self.derivative = Derivative(f, argnums, True, backend="numba")

    def __call__(self, *args, **kwargs):
        """The value (``value_and_grad``) and gradient, computed on the current scheduler;
        regrouped here, so only the partitions' sums cross the network."""
        total, a, nums = self.graph(*args, **kwargs)
        total = total.compute()
        grads = a.regroup(total[1:], nums)
        g = grads[0] if isinstance(self.argnums, int) else grads
        return (as_value(total[0]), g) if self.with_value else g

    def graph(self, *args, **kwargs):
        """(a ``dask.delayed`` of the summed (value, gradient leaves...), the ``Arguments``
        of the last block, the argnums): the tasks are ``_partition`` and ``_add``."""
        full = bind(self.f, args, kwargs, upto(self.argnums))
        nums = argnum_tuple(self.argnums, len(full))
        data = [i for i, x in enumerate(full) if isinstance(x, da.Array)]
        if not data:
            raise TypeError("pullback.distributed needs a Dask array argument (the data)")
        if set(data) & set(nums):
            raise TypeError("pullback.distributed differentiates parameters, not the Dask "
                            "arrays split into partitions: move the data out of argnums")
        rows = full[data[0]].chunks[0]
        blocks = {i: _row_blocks(full[i], rows) for i in data}
        parts = []
        for k, n in enumerate(rows):
            example = [np.zeros((n,) + full[i].shape[1:], full[i].dtype) if i in blocks
                       else x for i, x in enumerate(full)]
            text, entry, arrays, a = self._compiled(example, nums)
            leaves = [blocks[i][k] if i in blocks else x for i, x in enumerate(a.leaves())]
            parts.append(dask.delayed(_partition, pure=True)(text, entry, arrays, leaves))
        while len(parts) > 1:       # a tree: split_every partial sums at a time
            parts = [dask.delayed(_add, pure=True)(*parts[j:j + self.split_every])
                     for j in range(0, len(parts), self.split_every)]
        return parts[0], a, nums

    def _compiled(self, example, nums):
        """(Numba source, entry name, global arrays, Arguments) for one block shape."""
        comp, _, a = self.derivative.compiled(example)
        if len(a.raw) != len(example):
            raise TypeError("pullback.distributed takes floats and arrays as arguments "
                            "(no containers)")
        if any(not is_float(t) for j, t in enumerate(a.types) if a.owner[j] in nums):
            raise TypeError("pullback.distributed differentiates float arguments only")
        arrays = {k: v for k, v in comp.namespace.items() if isinstance(v, np.ndarray)}
        return comp.source, comp.entry, arrays, a


def _row_blocks(x, rows):
    """The row blocks of Dask array ``x`` as delayed NumPy arrays, one per block of ``rows``."""
    if x.ndim == 0 or x.shape[0] != sum(rows):
        raise TypeError(f"the Dask arguments of pullback.distributed share their first axis "
                        f"(rows): {x.shape} against {sum(rows)} rows")
    x = x.rechunk((rows,) + tuple((n,) for n in x.shape[1:]))
    return [d for d in x.to_delayed().reshape(-1)]


def _module(text, arrays):
    """The generated module of ``text``, exec'd once per process (Numba's disk cache holds
    its machine code)."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:20]
    module = _MODULES.get(digest)
    if module is None:
        path = _write_once(os.path.join(private_dir(cache_dir()), f"pbd_{digest}.py"), text)
        module = _MODULES[digest] = _exec(f"pullback_distributed_{digest}", path, text)
    module.__dict__.update(arrays)
    return module


def _partition(text, entry, arrays, leaves):
    """On a worker: the generated entry at one partition -> (value, gradient leaves...)."""
    out = getattr(_module(text, arrays), entry)(*leaves)
    return out if isinstance(out, tuple) else (out,)


def _add(*parts):
    return tuple(parts[0][i] + sum(p[i] for p in parts[1:]) for i in range(len(parts[0])))


__all__ = ["grad", "value_and_grad"]
