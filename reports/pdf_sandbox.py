"""WeasyPrint behind two fences: a child process with a time limit, and a URL fetcher that
reads only the font files it is given (and inline `data:` URLs).

Why a child process: layout runs in Python and C inside WeasyPrint and cannot be stopped
from outside. A paragraph of 4,000 characters without a break in a table cell takes 40 s on
this machine; three 0.8 MB fields never finish. SIGALRM would stop it only in a main thread,
but runserver answers from threads and a test batch runs in a thread; a thread cannot be
killed at all. A forked child can: the parent waits for the PDF at most the limit, then
kills it. The child only renders strings to bytes: it never touches the database whose
connections it inherits, and it leaves with `os._exit` (multiprocessing's way), so nothing
of the parent is closed or flushed twice. Python 3.12+ warns about forking a process with
threads (a psycopg pool has some); the child uses none of their locks, only WeasyPrint's
libraries, which no thread of the parent runs (every render happens in a child).

Why the child stays (issue 21): a child forked for each document started cold every time
(fontconfig, Pango, the two 4.6 MB font files copied and loaded again, copy-on-write faults)
and took 0.16-0.29 s for a notice that renders in 0.07 s warm; each also left its copy of the
fonts (9 MB, WeasyPrint's temporary folder) behind in /tmp, since `os._exit` skips the
cleanup. Now a process keeps a warm child (`Renderer`), one per document rendered at the same
time (`_idle`, a pool; a sync gunicorn worker or a task worker needs one), which renders one
document after the other with one `FontConfiguration` per font set: the portal's fonts are
loaded once. The limit is unchanged: the parent waits at most the limit for each document,
then kills the child and the next document gets a new one. The child also ends itself when
its parent has gone (a closed pipe, or a new parent process id) and after
`RENDERS_PER_CHILD` documents; its temporary folder is its own and is removed when it ends.
A document declaring other @font-face rules than the portal's (`fonts=None`) gets a fresh
font configuration of its own, so it cannot change the fonts of the next document.

Why a fetcher: WeasyPrint follows every URL in the HTML. `<link rel="attachment"
href="file:///etc/passwd">` embeds the file in the PDF, `<img src="http://10.0.0.1/">`
calls inside the network, and a relative URL reads the project directory. The portal's
documents need only their two font files; everything else is refused and reported."""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

# A child whose parent died (a killed web worker) ends itself this long after the limit.
ORPHAN_GRACE_SECONDS = 5.0
# An idle child checks this often that its parent is still there.
ORPHAN_CHECK_SECONDS = 5.0
# A child is replaced after this many documents (WeasyPrint's caches only grow).
RENDERS_PER_CHILD = 500


class RenderCrashed(Exception):
    """The child ended without a PDF (killed by the system, out of memory, or an error)."""


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    refused: tuple[str, ...]  # URLs the document asked for and did not get


class FilesOnlyFetcher(URLFetcher):
    """Serves `data:` URLs and exactly the listed files; refuses every other URL (other
    files, `..` out of the font directory, http, ftp)."""

    def __init__(self, allowed_files: frozenset[Path]):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.allowed_files = allowed_files
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if not self.allows(url):
            self.refused.append(url)
            raise PermissionError(f"document may not read {url}")
        return super().fetch(url, headers)

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return True
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        return Path(url2pathname(parts.path)).resolve() in self.allowed_files


def render(
    html: str,
    *,
    base_url: str,
    identifier: bytes,
    allowed_files: frozenset[Path],
    seconds: float,
    fonts: str | None = None,
) -> Rendered:
    """The PDF of `html`, made in a warm child process; TimeoutError after `seconds`.
    `fonts` is the portal's @font-face CSS when those are the document's only font rules:
    its font configuration is then kept in the child for the next documents."""
    if seconds <= 0:
        raise TimeoutError
    renderer = _take(allowed_files, fonts)
    try:
        outcome = renderer.render((html, base_url, identifier, allowed_files, seconds, fonts))
    except TimeoutError:
        renderer.close()
        raise
    except (EOFError, OSError):
        raise RenderCrashed(f"exit code {renderer.close()}") from None
    except BaseException:  # interrupted while waiting: the child's state is unknown
        renderer.close()
        raise
    _give_back(renderer)
    status, payload, refused = outcome
    if status != "ok":
        raise RenderCrashed(payload)
    return Rendered(payload, tuple(refused))


# --- the parent's side -----------------------------------------------------------------

_idle: list[Renderer] = []  # warm children of this process, waiting for a document
_idle_lock = threading.Lock()


