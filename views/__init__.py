"""What a page shows, as data: its view (panels of figure, table, finding and notes), what a view is built from
(the question asked, the scope's context, time series), the words and numbers it is written in, and the signed
store that keeps views for every worker.

Nothing here knows Dash or a file format: the renderers (harbour.render) draw the same view as a page, a deck,
an image or a table file, so every export says exactly what the page says."""
