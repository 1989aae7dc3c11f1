"""ADBench GMM with d = 10, K = 5, n = 1 000: the objective and rows of ``gmm`` (d = 2)."""
from . import gmm
from .gmm import BASELINES, REFERENCE  # noqa: F401

D = 10
TITLE = f"ADBench GMM (d = {D}, K = 5, n = 1 000)"


def rows():
    return gmm.rows(D)
