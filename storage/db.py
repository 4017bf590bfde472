"""Database URL resolution, engine creation (SQLite pragmas) and sessions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from threading import Lock

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import DatabaseUnavailable

__all__ = [
    "DEFAULT_DB_PATH",
    "data_dir",
    "dispose_engine",
    "ENV_VAR",
    "get_engine",
    "is_sqlite",
    "redact",
    "resolve_db_url",
    "session_scope",
    "translate_errors",
    "write_transaction",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "tension.db"
ENV_VAR = "TENSION_DB_URL"

# Writers hold the lock for milliseconds; readers in WAL mode never block them.
# 30 s of patience turns a busy moment into a short wait instead of an error.
SQLITE_BUSY_TIMEOUT_MS = 30_000

_engines: dict[str, Engine] = {}
_engines_lock = Lock()


def resolve_db_url(cli_value: str | None, environ: Mapping[str, str]) -> str:
    """Return the database URL: ``--db`` > ``TENSION_DB_URL`` > SQLite at data/tension.db."""
    if cli_value:
        return cli_value
    env_value = environ.get(ENV_VAR, "").strip()
    if env_value:
        return env_value
    return f"sqlite:///{DEFAULT_DB_PATH}"


def data_dir(url: str) -> Path:
    """The folder that holds this database's files: the SQLite file's folder, else data/.

    Logs and lock files that belong with a database (the dashboard's poll log) live here.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        return DEFAULT_DB_PATH.parent
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:"):
        if not database.startswith("file:"):
            return Path(database).resolve().parent
    return DEFAULT_DB_PATH.parent


def redact(url: str) -> str:
    """The URL with any password hidden, safe for logs and error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def _set_sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI types vary
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA foreign_keys = ON")
    # NORMAL is durable across application crashes in WAL mode; only an OS
    # crash can lose the last transactions, never corrupt the file.
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()
    # Take transaction control away from the pysqlite driver, which otherwise
    # starts transactions late and lets RELEASE SAVEPOINT commit the outer
    # work; SQLAlchemy's "begin" event below emits BEGIN itself.
    dbapi_conn.isolation_level = None


def _sqlite_begin(conn: Connection) -> None:
    # Writers take the write lock up front (IMMEDIATE), so they wait on the busy
    # timeout instead of failing when upgrading a read snapshot another writer
    # has since changed (SQLITE_BUSY_SNAPSHOT is not retried by SQLite).
    if conn.get_execution_options().get("sqlite_immediate"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def _check_folder(db_path: Path, url: str) -> None:
    """The SQLite file's folder must exist; only the default data folder is made on demand.

    A typo in ``--db`` would otherwise create a folder tree and an empty database
    somewhere, and the ingest run would "succeed" into it.
    """
    folder = db_path.parent
    if folder.is_dir():
        return
    if folder.resolve() != DEFAULT_DB_PATH.parent.resolve():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise DatabaseUnavailable(
            f"the folder {folder} {what} (create it first, or fix the path)", url=redact(url)
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseUnavailable(
            f"cannot create the folder for {db_path}: {exc.strerror}", url=redact(url)
        ) from exc


def _create_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnavailable(f"not a database URL: {url!r}", url=None) from exc
    if parsed.get_backend_name() == "sqlite":
        db_path = parsed.database
        if db_path and db_path != ":memory:" and not db_path.startswith("file:"):
            _check_folder(Path(db_path), url)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )
        event.listen(engine, "connect", _set_sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    except (ArgumentError, ImportError) as exc:
        raise DatabaseUnavailable(
            f"cannot use database {redact(url)}: {exc}", url=redact(url)
        ) from exc


def get_engine(url: str) -> Engine:
    """The process-wide engine for ``url`` (created once, with SQLite pragmas applied)."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _create_engine(url)
        return engine


def dispose_engine(url: str) -> None:
    """Close and forget the engine for ``url`` (tests that drop their database call this)."""
    with _engines_lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


# PostgreSQL reports some "cannot write here" conditions outside OperationalError:
# a read-only transaction or hot standby (25006) arrives as InternalError. Classes
# 08 (connection), 53 (disk full, out of memory) and 57 (shutdown) are listed too,
# whatever class the driver maps them to.
_UNAVAILABLE_SQLSTATES = ("25006",)
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")


def _is_unavailable(exc: DBAPIError) -> bool:
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    state = getattr(exc.orig, "sqlstate", None) or ""
    return state in _UNAVAILABLE_SQLSTATES or state[:2] in _UNAVAILABLE_SQLSTATE_CLASSES


@contextmanager
def translate_errors(url: str | None = None) -> Iterator[None]:
    """Turn operational database errors (locked, read-only, full, unreachable) into ours."""
    try:
        yield
    except SATimeoutError as exc:
        raise DatabaseUnavailable(
            f"database unavailable: {_reason(exc)}", url=redact(url) if url else None
        ) from exc
    except DBAPIError as exc:
        if not _is_unavailable(exc):
            raise
        raise DatabaseUnavailable(
            f"database unavailable: {_reason(exc)}", url=redact(url) if url else None
        ) from exc


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction (IMMEDIATE on SQLite), errors translated, committed on success."""
    with translate_errors(str(engine.url)):
        with engine.execution_options(sqlite_immediate=True).begin() as conn:
            yield conn


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with translate_errors(str(engine.url)), factory() as session, session.begin():
        yield session
