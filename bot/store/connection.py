"""The connection to the database (a SQLite file, or PostgreSQL through `bot.store.postgres`): one writer thread
that runs every write in order inside a transaction, and one reader connection used off the event loop; opening
(creating and migrating) or opening for reading only."""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from bot.store.schema import migrations
from bot.store.sql import SqlDatabase, redact

T = TypeVar("T")
# A write job: what to run on the writer's connection (in a transaction of its own), the loop and future awaiting
# its result, and the job's bare function when it may share a transaction with the jobs queued behind it (None: it
# may not).
Job = tuple[Callable[[Any], Any], asyncio.AbstractEventLoop, asyncio.Future[Any], Callable[[Any], Any] | None]
GROUP = 64  # most jobs committed together (see `_Writer`)
DATABASE_NAME = "clausewatch.db"
LOCK_POLL = 0.005  # seconds between two attempts at a named lock another process holds


def lock_key(name: str) -> str:
    """The SQL of the advisory-lock key of the named lock `name` (an SQL text expression): advisory locks are per
    database, and the schema makes them per store, so that stores in schemas of one database (a deployment each,
    or a test each) never share one."""
    return f"hashtext(current_schema() || '/' || {name})"


LOCK_KEY = lock_key("?")  # (the name as a parameter)


class StoreError(RuntimeError):
    """The database cannot be opened or written (read-only disk, disk full, corrupt file)."""


class _Writer(threading.Thread):
    """The one thread that writes: runs queued jobs in order on its own connection.

    Group commit: the jobs already waiting when the writer takes one run together in one transaction, so that a
    burst of small writes (one per polled source) pays one BEGIN and one COMMIT, not one each; on PostgreSQL those
    are round trips to the server. Each job's future is settled after that COMMIT. If any of them fails, the whole
    transaction is rolled back and each job runs again in a transaction of its own, so that one bad write never
    takes the others with it (a job's function only writes to the database, so running it again is safe)."""

    def __init__(self, opener: Callable[[], Any]) -> None:
        super().__init__(name="clausewatch-db-writer", daemon=True)
        self.opener = opener  # opens the connection and applies the migrations
        self.jobs: queue.Queue[Job | None] = queue.Queue()
        self.ready = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            db = self.opener()
        except BaseException as error:  # reported to the opener
            self.error = error
            self.ready.set()
            return
        self.ready.set()
        running = True
        while running:
            job = self.jobs.get()
            if job is None:
                break
            batch, after, running = self._gather(job)
            if len(batch) == 1 or not _run_together(db, batch):
                for each in batch:
                    _run_alone(db, each)
            if after is not None:
                _run_alone(db, after)
        db.close()

    def _gather(self, first: Job) -> tuple[list[Job], Job | None, bool]:
        """`first` and the groupable jobs queued behind it (at most GROUP); the job that stopped the gathering
        when it may not join them; False when the close sentinel was met."""
        batch = [first]
        while first[3] is not None and len(batch) < GROUP:
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                return batch, None, False
            if job[3] is None:
                return batch, job, True
            batch.append(job)
        return batch, None, True


def _run_alone(db: Any, job: Job) -> None:
    fn, loop, future, _bare = job
    try:
        result: Any = fn(db)
    except BaseException as error:  # handed back to the awaiting coroutine
        _resolve(loop, future, None, error)
    else:
        _resolve(loop, future, result, None)


def _run_together(db: Any, batch: Sequence[Job]) -> bool:
    """Run the bare functions of `batch` in one transaction and settle their futures; False (everything rolled
    back, nothing settled) when one of them or the COMMIT fails."""
    try:
        with db.atomic():
            results = [bare(db) for _fn, _loop, _future, bare in batch if bare is not None]
    except BaseException:  # each runs again on its own, which reports its own error
        return False
    for (_fn, loop, future, _bare), result in zip(batch, results, strict=True):
        _resolve(loop, future, result, None)
    return True


