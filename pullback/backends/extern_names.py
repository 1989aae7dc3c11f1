"""Names of the global arrays a generated module reads (``ir.Extern``), made distinct
from every other name the module uses, just before a backend prints it.

The frontend names a global array after where it lives (``W`` for ``W`` or
``self._W``) before the derivative exists; the derivative's own names come later
(``x_bar``, ``t1``, ``result``, a function ``W`` made from a property getter).  In
the printed module an array's global name must not be a local of a function that
reads it (Python would make the read a local one: an UnboundLocalError, or the local's
value, silently), nor a function, helper, import or builtin of the module (binding
the array would replace it).  So each extern whose name is taken is renamed here;
the guards rebind arrays under the printed names (``Guards.bind``).

Invariant: after ``distinct_externs``, an extern's name is no function's, parameter's
or variable's name in the module, no helper's, import's or builtin's; two externs share
a name exactly when they are the same object.
"""
import builtins
from dataclasses import fields, replace

from ..ir import Const, Extern, Function, Module
from ..ir.names import Names
from ..ir.walk import all_read, all_written, extern_atoms, map_blocks
from ..rules import helpers, np_helpers
from ..rules.registry import LIBRARY_MODULES
from .python_static import LIKE

# module-level names either printer may define or import
_MODULE_NAMES = frozenset(dir(builtins)) | {n for n in dir(np_helpers) + dir(helpers)} | {
    "np", "math", "numba", "njit", "scipy", "logging", LIKE} | {
    m.split(".")[0] for m in LIBRARY_MODULES}


def distinct_externs(module):
    """``(module, printed)``: ``module`` with each extern whose name is taken renamed;
    ``printed`` maps an extern's frontend name to its printed one (renamed ones only)."""
    taken = set(_MODULE_NAMES)
    for fn in module.functions:
        taken.add(fn.name)
        taken.update(p.name for p in fn.params)
        all_read(fn.body, taken, externs=False)     # (an extern does not clash with itself)
        all_written(fn.body, taken)
    objects = {}                  # frontend name -> the array it names
    for fn in module.functions:
        for a in extern_atoms(fn.body):
            objects.setdefault(a.value.name, a.value.obj)
    clash = [n for n in objects if n in taken]
    if not clash:
        return module, {}
    names = Names(taken | set(objects))
    printed = {n: names.fresh(n + "_g") for n in clash}
    renamed = {n: Const(Extern(printed[n], objects[n])) for n in clash}
    functions = tuple(Function(fn.name, fn.params, _renamed(fn.body, renamed), fn.loc, fn.doc)
                      for fn in module.functions)
    return Module(functions, module.result), printed


def extern_names(body):
    """The names of the externs ``body`` reads (a printer's own names avoid them)."""
    return {a.value.name for a in extern_atoms(body)}


def _renamed(body, renamed):
    def atom(a):
        if isinstance(a, Const) and isinstance(a.value, Extern):
            return renamed.get(a.value.name, a)
        if isinstance(a, Const) and type(a.value) is tuple and any(
                isinstance(q, Extern) and q.name in renamed for q in a.value):
            return Const(tuple(renamed[q.name].value if isinstance(q, Extern) and q.name in
                               renamed else q for q in a.value))       # x[I, 0]
        return a

    out = []
    for s in body:
        changes = {}
        for f in fields(s):
            v = getattr(s, f.name)
            if isinstance(v, tuple) and f.name not in ("body", "orelse"):
                new = tuple(atom(a) for a in v)
                if any(x is not y for x, y in zip(new, v)):
                    changes[f.name] = new
            elif isinstance(v, Const):
                new = atom(v)
                if new is not v:
                    changes[f.name] = new
        s = replace(s, **changes) if changes else s
        out.append(map_blocks(s, lambda b: tuple(_renamed(b, renamed))))
    return out
