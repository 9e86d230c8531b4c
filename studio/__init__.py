"""Procedure Studio: write customer-service AI procedures and regression-test them."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("procedure-studio")
except PackageNotFoundError:       # run from a source tree that was never installed
    __version__ = "0.0.0+unknown"
