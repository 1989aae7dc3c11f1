"""The intermediate representation: plain, printable, frozen data."""
from .nodes import *  # noqa: F401,F403
