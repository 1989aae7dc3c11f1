"""``np.einsum`` of static shapes as a generated Numba function (forward and adjoint).

``einsum_fn(p, spec, shapes, out_shape)`` registers one function per spec and shapes
in ``p.generated`` and returns its name.  Two kinds:

- a ``dgemm`` per batch on the operands where they lie (``numba_blas.py``) when the
  spec is a batched product (below) whose groups of letters are runs of memory;
- else a batched product through BLAS (``np.dot`` per batch) when the spec is one: two
  operands, each letter in both operands and the output (batch), in one operand and
  the output (free), or in both operands only (summed), none repeated, and each product
  big enough to pay for the copies that order the operands (``BLAS_MIN`` terms);
- else a loop per letter whose innermost loop runs along memory (``_einsum_order``).

Invariants
- every letter has one size in all operands and the output, else the einsum is rejected
  (NumPy broadcasts a letter of size 1: the loops indexed past it, a wrong value);
- the result is a new C-contiguous float64 array of ``out_shape`` (a scalar for
  ``->``), whatever the layout of the operands;
- the sum's order differs from NumPy's (NumPy's own einsum order is unspecified too).
"""
import math

from ..errors import UnsupportedError
from .numba_blas import GEMM, GEMM_DECL, strided_gemm

BLAS_MIN = 4096     # terms of one batch's product below which loops beat a BLAS call


def _tag(shape):
    return "x".join(map(str, shape)) or "s"


def _tup(shape):
    return f"({shape[0]},)" if len(shape) == 1 else f"({', '.join(map(str, shape))})"


def _einsum_parse(subs):
    subs = subs.replace(" ", "")
    if "..." in subs:
        raise UnsupportedError("the numba backend has no einsum with '...'")
    if "->" in subs:
        lhs, out = subs.split("->")
    else:
        lhs = subs
        letters = lhs.replace(",", "")
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return lhs.split(","), out      # a repeated letter (``ii``) indexes a diagonal


def einsum_fn(p, spec, shapes, out_shape, floats=False):
    """A generated function for ``np.einsum(spec, *ops)`` of static ``shapes``;
    ``floats``: every operand is float64 (else no BLAS)."""
    lhs, out = spec.split("->")
    ins = lhs.split(",")
    size = {}
    for sub, shape in zip(ins + [out], list(shapes) + [out_shape]):
        for c, n in zip(sub, shape):
            if size.setdefault(c, n) != n:
                # NumPy broadcasts a letter of size 1; these loops would read past it
                raise UnsupportedError("the numba backend needs each einsum letter to have "
                                       "one size in every operand (no broadcast of a size 1; "
                                       "use backend='python')")
    tag = spec.replace(",", "_").replace("->", "_to_")
    name = f"_einsum_{tag}_{'_'.join(_tag(sh) for sh in shapes)}{'' if floats else '_any'}"
    if name not in p.generated:
        text = floats and _gemm_in_place(p, name, ins, out, size) or \
            floats and _batched(name, ins, out, size) or _loops(name, ins, out, size, out_shape)
        p.generated[name] = "\n" + "\n".join(text)
    return name


def _blas_spec(ins, out, size):
    """Whether a BLAS product computes the spec: two operands, no letter repeated or
    summed within one operand, some letter summed, and ``BLAS_MIN`` terms a batch."""
    if len(ins) != 2 or len(out) != len(set(out)) or any(len(s) != len(set(s)) for s in ins):
        return False
    a, b = ins
    summed = [c for c in a if c in b and c not in out]
    if not summed or any(c not in out and c not in summed for c in a + b):
        return False
    free = [c for c in out if (c in a) != (c in b)]
    return math.prod(size[c] for c in free + summed) >= BLAS_MIN


def _gemm_in_place(p, name, ins, out, size):
    """Lines of a dgemm per batch on the operands in place (``numba_blas.py``), or None."""
    lines = _blas_spec(ins, out, size) and strided_gemm(name, *ins, out, size)
    if lines:
        p.generated.setdefault(GEMM, GEMM_DECL)
    return lines


