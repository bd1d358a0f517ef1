"""graphcdp: an open identity-graph service for customer data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("graphcdp")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
