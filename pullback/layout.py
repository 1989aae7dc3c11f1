"""Forward-mode programs and the layout of their results.

A ``ForwardProgram`` is one compiled derivative chain: the user's function (or
its ``grad``) with forward layers over it, built by ``pipeline.build``.  Each
sweep returns a flat tuple; the result layout (``_Leaf``, ``_Stack``, ``_Node``)
says where each value of the user's result lives in those tuples: a Jacobian
block of an output leaf w.r.t. an argument leaf has shape ``out.shape + in.shape``.

Invariant: a sweep of layer ``n`` returns its inner entry's ``n_out`` outputs,
then ``K`` tangents of each (``x_dot0 .. x_dotK-1``), so positions are computed,
not searched; ``run`` checks the count.
"""
from dataclasses import dataclass

import numpy as np

from . import pytree
from .arguments import argnum_tuple, as_value, size
from .ir.types import is_array, is_list
from .pipeline import Forward, Primal, Reverse, build

MAX_DIRECTIONS = 16


@dataclass(frozen=True)
class _Leaf:
    """Where one value of a result lives: output ``index`` of sweep ``chunk``, a float or an
    array of ``shape`` (a tangent that is 0.0 in the code is broadcast to it); with
    ``items`` a run-time list (of floats or arrays), returned as a list."""
    chunk: int
    index: int
    shape: tuple = ()
    items: bool = False
    type: object = None     # the IR type: Numba returns a float32 number as a float


@dataclass(frozen=True)
class _Stack:
    """A Jacobian block: ``items`` are the tangents for each element of an argument leaf
    of shape ``shape``; they are stacked at axis ``pos`` (out.shape + in.shape)."""
    items: tuple
    shape: tuple
    pos: int


@dataclass(frozen=True)
class _Node:
    """A container: ``build(values of children)`` rebuilds it."""
    build: object
    children: tuple


def _map(struct, fn):
    if isinstance(struct, tuple):
        return tuple(_map(s, fn) for s in struct)
    if isinstance(struct, _Node):
        return _Node(struct.build, tuple(_map(c, fn) for c in struct.children))
    if isinstance(struct, _Stack):
        return _Stack(tuple(_map(c, fn) for c in struct.items), struct.shape, struct.pos)
    return fn(struct)


def _evaluate(struct, flat):
    if isinstance(struct, tuple):
        return tuple(_evaluate(s, flat) for s in struct)
    if isinstance(struct, _Node):
        return struct.build([_evaluate(c, flat) for c in struct.children])
    if isinstance(struct, _Stack):
        items = [_array(_evaluate(c, flat)) for c in struct.items]
        if struct.shape == ():
            return _scalar(items[0])
        got = np.stack(items, axis=struct.pos)
        return got.reshape(got.shape[:struct.pos] + struct.shape + got.shape[struct.pos + 1:])
    v = flat[struct.chunk][struct.index]
    if struct.items and isinstance(v, list):
        return [_scalar(x) for x in v]
    if struct.shape is None:        # a shape known only when the code runs
        return _scalar(v)
    if None in struct.shape:        # some axes known only then (a stack of a grown list)
        if np.ndim(v) != len(struct.shape):
            raise TypeError("jvp: an output whose length is known only when the code runs "
                            "has a zero tangent here; use vjp or jacobian(..., "
                            "mode='reverse')")
        return _scalar(v)
    if struct.shape == ():
        return _scalar(v, struct.type)
    v = _array(v)
    return v if v.shape == struct.shape else np.broadcast_to(v, struct.shape).copy()


def _array(v):
    """A value or tangent as an array: a complex one stays complex (JAX's jvp of a complex
    output: its imaginary part is half the answer, never dropped), a float32 (float16)
    one keeps its dtype, as NumPy's value and JAX's tangent of a float32 function do; any
    other becomes float64."""
    v = np.asarray(v)
    return v if v.dtype.kind in "fc" else v.astype(float)


def _scalar(v, t=None):
    if np.ndim(v):
        return _array(v)
    if np.iscomplexobj(v):
        return complex(v)
    return as_value(v, t) if np.asarray(v).dtype.kind == "f" else float(v)  # (np.float32 kept)


