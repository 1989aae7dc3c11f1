"""NumPy linear algebra.  Reverse rules over the cotangent ``g``, as in
Giles, "Collected matrix derivative results for forward and reverse mode AD"."""
import numpy as np

from . import np_helpers as H
from .registry import Syntax, array_op

array_op("matmul_vjp_a", H.matmul_vjp_a, "g a b", helper="matmul_vjp_a")
array_op("matmul_vjp_b", H.matmul_vjp_b, "g a b", helper="matmul_vjp_b")
array_op("matmul", np.matmul, "a b", "matmul_vjp_a(g, a, b)", "matmul_vjp_b(g, a, b)",
         python=(np.matmul,), syntax=Syntax("infix", "@", 20))
array_op("dot", np.dot, "a b", "matmul_vjp_a(g, a, b)", "matmul_vjp_b(g, a, b)",
         python=(np.dot,))
array_op("vdot", np.vdot, "a b", "like(g * b, a)", "like(g * a, b)", python=(np.vdot,))
array_op("inner", np.inner, "a b", "matmul_vjp_a(g, a, b)", "matmul_vjp_b(g, a, b)",
         python=(np.inner,))
array_op("outer", np.outer, "a b", "like(matmul(g, ravel(b)), a)",
         "like(matmul(ravel(a), g), b)", python=(np.outer,))
array_op("inv", np.linalg.inv, "x", "-matmul(matmul(transpose(y), g), transpose(y))",
         python=(np.linalg.inv,), helper="np.linalg.inv")
array_op("det", np.linalg.det, "x", "g * y * transpose(inv(x))", python=(np.linalg.det,),
         helper="np.linalg.det")
