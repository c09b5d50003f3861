"""SLS (Simple Log Service) as ``aliyun.log.LogClient`` speaks it: projects, logstores, PutLogs, GetLogs.

Layout (moto's shape): :mod:`.routes` finds the action, authenticates and authorizes through
RAM, and serves the SLS admin route; :mod:`.responses` parses and serialises; :mod:`.models`
holds the state and every rule (with :mod:`.models.query`, the search language);
:mod:`.errors` carries SLS's codes; :mod:`.protocol` is SLS's own wire (signatures, PutLogs
body decoding). :mod:`.client` is the other end: it builds a ``LogClient`` that reaches an
IP:port endpoint, for tests and for rampart.
"""
