"""Users, roles and API keys from a YAML file (CHATBI_ACCESS_PATH): who may ask, which rows and
metrics each role sees, which WeCom user is which user. Keys are random, shown once, and kept only
as SHA-256 hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from semantic_layer.errors import SemanticError
from semantic_layer.policy import AccessPolicy


class AccessDenied(SemanticError):
    code = "unauthorized"
    status = 401


class Forbidden(SemanticError):
    code = "forbidden"
    status = 403


class Role(BaseModel):
    model_config = ConfigDict(extra="forbid")
    admin: bool = Field(False, description="may read the audit log and manage examples and glossary")
    no_data: bool = Field(False, description="may not see any figures")
    row_filters: dict[str, list[str]] = Field(default_factory=dict, description="dimension -> allowed values")
    hidden_metrics: list[str] = Field(default_factory=list)
    export: bool = Field(False, description="may export customer lists (CSV, WeCom file), inside its row filters")

    def policy(self) -> AccessPolicy:
        return AccessPolicy({d: tuple(v) for d, v in self.row_filters.items()}, frozenset(self.hidden_metrics),
                            self.no_data, self.export)


class User(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Za-z0-9_.@\-]{1,64}$")
    role: str
    wecom_userid: str | None = None
    disabled: bool = False


class ApiKey(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prefix: str
    hash: str
    user: str
    created_at: str
    revoked: bool = False


DEFAULT_ROLES = {
    "admin": Role(admin=True, export=True),
    "analyst": Role(),
    "none": Role(no_data=True),
}


class AccessFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    roles: dict[str, Role] = Field(default_factory=lambda: dict(DEFAULT_ROLES))
    users: list[User] = Field(default_factory=list)
    keys: list[ApiKey] = Field(default_factory=list)
    unknown_wecom_role: str = "none"


@dataclass(frozen=True)
class Principal:
    user: str
    role_name: str
    role: Role

    @property
    def policy(self) -> AccessPolicy:
        return self.role.policy()


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class AccessControl:
    """Reads and writes the access file; looks up keys and WeCom users."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._version = self._file_version()
        self.data = self._read()

    def _file_version(self) -> tuple[int, int] | None:
        try:
            status = self.path.stat()
        except FileNotFoundError:
            return None
        return status.st_mtime_ns, status.st_size

    def _fresh(self) -> AccessFile:
        """The access data, re-read when the file changed (a key revoked with the CLI counts at once)."""
        version = self._file_version()
        if version != self._version:
            with self._lock:
                self.data, self._version = self._read(), version
        return self.data

    def _read(self) -> AccessFile:
        if not self.path.exists():
            return AccessFile()
        raw = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
        data = AccessFile.model_validate(raw)
        for user in data.users:
            if user.role not in data.roles:
                raise ValueError(f"{self.path}: user {user.id!r} has unknown role {user.role!r}")
        return data

    def _write(self) -> None:  # called with the lock held
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(yaml.safe_dump(self.data.model_dump(), allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
        partial.replace(self.path)
        self._version = self._file_version()

    def _user(self, user_id: str) -> User:
        user = next((u for u in self.data.users if u.id == user_id), None)
        if user is None:
            raise KeyError(f"no user {user_id!r}")
        return user

    def add_user(self, user_id: str, role: str, wecom_userid: str | None = None) -> User:
        with self._lock:
            if role not in self.data.roles:
                raise KeyError(f"no role {role!r} (roles: {', '.join(self.data.roles)})")
            if any(u.id == user_id for u in self.data.users):
                raise KeyError(f"user {user_id!r} exists")
            user = User(id=user_id, role=role, wecom_userid=wecom_userid)
            self.data.users.append(user)
            self._write()
            return user

    def add_role(self, name: str, role: Role) -> None:
        with self._lock:
            if name in self.data.roles:
                raise KeyError(f"role {name!r} exists")
            self.data.roles[name] = role
            self._write()

    def disable_user(self, user_id: str) -> None:
        with self._lock:
            self._user(user_id).disabled = True
            self._write()

    def create_key(self, user_id: str) -> str:
        """A new key for a user; the only time the key itself is visible."""
        with self._lock:
            self._user(user_id)
            key = "cbk_" + secrets.token_urlsafe(24)
            self.data.keys.append(ApiKey(prefix=key[:10], hash=key_hash(key), user=user_id,
                                         created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")))
            self._write()
            return key

    def revoke_key(self, prefix: str) -> int:
        with self._lock:
            matched = [k for k in self.data.keys if k.prefix == prefix and not k.revoked]
            for key in matched:
                key.revoked = True
            self._write()
            return len(matched)

    def _principal(self, user: User) -> Principal:
        return Principal(user.id, user.role, self.data.roles[user.role])

    def by_key(self, key: str) -> Principal:
        digest = key_hash(key)
        data = self._fresh()
        for stored in data.keys:
            if hmac.compare_digest(stored.hash, digest) and not stored.revoked:
                user = next((u for u in data.users if u.id == stored.user), None)
                if user is not None and not user.disabled:
                    return self._principal(user)
        raise AccessDenied("API key 无效或已被吊销", "invalid or revoked API key")

    def by_wecom_user(self, wecom_userid: str) -> Principal:
        data = self._fresh()
        user = next((u for u in data.users if u.wecom_userid == wecom_userid and not u.disabled), None)
        if user is not None:
            return self._principal(user)
        role = data.unknown_wecom_role
        return Principal(f"wecom:{wecom_userid}", role, data.roles.get(role, DEFAULT_ROLES["none"]))


OPEN_PRINCIPAL = Principal("demo", "admin", DEFAULT_ROLES["admin"])
