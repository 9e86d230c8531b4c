"""Procedure Studio: write customer-service AI procedures and regression-test them."""


def __getattr__(name: str):
    """`__version__`, read from the installed package on first use: importlib.metadata
    scans every installed package and was a tenth of each command's start-up."""
    if name != "__version__":
        raise AttributeError(f"module 'studio' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version
    try:
        found = version("procedure-studio")
    except PackageNotFoundError:       # run from a source tree that was never installed
        found = "0.0.0+unknown"
    globals()["__version__"] = found
    return found
