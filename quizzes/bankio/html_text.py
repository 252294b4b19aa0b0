"""Conservative HTML → Markdown for question text coming from Moodle (HTML is Moodle's default format).

Only what reads the same in Markdown survives: paragraphs, line breaks, lists, bold, italics, inline
code, links to http(s) addresses, and images and links to files the import stores (`media:`
references, see `bankio.media`); any other image becomes `[image: alt: address]`. Scripts, styles
and every other tag are dropped (their text is kept, except for script/style bodies). Math is kept
as text; MathJax's `\\( \\)` and `\\[ \\]` delimiters become `$ $` and `$$ $$`, the ones our
Markdown renderer understands (Markdown would otherwise eat the backslash).
"""

import re
from html.parser import HTMLParser

from quizzes.bankio.media import MEDIA_REF

_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "tr", "ul", "ol", "pre"}
_DROPPED_WITH_CONTENT = {"script", "style", "head", "title"}
_INLINE_MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`"}


class _MarkdownWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.pre_depth = 0
        self.list_stack: list[str] = []
        self.link_href: str | None = None
        self.images = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            self.skip_depth += 1
        elif self.skip_depth:
            return
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("ul", "ol"):
            self.list_stack.append(tag)
            self.parts.append("\n\n")
        elif tag == "li":
            marker = "1. " if self.list_stack and self.list_stack[-1] == "ol" else "- "
            self.parts.append("\n" + "  " * max(0, len(self.list_stack) - 1) + marker)
        elif tag in _BLOCK_TAGS:
            self.pre_depth += tag == "pre"
            self.parts.append("\n\n")
        elif tag in _INLINE_MARKS:
            self.parts.append(_INLINE_MARKS[tag])
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.link_href = href if re.match(r"^https?://|^media:[0-9a-f]{64}/", href) else None
            if self.link_href:
                self.parts.append("[")
        elif tag == "img":
            self.images += 1
            alt = re.sub(r"[\[\]\s]+", " ", dict(attrs).get("alt") or "").strip()
            source = (dict(attrs).get("src") or "").strip()
            if MEDIA_REF.fullmatch(source):  # a file the import stores (bankio.media)
                self.parts.append(f"![{alt}]({source})")
            else:  # not stored: the reference stays readable as text
                label = ": ".join(part for part in ("image", alt, source[:200]) if part)
                self.parts.append(f"[{label}]")
        elif tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif self.skip_depth:
            return
        elif tag in ("ul", "ol"):
            if self.list_stack:
                self.list_stack.pop()
            self.parts.append("\n\n")
        elif tag in _BLOCK_TAGS:
            self.pre_depth = max(0, self.pre_depth - (tag == "pre"))
            self.parts.append("\n\n")
        elif tag in _INLINE_MARKS:
            self.parts.append(_INLINE_MARKS[tag])
        elif tag == "a" and self.link_href:
            self.parts.append(f"]({self.link_href})")
            self.link_href = None

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        # HTML collapses runs of white space; only <pre> keeps them.
        self.parts.append(data if self.pre_depth else re.sub(r"\s+", " ", data))


def html_to_markdown(html: str) -> str:
    """Readable Markdown for an HTML fragment; never raises (the stdlib parser is lenient)."""
    writer = _MarkdownWriter()
    writer.feed(html)
    writer.close()
    text = "".join(writer.parts)
    text = re.sub(r"[ \t]+\n", "\n", text)  # spaces left at line ends by collapsed white space
    text = re.sub(r"\n[ \t]+(?![-0-9])", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return mathjax_to_dollars(text.strip())


def mathjax_to_dollars(text: str) -> str:
    r"""`\(x\)` → `$x$` and `\[x\]` → `$$x$$`; `$$...$$` is already fine and left alone."""
    text = re.sub(r"\\\((.+?)\\\)", lambda match: f"${match.group(1).strip()}$", text, flags=re.S)
    return re.sub(r"\\\[(.+?)\\\]", lambda match: f"$${match.group(1).strip()}$$", text, flags=re.S)
