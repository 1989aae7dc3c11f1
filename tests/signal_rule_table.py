"""Rule-table rows for convolutions (``test_numpy_rules.py``): ``np.convolve``,
``np.correlate``, ``scipy.signal.convolve`` and ``scipy.signal.correlate`` over the
modes, vectors and arrays of 2 and 3 axes, both arguments differentiated, either one
the larger (SciPy's 'valid' swaps them; NumPy's 'same' centres by the longer one, and
np.correlate's window moves where the lengths' parities differ), and ``convolve_axes``
(autograd's signature: some axes convolved, some contracted, the rest outer).  Importing this
module appends its rows to ``ROWS``; ``JAX_SCIPY`` adds ``jax.scipy.signal``.
"""
import jax
import jax.numpy as jnp
import jax.scipy.signal
import numpy as np
import scipy.signal

from numpy_rule_table import R, U
from pullback.rules.signal_helpers import convolve_axes

JAX_SCIPY = dict(signal=jax.scipy.signal)

MODES = ("full", "valid", "same")
for _mode in MODES:
    for _n, _m in ((5, 3), (3, 5), (4, 4), (2, 5), (4, 7)):
        R("convolve", lambda a, b, mode=_mode: np.convolve(a, b, mode), U(_n), U(_m))
        R("correlate", lambda a, b, mode=_mode: np.correlate(a, b, mode), U(_n), U(_m))
    for _sa, _sb in (((4, 3), (2, 2)), ((2, 2), (4, 3)), ((3, 4, 2), (2, 3, 2)), ((5,), (2,))):
        R("signal.convolve", lambda a, b, mode=_mode: scipy.signal.convolve(a, b, mode),
          U(*_sa), U(*_sb))
        R("signal.correlate", lambda a, b, mode=_mode: scipy.signal.correlate(a, b, mode=mode),
          U(*_sa), U(*_sb))
    # neither the larger in every axis ('valid' rejects it): JAX refuses the shapes in
    # every mode, so finite differences only
    R("signal.convolve", lambda a, b, mode=_mode: scipy.signal.convolve(a, b, mode, "direct")
      if mode != "valid" else scipy.signal.convolve(a, b, "full"), U(3, 5), U(4, 2), jax=False)
R("signal.convolve", lambda a: scipy.signal.convolve(a, a) * scipy.signal.correlate(a, a),
  U(3, 2))
R("convolve", lambda a: np.convolve(a, np.array([0.25, 0.5, 0.25]), mode="same"), U(6))


# -- convolve_axes (autograd.scipy.signal.convolve's signature): the JAX twin is the
# definition itself, one jax.scipy.signal.convolve per pair of outer and contracted indices
def jax_convolve_axes(a, b, axes=None, dot_axes=((), ()), mode="full"):
    """out[i, j, k] = sum_d convolve(a[i, d], b[j, d], mode)[k] (i: a's other axes, j: b's)."""
    axes = axes or (tuple(range(a.ndim)), tuple(range(a.ndim)))
    laid = []
    for x, conv, dot in ((a, axes[0], dot_axes[0]), (b, axes[1], dot_axes[1])):
        rest = [i for i in range(x.ndim) if i not in tuple(conv) + tuple(dot)]
        laid.append((jnp.transpose(x, rest + list(dot) + list(conv)), len(rest)))
    (xa, ra), (xb, rb) = laid
    fa, fb, d = xa.shape[:ra], xb.shape[:rb], xa.shape[ra:ra + len(dot_axes[0])]
    out = [sum(jax.scipy.signal.convolve(xa[i + k], xb[j + k], mode) for k in np.ndindex(d))
           for i in np.ndindex(fa) for j in np.ndindex(fb)]
    return jnp.reshape(jnp.stack(out), fa + fb + out[0].shape)


# (shape of a, shape of b, keywords): the rows spell the keywords at the call, where they
# are constants (a tuple reaching a function through a default is a run-time value, and
# convolve_axes rejects run-time axes)
AXES_CASES = [((3, 5), (3, 4), dict(axes=([1], [0]))),
              ((3, 5), (3, 4, 2), dict(axes=([1], [2]), dot_axes=([0], [0]))),
              ((2, 5, 4, 3), (2, 4, 2, 3, 2),
               dict(axes=([1, 2], [2, 4]), dot_axes=([0, 3], [0, 3]))),
              ((4, 3), (3, 2), dict(axes=([0], [1]))),
              ((4, 3), (3, 2), dict(axes=([1, 0], [1, 0]))),
              ((3, 3, 2), (3, 2, 3), dict(axes=([1], [1]), dot_axes=([0], [2]))),
              ((2, 1, 6, 6), (1, 3, 3, 3), dict(axes=([2, 3], [2, 3]), dot_axes=([1], [0]))),
              ((4, 3), (2, 2), {})]
AXES_ROWS = [
    lambda a, b, mode: convolve_axes(a, b, axes=([1], [0]), mode=mode),
    lambda a, b, mode: convolve_axes(a, b, axes=([1], [2]), dot_axes=([0], [0]), mode=mode),
    lambda a, b, mode: convolve_axes(a, b, axes=([1, 2], [2, 4]), dot_axes=([0, 3], [0, 3]),
                                     mode=mode),
    lambda a, b, mode: convolve_axes(a, b, axes=([0], [1]), mode=mode),
    lambda a, b, mode: convolve_axes(a, b, axes=([1, 0], [1, 0]), mode=mode),
    lambda a, b, mode: convolve_axes(a, b, axes=([1], [1]), dot_axes=([0], [2]), mode=mode),
    lambda a, b, mode: convolve_axes(a, b, axes=([2, 3], [2, 3]), dot_axes=([1], [0]), mode=mode),
    lambda a, b, mode: convolve_axes(a, b, mode=mode)]
for _mode in MODES:
    for (_sa, _sb, _kw), _f in zip(AXES_CASES, AXES_ROWS):
        R("convolve_axes", lambda a, b, f=_f, mode=_mode: f(a, b, mode), U(*_sa), U(*_sb),
          jf=lambda a, b, kw=_kw, mode=_mode: jax_convolve_axes(a, b, mode=mode, **kw))
