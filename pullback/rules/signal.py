"""Convolution: one primitive, ``convolve(a, b, mode)`` (SciPy's over every axis,
``signal_helpers.py``), and NumPy's ``np.convolve`` / ``np.correlate`` as expansions
over it; ``scipy.signal.convolve`` / ``correlate`` are in ``scipy_signal.py`` (loaded
once the user's code imports scipy.signal).  A second primitive, ``convolve_axes``, is
autograd.scipy.signal.convolve's signature (some axes convolved, ``dot_axes`` contracted,
the rest outer), computed as one ``convolve`` of the arguments laid out for it.

Each primitive is bilinear: its forward rule in each argument is itself applied to the
tangent there, and its reverse rule in each is the cotangent, padded to the full
convolution's shape, correlated with the other argument (``convolve_vjp_a``/``_b``).
Those are linear in the cotangent and in the other argument, and transpose back to
``convolve`` and to each other, so second derivatives follow by the same rules.

Invariants: the expansions compute NumPy's value for every mode, including NumPy's
own centring of 'same' (np.convolve swaps its arguments so that the first is the
longer; np.correlate reverses a swapped result, which moves the window by one where
the lengths' parities differ); complex values are computed but not differentiated
(``convolve`` is not in ``COMPLEX_RULES``: an active complex argument is rejected at
the user's line); the layout parameters (mode, axes, dot_axes) are constants at the call
(typing evaluates on stand-ins), a run-time value there is rejected.  Python backend
only: the Numba and C backends reject the call at the user's line (no nopython
convolution yet).
"""
import numpy as np

from . import signal_helpers as S
from .expansions import expands
from .registry import array_op
from .shapes import is_type, sized_by


def _constant_layout(name):
    """``shape=`` for ``name``, whose parameters after the two arrays (mode, axes) say
    the result's layout: they must be constants at the call, since typing evaluates the
    function on stand-ins, and a stand-in list of axes would give another layout."""
    evaluate = sized_by(name)

    def shape(a, b, *layout):
        if any(is_type(v) for v in layout):
            raise TypeError(f"{name}: mode, axes and dot_axes must be constants written at "
                            "the call (tuples of ints), not values computed at run time")
        return evaluate(a, b, *layout)
    return shape

array_op("convolve", S.convolve, "a b mode='full'", "convolve_vjp_a(g, a, b, mode)",
         "convolve_vjp_b(g, a, b, mode)", helper="convolve", linear=(0, 1),
         python=(S.convolve,), shape=_constant_layout("convolve"))
# <h, vjp_a(c, a, b)> = <convolve(h, b), c>: the transpose in c is convolve, in b vjp_b
array_op("convolve_vjp_a", S.convolve_vjp_a, "c a b mode", "convolve(g, b, mode)", None,
         "convolve_vjp_b(c, g, b, mode)", helper="convolve_vjp_a", linear=(0, 2))
array_op("convolve_vjp_b", S.convolve_vjp_b, "c a b mode", "convolve(a, g, mode)",
         "convolve_vjp_a(c, a, g, mode)", None, helper="convolve_vjp_b", linear=(0, 1))


@expands(np.convolve)
def np_convolve(a, v, mode="full"):
    if np.ndim(a) != 1 or np.ndim(v) != 1:     # (inline: a checking call would be dropped)
        raise ValueError("pullback: np.convolve of arrays that are not vectors")
    if np.shape(v)[0] > np.shape(a)[0]:
        return S.convolve(v, a, mode)
    return S.convolve(a, v, mode)


@expands(np.correlate)
def np_correlate(a, v, mode="valid"):
    """c[k] = sum_n a[n + k] conj(v[n]): the convolution with v reversed and conjugated."""
    if np.ndim(a) != 1 or np.ndim(v) != 1:
        raise ValueError("pullback: np.correlate of arrays that are not vectors")
    if mode == "same":
        if np.shape(v)[0] > np.shape(a)[0]:
            return np.flip(S.convolve(np.conj(v), np.flip(a), mode))
    return S.convolve(a, np.flip(np.conj(v)), mode)


# some axes convolved, some contracted (dot_axes), the others outer: autograd's
# scipy.signal.convolve signature (signal_helpers.convolve_axes); bilinear as convolve,
# with the same transposes
_AXES = "axes=None dot_axes=((),()) mode='full'"
array_op("convolve_axes", S.convolve_axes, f"a b {_AXES}",
         "convolve_axes_vjp_a(g, a, b, axes, dot_axes, mode)",
         "convolve_axes_vjp_b(g, a, b, axes, dot_axes, mode)", helper="convolve_axes",
         linear=(0, 1), python=(S.convolve_axes,), shape=_constant_layout("convolve_axes"))
array_op("convolve_axes_vjp_a", S.convolve_axes_vjp_a, "c a b axes dot_axes mode",
         "convolve_axes(g, b, axes, dot_axes, mode)", None,
         "convolve_axes_vjp_b(c, g, b, axes, dot_axes, mode)", helper="convolve_axes_vjp_a",
         linear=(0, 2))
array_op("convolve_axes_vjp_b", S.convolve_axes_vjp_b, "c a b axes dot_axes mode",
         "convolve_axes(a, g, axes, dot_axes, mode)",
         "convolve_axes_vjp_a(c, a, g, axes, dot_axes, mode)", None,
         helper="convolve_axes_vjp_b", linear=(0, 1))
