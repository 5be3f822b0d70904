"""The renderers, side by side over the same views: the page (Dash components), slide decks (python-pptx), chart
images (Kaleido) and table files (CSV, XLSX, ODS)."""
