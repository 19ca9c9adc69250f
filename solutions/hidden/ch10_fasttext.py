"""Hidden tests for the chapter 10 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs go into the student's kernel, values come back as
plain data, and the expected values are computed here with wvlib.fasttext. Words are drawn for
each submission (``hidden_rng``) from several alphabets (ASCII, accented Latin, Cyrillic, CJK),
so that a hash that mishandles bytes >= 128 or counts bytes instead of characters fails.
``public_values()`` gives what the public checks compare against, mistakes included.
"""
import numpy as np
import sympy

from wvlib.course.checks import as_sympy, check, expect, expect_close, expect_equal, \
    expect_raises, expect_shape, expect_type, hidden_rng
from wvlib.course.public import ch10_fasttext as public
from wvlib.fasttext import FastTextKeyedVectors, char_ngrams, fnv1a

ALPHABETS = ["abcdefghijklmnopqrstuvwxyz", "aàâäbcçdeéèêëfgiîïlmnoôöruùûüy",
             "абвгдежзийклмнопрстуфхцчшщыэюя", "日本語中文字词汉", "aeiouñß😀"]


# -- references and the usual mistakes -----------------------------------------------------------
def ngrams_mistakes(word, minn, maxn):
    text = "<" + word + ">"
    plain = [word[i:i + n] for i in range(len(word)) for n in range(minn, maxn + 1)
             if i + n <= len(word)]
    by_length = [text[i:i + n] for n in range(minn, maxn + 1) for i in range(len(text))
                 if i + n <= len(text) and not (n == 1 and i in (0, len(text) - 1))]
    as_set = list(dict.fromkeys(char_ngrams(word, minn, maxn)))
    lone = [text[i:i + n] for i in range(len(text)) for n in range(minn, maxn + 1)
            if i + n <= len(text)]
    return {"no-markers": plain, "by-length": by_length, "set": as_set, "lone-markers": lone}


def hash_variant(text, variant):
    data = text.encode("utf-8")
    if variant == "code-points":
        values = [ord(ch) for ch in text]
    else:
        values = list(data)
    h = 2166136261
    for b in values:
        if variant == "fnv1":
            h = (h * 16777619) % 2**32 ^ b
        else:
            h = ((h ^ b) * 16777619) % 2**32
    return h


def hash_mistakes(text, bucket):
    return {"unsigned": fnv1a(text, signed_bytes=False) % bucket,
            "fnv1": hash_variant(text, "fnv1") % bucket,
            "code-points": hash_variant(text, "code-points") % bucket,
            "no-mod": fnv1a(text)}


def step_symbols():
    return [sympy.Symbol(name, real=True) for name in public.STEP_SYMBOLS]


def step_reference(variant="reference"):
    """The change of h = (z1 + 2 z2)/3 after one update of the reference code (every entry
    of the list gets -eta dJ/dh), in sig = sigma(h c), sig_N = sigma(h c_N), c, c_N, eta; or
    what a usual mistake gives."""
    sig, sig_N, c, c_N, eta = step_symbols()
    g = (sig - 1) * c + (0 if variant == "no-negative" else sig_N * c_N)
    factor = {"reference": sympy.Rational(-5, 3), "no-negative": sympy.Rational(-5, 3),
              "once": -1, "mean-gradient": sympy.Rational(-5, 9), "sum": -5,
              "flipped": sympy.Rational(5, 3)}[variant]
    return factor * eta * g


def at(expr, point):
    return float(expr.subs({s: point[s.name] for s in expr.free_symbols}))


def step_at(z1, z2, c, c_N, eta):
    """One update of the reference code, simulated: the change of h, and the point (sig,
    sig_N, c, c_N, eta) at which the answer is evaluated."""
    from wvlib.fasttext import sgd_step
    Z = np.array([[z1], [z2]])
    C = np.array([[c], [c_N]])
    h_before = Z[[0, 1, 1]].mean()
    sgd_step(np.array([0, 1, 1]), 0, np.array([1]), Z, C.copy(), eta)
    h_after = Z[[0, 1, 1]].mean()
    sigmoid = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    point = {"sig": sigmoid(h_before * c), "sig_N": sigmoid(h_before * c_N), "c": c,
             "c_N": c_N, "eta": eta}
    return h_after - h_before, point


