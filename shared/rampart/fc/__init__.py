"""Function Compute: what the four functions run, as public modules a handler imports directly
so each function loads only what it needs (cold start is measured):

- ``runtime``: what an instance sets up once (settings, catalog, clients, logs) and per invocation;
- ``http_trigger``: FC 3.0's HTTP trigger event and answer;
- ``receiver``: the HR and ticket webhook functions (verify, parse, hand off, answer);
- ``envelopes``: what the lifecycle function receives (hand-off, CloudEvents, RocketMQ, MNS);
- ``lifecycle``: the lifecycle function's work, one report entry per event.

The sweeper function calls ``rampart.engine.sweep``.
"""

__all__ = ["envelopes", "http_trigger", "lifecycle", "receiver", "runtime"]
