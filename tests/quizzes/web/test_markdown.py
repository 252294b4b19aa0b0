from django.template import Context, Template

from quizzes import markdown
from quizzes.markdown import render_markdown


def test_inline_math_keeps_its_delimiters_inside_a_math_span():
    html = render_markdown(r"The step is $\eta_t g_t * x_1$ here.")
    assert r'<span class="math inline">$\eta_t g_t * x_1$</span>' in html


def test_display_math_becomes_a_math_block():
    html = render_markdown("$$\n\\frac{a}{b}\n$$")
    assert '<div class="math display">$$\\frac{a}{b}$$</div>' in html


def test_underscores_in_math_are_not_read_as_emphasis():
    html = render_markdown("$a_1 + b_1$ and $c_2$")
    assert "<em>" not in html


def test_raw_html_is_escaped_not_executed():
    html = render_markdown('<script>alert(1)</script> <img src=x onerror="alert(2)">')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_javascript_links_are_dropped_and_links_get_noopener():
    html = render_markdown("[safe](https://example.org) [bad](javascript:alert(1))")
    assert '<a href="https://example.org" rel="noopener">safe</a>' in html
    assert "javascript:" not in html.replace("[bad](javascript:alert(1))", "")
    assert 'href="javascript' not in html


def test_tables_lists_and_code_survive():
    html = render_markdown("| a | b |\n|---|--:|\n| 1 | 2 |\n\n- one\n- two\n\n`code`")
    assert "<table>" in html and "<li>one</li>" in html and "<code>code</code>" in html
    assert 'style="text-align:right"' in html


def test_the_template_filter_renders_without_double_escaping():
    rendered = Template("{% load quiz_tags %}{{ text|markdown }}").render(
        Context({"text": "**bold** & $x<1$"})
    )
    assert "<strong>bold</strong>" in rendered
    assert "&amp;amp;" not in rendered


def test_empty_text_renders_nothing():
    assert render_markdown("") == "" and render_markdown(None) == ""


def test_headings_are_shifted_two_levels_down_so_the_page_keeps_h1_and_h2():
    html = render_markdown("# Adam\n\nText.\n\n## Your code\n\n### Details")
    assert "<h3>Adam</h3>" in html
    assert "<h4>Your code</h4>" in html
    assert "<h5>Details</h5>" in html
    assert "<h1" not in html and "<h2" not in html


def test_deep_headings_stop_at_h6_instead_of_becoming_paragraphs():
    html = render_markdown("#### Four\n\n###### Six\n\nSetext\n======")
    assert "<h6>Four</h6>" in html and "<h6>Six</h6>" in html
    assert "<h3>Setext</h3>" in html


def test_a_text_rendered_again_comes_from_the_cache_with_the_same_html():
    text = "A step of size $\\eta g$ with **bold** and <script>x</script>"
    first = render_markdown(text)
    hits = markdown._render_cached.cache_info().hits

    assert render_markdown(text) == first
    assert markdown._render_cached.cache_info().hits == hits + 1
    assert "<script>" not in first


def test_a_very_long_text_is_rendered_without_being_kept():
    text = "word " * (markdown.CACHED_TEXT_LIMIT // 5 + 1)
    size = markdown._render_cached.cache_info().currsize

    assert render_markdown(text).startswith("<p>word")
    assert markdown._render_cached.cache_info().currsize == size
