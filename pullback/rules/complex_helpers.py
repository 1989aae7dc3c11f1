"""Run-time helpers of the complex rules (``rules/complex.py``).

Convention (JAX's): a cotangent ``c`` pairs with a tangent ``t`` by ``Re(c * t)``,
no conjugate, so a holomorphic function's reverse rule is ``g * f'(z)`` as for reals,
and a real value's cotangent is the real part of a complex one.  Results are arrays
(a 0-d array for a number): the IR has no complex scalar type.
"""
import numpy as np


# the complex forms the expansions of np.real, np.imag, np.conj and np.angle call
# (distinct callables: np.real itself is the expansion's own name)
def creal(x):
    return np.real(x)


def cimag(x):
    return np.imag(x)


def cconj(x):
    return np.conj(x)


def cangle(x):
    return np.angle(x)


def imag_vjp(g):
    """d Im(z): the tangent ``Im(t) = Re(-1j * t)``, so the cotangent ``-1j * g``."""
    return np.asarray(-1j * np.asarray(g))


def abs_vjp(g, x, y):
    """|z|: ``conj(z) / |z| * g`` (0 at z = 0, as JAX)."""
    safe = np.where(y == 0, 1.0, y)
    return np.asarray(np.where(y == 0, 0.0, np.conj(x) / safe) * g)


def abs_jvp(t, x, y):
    safe = np.where(y == 0, 1.0, y)
    return np.asarray(np.where(y == 0, 0.0, np.real(np.conj(x) * t) / safe))


def angle_vjp(g, x):
    """angle(z) = atan2(Im z, Re z): the tangent ``Im(conj(z) t) / |z|^2``."""
    r2 = np.real(x * np.conj(x))
    return np.asarray(np.where(r2 == 0, 0.0, -1j * np.conj(x) / np.where(r2 == 0, 1.0, r2)) * g)


def angle_jvp(t, x):
    r2 = np.real(x * np.conj(x))
    return np.asarray(np.where(r2 == 0, 0.0, np.imag(np.conj(x) * t) / np.where(r2 == 0, 1.0, r2)))


def fft_fit(a, sizes, axes):
    """``a`` cropped or zero-padded along ``axes`` to ``sizes``."""
    for n, ax in zip(sizes, axes):
        m = a.shape[ax]
        if m > n:
            a = np.take(a, np.arange(n), axis=ax)
        elif m < n:
            pad = [(0, 0)] * a.ndim
            pad[ax] = (0, n - m)
            a = np.pad(a, pad)
    return a


def fft_axes(x, axis, axes):
    axes = (axis,) if axes is None else tuple(axes)
    return tuple(a % np.ndim(x) for a in axes)


def dft_vjp(g, x, axes, inverse):
    """The transpose of ``fft``/``ifft``/``fft2``/``ifft2`` over ``axes`` (the DFT matrix
    is symmetric: the same transform of ``g``), cropped or padded back to ``x``'s
    lengths (the transpose of ``n``'s padding or cropping)."""
    g = np.asarray(g, dtype=complex)
    t = (np.fft.ifftn if inverse else np.fft.fftn)(g, axes=axes[0], norm=axes[1])
    return fft_fit(t, [np.shape(x)[a] for a in axes[0]], axes[0])


def fft_vjp(g, x, axis, norm):
    return dft_vjp(g, x, (fft_axes(x, axis, None), norm), False)


def ifft_vjp(g, x, axis, norm):
    return dft_vjp(g, x, (fft_axes(x, axis, None), norm), True)


def fft2_vjp(g, x, axes, norm):
    return dft_vjp(g, x, (fft_axes(x, None, axes), norm), False)


def ifft2_vjp(g, x, axes, norm):
    return dft_vjp(g, x, (fft_axes(x, None, axes), norm), True)


def rfft_vjp(g, x, n, axis, norm):
    """rfft keeps the first ``n // 2 + 1`` outputs of the full fft: pad ``g`` to the
    full length with zeros, transform, fit back (the real part is taken centrally)."""
    ax = fft_axes(x, axis, None)[0]
    n = np.shape(x)[ax] if n is None else n
    full = fft_fit(np.asarray(g, dtype=complex), [n], [ax])
    return fft_fit(np.fft.fft(full, axis=ax, norm=norm), [np.shape(x)[ax]], [ax])


def irfft_vjp(g, x, n, axis, norm):
    """irfft(c, n)_j = sum_k w_k Re(c_k e^{+2 pi i jk/n}) (scaled by ``norm``) with
    w_0 = 1, w_k = 2 and w_{n/2} = 1 for even n: the cotangent of c_k is
    w_k ifft(g)_k, fitted back to c's length (entries irfft ignores get zero)."""
    ax = fft_axes(x, axis, None)[0]
    n = np.shape(g)[ax]
    h = n // 2 + 1
    c = fft_fit(np.fft.ifft(g, axis=ax, norm=norm), [h], [ax])
    w = np.full(h, 2.0)
    w[0] = 1.0
    if n % 2 == 0:
        w[-1] = 1.0
    shape = [1] * c.ndim
    shape[ax] = h
    return fft_fit(c * w.reshape(shape), [np.shape(x)[ax]], [ax])
