"""SLS's own HTTP protocol, which is not POP's: its request signatures and its PutLogs body encoding.

- :mod:`.auth`: the LOG v1 (HMAC-SHA1) and SLS4-HMAC-SHA256 (v4) signatures, verified against
  the keys localcloud knows (wire-protocol.md §3.3);
- :mod:`.codec`: PutLogs bodies, lz4/deflate and the protobuf LogGroup (wire-protocol.md §3.2).

A package of its own rather than a part of :mod:`..routes` or :mod:`..responses` because the
two sides of a request each use one (routes authenticate with ``auth`` before any handler runs;
the PutLogs handler decodes with ``codec``), and because these are the recipes a reader checks
against the SDK's ``aliyun/log/auth.py`` and ``log_logs_raw_pb2``: the wire, not localcloud's
rules, which stay in :mod:`localcloud.sls.models`.
"""
