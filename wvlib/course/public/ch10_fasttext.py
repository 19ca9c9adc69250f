"""Public checks for the chapter 10 exercises (subwords: fastText).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
They hold inputs, properties and comparisons with values stored when the exercises were made
(``S``): the expected n-grams, buckets, gradients and vectors, and what the usual mistakes give
on the same inputs (no boundary markers, n-grams as a set, the textbook hash of unsigned bytes,
a forgotten multiplicity, the mean model's gradient, a mean over the known n-grams only), so that the message can name
them. Question 3 (a derivation) is checked here by its symbols and its value at one point; the
hidden tests compare it with one step of the reference code's update at random points, and
exactly.
"""
import numpy as np

from wvlib.course.checks import as_sympy, check, expect, expect_close, expect_equal, \
    expect_raises, expect_shape, expect_type
from wvlib.course.stored import stored

S = stored("ch10_fasttext")

# -- inputs (the stored values are computed on these) ------------------------------------------
NGRAM_CASES = [("where", 3, 3, "where-3"), ("naïve", 2, 4, "naive-2-4"),
               ("banana", 3, 3, "banana-3"), ("ab", 1, 2, "ab-1-2")]
HASH_CASES = [("<wh", 2_000_000, "wh"), ("afé", 2_000_000, "afe"), ("日本", 1_000, "nihon"),
              ("", 97, "empty")]
STEP_SYMBOLS = ("sig", "sig_N", "c", "c_N", "eta")
STEP_POINT = {"sig": 0.6, "sig_N": 0.3, "c": 0.5, "c_N": 0.8, "eta": 0.1}
# an n-gram table: buckets 0..96, rows (d = 3) for some of them only — about half of the
# buckets of each word's 3- and 4-grams, and a few others (29 is a bucket of "naïvely" only
# under the textbook hash of unsigned bytes)
OOV_BUCKET = 97
OOV_KNOWN = [2, 5, 12, 16, 19, 29, 33, 39, 41, 45, 54, 64, 75, 80, 92, 94]
OOV_ROWS = [[0.1 * ((i * 7) % 5 - 2), 0.05 * ((i * 3) % 7 - 3), 0.2 * ((i % 3) - 1)]
            for i in range(len(OOV_KNOWN))]
OOV_WORDS = [("playing", "playing"), ("naïvely", "naively")]


# -- q1-ngrams ---------------------------------------------------------------------------------
@check("q1-ngrams", "the paper's example, an accented word, repeated n-grams, minn = 1")
def _(k):
    for word, minn, maxn, key in NGRAM_CASES:
        what = f"char_ngrams({word!r}, {minn}, {maxn})"
        got = k.call("char_ngrams", word, minn, maxn)
        expect_type(got, (list, tuple), what)
        expect_equal(list(got), S[f"q1/{key}"], what,
                     hint="the substrings of '<' + word + '>' of minn to maxn characters, by "
                          "start position, then by length",
                     mistakes={"add the boundary markers: the n-grams are those of '<' + "
                               "word + '>'": S[f"q1/{key}-no-markers"],
                               "list the n-grams by start position first, then by length":
                                   S[f"q1/{key}-by-length"],
                               "keep repeated n-grams (each occurrence counts)":
                                   S[f"q1/{key}-set"],
                               "a single boundary marker is not an n-gram (minn = 1)":
                                   S[f"q1/{key}-lone-markers"]})


@check("q1-ngrams", "a word shorter than minn has no n-gram; minn > maxn raises ValueError")
def _(k):
    expect_equal(list(k.call("char_ngrams", "a", 4, 6)), [], "char_ngrams('a', 4, 6)",
                 hint="'<a>' has 3 characters: no n-gram of 4 to 6")
    expect_raises(k, "char_ngrams", ("word", 5, 3), ["ValueError"], "char_ngrams('word', 5, 3)",
                  hint="minn must be at most maxn")


