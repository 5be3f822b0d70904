"""What each page shows, as data: panels of figure, table, finding and notes.

A page renders a view as components; the slide deck, the chart images and the table downloads
render the same view, so every export says exactly what the page says. Views take facts and
filters and return disclosure-controlled, formatted figures only.
"""
