"""Document text with visible marks for the officer (R6.10).

A :class:`Text` is a sequence of spans. A span is plain text, or one of:

- ``suggested``: wording the system proposed (facts, tier reasons); printed after 【系统建议，请核实】;
- ``blank``: a required field left empty in draft mode; printed as 【待填写：label】;
- ``unverified``: a citation the verifier did not confirm (draft mode only);
- ``invalid``: an identifier that fails its check digit (draft mode only).

The same object renders three ways: :meth:`plain` (JSON, tests), ``__html__`` (Jinja2 autoescape
inserts it as-is, so it must escape user text itself) and :meth:`rich` (a docxtpl ``RichText`` whose
runs carry colour and highlight, so marks stay visible when printed in black and white too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from docxtpl import RichText
from markupsafe import Markup, escape

Mark = Literal["suggested", "blank", "unverified", "invalid"]

SUGGESTED_LABEL = "【系统建议，请核实】"
MARK_COLOURS = {"suggested": "C00000", "blank": "C00000", "unverified": "C00000", "invalid": "C00000"}
# docxtpl writes highlight as w:shd fill, so any hex colour works.
MARK_FILL = {"suggested": "FFF2CC", "blank": "FFFF00", "unverified": "FFC7CE", "invalid": "FFC7CE"}


def blank_label(label: str) -> str:
    """The printed placeholder for a missing field."""
    return f"【待填写：{label}】"


@dataclass(frozen=True)
class Span:
    """One run of text, optionally marked."""

    text: str
    mark: Mark | None = None
    label: str | None = None  # for blanks: the field's Chinese label; for others: a short reason

    def marker(self) -> str:
        """The visible prefix or placeholder of a marked span ('' for plain text)."""
        if self.mark == "suggested":
            return SUGGESTED_LABEL
        if self.mark == "blank":
            return blank_label(self.label or "")
        if self.mark == "unverified":
            return f"【引用未核验：{self.label or ''}】"
        if self.mark == "invalid":
            return f"【校验未通过：{self.label or ''}】"
        return ""


class Text:
    """Immutable marked text; concatenate with ``+`` (str or Text)."""

    __slots__ = ("spans",)

    def __init__(self, *parts: str | Span | Text) -> None:
        spans: list[Span] = []
        for p in parts:
            if isinstance(p, Text):
                spans.extend(p.spans)
            elif isinstance(p, Span):
                spans.append(p)
            elif p:
                spans.append(Span(str(p)))
        self.spans: tuple[Span, ...] = tuple(spans)

    # ---- constructors -------------------------------------------------------------------------
    @classmethod
    def suggested(cls, text: str) -> Text:
        """System-proposed wording the officer must confirm."""
        return cls(Span(text, "suggested"))

    @classmethod
    def blank(cls, label: str) -> Text:
        """A visibly marked blank for a missing field."""
        return cls(Span("", "blank", label))

    @classmethod
    def join(cls, sep: str, parts: Iterable[Text | str]) -> Text:
        """Like ``str.join`` for marked text."""
        out: list[str | Text] = []
        for i, p in enumerate(parts):
            if i:
                out.append(sep)
            out.append(p)
        return cls(*out)

    # ---- queries -------------------------------------------------------------------------------
    def __add__(self, other: str | Text) -> Text:
        return Text(self, other)

    def __radd__(self, other: str) -> Text:
        return Text(other, self)

    def __bool__(self) -> bool:
        return bool(self.spans)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and self.spans == other.spans

    def __hash__(self) -> int:
        return hash(self.spans)

    def __repr__(self) -> str:
        return f"Text({self.plain()!r})"

    def marks(self) -> list[Span]:
        """The marked spans."""
        return [s for s in self.spans if s.mark]

    # ---- output --------------------------------------------------------------------------------
    def plain(self) -> str:
        """Text with markers inline, e.g. ``【系统建议，请核实】当事人…``."""
        return "".join(s.marker() + (s.text if s.mark != "blank" else "") for s in self.spans)

    __str__ = plain

    def __html__(self) -> Markup:
        out: list[str] = []
        for s in self.spans:
            if not s.mark:
                out.append(str(escape(s.text)))
                continue
            body = escape(s.text) if s.mark != "blank" else ""
            out.append(
                f'<span class="mark mark-{s.mark}" data-mark="{s.mark}">'
                f'<span class="mark-label">{escape(s.marker())}</span>{body}</span>'
            )
        return Markup("".join(out))

    def rich(self) -> RichText:
        """docxtpl RichText: marked spans in red with a coloured background (RichText escapes XML)."""
        rt = RichText()
        for s in self.spans:
            if not s.mark:
                rt.add(s.text)
                continue
            colour, fill = MARK_COLOURS[s.mark], MARK_FILL[s.mark]
            rt.add(s.marker(), color=colour, highlight=fill, bold=True)
            if s.text and s.mark != "blank":
                rt.add(s.text, highlight=fill, underline="single" if s.mark == "suggested" else False)
        if not self.spans:
            rt.add("")
        return rt


def to_text(value: str | Text | None) -> Text:
    """Coerce a value into :class:`Text` (None → empty)."""
    if value is None:
        return Text()
    return value if isinstance(value, Text) else Text(value)
