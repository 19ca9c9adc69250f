"""The original word2vec C code, built for the benchmarks (never kept in this repository).

    python -m wvlib.benchmarks.cword2vec [--dir DIR] [--sdist FILE]

prints the path of a ``word2vec`` binary compiled from Mikolov et al.'s ``word2vec.c``
(Apache 2.0), which the source distribution of the PyPI package ``word2vec`` 0.9.4 ships in
``word2vec/c/``. The archive is downloaded from PyPI (or read from ``--sdist``, for a machine
without a network) and checked against its SHA-256 before anything is extracted; only
``word2vec.c`` is taken out, and it is compiled with the flags of that package's build
(``gcc -O3 -march=native -funroll-loops -pthread``). ``wvlib bench scale --c-word2vec BIN``
then runs it beside wvlib and gensim.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import tarfile
from pathlib import Path

SDIST_URL = ("https://files.pythonhosted.org/packages/98/9c/"
             "0cc6019be231950235517c29d2d6a2fca76dfa75ad4162ccce22fb1b4364/"
             "word2vec-0.9.4.tar.gz")
SDIST_SHA256 = "4606e8537c89505824c6fd16471492764af6ae2436dc533efdfb63ae17374514"
MEMBER = "word2vec-0.9.4/word2vec/c/word2vec.c"
CFLAGS = ["-O3", "-march=native", "-funroll-loops", "-pthread", "-Wno-unused-result"]


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_sdist(folder) -> Path:
    """The package's source archive in ``folder``, downloaded once and checked."""
    import pooch
    return Path(pooch.retrieve(SDIST_URL, known_hash=f"sha256:{SDIST_SHA256}",
                               fname="word2vec-0.9.4.tar.gz", path=folder,
                               progressbar=False))


def build(folder, sdist=None, compiler="gcc") -> Path:
    """Compile ``word2vec.c`` into ``folder/word2vec``; return the binary's path.

    Parameters
    ----------
    folder : path
        Where the archive, the source and the binary go (created if missing).
    sdist : path, optional
        The archive ``word2vec-0.9.4.tar.gz`` already at hand; default: download it.
    compiler : str
        The C compiler (default ``gcc``).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.which(compiler) is None:
        raise RuntimeError(f"compiler={compiler!r} was not found on PATH: the C code needs a "
                           f"C compiler")
    if sdist is None:
        sdist = fetch_sdist(folder)                 # pooch checks its SHA-256
    elif not Path(sdist).is_file():
        raise FileNotFoundError(f"sdist={str(sdist)!r} does not exist")
    elif (got := sha256_of(sdist)) != SDIST_SHA256:
        raise ValueError(f"sdist={str(sdist)!r} has SHA-256 {got}, expected {SDIST_SHA256} "
                         f"(word2vec-0.9.4.tar.gz from PyPI)")
    source = folder / "word2vec.c"
    with tarfile.open(sdist, "r:gz") as archive:
        source.write_bytes(archive.extractfile(MEMBER).read())
    binary = folder / "word2vec"
    subprocess.run([compiler, str(source), "-o", str(binary), *CFLAGS, "-lm"], check=True,
                   capture_output=True)
    return binary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wvlib.benchmarks.cword2vec",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default="/tmp/wvlib-cword2vec",
                        help="folder for the archive and the binary (default: %(default)s)")
    parser.add_argument("--sdist", default=None,
                        help="word2vec-0.9.4.tar.gz already downloaded (default: from PyPI)")
    args = parser.parse_args(argv)
    print(build(args.dir, args.sdist))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
