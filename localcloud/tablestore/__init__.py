"""Tablestore (OTS) as the unmodified ``tablestore`` Python SDK speaks it: tables, rows, versions, TTL, conditions.

Layout (moto's shape): :mod:`.routes` finds the API, authenticates (:mod:`.signing`, the
``x-ots-signature`` V2 and V4 schemes, signed responses) and authorizes through RAM;
:mod:`.tables_api` and :mod:`.rows_api` parse and serialise the protobuf messages; :mod:`.models`
(instances, tables), :mod:`.rows` (row reads and writes) and :mod:`.conditions` hold every rule;
:mod:`.plainbuffer` is the row codec; :mod:`.errors` the documented codes; :mod:`.client` builds an
``OTSClient`` for a running localcloud. Facts: ../shared/reference/tablestore.md.
"""
