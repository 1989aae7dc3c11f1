"""Run-time helpers of the convolution rules (``rules/signal.py``).

One primitive, ``convolve(a, b, mode)``, is ``scipy.signal.convolve`` over every axis
of two arrays with the same number of axes, for a real or complex value: the full
convolution ``y[k] = sum_{i + j = k} a[i] b[j]`` cropped to a window that depends only
on the shapes and the mode (``convolve_window``):

    full    every index, n + m - 1 along an axis
    valid   [min(n, m) - 1, max(n, m)), |n - m| + 1 long (one argument at least as
            large as the other along every axis, else ValueError, as SciPy)
    same    [(m - 1) // 2, (m - 1) // 2 + n), the length of ``a``

The reverse rules pad the cotangent ``c`` back to the full shape (zeros outside the
window) and correlate it with the other argument over the 'valid' range:
``a_bar[i] = sum_j c_full[i + j] b[j]``, ``b_bar[j] = sum_i c_full[i + j] a[i]``,
without conjugation (JAX's convention; complex values are not differentiated here).
Both are linear in ``c`` and in the other argument; the argument they are the
cotangent of is read only for its shape.  ``convolve_axes`` lays its arguments out for
one full convolution (``convolve_axes_layout``), so its rules are these through the
layout's transpose.
"""
import numpy as np