def _ndim(struct):
    """Number of axes of a result leaf (its position for a further Jacobian's axes)."""
    if isinstance(struct, _Leaf):
        if struct.shape is None:
            raise TypeError("jacobian: an output's shape is not known when the derivative "
                            "is generated (it depends on the values, as after a boolean "
                            "mask, or on an intermediate of unknown shape); use jvp, or "
                            "jacobian(..., mode='reverse') for a scalar output")
        return len(struct.shape)
    return _ndim(struct.items[0]) + len(struct.shape)


def _map_jac(struct, fn):
    """Replace each result leaf (a _Leaf or a Jacobian block) by ``fn`` of it: a block's
    items each get their own Jacobian, stacked the same way."""
    if isinstance(struct, tuple):
        return tuple(_map_jac(s, fn) for s in struct)
    if isinstance(struct, _Node):
        return _Node(struct.build, tuple(_map_jac(c, fn) for c in struct.children))
    if isinstance(struct, _Stack):
        inner = [_map_jac(i, fn) for i in struct.items]   # each: argument structure of blocks
        return _zip_stacks(inner, struct)
    return fn(struct)


def _zip_stacks(inner, outer):
    first = inner[0]
    if isinstance(first, tuple):
        return tuple(_zip_stacks([x[k] for x in inner], outer) for k in range(len(first)))
    if isinstance(first, _Node):
        return _Node(first.build, tuple(_zip_stacks([x.children[k] for x in inner], outer)
                                        for k in range(len(first.children))))
    return _Stack(tuple(inner), outer.shape, outer.pos)


def _seed(shape, e, t="float"):
    """Unit tangent along element ``e`` (None: zero) of an argument of type ``t``; a 0-d
    array argument's is a 0-d array (its tangent code may index it: ``x_dot[()]``), a
    float32 one's is float32 (as JAX's: the Jacobian of a float32 function is float32)."""
    if shape == () and not is_array(t):
        return 0.0 if e is None else 1.0
    z = np.zeros(shape, dtype=t.dtype if is_array(t) and np.dtype(t.dtype).kind == "f"
                 else float)
    if e is not None:
        z.reshape(-1)[e] = 1.0
    return z




def _per_arg(args, nums, make):
    """For each argnum, the argument's structure with ``make(leaf)`` at its leaves."""
    out = []
    for tree, kids in args.per_arg(nums, make):
        out.append(kids[0] if tree == ("leaf",) else
                   _Node(lambda vals, tree=tree: pytree.unflatten(tree, vals), tuple(kids)))
    return out


