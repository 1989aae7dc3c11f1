"""N-body energy with nested scalar loops: 60 softened point masses on a twisted ring.

Particle i sits at angle a_i = phase + 2 pi i / n on a ring of radius r, lifted
to height h sin(twist a_i).  The energy is the softened pair potential over
all 1770 pairs plus a harmonic trap; the gradient is w.r.t. the five shape
parameters (r, h, phase, twist, eps).  The inner loop recomputes particle j's
position (two ``cos``, two ``sin``), as scalar code written without arrays does.
The hand-written adjoint accumulates per-particle position adjoints in the pair
loop and projects them onto the parameters afterwards.
"""
import math

import numpy as np

from . import peers
from .harness import Row

TITLE = "n-body energy (60 bodies, nested scalar loops, 5 parameters)"
N = 60
JAX_BODIES = 12
PARAMS = (1.3, 0.4, 0.2, 3.0, 0.1)
ARGS = PARAMS + (N,)
ARGNUMS = (0, 1, 2, 3, 4)
BASELINES = ("f, Numba", "hand-written adjoint, Numba", "hand-written adjoint, Python")
REFERENCE = "hand-written adjoint, Python"


def ring_energy(r, h, phase, twist, eps, n=N):
    e = 0.0
    for i in range(n):
        ai = phase + 2.0 * math.pi * i / n
        xi = r * math.cos(ai)
        yi = r * math.sin(ai)
        zi = h * math.sin(twist * ai)
        for j in range(i + 1, n):
            aj = phase + 2.0 * math.pi * j / n
            dx = xi - r * math.cos(aj)
            dy = yi - r * math.sin(aj)
            dz = zi - h * math.sin(twist * aj)
            e = e - 1.0 / math.sqrt(dx * dx + dy * dy + dz * dz + eps * eps)
        e = e + 0.5 * (xi * xi + yi * yi + zi * zi)
    return e


def _lib(m):
    def f(r, h, phase, twist, eps, n=N):
        e = 0.0
        for i in range(n):
            ai = phase + 2.0 * math.pi * i / n
            xi, yi, zi = r * m.cos(ai), r * m.sin(ai), h * m.sin(twist * ai)
            for j in range(i + 1, n):
                aj = phase + 2.0 * math.pi * j / n
                dx = xi - r * m.cos(aj)
                dy = yi - r * m.sin(aj)
                dz = zi - h * m.sin(twist * aj)
                e = e - 1.0 / m.sqrt(dx * dx + dy * dy + dz * dz + eps * eps)
            e = e + 0.5 * (xi * xi + yi * yi + zi * zi)
        return e
    return f


def _make_adjoint(alloc):
    def adjoint(r, h, phase, twist, eps, n=N):
        xs, ys, zs, angles = alloc(n), alloc(n), alloc(n), alloc(n)
        xb, yb, zb = alloc(n), alloc(n), alloc(n)
        for i in range(n):
            a = phase + 2.0 * math.pi * i / n
            angles[i] = a
            xs[i], ys[i], zs[i] = r * math.cos(a), r * math.sin(a), h * math.sin(twist * a)
            xb[i], yb[i], zb[i] = xs[i], ys[i], zs[i]      # from the trap 0.5 |p|^2
        eps_b = 0.0
        for i in range(n):
            for j in range(i + 1, n):
                dx, dy, dz = xs[i] - xs[j], ys[i] - ys[j], zs[i] - zs[j]
                d2 = dx * dx + dy * dy + dz * dz + eps * eps
                s = d2 ** -1.5          # d(-1/sqrt(d2))/d(d2) = 0.5 d2^-1.5, times 2
                xb[i] += s * dx
                xb[j] -= s * dx
                yb[i] += s * dy
                yb[j] -= s * dy
                zb[i] += s * dz
                zb[j] -= s * dz
                eps_b += s * eps
        r_b = h_b = phase_b = twist_b = 0.0
        for i in range(n):
            a = angles[i]
            c, sn, ct = math.cos(a), math.sin(a), math.cos(twist * a)
            r_b += xb[i] * c + yb[i] * sn
            h_b += zb[i] * math.sin(twist * a)
            twist_b += zb[i] * h * ct * a
            phase_b += -xb[i] * r * sn + yb[i] * r * c + zb[i] * h * ct * twist
        return r_b, h_b, phase_b, twist_b, eps_b
    return adjoint


ring_energy_adjoint = _make_adjoint(lambda n: [0.0] * n)


def rows():
    def numba_f():
        f = peers.numba_njit(ring_energy)
        return lambda: f(*ARGS)

    def numba_hand():
        g = peers.numba_njit(_make_adjoint_arrays())
        return lambda: g(*ARGS)
    fd_f = ring_energy
    try:
        fd_f = peers.numba_njit(ring_energy)
    except ImportError:
        pass
    return [Row("f, Python", "objective", lambda: lambda: ring_energy(*ARGS), gradient=False),
            Row("f, Numba", "objective", numba_f, gradient=False),
            peers.pullback_row("pullback, python backend", ring_energy, ARGS, ARGNUMS, "python"),
            peers.pullback_row("pullback, numba backend", ring_energy, ARGS, ARGNUMS, "numba"),
            Row("hand-written adjoint, Python", "hand",
                lambda: lambda: ring_energy_adjoint(*ARGS)),
            Row("hand-written adjoint, Numba", "hand", numba_hand),
            _autograd_row(),
            _jax_row(),
            _torch_row(),
            peers.fd_row("finite differences (Numba f)", fd_f, ARGS, ARGNUMS)]


def _make_adjoint_arrays():
    # Numba compiles the same adjoint with NumPy arrays for storage.
    src = _make_adjoint(np.zeros)
    return src


def _autograd_row():
    def make():
        import autograd
        import autograd.numpy as anp
        g = autograd.grad(_lib(anp), argnum=ARGNUMS)
        return lambda: g(*PARAMS)
    return Row("autograd", "peer", make, budget_s=1.0)


def _jax_row():
    def make():
        jax = peers.jax()
        f = _lib(jax.numpy)
        g = jax.jit(jax.grad(lambda *p: f(*p, n=JAX_BODIES), argnums=ARGNUMS))
        return lambda: jax.block_until_ready(g(*PARAMS))
    return Row(f"JAX jit, loops as written ({JAX_BODIES} bodies only)", "peer", make,
               comparable=False, note=f"{JAX_BODIES} bodies ({JAX_BODIES * (JAX_BODIES - 1) // 2}"
               " pairs), not 60: JAX unrolls the nested loops and its compile time grows with "
               "the pairs")


def _torch_row():
    def make():
        torch = peers.torch()
        f = _lib(torch)

        def call():
            ps = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in PARAMS]
            return torch.autograd.grad(f(*ps), ps)
        return call
    return Row("PyTorch eager", "peer", make, budget_s=1.0)