def convolve_window(sa, sb, mode):
    """The window of the full convolution of shapes ``sa`` and ``sb`` that ``mode``
    keeps: a tuple of slices (ValueError where SciPy raises)."""
    if len(sa) != len(sb):
        raise ValueError("in1 and in2 should have the same dimensionality")
    if 0 in sa or 0 in sb:
        raise ValueError("an empty argument")
    if mode == "valid" and not (all(n >= m for n, m in zip(sa, sb))
                                or all(n <= m for n, m in zip(sa, sb))):
        raise ValueError("for 'valid' mode, one must be at least as large as "
                         "the other in every dimension")
    if mode == "full":
        return tuple(slice(0, n + m - 1) for n, m in zip(sa, sb))
    if mode == "valid":
        return tuple(slice(min(n, m) - 1, max(n, m)) for n, m in zip(sa, sb))
    if mode == "same":
        return tuple(slice((m - 1) // 2, (m - 1) // 2 + n) for n, m in zip(sa, sb))
    raise ValueError(f"mode must be 'full', 'valid' or 'same', not {mode!r}")


def convolve_full(a, b):
    """The full convolution over every axis: NumPy's direct one for vectors, else by
    NumPy's FFT (the values to rounding; no SciPy, whose import costs seconds)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim == 1:
        return np.convolve(a, b)
    if a.ndim == 0:
        return a * b
    shape, axes = tuple(n + m - 1 for n, m in zip(a.shape, b.shape)), tuple(range(a.ndim))
    if np.iscomplexobj(a) or np.iscomplexobj(b):
        return np.fft.ifftn(np.fft.fftn(a, shape, axes) * np.fft.fftn(b, shape, axes), shape, axes)
    return np.fft.irfftn(np.fft.rfftn(a, shape, axes) * np.fft.rfftn(b, shape, axes), shape, axes)


def convolve(a, b, mode):
    """``scipy.signal.convolve(a, b, mode)``."""
    a, b = np.asarray(a), np.asarray(b)
    window = convolve_window(a.shape, b.shape, mode)      # first: SciPy's errors, as SciPy
    return np.asarray(convolve_full(a, b)[window])


def convolve_padded(c, sa, sb, mode):
    """The cotangent ``c`` of ``convolve`` of shapes ``sa``, ``sb`` in ``mode``, as the
    cotangent of the full convolution: zeros outside the window."""
    full = np.zeros(tuple(n + m - 1 for n, m in zip(sa, sb)), dtype=np.result_type(c, 1.0))
    full[convolve_window(sa, sb, mode)] = c
    return full


def convolve_vjp_a(c, a, b, mode):
    """The cotangent of ``a`` in ``convolve(a, b, mode)`` from the result's ``c``."""
    b, sa = np.asarray(b), np.shape(a)
    full = convolve_full(convolve_padded(c, sa, b.shape, mode), np.flip(b))
    return np.asarray(full[tuple(slice(m - 1, m - 1 + n) for n, m in zip(sa, b.shape))])


def convolve_vjp_b(c, a, b, mode):
    """The cotangent of ``b`` in ``convolve(a, b, mode)`` from the result's ``c``."""
    a, sb = np.asarray(a), np.shape(b)
    full = convolve_full(convolve_padded(c, a.shape, sb, mode), np.flip(a))
    return np.asarray(full[tuple(slice(n - 1, n - 1 + m) for n, m in zip(a.shape, sb))])


# -- convolve_axes: some axes convolved, some contracted, the rest outer ------------------
def convolve_axes(a, b, axes=None, dot_axes=((), ()), mode="full"):
    """Convolve ``a`` and ``b`` along the paired axes ``axes = (of a, of b)`` (default:
    every axis of ``a`` with the same of ``b``), sum the products over the paired
    ``dot_axes``, and take the outer product over the other axes: the result's axes are
    ``a``'s others, ``b``'s others (in their order), then the convolved ones, each as
    ``convolve`` in ``mode`` (autograd.scipy.signal.convolve's signature).

    Computed as one ``convolve_full`` of ``a`` laid out as (A, 1, D, conv of a) and ``b``
    as (1, B, D reversed, conv of b): a full convolution along an axis where one side has
    length 1 is the outer product, and entry D - 1 of the reversed axis is the sum over it."""
    a, b = np.asarray(a), np.asarray(b)
    a2, b2, lay = convolve_axes_layout(a, b, axes, dot_axes, mode)
    full = convolve_full(a2, b2)
    return np.reshape(full[lay["keep"]], lay["shape"])


def convolve_axes_layout(a, b, axes, dot_axes, mode):
    """(``a`` and ``b`` laid out for one full convolution, the facts that undo it)."""
    if axes is None:
        axes = (tuple(range(np.ndim(a))), tuple(range(np.ndim(a))))
    conv = [tuple(int(i) % max(nd, 1) for i in ax) for ax, nd in zip(axes, (a.ndim, b.ndim))]
    dots = [tuple(int(i) % max(nd, 1) for i in ax) for ax, nd in zip(dot_axes, (a.ndim, b.ndim))]
    if len(conv[0]) != len(conv[1]) or len(dots[0]) != len(dots[1]):
        raise ValueError("axes and dot_axes must pair as many axes of each argument")
    rest = [tuple(i for i in range(x.ndim) if i not in c + d)
            for x, c, d in zip((a, b), conv, dots)]
    for x, c, d, r in zip((a, b), conv, dots, rest):
        if len(set(c + d)) != len(c + d) or len(c + d + r) != x.ndim:
            raise ValueError("an axis is named twice in axes and dot_axes")
    da, db = (tuple(a.shape[i] for i in dots[0]), tuple(b.shape[i] for i in dots[1]))
    if da != db:
        raise ValueError(f"dot_axes of lengths {da} and {db} do not match")
    ca, cb = tuple(a.shape[i] for i in conv[0]), tuple(b.shape[i] for i in conv[1])
    window = convolve_window(ca, cb, mode)
    ra, rb = tuple(a.shape[i] for i in rest[0]), tuple(b.shape[i] for i in rest[1])
    D = int(np.prod(da))
    lay = {"order": (rest[0] + dots[0] + conv[0], rest[1] + dots[1] + conv[1]),
           "moved": (ra + da + ca, rb + db + cb),
           "keep": (slice(None), slice(None), D - 1) + window,
           "full": (int(np.prod(ra)), int(np.prod(rb)), 2 * D - 1) +
                   tuple(n + m - 1 for n, m in zip(ca, cb)),
           "shape": ra + rb + tuple(w.stop - w.start for w in window)}
    a2 = np.reshape(np.transpose(a, lay["order"][0]), (-1, 1, D) + ca)
    b2 = np.flip(np.reshape(np.transpose(b, lay["order"][1]), (1, -1, D) + cb), 2)
    return a2, b2, lay


def convolve_axes_padded(c, lay):
    """The cotangent ``c`` of ``convolve_axes`` as that of the full convolution."""
    full = np.zeros(lay["full"], dtype=np.result_type(c, 1.0))
    full[lay["keep"]] = np.reshape(c, lay["full"][:2] + np.shape(full[lay["keep"]])[2:])
    return full


def convolve_axes_vjp_a(c, a, b, axes, dot_axes, mode):
    """The cotangent of ``a`` in ``convolve_axes(a, b, ...)`` from the result's ``c``."""
    a2, b2, lay = convolve_axes_layout(np.asarray(a), np.asarray(b), axes, dot_axes, mode)
    a2_bar = convolve_vjp_a(convolve_axes_padded(c, lay), a2, b2, "full")
    return np.transpose(np.reshape(a2_bar, lay["moved"][0]), np.argsort(lay["order"][0]))


def convolve_axes_vjp_b(c, a, b, axes, dot_axes, mode):
    """The cotangent of ``b`` in ``convolve_axes(a, b, ...)`` from the result's ``c``."""
    a2, b2, lay = convolve_axes_layout(np.asarray(a), np.asarray(b), axes, dot_axes, mode)
    b2_bar = np.flip(convolve_vjp_b(convolve_axes_padded(c, lay), a2, b2, "full"), 2)
    return np.transpose(np.reshape(b2_bar, lay["moved"][1]), np.argsort(lay["order"][1]))
