"""Forward mode and higher derivatives: ``jvp``, ``jacobian``, ``hessian``, ``hvp``.

Arguments and results are floats, ints, NumPy arrays and containers of them
(tuples, lists, dicts, NamedTuples, dataclasses), flattened into leaves as
``api.grad`` does.  An array argument of n elements is n directions, so a
forward Jacobian of it takes ceil(n / ``MAX_DIRECTIONS``) sweeps.  A Jacobian block
of an output leaf with respect to an argument leaf has shape
``out.shape + in.shape``; outputs are outside, arguments inside (each argument
with its container structure), like ``jax.jacfwd``/``jax.jacrev``; the Hessian
of a scalar ``f`` w.r.t. array arguments is ``H[i][j]`` of shape
``args[i].shape + args[j].shape``.  Scalar arguments and outputs keep the shapes
below:

- ``jvp(f, primals, tangents) -> (out, out_dot)``: floats, or tuples of floats
  when ``f`` returns a tuple.  An int primal is not differentiated; its
  tangent must be 0.
- ``jacobian(f, argnums=0, mode="forward" | "reverse")(*args)``: for a scalar
  ``f``, a float (int ``argnums``) or a tuple with one float per entry of
  ``argnums``, in ``argnums`` order; for ``f`` returning a tuple of m values, a
  tuple of m such entries (outputs outside, arguments inside, like
  ``jax.jacfwd``/``jax.jacrev``).
- ``hessian(f, argnums=0)(*args)``: a float for int ``argnums``, else a tuple of
  tuples ``H[i][j] = d2f / d args[argnums[i]] d args[argnums[j]]``; ``f`` must
  return a scalar.  Forward mode over reverse mode.
- ``hvp(f, primals, vectors)``: ``H @ vectors`` as a tuple with one entry per
  primal, ``H`` the Hessian with respect to all float primals (0.0 for int ones).

Higher orders: ``grad``, ``value_and_grad``, ``jacobian(mode="forward")``,
``hessian`` and ``jvp`` accept what ``grad``/``value_and_grad`` and the
functions here return.  Such a derivative is compiled as one IR module: the
reverse-mode (or plain) module of the innermost function, with one forward
layer (``transforms.forward.tangent_module``) per further derivative, so
``grad(grad(f))`` is forward over reverse and a third derivative forward over
forward over reverse.  A forward layer carries all its directions in one sweep
(``x_dot0 .. x_dotK-1``), at most ``MAX_DIRECTIONS`` per sweep.

``source(d)`` shows the generated module of any of these; ``jvp_source(f,
primals)`` the one ``jvp(f, primals, ...)`` runs.
"""
import inspect
from dataclasses import dataclass

import numpy as np

from . import pytree
from .cache import lookup
from .api import Derivative, SourceText, _arg_type, _argnums, _as_float, _bind, _compile, _upto, \
    _float_type, _leaves
from .compile import Compiled, load_module, lower_typed, prepare_arrays
from .ir import Module
from .ir.types import is_array
from .optimize.pipeline import optimize_primal
from .transforms.forward import tangent_module
from .transforms.gradient import gradient_module

MAX_DIRECTIONS = 16
_CACHE = {}


@dataclass(frozen=True)
class _Leaf:
    """Where one value of a result lives: output ``index`` of sweep ``chunk``, a float or an
    array of ``shape`` (a tangent that is 0.0 in the code is broadcast to it)."""
    chunk: int
    index: int
    shape: tuple = ()


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
        items = [np.asarray(_evaluate(c, flat), dtype=float) for c in struct.items]
        if struct.shape == ():
            return _scalar(items[0])
        got = np.stack(items, axis=struct.pos)
        return got.reshape(got.shape[:struct.pos] + struct.shape + got.shape[struct.pos + 1:])
    v = flat[struct.chunk][struct.index]
    if struct.shape is None:        # a shape known only when the code runs
        return _scalar(v)
    if struct.shape == ():
        return _scalar(v)
    v = np.asarray(v, dtype=float)
    return v if v.shape == struct.shape else np.broadcast_to(v, struct.shape).copy()


