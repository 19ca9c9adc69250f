"""fastText: word vectors from character n-grams (Bojanowski et al. 2017; chapter 10).

The package has four modules, each readable on its own, bottom up:

* :mod:`wvlib.fasttext.subwords` — character n-grams with ``<`` ``>`` boundary markers and
  their FNV-1a hash buckets, as the reference code computes them; the word-to-n-gram
  incidence matrix;
* :mod:`wvlib.fasttext.reference` — the subword model in float64 NumPy: the word vector as
  the sum (the paper) or mean (the code) of its rows, the negative-sampling loss through it
  and its gradients, the reference code's update;
* :mod:`wvlib.fasttext.keyedvectors` — :class:`FastTextKeyedVectors`, vectors for words seen
  in training or not, and the model file (:func:`load_model`);
* :mod:`wvlib.fasttext.trainer` — :class:`FastText`, the compiled trainer on word2vec's
  kernels, and ``wvlib train fasttext``.
"""
from .keyedvectors import FastTextKeyedVectors, load_model
from .reference import sgd_step, subword_loss_and_grads, subword_vector
from .subwords import (char_ngrams, fnv1a, incidence_matrix, ngram_buckets,
                       vocabulary_buckets)
from .trainer import FastText, subword_rows, train_fasttext

__all__ = ["char_ngrams", "fnv1a", "ngram_buckets", "vocabulary_buckets",
           "incidence_matrix", "subword_vector", "subword_loss_and_grads", "sgd_step",
           "FastTextKeyedVectors", "load_model", "FastText", "subword_rows",
           "train_fasttext"]
