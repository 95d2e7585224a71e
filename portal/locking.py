"""Row locks that serialise concurrent writers on PostgreSQL and SQLite alike."""

from sqlalchemy import select, update
from sqlalchemy.orm import Session


def lock_row(session: Session, entity: type, primary_key: object) -> bool:
    """Lock one row for the rest of the caller's transaction.

    PostgreSQL takes a row lock with ``SELECT ... FOR UPDATE``. SQLite ignores
    FOR UPDATE, so there an UPDATE that sets the key to itself takes the
    database's write lock, and a second writer waits (``busy_timeout``) until
    the first commits or rolls back. Call this before reading what the lock
    protects, so that the reads see the other writer's commit. Returns False
    when no row has that key.
    """
    column = entity.__mapper__.primary_key[0]
    if session.get_bind().dialect.name == "sqlite":
        result = session.execute(
            update(entity)
            .where(column == primary_key)
            .values({column.key: column})
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1
    found = session.execute(
        select(column).where(column == primary_key).with_for_update()
    ).first()
    return found is not None
