"""How far an ODE gradient is from the exact solution's, with a smooth and a kinked
right-hand side (docs/edges.md, "ODE solutions").

    PYTHONPATH=. python tools/ode_kinks.py

autograd's ode_net model (a 2-150-2 network, weights from RandomState(0) at scale 0.1,
30 output times on [0, 1.5], an L1 loss) with ReLU and with tanh: pullback's gradient at
each tolerance against JAX's adjoint (``jax.experimental.ode.odeint``, which controls the
error of its backward solve too) at 1e-12, as the largest difference over the
parameters relative to the largest gradient entry.  The first tolerance is ode_net's own
(rtol=0.01, odeint's default atol).  JAX is a measurement oracle here.
"""
import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental.ode import odeint as jax_odeint
from scipy.integrate import odeint

import pullback

jax.config.update("jax_enable_x64", True)
RS = np.random.RandomState(0)
PARAMS = (RS.randn(2, 150) * 0.1, RS.randn(150) * 0.1, RS.randn(150, 2) * 0.1,
          RS.randn(2) * 0.1)
Y0 = np.array([2.0, 0.0])
TIMES = np.linspace(0.0, 1.5, 30)
TARGET = odeint(lambda y, t: np.dot(y ** 3, np.array([[-0.1, 2.0], [-2.0, -0.1]])), Y0, TIMES)


def model(act, rtol, atol):
    def loss(w1, b1, w2, b2):
        def net(y, t, w1, b1, w2, b2):
            return np.dot(act(np.dot(y, w1) + b1), w2) + b2
        pred = odeint(net, Y0, TIMES, args=(w1, b1, w2, b2), rtol=rtol, atol=atol)
        return np.mean(np.abs(pred - TARGET))
    return loss


def model_jax(act):
    def loss(w1, b1, w2, b2):
        def net(y, t):
            return jnp.dot(act(jnp.dot(y, w1) + b1), w2) + b2
        pred = jax_odeint(net, jnp.asarray(Y0), jnp.asarray(TIMES), rtol=1e-12, atol=1e-12)
        return jnp.mean(jnp.abs(pred - TARGET))
    return loss


def main():
    acts = {"relu": (lambda x: np.maximum(0.0, x), lambda x: jnp.maximum(0.0, x)),
            "tanh": (np.tanh, jnp.tanh)}
    for name, (act, act_jax) in acts.items():
        want = jax.grad(model_jax(act_jax), argnums=(0, 1, 2, 3))(*PARAMS)
        scale = max(float(jnp.max(jnp.abs(w))) for w in want)
        for rtol, atol in ((1e-2, 1.49012e-8), (1e-8, 1e-8), (1e-12, 1e-12)):
            got = pullback.grad(model(act, rtol, atol), argnums=(0, 1, 2, 3))(*PARAMS)
            diff = max(float(np.max(np.abs(g - w))) for g, w in zip(got, want))
            print(f"{name}  rtol={rtol:g} atol={atol:g}  |pullback - JAX adjoint| / |grad| "
                  f"= {diff / scale:.1e}")


if __name__ == "__main__":
    main()
