"""Fault injection: errors, throttling, latency and apply-then-drop on any routed cloud call.

``cloud.faults`` (:class:`localcloud.faults.injector.FaultInjector`) and the admin routes
``POST/GET/DELETE /_localcloud/faults`` and ``GET /_localcloud/faults/log``.
"""
