"""Objects of the user's classes made inside differentiated code (frontend/objects.py):
``Linear(W, b)`` runs ``__init__`` with ``self`` a builder, its attributes become a record,
and methods, properties, ``super()``, class and static methods work on it as on an object
passed in.  An audit of outside-style models found nine rejected at ``Cls(...)``.
Gradients against JAX and central differences, on both backends."""
import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from jax_fd import fd_grad

jax.config.update("jax_enable_x64", True)
R = np.random.default_rng(11)
BACKENDS = ["python", "numba"]


class Linear:
    scale = 1.0                     # a class constant read in __init__

    def __init__(self, W, b, act=True):
        self.W = W
        self.b = b * self.scale
        self.act = act
        self.n = W.shape[0]

    def __call__(self, x):
        y = self.W @ x + self.b
        return np.tanh(y) if self.act else y

    @property
    def width(self):
        return self.n


class MLP:
    def __init__(self, W1, b1, W2, b2):
        self.l1 = Linear(W1, b1)
        self.l2 = Linear(W2, b2, act=False)

    def forward(self, x):
        return self.l2(self.l1(x))


def mlp_loss(W1, b1, W2, b2, x):
    m = MLP(W1, b1, W2, b2)
    return np.sum(m.forward(x) ** 2) * m.l1.width


def mlp_loss_j(W1, b1, W2, b2, x):
    return jnp.sum((W2 @ jnp.tanh(W1 @ x + b1) + b2) ** 2) * W1.shape[0]


class Base:
    def __init__(self, a):
        self.a = a

    def f(self, x):
        return self.a * x


class Child(Base):
    def __init__(self, a, b):
        super().__init__(a)
        self.b = b
        self.total = 0.0
        for k in range(3):          # an attribute updated in a loop after its first set
            self.total += self.b * k

    def f(self, x):
        return super().f(x) + self.b * x ** 2 + self.total


def inherited(a, b, x):
    return np.sum(Child(a, b).f(x))


def inherited_j(a, b, x):
    return jnp.sum(a * x + b * x ** 2 + 3.0 * b)


class Util:
    @staticmethod
    def sq(x):
        return x * x

    @classmethod
    def make(cls, v):
        return cls.sq(v) + 1.0


def class_level(x):
    return Util.make(x) * Util.sq(math.sin(x))


