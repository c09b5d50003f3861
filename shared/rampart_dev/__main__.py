"""``python -m rampart_dev`` (what ``bin/rampart`` runs in a checkout): the ``rampart`` command
line with the development verb ``dev`` added (``rampart_dev.cli_dev``)."""

import sys

from rampart.cli import main

from rampart_dev.cli_dev import register

sys.exit(main(extra_verbs=[register]))
