"""The SQL warehouse: schema, engine from a URL, and the queries the pages and CLI need."""