def oov_reference(word, known, rows, minn, maxn, bucket, *, signed=True):
    kv = FastTextKeyedVectors(["\u2603"], np.zeros((1, np.shape(rows)[1])), known, rows,
                              minn=minn, maxn=maxn, bucket=bucket)
    if signed:
        return np.asarray(kv.get_vector(word), dtype=float)
    buckets = [fnv1a(g, signed_bytes=False) % bucket for g in char_ngrams(word, minn, maxn)]
    index = {int(b): i for i, b in enumerate(known)}
    found = [np.asarray(rows[index[b]], dtype=float) for b in buckets if b in index]
    return np.sum(found, axis=0) / len(buckets) if found else np.zeros(np.shape(rows)[1])


def oov_mistakes(word, known, rows, minn, maxn, bucket):
    grams = char_ngrams(word, minn, maxn)
    index = {int(b): i for i, b in enumerate(known)}
    found = [np.asarray(rows[index[fnv1a(g) % bucket]], dtype=float) for g in grams
             if fnv1a(g) % bucket in index]
    return {"known-only": np.mean(found, axis=0), "sum": np.sum(found, axis=0),
            "unsigned": oov_reference(word, known, rows, minn, maxn, bucket, signed=False)}


def public_values():
    values = {}
    for word, minn, maxn, key in public.NGRAM_CASES:
        values[f"q1/{key}"] = char_ngrams(word, minn, maxn)
        for mistake, wrong in ngrams_mistakes(word, minn, maxn).items():
            values[f"q1/{key}-{mistake}"] = wrong
    for text, bucket, key in public.HASH_CASES:
        values[f"q2/{key}"] = fnv1a(text) % bucket
        for mistake, wrong in hash_mistakes(text, bucket).items():
            values[f"q2/{key}-{mistake}"] = wrong
    values["q3/at-point"] = at(step_reference(), public.STEP_POINT)
    for variant in ("once", "mean-gradient", "sum", "flipped", "no-negative"):
        values[f"q3/at-point-{variant}"] = at(step_reference(variant), public.STEP_POINT)
    known, rows = np.array(public.OOV_KNOWN), np.array(public.OOV_ROWS)
    for word, key in public.OOV_WORDS:
        args = (word, known, rows, 3, 4, public.OOV_BUCKET)
        values[f"q4/{key}"] = oov_reference(*args)
        for mistake, wrong in oov_mistakes(*args).items():
            values[f"q4/{key}-{mistake}"] = wrong
    # the public KeyError case really has no known n-gram
    assert not any(fnv1a(g) % 2_000_000 == 0 for g in char_ngrams("ЖЖ", 3, 4))
    return values


# -- random inputs ---------------------------------------------------------------------------------
def random_word(rng, low=1, high=12):
    alphabet = ALPHABETS[int(rng.integers(len(ALPHABETS)))]
    return "".join(rng.choice(list(alphabet), size=int(rng.integers(low, high))))


def random_range(rng):
    minn = int(rng.integers(1, 5))
    return minn, minn + int(rng.integers(0, 4))


# -- q1-ngrams -----------------------------------------------------------------------------------
@check("q1-ngrams", "random words of five alphabets, random n-gram ranges", weight=2)
def _(k):
    rng = hidden_rng(k, "q1/random")
    for trial in range(12):
        word = random_word(rng)
        minn, maxn = random_range(rng)
        what = f"char_ngrams({word!r}, {minn}, {maxn})"
        got = k.call("char_ngrams", word, minn, maxn)
        expect_type(got, (list, tuple), what)
        expect_equal(list(got), char_ngrams(word, minn, maxn), what)


@check("q1-ngrams", "minn > maxn and minn < 1 raise ValueError")
def _(k):
    for args in [("word", 4, 2), ("word", 0, 3)]:
        expect_raises(k, "char_ngrams", args, ["ValueError"], f"char_ngrams{args}")


# -- q2-hash -------------------------------------------------------------------------------------
@check("q2-hash", "random strings of five alphabets (bytes >= 128), random bucket counts",
       weight=2)
