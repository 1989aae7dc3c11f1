"""Program fuzzing: random programs checked against finite differences and JAX.

- ``choices``: where the randomness comes from (hypothesis, or a seeded RNG for campaigns);
- ``expressions`` and ``programs``: the generator of valid programs in pullback's subset;
- ``oracle``: runs one program through pullback, finite differences and JAX;
- ``shrink``: reduces a failing program to a small one with the same failure;
- ``regressions``: every failure found so far, shrunk, as a permanent test case;
- ``arrays`` (with ``array_exprs``) and ``array_oracle``: the same for NumPy programs over
  small static shapes (in-place writes, lists, tuples and dicts, helpers), checked per
  array element and against a jax.numpy twin; their cases are in ``array_cases/``.
"""