def _scalar(v):
    return float(v) if np.ndim(v) == 0 else np.asarray(v, dtype=float)


def _ndim(struct):
    """Number of axes of a result leaf (its position for a further Jacobian's axes)."""
    if isinstance(struct, _Leaf):
        if struct.shape is None:
            raise TypeError("jacobian: an output's shape depends on the values "
                            "(a boolean mask); use jvp")
        return len(struct.shape)
    return _ndim(struct.items[0]) + len(struct.shape)


@dataclass(frozen=True)
class _Layer:
    """One forward layer: ``kind`` is "grad" (scalar result), "jac" or "jvp"."""
    argnums: object
    kind: str
    with_value: bool = False


class _Info:
    """Argument leaves of one call: trees, leaf types and shapes, owner argument of each."""

    def __init__(self, trees, types, owner):
        self.trees, self.types, self.owner = trees, list(types), list(owner)
        self.shapes = [tuple(t.shape) if is_array(t) else () for t in types]

    def leaves_of(self, nums):
        """Leaf indices of arguments ``nums``, in argument then leaf order."""
        return [j for i in nums for j, o in enumerate(self.owner) if o == i]

    def directions(self, nums):
        """One (leaf, element) pair per direction, arguments in ``nums`` order."""
        return [(j, e) for j in self.leaves_of(nums) for e in range(_size(self.shapes[j]))]

    def per_arg(self, nums, make):
        """For each argnum, the argument's structure with ``make(leaf)`` at its leaves."""
        out = []
        for i in nums:
            kids = [make(j) for j in self.leaves_of((i,))]
            tree = self.trees[i]
            out.append(kids[0] if tree == ("leaf",) else
                       _Node(lambda vals, tree=tree: pytree.unflatten(tree, vals), tuple(kids)))
        return out


def _floats(a):
    """Argument ``a`` with its int leaves as floats (it is differentiated)."""
    tree, leaves = pytree.flatten(a)
    return pytree.unflatten(tree, [_as_float(x, _arg_type(x, 0)) for x in leaves])