def _(k):
    rng = hidden_rng(k, "q2/random")
    for trial in range(12):
        text = random_word(rng, 1, 8)
        bucket = int(rng.choice([int(rng.integers(1, 1000)), 2_000_000,
                                 int(rng.integers(1, 2**31 - 1))]))
        what = f"fnv1a_bucket({text!r}, {bucket})"
        got = k.call("fnv1a_bucket", text, bucket)
        expect_type(got, (int, np.integer), what)
        expect_equal(int(got), fnv1a(text) % bucket, what)


@check("q2-hash", "the buckets of a word's n-grams are those of wvlib (gensim, the C++ code)")
def _(k):
    rng = hidden_rng(k, "q2/word")
    word = random_word(rng, 4, 10)
    for g in char_ngrams(word, 3, 6):
        expect_equal(int(k.call("fnv1a_bucket", g, 2_000_000)), fnv1a(g) % 2_000_000,
                     f"fnv1a_bucket({g!r}, 2000000)")


# -- q3-step -------------------------------------------------------------------------------------
@check("q3-step", "the change of h in one simulated update, at random points", weight=2)
def _(k):
    what = "delta_h()"
    got = as_sympy(k.call("delta_h"), what)
    expect(isinstance(got, sympy.Expr), f"{what} should be a SymPy expression")
    names = {s.name for s in got.free_symbols}
    expect(names <= set(public.STEP_SYMBOLS), f"{what} uses other symbols: {sorted(names)}")
    rng = hidden_rng(k, "q3/points")
    for _ in range(5):
        z1, z2, c, c_N = rng.uniform(-2, 2, size=4)
        expected, point = step_at(z1, z2, c, c_N, float(rng.uniform(0.01, 0.5)))
        try:
            value = float(got.subs({s: point[s.name] for s in got.free_symbols}))
        except (TypeError, ValueError):
            value = float("nan")
        expect_close(value, expected, what=f"{what} at a random point", rtol=1e-9,
                     atol=1e-12)


@check("q3-step", "the expression equals the change of h exactly")
def _(k):
    got = as_sympy(k.call("delta_h"), "delta_h()")
    names = {s.name: s for s in step_symbols()}
    got = got.subs({s: names[s.name] for s in got.free_symbols if s.name in names})
    difference = sympy.cancel(got - step_reference())
    expect(difference == 0, f"delta_h() - the change of h is {sympy.sstr(difference)[:200]}, "
                            f"not 0")


# -- q4-oov --------------------------------------------------------------------------------------
def random_table(rng, words, minn, maxn, bucket, dim):
    """Rows for about half of the buckets of the given words' n-grams."""
    buckets = sorted({fnv1a(g) % bucket for w in words for g in char_ngrams(w, minn, maxn)})
    known = np.array(sorted(rng.choice(buckets, size=max(1, len(buckets) // 2),
                                       replace=False)), dtype=np.int64)
    return known, rng.normal(size=(len(known), dim))


@check("q4-oov", "random words and n-gram tables", weight=2)
def _(k):
    rng = hidden_rng(k, "q4/random")
    for trial in range(6):
        minn, maxn = random_range(rng)
        bucket = int(rng.choice([int(rng.integers(50, 500)), 2_000_000]))
        words = [random_word(rng, 3, 10) for _ in range(4)]
        known, rows = random_table(rng, words, minn, maxn, bucket, int(rng.integers(2, 6)))
        for word in words[:2]:
            grams = char_ngrams(word, minn, maxn)
            if not grams or not np.isin([fnv1a(g) % bucket for g in grams], known).any():
                continue
            what = f"oov_vector({word!r}, ..., {minn}, {maxn}, {bucket})"
            got = expect_shape(k.call("oov_vector", word, known, rows, minn, maxn, bucket),
                               (rows.shape[1],), what)
            expect_close(got, oov_reference(word, known, rows, minn, maxn, bucket),
                         what=what)


@check("q4-oov", "a word none of whose n-grams has a row raises KeyError")
def _(k):
    rng = hidden_rng(k, "q4/lonely")
    word = random_word(rng, 3, 8)
    used = {fnv1a(g) % 1000 for g in char_ngrams(word, 3, 5)}
    known = np.array([b for b in range(1000) if b not in used][:20], dtype=np.int64)
    expect_raises(k, "oov_vector", (word, known, np.ones((len(known), 3)), 3, 5, 1000),
                  ["KeyError"], f"oov_vector({word!r}, ...) with none of its buckets")
