"""Errors raised by pullback.

Every error that concerns the user's code carries the source location so the
message reads like a compiler diagnostic: ``model.py:42:8: cannot differentiate
a 'try' statement``.
"""


class TransformError(Exception):
    """The function could not be transformed."""

    def __init__(self, message, filename="<unknown>", line=0, col=0, construct=None):
        self.message = message
        self.filename = filename
        self.line = line
        self.col = col
        self.construct = construct
        super().__init__(f"{filename}:{line}:{col}: {message}")

    @classmethod
    def at(cls, loc, message, construct=None):
        if loc is None:
            return cls(message, construct=construct)
        via = getattr(loc, "via", "")
        return cls(f"{message} (in {via})" if via else message, loc.file, loc.line, loc.col,
                   construct)


class UnsupportedError(TransformError):
    """The function uses a construct pullback does not differentiate."""