def _size(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def _seed(shape, e):
    """Unit tangent along element ``e`` (None: zero)."""
    if shape == ():
        return 0.0 if e is None else 1.0
    z = np.zeros(shape)
    if e is not None:
        z.reshape(-1)[e] = 1.0
    return z


class _Program:
    """A derivative chain compiled for one tuple of argument leaf types."""

    def __init__(self, base, layers, info, backend="python"):
        nleaves = len(info.types)
        nargs = len(info.trees)
        module, struct, header = _base_module(base, info)
        self.info = info
        self.seeds = []          # per layer: (masked leaves, K, directions)
        for n, layer in enumerate(layers):
            entry = module.functions[0]
            n_out = len(entry.body[-1].values)
            nums = _argnums(layer.argnums, nargs) if layer.kind != "jvp" else layer.argnums
            if layer.kind == "grad" and not (isinstance(struct, _Leaf) and struct.shape == ()):
                raise TypeError("grad requires a scalar output; use jacobian")
            outer = n == len(layers) - 1
            dirs = info.directions(nums) if layer.kind != "jvp" else []
            K = 1 if layer.kind == "jvp" else \
                min(len(dirs), MAX_DIRECTIONS) if outer else len(dirs)
            masked = info.leaves_of(sorted(set(nums)))
            mask = tuple(j in masked for j in range(nleaves)) + \
                (False,) * (len(entry.params) - nleaves)
            module = tangent_module(module, mask, max(K, 1))
            self.seeds.append((masked, K, dirs))

            def at(leaf, d, n_out=n_out, K=max(K, 1)):
                c, k = divmod(d, K)
                return _Leaf(leaf.chunk + c, n_out + leaf.index * K + k, leaf.shape)
            names = [entry.params[j].name for j in masked]
            header += f"\n# Forward mode ({K} direction{'s' * (K != 1)} per sweep) with " \
                      f"respect to: {', '.join(names)}."
            if layer.kind == "jvp":
                jac = _map(struct, lambda leaf: at(leaf, 0))
            else:
                start = {}
                for d, (j, e) in enumerate(dirs):
                    start.setdefault(j, d)

                def block(leaf, j, start=start):
                    items = tuple(at(leaf, start[j] + e) for e in range(_size(info.shapes[j])))
                    return items[0] if info.shapes[j] == () else \
                        _Stack(items, info.shapes[j], _ndim(leaf))

                def jac_of(leaf, nums=nums):
                    blocks = info.per_arg(nums, lambda j: block(leaf, j))
                    return blocks[0] if isinstance(layer.argnums, int) else tuple(blocks)
                jac = _map_jac(struct, jac_of)
            struct = (struct, jac) if layer.with_value or layer.kind == "jvp" else jac
        self.struct = struct
        self.n_out = len(module.functions[0].body[-1].values)
        if backend == "numba":
            from .backends.numba_build import load_numba_module
            self.comp = load_numba_module(module, header + "\n# Numba backend.", self.n_out,
                                          info.types)
        elif backend == "python":
            self.comp = load_module(module, header, self.n_out)
        else:
            raise ValueError(f"unknown backend {backend!r}; choose 'python' or 'numba'")
        self.entry = self.comp[self.comp.entry]

    def run(self, args, tangents=None):
        """Evaluate: the flat outputs of each sweep, mapped onto the result structure."""
        shapes = self.info.shapes
        fixed = []
        for masked, K, dirs in self.seeds[:-1]:
            fixed += [_seed(shapes[j], dirs[k][1] if dirs[k][0] == j else None)
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
                               else None) for j in masked for k in range(K)]
                sweeps.append(self.entry(*args, *fixed, *seeds))
            if not sweeps:     # no directions at all
                sweeps.append(self.entry(*args, *fixed,
                                         *[_seed(shapes[j], None) for j in masked
                                           for _ in range(max(K, 1))]))
        flat = [s if isinstance(s, tuple) else (s,) for s in sweeps]
        return _evaluate(self.struct, flat)


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


def _base_module(base, info):
    """(IR module, result structure, header) of the innermost function."""
    f = base.f if isinstance(base, Derivative) else base
    name = getattr(f, "__qualname__", "f")
    header = f"# Generated by pullback from {name} " \
             f"({f.__code__.co_filename}:{f.__code__.co_firstlineno})."
    skels = [pytree.skeleton(t) for t in info.trees]
    typed = prepare_arrays(lower_typed(f, info.types, skels))
    values = typed.functions[0].body[-1].values
    shapes = [(tuple(v.type.shape) if v.type.shape is not None else None)
              if is_array(getattr(v, "type", None)) else () for v in values]
    n = len(values)
    if not isinstance(base, Derivative):
        typed = Module(tuple(optimize_primal(fn) for fn in typed.functions), typed.result)
        leaves = [_Leaf(0, i, shapes[i]) for i in range(n)]
        result = typed.result
        struct = leaves[0] if result == ("atom",) else \
            _Node(lambda vals, result=result: pytree.from_skeleton(result, vals), tuple(leaves))
        return typed, struct, header
    if n != 1 or shapes[0] not in ((), None):
        raise TypeError(f"grad requires {f.__name__} to return a scalar; use jacobian")
    nums = _argnums(base.argnums, len(info.trees))
    order = info.leaves_of(sorted(set(nums)))
    mask = tuple(j in order for j in range(len(info.types)))
    grads = info.per_arg(nums, lambda j: _Leaf(0, 1 + order.index(j), info.shapes[j]))
    g = grads[0] if isinstance(base.argnums, int) else tuple(grads)
    header += "\n# Reverse mode with respect to: " \
              f"{', '.join(typed.functions[0].params[j].name for j in order)}."
    return gradient_module(typed, mask), ((_Leaf(0, 0), g) if base.with_value else g), header


