"""A two-operand ``np.einsum`` printed as ``np.matmul`` when the Python backend knows its shapes.

NumPy's einsum (without ``optimize``) runs one generic loop over every letter; a
contraction with a batch of matrices behind it runs 2-10x faster as a (batched) BLAS
product.  When the types give both operands' shapes, the letters sort, once, at print
time, into batch ``B`` (in both operands and the output), contracted ``C`` (in both,
not the output), left ``L`` (first operand and output) and right ``R`` (second operand
and output)::

    np.einsum('kij,nkj->nki', L, xc)   ->  (L @ xc.transpose(1, 2, 0)).transpose(2, 0, 1)
    np.einsum('nki,nkj->kij', g, xc)   ->  g.transpose(1, 2, 0) @ xc.transpose(1, 0, 2)

Each operand is transposed to ``B + L + C`` (``B + C + R``), reshaped to one matrix
per batch entry when ``L``, ``C`` or ``R`` has several letters (or none), multiplied,
and the product is reshaped and transposed back to the output's letters.

Invariant: the printed expression equals the einsum up to the order of the additions
(BLAS sums in its own order).  It is printed only when every condition holds: two
float64 operands with static shapes, no repeated letter in an operand or the output
(a diagonal), no letter summed away in one operand alone, a letter's size the same in
both operands (einsum would broadcast a 1), at least one contracted letter, an output
of at least one axis, and not a batch of dot products (``ni,ni->n``: einsum is faster
there); otherwise None, and the einsum prints as it is.
"""
import math

ATOM = 100      # python.ATOM


def _perm(src, order):
    return [src.index(c) for c in order]


def _moved(text, src, order, size, shape):
    """``text`` (letters ``src``) transposed to ``order`` and reshaped to ``shape``."""
    perm = _perm(src, order)
    if perm != list(range(len(src))):
        text = f"{text}.transpose({', '.join(map(str, perm))})"
    if tuple(size[c] for c in order) != shape:
        text = f"{text}.reshape({shape!r})"
    return text


def einsum_matmul(ins, out, shapes, texts, swapped=False):
    """``(text, precedence)`` of ``np.einsum(",".join(ins) + "->" + out, *operands)``
    as a matrix product, or None.  ``texts``: the operands' texts, printed atoms;
    ``swapped``: they come in the other order already (one swap at most)."""
    if len(ins) != 2 or len(shapes) != 2 or not out:
        return None
    a, b = ins
    if any(len(set(s)) != len(s) for s in (a, b, out)):
        return None
    size = {}
    for s, shape in zip(ins, shapes):
        if len(s) != len(shape):
            return None
        for c, n in zip(s, shape):
            if size.setdefault(c, n) != n:
                return None
    batch = [c for c in out if c in a and c in b]
    summed = [c for c in a if c in b and c not in out]
    left = [c for c in out if c in a and c not in b]
    right = [c for c in out if c in b and c not in a]
    if len(batch) + len(summed) + len(left) != len(a) or not summed or \
            len(batch) + len(summed) + len(right) != len(b) or \
            len(batch) + len(left) + len(right) != len(out) or \
            (batch and not left and not right):
        return None
    if out[len(batch):] == "".join(right + left) != "".join(left + right) and not swapped:
        # the product the other way round needs no transpose after it
        return einsum_matmul(ins[::-1], out, shapes[::-1], texts[::-1], swapped=True)
    nb = tuple(size[c] for c in batch)
    nl, nc, nr = (math.prod(size[c] for c in part) for part in (left, summed, right))
    ta = _moved(texts[0], a, batch + left + summed, size, nb + (nl, nc))
    tb = _moved(texts[1], b, batch + summed + right, size, nb + (nc, nr))
    text, prec = f"{ta} @ {tb}", 20
    mid = batch + left + right
    full = tuple(size[c] for c in mid)
    if full != nb + (nl, nr):
        text, prec = f"({text}).reshape({full!r})", ATOM
    perm = _perm(mid, out)
    if perm != list(range(len(out))):
        text = f"{text if prec == ATOM else f'({text})'}.transpose({', '.join(map(str, perm))})"
        prec = ATOM
    return text, prec
