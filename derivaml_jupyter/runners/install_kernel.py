"""Console script ``deriva-ml-install-kernel``: a Jupyter kernel for the current environment."""

from __future__ import annotations

import sys

from .kernels import install_kernel, install_kernel_main

__all__ = ["install_kernel", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``deriva-ml-install-kernel``."""
    return install_kernel_main(argv)


if __name__ == "__main__":
    sys.exit(main())
