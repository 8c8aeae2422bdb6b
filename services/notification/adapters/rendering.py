"""Turns an EmailToSend into subject, plain text and HTML with the templates in ../email_templates.

Undefined variables are errors (StrictUndefined): a template that expects data the
event does not carry fails in tests, never in a participant's inbox. HTML is autoescaped,
so names like "<script>" arrive as text. Each template is compiled once per process and
kept (the files do not change while a worker runs). A person whose language has its own
version of a template (email_templates/<language>/<name>...) gets it; others get English.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from services.notification.domain.directory import DEFAULT_LANGUAGE

TEMPLATE_FOLDER = Path(__file__).resolve().parent.parent / "email_templates"
_PARTS = (".subject.txt", ".txt", ".html")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


class Renderer:
    def __init__(self, templates: Path = TEMPLATE_FOLDER):
        self._folder = templates
        self._env = Environment(loader=FileSystemLoader(templates), undefined=StrictUndefined, auto_reload=False,
                                autoescape=select_autoescape(["html"]), keep_trailing_newline=True)
        self._compiled: dict[tuple[str, str], tuple[Template, Template, Template]] = {}

    def render(self, template: str, context: dict, language: str = DEFAULT_LANGUAGE) -> RenderedEmail:
        subject, text, html = self._compiled.get((template, language)) or self._compile(template, language)
        return RenderedEmail(subject=" ".join(subject.render(context).split()), text=text.render(context),
                             html=html.render(context))

    def _compile(self, template: str, language: str) -> tuple[Template, Template, Template]:
        names = [template] if language == DEFAULT_LANGUAGE else [f"{language}/{template}", template]
        parts = tuple(self._env.select_template([f"{name}{part}" for name in names]) for part in _PARTS)
        self._compiled[(template, language)] = parts
        return parts

    def template_names(self) -> set[str]:
        """Every template with all three parts in the (English) folder."""
        subjects = {path.name.removesuffix(".subject.txt") for path in self._folder.glob("*.subject.txt")}
        return {name for name in subjects if all((self._folder / f"{name}{part}").is_file() for part in _PARTS)}
