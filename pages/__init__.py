"""The pages, one module each: its record (``REPORT``), its view (its panels as data), its controls and their
callbacks. harbour.pages.registry collects the records."""
