"""The articles folder as it was at another git revision: find the base of a change, export it.

Used by ``python build.py impact`` to compare the working tree with the base of a pull request.
Git is run as a subprocess; every failure is a :class:`GitError` with a message a writer can act on.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import tarfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

#: Branches tried, in order, when no base is given and ``origin/HEAD`` is not set.
DEFAULT_BRANCHES = ("main", "master", "origin/main", "origin/master")


class GitError(RuntimeError):
    """Git is missing, the folder is not in a repository, or a revision is unknown."""


def _git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        completed = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                                   timeout=120, check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed (or not on PATH)") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git {args[0]} took longer than {exc.timeout:.0f}s") from exc
    if check and completed.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {completed.stderr.strip() or 'failed'}")
    return completed


def repo_root(folder: Path) -> Path:
    """The top folder of the repository holding ``folder``."""
    if not folder.is_dir():
        raise GitError(f"{folder} does not exist")
    completed = _git(folder, "rev-parse", "--show-toplevel", check=False)
    if completed.returncode != 0:
        raise GitError(f"{folder} is not inside a git repository (impact compares git revisions)")
    return Path(completed.stdout.strip())


def resolve(repo: Path, ref: str) -> str:
    """The commit ``ref`` names (a branch, tag, ``HEAD~1``, a hash)."""
    if not ref or ref.startswith("-"):
        raise GitError(f"unknown base ref {ref!r}")
    completed = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}",
                     check=False)
    if completed.returncode != 0:
        shallow = _git(repo, "rev-parse", "--is-shallow-repository", check=False).stdout.strip() == "true"
        raise GitError(f"unknown base ref {ref!r}: no such branch, tag or commit in {repo}"
                       + ("; this clone is shallow: fetch the history (git fetch --unshallow, or "
                          "fetch-depth: 0 in CI)" if shallow else ""))
    return completed.stdout.strip()


def default_branch(repo: Path) -> str:
    """``origin/HEAD`` when set (the remote's default branch), else main or master."""
    remote = _git(repo, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD", check=False)
    candidates = ([remote.stdout.strip()] if remote.returncode == 0 else []) + list(DEFAULT_BRANCHES)
    for name in candidates:
        if _git(repo, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}", check=False).returncode == 0:
            return name
    raise GitError("no default branch found (origin/HEAD, main or master): pass --base REF")


def merge_base(repo: Path, ref: str = "HEAD") -> tuple[str, str]:
    """The default branch's name and the commit where ``ref`` forked from it."""
    branch = default_branch(repo)
    completed = _git(repo, "merge-base", ref, branch, check=False)
    if completed.returncode != 0:
        raise GitError(f"HEAD has no common history with {branch}: pass --base REF")
    return branch, completed.stdout.strip()


def describe(repo: Path, commit: str) -> str:
    """A short name for a commit: its abbreviated hash and subject."""
    completed = _git(repo, "log", "-1", "--format=%h %s", commit, check=False)
    return completed.stdout.strip() or commit[:10]


def _relative(repo: Path, folder: Path) -> str:
    relative = os.path.relpath(folder.resolve(), repo.resolve())
    if relative.startswith(".."):
        raise GitError(f"{folder} is outside the repository {repo}")
    return "" if relative == "." else Path(relative).as_posix()


def _commit_dates(repo: Path, commit: str, relative: str) -> dict[str, dt.date]:
    """Last commit date of each file under ``relative`` as of ``commit`` (the dates a build at
    that commit gives articles without ``updated``)."""
    args = ["log", commit, "--format=@%cs", "--name-only", "--no-renames"]
    args += [f"--relative={relative}", "--", relative] if relative else []
    dates: dict[str, dt.date] = {}
    current: dt.date | None = None
    for line in _git(repo, *args).stdout.splitlines():
        if line.startswith("@"):
            current = dt.date.fromisoformat(line[1:])
        elif line and current is not None:
            dates.setdefault(line.strip(), current)
    return dates


def export_folder(folder: Path, commit: str, dest: Path) -> bool:
    """Write ``folder`` (inside a repository) as it was at ``commit`` into ``dest``.

    Each file's modification time is set to its last commit date at ``commit``, so articles
    without an ``updated`` field get the same date (and content hash) as in a build at that commit.
    False when the folder did not exist at ``commit`` (``dest`` is then left empty)."""
    repo = repo_root(folder)
    relative = _relative(repo, folder)
    dest.mkdir(parents=True, exist_ok=True)
    spec = f"{commit}:{relative}"
    if _git(repo, "cat-file", "-e", spec, check=False).returncode != 0:
        return False
    try:
        process = subprocess.Popen(["git", "-C", str(repo), "archive", "--format=tar", spec],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError as exc:
        raise GitError("git is not installed (or not on PATH)") from exc
    assert process.stdout is not None
    try:
        with process.stdout, tarfile.open(fileobj=process.stdout, mode="r|") as archive:
            archive.extractall(dest, filter="data")
    except BaseException:
        process.kill()  # interrupted or a bad archive: never leave git running
        process.wait()
        raise
    _, stderr = process.communicate()
    if process.returncode != 0:
        raise GitError(f"git archive {spec}: {stderr.decode(errors='replace').strip() or 'failed'}")
    for name, day in _commit_dates(repo, commit, relative).items():
        path = dest / name
        if path.is_file():
            stamp = time.mktime((day.year, day.month, day.day, 12, 0, 0, 0, 0, -1))
            os.utime(path, (stamp, stamp))
    return True
