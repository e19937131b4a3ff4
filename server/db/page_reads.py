"""The database of one read-only portal page: one connection, an ORM session only on demand.

The pages customers open most read through plain statements on a connection (the session
lookup, the home page's rows). Opening an ORM session and taking its connection cost such a
page more than a plain connection does (about 60 microseconds more, measured), so a session
is made only for a page that loads ORM objects, bound to the same connection.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker


class PageReads:
    """``connection`` of the read engine; ``session`` (read-only, on that connection) when
    first asked for. Closed by ``close``."""

    def __init__(self, connection: Connection, sessions: sessionmaker[Session]) -> None:
        self.connection = connection
        self._sessions = sessions
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """A read-only ORM session on this page's connection."""
        if self._session is None:
            self._session = self._sessions(bind=self.connection)
        return self._session

    def close(self) -> None:
        """Close the session, if one was made (the connection is the caller's)."""
        if self._session is not None:
            self._session.close()
            self._session = None
