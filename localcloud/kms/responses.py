"""KMS Secrets Manager's wire layer (kms20160120==3.3.1 shapes)."""

from __future__ import annotations

from localcloud.kms import errors
from localcloud.pop.service import Service

service = Service("kms", "2016-01-20", "kms.cn-hangzhou.aliyuncs.com", errors.ForbiddenNoPermission)
