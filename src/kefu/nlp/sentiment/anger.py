"""Anger and urgency signal in [0, 1] from surface cues, per-language lexicons and model scores.

Surface cues work in every language: runs of exclamation marks, shouting in capitals, stretched
words and angry emoji. Lexicons hold anger, insult and urgency words per language. The evidence
is combined with a noisy-or, so each extra cue raises the signal without ever passing 1.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kefu.nlp.text.normalise import normalise

ANGRY_EMOJI = frozenset("😡😠🤬👿💢😤🖕")
ANNOYED_EMOJI = frozenset("😒🙄😑👎😩😫😾💩")

ANGER_TERMS: dict[str, tuple[str, ...]] = {
    "en": (
        "angry", "furious", "ridiculous", "unacceptable", "worst", "terrible", "horrible",
        "awful", "scam", "fraud", "disgusting", "pathetic", "useless", "incompetent",
        "fed up", "sick of", "sick and tired", "wtf", "hate", "rip off", "ripoff", "cheated",
        "waste of", "never again", "shame on", "liar", "lied", "stupid", "idiot", "damn",
        "fuck", "fucking", "shit", "bullshit", "crap", "lawyer", "complaint", "third time",
        "still not", "still waiting",
    ),
    "zh": (
        "生气", "愤怒", "气死", "太差", "垃圾", "骗子", "坑人", "坑爹", "投诉", "无语", "恶心",
        "什么玩意", "差评", "再也不", "欺骗", "搞什么", "离谱", "忍无可忍", "受够", "妈的",
        "他妈", "傻逼", "退钱", "骗人", "不要脸", "太过分", "过分",
        "什么鬼", "还没", "一直没", "没人管", "没人理", "说好的",
    ),
    "id": (
        "marah", "kesal", "kecewa", "parah", "payah", "penipu", "tipu", "nipu", "bohong",
        "komplain", "gak becus", "ga becus", "tidak becus", "bodoh", "goblok", "tolol",
        "brengsek", "anjing", "anjir", "bangsat", "sialan", "kapok", "menyebalkan",
        "nyebelin", "sebel", "jengkel", "muak", "lelet", "lemot", "keterlaluan", "kurang ajar",
        "rugi", "ancur", "hancur", "zonk", "bego", "kampret", "masih belum", "belum juga",
    ),
    "ms": (
        "marah", "geram", "kecewa", "teruk", "penipu", "tipu", "bodoh", "bangang", "bengap",
        "lembap", "menyampah", "bengang", "sial", "celaka", "tak guna", "aduan", "hampeh",
        "bodo", "babi", "sampah", "melampau", "rugi", "masih belum", "masih tak",
    ),
    "vi": (
        "tức", "bực", "bức xúc", "thất vọng", "quá tệ", "tệ hại", "lừa đảo", "đểu",
        "khiếu nại", "vô trách nhiệm", "láo", "mất dạy", "đm", "kém", "như shit",
        "chán", "tồi", "dở tệ", "cẩu thả", "lừa", "hãm", "bực mình", "không chấp nhận",
        "vẫn chưa", "chưa thấy",
    ),
    "th": (
        "โกรธ", "โมโห", "หงุดหงิด", "แย่", "ห่วย", "โกง", "หลอกลวง", "ผิดหวัง", "ร้องเรียน",
        "รำคาญ", "เซ็ง", "ไม่พอใจ", "เหี้ย", "ควาย", "ช้ามาก", "แย่มาก", "ขยะ", "เฮงซวย",
        "สัส", "ไอ้", "มั่ว", "ยังไม่ได้", "ไม่รับผิดชอบ",
    ),
}
"""Words of anger, insult and exasperation, matched on normalised text."""

URGENCY_TERMS: dict[str, tuple[str, ...]] = {
    "en": (
        "urgent", "urgently", "asap", "immediately", "right now", "right away", "emergency",
        "as soon as possible", "now!", "today!", "hurry",
    ),
    "zh": ("马上", "立刻", "赶紧", "尽快", "紧急", "急", "立即", "快点", "现在就"),
    "id": ("segera", "darurat", "mendesak", "sekarang juga", "cepetan", "buruan", "urgent"),
    "ms": ("segera", "kecemasan", "mendesak", "sekarang juga", "cepat sikit", "urgent"),
    "vi": ("gấp", "khẩn cấp", "ngay lập tức", "ngay bây giờ", "nhanh lên", "ngay đi"),
    "th": ("ด่วน", "เร่งด่วน", "ทันที", "เดี๋ยวนี้", "รีบ", "ด่วนมาก"),
}
"""Words asking for immediate action, matched on normalised text."""

QUESTION_TERMS: dict[str, tuple[str, ...]] = {
    "en": ("what", "when", "where", "how do", "how can", "how to", "which", "can i", "could you",
           "do you", "is there", "are there", "is it possible"),
    "zh": ("吗", "什么", "怎么", "哪里", "哪个", "几点", "多少", "是否", "能否", "可以", "请问"),
    "id": ("apakah", "kapan", "berapa", "bagaimana", "gimana", "di mana", "dimana", "bisakah",
           "bisa gak", "bisa nggak"),
    "ms": ("berapa", "bagaimana", "macam mana", "di mana", "boleh ke", "ada tak"),
    "vi": ("mấy giờ", "bao giờ", "khi nào", "ở đâu", "làm sao", "thế nào", "bao nhiêu",
           "cho mình hỏi", "cho em hỏi", "cho tôi hỏi", "có được không", "được không"),
    "th": ("ไหม", "มั้ย", "เมื่อไร", "ที่ไหน", "อย่างไร", "ยังไง", "กี่", "หรือเปล่า", "หรือไม่"),
}
"""Question words: a question without heated cues is read as a request, not a complaint."""

HEATED_CUES = frozenset({"anger_words", "exclamations", "capitals", "angry_emoji", "annoyed_emoji"})

MODEL_PRIOR = 0.25
"""Share of anger in the anger head's training data: model scores below it add nothing."""

