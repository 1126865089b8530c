"""WeasyPrint behind two fences: a child process with a time limit, and a URL fetcher that
reads only the font files it is given (and inline `data:` URLs).

Why a child process: layout runs in Python and C inside WeasyPrint and cannot be stopped
from outside. A paragraph of 4,000 characters without a break in a table cell takes 40 s on
this machine; three 0.8 MB fields never finish. SIGALRM would stop it only in a main thread,
but runserver answers from threads and a test batch runs in a thread; a thread cannot be
killed at all. A forked child can: the parent waits for the PDF at most the limit, then
kills it. The fork itself takes 7 ms; with the child's copy-on-write pages a notice takes
0.16 s instead of 0.12 s (medians of 20, this machine; a batch of 300 notices ~12 s more).
The child only renders a string to bytes: it never touches the database whose
connections it inherits, and it leaves with `os._exit` (multiprocessing's way), so nothing
of the parent is closed or flushed twice. Python 3.12+ warns about forking a process with
threads (a psycopg pool has some); the child uses none of their locks, only WeasyPrint's
libraries, which no thread of the parent runs (every render happens in a child).

Why a fetcher: WeasyPrint follows every URL in the HTML. `<link rel="attachment"
href="file:///etc/passwd">` embeds the file in the PDF, `<img src="http://10.0.0.1/">`
calls inside the network, and a relative URL reads the project directory. The portal's
documents need only their two font files; everything else is refused and reported."""

from __future__ import annotations

import multiprocessing
import signal
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import HTML
from weasyprint.urls import URLFetcher

# A child whose parent died (a killed web worker) ends itself this long after the limit.
ORPHAN_GRACE_SECONDS = 5.0


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
    html: str, *, base_url: str, identifier: bytes, allowed_files: frozenset[Path], seconds: float
) -> Rendered:
    """The PDF of `html`, made in a child process; TimeoutError after `seconds`."""
    if seconds <= 0:
        raise TimeoutError
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_render_in_child,
        args=(sender, html, base_url, identifier, allowed_files, seconds),
        name="pdf-render",
        daemon=True,
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise TimeoutError
        outcome = receiver.recv()
    except EOFError:
        child.join()
        raise RenderCrashed(f"exit code {child.exitcode}") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    status, payload, refused = outcome
    if status != "ok":
        raise RenderCrashed(payload)
    return Rendered(payload, tuple(refused))


def _render_in_child(sender, html, base_url, identifier, allowed_files, seconds) -> None:
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # SIGALRM's default action ends the process
    signal.setitimer(signal.ITIMER_REAL, seconds + ORPHAN_GRACE_SECONDS)
    fetcher = FilesOnlyFetcher(allowed_files)
    try:
        pdf = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
            pdf_identifier=identifier, uncompressed_pdf=False
        )
        sender.send(("ok", pdf, fetcher.refused))
    except Exception as error:  # reported to the parent, which raises it in Japanese
        sender.send(("error", f"{type(error).__name__}: {error}", fetcher.refused))
    finally:
        sender.close()
