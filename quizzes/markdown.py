"""Markdown for stems, hints, feedback and explanations, rendered to sanitised HTML.

Math is left for KaTeX to typeset in the browser: the dollarmath plugin lifts `$...$` and
`$$...$$` out of the Markdown parse (so `_` and `*` inside formulas are not read as emphasis)
and we re-emit them with their delimiters inside elements of class `math`, which
`static/js/math.js` hands to KaTeX's auto-render. Raw HTML in the source is never passed
through: markdown-it escapes it, and nh3 removes anything outside a small allow-list.

Headings in user Markdown are shifted two levels down (`#` becomes h3, `##` h4, ... capped at h6):
the page around the Markdown already owns h1 (its title) and h2 (its sections), and an exercise
statement's `# Adam` must not compete with them.

Images: only files stored with a bank are shown. `![alt](media:<sha256>/<name>)` (written by the
bank imports, `quizzes/bankio/media.py`) becomes an <img> of the site's media address, and a link to
`media:...` a link to it; any other image renders as nothing, as before (no tracking pixels, no
outside addresses), and the sanitiser keeps an <img> only when its address is a media address.
"""

import re
from collections.abc import Sequence
from functools import lru_cache
from html import escape

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "span", "div", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt"},
    "ol": {"start"},
    # markdown-it writes column alignment as an inline style; only text-align survives.
    "th": {"style"},
    "td": {"style"},
}
ALLOWED_CLASSES = {"span": {"math", "inline", "display"}, "div": {"math", "display"}}

# Where the media view (`quizzes:media`) serves a stored file; the reference's parts, checked.
MEDIA_PATH = "/quizzes/media/"
_MEDIA_REFERENCE = re.compile(r"media:([0-9a-f]{64})/([A-Za-z0-9._~%-]+)")
_MEDIA_ADDRESS = re.compile(re.escape(MEDIA_PATH) + r"[0-9a-f]{64}/[A-Za-z0-9._~%-]+")


def media_address(reference: str) -> str | None:
    """The site address of a `media:<digest>/<name>` reference, or None for anything else."""
    match = _MEDIA_REFERENCE.fullmatch(reference)
    return f"{MEDIA_PATH}{match.group(1)}/{match.group(2)}" if match else None


def _image(renderer, tokens: Sequence[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    address = media_address(str(token.attrGet("src") or ""))
    if address is None:
        return ""  # an image from anywhere else is not shown
    alt = renderer.renderInlineAsText(token.children or [], options, env)
    return f'<img src="{escape(address)}" alt="{escape(alt)}">'


def _link_open(renderer, tokens: Sequence[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    address = media_address(str(token.attrGet("href") or ""))
    if address is not None:
        token.attrSet("href", address)
    return renderer.renderToken(tokens, idx, options, env)


def _only_media_images(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: an <img> keeps its src only when it is a media address."""
    if tag == "img" and attribute == "src":
        return value if _MEDIA_ADDRESS.fullmatch(value) else None
    return value


# Levels the surrounding page keeps for itself; user headings start below them.
HEADING_SHIFT = 2
DEEPEST_HEADING = 6


def _shift_headings(state) -> None:
    """Core rule: demote every heading by HEADING_SHIFT levels, so `# Title` renders as <h3>."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1:])
            token.tag = f"h{min(level + HEADING_SHIFT, DEEPEST_HEADING)}"


def _inline_math(renderer, tokens: Sequence[Token], idx: int, options, env) -> str:
    # Keep the delimiters: KaTeX auto-render looks for them inside `.math` elements.
    return f'<span class="math inline">${escape(tokens[idx].content.strip(), quote=False)}$</span>'


def _inline_display_math(renderer, tokens: Sequence[Token], idx: int, options, env) -> str:
    # `$$...$$` inside a paragraph: a span, because a div may not sit inside a <p>.
    return f'<span class="math display">$${escape(tokens[idx].content.strip(), quote=False)}$$</span>'


def _block_math(renderer, tokens: Sequence[Token], idx: int, options, env) -> str:
    return f'<div class="math display">$${escape(tokens[idx].content.strip(), quote=False)}$$</div>\n'


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    # allow_digits=False keeps prices such as "5$ and 6$" from turning into math.
    parser.use(dollarmath_plugin, double_inline=True, allow_digits=False)
    parser.add_render_rule("math_inline", _inline_math)
    parser.add_render_rule("math_inline_double", _inline_display_math)
    parser.add_render_rule("math_block", _block_math)
    parser.add_render_rule("math_block_label", _block_math)
    parser.add_render_rule("image", _image)
    parser.add_render_rule("link_open", _link_open)
    parser.core.ruler.push("shift_headings", _shift_headings)
    return parser


# Texts longer than this are rendered every time rather than kept (a page never repeats a long one).
CACHED_TEXT_LIMIT = 20_000


def render_markdown(text: str | None) -> str:
    """Markdown (with $math$) to HTML that is safe to insert into a page as is."""
    if not text:
        return ""
    text = str(text)
    if len(text) > CACHED_TEXT_LIMIT:
        return _render(text)
    return _render_cached(text)


# A quiz page renders the same stems, choices and feedback for every student: rendering is a pure
# function of the text, and the parse and sanitise steps were a fifth of an attempt page's time.
@lru_cache(maxsize=4096)
def _render_cached(text: str) -> str:
    return _render(text)


def _render(text: str) -> str:
    html = _parser().render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        filter_style_properties={"text-align"},
        attribute_filter=_only_media_images,
        link_rel="noopener",
        url_schemes={"http", "https", "mailto"},
    )
