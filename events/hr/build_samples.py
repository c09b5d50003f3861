"""Rebuild the FC 3.0 HTTP-trigger samples of the HR sources (``events/hr/<source>/*.fc-http.json``)
from the payload files beside them, signed and encrypted with the DEMO secrets of
``events/hr/demo-config.json`` at its ``signed_at`` time.

    PYTHONPATH=shared .venv/bin/python events/hr/build_samples.py

Deterministic: the "random" parts (Feishu's IV and nonce, DingTalk's nonce and random
prefix) derive from the file name, so a rebuild changes nothing unless a payload did
(each source's tests check that its files are current). The
demo signs the same payloads afresh with :mod:`rampart_dev.hr_senders`, because a
signed timestamp is only accepted for 5 minutes.
"""

from __future__ import annotations

import hashlib
import json
import random
import string
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from rampart.events import parse_time
from rampart.fc.http_trigger import http_event
from rampart.secret import Secret
from rampart.sources.base import Source
from rampart.sources.hr.bamboohr import BambooHRSource
from rampart.sources.hr.dingtalk import DingTalkCrypto, DingTalkSource
from rampart.sources.hr.feishu import FeishuSource
from rampart.sources.hr.generic import GenericHRSource
from rampart_dev import hr_senders

HERE = Path(__file__).resolve().parent
SAMPLES = {
    "generic": ("joiner.json", "mover.json", "leaver.json", "batch.json"),
    "feishu": (
        "url-verification.json",
        "user-created.json",
        "user-updated.json",
        "user-resigned.json",
        "user-deleted.json",
        "department-created.json",
    ),
    "bamboohr": (
        "employee-created.json",
        "employee-updated.json",
        "employee-updated.form",
        "employee-terminated.json",
        "employee-deleted.json",
        "field-based.json",
    ),
    "dingtalk": (
        "check-url.json",
        "user-add-org.json",
        "user-modify-org.json",
        "user-leave-org.json",
        "org-dept-create.json",
    ),
}
_ALNUM = string.ascii_letters + string.digits


def demo_config() -> dict[str, Any]:
    config: dict[str, Any] = json.loads((HERE / "demo-config.json").read_text("utf-8"))
    return config


def demo_sources(config: dict[str, Any] | None = None, *, rng: random.Random | None = None) -> dict[str, Source]:
    """The four HR sources configured with the demo secrets (``rng``: DingTalk's reply nonce)."""
    config = config or demo_config()
    generic, fs, bamboo, ding = (config[k] for k in ("generic", "feishu", "bamboohr", "dingtalk"))
    return {
        "generic": GenericHRSource(Secret(generic["secret"])),
        "feishu": FeishuSource(
            Secret(fs["encrypt_key"]),
            Secret(fs["verification_token"]),
            person_id_key=fs["person_id_key"],
            departments=fs["departments"],
        ),
        "bamboohr": BambooHRSource(Secret(bamboo["private_key"]), company_id=bamboo["company_id"]),
        "dingtalk": DingTalkSource(Secret(ding["token"]), Secret(ding["aes_key"]), ding["owner_key"], rng=rng),
    }


def _seed(source: str, name: str) -> bytes:
    return hashlib.sha256(f"rampart-demo/{source}/{name}".encode()).digest()


def _alnum(seed: bytes, length: int) -> str:
    return "".join(_ALNUM[b % len(_ALNUM)] for b in hashlib.sha256(seed).digest()[:length])


def payload_bytes(path: Path) -> bytes:
    """What a sender puts on the wire: compact JSON of a ``.json`` file, a ``.form`` as is."""
    if path.suffix == ".form":
        return path.read_bytes()
    return hr_senders.compact(json.loads(path.read_text("utf-8")))


def signed_request(source: str, name: str, now: datetime, config: dict[str, Any]) -> hr_senders.SignedRequest:
    """The request ``source``'s sender makes for ``events/hr/<source>/<name>`` at ``now``."""
    body = payload_bytes(HERE / source / name)
    seed = _seed(source, name)
    settings = config[source]
    if source == "generic":
        return hr_senders.generic(Secret(settings["secret"]), body, now)
    if source == "feishu":
        key = Secret(settings["encrypt_key"])
        return hr_senders.feishu_request(key, body, now, nonce=_alnum(seed, 12), iv=seed[:16])
    if source == "bamboohr":
        content_type = "application/x-www-form-urlencoded" if name.endswith(".form") else "application/json"
        return hr_senders.bamboohr_request(Secret(settings["private_key"]), body, now, content_type=content_type)
    if source == "dingtalk":
        crypto = DingTalkCrypto(Secret(settings["token"]), Secret(settings["aes_key"]), settings["owner_key"])
        random16 = _alnum(seed + b"/random", 16).encode()
        return hr_senders.dingtalk_request(crypto, body, now, nonce=_alnum(seed, 8), random16=random16)
    raise ValueError(f"no HR source {source!r}")


def trigger_event(source: str, name: str, now: datetime, config: dict[str, Any]) -> dict[str, Any]:
    """The FC 3.0 HTTP trigger event for that request."""
    request = signed_request(source, name, now, config)
    return http_event(
        "POST",
        config[source]["path"],
        request.body,
        now,
        headers=request.headers,
        query=request.query,
        source_ip="203.0.113.10",
    )


def wrapper_name(name: str) -> str:
    """``user-created.json`` -> ``user-created.fc-http.json``; ``x.form`` -> ``x-form.fc-http.json``."""
    stem = Path(name).stem
    return f"{stem}-form.fc-http.json" if name.endswith(".form") else f"{stem}.fc-http.json"


def build_all(config: dict[str, Any] | None = None) -> dict[Path, str]:
    """Every sample trigger event: path -> file text."""
    config = config or demo_config()
    now = parse_time(config["signed_at"])
    out: dict[Path, str] = {}
    for source, names in SAMPLES.items():
        for name in names:
            event = trigger_event(source, name, now, config)
            target = HERE / source / wrapper_name(name)
            out[target] = json.dumps(event, indent=2, ensure_ascii=False) + "\n"
    return out


def main(write: Callable[[Path, str], Any] = lambda path, text: path.write_text(text, "utf-8")) -> None:
    for path, text in build_all().items():
        write(path, text)
        print(path.relative_to(HERE.parent.parent))


if __name__ == "__main__":
    main()
