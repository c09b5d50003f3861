"""The pipe protocol between localcloud and a process-isolated FC instance (``isolation="process"``).

One JSON object per line, UTF-8, on a pipe the handler cannot write to (the worker keeps a
private duplicate of its original stdout for it and points fd 1 at stderr):

- worker -> host, once at start: ``{"ready": true, "pid": N}`` or
  ``{"ready": false, "pid": N, "body": <b64 FC error body>}`` when the handler cannot be loaded;
- host -> worker, per invocation: ``{"event": <b64>, "env": {...}, "invocation": {...}}``;
- worker -> host, per invocation: ``{"body": <b64>, "error_type": str | null, "log": <b64>,
  "duration_ms": N}`` (what :class:`localcloud.fc.runtime.executor.Outcome` holds).

The env carries the role's STS credentials: this module never logs or prints a message.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from localcloud.fc.functions import FunctionSpec, PythonRuntime
from localcloud.fc.runtime.context import Invocation, RoleCredentials
from localcloud.fc.runtime.executor import Outcome


class ProtocolError(ValueError):
    """A line from the other side that is not a message of this protocol."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ProtocolError(f"expected base64 text, got {type(text).__name__}")
    return base64.b64decode(text.encode("ascii"), validate=True)


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    try:
        message = json.loads(line)
    except ValueError as exc:
        raise ProtocolError(f"not a JSON line ({len(line)} bytes)") from exc
    if not isinstance(message, dict):
        raise ProtocolError("a protocol message must be a JSON object")
    return message


def invocation_message(invocation: Invocation, env: dict[str, str], event: bytes) -> dict[str, Any]:
    spec = invocation.spec
    creds = invocation.credentials
    return {
        "event": b64(event),
        "env": env,
        "invocation": {
            "spec": {
                "name": spec.name, "handler": spec.handler, "service": spec.service, "memory": spec.memory,
                "timeout": spec.timeout, "runtime": spec.runtime.value,
            },
            "function_name": invocation.function_name,
            "api_version": invocation.api_version,
            "request_id": invocation.request_id,
            "region": invocation.region,
            "account_id": invocation.account_id,
            "qualifier": invocation.qualifier,
            "credentials": None if creds is None else [creds.access_key_id, creds.access_key_secret, creds.security_token],
            "instance_id": invocation.instance_id,
            "code_path": invocation.code_path,
        },
    }


def invocation_from(message: dict[str, Any]) -> tuple[Invocation, dict[str, str], bytes]:
    """The worker's side of :func:`invocation_message`."""
    try:
        data = message["invocation"]
        raw = data["spec"]
        spec = FunctionSpec(
            name=raw["name"], handler=raw["handler"], service=raw["service"], memory=raw["memory"],
            timeout=raw["timeout"], runtime=PythonRuntime(raw["runtime"]),
        )
        creds = data["credentials"]
        invocation = Invocation(
            spec=spec, function_name=data["function_name"], api_version=data["api_version"],
            request_id=data["request_id"], region=data["region"], account_id=data["account_id"],
            qualifier=data["qualifier"], credentials=None if creds is None else RoleCredentials(*creds),
            instance_id=data["instance_id"], code_path=data["code_path"],
        )
        env = message["env"]
        if not isinstance(env, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
            raise ProtocolError('"env" must be an object of strings')
        return invocation, env, unb64(message["event"])
    except ProtocolError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"malformed invocation message: {type(exc).__name__}") from exc


def outcome_message(outcome: Outcome) -> dict[str, Any]:
    return {
        "body": b64(outcome.body), "error_type": outcome.error_type, "log": b64(outcome.log),
        "duration_ms": outcome.duration_ms,
    }


def outcome_from(message: dict[str, Any]) -> Outcome:
    try:
        error_type = message["error_type"]
        duration = message["duration_ms"]
        if error_type is not None and not isinstance(error_type, str):
            raise ProtocolError('"error_type" must be a string or null')
        if not isinstance(duration, int):
            raise ProtocolError('"duration_ms" must be an integer')
        return Outcome(unb64(message["body"]), error_type, unb64(message["log"]), duration)
    except ProtocolError:
        raise
    except (KeyError, ValueError) as exc:
        raise ProtocolError(f"malformed outcome message: {type(exc).__name__}") from exc
