"""word2vec (being split into modules; see the next commit)."""
from .trainer import *  # noqa: F401,F403
from .trainer import __all__  # noqa: F401
