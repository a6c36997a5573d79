"""Sphinx configuration of the course website (``make book``; tools/book.py stages its sources).

The site is built from the committed notebooks as they are (MyST-NB never executes them) and needs
no network to be read: MathJax is served from ``_static/`` and no widget manager or font is
fetched from a CDN.
"""
project = "Network in Network, hands on"
author = "the NiN course"
extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# Notebooks are shown with their committed outputs; nothing is re-run.
nb_execution_mode = "off"
# $...$ and $$...$$ as in JupyterLab, and headings get anchors like GitHub's.
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
# Without this MyST-NB would load require.js and the widget manager from a CDN on every notebook page.
nb_ipywidgets_js = {}

html_theme = "sphinx_book_theme"
html_title = project
html_theme_options = {"show_toc_level": 2, "home_page_in_toc": True}
# Light by default (the notebooks' figures have white backgrounds); the reader can still switch.
html_context = {"default_mode": "light"}
html_last_updated_fmt = None
# tools/book.py copies MathJax 3 (pinned on npm, tools/web-assets/) into the staged _static/ and passes it as
# html_static_path (a path relative to this folder would not find it); mathjax_path is relative to _static.
mathjax_path = "mathjax/es5/tex-svg-full.js"
