"""``python -m rampart VERB ...``: the rampart command line (``rampart.cli``)."""

from __future__ import annotations

from rampart.cli import main

raise SystemExit(main())
