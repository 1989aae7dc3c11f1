"""The source of every random decision the program generator makes.

The generator only asks a ``Chooser`` for integers, picks and coins, so the same
generator runs under hypothesis (``HypothesisChooser``: hypothesis records and
shrinks the choices) and under a seeded RNG for long campaigns
(``RandomChooser``: fast, reproducible from one integer).  Options are listed
simplest first: hypothesis shrinks integers towards their lower bound, so a
shrunk program uses the first options and says no to every coin.
"""
import random


class Chooser:
    def integer(self, lo, hi):
        raise NotImplementedError

    def real(self, lo, hi):
        raise NotImplementedError

    def pick(self, options):
        return options[self.integer(0, len(options) - 1)]

    def weighted(self, options):
        """``options`` is a list of (weight, value); the first is the simplest."""
        total = sum(w for w, _ in options)
        k = self.integer(0, total - 1)
        for w, value in options:
            if k < w:
                return value
            k -= w
        raise AssertionError("unreachable")

    def coin(self, p):
        """True with probability ``p``; shrinks to False."""
        return self.integer(0, 999) >= round(1000 * (1 - p))


class RandomChooser(Chooser):
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def integer(self, lo, hi):
        return self.rng.randint(lo, hi)

    def real(self, lo, hi):
        return round(self.rng.uniform(lo, hi), 4)


class HypothesisChooser(Chooser):
    def __init__(self, draw):
        from hypothesis import strategies as st
        self.draw = draw
        self.st = st

    def integer(self, lo, hi):
        return self.draw(self.st.integers(lo, hi))

    def real(self, lo, hi):
        return self.draw(self.st.floats(lo, hi, allow_nan=False, allow_infinity=False))