# -- q2-hash -----------------------------------------------------------------------------------
@check("q2-hash", "ASCII, accented and CJK n-grams; the empty string")
def _(k):
    for text, bucket, key in HASH_CASES:
        what = f"fnv1a_bucket({text!r}, {bucket})"
        got = k.call("fnv1a_bucket", text, bucket)
        expect_type(got, (int, np.integer), what)
        expect_equal(int(got), S[f"q2/{key}"], what,
                     hint="h = 2166136261; for each UTF-8 byte b: h = (h XOR b') * 16777619 "
                          "mod 2**32, with b' = b + 0xFFFFFF00 when b >= 128; then h mod "
                          "bucket",
                     mistakes={"bytes >= 128 enter sign-extended in the reference code: XOR "
                               "b + 0xFFFFFF00, not b": S[f"q2/{key}-unsigned"],
                               "FNV-1a XORs the byte first, then multiplies (you did FNV-1)":
                                   S[f"q2/{key}-fnv1"],
                               "hash the UTF-8 bytes of the n-gram, not its characters' code "
                               "points": S[f"q2/{key}-code-points"],
                               "take h mod bucket at the end": S[f"q2/{key}-no-mod"]})


@check("q2-hash", "the bucket is in range")
def _(k):
    for bucket in (1, 2, 10):
        got = k.call("fnv1a_bucket", "where", bucket)
        expect(0 <= int(got) < bucket, f"fnv1a_bucket('where', {bucket}) = {got} is not in "
                                       f"[0, {bucket})")


# -- q3-step -----------------------------------------------------------------------------------
@check("q3-step", "an expression in sig, sig_N, c, c_N, eta; its value at one point")
def _(k):
    what = "delta_h()"
    got = as_sympy(k.call("delta_h"), what)
    expect(hasattr(got, "free_symbols") and not hasattr(got, "shape"),
           f"{what} should be a SymPy expression, got {type(got).__name__}")
    names = {s.name for s in got.free_symbols}
    expect(names <= set(STEP_SYMBOLS),
           f"{what} uses the symbol(s) {sorted(names - set(STEP_SYMBOLS))}; only "
           f"{', '.join(STEP_SYMBOLS)} may appear")
    point = ", ".join(f"{name} = {value}" for name, value in STEP_POINT.items())
    try:
        value = float(got.subs({s: STEP_POINT[s.name] for s in got.free_symbols}))
    except (TypeError, ValueError):
        value = float("nan")
    expect_close(value, S["q3/at-point"], what=f"{what} at {point}",
                 hint="each entry of the list moves by -eta dJ/dh (z2 twice); h is the mean "
                      "of the list; d/dx (-log s(x)) = s(x) - 1 and d/dx (-log s(-x)) = s(x)",
                 mistakes={"z2 is listed twice, so the update reaches it twice":
                           S["q3/at-point-once"],
                           "the reference code adds -eta dJ/dh undivided to each entry; you "
                           "used the gradient of the mean model, which divides by 3":
                               S["q3/at-point-mean-gradient"],
                           "that is the change of the sum z1 + 2 z2; h is their mean":
                               S["q3/at-point-sum"],
                           "the sign is flipped: a step goes against the gradient of J":
                               S["q3/at-point-flipped"],
                           "the noise context c_N is missing":
                               S["q3/at-point-no-negative"]})


# -- q4-oov ------------------------------------------------------------------------------------
@check("q4-oov", "two unseen words, an ASCII and an accented one")
def _(k):
    for word, key in OOV_WORDS:
        what = f"oov_vector({word!r}, OOV_KNOWN, OOV_ROWS, 3, 4, {OOV_BUCKET})"
        got = expect_shape(k.call("oov_vector", word, np.array(OOV_KNOWN), np.array(OOV_ROWS),
                                  3, 4, OOV_BUCKET), (3,), what)
        expect_close(got, S[f"q4/{key}"], what=what,
                     hint="the mean over ALL the word's n-grams (3 to 4 characters of "
                          "<word>), an n-gram whose bucket has no row counting as a zero row",
                     mistakes={"divide by the number of all the word's n-grams, not only of "
                               "those with a row": S[f"q4/{key}-known-only"],
                               "the vector is the mean of the rows, not their sum":
                                   S[f"q4/{key}-sum"],
                               "the bucket of an n-gram uses the reference code's hash "
                               "(signed bytes)": S[f"q4/{key}-unsigned"]})


@check("q4-oov", "a word without any known n-gram raises KeyError")
def _(k):
    expect_raises(k, "oov_vector", ("ЖЖ", np.array([0]), np.array([[1.0, 2.0, 3.0]]), 3, 4,
                                    2_000_000), ["KeyError"],
                  "oov_vector('ЖЖ', ...) with a table that has none of its buckets",
                  hint="with no n-gram in the table the word has no vector: raise KeyError")
