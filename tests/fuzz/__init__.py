"""Program fuzzing: random scalar programs checked against finite differences and JAX.

- ``choices``: where the randomness comes from (hypothesis, or a seeded RNG for campaigns);
- ``expressions`` and ``programs``: the generator of valid programs in pullback's subset;
- ``oracle``: runs one program through pullback, finite differences and JAX;
- ``shrink``: reduces a failing program to a small one with the same failure;
- ``regressions``: every failure found so far, shrunk, as a permanent test case.
"""
