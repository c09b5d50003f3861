"""Runs the ``rampart`` CLI in-process against localcloud, as an operator would from a shell.

``Cli.run(*argv)`` calls ``rampart.cli.main`` with its own streams, an environment holding only
the ``ALIBABA_CLOUD_*``/``RAMPART_*`` variables, localcloud's clock and a terminal stand-in;
every transcript is kept, so a test can check at the end that no escrowed secret value ever
reached stdout or stderr (``Cli.assert_no_secret_leaked``).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_resourcemanager20200331 import models as rm_models
from alibabacloud_resourcemanager20200331.client import Client as Rm
from alibabacloud_tea_openapi.exceptions import ClientException
from rampart.cli import main
from rampart.config import EXAMPLE_CATALOG
from rampart.operations import NoTerminal

from localcloud import LocalCloud


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("rampart: error:")]


class FakeTerminal(io.StringIO):
    """The operator's terminal: what ``handover`` writes to ``/dev/tty`` lands here."""

    def close(self) -> None:  # keep the text readable after the command closes it
        pass


@dataclass
class Cli:
    cloud: LocalCloud
    env: dict[str, str]
    terminal: FakeTerminal | None = None
    transcripts: list[str] = field(default_factory=list)
    secret_values: set[str] = field(default_factory=set)

    def run(self, *argv: str, env: dict[str, str] | None = None, stdin: str = "") -> Run:
        out, err = io.StringIO(), io.StringIO()

        def terminal() -> FakeTerminal:
            if self.terminal is None:
                raise NoTerminal("no terminal to show the credential on (test)")
            return self.terminal

        code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err, environ=env or self.env,
                    clock=self.cloud.now, terminal=terminal)
        self.transcripts += [out.getvalue(), err.getvalue()]
        return Run(code, out.getvalue(), err.getvalue())

    def ok(self, *argv: str, **kwargs: Any) -> Run:
        run = self.run(*argv, **kwargs)
        assert run.code == 0, (run.code, run.stdout, run.stderr)
        return run

    def env_for(self, access_key_id: str, secret: str) -> dict[str, str]:
        return {**self.env, "ALIBABA_CLOUD_ACCESS_KEY_ID": access_key_id, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret}

    def harvest_secrets(self) -> set[str]:
        """Every live escrowed value in KMS (the password, the AccessKey secret), remembered."""
        for _name, value in escrowed(self.cloud):
            self.secret_values.add(value)
            try:
                pair = json.loads(value)
            except ValueError:
                continue
            if isinstance(pair, dict) and "AccessKeySecret" in pair:
                self.secret_values.add(str(pair["AccessKeySecret"]))
        return self.secret_values

    def assert_no_secret_leaked(self, *, require: bool = True) -> None:
        """No escrowed value (harvested earlier, or live now) in any stdout or stderr so far.
        ``require``: the test must have escrowed something to look for."""
        self.harvest_secrets()
        assert self.secret_values or not require, "the test escrowed nothing to look for"
        for text in self.transcripts:
            for value in self.secret_values:
                assert value not in text


def escrowed(cloud: LocalCloud) -> Iterator[tuple[str, str]]:
    kms = Kms(cloud.config())
    listing = kms.list_secrets(kms_models.ListSecretsRequest(page_size=100)).body.secret_list
    for item in (listing.secret if listing is not None else None) or []:
        try:
            body = kms.get_secret_value(kms_models.GetSecretValueRequest(secret_name=item.secret_name)).body
        except ClientException:  # pending deletion
            continue
        yield item.secret_name, body.secret_data


def write_catalog(
    cloud: LocalCloud, path: Path, *, group: str | None = None, replace: dict[str, str] | None = None
) -> tuple[Path, str]:
    """The shipped example catalog with its resource group made real (``group``: reuse one),
    with text replacements; written to ``path`` (a directory: ``catalog.yaml`` in it)."""
    if group is None:
        group = Rm(cloud.config()).create_resource_group(
            rm_models.CreateResourceGroupRequest(name="arms-demo", display_name="ARMS demo")
        ).body.resource_group.id
    text = EXAMPLE_CATALOG.read_text(encoding="utf-8").replace("rg-armsdemo000000001", group)
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    target = path / "catalog.yaml" if path.is_dir() else path
    target.write_text(text, encoding="utf-8")
    return target, group


def environment(cloud: LocalCloud, catalog: Path) -> dict[str, str]:
    info = cloud.info()
    return {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": info["access_key_id"],
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": info["access_key_secret"],
        "ALIBABA_CLOUD_REGION_ID": info["region"],
        "RAMPART_ENDPOINT": cloud.endpoint,
        "RAMPART_CATALOG": str(catalog),
        "RAMPART_SLS_PROJECT": "rampart-audit",
        "RAMPART_SLS_LOGSTORE": "lifecycle",
    }


def event_file(directory: Path, name: str, data: Any) -> str:
    path = directory / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def person(person_id: str = "E1001", **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"person_id": person_id, "display_name": "Alice Smith", "email": "alice.smith@example.com",
                              "attributes": {"department": "Engineering"}, "manager": "E0001"}
    record.update(extra)
    return record
