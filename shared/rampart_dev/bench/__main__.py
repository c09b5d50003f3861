"""``python -m rampart_dev.bench``: every benchmark in one table (``rampart_dev.bench.table``)."""

import sys

from rampart_dev.bench.table import main

sys.exit(main())
