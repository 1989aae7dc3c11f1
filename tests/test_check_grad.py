"""check_grad takes every argument kind grad takes (floats, arrays, containers) and
names the worst entry; its verdicts come from finite differences of f itself."""
import numpy as np
import pytest

import pullback
from pullback import api


def layer(p, x):
    return np.sum(np.tanh(p["w"] @ x + p["b"]) ** 2)


def params():
    rng = np.random.default_rng(0)
    return {"w": rng.normal(size=(2, 3)), "b": rng.normal(size=2)}, rng.normal(size=3)


def test_arrays_and_containers_pass():
    p, x = params()
    assert pullback.check_grad(layer, p, x, argnums=(0, 1)) <= 1.0
    assert pullback.check_grad(lambda a, s: np.sum(a ** 3) * s, np.arange(4.0), 2,
                               argnums=(0, 1)) <= 1.0


def test_a_wrong_entry_is_named_by_its_index(monkeypatch):
    real = api.Derivative.__call__

    def off_at_w12(self, *args, **kwargs):      # one entry of the gradient 1% off
        g = real(self, *args, **kwargs)
        g[0]["w"][1, 2] *= 1.01
        return g
    monkeypatch.setattr(api.Derivative, "__call__", off_at_w12)
    p, x = params()
    with pytest.raises(pullback.GradientMismatch, match=r"at p\['w'\]\[1, 2\]: pullback") as e:
        pullback.check_grad(layer, p, x, argnums=(0, 1))
    assert e.value.where == "p['w'][1, 2]"


def test_tuples_and_scalars_name_their_place(monkeypatch):
    real = api.Derivative.__call__

    def off_second(self, *args, **kwargs):
        g = real(self, *args, **kwargs)
        return (g[0], g[1] * 1.01)
    monkeypatch.setattr(api.Derivative, "__call__", off_second)
    with pytest.raises(pullback.GradientMismatch) as e:
        pullback.check_grad(lambda t, c: (t[0] * t[1]) ** 2 * c, (1.5, 2.0), 0.7,
                            argnums=(0, 1))
    assert e.value.where == "c"