def _resolve(loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    def settle() -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    try:
        loop.call_soon_threadsafe(settle)
    except RuntimeError:  # loop closed while the job ran
        pass


def _connect(path: Path, new: bool = False) -> Database:
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
    db = Database(conn, execute_plugins=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    if new:  # pages freed by retention go back to the file system (`incremental_vacuum` after each prune)
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    if db.journal_mode != "wal":
        db.enable_wal()
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return db


def _open_for_writing(path: Path) -> Database:
    db = _connect(path, new=not path.exists())
    migrations.apply(db)
    return db


def _connect_read_only(path: Path) -> Database | None:
    """A reader that never writes: `mode=ro`, else `immutable=1` (no locks, no WAL shared memory: for storage that
    cannot be written at all). None when there is no database or it needs migrations that a writer can apply."""
    if not path.is_file():
        if os.access(path.parent if path.parent.exists() else path.parent.parent, os.W_OK):
            return None
        raise StoreError(f"no database at {path}, and the storage is read-only: nothing to show")
    last: sqlite3.Error | None = None
    for query in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(f"{path.as_uri()}?{query}", uri=True, check_same_thread=False, timeout=30)
            db = Database(conn, execute_plugins=False)
            pending = migrations.pending(db)
        except sqlite3.Error as error:
            last = error
            continue
        if pending:
            conn.close()
            if os.access(path.parent, os.W_OK):
                return None
            raise StoreError(f"{path} was written by an older Clausewatch and the storage is read-only: "
                             f"run a writing command once where it can be written")
        return db
    raise StoreError(f"cannot open database {path} for reading: {last}")


def _probe_writable(path: Path) -> None:
    """Take and release the write lock of the database file on a connection of its own (SQLite opens a file it
    cannot write read-only without a word, so the file and its folder, where the WAL lives, are asked first)."""
    for target in (path, path.parent):
        if not os.access(target, os.W_OK):
            raise StoreError(f"cannot write to {path}: {target} is read-only")
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=5)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise StoreError(f"cannot write to {path}: {error}") from error


class Connection:
    """The writer thread and the reader connection of one database. Open with `await Connection.open(storage)`
    (SQLite under a storage folder) or `await Connection.open_url(url)` (PostgreSQL)."""

    def __init__(self, path: Path | None, writer: _Writer | None, reader: SqlDatabase, backend: str = "sqlite",
                 where: str | None = None) -> None:
        self.path = path  # the SQLite file (None: PostgreSQL)
        self.backend = backend  # "sqlite" or "postgresql"
        self.where = where or str(path)  # the file, or the database URL without its password
        self._writer = writer  # None: opened for reading only (see `open_for_reading`)
        self._reader = reader
        self._read_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clausewatch-db-reader")
        self._closed = False
        self._errors: tuple[type[BaseException], ...] = (sqlite3.OperationalError,)
        # PostgreSQL: the connection that holds named locks (advisory locks live as long as their session, so a
        # worker that dies releases them), opened at the first lock, with its own thread.
        self._url: str | None = None
        self.live_owners: set[str] = set()  # workers whose liveness lock this connection holds (see Leases)
        self._locker: Any = None
        self._held: set[str] = set()  # the named locks the locking connection holds
        self._lost: set[str] = set()  # locks that went with a locking connection that broke (see `lost_locks`)
        self._lock_executor: ThreadPoolExecutor | None = None

    @classmethod
    async def open(cls, storage: Path) -> Connection:
        """Create the storage folder and database if needed, apply migrations, start the writer."""
        try:
            storage.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create storage folder {storage}: {error}") from error
        path = storage / DATABASE_NAME
        writer = _Writer(lambda: _open_for_writing(path))
        writer.start()
        await asyncio.get_running_loop().run_in_executor(None, writer.ready.wait)
        if writer.error is not None:
            raise StoreError(f"cannot open database {path}: {writer.error}") from writer.error
        reader = await asyncio.get_running_loop().run_in_executor(None, _connect, path)
        return cls(path, writer, reader)

    @classmethod
    async def open_url(cls, url: str, read_only: bool = False) -> Connection:
        """Connect to the PostgreSQL database at `url` and apply migrations (unless `read_only`: then pending
        migrations are an error)."""
        from bot.store import postgres
        from bot.store.schema import migrations, steps

        where = redact(url)
        loop = asyncio.get_running_loop()

        def open_writer() -> postgres.PgDatabase:
            db = postgres.connect(url)
            try:
                postgres.apply(db, migrations.name, steps)
            except BaseException:
                db.close()
                raise
            return db

        writer: _Writer | None = None
        if not read_only:
            writer = _Writer(open_writer)
            writer.start()
            await loop.run_in_executor(None, writer.ready.wait)
            if writer.error is not None:
                raise StoreError(f"cannot open database {where}: {writer.error}") from writer.error
        try:
            reader = await loop.run_in_executor(None, postgres.connect, url)
        except postgres.psycopg.Error as error:
            raise StoreError(f"cannot open database {where}: {error}") from error
        if read_only and postgres.pending(reader, migrations.name, steps):
            reader.close()
            raise StoreError(f"{where} needs migrations: run a writing command once")
        connection = cls(None, writer, reader, "postgresql", where)
        connection._errors = (sqlite3.OperationalError, postgres.psycopg.OperationalError,
                              postgres.psycopg.errors.ReadOnlySqlTransaction)
        connection._url = url
        return connection

    @classmethod
    async def open_for_reading(cls, storage: Path) -> Connection:
        """Open an existing, up-to-date database without writing to it, so that a storage that cannot be written
        (a read-only volume, a copy on a DVD) can still be inspected: read-only, or, when even the WAL's shared
        memory file cannot be made, immutable. Falls back to `open` (which creates and migrates) when there is no
        database yet or it needs migrations and the storage can be written."""
        path = storage / DATABASE_NAME
        loop = asyncio.get_running_loop()
        reader = await loop.run_in_executor(None, _connect_read_only, path)
        if reader is None:
            return await cls.open(storage)
        return cls(path, None, reader)

    @property
    def read_only(self) -> bool:
        """Opened for reading only: every write is refused."""
        return self._writer is None

    def _refuse_write(self) -> StoreError:
        return StoreError(f"the storage is read-only: {self.where} was opened for reading (nothing was changed)")

    async def close(self) -> None:
        """Let the writer finish its queued jobs, then close both connections (a second call does nothing)."""
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        if self._writer is not None:
            self._writer.jobs.put(None)
            await loop.run_in_executor(None, self._writer.join)
        await loop.run_in_executor(self._read_executor, self._reader.close)  # type: ignore[attr-defined]
        self._read_executor.shutdown(wait=True)
        if self._lock_executor is not None:
            if self._locker is not None:
                await loop.run_in_executor(self._lock_executor, self._locker.close)
            self._lock_executor.shutdown(wait=True)

    async def _on_locker(self, sql: str, name: str, held: bool | None = None) -> Any:
        """Run a lock statement about `name` on the locking connection (opened on first use); `held`: whether the
        lock is held after it (True: if the statement answers true), noted in the same thread."""
        from bot.store import postgres

        if self._lock_executor is None:
            self._lock_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clausewatch-db-locks")
        url = self._url

        def run() -> Any:
            if self._locker is not None and (self._locker.conn.closed or self._locker.conn.broken):
                self._drop_locker()
            if self._locker is None:
                assert url is not None
                self._locker = postgres.connect(url)
            try:
                answer = self._locker.execute(sql, [name] if name else None).fetchone()[0]
            except BaseException:
                if self._locker.conn.closed or self._locker.conn.broken:  # (the server ended the session, or went away)
                    self._drop_locker()
                raise
            if held is False:
                self._held.discard(name)
            elif held and answer:
                self._held.add(name)
            return answer

        if self._closed:
            raise StoreError("the store is closed")
        try:
            return await asyncio.get_running_loop().run_in_executor(self._lock_executor, run)
        except self._errors as error:
            raise StoreError(f"cannot lock {name} on {self.where}: {error}") from error

    def _drop_locker(self) -> None:
        """The locking connection broke: every lock it held is gone with its session (others may take them now)."""
        with contextlib.suppress(Exception):
            self._locker.close()
        self._locker = None
        self._lost |= self._held
        self._held = set()
        self.live_owners.clear()  # (the workers' liveness locks are taken again before their next lease)

    async def lost_locks(self) -> set[str]:
        """The named locks this process held and lost since the last call, because the connection holding them
        broke (the server restarted, ended the session, or the network dropped it). Asks the server whether the
        connection is alive (PostgreSQL); SQLite holds no named locks."""
        if self.backend != "postgresql" or (self._locker is None and not self._lost):
            return set()
        with contextlib.suppress(StoreError):  # (also connects again; a server still away is seen next time)
            await self._on_locker("SELECT 1", "")
        lost, self._lost = self._lost, set()
        return lost

    async def try_lock(self, name: str) -> bool:
        """Take the named lock unless another process holds it (SQLite: one process polls, so always)."""
        if self.backend != "postgresql":
            return True
        attempt = asyncio.ensure_future(self._on_locker(f"SELECT pg_try_advisory_lock({LOCK_KEY})", name, True))
        try:
            return bool(await asyncio.shield(attempt))
        except asyncio.CancelledError:  # the caller gave up: a lock the attempt took anyway is given back
            with contextlib.suppress(Exception):
                if await attempt:
                    await self.unlock(name)
            raise

    async def lock(self, name: str) -> None:
        """Wait for the named lock (SQLite: nothing to wait for). Asked again every few milliseconds rather than
        waited for in the server, so that no thread is ever blocked: the store closes, and a caller cancels."""
        if self.backend != "postgresql":
            return
        while not await self.try_lock(name):
            await asyncio.sleep(LOCK_POLL)

    async def unlock(self, name: str) -> None:
        """Release the named lock."""
        if self.backend == "postgresql":
            await self._on_locker(f"SELECT pg_advisory_unlock({LOCK_KEY})", name, False)

    async def write(self, fn: Callable[[Any], T]) -> T:
        """Run `fn(db)` on the writer thread inside one transaction."""
        return await self.submit(fn)

    def submit(self, fn: Callable[[Any], T]) -> asyncio.Future[T]:
        """Queue `fn(db)` for the writer thread now, behind every write queued before it, and return the future
        of its result: a caller may go on and await it later. A refused write settles it with StoreError.

        `fn` may share its transaction with the jobs queued beside it, and runs a second time, alone, when one of them
        fails (see `_Writer`): it must do nothing but database work."""
        if self._closed:
            raise StoreError("the store is closed")
        if self._writer is None:
            raise self._refuse_write()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        where, errors = self.where, self._errors

        def atomic(db: Database) -> T:
            try:
                with db.atomic():
                    return fn(db)
            except errors as error:  # disk full, read-only file, locked for too long, connection lost
                raise StoreError(f"cannot write to {where}: {error}") from error

        self._writer.jobs.put((atomic, loop, future, fn))
        return future

    async def check_writable(self) -> None:
        """Take and release the database's write lock; StoreError when the disk or file refuses writes."""

        def probe(db: Any) -> None:
            if self.backend == "postgresql":
                with db.atomic():
                    if db.execute("SHOW transaction_read_only").fetchone()[0] == "on":
                        raise StoreError(f"cannot write to {self.where}: the database is read-only")
                return
            db.conn.execute("BEGIN IMMEDIATE")
            db.conn.execute("ROLLBACK")

        loop = asyncio.get_running_loop()
        if self._writer is None and self.backend == "postgresql":  # opened for reading: ask the server
            answer = await self.read(lambda db: db.execute(
                "SELECT current_setting('transaction_read_only') = 'on' OR pg_is_in_recovery()").fetchone())
            if answer != (False,):
                raise StoreError(f"cannot write to {self.where}: the database is read-only (a standby, or "
                                 f"default_transaction_read_only)")
            return
        if self._writer is None:  # opened for reading: ask the file itself
            assert self.path is not None
            await loop.run_in_executor(None, _probe_writable, self.path)
            return
        future: asyncio.Future[None] = loop.create_future()
        self._writer.jobs.put((probe, loop, future, None))
        errors: tuple[type[BaseException], ...] = (sqlite3.Error, *self._errors)
        try:
            await future
        except errors as error:
            raise StoreError(f"cannot write to {self.where}: {error}") from error

    async def read(self, fn: Callable[[Any], T]) -> T:
        """Run `fn(db)` on the reader connection, off the event loop."""
        if self._closed:
            raise StoreError("the store is closed")
        return await asyncio.get_running_loop().run_in_executor(self._read_executor, fn, self._reader)

    async def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """A read-only query, for the table groups."""
        return await self.read(lambda db: list(db.query(sql, list(params))))
