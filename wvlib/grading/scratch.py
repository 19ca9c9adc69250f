"""Scratch space that cannot fill the disk, and whose removal cannot be defeated.

As root, every folder a kernel can write — its working folder, home, ``/tmp`` and the folder
it shares with the grader — is a size-limited tmpfs (memory-backed, counted in the
submission's memory), and cleaning up is unmounting it: nothing to walk, whatever the kernel
left inside. The grader's worker gets a mount namespace of its own (:func:`private_mounts`),
so its mounts vanish with it even when it is killed. Without root the scratch folder is on
disk and :func:`remove_tree` deletes it without recursion, at any depth, whatever the modes
and names of what is inside.
"""
from __future__ import annotations

import atexit
import ctypes
import errno
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .isolation import is_root

_MS_NOSUID, _MS_NODEV, _MNT_DETACH = 2, 4, 2
#: Longest parent folder of a scratch folder: below it go "wk-XXXXXXXX/ipc/kXXXXXXXX-NNNNN"
#: (31 bytes), and a Unix socket's path has 107 bytes at most.
MAX_PARENT = 72


def _libc():
    return ctypes.CDLL(None, use_errno=True)


@dataclass
class Scratch:
    """The folders of one kernel: ``work`` (its working folder, holding a copy of the notebook),
    ``home`` and ``ipc`` (connection file, sockets and probe messages, shared with the grader).

    As root the root folder is a size-limited tmpfs owned by the kernel's user (nothing the
    kernel writes reaches the disk) and :meth:`remove` unmounts it; otherwise it is a folder
    on disk, removed by :func:`remove_tree`."""
    root: Path
    owner: int | None = None
    mounted: bool = False
    size_mb: int = 256

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def ipc(self) -> Path:
        return self.root / "ipc"

    @classmethod
    def create(cls, parent=None, owner: int | None = None, size_mb: int = 256) -> "Scratch":
        """Make a fresh scratch folder (under ``parent`` or the system's temporary folder),
        owned by the user ``owner`` if given."""
        if len(os.fsencode(str(parent or tempfile.gettempdir()))) > MAX_PARENT:
            parent = "/tmp"    # the kernel's sockets must fit a Unix socket's path
        root = Path(tempfile.mkdtemp(prefix="wk-", dir=parent))
        scratch = cls(root, owner, False, size_mb)
        if can_mount():
            try:
                mount_tmpfs(root, size_mb, owner)
                scratch.mounted = True
                _MOUNTED.add(scratch)
            except OSError:
                pass
        scratch._populate()
        return scratch

    def __hash__(self):
        return id(self)

    def _populate(self) -> None:
        for folder in (self.work, self.home, self.ipc):
            folder.mkdir()
        if self.owner is not None:
            for folder in (self.root, self.work, self.home, self.ipc):
                os.chown(folder, self.owner, self.owner)

    def give(self, path: Path, owner: int | None = None) -> None:
        """Hand a file the grader wrote in the scratch folder over to the kernel's user."""
        owner = self.owner if owner is None else owner
        if owner is not None:
            os.chown(path, owner, owner)

    def reset(self) -> None:
        """Empty the scratch folder (before a new kernel starts: no file of the old one
        survives): a fresh tmpfs, or everything removed."""
        if self.mounted:
            unmount(self.root)
            try:
                mount_tmpfs(self.root, self.size_mb, self.owner)
            except OSError:          # no memory for a new one: the folder on disk, emptied
                self.mounted = False
                for entry in list(self.root.iterdir()):
                    remove_tree(entry)
        else:
            for entry in list(self.root.iterdir()):
                remove_tree(entry)
        self._populate()

    def remove(self) -> None:
        """Delete the scratch folder: unmount it, or remove it without recursion."""
        try:
            if self.mounted:
                unmount(self.root)
                self.mounted = False
                _MOUNTED.discard(self)
                self.root.rmdir()
            else:
                remove_tree(self.root)
        except OSError:
            pass


#: Scratch folders mounted by this process and not removed yet: unmounted when it exits
#: (a worker's vanish with its mount namespace anyway; this is for grading in-process).
_MOUNTED: set = set()


def _unmount_all() -> None:
    for scratch in list(_MOUNTED):
        scratch.remove()


atexit.register(_unmount_all)


def can_mount() -> bool:
    """Whether scratch folders are tmpfs mounts (root, unless ``WVLIB_GRADER_TMPFS=0``)."""
    return is_root() and os.environ.get("WVLIB_GRADER_TMPFS", "1") != "0" and \
        sys.platform.startswith("linux")


def mount_tmpfs(path, size_mb: int, uid: int | None) -> None:
    """Mount a tmpfs of ``size_mb`` MiB on the folder ``path``, owned by ``uid``."""
    owner = f",uid={uid},gid={uid}" if uid is not None else ""
    options = f"size={int(size_mb)}m,mode=0700{owner}".encode()
    if _libc().mount(b"tmpfs", os.fsencode(path), b"tmpfs", _MS_NOSUID | _MS_NODEV,
                     options) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"cannot mount a tmpfs on {path}: {os.strerror(code)}")


def unmount(path) -> bool:
    """Detach the mount on ``path`` (lazily: whatever is open in it goes with it)."""
    return _libc().umount2(os.fsencode(path), _MNT_DETACH) == 0


def private_mounts() -> bool:
    """Give this process a mount namespace of its own in which nothing propagates back
    (root only): the worker's scratch mounts vanish with it, even when it is killed."""
    if not can_mount():
        return False
    libc = _libc()
    if libc.unshare(0x00020000) != 0:
        return False
    return libc.mount(None, b"/", None, 0x4000 | 0x40000, None) == 0   # MS_REC | MS_PRIVATE


def remove_tree(path) -> None:
    """Delete the folder ``path`` and everything in it, without recursion (any depth), never
    following a symbolic link, whatever the modes of what is inside (folders are made
    writable on the way), and whatever bytes the names hold. Missing: nothing to do."""
    path = os.fsencode(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return
    except NotADirectoryError:
        os.unlink(path)
        return
    names: list[bytes] = []          # the folders descended into, from ``path`` down
    try:
        while True:
            child = _empty_files(fd)
            if child is not None:    # go down into a sub-folder
                try:
                    os.chmod(child, 0o700, dir_fd=fd, follow_symlinks=False)
                except (OSError, NotImplementedError):   # no fchmodat(AT_SYMLINK_NOFOLLOW)
                    pass
                try:
                    down = os.open(child, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW,
                                   dir_fd=fd)
                except OSError:
                    _unlink(fd, child)
                    continue
                os.close(fd)
                fd = down
                names.append(child)
                continue
            if not names:            # ``path`` itself is empty
                break
            up = os.open(b"..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = up
            os.rmdir(names.pop(), dir_fd=fd)
    finally:
        os.close(fd)
    os.rmdir(path)


def _empty_files(fd: int) -> bytes | None:
    """Delete every entry of the folder open as ``fd`` that is not a folder; return the name
    of one sub-folder, or None when the folder is empty."""
    try:
        os.fchmod(fd, 0o700)
    except OSError:
        pass
    with os.scandir(fd) as entries:
        for entry in entries:
            name = os.fsencode(entry.name)
            if entry.is_dir(follow_symlinks=False):
                return name
            _unlink(fd, name)
    return None


def _unlink(fd: int, name: bytes) -> None:
    try:
        os.unlink(name, dir_fd=fd)
    except IsADirectoryError:
        os.rmdir(name, dir_fd=fd)
    except FileNotFoundError:
        pass
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EACCES):
            raise
        os.fchmod(fd, 0o700)
        os.unlink(name, dir_fd=fd)
