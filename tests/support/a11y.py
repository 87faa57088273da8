"""Page checks every browser test can call: names for controls, alt text, no sideways scrolling.

Accessible names come from Chromium's own accessibility tree (the names a screen reader would
announce), not from re-implementing the naming rules in JavaScript.
"""

from __future__ import annotations

# Roles of things a learner operates or must see described; each needs a name (a label,
# aria-label, alt text, its own text...). An image with alt="" is decorative: Chromium gives it
# no role here, so it is not reported.
CONTROL_ROLES = {
    "button", "checkbox", "combobox", "link", "listbox", "menuitem", "option", "radio",
    "searchbox", "slider", "spinbutton", "switch", "tab", "textbox", "image", "img",
}  # fmt: skip


def _describe(cdp, backend_id: int) -> str:
    node = cdp.send("DOM.describeNode", {"backendNodeId": backend_id})["node"]
    pairs = node.get("attributes", [])
    attributes = " ".join(f'{k}="{v}"' for k, v in zip(pairs[::2], pairs[1::2], strict=True))
    return f"<{node['localName']} {attributes}>".replace(" >", ">")


def unnamed_controls(page) -> list[str]:
    """Every control in the page's accessibility tree that has no accessible name."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
        found = []
        for node in nodes:
            role = node.get("role", {}).get("value")
            if node.get("ignored") or role not in CONTROL_ROLES:
                continue
            if not str(node.get("name", {}).get("value", "")).strip():
                backend_id = node.get("backendDOMNodeId")
                found.append(f"{role}: {_describe(cdp, backend_id) if backend_id else '?'}")
        return found
    finally:
        cdp.detach()


def form_controls_count(page) -> int:
    """How many visible form controls the page has (so a check of none proves nothing)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button')]
              .filter(el => el.type !== 'hidden').length"""
    )


def images_without_alt(page) -> list[str]:
    """<img> elements with no alt attribute at all (alt="" is how a decorative image says so)."""
    return page.evaluate(
        "() => [...document.querySelectorAll('img:not([alt])')].map(el => el.outerHTML.slice(0, 200))"
    )


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than its viewport (0: no sideways scrolling)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def assert_accessible(page) -> None:
    """The checks every page passes: named controls, alt text, no sideways scrolling."""
    problems = [f"unnamed {c}" for c in unnamed_controls(page)]
    problems += [f"image without alt: {img}" for img in images_without_alt(page)]
    overflow = horizontal_overflow(page)
    if overflow > 0:
        problems.append(f"page scrolls sideways by {overflow}px at {page.viewport_size}")
    assert not problems, f"{page.url}:\n  " + "\n  ".join(problems)


def focus_ring(page) -> str:
    """The focused element's outline as drawn ("" when it has none): keyboard users must see
    where they are. The true/false buttons draw it on the label after a hidden radio."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const drawn = (node) => {
            const style = node && getComputedStyle(node);
            return style && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
              ? `${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}` : "";
          };
          return drawn(el) || (el.labels && el.labels[0] ? drawn(el.labels[0]) : "");
        }"""
    )
