"""Cost of a forward-mode Jacobian relative to one evaluation of the function.

    python tools/forward_cost.py

The function: the W1 pendulum (benchmarks/w1_pendulum.py), 6 inputs, 1000
steps, returning (cost, theta, omega).  Prints medians of the plain Python
function, the vector-forward Jacobian (one sweep, 6 directions), 6 one-direction
jvps, and the reverse-mode Jacobian (one sweep per output), all with the python
backend, and each ratio to one evaluation, measured in the same run.
"""
import math
import os
import sys
import timeit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import pullback  # noqa: E402

N = 1000
ARGS = (1.0, 0.1, 0.5, 1.3, 0.4, 0.0)
NUMS = tuple(range(6))


def simulate(k, c, a, w, theta0, omega0):
    dt = 0.01
    theta, omega, cost = theta0, omega0, 0.0
    for i in range(N):
        acc = -k * math.sin(theta) - c * omega + a * math.cos(w * (i * dt))
        theta = theta + dt * omega
        omega = omega + dt * acc
        cost = cost + dt * theta * theta
    return cost, theta, omega


def median(fn, repeat=15):
    fn()
    number = max(1, int(0.05 / max(timeit.timeit(fn, number=1), 1e-6)))
    times = sorted(timeit.repeat(fn, number=number, repeat=repeat))
    return times[len(times) // 2] / number


def main():
    jf = pullback.jacobian(simulate, argnums=NUMS, mode="forward")
    jr = pullback.jacobian(simulate, argnums=NUMS, mode="reverse")
    seeds = [tuple(float(i == j) for i in range(6)) for j in range(6)]
    rows = [
        ("f, Python", lambda: simulate(*ARGS)),
        ("jacobian, forward (one sweep, 6 directions)", lambda: jf(*ARGS)),
        ("6 jvps (one direction each)",
         lambda: [pullback.jvp(simulate, ARGS, s) for s in seeds]),
        ("jacobian, reverse (one sweep per output)", lambda: jr(*ARGS)),
    ]
    base = None
    print(f"{'':46s} {'median':>10s}  ÷ f")
    for name, fn in rows:
        t = median(fn)
        base = base or t
        print(f"{name:46s} {t * 1e6:8.0f} µs  {t / base:5.2f}×")


if __name__ == "__main__":
    main()
