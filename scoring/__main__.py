"""`python -m scoring` entry point."""

import sys

from scoring.cli import main

sys.exit(main())
