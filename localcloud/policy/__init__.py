"""Authorisation: the RAM policy language and the authorizer that applies it to every caller.

Named for what it holds, RAM policies, not ``iam`` (AWS's word). It sits beside
:mod:`localcloud.auth`, which establishes who the caller is, and not inside
:mod:`localcloud.ram`, because every product's dispatch (POP, SLS, FC) asks it, as every
Alibaba Cloud product asks RAM whether a caller may act
(https://www.alibabacloud.com/help/en/ram/user-guide/policy-overview). RAM's own actions
(CreatePolicy, attachments) keep the policies; this package reads them.

- :mod:`.language`: parse, validate and evaluate policy documents (pure);
- :mod:`.authorizer`: which policies count for a principal, and the decision;
- :mod:`.system_policies`: the system policies localcloud ships.
"""
