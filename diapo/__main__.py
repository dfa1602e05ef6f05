"""`python -m diapo`: the same command as `diapo` (see diapo.cli)."""

import sys

from diapo.cli import main

sys.exit(main())
