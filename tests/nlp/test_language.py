"""Language ID promises: scripts, id/ms arbitration with context, confidence, other, eval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kefu.nlp.language.detector import LanguageHints, detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("我的订单还没到，我要退款", "zh"),
        ("我的order还没到", "zh"),
        ("สวัสดีครับ ผมอยากยกเลิกโปรเน็ต", "th"),
        ("Fashion Island ชั้น 2 ฝั่ง Big C", "th"),
        ("Tôi muốn hoàn tiền cho đơn hàng này", "vi"),
        ("cam on ban nhieu", "vi"),
        ("Where is my parcel? It has been two weeks.", "en"),
        ("Nguyen Van An here, where is my refund?", "en"),
        ("Kapan barangnya sampai? Saya sudah bayar kemarin", "id"),
        ("Bila barang saya akan sampai? Saya dah bayar semalam", "ms"),
        ("gak bisa login, gimana nih kak", "id"),
        ("tak boleh log masuk, camne nak buat", "ms"),
        ("Kerajaan negeri akan mengumumkan keputusan itu selepas mesyuarat minggu hadapan", "ms"),
        ("Pemerintah provinsi akan mengumumkan keputusan itu setelah rapat minggu depan", "id"),
    ],
)
def test_detects_the_six_languages(text: str, lang: str) -> None:
    assert detect_language(text).lang == lang


@pytest.mark.parametrize(
    "text",
    [
        "Hola, quiero un reembolso por favor",
        "Guten Tag, ich möchte eine Rückerstattung",
        "Bonjour, je voudrais annuler ma commande",
        "こんにちは、返金したいです",
        "안녕하세요 환불해주세요",
        "Здравствуйте, где мой заказ?",
    ],
)
def test_other_languages_are_other(text: str) -> None:
    assert detect_language(text).lang == "other"


def test_market_and_customer_hints_settle_ambiguous_malay_indonesian() -> None:
    text = "terima kasih"
    assert detect_language(text, hints=LanguageHints(country="MY")).lang == "ms"
    assert detect_language(text, hints=LanguageHints(country="ID")).lang == "id"
    assert detect_language(text, hints=LanguageHints(customer_language="ms")).lang == "ms"
    assert detect_language(text, hints=LanguageHints(previous=("id", "id"))).lang == "id"


def test_hints_do_not_override_clear_text() -> None:
    malay_customer = LanguageHints(customer_language="ms", country="MY")
    assert detect_language("Where is my order? I paid last week.", hints=malay_customer).lang == "en"
    assert detect_language("gue gak ngerti kenapa belum dikirim", hints=malay_customer).lang == "id"


def test_no_letters_fall_back_to_context_with_low_confidence() -> None:
    guess = detect_language("👍👍 12345", hints=LanguageHints(previous=("th",)))
    assert (guess.lang, guess.low_confidence) == ("th", True)
    bare = detect_language("😡😡😡")
    assert (bare.lang, bare.confidence) == ("other", 0.0)


def test_confidence_is_high_for_clear_text_and_low_for_a_bare_ok() -> None:
    assert detect_language("Saya mahu pulangan wang kerana barang rosak").confidence > 0.8
    assert detect_language("ok").low_confidence


def test_eval_language_command_reports_id_ms_confusion(tmp_path: Path) -> None:
    from kefu.cli import main

    rows = [
        {"text": "Where is my order?", "lang": "en"},
        {"text": "Saya mahu pulangan wang kerana barang rosak", "lang": "ms"},
        {"text": "Kapan barangnya sampai? Saya sudah bayar kemarin", "lang": "id"},
        {"text": "我要退款", "lang": "zh"},
    ]
    path = tmp_path / "lid.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "language", "--test", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n"] == 4
    assert report["accuracy"] == 1.0
    assert report["id_as_ms"] == 0.0 and report["ms_as_id"] == 0.0


def test_eval_language_needs_a_file_or_a_suite() -> None:
    from kefu.cli import main

    result = CliRunner().invoke(main, ["eval", "language"])
    assert result.exit_code != 0


def test_idms_table_learns_which_words_mark_which_language() -> None:
    from kefu.nlp.training.language import Doc, fit_idms_table

    docs = [
        Doc(("saya", "mahu", "wang"), "ms", "chat", 0),
        Doc(("saya", "mau", "uang"), "id", "chat", 0),
    ]
    table = fit_idms_table(docs)
    assert table.log_odds["mahu"] > 0 > table.log_odds["mau"]
    assert abs(table.log_odds["saya"]) < 0.5
    assert table.unknown == 0.0


def test_shipped_latin_model_is_small_and_loads() -> None:
    from kefu.nlp.language.model import PARAMS_FILE, WORDS_FILE, artifact_dir, load_latin_model

    folder = artifact_dir()
    assert (folder / WORDS_FILE).stat().st_size + (folder / PARAMS_FILE).stat().st_size < 5_000_000
    evidence = load_latin_model().evidence(["where", "is", "my", "order"])
    assert max(evidence.group_loglik, key=evidence.group_loglik.__getitem__) == "en"
