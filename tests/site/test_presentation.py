"""The presentation view in Debian's headless Chromium: navigation, deep links, fragments,
overview, go-to, presenter window, swipe, scaling, backgrounds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import chromium, context, page, server, site  # noqa: F401 (fixtures)
from playwright.sync_api import expect

from diapo.site import keymap

pytestmark = pytest.mark.browser


def numbered_deck(count: int, *, front: str = "paginate: true") -> str:
    """A deck of `count` slides titled "Diapo N", with a note on each."""
    slides = [f"# Diapo {n}\n\nTexte {n}\n\n<!-- note de la diapo {n} -->\n" for n in range(1, count + 1)]
    return f"---\n{front}\n---\n\n" + "\n---\n\n".join(slides)


def current(page) -> int:
    return int(page.evaluate("() => document.body.dataset.slide"))


def visible_fragments(page) -> list[str]:
    """Texts of the current slide's fragment items that are visible."""
    return page.evaluate("""() => Array.from(document.querySelectorAll(
        '.diapo-slot.diapo-current [data-marpit-fragment]'))
        .filter(el => getComputedStyle(el).visibility === 'visible')
        .map(el => el.firstChild.textContent.trim())""")


def test_keys_move_slides_and_counter_reads_n_over_total(site, server, page):
    site.deck("cours", numbered_deck(15))
    page.goto(f"{server}/cours.html")
    counter = page.locator("#diapo-counter")
    expect(counter).to_have_text("1/15")
    for key, expected in [("ArrowRight", 2), ("Space", 3), ("PageDown", 4), ("ArrowDown", 5),
                          ("ArrowLeft", 4), ("PageUp", 3), ("ArrowUp", 2), ("End", 15),
                          ("Home", 1)]:
        page.keyboard.press(key)
        expect(counter).to_have_text(f"{expected}/15")
        # only the current slide is displayed, and it is the one the counter names
        shown = page.locator(".diapo-slot:visible")
        expect(shown).to_have_count(1)
        expect(shown.locator("h1")).to_have_text(f"Diapo {expected}")
    # Marp's pagination attributes drive the theme's `section::after`
    section = page.locator(".diapo-slot.diapo-current section")
    expect(section).to_have_attribute("data-marpit-pagination", "1")
    expect(section).to_have_attribute("data-marpit-pagination-total", "15")
    after = page.evaluate("""() => getComputedStyle(document.querySelector(
        '.diapo-slot.diapo-current section'), '::after').content""")
    assert after == '"1"'  # marp-core's default theme shows the page number alone


def test_deep_link_opens_slide_and_history_goes_back_and_forward(site, server, page):
    site.deck("cours", numbered_deck(15))
    page.goto(f"{server}/cours.html#12")
    expect(page.locator("#diapo-counter")).to_have_text("12/15")
    expect(page.locator(".diapo-slot.diapo-current h1")).to_have_text("Diapo 12")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#diapo-counter")).to_have_text("13/15")
    assert page.url.endswith("#13")
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"#14$"))
    page.go_back()
    expect(page.locator("#diapo-counter")).to_have_text("13/15")
    page.go_back()
    expect(page.locator("#diapo-counter")).to_have_text("12/15")
    page.go_forward()
    expect(page.locator("#diapo-counter")).to_have_text("13/15")
    # out of range: clamped to the last slide
    page.goto(f"{server}/cours.html#99")
    expect(page.locator("#diapo-counter")).to_have_text("15/15")


def test_heading_anchor_and_in_deck_link_reach_their_slide(site, server, page):
    site.deck("cours", """
        # Sommaire

        - [Découvrir Kubernetes](#découvrir-kubernetes)
        - [Slide trois](#3)

        ---

        ## Autre

        ---

        ## Découvrir Kubernetes
        """)
    page.goto(f"{server}/cours.html#d%C3%A9couvrir-kubernetes")
    expect(page.locator("#diapo-counter")).to_have_text("3/3")
    page.goto(f"{server}/cours.html")
    page.get_by_role("link", name="Découvrir Kubernetes").click()
    expect(page.locator("#diapo-counter")).to_have_text("3/3")
    page.keyboard.press("Home")
    page.get_by_role("link", name="Slide trois").click()
    expect(page.locator("#diapo-counter")).to_have_text("3/3")


