"""SLS (Simple Log Service) as ``aliyun.log.LogClient`` speaks it: projects, logstores, PutLogs, GetLogs.

Layout (moto's shape): :mod:`.routes` finds the action, authenticates (:mod:`.auth`, LOG v1
and SLS4 v4 signatures) and authorizes through RAM; :mod:`.responses` parses and serialises;
:mod:`.models` and :mod:`.logs` hold the state and every rule; :mod:`.codec` decodes PutLogs
bodies; :mod:`.query` is the search language; :mod:`.client` builds a working LogClient.
"""
