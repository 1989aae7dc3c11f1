"""The Python backend against the hand-written NumPy gradients (issue 17's target: <= 1.1x),
the paired rows of ``python -m benchmarks`` alone.

    python -m benchmarks.python_backend                 # rosenbrock, mlp, gmm d=2/10, heat
    python -m benchmarks.python_backend heat gmm        # some of them (prefixes)

Each row checks the two gradients agree, then times them with ``harness.time_pair``, as
``python -m benchmarks`` times its PAIRED rows: alternating batches of the user-visible
call ``pullback.grad(f)(*args)`` and of the hand-written gradient, the ratio the median
of the rounds' ratios.  BLAS threads are best pinned (OMP_NUM_THREADS=1) so the matrix
products of the MLP do not contend with the timing itself.  Figures from a fresh process
differ from the suite's where large temporaries decide (Rosenbrock's 100 000 floats):
glibc returns freed large blocks to the system until a larger one has been freed, so a
fresh process pays page faults on each new array that the suite, after other rows, does
not; the ratio is fair within a run, not across the two.
"""
import sys

import numpy as np

from . import gmm, heat, mlp, rosenbrock
from .harness import time_pair

ROUNDS = 60


def cases():
    yield ("rosenbrock", rosenbrock.rosenbrock, (rosenbrock.X,), 0,
           lambda: rosenbrock.rosenbrock_grad(rosenbrock.X))
    yield "mlp", mlp.mlp_loss, mlp.ARGS, mlp.ARGNUMS, lambda: mlp.mlp_grad(*mlp.ARGS)
    for d in (2, 10):
        try:
            alphas, means, icf, x, gamma, m = gmm.load(d)
        except FileNotFoundError as e:
            print(f"gmm d={d}: skipped ({e})")
            continue
        args = (alphas, means, icf, x)
        hand = gmm.numpy_gradient(d, gamma, m)
        yield (f"gmm d={d}", gmm.numpy_objective(d, gamma, m), args, (0, 1, 2),
               lambda hand=hand, args=args: hand(*args))
    yield ("heat", heat.heat, (heat.U0, heat.WEIGHT), 0,
           lambda: heat.heat_grad(heat.U0, heat.WEIGHT))


def _flat(g):
    return np.concatenate([np.ravel(v) for v in (g if isinstance(g, tuple) else (g,))])


def main(argv):
    import pullback
    print(f"{'workload':<12} {'pullback python':>16} {'hand NumPy':>12} {'ratio':>7}")
    for name, f, args, nums, hand in cases():
        if argv and not any(name.startswith(w) for w in argv):
            continue
        g = pullback.grad(f, argnums=nums, backend="python")

        def ours():
            return g(*args)
        a, b = _flat(ours()), _flat(hand())
        if not np.allclose(a, b, rtol=1e-9, atol=1e-12 * max(1.0, np.max(np.abs(b)))):
            print(f"{name:<12} gradients disagree: {np.max(np.abs(a - b)):.2e}")
            continue
        p, h, ratio = time_pair(ours, hand, 3.0, rounds=ROUNDS)
        p, h = p * 1e3, h * 1e3
        print(f"{name:<12} {p:13.3f} ms {h:9.3f} ms {ratio:7.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
