"""Turns an EmailToSend into subject, plain text and HTML with the templates in ../email_templates.

Undefined variables are errors (StrictUndefined): a template that expects data the
event does not carry fails in tests, never in a participant's inbox. HTML is autoescaped,
so names like "<script>" arrive as text.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent.parent / "email_templates"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


class Renderer:
    def __init__(self, templates: Path = TEMPLATES):
        self._env = Environment(loader=FileSystemLoader(templates), undefined=StrictUndefined,
                                autoescape=select_autoescape(["html"]), keep_trailing_newline=True)

    def render(self, template: str, context: dict) -> RenderedEmail:
        subject = self._env.get_template(f"{template}.subject.txt").render(context)
        return RenderedEmail(subject=" ".join(subject.split()),
                             text=self._env.get_template(f"{template}.txt").render(context),
                             html=self._env.get_template(f"{template}.html").render(context))
