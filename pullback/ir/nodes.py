"""IR nodes: a three-address form with structured control flow.

Invariants
- Every value is an atom: a ``Var`` (named local) or a ``Const``.
- ``Assign`` applies exactly one primitive (or ``copy``) to atoms.
- Control flow is structured: ``If``, ``For`` (over a range), ``While``
  (``while True`` that stops after an iteration in which ``exit`` is true).
  ``break``/``continue``/early ``return`` never appear: the frontend lowers
  them to flags, so every transform sees single-entry single-exit blocks.
- ``Var.type`` is filled by ``analysis.types``; before that it is ``None``.  It is
  always an ``ir.types.Type`` (a type name given is converted on construction).
- Nodes are immutable; passes build new trees.
- A ``Const`` holding an ``Extern`` (a global array, read by name at call time) or a
  tuple with one (an index) is a run-time value: no fold applies Python's operators,
  truth or ``isinstance`` to it.  ``literal(a)`` says which constants a fold may use.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional, Union

from ..errors import UnsupportedError
from .types import BOOL, FLOAT, INT, STATIC, Type, as_type, of_value


@dataclass(frozen=True)
class Loc:
    """A place in the user's source.  ``derived``: the place a transform's statement (an
    adjoint) comes from; errors and tracebacks name it, listings print no comment for it.
    ``via``: a statement of an expansion (a library function written in the subset) is
    placed at the user's call, and ``via`` names the expansion's own line."""
    file: str
    line: int
    col: int
    derived: bool = field(default=False, compare=False)
    via: str = field(default="", compare=False)

    def __str__(self):
        return f"{self.file}:{self.line}:{self.col}"

    def as_derived(self):
        """This place as the origin of a transform's statement (``derived``)."""
        return self if self.derived else Loc(self.file, self.line, self.col, True, self.via)


def derived(s):
    """Whether statement ``s`` was made by a transform (an adjoint, a tangent), not
    written by the user: it has no place, or only the place it was derived from."""
    return s.loc is None or s.loc.derived


@dataclass(frozen=True)
class Var:
    name: str
    type: Optional[Type] = field(default=None, compare=False)

    def __post_init__(self):
        if self.type is not None and not isinstance(self.type, Type):
            object.__setattr__(self, "type", as_type(self.type))

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class Const:
    value: Union[float, int, bool]

    @property
    def type(self):
        return type_of_value(self.value)

    def __str__(self):
        return repr(self.value)


Atom = Union[Var, Const]


@dataclass(frozen=True, eq=False)
class Extern:
    """A global array (or other object) the generated code reads by name; compared
    by identity.  The backend binds ``name`` to ``obj`` in the generated module."""
    name: str
    obj: object

    def __repr__(self):
        return self.name


def literal(a):
    """Is atom ``a`` a constant whose value is known while compiling?  A global array
    (``Const(Extern)``) is not: its value is read when the derivative runs."""
    if type(a) is not Const:
        return False
    v = a.value
    if type(v) is Extern:
        return False
    return type(v) is not tuple or not any(type(q) is Extern for q in v)


def type_of_value(v):
    if isinstance(v, Extern):
        return of_value(v.obj) or STATIC
    if isinstance(v, bool):
        return BOOL
    if isinstance(v, int):
        return INT
    if isinstance(v, float):
        return FLOAT
    return STATIC       # slices, tuples of ints, None, strings: static arguments


@dataclass(frozen=True)
class Assign:
    """``target = op(*args)``; ``op`` names a primitive or is ``copy``."""
    target: Var
    op: str
    args: tuple
    loc: Optional[Loc] = field(default=None, compare=False)


@dataclass(frozen=True)
class CustomRule:
    """The user's derivative of a function (``pullback.custom_vjp`` / ``custom_jvp``):
    names of rule functions of the same ``Module``, over flattened atoms.

    ``vjp``: ``fwd(args) -> (outputs..., residuals...)`` (``residuals`` of them) and
    ``bwd(residuals..., output cotangents...) -> one cotangent per argument``.
    ``jvp``: ``jvp(args..., argument tangents...) -> (outputs..., output tangents...)``.
    ``loc`` is where the rule was defined (errors and ``check_grad`` name it).
    ``captures``: ((argument index, name), ...) per argument atom that is a value a
    function-valued argument captures (a closure over the caller's locals): its tangent
    is one the JVP rule must use (``transforms/custom_adjoints.require_captured``)."""
    kind: str
    fwd: str = ""
    bwd: str = ""
    jvp: str = ""
    residuals: int = 0
    loc: Optional[Loc] = field(default=None, compare=False)
    captures: tuple = field(default=(), compare=False)
    undefined: tuple = field(default=(), compare=False)   # atoms with no rule (defvjp's None)

    @property
    def functions(self):
        return tuple(n for n in (self.fwd, self.bwd, self.jvp) if n)

    def require_defined(self, amask, loc, name):
        """Refuse, at ``loc``, a derivative with respect to an argument the rule has none
        for (``pullback.defvjp(f, maker, None)``: not a zero, which would be a wrong number)."""
        if any(amask[i] for i in self.undefined if i < len(amask)):
            raise UnsupportedError.at(loc, f"the rule given to {name} (at {self.loc}) has no "
                                           "derivative for an argument that is differentiated "
                                           "here (None in pullback.defvjp)", "custom rule")


