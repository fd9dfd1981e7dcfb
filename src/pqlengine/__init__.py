"""pqlengine: find, measure and route Product Qualified Leads."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pqlengine")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"