def _chain(f):
    """(innermost function or ``grad`` derivative, forward layers) of a differentiable ``f``."""
    if hasattr(f, "_pullback_chain"):
        return f._pullback_chain
    if not callable(f):
        raise TypeError(f"{f!r} is not callable")
    return f, ()


def _function(base):
    return base.f if isinstance(base, Derivative) else base


def _forced(base, layers, nargs):
    forced = set()
    if isinstance(base, Derivative):
        forced |= set(_argnums(base.argnums, nargs))
    for layer in layers:
        if layer.kind != "jvp":
            forced |= set(_argnums(layer.argnums, nargs))
    return forced


def _info(base, layers, args, float_args=()):
    """Leaf types; every leaf of an argument some layer differentiates is a float."""
    forced = _forced(base, layers, len(args)) | set(float_args)
    trees, leaves, owner = _leaves(list(args))
    types = []
    for a, i in zip(leaves, owner):
        t = _arg_type(a, i)
        if i in forced:
            if t == "bool" or getattr(t, "dtype", None) == "bool":
                raise TypeError(f"cannot differentiate with respect to argument {i}: it is a bool")
            t = _float_type(t)
        types.append(t)
    return _Info(trees, types, owner), leaves


def _types(base, layers, args):
    return _info(base, layers, args)[0].types


def _program(base, layers, info, backend="python"):
    ident = (base.f, base.argnums, base.with_value) if isinstance(base, Derivative) else base
    key = (ident, layers, tuple(info.types), tuple(info.trees), backend)
    return lookup(_CACHE, key, lambda: _Program(base, layers, info, backend),
                  by_value=backend == "numba")


def _prepare(base, layers, args, float_args=()):
    info, leaves = _info(base, layers, args, float_args)
    return info, [_as_float(a, t) if _is_float(t) else a for a, t in zip(leaves, info.types)]


def _is_float(t):
    return t == "float" or (is_array(t) and np.dtype(t.dtype).kind == "f")


class Derived:
    """A derivative compiled as forward layers over a function or a ``grad``."""

    def __init__(self, base, layers, name, backend="python"):
        self.base, self.layers, self.backend = base, tuple(layers), backend
        self.last = None
        self.__name__ = name
        self.__doc__ = f"{name} (generated by pullback)."

    @property
    def _pullback_chain(self):
        return self.base, self.layers

    def __call__(self, *args, **kwargs):
        upto = max([_upto(layer.argnums) for layer in self.layers] +
                   [_upto(self.base.argnums) if isinstance(self.base, Derivative) else 0])
        args = _bind(_function(self.base), args, kwargs, upto)
        info, leaves = _prepare(self.base, self.layers, args)
        self.last = _program(self.base, self.layers, info, self.backend)
        return self.last.run(leaves)

    def source(self):
        if self.last is None:
            n = len(inspect.signature(_function(self.base)).parameters)
            info, _ = _info(self.base, self.layers, [0.0] * n)
            self.last = _program(self.base, self.layers, info, self.backend)
        return SourceText(self.last.comp.source)


def derivative_of(f, argnums=0, with_value=False, kind="grad", backend=None):
    """``grad``/``value_and_grad``/forward ``jacobian`` of ``f``, which may itself be a
    derivative (``api.grad`` calls this for derivatives); ``backend=None`` keeps ``f``'s."""
    base, layers = _chain(f)
    backend = backend or getattr(f, "backend", "python")
    name = f"{getattr(_function(base), '__name__', 'f')}_{'grad' if kind == 'grad' else 'jac'}"
    return Derived(base, layers + (_Layer(argnums, kind, with_value),), name)


