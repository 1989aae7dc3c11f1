"""The JAX twin of an array program: the same source over ``jax.numpy``.

``import numpy as np`` becomes ``import jax.numpy as jnp`` and every ``np.``
``jnp.``; ``float(e)`` becomes ``jnp.float64(e)`` (a tracer has no float);
in-place writes become functional updates, ``y[i] = v`` -> ``y = y.at[i].set(v)``,
``y[i] += v`` -> ``.add(v)``, ``-=`` -> ``.add(-v)``, ``*=`` -> ``.multiply(v)``.
The twin means the same as the NumPy program only when no other name shares
``y``'s memory: ``arrays`` generates only such programs.
"""
import ast


class _Twin(ast.NodeTransformer):
    """NumPy -> jax.numpy; ``y[i] op= v`` -> ``y = y.at[i].set/add/multiply(v)``."""
    METHODS = {ast.Add: "add", ast.Sub: "add", ast.Mult: "multiply", ast.Div: "divide"}

    def visit_Import(self, node):
        return ast.parse("import jax.numpy as jnp").body[0]

    def visit_Name(self, node):
        if node.id == "np":
            node.id = "jnp"
        elif node.id == "float":
            return ast.parse("jnp.float64", mode="eval").body
        return node

    def _write(self, target, method, value):
        self.generic_visit(target)
        call = ast.Call(ast.Attribute(ast.Subscript(ast.Attribute(target.value, "at", ast.Load()),
                                                    target.slice, ast.Load()),
                                      method, ast.Load()), [value], [])
        return ast.Assign([ast.Name(target.value.id, ast.Store())], call)

    def visit_Assign(self, node):
        self.generic_visit(node)
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript):
            return self._write(node.targets[0], "set", node.value)
        return node

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        if isinstance(node.target, ast.Subscript):
            value = node.value
            if isinstance(node.op, ast.Sub):
                value = ast.UnaryOp(ast.USub(), value)
            return self._write(node.target, self.METHODS[type(node.op)], value)
        return node


def jax_twin(source):
    tree = _Twin().visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"