def class_level_j(x):
    return (x * x + 1.0) * jnp.sin(x) ** 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_model_made_of_layers_made_here(backend):
    args = (R.normal(size=(4, 3)), R.normal(size=4), R.normal(size=(2, 4)), R.normal(size=2),
            R.normal(size=3))
    got = pullback.grad(mlp_loss, argnums=(0, 1, 2, 3), backend=backend)(*args)
    want = jax.grad(mlp_loss_j, argnums=(0, 1, 2, 3))(*args)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)
    np.testing.assert_allclose(got[1], fd_grad(mlp_loss, args, 1), rtol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_super_init_and_super_method(backend):
    a, b, x = 0.7, -1.3, np.array([0.2, 0.5, -0.4])
    got = pullback.grad(inherited, argnums=(0, 1, 2), backend=backend)(a, b, x)
    want = jax.grad(inherited_j, argnums=(0, 1, 2))(a, b, x)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_static_and_class_methods_called_on_the_class(backend):
    got = pullback.grad(class_level, backend=backend)(0.8)
    assert got == pytest.approx(float(jax.grad(class_level_j)(0.8)), rel=1e-12)


class Flagged:
    def __init__(self, W, act):
        self.W, self.act = W, act


def flagged_loss(layers, x):
    for layer in layers:
        x = layer.W @ x
        if layer.act:
            x = np.tanh(x)
    return np.sum(x ** 2)


def test_a_bool_attribute_of_an_object_passed_in_is_static():
    """A layer's flag (``act=True``) is static, as JAX's static fields: the gradient is
    taken with respect to the object list (it was 'argument 0 ... is a bool')."""
    W1, W2, x = R.normal(size=(3, 3)), R.normal(size=(2, 3)), R.normal(size=3)
    layers = [Flagged(W1, True), Flagged(W2, False)]
    g = pullback.grad(flagged_loss)(layers, x)
    want = jax.grad(lambda a, b: jnp.sum((b @ jnp.tanh(a @ x)) ** 2), argnums=(0, 1))(W1, W2)
    np.testing.assert_allclose(g[0].W, want[0], rtol=1e-12)
    np.testing.assert_allclose(g[1].W, want[1], rtol=1e-12)
    assert (g[0].act, g[1].act) == (True, False)


class Branchy:
    def __init__(self, x):
        if x > 0:
            self.v = x          # first set inside a branch: not on every path


class Slotted:
    __slots__ = ("v",)

    def __init__(self, x):
        self.v = x


class EarlyMethod:
    def __init__(self, x):
        self.v = x
        self.w = self.double()

    def double(self):
        return 2.0 * self.v


@pytest.mark.parametrize("cls, words", [
    (Branchy, "first set inside a branch or loop of __init__"),
    (Slotted, "creating an instance of the class 'Slotted'"),
    (EarlyMethod, "still making"),
])
def test_constructors_outside_the_subset_are_rejected_at_their_line(cls, words):
    def f(x):
        return cls(x).v * 2.0
    with pytest.raises(pullback.UnsupportedError, match=words) as info:
        pullback.grad(f)(0.5)
    assert info.value.filename == __file__ and info.value.line > 0


class History:
    def __init__(self, x, n):
        self.states = [x]           # a list attribute __init__ grows (a run-time list)
        for _ in range(n):
            self.states.append(np.sin(self.states[-1]) * 0.9)

    def total(self):
        return sum(np.sum(s ** 2) for s in self.states)


def history_loss(x):
    return History(x, 3).total()


def history_loss_j(x):
    s = [x]
    for _ in range(3):
        s.append(jnp.sin(s[-1]) * 0.9)
    return sum(jnp.sum(v ** 2) for v in s)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_list_attribute_grown_in_init(backend):
    x = np.array([0.3, -0.5])
    np.testing.assert_allclose(pullback.grad(history_loss, backend=backend)(x),
                               jax.grad(history_loss_j)(x), rtol=1e-12)


class Defaulted:
    y = 0.0                         # a class default the object must not fall back to

    def __init__(self, x):
        self.y = x * 2.0


class ExplicitBase(Defaulted):
    def __init__(self, x):
        Defaulted.__init__(self, x)     # as super().__init__(x)
        self.z = x

    def val(self):
        return np.sum(self.y * self.z)


def explicit_base(x):
    return ExplicitBase(x).val()


def set_y(obj, x):
    obj.y = x * 5.0


class ThroughHelper(Defaulted):
    def __init__(self, x):
        set_y(self, x)                  # the helper's write would not come back
        self.z = x


def through_helper(x):
    return np.sum(ThroughHelper(x).y * x)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_explicit_base_init_sets_the_attributes(backend):
    """An audit found both of these silently wrong: the writes were dropped and the class
    default read instead (value 0, gradient 0)."""
    x = np.array([0.3, -0.8, 1.1])
    value, g = pullback.value_and_grad(explicit_base, backend=backend)(x)
    assert value == pytest.approx(explicit_base(x), rel=1e-12)
    np.testing.assert_allclose(g, 4.0 * x, rtol=1e-12)
    with pytest.raises(pullback.UnsupportedError, match="passing the object its __init__"):
        pullback.grad(through_helper, backend=backend)(x)


def aliased_then_grown(x):
    L = [x[0]]
    M = L
    M.append(3.0 * x[1])            # Python grows the one list both names read
    return L[-1] * L[0]


def test_a_second_name_for_a_list_that_grows_is_rejected():
    with pytest.raises(pullback.UnsupportedError, match="a second name 'M'") as info:
        pullback.grad(aliased_then_grown)(np.array([0.4, -0.7]))
    assert info.value.line == aliased_then_grown.__code__.co_firstlineno + 2


@dataclasses.dataclass
class Params:
    W: np.ndarray
    b: np.ndarray
    s: float = 2.0                  # a default the constructor fills in


@dataclasses.dataclass
class Checked:
    v: np.ndarray

    def __post_init__(self):
        self.v = self.v * 2.0


def with_default(x):
    p = Params(np.outer(x, x), x * 3.0)
    return np.sum(p.W @ p.b) * p.s


def test_a_dataclass_made_here_fills_in_its_defaults():
    """A dataclass's default (``s: float = 2.0``) was 'constructing Params with these
    arguments' (only a NamedTuple's defaults were read)."""
    x = np.array([0.3, -0.5])
    want = jax.grad(lambda v: jnp.sum(jnp.outer(v, v) @ (v * 3.0)) * 2.0)(x)
    np.testing.assert_allclose(pullback.grad(with_default)(x), want, rtol=1e-12)
    with pytest.raises(pullback.UnsupportedError, match="__post_init__ would not run"):
        pullback.grad(lambda v: np.sum(Checked(v).v))(x)


class WithSetter:
    def __init__(self, x):
        self.v = x                  # runs the property's setter in Python

    @property
    def v(self):
        return self._v * 2.0

    @v.setter
    def v(self, value):
        self._v = value


class Hooked:
    def __init__(self, x):
        self.v = x

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value * 2.0)


@pytest.mark.parametrize("cls, words", [(WithSetter, "property or descriptor"),
                                        (Hooked, "attribute hooks")])
def test_classes_whose_attribute_writes_run_code_are_rejected(cls, words):
    def f(x):
        return cls(x).v
    with pytest.raises(pullback.UnsupportedError, match=words):
        pullback.grad(f)(0.5)


class Tanh:                     # a stateless layer: no __init__
    scale = 2.0

    def forward(self, x):
        return np.tanh(x) * self.scale


class TwoLayer:
    def __init__(self, W):
        self.W = W
        self.act = Tanh()

    def __call__(self, x):
        return np.sum(self.act.forward(self.W @ x))


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_a_layer_without_init_made_here(backend):
    # was rejected as a class "with its own __new__, __slots__ ... or a metaclass"
    W, x = np.array([[1.0, -2.0], [0.5, 0.3]]), np.array([0.7, 0.2])

    def loss(W):
        return TwoLayer(W)(x)
    got = pullback.grad(loss, backend=backend)(W)
    want = jax.grad(lambda W: jnp.sum(jnp.tanh(W @ x) * 2.0))(W)
    assert np.allclose(got, want, rtol=1e-12)
    with pytest.raises(pullback.TransformError, match="has no __init__"):
        pullback.grad(lambda W: np.sum(Tanh(W).forward(W)))(W)
