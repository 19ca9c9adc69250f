"""word2vec: skip-gram and CBOW; softmax, hierarchical softmax, negative sampling (ch. 6-7).

The package has four modules, each readable on its own, bottom up:

* :mod:`wvlib.word2vec.tables` — what is built from the word counts before training: the
  Huffman tree (and its paths as arrays), the noise distribution and its alias table, the
  subsampling keep probabilities, the dynamic window's weights (NumPy);
* :mod:`wvlib.word2vec.reference` — the objectives the chapters teach from, in float64 NumPy,
  one example at a time: σ, the softmax, negative-sampling and hierarchical-softmax losses and
  their gradients, whole skip-gram and CBOW windows, and :func:`train_softmax_reference`;
* :mod:`wvlib.word2vec.kernels` — the compiled (numba, float32, Hogwild) kernels: the σ table,
  the per-thread random number generator, negative draws, the negative-sampling and
  hierarchical-softmax steps (reusable by other trainers), and the training job;
* :mod:`wvlib.word2vec.trainer` — :class:`Word2Vec` and the commands ``wvlib train sgns`` and
  ``wvlib train cbow``.

Every public name of ``tables``, ``reference`` and ``trainer`` is importable from here
(``from wvlib.word2vec import Word2Vec, neg_sampling_loss_and_grads``); the kernels are
imported from :mod:`wvlib.word2vec.kernels`.
"""
from .reference import (OBJECTIVES, SoftmaxModel, cbow_loss_and_grads, hs_loss_and_grads,
                        hs_probabilities, log_sigmoid, neg_sampling_loss_and_grads, sigmoid,
                        skipgram_loss_and_grads, softmax_loss_and_grads,
                        train_softmax_reference)
from .tables import (HuffmanTree, alias_table, build_huffman, dynamic_window_weights,
                     huffman_arrays, keep_probability, noise_distribution,
                     paper_keep_probability, sample_negatives)
from .trainer import Word2Vec, train_cbow, train_sgns

__all__ = [
    "sigmoid", "log_sigmoid", "softmax_loss_and_grads", "neg_sampling_loss_and_grads",
    "hs_loss_and_grads", "skipgram_loss_and_grads", "cbow_loss_and_grads",
    "HuffmanTree", "build_huffman", "huffman_arrays", "hs_probabilities",
    "noise_distribution", "sample_negatives", "alias_table", "keep_probability",
    "paper_keep_probability", "dynamic_window_weights",
    "train_softmax_reference", "SoftmaxModel", "Word2Vec", "train_sgns", "train_cbow",
    "OBJECTIVES",
]
