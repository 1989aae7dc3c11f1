"""The corpus: scalar programs written the way users write them, with test points."""
from . import programs, programs_control, programs_names, programs_numerics

MODULES = (programs, programs_control, programs_names, programs_numerics)
CASES = [case for module in MODULES for case in module.CASES]
