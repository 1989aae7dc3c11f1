"""Variadics and functional helpers, resolved while lowering (no run-time containers).

- ``def f(w, *args, **kw)``: extra positional arguments bind ``args`` to a static tuple,
  extra keywords bind ``kw`` to a static dict; ``g(*xs, **d)`` splices a static tuple
  or dict into a call, ``[*a, b]`` into a literal.
- ``functools.partial(f, a, k=v)`` is a ``PartialB`` (a partial object made outside the
  function is read the same way, its stored ``args``/``keywords`` guarded like globals);
  calling it calls ``f`` with the stored arguments first.
- ``map``, ``zip``, ``enumerate``, ``reversed``, ``sorted`` (of constants), ``filter``
  over static tuples and lists give static tuples; ``functools.reduce`` over one is
  the nested calls ``f(f(a, b), c)``; ``sum``/``min``/``max`` of a
  generator expression, dict comprehensions over static sequences.

Invariant: every helper here produces bindings (``TupleB``, ``DictB``, ``PartialB``),
never IR of its own: each element is lowered where the user's code computes it, so
derivatives flow through the ordinary statements.  What is not static (a ``zip`` of
an array's rows, a starred run-time list) is rejected at the user's line.  A ``for``
loop over ``zip`` of an array and a list of float (or int) constants reads the list as
the constant array of its values.
"""
import ast
import functools
from dataclasses import dataclass

import numpy as np

from ..ir import Assign, Const, literal
from .bindings import DictB, PartialB, PyObj, RecordB, TupleB, is_atom
from .guards import Ref


def _items(b):
    if isinstance(b, TupleB):
        return list(b.items)
    if isinstance(b, DictB):
        return [Const(k) for k in b.keys]
    if isinstance(b, RecordB):
        return list(b.items)
    return None


@dataclass(frozen=True)
class StarB:
    """``*x.shape`` in a call's arguments: a run-time tuple only a draw can spread."""
    value: object
    node: object


