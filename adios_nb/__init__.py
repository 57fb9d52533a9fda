__version__ = "0.1.0"
# Importing the package registers the method families built on `adios_nb.methods` (sequential masking; IDAA, CLAE,
# Plain, UEL) with `adios_nb.methods.build_method`; `methods` cannot import them without an import cycle
# (nbs/10_methods.ipynb, "Building a method").
from . import idaa, sequential  # noqa: E402,F401
