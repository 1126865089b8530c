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

What else the warm child does once, not per document (issue 21, second round; profiled with
cProfile, each the same bytes, tests/reports/test_pdf_render_once.py):
- the portal's stylesheet (base.html's one `<style>`, the same text for every document) is
  parsed once into a `weasyprint.CSS` and given to each document as its stylesheet, the
  element taken out of the HTML (`_portal_sheet`; ~8 ms of a notice). It moves from the
  author to the user origin, which changes nothing when it is the document's only sheet
  (the style attributes, the author's, win over it as before), has no `!` (`!important`),
  no `url(` or `@import` beyond the portal's fonts and no at-rule but `@page` and its margin
  boxes; any other document is rendered as it comes;
- each stream is compressed once (`_DeflateOnce`): with a file identifier, pydyf compresses
  every stream a second time for the MD5 of the objects' data (pydyf 0.13 `PDF.write`);
  deflate at pydyf's level 9 is a pure function of the bytes, so the second call gets the
  first result (~6 ms of the ~12 ms that zlib took);
- the objects inherited from the parent, and what the first document leaves in WeasyPrint's
  and Pango's caches, are frozen out of the garbage collector (`gc.freeze`): a collection no
  longer walks Django's 150,000 objects (~4 ms a document, and no copy-on-write of them).
The level of compression itself stays pydyf's 9: a lower level would change every issued
document's bytes (the re-print promise, tests/reports/test_reprint.py).

Why a fetcher: WeasyPrint follows every URL in the HTML. `<link rel="attachment"
href="file:///etc/passwd">` embeds the file in the PDF, `<img src="http://10.0.0.1/">`
calls inside the network, and a relative URL reads the project directory. The portal's
documents need only their two font files; everything else is refused and reported."""

from __future__ import annotations

import atexit
import contextlib
import gc
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pydyf
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

# A child whose parent died (a killed web worker) ends itself this long after the limit.
ORPHAN_GRACE_SECONDS = 5.0
# An idle child checks this often that its parent is still there.
ORPHAN_CHECK_SECONDS = 5.0
# A child is replaced after this many documents (WeasyPrint's caches only grow).
RENDERS_PER_CHILD = 500
# Parsed stylesheets a child keeps (the portal's one; a few more if templates ever differ).
SHEETS_PER_CHILD = 8


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
    gc.freeze()  # the parent's objects: never garbage here, never walked by a collection
    parent_jobs.close()  # the parent's ends: a closed pipe then means the parent has gone
    parent_results.close()
    _close_inherited({jobs.fileno(), results.fileno()})
    tempfile.tempdir = folder  # WeasyPrint's copies of the fonts, removed with the child
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # SIGALRM's default action ends the process
    signal.signal(signal.SIGTERM, _leave)  # a stopped service: end, removing the folder
    pydyf.zlib = deflate = _DeflateOnce()  # this process renders only: pydyf is ours here
    state = _Warm()
    try:
        allowed_files, fonts = warm
        if fonts is not None:  # load the portal's fonts before the first document arrives
            state.configuration(fonts, FilesOnlyFetcher(allowed_files))
        rendered = 0
        while True:
            if not jobs.poll(ORPHAN_CHECK_SECONDS):
                if os.getppid() != parent:
                    return
                continue
            try:
                job = jobs.recv()
            except EOFError:
                return
            try:
                outcome = _render_one(state, *job)
            finally:
                deflate.forget()
            results.send(outcome)
            rendered += 1
            if rendered == 1:  # what the first document left in the caches stays: frozen too
                gc.collect()
                gc.freeze()
    finally:
        state.clear()
        shutil.rmtree(folder, ignore_errors=True)


def _leave(signum, frame):
    sys.exit(0)


class _Warm:
    """What a child keeps between documents: a font configuration per font set, and the
    parsed portal stylesheet (made with that configuration, as WeasyPrint requires)."""

    def __init__(self):
        self.configurations: dict[str, FontConfiguration] = {}
        self.sheets: dict[tuple[str, str], CSS] = {}

    def configuration(self, fonts: str, fetcher) -> FontConfiguration:
        configuration = self.configurations.get(fonts)
        if configuration is None:
            configuration = self.configurations[fonts] = FontConfiguration()
            CSS(string=fonts, font_config=configuration, url_fetcher=fetcher)  # adds the faces
        return configuration

    def sheet(self, css: str, base_url: str, fonts: str, fetcher) -> tuple[CSS, FontConfiguration]:
        configuration = self.configuration(fonts, fetcher)
        sheet = self.sheets.get((css, base_url))
        if sheet is None:
            if len(self.sheets) >= SHEETS_PER_CHILD:
                self.sheets.clear()
            sheet = self.sheets[css, base_url] = CSS(
                string=css, base_url=base_url, url_fetcher=fetcher, font_config=configuration
            )
        return sheet, configuration

    def clear(self) -> None:
        self.sheets.clear()
        self.configurations.clear()


_STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_SHEET_ELEMENTS = re.compile(r"<\s*(?:style|link)\b", re.IGNORECASE)
_AT_RULE = re.compile(r"@([\w-]+)")
_MARGIN_BOX = ("top-", "bottom-", "left-", "right-")


def _portal_sheet(html: str, fonts: str) -> tuple[str, str] | None:
    """(the HTML without its `<style>` element, that element's CSS) when the document's only
    stylesheet is one plain `<style>` holding the portal's fonts, and nothing in it would
    cascade, count or fetch otherwise as a user stylesheet parsed once: no `!`, no `url(`
    or `@import` besides the fonts, no at-rule but @page and its margin boxes. Else None:
    the document is rendered as it is."""
    if len(_SHEET_ELEMENTS.findall(html)) != 1:
        return None
    match = _STYLE_ELEMENT.search(html)
    if match is None:
        return None
    css = match.group(1)
    if fonts not in css or "\r" in css or "\0" in css:  # the parser would change those
        return None
    rest = css.replace(fonts, "", 1)
    if "!" in rest or "url(" in rest.lower() or "\\" in rest:
        return None
    for name in _AT_RULE.findall(rest):
        if name.lower() != "page" and not name.lower().startswith(_MARGIN_BOX):
            return None
    return html[: match.start()] + html[match.end() :], css


class _DeflateOnce:
    """pydyf's zlib in the child: the same bytes, but a stream compressed once per document.
    pydyf compresses with `compressobj(level).compress(data) + flush()`; this one answers a
    second request for the same level and data with the first result (`forget` after each
    document). Anything else is the zlib module's own."""

    def __init__(self):
        self.done: dict[tuple, bytes] = {}

    def compressobj(self, level=zlib.Z_DEFAULT_COMPRESSION, *args, **kwargs):
        return _Deflater(self.done, (level, args, tuple(sorted(kwargs.items()))))

    def forget(self) -> None:
        self.done.clear()

    def __getattr__(self, name):
        return getattr(zlib, name)


class _Deflater:
    def __init__(self, done: dict, settings: tuple):
        self.done, self.settings, self.parts = done, settings, []

    def compress(self, data) -> bytes:
        self.parts.append(bytes(data))
        return b""  # all of it comes with flush(): the concatenation is the same

    def flush(self, mode=zlib.Z_FINISH) -> bytes:
        if mode != zlib.Z_FINISH:  # not pydyf's way: no memory, no partial output
            raise ValueError("only a whole stream is compressed here")
        data = b"".join(self.parts)
        self.parts = []
        key = (self.settings, data)
        packed = self.done.get(key)
        if packed is None:
            level, args, kwargs = self.settings
            compressor = zlib.compressobj(level, *args, **dict(kwargs))
            packed = self.done[key] = compressor.compress(data) + compressor.flush()
        return packed


def _render_one(state: _Warm, html, base_url, identifier, allowed_files, seconds, fonts):
    fetcher = FilesOnlyFetcher(allowed_files)
    signal.setitimer(signal.ITIMER_REAL, seconds + ORPHAN_GRACE_SECONDS)
    try:
        stylesheets = []
        if fonts is None:
            configuration = FontConfiguration()
        elif (split := _portal_sheet(html, fonts)) is not None:
            html, css = split
            sheet, configuration = state.sheet(css, base_url, fonts, fetcher)
            stylesheets.append(sheet)
        else:
            configuration = state.configuration(fonts, fetcher)
        pdf = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
            stylesheets=stylesheets,
            font_config=configuration,
            pdf_identifier=identifier,
            uncompressed_pdf=False,
        )
        return ("ok", pdf, fetcher.refused)
    except Exception as error:  # reported to the parent, which raises it in Japanese
        return ("error", f"{type(error).__name__}: {error}", fetcher.refused)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