def test_fragments_step_forward_and_back(site, server, page):
    site.deck("cours", """
        # Un

        * premier
        * deuxième

        1) troisième

        - pas un fragment

        ---

        # Deux
        """)
    page.goto(f"{server}/cours.html")
    section = page.locator(".diapo-slot.diapo-current section")
    expect(section).to_have_attribute("data-marpit-fragments", "3")
    assert visible_fragments(page) == []
    expect(page.get_by_text("pas un fragment")).to_be_visible()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.body.dataset.step === '1'")
    assert visible_fragments(page) == ["premier"]
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.body.dataset.step === '3'")
    assert visible_fragments(page) == ["premier", "deuxième", "troisième"]
    expect(page.locator("#diapo-counter")).to_have_text("1/2")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#diapo-counter")).to_have_text("2/2")
    # back to a fragmented slide: everything shown, then steps back one by one
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#diapo-counter")).to_have_text("1/2")
    assert visible_fragments(page) == ["premier", "deuxième", "troisième"]
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => document.body.dataset.step === '2'")
    assert visible_fragments(page) == ["premier", "deuxième"]


def test_overview_opens_and_click_jumps(site, server, page):
    site.deck("cours", numbered_deck(12))
    page.goto(f"{server}/cours.html")
    page.keyboard.press("o")
    expect(page.locator("body")).to_have_class(re.compile(r"\bdiapo-overview\b"))
    expect(page.locator(".diapo-slot:visible")).to_have_count(12)
    boxes = [page.locator(".diapo-slot").nth(i).bounding_box() for i in (0, 1)]
    assert boxes[0]["width"] < 640 and boxes[1]["x"] > boxes[0]["x"]  # a grid of thumbnails
    page.locator('.diapo-slot[data-number="7"]').click()
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bdiapo-overview\b"))
    expect(page.locator("#diapo-counter")).to_have_text("7/12")
    expect(page.locator(".diapo-slot:visible")).to_have_count(1)


def test_goto_box_jumps_to_typed_slide(site, server, page):
    site.deck("cours", numbered_deck(12))
    page.goto(f"{server}/cours.html")
    page.keyboard.press("g")
    expect(page.locator("#diapo-goto")).to_be_visible()
    expect(page.get_by_label("Aller à la diapositive")).to_be_focused()
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    expect(page.locator("#diapo-counter")).to_have_text("9/12")
    expect(page.locator("#diapo-goto")).to_be_hidden()
    # typing in the box did not move the slides
    page.keyboard.press("ArrowRight")
    expect(page.locator("#diapo-counter")).to_have_text("10/12")


