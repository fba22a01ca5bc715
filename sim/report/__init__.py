"""The report of a results folder: ``report.md`` and a self-contained ``report.html``.

`narrative` lays the report out and `captions` says what each figure shows with the numbers
behind it (from `sim.analysis`, the same functions the figures use); `render` writes that one
list of blocks as Markdown and, through a jinja2 template, as HTML, so both always say the
same. A sensitivity analysis's report (`sensitivity`) is rendered the same way. The report
reads the drawn PNG files but never imports the plotting code: which figures exist is data
(`sim.analysis.figure_names`, or the names `write_report` is given).
"""

from sim.report.render import report_markdown, write_report

__all__ = ["report_markdown", "write_report"]
