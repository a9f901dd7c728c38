"""What an import did and what it could not map, each line naming the source id."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Note:
    """One thing worth a writer's attention about one source article (or file)."""

    severity: str  # "warning": imported anyway; "skipped": not imported
    source_id: str
    message: str
    origin: str = ""

    def format(self) -> str:
        where = f"{self.origin}: " if self.origin else ""
        ident = f"id {self.source_id}: " if self.source_id else ""
        return f"{where}{ident}{self.severity}: {self.message}"


@dataclass
class Report:
    """Notes, the files written (by action), guesses of the mapping and remote images."""

    source: str
    notes: list[Note] = field(default_factory=list)
    actions: list[tuple[str, str, str]] = field(default_factory=list)  # (action, slug, source id)
    guesses: list[str] = field(default_factory=list)
    remote_images: list[tuple[str, str]] = field(default_factory=list)  # (source id, url)
    copied: list[str] = field(default_factory=list)
    read: int = 0

    def warn(self, source_id: str, message: str, origin: str = "") -> None:
        self.notes.append(Note("warning", source_id, message, origin))

    def skip(self, source_id: str, message: str, origin: str = "") -> None:
        self.notes.append(Note("skipped", source_id, message, origin))

    def counts(self) -> Counter[str]:
        """Articles per action: create, update, unchanged, kept (edited by a writer)."""
        return Counter(action for action, _, _ in self.actions)

    def lines(self, verbose: bool = True) -> list[str]:
        """The report as a writer reads it."""
        out: list[str] = []
        if verbose:
            out += [f"{action:9} {slug}.md ({self.source} {sid})" for action, slug, sid in self.actions
                    if action != "unchanged"]
        out += [note.format() for note in self.notes]
        if self.guesses:
            out.append("Guessed (write a mapping file to change; --mapping-out writes one):")
            out += [f"  {line}" for line in self.guesses]
        if self.remote_images:
            out.append("Remote images and attachments kept as links (not copied):")
            out += [f"  id {sid}: {url}" for sid, url in dict.fromkeys(self.remote_images)]
        if self.copied:
            out.append(f"Copied {len(self.copied)} local image(s) and attachment(s) to _media/")
        return out

    def summary(self, seconds: float, dry_run: bool) -> str:
        counts = self.counts()
        skipped = sum(1 for note in self.notes if note.severity == "skipped")
        warnings = sum(1 for note in self.notes if note.severity == "warning")
        verb = "would write" if dry_run else "wrote"
        return (f"{'Dry run: ' if dry_run else ''}{self.source}: {self.read} read, {verb} "
                f"{counts['create'] + counts['update']} ({counts['create']} new, {counts['update']} "
                f"updated), {counts['unchanged']} unchanged, {counts['kept']} kept (edited since "
                f"import; --force overwrites), {skipped} skipped, {warnings} warning(s), "
                f"{len(self.guesses)} guess(es), {seconds:.1f}s")