# -- the public functions -------------------------------------------------------------

def jvp(f, primals, tangents, backend="python"):
    """``(f(*primals), J @ tangents)`` by one forward sweep.  Primals and tangents are
    floats, arrays or containers of them (tangents with the primals' structure).
    ``backend="numba"`` compiles the tangent code with ``numba.njit``."""
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    base, layers = _chain(f)
    info, args = _prepare(base, layers, list(primals))
    _, tleaves, towner = _leaves(list(tangents))
    if len(tleaves) != len(args):
        raise ValueError("jvp: the tangents do not have the structure of the primals")
    nums = tuple(i for i in range(len(primals))
                 if any(_is_float(info.types[j]) for j in info.leaves_of((i,))))
    tans = []
    for j, (t, v) in enumerate(zip(info.types, tleaves)):
        i = info.owner[j]
        if not _is_float(t):
            if np.any(np.asarray(v) != 0):
                raise TypeError(f"jvp: argument {i} is a {t}, so its tangent must be 0 "
                                "(pass a float to differentiate with respect to it)")
            tans.append(None)
        elif info.shapes[j] == ():
            tans.append(float(v))
        else:
            v = np.asarray(v, dtype=float)
            if v.shape != info.shapes[j]:
                raise ValueError(f"jvp: tangent of shape {v.shape} for argument {i} of shape "
                                 f"{info.shapes[j]}")
            tans.append(v)
    if any(not _is_float(info.types[j]) for j in info.leaves_of(nums)):
        raise TypeError("jvp: an argument mixes float and int leaves; pass floats")
    prog = _program(base, layers + (_Layer(nums, "jvp"),), info, backend)
    return prog.run(args, tans)


def jvp_source(f, primals, backend="python"):
    """The generated source that ``jvp(f, primals, tangents)`` runs."""
    base, layers = _chain(f)
    info, _ = _prepare(base, layers, list(primals))
    nums = tuple(i for i in range(len(primals))
                 if any(_is_float(info.types[j]) for j in info.leaves_of((i,))))
    return SourceText(_program(base, layers + (_Layer(nums, "jvp"),), info, backend).comp.source)


def jacobian(f, argnums=0, mode="reverse", backend=None):
    """The Jacobian of ``f`` with respect to ``argnums`` (shapes in the module docstring).

    ``mode="forward"`` takes one sweep for up to ``MAX_DIRECTIONS`` arguments;
    ``mode="reverse"`` one sweep per output.  Of a derivative (``jacobian(grad(f))``)
    both modes run forward over it."""
    if mode == "forward":
        return derivative_of(f, argnums, kind="jac", backend=backend)
    if mode != "reverse":
        raise ValueError(f"mode must be 'forward' or 'reverse', not {mode!r}")
    if isinstance(f, (Derived, Derivative)):
        # generated reverse code pops tapes, which the reverse transform does not take as
        # input: the Jacobian of a derivative is built forward over it (same numbers)
        return derivative_of(f, argnums, kind="jac", backend=backend)
    return ReverseJacobian(f, argnums, backend or "python")


def hessian(f, argnums=0, backend="python"):
    """The Hessian of scalar ``f``: forward mode over reverse mode."""
    from .api import grad
    return jacobian(grad(f, argnums, backend=backend), argnums, mode="forward")


def hvp(f, primals, vectors, backend="python"):
    """``H @ vectors`` for the Hessian ``H`` of scalar ``f`` with respect to all float
    primals: forward over reverse, one sweep."""
    from .api import grad
    primals = tuple(primals)
    nums = tuple(i for i, a in enumerate(primals)
                 if all(_is_float(_arg_type(x, i)) for x in _leaves([a])[1]))
    _, hv = jvp(grad(f, argnums=nums), primals, vectors, backend=backend)
    out = [0.0] * len(primals)
    for i, v in zip(nums, hv):
        out[i] = v
    return tuple(out)


