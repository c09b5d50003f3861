"""Admin routes for fault injection (loopback only, JSON), thin wrappers over ``cloud.faults``.

- ``POST /_localcloud/faults``: arm one rule (an object) or several (``{"faults": [...]}``);
  a rule that breaks a rule of :mod:`localcloud.faults.rules` is refused with 400 and the reason;
- ``GET /_localcloud/faults``: armed rules with their match and fire counts;
- ``DELETE /_localcloud/faults``: disarm every rule and empty the log;
- ``GET /_localcloud/faults/log``: every injected fault, in order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localcloud.admin import AdminError, AdminRoutes
from localcloud.core.http import HttpRequest, HttpResponse
from localcloud.faults.rules import FaultSpec, FaultSpecError

if TYPE_CHECKING:
    from localcloud.app import LocalCloud


def _add(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    if "faults" in body:
        if set(body) != {"faults"} or not isinstance(body["faults"], list) or not body["faults"]:
            raise AdminError(400, 'give one rule object, or {"faults": [rule, ...]} with at least one rule')
        items = body["faults"]
    else:
        items = [body]
    try:
        for index, item in enumerate(items):  # validate all before arming any
            try:
                FaultSpec.from_json(item)
            except FaultSpecError as exc:
                raise FaultSpecError(f"rule {index}: {exc}" if len(items) > 1 else str(exc)) from exc
        armed = [cloud.faults.add_json(item) for item in items]
    except FaultSpecError as exc:
        raise AdminError(400, str(exc)) from exc
    return HttpResponse.json(200, {"faults": [rule.to_json() for rule in armed]})


def _list(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse.json(200, {"faults": [rule.to_json() for rule in cloud.faults.rules()]})


def _clear(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse.json(200, {"cleared": cloud.faults.clear()})


def _log(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    entries = [entry.to_json() for entry in cloud.faults.log()]
    return HttpResponse.json(200, {"count": len(entries), "log": entries})


def install(routes: AdminRoutes) -> None:
    routes.add("POST", "/faults", _add)
    routes.add("GET", "/faults", _list)
    routes.add("DELETE", "/faults", _clear)
    routes.add("GET", "/faults/log", _log)
