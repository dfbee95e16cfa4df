"""Chunked, exactly-once batch work shared by every scheduled process.

A process walks its eligible rows in primary-key order, one chunk per transaction. Rows
are taken with ``SELECT ... FOR UPDATE SKIP LOCKED``: two runs at once split the work
between them instead of waiting or doing a row twice, and a run killed half-way loses
only the chunk in flight (rolled back, taken again by the next run). Unique constraints
on the documents made are the last guard.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from django.db import transaction


@dataclass
class LineFailure:
    source: str
    reason: str
    # The row's pk (a retry of failed lines names it) and its document's page.
    source_id: int | None = None
    document_url: str = ""


@dataclass
class ProcessResult:
    """What a run did: rows it looked at, documents it made, rows that failed and why."""

    examined: int = 0
    created: int = 0
    failures: list[LineFailure] = field(default_factory=list)

    def fail(self, source, reason: str) -> None:
        """Record ``source`` (a model instance, or its name) as failed, and why."""
        url = source.get_absolute_url() if hasattr(source, "get_absolute_url") else ""
        self.failures.append(
            LineFailure(
                source=str(source),
                reason=reason,
                source_id=getattr(source, "pk", None),
                document_url=url,
            )
        )

    def add(self, other: "ProcessResult") -> None:
        self.examined += other.examined
        self.created += other.created
        self.failures.extend(other.failures)


class Progress(Protocol):
    """Who hears how a batch goes: a run log shows lines to do and lines done, and
    remembers where each pass got to, so that a run started again resumes there."""

    def started(self, queryset) -> int:
        """A pass over ``queryset`` begins: return the pk it resumes after (0: the start)."""

    def chunk_done(self, chunk: ProcessResult, last_pk: int) -> None:
        """Called inside the chunk's transaction: what it records commits with the chunk,
        and an exception it raises rolls the chunk back."""


def process_in_chunks(
    queryset,
    handle_chunk: Callable[[list], ProcessResult],
    *,
    batch_size: int,
    lock_of: Iterable[str] = ("self",),
    progress: Progress | None = None,
) -> ProcessResult:
    """Feed ``queryset``'s rows, locked and in pk order, to ``handle_chunk`` chunk by chunk.

    Each chunk commits on its own; ``progress`` says where the pass resumes, then hears
    of each chunk before it commits.
    """
    last_pk = progress.started(queryset) if progress else 0
    total = ProcessResult()
    while True:
        with transaction.atomic():
            # Skip what another run holds: it is that run's work, not ours.
            rows = list(
                queryset.filter(pk__gt=last_pk)
                .order_by("pk")
                .select_for_update(skip_locked=True, of=tuple(lock_of))[:batch_size]
            )
            if not rows:
                return total
            last_pk = rows[-1].pk
            chunk = handle_chunk(rows)
            if progress:
                progress.chunk_done(chunk, last_pk)
        total.add(chunk)


def filter_by(queryset, **lookups):
    """Narrow ``queryset`` by the run parameters that were given (None means "all")."""
    return queryset.filter(
        **{lookup: value for lookup, value in lookups.items() if value is not None}
    )
