"""ResourceManager's wire layer (resourcemanager20200331==2.6.2 shapes)."""

from __future__ import annotations

from localcloud.pop.service import Service
from localcloud.resourcemanager import errors

service = Service("resourcemanager", "2020-03-31", "resourcemanager.aliyuncs.com", errors.NoPermission)
