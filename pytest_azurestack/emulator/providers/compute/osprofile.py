"""osProfile validation with the real service's rules (admin names, passwords, computer names).

The normalised osProfile keeps everything the client sent except ``adminPassword``, which the
service never returns and the emulator never stores.
"""

from __future__ import annotations

import re
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.providers.compute import body as b

# Names Azure refuses for the administrator account (a subset of its published list).
RESERVED_USERNAMES = frozenset(
    {
        "administrator",
        "admin",
        "user",
        "user1",
        "test",
        "user2",
        "test1",
        "user3",
        "admin1",
        "1",
        "123",
        "a",
        "actuser",
        "adm",
        "admin2",
        "aspnet",
        "backup",
        "console",
        "david",
        "guest",
        "john",
        "owner",
        "root",
        "server",
        "sql",
        "support",
        "support_388945a0",
        "sys",
        "test2",
        "test3",
        "user4",
        "user5",
    }
)
# Passwords Azure refuses outright even though they meet the complexity rules.
DISALLOWED_PASSWORDS = frozenset(
    {
        "abc@123",
        "p@$$w0rd",
        "p@ssw0rd",
        "p@ssword123",
        "pa$$word",
        "pass@word1",
        "password!",
        "password1",
        "password22",
        "iloveyou!",
    }
)
_WINDOWS_NAME_FORBIDDEN = set("`~!@#$%^&*()=+_[]{}\\|;:.'\",<>/?")
_LINUX_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$")


def password_problem(password: str, os_type: str) -> str | None:
    """Why Azure would refuse ``password`` for ``os_type``, or None."""
    low, high = (8, 123) if os_type == "Windows" else (6, 72)
    rule = (
        f"The supplied password must be between {low}-{high} characters long and must satisfy at least 3 of "
        "password complexity requirements from the following: 1) Contains an uppercase character "
        "2) Contains a lowercase character 3) Contains a numeric digit 4) Contains a special character "
        "5) Control characters are not allowed"
    )
    if not low <= len(password) <= high or any(ord(c) < 32 or ord(c) == 127 for c in password):
        return rule
    classes = [
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(classes) < 3:
        return rule
    if password.lower() in DISALLOWED_PASSWORDS:
        return (
            "The supplied password is not allowed: it is on Azure's list of disallowed passwords; "
            "choose another."
        )
    return None


def validate_os_profile(os_profile: dict[str, Any], os_type: str) -> dict[str, Any]:
    """Check a create-time osProfile; return it without ``adminPassword``."""
    path = "osProfile"
    computer_name = b.text(os_profile, "computerName", f"{path}.computerName", required=True)
    username = b.text(os_profile, "adminUsername", f"{path}.adminUsername", required=True)
    password = b.text(os_profile, "adminPassword", f"{path}.adminPassword")
    b.text(os_profile, "customData", f"{path}.customData")
    b.arr(os_profile, "secrets", f"{path}.secrets")
    assert computer_name is not None and username is not None
    _check_computer_name(computer_name, os_type)
    if username.lower() in RESERVED_USERNAMES or username.endswith("."):
        raise b.invalid(
            f"{path}.adminUsername",
            f"The Admin Username specified is not allowed: '{username}' is reserved; choose another name.",
        )
    if len(username) > (20 if os_type == "Windows" else 64):
        raise b.invalid(
            f"{path}.adminUsername",
            f"The Admin Username '{username}' is too long: at most "
            f"{20 if os_type == 'Windows' else 64} characters.",
        )
    linux = b.obj(os_profile, "linuxConfiguration", f"{path}.linuxConfiguration")
    windows = b.obj(os_profile, "windowsConfiguration", f"{path}.windowsConfiguration")
    if os_type == "Linux" and windows is not None:
        raise b.invalid(
            f"{path}.windowsConfiguration",
            "The image is a Linux image but the osProfile has a windowsConfiguration; use "
            "linuxConfiguration.",
        )
    if os_type == "Windows" and linux is not None:
        raise b.invalid(
            f"{path}.linuxConfiguration",
            "The image is a Windows image but the osProfile has a linuxConfiguration; use "
            "windowsConfiguration.",
        )
    password_off = False
    if linux is not None:
        password_off = bool(
            b.boolean(
                linux,
                "disablePasswordAuthentication",
                f"{path}.linuxConfiguration.disablePasswordAuthentication",
            )
        )
        _check_ssh(linux, username, password_off)
    if password is None and not password_off:
        raise b.missing("adminPassword")
    if password is not None:
        problem = password_problem(password, os_type)
        if problem:
            raise b.invalid("adminPassword", problem)
    kept = {k: v for k, v in os_profile.items() if k != "adminPassword"}
    return kept


def _check_computer_name(name: str, os_type: str) -> None:
    target = "osProfile.computerName"
    if os_type == "Windows":
        if len(name) > 15 or name.isdigit() or set(name) & _WINDOWS_NAME_FORBIDDEN:
            raise b.invalid(
                target,
                f"Windows computer name '{name}' cannot be more than 15 characters long, be entirely "
                "numeric, "
                "or contain the following characters: ` ~ ! @ # $ % ^ & * ( ) = + _ [ ] { } \\ | ; : "
                ". ' \" , < > / ?.",
            )
    elif not _LINUX_NAME.match(name) or name.isdigit():
        raise b.invalid(
            target,
            f"Linux host name '{name}' cannot exceed 64 characters in length or contain the following "
            "characters: ` ~ ! @ # $ % ^ & * ( ) = + _ [ ] { } \\ | ; : ' \" , < > / ?.",
        )


def _check_ssh(linux: dict[str, Any], username: str, password_off: bool) -> None:
    path = "osProfile.linuxConfiguration.ssh"
    ssh = b.obj(linux, "ssh", path)
    keys = b.arr(ssh, "publicKeys", f"{path}.publicKeys") if ssh is not None else None
    if password_off and not keys:
        raise ArmError(
            400,
            "InvalidParameter",
            "Authentication using either SSH or by user name and password must be enabled in Linux profile: "
            "give ssh.publicKeys or set disablePasswordAuthentication to false with an adminPassword.",
            target="linuxConfiguration",
        )
    for index, key in enumerate(b.objects(keys or [], f"{path}.publicKeys")):
        key_path = b.text(key, "path", f"{path}.publicKeys[{index}].path", required=True)
        data = b.text(key, "keyData", f"{path}.publicKeys[{index}].keyData", required=True)
        expected = f"/home/{username}/.ssh/authorized_keys"
        if key_path != expected:
            raise b.invalid(
                f"{path}.publicKeys[{index}].path",
                f"The value of parameter linuxConfiguration.ssh.publicKeys.path is invalid: '{key_path}'; "
                f"use '{expected}'.",
            )
        assert data is not None
        if not data.startswith(("ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-")):
            raise b.invalid(
                f"{path}.publicKeys[{index}].keyData",
                "The value of parameter linuxConfiguration.ssh.publicKeys.keyData is invalid: it is not an "
                "OpenSSH public key (ssh-rsa ...).",
            )
