"""How each tool is asked for a gradient: the rows every workload shares.

pullback (both backends), finite differences, and the imports of the peers
(Numba, autograd, JAX with 64-bit floats, PyTorch), each imported only when
its row is made, so a missing peer skips its rows instead of the run.
"""
import time

import numpy as np

from .harness import Row


def pullback_row(label, f, args, argnums, backend, note=""):
    def make():
        import pullback
        from pullback.arguments import Arguments, bind
        from pullback.pipeline import Reverse, build
        nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
        g = pullback.grad(f, argnums=argnums, backend=backend)

        def call():
            return g(*args)
        if backend == "python":
            a = Arguments(bind(f, args, {}), forced=nums)
            start = time.perf_counter()
            build(f, a.types, a.skels, (Reverse(a.mask(nums)),))
            call.transform_s = time.perf_counter() - start
        else:
            def first():
                out = g(*args)
                call.transform_s = getattr(g.last, "transform_seconds", None)
                return out
            first.call = call
            return _FirstThen(first, call)
        return call
    return Row(label, "pullback", make, note=note)


class _FirstThen:
    """A callable that runs ``first`` once (recording what it learns), then ``call``."""

    def __init__(self, first, call):
        self.first, self.call, self.done = first, call, False
        self.transform_s = None

    def __call__(self):
        if self.done:
            return self.call()
        self.done = True
        out = self.first()
        self.transform_s = getattr(self.call, "transform_s", None)
        return out


def fd_row(label, f, args, argnums, note="central differences, 2 evaluations per input"):
    """Central differences of ``f`` (scalar inputs), step 1e-6 relative."""
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)

    def make():
        f(*args)

        def call():
            out = []
            for i in nums:
                h = 1e-6 * max(1.0, abs(args[i]))
                hi, lo = list(args), list(args)
                hi[i] += h
                lo[i] -= h
                out.append((f(*hi) - f(*lo)) / (2 * h))
            return tuple(out)
        return call
    return Row(label, "fd", make, note=note, rtol=1e-4)


def numba_njit(fn):
    import numba
    return numba.njit(fn)


def jax():
    import jax as jax_module
    jax_module.config.update("jax_enable_x64", True)
    return jax_module


def torch():
    import torch as torch_module
    torch_module.set_num_threads(1)
    return torch_module


def njit_with(f, **callees):
    """``numba.njit(f)`` with the named globals replaced by njit-compiled callees."""
    import types
    import numba
    glob = dict(f.__globals__)
    glob.update({k: numba.njit(v) for k, v in callees.items()})
    return numba.njit(types.FunctionType(f.__code__, glob, f.__name__, f.__defaults__))


def jax_grad_row(label, f, args, argnums, **kw):
    """JAX ``jit(grad(f))`` of a function written for jax.numpy (or plain arithmetic)."""
    def make():
        jax_module = jax()
        g = jax_module.jit(jax_module.grad(f, argnums=argnums))
        return lambda: jax_module.block_until_ready(g(*args))
    return Row(label, "peer", make, **kw)


def autograd_row(label, f, args, argnums, **kw):
    def make():
        import autograd
        g = autograd.grad(f, argnum=argnums)
        return lambda: g(*args)
    return Row(label, "peer", make, budget_s=1.0, **kw)


def torch_row(label, f, args, argnums, **kw):
    """PyTorch eager: float64 tensors with requires_grad, then ``torch.autograd.grad``."""
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)

    def make():
        torch_module = torch()

        def call():
            ts = [torch_module.tensor(a, dtype=torch_module.float64, requires_grad=i in nums)
                  if i in nums or isinstance(a, (float, np.ndarray)) else a
                  for i, a in enumerate(args)]
            out = f(*ts)
            return torch_module.autograd.grad(out, [ts[i] for i in nums])
        return call
    return Row(label, "peer", make, budget_s=1.0, **kw)


def array_pullback_rows(f, args, argnums):
    """pullback rows for a NumPy workload (skipped with the reason until arrays are supported)."""
    return [pullback_row("pullback, python backend", f, args, argnums, "python"),
            pullback_row("pullback, numba backend", f, args, argnums, "numba")]


def adbench_path(*parts):
    """A file of the ADBench inputs in ../shared/adbench (beside the repository)."""
    import os
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for base in (os.environ.get("ADBENCH_DIR"), os.path.join(here, "..", "shared", "adbench"),
                 os.path.join(here, "shared", "adbench")):
        if base and os.path.exists(os.path.join(base, *parts)):
            return os.path.join(base, *parts)
    raise FileNotFoundError(f"ADBench input {'/'.join(parts)} not found (set ADBENCH_DIR)")
