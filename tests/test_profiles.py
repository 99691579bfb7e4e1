"""Profiles as data, and the parametrization of every test over the run's profiles."""

from __future__ import annotations

import pytest

from pytest_azurestack.profiles import (
    COMPUTE,
    HYBRID_PROFILES,
    NETWORK,
    RESOURCES,
    STORAGE,
    V2017_03_09_PROFILE,
    V2019_03_01_HYBRID,
    V2020_09_01_HYBRID,
    get_profile,
    resource_type_of,
)

pytestmark = pytest.mark.usefixtures("clean_env")
RG = "/subscriptions/s/resourceGroups/g"

TESTS = """
def test_a(azurestack_profile):
    pass

def test_b(azurestack_profile):
    pass

def test_plain():
    pass
"""


@pytest.mark.parametrize(
    ("path", "provider", "resource_type", "version"),
    [
        (
            f"{RG}/providers/Microsoft.Compute/virtualMachines/vm/start",
            COMPUTE,
            "virtualMachines/start",  # the action is a type segment; virtualMachines decides the version
            "2020-06-01",
        ),
        (f"{RG}/providers/Microsoft.Compute/disks/d", COMPUTE, "disks", "2019-07-01"),
        (
            f"{RG}/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
            NETWORK,
            "virtualNetworks/subnets",
            "2018-11-01",
        ),
        (
            "/subscriptions/s/providers/Microsoft.Compute/locations/local/operations/1",
            COMPUTE,
            "locations/operations",
            "2020-06-01",
        ),
        (f"{RG}/providers/Microsoft.Storage/storageAccounts/sa", STORAGE, "storageAccounts", "2019-06-01"),
        ("/subscriptions/s/resourcegroups/g", RESOURCES, "resourceGroups", "2019-10-01"),
        ("/subscriptions/s", RESOURCES, "subscriptions", "2016-06-01"),
        # A resource group delete's monitor URL is polled at the Resources version, not subscriptions'.
        ("/subscriptions/s/operationresults/t0k3n", RESOURCES, "operationresults", "2019-10-01"),
    ],
)
def test_resource_types_and_versions(path: str, provider: str, resource_type: str, version: str) -> None:
    assert resource_type_of(path) == (provider, resource_type)
    assert V2020_09_01_HYBRID.api_version(provider, resource_type) == version


def test_profile_table() -> None:
    assert V2019_03_01_HYBRID.api_version(COMPUTE, "disks") == "2017-03-30"
    assert V2017_03_09_PROFILE.api_version(COMPUTE, "disks") is None
    assert not V2017_03_09_PROFILE.has_managed_disks
    assert get_profile("v2020_09_01_hybrid") is get_profile("2020-09-01-hybrid") is V2020_09_01_HYBRID


def _collected(pytester: pytest.Pytester, *args: str) -> list[str]:
    pytester.makepyfile(test_p=TESTS)
    result = pytester.runpytest("--collect-only", "-q", *args)
    return [line for line in result.stdout.lines if "::" in line]


def test_ids_carry_the_profile_name_and_tests_group_by_profile(pytester: pytest.Pytester) -> None:
    args = ("--azurestack-profile", "v2020_09_01_hybrid", "--azurestack-profile", "2019-03-01-hybrid")
    assert _collected(pytester, *args) == [
        "test_p.py::test_a[2020-09-01-hybrid]",
        "test_p.py::test_b[2020-09-01-hybrid]",
        "test_p.py::test_a[2019-03-01-hybrid]",
        "test_p.py::test_b[2019-03-01-hybrid]",
        "test_p.py::test_plain",
    ]


def test_playback_default_is_the_hybrid_profiles_with_cassettes(pytester: pytest.Pytester) -> None:
    for name in ("latest", "2019-03-01-hybrid", "2017-03-09-profile"):
        (pytester.path / "cassettes" / name).mkdir(parents=True)
    # Canonical order, not directory order; latest only when named: it moves with the SDK.
    assert _collected(pytester, "-k", "test_a") == [
        "test_p.py::test_a[2019-03-01-hybrid]",
        "test_p.py::test_a[2017-03-09-profile]",
    ]
    assert _collected(pytester, "-k", "test_a", "--azurestack-profile", "latest") == [
        "test_p.py::test_a[latest]"
    ]


def test_live_default_is_every_hybrid_profile(pytester: pytest.Pytester) -> None:
    ids = _collected(pytester, "--azurestack-target", "live", "-k", "test_a")
    assert ids == [f"test_p.py::test_a[{p.name}]" for p in HYBRID_PROFILES]


NO_CASSETTES = (
    "playback: no cassettes for any profile under {dir}; point --azurestack-cassette-dir at the recorded "
    "ones, or record them with `pytest --azurestack-target emulator --azurestack-record-mode once`*"
)


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one-process", "xdist"])
def test_playback_without_cassettes_is_an_error_not_a_skip(
    pytester: pytest.Pytester, workers: tuple[str, ...]
) -> None:
    """A mistyped cassette directory must not look like a green run: collection fails, one line."""
    pytester.makepyfile(test_p=TESTS)
    typo = pytester.path / "casettes"
    result = pytester.runpytest("--azurestack-cassette-dir", str(typo), "-p", "no:cacheprovider", *workers)
    # Never 0: "errors during collection" in one process; xdist counts the workers' errors as failures.
    assert result.ret == (pytest.ExitCode.TESTS_FAILED if workers else pytest.ExitCode.INTERRUPTED)
    result.assert_outcomes(errors=2 if workers else 1)  # xdist: each worker reports its collection
    result.stdout.fnmatch_lines([NO_CASSETTES.format(dir=typo)])
    assert "Traceback" not in result.stdout.str()


def test_projects_not_using_the_plugin_are_unaffected(pytester: pytest.Pytester) -> None:
    """The plugin loads for every pytest run in the environment: tests without its fixtures just run."""
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1)


def test_fixture_gives_the_profile_object(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from pytest_azurestack.profiles import Profile

        def test_it(azurestack_profile, azurestack_settings):
            assert isinstance(azurestack_profile, Profile)
            assert azurestack_profile in azurestack_settings.profiles
        """
    )
    (pytester.path / "cassettes" / "2018-03-01-hybrid").mkdir(parents=True)
    pytester.runpytest().assert_outcomes(passed=1)
