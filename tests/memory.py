"""Memory of processes seen from the host, for the grader's memory-limit tests."""
import os


def pss_of(comm: str) -> int:
    """The proportional set sizes, in bytes, of every process whose name (``comm``) is
    ``comm``, summed: a page they share (with each other, or with the kernel they forked
    from) counts once."""
    total = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if open(f"/proc/{entry.name}/comm").read().strip() != comm:
                    continue
                for line in open(f"/proc/{entry.name}/smaps_rollup"):
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
            except (OSError, ValueError):
                continue
    return total
