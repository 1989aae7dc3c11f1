"""Forward mode and higher derivatives: ``jvp``, ``jacobian``, ``hessian``, ``hvp``.

Result shapes (scalar arguments and outputs; JAX's conventions):

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

from .api import Derivative, SourceText, _arg_type, _argnums, _bind
from .compile import Compiled, compile_reverse, load_module, lower_typed, prepare_arrays
from .ir import Module
from .optimize.pipeline import optimize_primal
from .transforms.forward import tangent_module
from .transforms.gradient import gradient_module

MAX_DIRECTIONS = 16
_CACHE = {}


@dataclass(frozen=True)
class _Leaf:
    """Where one float of a result lives: output ``index`` of sweep ``chunk``."""
    chunk: int
    index: int


def _map(struct, fn):
    if isinstance(struct, tuple):
        return tuple(_map(s, fn) for s in struct)
    return fn(struct)


@dataclass(frozen=True)
class _Layer:
    """One forward layer: ``kind`` is "grad" (scalar result), "jac" or "jvp"."""
    argnums: object
    kind: str
    with_value: bool = False


class _Program:
    """A derivative chain compiled for one tuple of argument types."""

    def __init__(self, base, layers, types):
        nargs = len(types)
        module, struct, header = _base_module(base, types)
        self.seeds = []          # per layer: (masked params, K, directions)
        for n, layer in enumerate(layers):
            entry = module.functions[0]
            n_out = len(entry.body[-1].values)
            nums = _argnums(layer.argnums, nargs) if layer.kind != "jvp" else layer.argnums
            if layer.kind == "grad" and not isinstance(struct, _Leaf):
                raise TypeError("grad requires a scalar output; use jacobian")
            outer = n == len(layers) - 1
            K = 1 if layer.kind == "jvp" else \
                min(len(nums), MAX_DIRECTIONS) if outer else len(nums)
            masked = sorted(set(nums))
            mask = tuple(i in masked for i in range(nargs)) + (False,) * (len(entry.params) - nargs)
            module = tangent_module(module, mask, max(K, 1))
            self.seeds.append((masked, K, nums))

            def at(leaf, d, n_out=n_out, K=K):
                c, k = divmod(d, K)
                return _Leaf(c, n_out + leaf.index * K + k)
            header += f"\n# Forward mode ({K} direction{'s' * (K != 1)} per sweep) with " \
                      f"respect to: {', '.join(entry.params[i].name for i in masked)}."
            if layer.kind == "jvp" or isinstance(layer.argnums, int):
                jac = _map(struct, lambda leaf: at(leaf, 0))
            else:
                jac = _map(struct, lambda leaf: tuple(at(leaf, d) for d in range(len(nums))))
            struct = (struct, jac) if layer.with_value or layer.kind == "jvp" else jac
        self.struct = struct
        self.n_out = len(module.functions[0].body[-1].values)
        self.comp = load_module(module, header, self.n_out)
        self.entry = self.comp[self.comp.entry]

    def run(self, args, tangents=None):
        """Evaluate: the flat outputs of each sweep, mapped onto the result structure."""
        fixed = []
        for masked, K, nums in self.seeds[:-1]:
            fixed += [1.0 if k < len(nums) and nums[k] == p else 0.0 for p in masked
                      for k in range(K)]
        sweeps = []
        if not self.seeds:
            sweeps.append(self.entry(*args))
        else:
            masked, K, nums = self.seeds[-1]
            if tangents is not None:
                sweeps.append(self.entry(*args, *fixed, *[float(tangents[p]) for p in masked]))
            for c in range(0, len(nums) if tangents is None else 0, max(K, 1)):
                dirs = nums[c:c + K]
                seeds = [1.0 if k < len(dirs) and dirs[k] == p else 0.0
                         for p in masked for k in range(K)]
                sweeps.append(self.entry(*args, *fixed, *seeds))
            if not sweeps:     # no directions at all
                sweeps.append(self.entry(*args, *fixed, *[0.0] * (len(masked) * K)))
        flat = [s if isinstance(s, tuple) else (s,) for s in sweeps]
        return _map(self.struct, lambda leaf: float(flat[leaf.chunk][leaf.index]))


def _base_module(base, types):
    """(IR module, result structure, header) of the innermost function."""
    f = base.f if isinstance(base, Derivative) else base
    name = getattr(f, "__qualname__", "f")
    header = f"# Generated by pullback from {name} " \
             f"({f.__code__.co_filename}:{f.__code__.co_firstlineno})."
    typed = prepare_arrays(lower_typed(f, types))
    n = len(typed.functions[0].body[-1].values)
    if typed.result not in (("atom",), ("tuple",) + (("atom",),) * n):
        raise TypeError(f"forward mode differentiates functions returning a float or a flat "
                        f"tuple of floats so far; {f.__name__} returns a container")
    if not isinstance(base, Derivative):
        typed = Module(tuple(optimize_primal(fn) for fn in typed.functions), typed.result)
        return typed, (_Leaf(0, 0) if n == 1 else tuple(_Leaf(0, i) for i in range(n))), header
    if n != 1:
        raise TypeError(f"grad requires {f.__name__} to return a scalar; use jacobian")
    nums = _argnums(base.argnums, len(types))
    order = sorted(set(nums))
    mask = tuple(i in order for i in range(len(types)))
    grads = tuple(_Leaf(0, 1 + order.index(i)) for i in nums)
    g = grads[0] if isinstance(base.argnums, int) else grads
    header += "\n# Reverse mode with respect to: " \
              f"{', '.join(typed.functions[0].params[i].name for i in order)}."
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


def _types(base, layers, args):
    """Argument types; every argument some layer differentiates is a float."""
    nargs = len(args)
    forced = set()
    if isinstance(base, Derivative):
        forced |= set(_argnums(base.argnums, nargs))
    for layer in layers:
        if layer.kind != "jvp":
            forced |= set(_argnums(layer.argnums, nargs))
    types = []
    for i, a in enumerate(args):
        t = _arg_type(a, i)
        if t not in ("float", "int", "bool"):
            raise TypeError(f"argument {i} is a {type(a).__name__}: forward mode (jvp, jacobian, "
                            "hessian) takes float and int scalars so far")
        if i in forced:
            if t == "bool":
                raise TypeError(f"cannot differentiate with respect to argument {i}: it is a bool")
            t = "float"
        types.append(t)
    return types


def _program(base, layers, types):
    ident = (base.f, base.argnums, base.with_value) if isinstance(base, Derivative) else base
    key = (ident, layers, tuple(types))
    if key not in _CACHE:
        _CACHE[key] = _Program(base, layers, types)
    return _CACHE[key]


def _prepare(base, layers, args):
    types = _types(base, layers, args)
    return types, [float(a) if t == "float" else a for a, t in zip(args, types)]


class Derived:
    """A derivative compiled as forward layers over a function or a ``grad``."""

    def __init__(self, base, layers, name):
        self.base, self.layers = base, tuple(layers)
        self.last = None
        self.__name__ = name
        self.__doc__ = f"{name} (generated by pullback)."

    @property
    def _pullback_chain(self):
        return self.base, self.layers

    def __call__(self, *args, **kwargs):
        args = _bind(_function(self.base), args, kwargs)
        types, args = _prepare(self.base, self.layers, args)
        self.last = _program(self.base, self.layers, types)
        return self.last.run(args)

    def source(self):
        if self.last is None:
            n = len(inspect.signature(_function(self.base)).parameters)
            self.last = _program(self.base, self.layers, _types(self.base, self.layers, [0.0] * n))
        return SourceText(self.last.comp.source)


def derivative_of(f, argnums=0, with_value=False, kind="grad"):
    """``grad``/``value_and_grad``/forward ``jacobian`` of ``f``, which may itself be a
    derivative (``api.grad`` calls this for derivatives)."""
    base, layers = _chain(f)
    name = f"{getattr(_function(base), '__name__', 'f')}_{'grad' if kind == 'grad' else 'jac'}"
    return Derived(base, layers + (_Layer(argnums, kind, with_value),), name)


# -- the public functions -------------------------------------------------------------

def jvp(f, primals, tangents):
    """``(f(*primals), J @ tangents)`` by one forward sweep."""
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    base, layers = _chain(f)
    types, args = _prepare(base, layers, list(primals))
    nums = tuple(i for i, t in enumerate(types) if t == "float")
    for i, (t, v) in enumerate(zip(types, tangents)):
        if t != "float" and v != 0:
            raise TypeError(f"jvp: argument {i} is a {t}, so its tangent must be 0 "
                            "(pass a float to differentiate with respect to it)")
    prog = _program(base, layers + (_Layer(nums, "jvp"),), types)
    return prog.run(args, tangents)


def jvp_source(f, primals):
    """The generated source that ``jvp(f, primals, tangents)`` runs."""
    base, layers = _chain(f)
    types, _ = _prepare(base, layers, list(primals))
    nums = tuple(i for i, t in enumerate(types) if t == "float")
    return SourceText(_program(base, layers + (_Layer(nums, "jvp"),), types).comp.source)


def jacobian(f, argnums=0, mode="reverse"):
    """The Jacobian of ``f`` with respect to ``argnums`` (shapes in the module docstring).

    ``mode="forward"`` takes one sweep for up to ``MAX_DIRECTIONS`` arguments;
    ``mode="reverse"`` one sweep per output."""
    if mode == "forward":
        return derivative_of(f, argnums, kind="jac")
    if mode != "reverse":
        raise ValueError(f"mode must be 'forward' or 'reverse', not {mode!r}")
    if isinstance(f, (Derived, Derivative)):
        raise TypeError("reverse mode over a pullback derivative is not supported; "
                        "use jacobian(..., mode='forward')")
    return ReverseJacobian(f, argnums)


def hessian(f, argnums=0):
    """The Hessian of scalar ``f``: forward mode over reverse mode."""
    from .api import grad
    return jacobian(grad(f, argnums), argnums, mode="forward")


def hvp(f, primals, vectors):
    """``H @ vectors`` for the Hessian ``H`` of scalar ``f`` with respect to all float
    primals: forward over reverse, one sweep."""
    from .api import grad
    primals = tuple(primals)
    nums = tuple(i for i, a in enumerate(primals) if _arg_type(a, i) == "float")
    _, hv = jvp(grad(f, argnums=nums), primals, vectors)
    out = [0.0] * len(primals)
    for i, v in zip(nums, hv):
        out[i] = v
    return tuple(out)


class ReverseJacobian:
    """``jacobian(f, mode="reverse")``: one reverse sweep per output."""

    def __init__(self, f, argnums):
        if not callable(f):
            raise TypeError(f"{f!r} is not callable")
        self.f, self.argnums = f, argnums
        self.last = None
        self.__name__ = f"{getattr(f, '__name__', 'f')}_jac"

    def compiled(self, args):
        types = _types(Derivative(self.f, self.argnums, False), (), args)
        nums = _argnums(self.argnums, len(args))
        order = sorted(set(nums))
        mask = tuple(i in order for i in range(len(args)))
        key = ("jacrev", self.f, mask, tuple(types))
        if key not in _CACHE:
            _CACHE[key] = compile_reverse(self.f, types, mask, split=True)
        self.last = _CACHE[key]
        return self.last, types, nums, order

    def __call__(self, *args, **kwargs):
        args = _bind(self.f, args, kwargs)
        comp, types, nums, order = self.compiled(args)
        args = [float(a) if t == "float" else a for a, t in zip(args, types)]
        rows = []
        for i in range(comp.n_out):
            # a residual holds tapes that its reverse sweep pops: one forward sweep each
            *outs, residual = comp[comp.entry](*args)
            got = comp[comp.rev](residual, *[1.0 if j == i else 0.0 for j in range(comp.n_out)])
            got = got if isinstance(got, tuple) else (got,)
            row = tuple(float(got[order.index(n)]) for n in nums)
            rows.append(row[0] if isinstance(self.argnums, int) else row)
        return rows[0] if comp.n_out == 1 else tuple(rows)

    def source(self):
        if self.last is None:
            self.compiled([0.0] * len(inspect.signature(self.f).parameters))
        return SourceText(self.last.source)


__all__ = ["jvp", "jvp_source", "jacobian", "hessian", "hvp", "Derived", "derivative_of",
           "MAX_DIRECTIONS", "Compiled"]
