"""The organiser back-office's look, shared by every service: Jinja templates (`ui/base.html`,
`ui/forms.html`), one stylesheet served at `/ui-static/dpd.css`, and server-side SVG charts
(`shared.web_ui.charts`). A service's app factory calls `install_ui` once."""
from shared.web_ui.install import install_ui

__all__ = ["install_ui"]
