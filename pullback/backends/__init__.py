"""Backends: IR module -> source code (``python``)."""
