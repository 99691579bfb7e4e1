"""Stable names, cassette file names and recorded variables."""

from __future__ import annotations

import re

import pytest

from pytest_azurestack.errors import CassetteError
from pytest_azurestack.recording.names import RecordedVariables, StableNames, cassette_test_name

PROFILE = "2020-09-01-hybrid"


def test_names_are_deterministic_per_key_and_seed() -> None:
    a, b = StableNames(f"{PROFILE}/test_vm", "seed1"), StableNames(f"{PROFILE}/test_vm", "seed1")
    assert (a.resource_group(), a.name("vnet"), a.storage_account()) == (
        b.resource_group(),
        b.name("vnet"),
        b.storage_account(),
    )
    other_seed, other_key = (
        StableNames(f"{PROFILE}/test_vm", "seed2"),
        StableNames(f"{PROFILE}/test_x", "seed1"),
    )
    assert len({a.resource_group(), other_seed.resource_group(), other_key.resource_group()}) == 3
    assert a.name("vnet") != a.name("nic")


def test_names_are_valid_azure_names() -> None:
    names = StableNames("2017-03-09-profile/test_virtual_machines/TestVm.test_attach[linux]" * 3, "ab")
    group = names.resource_group()
    assert group.startswith("azs-2017-03-09-profile-test-virtual-machines") and len(group) <= 90
    assert re.fullmatch(r"[a-z0-9-]+", group)
    account = names.storage_account()
    assert re.fullmatch(r"[a-z0-9]{3,24}", account)
    vm = names.name("Windows VM", max_length=15)
    assert len(vm) <= 15 and re.fullmatch(r"[a-z0-9-]+", vm) and vm.startswith("window")
    with pytest.raises(ValueError):
        names.name("vm", max_length=8)


@pytest.mark.parametrize(
    ("function", "cls", "callspec", "expected"),
    [
        ("test_get", None, None, "test_get"),
        ("test_get", None, PROFILE, "test_get"),
        ("test_get", "TestVm", f"{PROFILE}-linux", "TestVm.test_get[linux]"),
        ("test_get", None, f"linux-{PROFILE}", "test_get[linux]"),
        ("test_get", None, f"a-{PROFILE}-b", "test_get[a-b]"),
        ("test_get", None, "weird/id with spaces", "test_get[weird_id_with_spaces]"),
    ],
)
def test_cassette_names_drop_the_profile_and_keep_other_ids(
    function: str, cls: str | None, callspec: str | None, expected: str
) -> None:
    assert cassette_test_name(function, cls, callspec, PROFILE) == expected


def test_long_cassette_names_stay_unique_and_bounded() -> None:
    a = cassette_test_name("test_x", None, "a" * 300, PROFILE)
    b = cassette_test_name("test_x", None, "a" * 299 + "b", PROFILE)
    assert len(a) <= 120 and len(b) <= 120 and a != b


def test_variables_are_created_once_when_recording() -> None:
    changes: list[int] = []
    store: dict[str, str] = {}
    variables = RecordedVariables(store, frozen=False, on_change=lambda: changes.append(1))
    first = variables.get_or_create("seed", lambda: "abc")
    assert variables.get_or_create("seed", lambda: "other") == first == "abc"
    assert store == {"seed": "abc"} and changes == [1] and dict(variables) == {"seed": "abc"}


def test_frozen_variables_replay_and_name_the_fix_when_missing() -> None:
    variables = RecordedVariables({"seed": "abc"}, frozen=True, rerecord_hint="re-record: pytest x")
    assert variables.get_or_create("seed", lambda: "new") == "abc"
    with pytest.raises(CassetteError, match=r"no recorded variable 'other'.*re-record: pytest x"):
        variables.get_or_create("other", lambda: "new")
