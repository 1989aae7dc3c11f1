"""C identifiers for the C99 backend: Python names made legal and collision-free.

Invariants
- Every identifier the backend prints passes through a ``CNames`` scope, so it
  is a valid C99 identifier, never a keyword, never a name from <math.h> or
  the runtime helpers (a local ``exp`` would hide ``exp()``), and never
  reserved to the implementation (``__x``, ``_X``, and ``_x`` at file scope).
- A name that is already legal and free keeps its spelling; otherwise it gets
  a ``_`` suffix (then ``_2``, ``_3``...), so C reads like the Python source.
- Scopes nest: a function's scope starts from the file's, so a local never
  hides a file-scope function, pool or helper.
"""
import re

KEYWORDS = frozenset("""
    auto break case char const continue default do double else enum extern float for goto
    if inline int long register restrict return short signed sizeof static struct switch
    typedef union unsigned void volatile while _Bool _Complex _Imaginary
    main errno assert
    NULL NAN INFINITY HUGE_VAL HUGE_VALF HUGE_VALL size_t ptrdiff_t offsetof wchar_t
    float_t double_t FP_NAN FP_INFINITE FP_ZERO FP_SUBNORMAL FP_NORMAL FP_FAST_FMA
    FP_FAST_FMAF FP_ILOGB0 FP_ILOGBNAN MATH_ERRNO MATH_ERREXCEPT math_errhandling
""".split())

_MATH = """
    acos asin atan atan2 cos sin tan acosh asinh atanh cosh sinh tanh exp exp2 expm1 frexp
    ilogb ldexp log log10 log1p log2 logb modf scalbn scalbln cbrt fabs hypot pow sqrt erf
    erfc lgamma tgamma ceil floor nearbyint rint lrint llrint round lround llround trunc fmod
    remainder remquo copysign nan nextafter nexttoward fdim fmax fmin fma isfinite isinf isnan
    isnormal signbit fpclassify labs abs memset memcpy memmove memcmp strlen
"""
# the rest of the C99 library a compiler knows as builtins (GCC rejects a user function
# named cpow or printf under -Werror: "conflicting types for built-in function")
_LIBRARY = """
    cabs cacos cacosh carg casin casinh catan catanh ccos ccosh cexp cimag clog conj cpow
    cproj creal csin csinh csqrt ctan ctanh abort abs atexit atof atoi atol atoll bsearch
    calloc div exit free getenv labs llabs ldiv lldiv malloc qsort rand realloc srand strtod
    strtof strtol strtold strtoll strtoul strtoull system printf fprintf sprintf snprintf
    vprintf vfprintf vsprintf vsnprintf scanf fscanf sscanf puts putchar fputs fputc getchar
    fgets fopen fclose fflush fread fwrite remove rename tmpfile perror strcat strchr strcmp
    strcoll strcpy strcspn strerror strncat strncmp strncpy strpbrk strrchr strspn strstr
    strtok strxfrm memchr isalnum isalpha iscntrl isdigit isgraph islower isprint ispunct
    isspace isupper isxdigit tolower toupper clock time difftime mktime setjmp longjmp signal
    raise
"""
MATH_NAMES = frozenset(n + suffix for n in _MATH.split() + _LIBRARY.split()
                       for suffix in ("", "f", "l"))

_LEGAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def legal(name):
    """``name`` spelt as a C identifier (non-ASCII letters become ``uXXXX``)."""
    out = "".join(c if c.isascii() and (c.isalnum() or c == "_") else f"u{ord(c):04x}"
                  for c in name)
    if not out or out[0].isdigit():
        out = "v" + out
    if out.startswith("__") or (out[0] == "_" and len(out) > 1 and out[1].isupper()):
        out = "v" + out
    assert _LEGAL.match(out), name
    return out


class CNames:
    """One C scope: maps Python/IR names to unique C identifiers."""

    def __init__(self, parent=None, reserved=(), file_scope=False):
        self.parent = parent
        self.taken = set(reserved)
        self.mapping = {}
        self.file_scope = file_scope    # identifiers starting with _ are reserved there

    def is_taken(self, name):
        scope = self
        while scope is not None:
            if name in scope.taken:
                return True
            scope = scope.parent
        return name in KEYWORDS or name in MATH_NAMES

    def reserve(self, name):
        """Claim ``name`` exactly (exported names, helpers); it must be free."""
        assert not self.is_taken(name), name
        self.taken.add(name)
        return name

    def fresh(self, base):
        """A new identifier based on ``base`` that nothing else in scope uses."""
        base = legal(base)
        if self.file_scope and base.startswith("_"):
            base = base.lstrip("_") or "f"
        name, k = base, 1
        if self.is_taken(name):
            name = base + "_"
        while self.is_taken(name):
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        return name

    def __getitem__(self, ir_name):
        """The C identifier of an IR name, chosen on first use."""
        if ir_name not in self.mapping:
            self.mapping[ir_name] = self.fresh(ir_name)
        return self.mapping[ir_name]

    def bind(self, ir_name, c_name):
        self.mapping[ir_name] = c_name
