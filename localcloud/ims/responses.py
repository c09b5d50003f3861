"""IMS's wire layer (ims20190815==3.5.0 shapes). Its actions are authorised as ``ram:*``."""

from __future__ import annotations

from localcloud.pop.service import Service
from localcloud.ram import errors

service = Service("ram", "2019-08-15", "ims.aliyuncs.com", errors.NoPermission)