class ReverseJacobian:
    """``jacobian(f, mode="reverse")``: one reverse sweep per output."""

    def __init__(self, f, argnums, backend="python"):
        if not callable(f):
            raise TypeError(f"{f!r} is not callable")
        self.f, self.argnums, self.backend = f, argnums, backend
        self.last = None
        self.__name__ = f"{getattr(f, '__name__', 'f')}_jac"

    def compiled(self, args):
        types = _types(Derivative(self.f, self.argnums, False), (), args)
        nums = _argnums(self.argnums, len(args))
        order = sorted(set(nums))
        mask = tuple(i in order for i in range(len(args)))
        key = ("jacrev", self.f, mask, tuple(types), self.backend)
        self.last = lookup(_CACHE, key, lambda: _compile(
            self.f, types, mask, split=True, backend=self.backend),
            by_value=self.backend == "numba")
        return self.last, types, nums, order

    def __call__(self, *args, **kwargs):
        args = _bind(self.f, args, kwargs, _upto(self.argnums))
        if any(not isinstance(a, (bool, int, float, np.integer, np.floating)) for a in args):
            return self.arrays(args)
        comp, types, nums, order = self.compiled(args)
        args = [float(a) if t == "float" else a for a, t in zip(args, types)]
        if any(np.ndim(o) for o in comp[comp.entry](*args)[:-1]):    # array outputs
            return self.arrays(args)
        rows = []
        for i in range(comp.n_out):
            # a residual holds tapes that its reverse sweep pops: one forward sweep each
            *outs, residual = comp[comp.entry](*args)
            got = comp[comp.rev](residual, *[1.0 if j == i else 0.0 for j in range(comp.n_out)])
            got = got if isinstance(got, tuple) else (got,)
            row = tuple(float(got[order.index(n)]) for n in nums)
            rows.append(row[0] if isinstance(self.argnums, int) else row)
        return rows[0] if comp.n_out == 1 else tuple(rows)

    def arrays(self, args):
        """Arrays and containers: one forward sweep, one reverse sweep per output element;
        blocks of shape out.shape + in.shape, outputs outside, arguments inside."""
        from .api import vjp
        nums = _argnums(self.argnums, len(args))
        forced = [a if i not in nums else _floats(a) for i, a in enumerate(args)]
        out, pull = vjp(self.f, *forced, backend=self.backend)
        otree, oleaves = pytree.flatten(out)
        shapes = [np.shape(o) for o in oleaves]
        rows = []          # per output leaf: per element, per argument the cotangent tree
        for k, shape in enumerate(shapes):
            per = []
            for e in range(_size(shape)):
                ct = [_seed(s, e if m == k else None) for m, s in enumerate(shapes)]
                per.append(pull(pytree.unflatten(otree, ct)))
            rows.append(per)
        blocks = []
        for k, shape in enumerate(shapes):
            per_arg = []
            for i in nums:
                atree, aleaves = pytree.flatten(args[i])
                cols = []
                for m, leaf in enumerate(aleaves):
                    got = [np.asarray(pytree.flatten(r[i])[1][m], dtype=float) for r in rows[k]]
                    j = np.stack(got).reshape(shape + np.shape(leaf))
                    cols.append(float(j) if j.ndim == 0 else j)
                per_arg.append(pytree.unflatten(atree, cols))
            blocks.append(per_arg[0] if isinstance(self.argnums, int) else tuple(per_arg))
        return pytree.unflatten(otree, blocks)

    def source(self):
        if self.last is None:
            self.compiled([0.0] * len(inspect.signature(self.f).parameters))
        return SourceText(self.last.source)


__all__ = ["jvp", "jvp_source", "jacobian", "hessian", "hvp", "Derived", "derivative_of",
           "MAX_DIRECTIONS", "Compiled"]
