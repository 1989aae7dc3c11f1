"""The demo: differentiate the pendulum and compare with finite differences."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import pullback  # noqa: E402
from pendulum import simulate  # noqa: E402

args = (1.2, 0.3, 0.5)
value, grads = pullback.value_and_grad(simulate, argnums=(0, 1, 2))(*args)
print(f"\nsimulate{args} = {value:.12g}\n")
print(f"{'':8}{'pullback':>22}{'finite differences':>22}{'rel. error':>12}")
for i, name in enumerate(["theta", "omega", "c"]):
    h = 1e-6
    up = list(args); up[i] += h
    dn = list(args); dn[i] -= h
    fd = (simulate(*up) - simulate(*dn)) / (2 * h)
    print(f"d/d{name:5}{grads[i]:22.12g}{fd:22.12g}{abs(grads[i] - fd) / abs(fd):12.1e}")
pullback.check_grad(simulate, *args, argnums=(0, 1, 2))
print("\ncheck_grad: finite differences and the dot-product test agree.")
