"""Build a ``tablestore.OTSClient`` for a running localcloud.

The SDK takes ``http://host:port`` as its endpoint (tablestore.md §1.1: the port is kept and the
Host is not signed; https would need a CA-signed certificate) and names the instance only in
``x-ots-instancename``. The pure-Python codec is used unless ``enable_native`` is passed (§1.6).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from localcloud.app import LocalCloud


def ots_client(
    cloud: LocalCloud,
    instance: str,
    access_key_id: str | None = None,
    access_key_secret: str | None = None,
    sts_token: str | None = None,
    **options: Any,
) -> Any:
    """An ``OTSClient`` for ``instance`` (root key by default); ``options`` go to the constructor
    (``retry_policy=``, ``region=`` for V4 signing, ``socket_timeout=`` ...)."""
    from tablestore import OTSClient

    account = cloud.account
    return OTSClient(
        f"http://{cloud.endpoint}",
        access_key_id or account.root_access_key_id,
        access_key_secret or account.root_access_key_secret,
        instance,
        sts_token=sts_token,
        **options,
    )