class ForwardProgram:
    """A derivative chain compiled for one call's ``Arguments``: ``base`` (a function,
    or a ``grad`` ``Derivative``, which ``f`` and ``argnums`` describe) with forward
    ``layers`` (each with ``argnums`` and ``kind``: "grad", "jac" or "jvp")."""

    def __init__(self, f, grad_argnums, grad_value, layers, args, backend="python"):
        nleaves, nargs = len(args.types), len(args.trees)
        self.args = args
        self.seeds = []          # per layer: (masked leaves, K, directions)
        if grad_argnums is None:
            stack = [Primal()]
        else:
            nums = argnum_tuple(grad_argnums, nargs)
            order = args.leaves_of(sorted(set(nums)))
            stack = [Reverse(tuple(j in order for j in range(nleaves)))]
        for n, layer in enumerate(layers):
            nums = argnum_tuple(layer.argnums, nargs) if layer.kind != "jvp" else layer.argnums
            dirs = args.directions(nums) if layer.kind != "jvp" else []
            K = 1 if layer.kind == "jvp" else \
                min(len(dirs), MAX_DIRECTIONS) if n == len(layers) - 1 else len(dirs)
            masked = args.leaves_of(sorted(set(nums)))
            stack.append(Forward(tuple(j in masked for j in range(nleaves)), max(K, 1)))
            self.seeds.append((masked, K, dirs))
        self.comp = build(f, args.types, args.skels, tuple(stack), backend)
        self.entry = self.comp[self.comp.entry]
        self.struct, self.n_out = self._layout(f, grad_argnums, grad_value, layers)

    def _layout(self, f, grad_argnums, grad_value, layers):
        """The result layout and the number of values each sweep returns."""
        args = self.args
        shapes = [(tuple(t.shape) if t.shape is not None else None) if is_array(t) else ()
                  for t in self.comp.outputs]
        n_out = len(shapes)
        if grad_argnums is None:
            leaves = [_Leaf(0, i, shapes[i], is_list(t), t)
                      for i, t in enumerate(self.comp.outputs)]
            result = self.comp.result
            struct = leaves[0] if result == ("atom",) else \
                _Node(lambda vals, result=result: pytree.from_skeleton(result, vals),
                      tuple(leaves))
        else:
            if n_out != 1 or shapes[0] not in ((), None):
                raise TypeError(f"grad requires {f.__name__} to return a scalar; "
                                "use jacobian")
            nums = argnum_tuple(grad_argnums, len(args.trees))
            order = args.leaves_of(sorted(set(nums)))
            grads = _per_arg(args, nums, lambda j: _Leaf(0, 1 + order.index(j), args.shapes[j],
                                                         type=args.types[j]))
            g = grads[0] if isinstance(grad_argnums, int) else tuple(grads)
            struct = (_Leaf(0, 0), g) if grad_value else g
            n_out = 1 + len(order)
        for layer, (masked, K, dirs) in zip(layers, self.seeds):
            if layer.kind == "grad" and not (isinstance(struct, _Leaf) and struct.shape == ()):
                raise TypeError("grad requires a scalar output; use jacobian")

            def at(leaf, d, n_out=n_out, K=max(K, 1)):
                c, k = divmod(d, K)
                return _Leaf(leaf.chunk + c, n_out + leaf.index * K + k, leaf.shape, leaf.items,
                             leaf.type)
            if layer.kind == "jvp":
                jac = _map(struct, lambda leaf: at(leaf, 0))
            else:
                nums = argnum_tuple(layer.argnums, len(args.trees))
                start = {}
                for d, (j, e) in enumerate(dirs):
                    start.setdefault(j, d)

                def block(leaf, j, start=start):
                    items = tuple(at(leaf, start[j] + e) for e in range(size(args.shapes[j])))
                    return items[0] if args.shapes[j] == () else \
                        _Stack(items, args.shapes[j], _ndim(leaf))

                def jac_of(leaf, nums=nums, layer=layer):
                    blocks = _per_arg(args, nums, lambda j: block(leaf, j))
                    return blocks[0] if isinstance(layer.argnums, int) else tuple(blocks)
                jac = _map_jac(struct, jac_of)
            struct = (struct, jac) if layer.with_value or layer.kind == "jvp" else jac
            n_out *= 1 + max(K, 1)
        return struct, n_out

    def run(self, args, tangents=None):
        """Evaluate: the flat outputs of each sweep, mapped onto the result structure."""
        shapes, types = self.args.shapes, self.args.types
        fixed = []
        for masked, K, dirs in self.seeds[:-1]:
            fixed += [_seed(shapes[j], dirs[k][1] if dirs[k][0] == j else None,
                            types[j])
                      for j in masked for k in range(K)]
        sweeps = []
        if not self.seeds:
            sweeps.append(self.entry(*args))
        else:
            masked, K, dirs = self.seeds[-1]
            if tangents is not None:
                sweeps.append(self.entry(*args, *fixed, *[tangents[j] for j in masked]))
            for c in range(0, len(dirs) if tangents is None else 0, max(K, 1)):
                chunk = dirs[c:c + K]
                seeds = [_seed(shapes[j], chunk[k][1] if k < len(chunk) and chunk[k][0] == j
                               else None, types[j]) for j in masked for k in range(K)]
                sweeps.append(self.entry(*args, *fixed, *seeds))
            if not sweeps:     # no directions at all
                sweeps.append(self.entry(*args, *fixed,
                                         *[_seed(shapes[j], None, types[j])
                                           for j in masked
                                           for _ in range(max(K, 1))]))
        flat = [s if isinstance(s, tuple) else (s,) for s in sweeps]
        if any(len(s) != self.n_out for s in flat):
            raise AssertionError(f"pullback: a sweep returned {len(flat[0])} values where "
                                 f"{self.n_out} were laid out")
        return _evaluate(self.struct, flat)


__all__ = ["ForwardProgram", "MAX_DIRECTIONS"]
