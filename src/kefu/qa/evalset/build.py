"""Builds `qa_eval.jsonl` from the scripted turns: `python -m kefu.qa.evalset.build` (seeded, repeatable)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kefu.qa.evalset.phrases import PHRASES

PER_LANGUAGE = 56
SEED = 20261207
OUTPUT = Path(__file__).with_name("qa_eval.jsonl")


def _conversation(rng: random.Random, lang: str, number: int) -> dict[str, Any]:
    """One scripted conversation and the labels its script implies."""
    p = PHRASES[lang]
    pick = rng.choice
    complaint = rng.random() < 0.45
    greet = rng.random() < 0.8
    greet_late = not greet and rng.random() < 0.3  # a greeting that is not the agent's first words
    close = rng.random() < 0.75
    close_early = not close and rng.random() < 0.3  # a closing phrase, then more agent text
    empathic = rng.random() < (0.7 if complaint else 0.3)
    order = (
        rng.choices(["apology_first", "solution_first", "no_apology"], [0.6, 0.25, 0.15])[0]
        if complaint
        else "none"
    )
    restate = rng.random() < 0.7
    confirm = rng.random() < 0.7
    confirm_early = not confirm and rng.random() < 0.3  # a confirmation question before any solution
    rude = rng.random() < 0.12
    forbidden = rng.random() < 0.12
    sensitive = rng.random() < 0.08
    slow = rng.random() < 0.25
    hard = rng.random() < 0.1

    agent: list[str] = []
    if greet:
        agent.append(pick(p["greeting"]))
    else:
        agent.append(pick(p["opener_plain"]))
        if greet_late:
            agent.append(pick(p["greeting"]))
    if confirm_early:
        agent.append(pick(p["confirm"]))
    acknowledgement: list[str] = []
    if empathic:
        acknowledgement.append(pick(p["empathy"]))
    if complaint and order != "no_apology":
        acknowledgement.append(pick(p["apology"]))
    body: list[str] = []
    if order != "solution_first":
        body += acknowledgement
    if restate:
        body.append(pick(p["restate"]))
    body.append(pick(p["filler"]))
    if hard:
        body.append(pick(p["hard"]))
    if rude:
        body.append(pick(p["rude"]))
    if forbidden:
        body.append(pick(p["forbidden"]))
    body.append(pick(p["solution"]))
    if order == "solution_first":
        body += acknowledgement
    if sensitive:
        body.append(pick(p["sensitive"]))
    if confirm:
        body.append(pick(p["confirm"]))
    agent += body
    if close:
        agent.append(pick(p["closing"]))
    elif close_early:
        agent.insert(len(agent) - 1, pick(p["closing"]))

    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC) + timedelta(hours=number)
    first_gap = rng.randint(90, 600) if slow else rng.randint(5, 55)
    messages = [
        {"role": "customer", "text": pick(p["complain"] if complaint else p["ask"]), "at": start.isoformat()}
    ]
    at = start + timedelta(seconds=first_gap)
    for text in agent:
        messages.append({"role": "agent", "text": text, "at": at.isoformat()})
        at += timedelta(seconds=rng.randint(10, 40))
    messages.insert(
        len(messages) - 1 if len(messages) > 3 else len(messages),
        {"role": "customer", "text": pick(p["thanks"]), "at": (at - timedelta(seconds=5)).isoformat()},
    )
    messages.sort(key=lambda m: m["at"])

    labels = {
        "greeting": greet,
        "closing": close,
        "empathy": empathic or not complaint,
        "apology_before_solution": not complaint or order == "apology_first",
        "three_step_confirmation": restate and confirm,
        "forbidden_phrase": not forbidden,
        "rudeness": not rude,
        "first_response_time": not slow,
        "readability": not hard,
        "sensitive_data": not sensitive,
    }
    return {
        "id": f"{lang}-{number:03d}",
        "language": lang,
        "is_complaint": complaint,
        "messages": messages,
        "labels": labels,
    }


def build() -> list[dict[str, Any]]:
    """Every conversation of the set, in a fixed order."""
    rng = random.Random(SEED)
    return [_conversation(rng, lang, n) for lang in PHRASES for n in range(PER_LANGUAGE)]


def main() -> None:
    """Write the set next to this module."""
    rows = build()
    OUTPUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} conversations to {OUTPUT}")


if __name__ == "__main__":
    main()
