"""Alembic's environment for a hub's own database: always run from warehouse.migrate (its HUB schema), on a
connection it passes in, so that a whole upgrade is one transaction."""

from alembic import context

from harbour.hub.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    transactional_ddl=True,
    version_table=context.config.attributes["version_table"],
    transaction_per_migration=False,
    render_as_batch=connection.dialect.name == "sqlite",
)
context.run_migrations()
