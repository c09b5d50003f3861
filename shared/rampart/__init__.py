"""rampart: RAM user lifecycle automation (joiner, mover, leaver) for Function Compute.

The library every function uses, in layers (docs/architecture.md): ``model`` and ``naming``
(pure types and names) under ``catalog`` and ``events`` (what comes in), under ``planning``
(pure: what should be, and the steps to get there), under ``engine`` and ``audit`` (doing it
through the ``ports``), under ``operations``, ``notify``, ``sources`` and ``fc`` / ``cli``
(the two ways in). ``adapters`` implement the ports with the official SDKs; nothing else
imports an SDK. Development tools live in ``rampart_dev``, which is never deployed.
"""

__version__ = "0.1.0"
