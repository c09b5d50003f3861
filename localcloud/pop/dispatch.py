"""Routes a POP RPC request: find the product and action, authenticate, authorize, run.

Dispatch is on ``x-acs-version``/``x-acs-action`` (ACS3) with the ``Version``/``Action``
parameters as the V1 fallback (wire-protocol.md §6). Parameters are the decoded query
merged with a form-urlencoded body. Every request runs under the state lock; a mutating
action that succeeds triggers ``on_mutation`` (persistence).
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable

from localcloud.auth import credentials, signatures
from localcloud.core import errors, ids
from localcloud.core.clock import utcnow
from localcloud.core.http import HttpRequest, HttpResponse, parse_pairs
from localcloud.policy.authorizer import authorize, request_context
from localcloud.pop.params import Params
from localcloud.pop.service import Call, Service
from localcloud.state import CloudState

NONCE_TTL = 15 * 60


def request_params(request: HttpRequest) -> dict[str, str]:
    params = dict(request.query_pairs())
    if request.header("content-type").startswith("application/x-www-form-urlencoded") and request.body:
        params.update(parse_pairs(request.body.decode("utf-8", errors="replace")))
    return params


class PopRouter:
    def __init__(
        self,
        state_of: Callable[[], CloudState],
        services: list[Service],
        on_mutation: Callable[[], None] | None = None,
    ) -> None:
        self._state_of = state_of
        self.services = {s.version: s for s in services}
        self._on_mutation = on_mutation

    def identify(self, request: HttpRequest) -> tuple[str, str] | None:
        """(product, action) when this router serves the request, else None."""
        version = request.header("x-acs-version")
        action = request.header("x-acs-action")
        if not version or not action:
            params = request_params(request)
            version = version or params.get("Version", "")
            action = action or params.get("Action", "")
        service = self.services.get(version)
        if service is None or request.raw_path != "/":
            return None
        return service.product, action

    def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = ids.request_id()
        params = request_params(request)
        version = request.header("x-acs-version") or params.get("Version", "")
        action_name = request.header("x-acs-action") or params.get("Action", "")
        service = self.services[version]
        state = self._state_of()
        try:
            with state.lock:
                signed = signatures.verify_pop(request, lambda key: credentials.secret_for(state, key), utcnow())
                self._check_nonce(state, signed.nonce)
                principal = credentials.principal_for(state, signed, service.product)
                spec = service.actions.get(action_name)
                if spec is None:
                    raise errors.InvalidApiNotFound(
                        f"Specified api {action_name!r} is not found for {service.product} version {version}."
                    )
                for key in ("Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce", "AccessKeyId",
                            "Timestamp", "Format", "Version", "Action", "SecurityToken", "RegionId"):
                    params.pop(key, None)
                call = Call(Params(params), principal, state, request_id, request.client_ip)
                if spec.permission is not None and not principal.is_root:
                    resource = spec.resource(call)
                    decision = authorize(
                        state, principal, spec.permission, resource, request_context(state, principal, request.client_ip)
                    )
                    if not decision.allowed:
                        raise service.no_permission(
                            f"You are not authorized to do this action. Resource: {resource} "
                            f"Action: {spec.permission}"
                        )
                body = spec.handler(call)
            if spec.mutating and self._on_mutation is not None:
                self._on_mutation()
        except errors.CloudError as error:
            headers = {"x-acs-request-id": request_id, **error.headers}
            return HttpResponse.json(error.status, service.error_body(error, request_id), headers)
        except Exception as exc:  # a localcloud bug: answer JSON 500, say where on stderr
            traceback.print_exc(file=sys.stderr)
            internal = errors.InternalError(f"localcloud internal error in {action_name}: {type(exc).__name__}")
            return HttpResponse.json(500, service.error_body(internal, request_id), {"x-acs-request-id": request_id})
        return HttpResponse.json(200, {"RequestId": request_id, **body}, {"x-acs-request-id": request_id})

    def error_response(self, code: str, status: int, message: str, headers: dict[str, str]) -> HttpResponse:
        """A POP error answer for ``code`` (the fault injector's; see ``Router`` in app.py)."""
        request_id = ids.request_id()
        body = {
            "RequestId": request_id,
            "Code": code,
            "Message": message,
            "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}",
        }
        return HttpResponse.json(status, body, {"x-acs-request-id": request_id, **headers})

    @staticmethod
    def _check_nonce(state: CloudState, nonce: str | None) -> None:
        if not nonce:
            return
        now = time.monotonic()
        if nonce in state.nonces and now - state.nonces[nonce] < NONCE_TTL:
            raise errors.SignatureNonceUsed()
        state.nonces[nonce] = now
        if len(state.nonces) > 100_000:
            cutoff = now - NONCE_TTL
            for key in [k for k, t in state.nonces.items() if t < cutoff]:
                del state.nonces[key]
