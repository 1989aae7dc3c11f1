"""Numerical kernels: physics loops, iterative solvers, quadrature, series."""
import math

from .programs import Case


# --- smooth scalar building blocks ---------------------------------------------

def softplus(x):
    if x > 20.0:
        return x
    return math.log1p(math.exp(x))


def sigmoid(x):
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    z = math.exp(x)
    return z / (1 + z)


def logsumexp3(x, y, z):
    m = max(x, y, z)
    return m + math.log(math.exp(x - m) + math.exp(y - m) + math.exp(z - m))


def logistic_loss(w, b, label):
    margin = label * (w * 1.5 + b)
    return softplus(-margin) + 0.01 * (w * w + b * b)


def huber(x, delta):
    a = abs(x)
    if a <= delta:
        return 0.5 * x * x
    return delta * (a - 0.5 * delta)


def smooth_relu_mix(x):
    leaky = x if x > 0 else 0.01 * x
    return leaky + sigmoid(3 * x) * softplus(x - 1)


# --- physics ----------------------------------------------------------------------

def pendulum(theta, omega, c):
    dt = 0.02
    for _ in range(150):
        omega += (-9.81 * math.sin(theta) - c * omega) * dt
        theta += omega * dt
    return theta + 0.1 * omega


def spring_euler(k, m):
    x, v = 1.0, 0.0
    dt = 0.01
    for _ in range(200):
        a = -k / m * x
        x, v = x + v * dt, v + a * dt
    return x * x + v * v


def spring_rk4(k, c):
    def deriv(x, v):
        return v, -k * x - c * v

    x, v, dt = 1.0, 0.0, 0.05
    for _ in range(100):
        k1x, k1v = deriv(x, v)
        k2x, k2v = deriv(x + 0.5 * dt * k1x, v + 0.5 * dt * k1v)
        k3x, k3v = deriv(x + 0.5 * dt * k2x, v + 0.5 * dt * k2v)
        k4x, k4v = deriv(x + dt * k3x, v + dt * k3v)
        x += dt / 6 * (k1x + 2 * k2x + 2 * k3x + k4x)
        v += dt / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
    return x


def projectile_range(v0, angle, drag):
    x, y = 0.0, 0.0
    vx, vy = v0 * math.cos(angle), v0 * math.sin(angle)
    dt = 0.01
    steps = 0
    while steps < 10000:
        px, py = x, y
        speed = math.sqrt(vx * vx + vy * vy)
        vx -= drag * speed * vx * dt
        vy -= (9.81 + drag * speed * vy) * dt
        x += vx * dt
        y += vy * dt
        steps += 1
        if y < 0:
            break
    # interpolate the landing point between the last two states
    return px + (x - px) * py / (py - y)


def orbit_energy(vy):
    x, y, vx = 1.0, 0.0, 0.0
    dt = 0.01
    for _ in range(120):
        r3 = (x * x + y * y) ** 1.5
        vx -= x / r3 * dt
        vy -= y / r3 * dt
        x += vx * dt
        y += vy * dt
    return 0.5 * (vx * vx + vy * vy) - 1 / math.hypot(x, y)


# --- iterative solvers -----------------------------------------------------------

def newton_sqrt(a):
    y = a if a > 1 else 1.0
    n = 0
    while abs(y * y - a) > 1e-13 * a and n < 50:
        y = 0.5 * (y + a / y)
        n += 1
    return y


def kepler(mean_anomaly, ecc):
    e_anom = mean_anomaly
    for _ in range(50):
        f = e_anom - ecc * math.sin(e_anom) - mean_anomaly
        if abs(f) < 1e-14:
            break
        e_anom -= f / (1 - ecc * math.cos(e_anom))
    return e_anom


def bisect_then_newton(a):
    lo, hi = 0.0, a + 1.0
    while hi - lo > 1e-3:
        mid = 0.5 * (lo + hi)
        if mid ** 3 - a > 0:
            hi = mid
        else:
            lo = mid
    r = 0.5 * (lo + hi)
    for _ in range(4):
        r -= (r ** 3 - a) / (3 * r * r)
    return r


