"""pullback's benchmark suite: each workload side by side with hand-written gradients and peers.

Run it with ``make bench`` or ``python -m benchmarks``; it checks every
gradient against a reference before timing it, prints medians and ratios
against named baselines measured in the same run, and rewrites
``benchmarks/RESULTS.md`` and ``benchmarks/results.png``.  The peers
(Numba, autograd, JAX, PyTorch, matplotlib) are benchmark-only dependencies:
``pip install -e .[bench]``.
"""
