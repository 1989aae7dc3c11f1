"""Source -> IR: fetch source, fence unsupported constructs, resolve names, lower."""
from .program import lower_program  # noqa: F401