@dataclass(frozen=True)
class GradCall:
    """The user's ``pullback.grad(func, argnums)(args...)`` (``value_and_grad`` when
    ``with_value``): ``wrt`` are the indices of the differentiated argument atoms, the
    first ``primals`` atoms are the call's arguments (the rest values ``func``
    captures).  Targets: the outputs (``with_value``) then one gradient per ``wrt`` (with
    ``jac``, of shape output shape + argument shape: ``pullback.jacobian``)."""
    wrt: tuple
    primals: int
    with_value: bool = False
    jac: bool = False        # pullback.jacobian: the output may be an array


@dataclass(frozen=True)
class Call:
    """``targets = func(*args)`` for a function of the same ``Module``.

    ``jvp``: the user's ``pullback.jvp(func, primals, tangents)``; ``args`` end with
    one tangent per primal leaf and ``targets`` with one tangent per output.  Only
    the frontend makes these; ``transforms.jvp_calls`` replaces them by calls of
    the callee's tangent function right after typing, so no later stage sees one.
    ``grad``: a ``GradCall`` (``pullback.grad(func)(...)``), made into ``jvp`` calls
    by ``transforms.grad_calls`` right after typing, before those are expanded.

    ``rule``: a ``CustomRule`` the transforms use instead of differentiating ``func``
    (``transforms/custom_calls.py``); the primal still calls ``func``."""
    targets: tuple
    func: str
    args: tuple
    loc: Optional[Loc] = field(default=None, compare=False)
    jvp: bool = False
    rule: Optional[CustomRule] = None
    grad: Optional[GradCall] = None

    @property
    def callees(self):
        """Every function of the module this call may lead a transform to."""
        return (self.func,) + (self.rule.functions if self.rule else ())


@dataclass(frozen=True)
class If:
    cond: Atom
    body: tuple
    orelse: tuple = ()
    loc: Optional[Loc] = field(default=None, compare=False)


@dataclass(frozen=True)
class For:
    """``for var in range(start, stop, step)``, in reverse order if ``reverse``.

    With ``exit`` set, the loop stops after an iteration that left it true.
    """
    var: Var
    start: Atom
    stop: Atom
    step: Atom
    body: tuple
    exit: Optional[Var] = None
    reverse: bool = False
    loc: Optional[Loc] = field(default=None, compare=False)


@dataclass(frozen=True)
class While:
    """``while True: body; if exit: break``."""
    body: tuple
    exit: Var
    loc: Optional[Loc] = field(default=None, compare=False)


@dataclass(frozen=True)
class Return:
    values: tuple
    loc: Optional[Loc] = field(default=None, compare=False)


@dataclass(frozen=True)
class Push:
    """Append ``value`` to the tape ``tape`` (a list local to the function)."""
    tape: Var
    value: Atom


@dataclass(frozen=True)
class Pop:
    """``target = tape.pop()``."""
    target: Var
    tape: Var


@dataclass(frozen=True)
class NewTape:
    """``tape = []``.  ``capacity``: at most this many entries are ever on it at once
    (a checkpointed loop's snapshots); backends with static storage size it so."""
    tape: Var
    capacity: Optional[int] = None


@dataclass(frozen=True)
class Comment:
    text: str


Stmt = Union[Assign, Call, If, For, While, Return, Push, Pop, NewTape, Comment]


@dataclass(frozen=True)
class Function:
    name: str
    params: tuple          # of Var
    body: tuple
    loc: Optional[Loc] = field(default=None, compare=False)
    doc: str = ""


@dataclass(frozen=True)
class Module:
    functions: tuple       # of Function; the entry point is listed first
    result: tuple = ("atom",)   # skeleton of the entry's return value (frontend.bindings)

    def get(self, name):
        for f in self.functions:
            if f.name == name:
                return f
        raise KeyError(name)

    def replace_function(self, fn):
        return Module(tuple(fn if f.name == fn.name else f for f in self.functions))


def dtype_arg(t):
    """The ``dtype`` argument of ``zeros``/``full`` for array type ``t`` (None: float64)."""
    return Const(None if t.dtype == "float64" else t.dtype)


@dataclass(frozen=True)
class Transformed:
    """A transform's output, not yet optimised: the pipeline finishes it into a ``Module``
    (``optimize.pipeline.finish``).  ``functions``: the new functions, entry first;
    ``pairs``: (fwd, rev) names of split pairs whose residual keeps only what the
    optimised rev reads; ``library``: the functions calls in them may still reach
    (added, in call order, only when an optimised new function calls them)."""
    functions: tuple
    library: Module
    pairs: tuple = ()
    result: tuple = ("atom",)


__all__ = ["Loc", "Var", "Const", "Extern", "literal", "Atom", "Assign", "Call", "GradCall", "CustomRule",
           "If", "For", "While",
           "Return", "Push", "Pop", "NewTape", "Comment", "Stmt", "Function",
           "Module", "Transformed", "type_of_value", "replace", "derived",
           "dtype_arg"]
