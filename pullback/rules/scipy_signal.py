"""scipy.signal's convolutions as expansions over the ``convolve`` primitive
(``rules/signal.py``); loaded once the user's code has imported scipy.signal
(``expansions.ON_DEMAND``).

Invariant: ``method`` ('auto', 'direct', 'fft') changes only rounding, so it is
accepted and the value is computed one way; any other is rejected, as SciPy does.
"""
import numpy as np
import scipy.signal

from . import signal_helpers as S
from .expansions import expands


@expands(scipy.signal.convolve)
def convolve(in1, in2, mode="full", method="auto"):
    if method != "auto" and method != "direct" and method != "fft":
        raise ValueError("pullback: scipy.signal's method must be 'auto', 'direct' or 'fft'")
    return S.convolve(in1, in2, mode)


@expands(scipy.signal.correlate)
def correlate(in1, in2, mode="full", method="auto"):
    """z[k] = sum_l in1[l + k - o] conj(in2[l]): the convolution with in2 reversed along
    every axis and conjugated (SciPy's centring of 'same' and 'valid' is the same)."""
    if method != "auto" and method != "direct" and method != "fft":
        raise ValueError("pullback: scipy.signal's method must be 'auto', 'direct' or 'fft'")
    return S.convolve(in1, np.flip(np.conj(in2)), mode)


@expands(scipy.signal.fftconvolve)
def fftconvolve(in1, in2, mode="full", axes=None):
    """Over every axis only: ``axes`` (a subset) is rejected at the user's line."""
    if axes is not None:
        raise ValueError("pullback: scipy.signal.fftconvolve over some axes (axes=) is not "
                         "written; convolve over every axis")
    return S.convolve(in1, in2, mode)
