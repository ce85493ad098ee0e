"""A throwaway PostgreSQL server from Debian's binaries (package ``postgresql``) in a folder of
its own under the system's temporary directory (one ``nobody`` can reach): unix socket only, the C locale, run as ``nobody`` when we are root (PostgreSQL refuses root). It
holds a database ``shop`` loaded by its owner and a read-only login role for the service, made as
the README says."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

READER_SQL = [  # the README's read-only role
    "CREATE ROLE chatbi_reader LOGIN",
    "GRANT CONNECT ON DATABASE shop TO chatbi_reader",
    "GRANT USAGE ON SCHEMA public TO chatbi_reader",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO chatbi_reader",
    "ALTER ROLE chatbi_reader SET default_transaction_read_only = on",
]


def postgres_binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (make test installs Debian's postgresql)")
    return Path(found[-1]).parent


class TemporaryPostgres:
    def __init__(self, port: int = 5432) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="chatbi-pg-"))
        self.port = port
        self.bin = postgres_binaries()
        self._as = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []

    def url(self, user: str = "postgres", database: str = "shop") -> str:
        return f"postgresql://{user}@/{database}?host={self.folder}&port={self.port}"

    def start(self) -> TemporaryPostgres:
        if self._as:
            shutil.chown(self.folder, "nobody")
        data = self.folder / "data"
        subprocess.run([*self._as, self.bin / "initdb", "-D", data, "--no-locale", "-E", "UTF8", "-A", "trust",
                        "-U", "postgres"], check=True, capture_output=True)
        subprocess.run([*self._as, self.bin / "pg_ctl", "-D", data, "-l", self.folder / "server.log", "-w", "-o",
                        f"-k {self.folder} -c listen_addresses= -p {self.port} -F", "start"],
                       check=True, capture_output=True)
        self.sql("postgres", ["CREATE DATABASE shop"])
        self.sql("shop", READER_SQL)
        return self

    def sql(self, database: str, statements: list[str]) -> None:
        import psycopg

        with psycopg.connect(self.url(database=database), autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def stop(self) -> None:
        subprocess.run([*self._as, self.bin / "pg_ctl", "-D", self.folder / "data", "-m", "immediate", "-w", "stop"],
                       check=False, capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)