class FunctionalLowerer:
    # -- arguments of a call -----------------------------------------------------------------
    def call_arguments(self, node):
        """The positional and keyword arguments of call ``node``, ``*`` and ``**`` spliced."""
        args = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                b = self.expr(a.value)
                items = _items(b)
                if is_atom(b):          # rng.randn(*x.shape): spread at run time (draws only)
                    args.append(StarB(b, a))
                    continue
                if items is None:
                    raise self.error(a, "a starred argument that is not a tuple or list known "
                                        "when compiling (a run-time list or an array)")
                args += items
            else:
                args.append(self.expr(a))
        kwargs = {}
        for k in node.keywords:
            if k.arg is not None:
                kwargs[k.arg] = self.expr(k.value)
                continue
            d = self.expr(k.value)
            if not isinstance(d, DictB) or not all(isinstance(x, str) for x in d.keys):
                raise self.error(k.value, "a '**' argument that is not a dict with string keys")
            kwargs.update(zip(d.keys, d.items))
        return args, kwargs

    def expr_Starred(self, node):
        raise self.error(node, "a starred expression here (only in calls and literals)")

    def spliced(self, elts):
        """The items of a tuple or list literal, ``*xs`` spliced."""
        out = []
        for e in elts:
            if isinstance(e, ast.Starred):
                items = _items(self.expr(e.value))
                if items is None:
                    raise self.error(e, "a starred item that is not a tuple or list known "
                                        "when compiling")
                out += items
            else:
                out.append(self.expr(e))
        return tuple(out)

    # -- functools.partial and friends ------------------------------------------------------------
    def call_functional(self, obj, args, kwargs, node):
        """``map``/``zip``/``enumerate``/``reversed``/``sorted``/``filter``/``partial``;
        None where ``obj`` is none of them."""
        if isinstance(obj, functools.partial):
            from .expressions import static
            # its bound values are read where they live and guarded as globals are: an
            # array read by name at call time (or, on Numba, compared by value)
            stored = static(obj.args, self, node, Ref("attr", obj, "args"))
            kw = static(obj.keywords, self, node, Ref("attr", obj, "keywords"))
            return self.call_value(PyObj(obj.func), list(stored.items) + list(args),
                                   {**dict(zip(kw.keys, kw.items)), **kwargs}, node)
        try:
            kind = _KINDS.get(obj)
        except TypeError:
            return None
        if kind is None:
            return None
        if kind == "partial":
            if not args:
                raise self.error(node, "functools.partial without a function")
            return PartialB(args[0], tuple(args[1:]), tuple(kwargs.items()))
        seqs = [_items(a) for a in (args[1:2] if kind == "reduce" else
                                    args[1:] if kind in ("map", "filter") else args)]
        if any(s is None for s in seqs):
            raise self.error(node, f"{kind}(...) over something that is not a tuple or list "
                                   "known when compiling (loop over range(len(...)) instead)")
        if kind == "reduce":
            if kwargs or len(args) not in (2, 3):
                raise self.error(node, "functools.reduce takes a function, a sequence and "
                                       "an optional initial value (by position)")
            acc = list(args[2:]) + seqs[0]
            if not acc:
                raise self.error(node, "functools.reduce of an empty sequence")
            value = acc[0]
            for x in acc[1:]:
                value = self.call_value(args[0], [value, x], {}, node)
            return value
        if kind in ("zip", "map"):
            self.check_zip(args if kind == "zip" else args[1:], seqs, node)
        if kind == "zip":
            return TupleB(tuple(TupleB(t) for t in zip(*seqs)), is_list=True)
        if kind == "enumerate":
            start = kwargs.get("start", args[1] if len(args) > 1 else Const(0))
            if not literal(start):
                raise self.error(node, "enumerate with a start not known when compiling")
            return TupleB(tuple(TupleB((Const(start.value + i), x))
                                for i, x in enumerate(seqs[0])), is_list=True)
        if kind == "reversed":
            return TupleB(tuple(reversed(seqs[0])), is_list=True)
        if kind == "sorted":
            return self.sorted_items(seqs[0], dict(kwargs), node)
        if kind == "map":
            return TupleB(tuple(self.call_value(args[0], list(xs), {}, node)
                                for xs in zip(*seqs)), is_list=True)
        kept = []                                   # filter
        for x in seqs[0]:
            keep = x if isinstance(args[0], Const) and args[0].value is None else \
                self.call_value(args[0], [x], {}, node)
            if not isinstance(keep, Const):
                raise self.error(node, "filter(...) whose test is known only at run time")
            if keep.value:
                kept.append(x)
        return TupleB(tuple(kept), is_list=True)

    def sorted_items(self, items, kwargs, node):
        """sorted(...) of numbers: constants sorted now; run-time ones in Python's order
        (sorting.py: NaN compares False, so it is not NumPy's)."""
        reverse = kwargs.pop("reverse", Const(False))
        if kwargs or not isinstance(reverse, Const):
            raise self.error(node, "sorted(...) with a key, or reverse known only at run time")
        if all(map(literal, items)):      # (a global array is a run-time value)
            return TupleB(tuple(sorted(items, key=lambda c: c.value, reverse=reverse.value)),
                          is_list=True)
        if any(not is_atom(x) for x in items):
            raise self.error(node, "sorted(...) of values known only at run time that are "
                                   "not numbers")
        return self.python_sorted(tuple(items), bool(reverse.value), node)

    def call_partial(self, p, args, kwargs, node):
        return self.call_value(p.func, list(p.args) + list(args), {**dict(p.kwargs), **kwargs},
                               node)

    # -- for loops over zip/enumerate ------------------------------------------------------------
    def loop_sequence(self, s, it):
        """What ``for ... in it`` iterates: a static tuple, an array, or None once a loop
        over ``zip``/``enumerate`` of arrays is lowered (``for i in range(len(X))`` with
        the rows read at the top of the body)."""
        kind = None
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name):
            fn = self.lookup(it.func.id, it.func)
            kind = fn.obj if isinstance(fn, PyObj) and fn.obj in (zip, enumerate) else None
        if kind is None:
            return self.expr(it)
        inner = self._enumerated_zip(s, it) if kind is enumerate else None
        if inner is not None:       # for i, (a, b) in enumerate(zip(X, Y)): X, Y and i, a, b
            args, kwargs = self.call_arguments(inner)
            if not any(is_atom(b) for b in args):
                return self.call_functional(kind, [self.call_functional(
                    zip, args, kwargs, inner)], {}, it)
            seqs, targets = args, s.target.elts[1].elts
            if kwargs or not all(is_atom(b) for b in seqs) or len(targets) != len(seqs):
                raise self.error(it, "enumerate(zip(...)) mixing arrays with other values, "
                                     "or unpacked into another number of names")
        else:
            args, kwargs = self.call_arguments(it)
            seqs = args[:1] if kind is enumerate else args
            if not any(is_atom(b) for b in seqs):
                return self.call_functional(kind, args, kwargs, it)
            if kind is zip:         # zip(COEFFS, x): a list of numbers read beside an array
                seqs = args = [_number_array(b, self, it) for b in args]
            if not all(is_atom(b) for b in seqs) or kwargs or len(args) != len(seqs) or \
                    not isinstance(s.target, ast.Tuple) or \
                    len(s.target.elts) != (2 if kind is enumerate else len(seqs)):
                raise self.error(it, f"{kind.__name__}(...) mixing arrays with other values, "
                                     "or unpacked into another number of names")
            targets = s.target.elts[1:] if kind is enumerate else s.target.elts
        names = []
        for b in seqs:             # each sequence evaluated once, before the loop
            v = self.new_var("seq")
            self.emit(Assign(v, "copy", (b,), self.loc(it)))
            self.env[v.name] = v
            names.append(v.name)
        k = self.new_var("k").name

        def at(node):
            return ast.copy_location(node, s)
        lengths = [at(ast.Call(at(ast.Name("len", ast.Load())), [at(ast.Name(n, ast.Load()))], []))
                   for n in names]
        stop = lengths[0] if len(lengths) == 1 else \
            at(ast.Call(at(ast.Name("min", ast.Load())), lengths, []))
        head = [at(ast.Assign([t], at(ast.Subscript(at(ast.Name(n, ast.Load())),
                                                    at(ast.Name(k, ast.Load())), ast.Load()))))
                for t, n in zip(targets, names)]
        if kind is enumerate:
            head.insert(0, at(ast.Assign([s.target.elts[0]], at(ast.Name(k, ast.Load())))))
        loop = at(ast.For(at(ast.Name(k, ast.Store())),
                          at(ast.Call(at(ast.Name("range", ast.Load())), [stop], [])),
                          head + s.body, s.orelse))
        ast.fix_missing_locations(loop)
        self.stmt_For(loop)
        return None

    def _enumerated_zip(self, s, it):
        """The ``zip(...)`` call of ``for i, (a, b) in enumerate(zip(...))``, else None."""
        if len(it.args) != 1 or it.keywords or not isinstance(it.args[0], ast.Call) or \
                not isinstance(it.args[0].func, ast.Name) or \
                not isinstance(s.target, ast.Tuple) or len(s.target.elts) != 2 or \
                not isinstance(s.target.elts[1], ast.Tuple):
            return None
        fn = self.lookup(it.args[0].func.id, it.args[0].func)
        return it.args[0] if isinstance(fn, PyObj) and fn.obj is zip else None

    # -- comprehensions ---------------------------------------------------------------------------
    def expr_GeneratorExp(self, node):
        """Consumed whole where it is written (``sum(x * x for x in xs)``): a list,
        where that is exact (``generators.check_generator_expression``)."""
        at_once = self.check_generator_expression(node)
        block, start = self.blocks[-1], len(self.blocks[-1])
        out = self.expr_ListComp(node)
        self.check_draws(block[start:], at_once, node, "a generator expression")
        return out

    def expr_DictComp(self, node):
        gen = node.generators[0] if len(node.generators) == 1 else None
        seq = _items(self.expr(gen.iter)) if gen is not None and not gen.ifs else None
        if seq is None:
            raise self.error(node, "a dict comprehension other than one 'for' over a tuple "
                                   "or list known when compiling")
        keys, values = [], []
        saved = {n.id: self.env.get(n.id) for n in ast.walk(gen.target)
                 if isinstance(n, ast.Name)}
        for item in seq:
            self.alias(gen.target, item, node)
            key = self.expr(node.key)
            if not isinstance(key, Const):
                raise self.error(node.key, "a dict key known only at run time")
            keys.append(key.value)
            values.append(self.expr(node.value))
        for name, old in saved.items():      # comprehension variables do not leak
            if old is None:
                self.env.pop(name, None)
            else:
                self.env[name] = old
        return DictB(tuple(keys), tuple(values))

    def alias(self, target, b, node):
        """Bind ``target`` to ``b`` itself, no copy: a constant stays a constant (a dict
        key), and ``b``'s atoms were computed before, so nothing can overwrite them."""
        if isinstance(target, ast.Name):
            self.env[target.id] = b
            return
        items = _items(b) if isinstance(target, (ast.Tuple, ast.List)) else None
        if items is None or len(items) != len(target.elts):
            raise self.error(node, "unpacking a value that is not a tuple of matching length")
        for t, x in zip(target.elts, items):
            self.alias(t, x, node)


_KINDS = {map: "map", zip: "zip", enumerate: "enumerate", reversed: "reversed",
          sorted: "sorted", filter: "filter", functools.partial: "partial",
          functools.reduce: "reduce"}


__all__ = ["FunctionalLowerer", "PartialB", "StarB"]


def _number_array(b, low, node):
    """A list or tuple of float constants (or of int constants) as the constant array of
    the same values, so that zip can read it beside an array by index: exact, as indexing
    gives the same numbers (bools, mixed ints and floats, and run-time values stay as they
    are: np.array would change their type).  A global list's items keep their guards."""
    if not isinstance(b, TupleB) or not b.items or \
            not all(isinstance(c, Const) for c in b.items):
        return b
    kinds = {type(c.value) for c in b.items}
    if kinds not in ({float}, {int}):
        return b
    from .expressions import constant_binding   # here: expressions imports this module
    return constant_binding(np.array([c.value for c in b.items]), low, node)
