"""The Python backend against the hand-written NumPy gradients (issue 17's target: <= 1.1x),
timed in alternating batches so that a loaded machine slows both sides alike.

    python -m benchmarks.python_backend                 # rosenbrock, mlp, gmm d=2/10, heat
    python -m benchmarks.python_backend heat gmm        # some of them (prefixes)

Each row checks the two gradients agree, then times 60 rounds of one batch each (about
10 ms a batch, ours then theirs); the ratio is the median of the rounds' ratios (a round's
two batches run back to back, so a loaded machine slows both alike), the times medians.  BLAS threads are best pinned (OMP_NUM_THREADS=1) so
the matrix products of the MLP do not contend with the timing itself.
"""
import gc
import sys
import time

import numpy as np

from . import gmm, heat, mlp, rosenbrock

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


def _batch(call, n):
    start = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - start) / n


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
        n = max(1, int(0.01 / min(_batch(ours, 1), _batch(hand, 1))))
        mine, theirs = [], []
        gc.disable()
        try:
            for _ in range(ROUNDS):
                mine.append(_batch(ours, n))
                theirs.append(_batch(hand, n))
        finally:
            gc.enable()
        p, h = np.median(mine) * 1e3, np.median(theirs) * 1e3
        ratio = np.median(np.array(mine) / np.array(theirs))
        print(f"{name:<12} {p:13.3f} ms {h:9.3f} ms {ratio:7.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