_SPACED_LANGS = frozenset({"en", "id", "ms", "vi"})
_EXCLAIM_RUN_RE = re.compile(r"[!?]*![!?]*")
_STRETCH_RE = re.compile(r"([^\W\d_])\1{2,}")
_LAUGH_RE = re.compile(r"(ha|he|hi|wk|kk|xi|哈|呵|嘻)\1{1,}|5{3,}", re.IGNORECASE)
_LATIN_WORD_RE = re.compile(r"[A-Za-z]{3,}")


def _compile(terms: tuple[str, ...], lang: str) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(normalise(t)) for t in sorted(terms, key=len, reverse=True))
    if lang in _SPACED_LANGS:
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
    return re.compile(f"(?:{alternatives})")


_ANGER_RE = {lang: _compile(terms, lang) for lang, terms in ANGER_TERMS.items()}
_URGENCY_RE = {lang: _compile(terms, lang) for lang, terms in URGENCY_TERMS.items()}
_QUESTION_RE = {lang: _compile(terms, lang) for lang, terms in QUESTION_TERMS.items()}


@dataclass(frozen=True)
class AngerEvidence:
    """The anger/urgency score in [0, 1] and the names of the cues that raised it."""

    score: float
    cues: tuple[str, ...]


def _lexicon_langs(lang: str, normal: str) -> list[str]:
    """Lexicons to try: the message language, plus English (code-mixing is common)."""
    langs = [lang] if lang in ANGER_TERMS else []
    if lang != "en" and _LATIN_WORD_RE.search(normal):
        langs.append("en")
    return langs


def surface_cues(text: str) -> dict[str, float]:
    """Language-independent cues of anger and their strengths in [0, 1]."""
    text = unicodedata.normalize("NFKC", text)
    cues: dict[str, float] = {}
    longest = max((len(m.group()) for m in _EXCLAIM_RUN_RE.finditer(text)), default=0)
    if longest >= 3:
        cues["exclamations"] = 0.45
    elif longest == 2:
        cues["exclamations"] = 0.3
    letters = [c for c in text if c.isalpha() and c.isascii()]
    shouted = [w for w in _LATIN_WORD_RE.findall(text) if w.isupper()]
    if len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.7:
        cues["capitals"] = 0.4
    elif any(len(w) >= 4 for w in shouted):
        cues["capitals"] = 0.15
    if _STRETCH_RE.search(_LAUGH_RE.sub("", text)):
        cues["elongation"] = 0.15
    if any(c in ANGRY_EMOJI for c in text):
        cues["angry_emoji"] = 0.5
    elif any(c in ANNOYED_EMOJI for c in text):
        cues["annoyed_emoji"] = 0.25
    return cues


def text_cues(text: str, lang: str) -> dict[str, float]:
    """Surface cues plus anger/urgency lexicon hits of ``text``, with their strengths."""
    cues = surface_cues(text)
    normal = normalise(text)
    for lex_lang in _lexicon_langs(lang, normal):
        anger_hits = len(_ANGER_RE[lex_lang].findall(normal))
        urgency_hits = len(_URGENCY_RE[lex_lang].findall(normal))
        if anger_hits:
            cues["anger_words"] = max(cues.get("anger_words", 0.0), min(0.35 * anger_hits, 0.6))
        if urgency_hits:
            cues["urgency_words"] = max(cues.get("urgency_words", 0.0), 0.35)
    return cues


def combine_evidence(
    cues: dict[str, float], *, negativity: float = 0.0, model_anger: float | None = None
) -> AngerEvidence:
    """Noisy-or of text cues, how negative the message is and an optional model score.

    ``negativity`` is max(0, -sentiment score); ``model_anger`` a trained anger probability
    where one exists for the language.
    """
    cues = dict(cues)
    if negativity > 0:
        cues["negative_sentiment"] = 0.35 * min(negativity, 1.0)
    if model_anger is not None and model_anger > MODEL_PRIOR:
        cues["anger_model"] = 0.8 * (model_anger - MODEL_PRIOR) / (1.0 - MODEL_PRIOR)
    calm = 1.0
    for strength in cues.values():
        calm *= 1.0 - strength
    fired = tuple(sorted(name for name, strength in cues.items() if strength >= 0.1))
    return AngerEvidence(round(1.0 - calm, 4), fired)


def anger_evidence(
    text: str, lang: str, *, negativity: float = 0.0, model_anger: float | None = None
) -> AngerEvidence:
    """Anger/urgency of ``text``: its cues combined with negativity and a model score."""
    return combine_evidence(text_cues(text, lang), negativity=negativity, model_anger=model_anger)


def is_calm_question(text: str, lang: str, cues: dict[str, float]) -> bool:
    """True for a question or request for information that shows no sign of anger."""
    if cues.keys() & HEATED_CUES:
        return False
    normal = normalise(text)
    if normal.endswith("?"):
        return True
    pattern = _QUESTION_RE.get(lang)
    return bool(pattern and pattern.search(normal))
