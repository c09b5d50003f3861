"""A state file names each class by the module it lived in when the file was written; the
loader finds classes that have moved since, and still refuses anything outside localcloud."""

from __future__ import annotations

import io
import pickle

import pytest

from localcloud.fc.models import FunctionService
from localcloud.kms.models.entities import Secret
from localcloud.ram.models.entities import User
from localcloud.sls.models.entities import Logstore
from localcloud.state import _StateUnpickler


@pytest.mark.parametrize(("module", "name", "expected"), [
    ("localcloud.ram.entities", "User", User),
    ("localcloud.kms.entities", "Secret", Secret),
    ("localcloud.fc.service", "FunctionService", FunctionService),
    ("localcloud.sls.entities", "Logstore", Logstore),
    ("localcloud.ram.models.entities", "User", User),
])
def test_a_class_saved_under_its_old_module_is_found_where_it_lives_now(module: str, name: str, expected: type) -> None:
    assert _StateUnpickler(io.BytesIO()).find_class(module, name) is expected


@pytest.mark.parametrize(("module", "name"), [("os", "system"), ("builtins", "eval"), ("subprocess", "Popen")])
def test_a_class_outside_localcloud_is_refused(module: str, name: str) -> None:
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        _StateUnpickler(io.BytesIO()).find_class(module, name)
