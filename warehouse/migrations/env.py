"""Alembic's environment for the warehouse: always run from warehouse.migrate, on a connection it passes in, so
that a whole upgrade is one transaction (PostgreSQL and SQLite both make DDL transactional)."""

from alembic import context

from harbour.warehouse.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    transactional_ddl=True,
    version_table=context.config.attributes.get("version_table", "alembic_version"),
    transaction_per_migration=False,
    render_as_batch=connection.dialect.name == "sqlite",
)
context.run_migrations()