class Renderer:
    """One warm child and the two pipes to it (documents in, PDFs out)."""

    def __init__(self, allowed_files: frozenset[Path], fonts: str | None):
        context = multiprocessing.get_context("fork")
        self.owner = os.getpid()
        self.folder = tempfile.mkdtemp(prefix="portal-pdf-")
        jobs_out, self.jobs = context.Pipe(duplex=False)
        self.results, results_in = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_serve,
            args=(jobs_out, results_in, self.jobs, self.results, self.folder, self.owner),
            kwargs={"warm": (allowed_files, fonts)},
            name="pdf-render",
            daemon=True,
        )
        self.process.start()
        jobs_out.close()
        results_in.close()
        self.renders = 0

    def render(self, job: tuple):
        self.renders += 1
        self.jobs.send(job)
        if not self.results.poll(job[4]):
            raise TimeoutError
        return self.results.recv()

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.process.is_alive()

    def close(self) -> int | None:
        """End the child (killed if it still runs) and remove its folder; its exit code."""
        if self.owner != os.getpid():
            return None  # a copy inherited by a forked process: not its child
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.jobs.close()
        self.results.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        return self.process.exitcode


def _take(allowed_files: frozenset[Path], fonts: str | None) -> Renderer:
    with _idle_lock:
        while _idle:
            renderer = _idle.pop()
            if renderer.alive():
                return renderer
            renderer.close()
    return Renderer(allowed_files, fonts)


def _give_back(renderer: Renderer) -> None:
    if renderer.renders >= RENDERS_PER_CHILD:
        renderer.close()
        return
    with _idle_lock:
        _idle.append(renderer)


def close_all() -> None:
    """End this process's idle children (tests; they also end with the process)."""
    with _idle_lock:
        renderers = list(_idle)
        _idle.clear()
    for renderer in renderers:
        renderer.close()


def _forget_inherited() -> None:
    # A forked process (a render child, a gunicorn worker) does not own its parent's
    # children; dropping the copies closes their pipe ends in this process.
    _idle.clear()


os.register_at_fork(after_in_child=_forget_inherited)
atexit.register(close_all)  # before multiprocessing's own exit handler, which would only
# terminate them and leave their folders


# --- the child's side ------------------------------------------------------------------


def _close_inherited(keep: set[int]) -> None:
    """Close every file the fork copied from the parent except `keep` and stdio. The child
    lives on beside its parent, and a copied descriptor keeps the parent's file open: a
    client's socket would not close when the worker closes it, a database connection
    could be written to twice, and a pipe to another program (Playwright's driver in the
    browser tests) would never see its end, so that program waits for ever."""
    try:
        descriptors = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc: every number up to the limit
        descriptors = list(range(3, min(os.sysconf("SC_OPEN_MAX"), 65536)))
    for descriptor in descriptors:
        if descriptor > 2 and descriptor not in keep:
            with contextlib.suppress(OSError):
                os.close(descriptor)


def _serve(jobs, results, parent_jobs, parent_results, folder, parent, *, warm) -> None:
    parent_jobs.close()  # the parent's ends: a closed pipe then means the parent has gone
    parent_results.close()
    _close_inherited({jobs.fileno(), results.fileno()})
    tempfile.tempdir = folder  # WeasyPrint's copies of the fonts, removed with the child
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # SIGALRM's default action ends the process
    signal.signal(signal.SIGTERM, _leave)  # a stopped service: end, removing the folder
    configurations: dict[str, FontConfiguration] = {}
    try:
        allowed_files, fonts = warm
        if fonts is not None:  # load the portal's fonts before the first document arrives
            _configuration(configurations, fonts, FilesOnlyFetcher(allowed_files))
        while True:
            if not jobs.poll(ORPHAN_CHECK_SECONDS):
                if os.getppid() != parent:
                    return
                continue
            try:
                job = jobs.recv()
            except EOFError:
                return
            results.send(_render_one(configurations, *job))
    finally:
        configurations.clear()
        shutil.rmtree(folder, ignore_errors=True)


def _leave(signum, frame):
    sys.exit(0)


def _configuration(configurations, fonts: str, fetcher) -> FontConfiguration:
    configuration = configurations.get(fonts)
    if configuration is None:
        configuration = configurations[fonts] = FontConfiguration()
        CSS(string=fonts, font_config=configuration, url_fetcher=fetcher)  # adds the faces
    return configuration


def _render_one(configurations, html, base_url, identifier, allowed_files, seconds, fonts):
    fetcher = FilesOnlyFetcher(allowed_files)
    signal.setitimer(signal.ITIMER_REAL, seconds + ORPHAN_GRACE_SECONDS)
    try:
        if fonts is None:
            configuration = FontConfiguration()
        else:
            configuration = _configuration(configurations, fonts, fetcher)
        pdf = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
            font_config=configuration, pdf_identifier=identifier, uncompressed_pdf=False
        )
        return ("ok", pdf, fetcher.refused)
    except Exception as error:  # reported to the parent, which raises it in Japanese
        return ("error", f"{type(error).__name__}: {error}", fetcher.refused)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
