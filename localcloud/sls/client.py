"""Build an ``aliyun.log.LogClient`` that works against localcloud (or any IP:port endpoint).

Why this exists (wire-protocol.md §3.1): ``LogClient`` puts the project in the URL's host
name (``http://<project>.<endpoint>/...``) unless ``Util.is_row_ip(endpoint)`` is true, and
that check only accepts a bare dotted IPv4 with no scheme and no port. So
``LogClient('http://127.0.0.1:PORT', ...)`` tries to resolve ``my-project.127.0.0.1``, fails,
retries ten times one second apart and raises ``LogRequestError`` after about 10 s per call.
Setting the client's ``_isRowIp`` attribute makes it send every request to the endpoint
itself while still naming the project in the ``Host`` header, which is where SLS (and
localcloud) read it from. ``_isRowIp`` is private to the SDK (pinned at 0.9.52); if a later
SDK renames it, :func:`make_log_client` fails loudly rather than silently resolving names.

:func:`make_log_client` depends on the SDK only, so rampart can use it unchanged in
production: for a real endpoint such as ``cn-hangzhou.log.aliyuncs.com`` it changes nothing.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from localcloud.app import LocalCloud


def _host_is_ip(endpoint: str) -> bool:
    text = endpoint.strip()
    host = urlsplit(text if "://" in text else "http://" + text).hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def make_log_client(
    endpoint: str,
    access_key_id: str,
    secret: str,
    security_token: str | None = None,
    *,
    source: str | None = None,
    auth_version: str = "v1",
    region: str = "",
) -> Any:
    """A ``LogClient`` for ``endpoint``; IP endpoints (``http://127.0.0.1:PORT``) are addressed directly.

    Pass ``source`` (the log group's Source) to spare the SDK a UDP-socket lookup of
    ``<project>.<endpoint host>`` on every PutLogs.
    """
    from aliyun.log import LogClient

    client = LogClient(
        endpoint, access_key_id, secret, securityToken=security_token, source=source,
        auth_version=auth_version, region=region,
    )
    if _host_is_ip(endpoint):
        if not hasattr(client, "_isRowIp"):
            raise RuntimeError("aliyun.log.LogClient has no _isRowIp: the SDK changed; see localcloud/sls/client.py")
        client._isRowIp = True
    return client


def log_client(
    cloud_or_endpoint: LocalCloud | str,
    access_key_id: str,
    secret: str,
    security_token: str | None = None,
    **options: Any,
) -> Any:
    """A working ``aliyun.log.LogClient`` for a running localcloud (object or ``host:port``).

    Usage: ``client = log_client(cloud, *cloud_keys)``; then the SDK as usual, e.g.
    ``client.create_project("audit", "")``. ``options`` go to :func:`make_log_client`.
    """
    if isinstance(cloud_or_endpoint, str):
        endpoint = cloud_or_endpoint if "://" in cloud_or_endpoint else "http://" + cloud_or_endpoint
    else:
        endpoint = f"http://{cloud_or_endpoint.host}:{cloud_or_endpoint.port}"
    return make_log_client(endpoint, access_key_id, secret, security_token, **options)