def test_presenter_window_follows_audience_and_back(site, server, page, context):
    site.deck("cours", numbered_deck(6))
    page.goto(f"{server}/cours.html#2")
    expect(page.locator("#diapo-counter")).to_have_text("2/6")
    with context.expect_page() as popup:
        page.keyboard.press("p")
    presenter = popup.value
    presenter.wait_for_load_state()
    assert "presenter" in presenter.url
    current_pane = presenter.locator("#diapo-presenter-current")
    next_pane = presenter.locator("#diapo-presenter-next")
    expect(current_pane.locator("h1")).to_have_text("Diapo 2")
    expect(next_pane.locator("h1")).to_have_text("Diapo 3")
    expect(presenter.locator("#diapo-presenter-notes")).to_contain_text("note de la diapo 2")
    expect(presenter.locator("#diapo-presenter-timer")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))
    expect(presenter.locator("#diapo-presenter-clock")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    # audience -> presenter
    page.keyboard.press("ArrowRight")
    expect(current_pane.locator("h1")).to_have_text("Diapo 3")
    expect(next_pane.locator("h1")).to_have_text("Diapo 4")
    expect(presenter.locator("#diapo-presenter-notes")).to_contain_text("note de la diapo 3")
    # presenter -> audience, by key and by button
    presenter.keyboard.press("ArrowRight")
    expect(page.locator("#diapo-counter")).to_have_text("4/6")
    presenter.get_by_role("button", name="Suivante").click()
    expect(page.locator("#diapo-counter")).to_have_text("5/6")
    presenter.keyboard.press("End")
    expect(page.locator("#diapo-counter")).to_have_text("6/6")
    expect(next_pane.locator("section")).to_have_count(0)  # nothing after the last slide
    # the slide clones in the presenter panes are scaled to fit them
    box = current_pane.locator(".diapo-frame").bounding_box()
    pane = current_pane.bounding_box()
    assert box["width"] <= pane["width"] + 1 and box["width"] > pane["width"] * 0.5


def test_touch_swipe_moves_slides(chromium, site, server):
    site.deck("cours", numbered_deck(4))
    ctx = chromium.new_context(viewport={"width": 800, "height": 450}, has_touch=True)
    try:
        page = ctx.new_page()
        page.goto(f"{server}/cours.html")
        swipe = """([from, to]) => {
            const touch = x => new Touch({identifier: 1, target: document.body, clientX: x, clientY: 200});
            document.dispatchEvent(new TouchEvent('touchstart', {touches: [touch(from)], changedTouches: [touch(from)], bubbles: true}));
            document.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [touch(to)], bubbles: true}));
        }"""
        page.evaluate(swipe, [600, 200])  # swipe left: next
        expect(page.locator("#diapo-counter")).to_have_text("2/4")
        page.evaluate(swipe, [200, 600])  # swipe right: previous
        expect(page.locator("#diapo-counter")).to_have_text("1/4")
        page.evaluate(swipe, [400, 390])  # too short: a tap, not a swipe
        page.keyboard.press("ArrowRight")
        expect(page.locator("#diapo-counter")).to_have_text("2/4")
    finally:
        ctx.close()


def test_slide_is_scaled_to_the_window(site, server, page):
    site.deck("cours", numbered_deck(2))
    page.set_viewport_size({"width": 640, "height": 600})
    page.goto(f"{server}/cours.html")
    frame = page.locator(".diapo-slot.diapo-current .diapo-frame")
    page.wait_for_function("() => getComputedStyle(document.body).getPropertyValue('--diapo-scale') === '0.5'")
    box = frame.bounding_box()
    assert abs(box["width"] - 640) < 1 and abs(box["height"] - 360) < 1
    page.set_viewport_size({"width": 1280, "height": 360})
    page.wait_for_function("() => document.querySelector('.diapo-current .diapo-frame').getBoundingClientRect().height === 360")
    assert abs(frame.bounding_box()["width"] - 640) < 1


def test_size_4_3_gives_960_by_720(site, server, page):
    site.deck("cours", "---\nsize: 4:3\n---\n\n# Carré\n")
    page.set_viewport_size({"width": 960, "height": 720})
    page.goto(f"{server}/cours.html")
    section = page.locator(".diapo-current section")
    expect(section).to_be_visible()
    box = section.bounding_box()
    assert (round(box["width"]), round(box["height"])) == (960, 720)


def test_header_footer_html_and_directives(site, server, page):
    site.image("img/logo.png", (0, 80, 140))
    site.deck("cours", """
        ---
        paginate: true
        footer: ENSG - <a href="./#2">Introduction</a> - *mars*
        header: '<div><img src="./img/logo.png" alt="ENSG" height="64px"/></div>'
        ---

        # Un

        ---

        <!-- _class: lead -->
        <!-- _backgroundColor: rgb(10, 20, 30) -->
        <!-- _color: rgb(250, 250, 250) -->

        # Deux
        """)
    page.goto(f"{server}/cours.html")
    header = page.locator(".diapo-current section > header")
    expect(header.locator("img")).to_have_attribute("src", "./img/logo.png")
    assert header.locator("img").evaluate("img => img.naturalWidth") == 64
    footer = page.locator(".diapo-current section > footer")
    expect(footer.locator("a")).to_have_attribute("href", "./#2")
    expect(footer.locator("em")).to_have_text("mars")
    page.keyboard.press("ArrowRight")
    section = page.locator(".diapo-current section")
    expect(section).to_have_class("lead")
    expect(section).to_have_css("background-color", "rgb(10, 20, 30)")
    expect(section).to_have_css("color", "rgb(250, 250, 250)")


def test_bg_split_and_image_keywords(site, server, page):
    site.image("img/fond.png", (0, 150, 0))
    site.image("img/photo.png", (0, 0, 200))
    site.deck("cours", """
        ![bg left:40% sepia](img/fond.png)

        # Partagé

        ![h:120px](img/photo.png)
        """)
    page.goto(f"{server}/cours.html")
    frame = page.locator(".diapo-current .diapo-frame")
    content = frame.locator("section:not([data-diapo-layer])")
    figure = frame.locator(".diapo-bg figure")
    expect(figure).to_have_count(1)
    expect(figure).to_have_css("filter", "sepia(1)")
    fbox, cbox, gbox = frame.bounding_box(), content.bounding_box(), figure.bounding_box()
    assert abs(gbox["width"] - 0.4 * fbox["width"]) < 2 and abs(gbox["x"] - fbox["x"]) < 1
    assert abs(cbox["width"] - 0.6 * fbox["width"]) < 2
    assert abs(cbox["x"] - (fbox["x"] + 0.4 * fbox["width"])) < 2
    photo = content.locator("img")
    expect(photo).to_have_css("height", "120px")
    # the background is not an inline image of the content
    expect(content.locator('img[src="img/fond.png"]')).to_have_count(0)


def test_two_columns_with_markdown_inside(site, server, page):
    site.course_theme()
    site.deck("cours", """
        ---
        theme: marp-ensg
        ---

        ## Deux colonnes

        <div class="left">

        - **gauche**

        </div>

        <div class="right">

        *droite*

        </div>
        """)
    page.goto(f"{server}/cours.html")
    left = page.locator(".diapo-current .left")
    right = page.locator(".diapo-current .right")
    expect(left.locator("li strong")).to_have_text("gauche")
    expect(right.locator("em")).to_have_text("droite")
    assert right.bounding_box()["x"] > left.bounding_box()["x"] + left.bounding_box()["width"] - 1


def test_f_toggles_fullscreen_and_help_lists_keys_in_french(site, server, page):
    site.deck("cours", numbered_deck(2))
    page.goto(f"{server}/cours.html")
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement === document.documentElement")
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement === null")
    page.keyboard.press("?")
    help_box = page.get_by_role("dialog", name="Raccourcis clavier")
    expect(help_box).to_be_visible()
    for row in keymap.KEYMAP:  # the help is written from the table the keys dispatch on
        expect(help_box).to_contain_text(row.text)
    page.keyboard.press("Escape")
    expect(help_box).to_be_hidden()
    page.keyboard.press("h")
    expect(help_box).to_be_visible()
    page.keyboard.press("h")
    expect(help_box).to_be_hidden()


def test_every_action_of_the_keymap_is_one_of_presentation_js():
    source = (Path(keymap.__file__).parent / "assets" / "presentation.js").read_text()
    body = source[source.index("var keyActions = {"):]
    body = body[:body.index("};")]
    defined = set(re.findall(r"^\s{4}([a-z]+):", body, flags=re.M))
    assert keymap.actions() == defined


def test_several_backgrounds_side_by_side_or_stacked_and_right_split(site, server, page):
    for name in ("a", "b", "c"):
        site.image(f"img/{name}.png", (40, 40, 40))
    site.deck("cours", """
        ![bg](img/a.png)
        ![bg contain](img/b.png)

        ---

        ![bg vertical](img/a.png)
        ![bg](img/b.png)
        ![bg 50%](img/c.png)

        ---

        ![bg right:30% fit](img/c.png)

        # À gauche
        """)
    page.goto(f"{server}/cours.html")

    def boxes():
        return [f.bounding_box() for f in page.locator(".diapo-current .diapo-bg figure").all()]

    first = boxes()
    assert len(first) == 2 and abs(first[0]["width"] - first[1]["width"]) < 1
    assert first[1]["x"] > first[0]["x"] and abs(first[0]["y"] - first[1]["y"]) < 1
    expect(page.locator(".diapo-current .diapo-bg figure").nth(1)).to_have_css(
        "background-size", "contain")
    page.keyboard.press("ArrowRight")
    second = boxes()
    assert len(second) == 3 and second[1]["y"] > second[0]["y"] and abs(second[0]["x"] - second[1]["x"]) < 1
    expect(page.locator(".diapo-current .diapo-bg figure").nth(2)).to_have_css("background-size", "50% auto")
    page.keyboard.press("ArrowRight")
    frame = page.locator(".diapo-current .diapo-frame").bounding_box()
    (figure,) = boxes()
    content = page.locator(".diapo-current section:not([data-diapo-layer])").bounding_box()
    assert abs(figure["width"] - 0.3 * frame["width"]) < 2
    assert abs(figure["x"] + figure["width"] - (frame["x"] + frame["width"])) < 2  # on the right
    assert abs(content["x"] - frame["x"]) < 1 and abs(content["width"] - 0.7 * frame["width"]) < 2
    expect(page.locator(".diapo-current .diapo-bg figure")).to_have_css("background-size", "contain")