def fixed_point_cos(a):
    x = 0.5
    for _ in range(500):
        x_new = a * math.cos(x)
        if abs(x_new - x) < 1e-15:
            return x_new
        x = x_new
    return x


def gradient_descent(a, b):
    w = 0.0
    for _ in range(40):
        grad = 2 * (w - a) + 4 * b * w ** 3
        w -= 0.1 * grad
    return w * w + a * w


def logistic_map(r, x0):
    x = x0
    for _ in range(6):
        x = r * x * (1 - x)
    return x


# --- quadrature -----------------------------------------------------------------

def trapezoid(a, b):
    n = 64
    h = 1.0 / n
    s = 0.5 * (1.0 + math.exp(-a) * math.cos(b))
    for i in range(1, n):
        t = i * h
        s += math.exp(-a * t * t) * math.cos(b * t)
    return s * h


def simpson(a):
    n = 40
    h = a / n
    s = 0.0
    for i in range(n + 1):
        t = i * h
        w = 1 if i == 0 or i == n else (4 if i % 2 == 1 else 2)
        s += w * t * math.sin(t)
    return s * h / 3


def arc_length(amp, freq):
    n = 100
    total = 0.0
    px, py = 0.0, 0.0
    for i in range(1, n + 1):
        t = i / n
        x, y = t, amp * math.sin(freq * t)
        total += math.hypot(x - px, y - py)
        px, py = x, y
    return total


# --- series ---------------------------------------------------------------------

def taylor_exp(x):
    term, total, n = 1.0, 1.0, 1
    while abs(term) > 1e-17 * abs(total):
        term *= x / n
        total += term
        n += 1
    return total


def taylor_sin_reduced(x):
    y = x
    while y > math.pi:
        y -= 2 * math.pi
    term, total, k = y, y, 1
    while abs(term) > 1e-16 and k < 40:
        term *= -y * y / ((2 * k) * (2 * k + 1))
        total += term
        k += 1
    return total


def atan_series(x):
    s, p, k = 0.0, x, 0
    while True:
        t = p / (2 * k + 1)
        if abs(t) < 1e-16:
            break
        s += t if k % 2 == 0 else -t
        p *= x * x
        k += 1
    return s


def compound_interest(rate, years):
    balance = 1000.0
    for _ in range(years):
        balance *= 1 + rate
        balance -= 20.0
    return balance


CASES = [
    Case(softplus, (0.7,)),
    Case(softplus, (25.0,), tag="linear"),
    Case(sigmoid, (1.3,)),
    Case(sigmoid, (-2.1,), tag="neg"),
    Case(logsumexp3, (0.3, -1.2, 2.4), (0, 1, 2)),
    Case(logistic_loss, (0.7, -0.2, -1.0), (0, 1)),
    Case(huber, (0.4, 1.0), (0, 1)),
    Case(huber, (-2.5, 1.0), (0, 1), tag="linear"),
    Case(smooth_relu_mix, (0.6,)),
    Case(smooth_relu_mix, (-0.6,), tag="neg"),
    Case(pendulum, (0.8, 0.1, 0.3), (0, 1, 2)),
    Case(spring_euler, (2.0, 0.7), (0, 1)),
    Case(spring_rk4, (3.0, 0.4), (0, 1)),
    Case(projectile_range, (12.0, 0.7, 0.05), (0, 1, 2)),
    Case(orbit_energy, (1.1,)),
    Case(newton_sqrt, (2.7,)),
    Case(newton_sqrt, (0.3,), tag="small"),
    Case(kepler, (1.1, 0.3), (0, 1)),
    Case(bisect_then_newton, (5.3,)),
    Case(fixed_point_cos, (0.8,)),
    Case(gradient_descent, (1.2, 0.3), (0, 1)),
    Case(logistic_map, (2.5, 0.3), (0, 1)),
    Case(trapezoid, (0.9, 2.1), (0, 1)),
    Case(simpson, (2.3,)),
    Case(arc_length, (0.4, 3.0), (0, 1)),
    Case(taylor_exp, (1.7,)),
    Case(taylor_sin_reduced, (4.1,)),
    Case(atan_series, (0.4,)),
    Case(compound_interest, (0.05, 10), 0),
]
