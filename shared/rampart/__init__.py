"""rampart: RAM user lifecycle automation (joiner, mover, leaver) for Function Compute.

The library every function uses. Its parts arrive with issue #4; for now it is the
importable package the layout promises.
"""

__version__ = "0.1.0"
