"""Optimisation passes over IR functions; ``pipeline`` lists them in order."""
