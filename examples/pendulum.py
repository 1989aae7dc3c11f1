"""A damped pendulum integrated with explicit Euler; the cost is the final state."""
import math


def simulate(theta, omega, c):
    for i in range(1000):
        alpha = -9.81 * math.sin(theta) - c * omega
        theta = theta + 0.01 * omega
        omega = omega + 0.01 * alpha
    return theta ** 2 + 0.1 * omega ** 2
