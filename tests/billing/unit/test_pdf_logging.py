"""An invoice PDF downloaded adds nothing to billing's log: the font subsetting fpdf2 does
through fontTools used to log some forty INFO lines per document."""
from __future__ import annotations

import subprocess
import sys

from shared.testing.fixtures import PROJECT_ROOT

RENDER_A_PDF_AS_BILLING_DOES = """
import fontpkg
from fpdf import FPDF
from shared.logs import configure_logging

configure_logging("services.billing")
pdf = FPDF(format="A4", unit="mm")
pdf.add_font("Noto Sans", fname=str(fontpkg.path("Noto Sans")))
pdf.add_page()
pdf.set_font("Noto Sans", size=10)
pdf.cell(text="Tax invoice DPD/2627/000001: \\u20b91,77,000.00")
assert pdf.output()[:4] == b"%PDF"
"""


def test_rendering_a_pdf_at_log_level_info_logs_nothing():
    rendered = subprocess.run([sys.executable, "-c", RENDER_A_PDF_AS_BILLING_DOES], cwd=PROJECT_ROOT,
                              env={"PYTHONPATH": str(PROJECT_ROOT), "LOG_LEVEL": "INFO"},
                              capture_output=True, text=True, timeout=60)
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stderr == ""
