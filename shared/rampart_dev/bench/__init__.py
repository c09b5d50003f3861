"""rampart's benchmarks: ``python -m rampart_dev.bench`` (``make bench``) prints every figure in
one table (``table``): calls per operation and bulk import (``calls``, ``ops``), cold start and
peak RSS per function (``cold``, ``cold_child``, ``cold_stack``). Benchmarks print figures beside
a baseline measured in the same run; no test asserts a time.
"""

__all__ = ["calls", "cold", "cold_child", "cold_stack", "ops", "table"]
