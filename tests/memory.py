"""Memory of processes seen from the host, for the grader's memory-limit tests."""
import os

COUNTED = ("Pss_Anon:", "Pss_Shmem:", "SwapPss:")


def _named(comm: str) -> list[str]:
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if open(f"/proc/{entry.name}/comm").read().strip() == comm:
                    pids.append(entry.name)
            except OSError:
                continue
    return pids


def _anonymous(pid: str) -> int | None:
    """A process's counted memory in bytes, or None once it has exited (or is a zombie)."""
    try:
        lines = open(f"/proc/{pid}/smaps_rollup").read().splitlines()
        return sum(int(line.split()[1]) * 1024 for line in lines if line.startswith(COUNTED))
    except (OSError, ValueError, IndexError):
        return None


def pss_of(comm: str) -> int | None:
    """The proportional set sizes of the anonymous and shared-memory pages (and their swap),
    in bytes, of every process whose name (``comm``) is ``comm``, summed: a page they share
    (with each other, or with the kernel they forked from) counts once.

    The processes are read one after another, so a plain sum is not what they held at any one
    time: a hog killed by the limit frees its memory to a sibling read later (one such sweep
    added up to 2155 MiB under a limit of 2048 MiB in CI). So every process is read twice,
    in two sweeps; a hog's memory only grows while it lives, so if none is gone or shrank by
    the second sweep, the first sweep's sum is at most what they held together between the
    two sweeps. Otherwise the answer is None (no sample).

    File pages (the interpreter and the libraries mapped read-only) are left out: the memory
    controller charges a page of the page cache to the cgroup that first read it, so a
    cgroup's ``memory.max`` does not bound them. What a submission allocates is anonymous."""
    first = {pid: _anonymous(pid) for pid in _named(comm)}
    first = {pid: size for pid, size in first.items() if size is not None}
    for pid, size in first.items():
        again = _anonymous(pid)
        if again is None or again < size:
            return None
    return sum(first.values())
