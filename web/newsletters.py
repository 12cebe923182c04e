"""The newsletter section of a release, for the preview page, its downloads and the feed."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, get_args

from tracker.errors import InputError, NotFoundError
from tracker.history.releases import Release
from tracker.publish.newsletter import Format, render_newsletter
from web.site import View

if TYPE_CHECKING:
    from fastapi.responses import Response

LABELS: dict[Format, str] = {"html": "Email (HTML)", "text": "Plain text", "md": "Markdown",
                             "json": "JSON"}  # fmt: skip
EXTENSIONS: dict[str, Format] = {"html": "html", "txt": "text", "md": "md", "json": "json"}
MEDIA = {"html": "text/html", "text": "text/plain", "md": "text/markdown",
         "json": "application/json"}  # fmt: skip
# The email HTML is shown in a frame of its own: inline styles are what makes it email-safe.
# The email is a manual's own template's HTML: opened in the preview's frame or on a page of
# its own, it runs nothing and sends nothing (no scripts, forms, pop-ups or navigating the
# page that shows it: a sandbox, which lets the page that frames it measure it).
EMAIL_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'; "
    "form-action 'none'; sandbox allow-same-origin"
)
# The email alone, for the preview's frame and to open on its own (a phone's width too): a
# long word or address breaks rather than makes it scroll sideways.
FRAME = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body {{ overflow-wrap: break-word; }}</style></head>
<body>
{body}
</body></html>
"""
# The email on a page of its own (the preview without scripts, or to see it whole): a page as
# the site's others are, with a way back, a heading and the email as its main content. The
# email's HTML is the frame's, as it is copied and downloaded; only the page around it differs.
PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body {{ overflow-wrap: break-word; }}
.app-email-page {{ font-family: arial, sans-serif; color: #0b0c0c; border-bottom: 1px solid #cecece;
  margin-bottom: 20px; }}
.app-email-page h1 {{ font-size: 1.5rem; margin: 10px 0 15px; }}
.app-email-page a {{ color: #1a65a6; text-underline-offset: .1578em; }}
.app-email-page a:focus {{ outline: 3px solid transparent; color: #0b0c0c; background: #ffdd00;
  box-shadow: 0 -2px #ffdd00, 0 4px #0b0c0c; text-decoration: none; }}</style></head>
<body>
<header class="app-email-page">
<p><a href="{back}">Back to the newsletter section</a></p>
<h1>{heading}</h1>
</header>
<main>
{body}
</main>
</body></html>
"""


def check_format(text: str) -> Format:
    """A format named in an address, or 400."""
    if text not in get_args(Format):
        raise InputError(f"The format {text!r} is not one of {', '.join(LABELS)}.")
    return text  # type: ignore[return-value]  # checked against the Literal's values above


def render(view: View, release: Release, fmt: Format, base_url: str) -> str:
    """The section as the command line writes it, through the manual's own templates.

    Its links are absolute: from the manual's ``site_url``, else from this service's address.
    """
    return render_newsletter(
        view.snapshot,
        release,
        view.today,
        fmt,
        templates=view.manual.texts.templates(view.snapshot),
        summarise=view.manual.differ.summary,
        site_url=view.snapshot.config.site_url or base_url.rstrip("/"),
        exported=view.exported,
    )


def download(
    view: View,
    release: Release,
    extension: str,
    base_url: str,
    inline: bool = False,
    alone: bool = False,
) -> Response:
    """The section as a file (``.txt``, ``.md``, ``.html``, ``.json``); ``inline`` to show it
    (the email HTML then as a document of its own, for the preview's frame; ``alone`` too, on
    a page of its own)."""
    from fastapi.responses import Response  # not for a static export that renders no page

    fmt = EXTENSIONS.get(extension)
    if fmt is None:
        raise NotFoundError(f"There is no newsletter file ending .{extension}.")
    name = f"newsletter-{release.date.isoformat()}.{extension}"
    disposition = "inline" if inline else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{name}"'}
    if fmt == "html":
        headers["Content-Security-Policy"] = EMAIL_POLICY
    media = MEDIA[fmt] + ("; charset=utf-8" if fmt != "json" else "")
    body = render(view, release, fmt, base_url)
    title = f"Newsletter section for {release.date.day} {release.date:%B %Y}"
    if fmt == "html" and inline and alone:
        heading = f"Preview of the n{title[1:]}"
        page = f"{heading} \N{EN DASH} {view.snapshot.config.title}"
        back = view.urls.newsletter(release.date)
        body = PAGE.format(title=escape(page), back=escape(back), heading=heading, body=body)
    elif fmt == "html" and inline:
        body = FRAME.format(title=title, body=body)
    return Response(body, media_type=media, headers=headers)
