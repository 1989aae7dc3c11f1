# failure: value value_and_grad value 1.0, function -1.0
# fixed: transforms/emit_rule.py, optimize/constants.py -- 0 * y was folded to 0.0 in user arithmetic (0.0 * -0.5 is -0.0: copysign, atan2 see the sign)
# params: x:float n:int
# args: (-0.5, 3)
import math

def f(x, n):
    return math.copysign(1.0, 1.0 // 1.5 * x)

