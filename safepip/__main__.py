"""`python -m safepip` runs the command-line interface."""

import sys

from safepip.cli import main

sys.exit(main())
