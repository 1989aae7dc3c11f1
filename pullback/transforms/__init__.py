"""Program transformations: reverse mode (``reverse``)."""
