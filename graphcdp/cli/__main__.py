"""`python -m graphcdp.cli`: the `graphcdp` command."""

import sys

from graphcdp.cli import main

if __name__ == "__main__":
    sys.exit(main())