def _batched(name, ins, out, size):
    """Lines of ``out[b] = A[b] @ B[b]`` over the batch letters, or None.  A holds the
    free letters that come first in the output, so the product's rows come out in the
    output's order more often (then the final copy is no transpose)."""
    if len(ins) != 2 or len(out) != len(set(out)) or any(len(s) != len(set(s)) for s in ins):
        return None
    a, b = ins
    batch = [c for c in out if c in a and c in b]
    summed = [c for c in a if c in b and c not in out]
    if any(c not in out and c not in summed for c in a + b):
        return None                     # a letter summed within one operand
    fa, fb = [c for c in out if c in a and c not in b], [c for c in out if c in b and c not in a]
    first, second = ("o0", "o1") if not fb or fa and out.index(fa[0]) < out.index(fb[0]) \
        else ("o1", "o0")
    if first == "o1":
        a, b, fa, fb = b, a, fb, fa
    n = {k: math.prod(size[c] for c in v) for k, v in
         (("b", batch), ("l", fa), ("r", fb), ("s", summed))}
    if n["l"] * n["r"] * n["s"] < BLAS_MIN or not summed:
        return None

    def ordered(op, sub, letters, shape):
        perm = tuple(sub.index(c) for c in letters)
        x = op if perm == tuple(range(len(sub))) else f"{op}.transpose({_tup(perm)})"
        return f"np.ascontiguousarray({x}).reshape({_tup(shape)})"
    mid = batch + fa + fb
    back = tuple(mid.index(c) for c in out)
    res = "res" if back == tuple(range(len(out))) else f"res.transpose({_tup(back)})"
    return [f"def {name}(o0, o1):",
            f"    a = {ordered(first, a, batch + fa + summed, (n['b'], n['l'], n['s']))}",
            f"    b = {ordered(second, b, batch + summed + fb, (n['b'], n['s'], n['r']))}",
            f"    res = np.empty({_tup((n['b'], n['l'], n['r']))})",
            f"    for i in range({n['b']}):",
            "        np.dot(a[i], b[i], res[i])",
            f"    res = res.reshape({_tup(tuple(size[c] for c in mid) or (1,))})",
            f"    return np.ascontiguousarray({res})" if out else "    return res[0]"]


def _loops(name, ins, out, size, out_shape):
    """Lines of one loop per letter (``_einsum_order``)."""
    order, local = _einsum_order(ins, out)
    summed = any(c not in out for c in order)
    params = [f"o{i}" for i in range(len(ins))]
    # zeros where cells are added into, or where only a diagonal is written (``i->ii``)
    fill = "zeros" if summed and not local or len(set(out)) < len(out) else "empty"
    lines = [f"def {name}({', '.join(params)}):",
             f"    out = np.{fill}({_tup(out_shape) if out_shape else '1'})"]
    prod = " * ".join(f"{pr}[{', '.join(c + '_' for c in sub)}]" if sub else pr
                      for pr, sub in zip(params, ins))
    target = f"out[{', '.join(c + '_' for c in out)}]" if out else "out[0]"
    pad = "    "
    for depth, c in enumerate(order):
        if local and depth == len(out):
            lines.append(f"{pad}acc = 0.0")
        lines.append(f"{pad}for {c}_ in range({size[c]}):")
        pad += "    "
    if local:
        lines.append(f"{pad}acc += {prod}")
        lines.append(f"{'    ' * (len(out) + 1)}{target} = acc")
    else:
        lines.append(f"{pad}{target} {'+=' if summed else '='} {prod}")
    lines.append("    return out" if out else "    return out[0]")
    return lines


def _einsum_order(ins, out):
    """(letters outermost first, whether the summed letters run innermost into a local).
    The output's last letter goes innermost when every operand holding it holds it last
    (each step then reads and writes the next element of each: no chain of dependent
    additions); else the output's letters go outside and the summed ones inside, adding
    into a local (GMM's nki,nkj->kij summed n innermost into memory: 4 cycles a term)."""
    letters = list(dict.fromkeys(out + "".join(ins)))
    summed = [c for c in letters if c not in out]

    def along(c):
        return all(sub[-1] == c and sub.count(c) == 1 for sub in ins if c in sub)
    if out and along(out[-1]):
        return list(out[:-1]) + summed + [out[-1]], False
    summed.sort(key=along)          # a summed letter that runs along memory goes innermost
    return list(out) + summed, bool(summed)
