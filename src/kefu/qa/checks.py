"""The check evaluators: each reads a transcript and returns an outcome with its evidence spans."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kefu.nlp import service as nlp
from kefu.qa.cues import compile_patterns, find_cue, lexicon_language
from kefu.qa.enums import CheckKind, Cue, Outcome
from kefu.qa.scorecards import CheckSpec
from kefu.qa.transcript import Deadline, Transcript, Turn

SNIPPET_CHARS = 160


@dataclass(frozen=True)
class Span:
    """Where in which turn the evidence for a check stands."""

    turn: int
    start: int
    end: int
    text: str
    label: str
    message_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The span as JSON."""
        return {
            "turn": self.turn,
            "message_id": self.message_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "label": self.label,
        }


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome on one transcript, with the spans that justify it."""

    check_id: str
    outcome: Outcome
    evidence: tuple[Span, ...] = ()
    detail: str = ""
    value: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _span(turn: Turn, bounds: tuple[int, int], label: str) -> Span:
    start, end = bounds
    return Span(turn.index, start, end, turn.text[start:end][:SNIPPET_CHARS], label, turn.message_id)


def _whole(turn: Turn, label: str) -> Span:
    return Span(turn.index, 0, len(turn.text), turn.text[:SNIPPET_CHARS], label, turn.message_id)


def _first(transcript: Transcript, cue: Cue, turns: tuple[Turn, ...] | None = None) -> Span | None:
    """The first occurrence of a cue among the agent's turns (or the turns given)."""
    for turn in transcript.agent_turns if turns is None else turns:
        bounds = find_cue(cue, transcript.language, turn.text)
        if bounds:
            return _span(turn, bounds, cue.value)
    return None


def _before(a: Span, b: Span) -> bool:
    return (a.turn, a.start) < (b.turn, b.start)


def _distressed(transcript: Transcript) -> Span | None:
    """Where the customer shows distress (or None); complaints count as distress."""
    return _first(transcript, Cue.DISTRESS, transcript.customer_turns)


def _na(spec: CheckSpec, detail: str) -> CheckResult:
    return CheckResult(spec.id, Outcome.NOT_APPLICABLE, detail=detail)


def check_phrase(spec: CheckSpec, transcript: Transcript) -> CheckResult:
    """A phrase is required in (or forbidden from) the first, last or any agent turn."""
    agent = transcript.agent_turns
    if not agent:
        return _na(spec, "no agent reply")
    where = spec.params.get("where", "any_agent")
    turns = agent[:1] if where == "first_agent" else agent[-1:] if where == "last_agent" else agent
    patterns = spec.params.get("patterns", {}).get(lexicon_language(transcript.language))
    label = spec.params.get("cue", spec.id)
    found: list[Span] = []
    for turn in turns:
        if patterns:
            match = compile_patterns(patterns).search(turn.text)
            bounds = match.span() if match else None
        else:
            bounds = find_cue(Cue(spec.params["cue"]), transcript.language, turn.text)
        if bounds:
            found.append(_span(turn, bounds, label))
    if spec.params.get("mode", "require") == "forbid":
        if found:
            return CheckResult(spec.id, Outcome.FAILED, tuple(found), f"forbidden {label} phrase used")
        return CheckResult(spec.id, Outcome.PASSED)
    if found:
        return CheckResult(spec.id, Outcome.PASSED, tuple(found[:1]))
    return CheckResult(spec.id, Outcome.FAILED, (_whole(turns[0], f"missing {label}"),), f"no {label} phrase")


def check_classifier(spec: CheckSpec, transcript: Transcript) -> CheckResult:
    """An utterance class (empathy, apology, rudeness) required or forbidden, optionally only when needed."""
    agent = transcript.agent_turns
    if not agent:
        return _na(spec, "no agent reply")
    cue = Cue(spec.params["cue"])
    trigger: Span | None = None
    if spec.params.get("applies", "always") == "complaint_or_distress":
        trigger = _distressed(transcript)
        if trigger is None and not transcript.is_complaint:
            return _na(spec, "no complaint or customer distress")
    hits = [_span(t, b, cue.value) for t in agent if (b := find_cue(cue, transcript.language, t.text))]
    if spec.params.get("mode", "require") == "forbid":
        if hits:
            return CheckResult(spec.id, Outcome.FAILED, tuple(hits), f"{cue.value} detected")
        return CheckResult(spec.id, Outcome.PASSED)
    if hits:
        return CheckResult(spec.id, Outcome.PASSED, tuple(hits[:1]))
    evidence = (trigger,) if trigger else (_whole(agent[0], f"missing {cue.value}"),)
    return CheckResult(spec.id, Outcome.FAILED, evidence, f"no {cue.value} shown")


def check_sequence(spec: CheckSpec, transcript: Transcript) -> CheckResult:
    """Order rules: apologise before proposing a solution (complaints); restate → solve → confirm."""
    if not transcript.agent_turns:
        return _na(spec, "no agent reply")
    solution = _first(transcript, Cue.SOLUTION)
    if spec.params["rule"] == "apology_before_solution":
        if not transcript.is_complaint:
            return _na(spec, "not a complaint")
        apologies = [s for s in (_first(transcript, Cue.APOLOGY), _first(transcript, Cue.EMPATHY)) if s]
        apology = min(apologies, key=lambda s: (s.turn, s.start)) if apologies else None
        if apology is None:
            evidence = (solution,) if solution else (_whole(transcript.agent_turns[0], "missing apology"),)
            return CheckResult(spec.id, Outcome.FAILED, evidence, "no apology or acknowledgement")
        if solution is None or _before(apology, solution):
            return CheckResult(spec.id, Outcome.PASSED, tuple(s for s in (apology, solution) if s))
        return CheckResult(
            spec.id, Outcome.FAILED, (solution, apology), "solution proposed before the apology"
        )
    if solution is None:
        return _na(spec, "no solution offered")
    restate = _first(transcript, Cue.RESTATE)
    confirm = next(
        (
            s
            for t in transcript.agent_turns
            if (b := find_cue(Cue.CONFIRM, transcript.language, t.text))
            and not _before(s := _span(t, b, Cue.CONFIRM.value), solution)
        ),
        None,
    )
    missing = []
    if restate is None or not _before(restate, solution):
        missing.append("problem not restated before the solution")
    if confirm is None:
        missing.append("satisfaction not confirmed after the solution")
    spans = tuple(s for s in (restate, solution, confirm) if s)
    if missing:
        return CheckResult(spec.id, Outcome.FAILED, spans, "; ".join(missing))
    return CheckResult(spec.id, Outcome.PASSED, spans)


def check_timing(spec: CheckSpec, transcript: Transcript) -> CheckResult:
    """First response (or the longest customer wait) against the applied SLA, else a fixed target.

    With the conversation's applied SLA targets (`transcript.deadlines`), a reply passes when it
    came by the deadline of the target that was running when it was sent (first response for the
    first reply, the latest started next-response cycle after that), so business hours and hold
    time count as the SLA counts them; without one, the wait is compared with `target_seconds`.
    """
    fixed = float(spec.params.get("target_seconds", 60))
    waits: list[tuple[float, Turn, Turn]] = []
    waiting: Turn | None = None
    for turn in transcript.turns:
        if turn.at is None:
            continue
        if turn.role == "customer":
            waiting = waiting or turn
        elif waiting is not None and waiting.at is not None:
            waits.append(((turn.at - waiting.at).total_seconds(), waiting, turn))
            waiting = None
    if not waits:
        return _na(spec, "no timed reply to a customer message")
    if spec.params.get("metric", "first_response") == "first_response":
        chosen = [(0, waits[0])]
    else:
        chosen = list(enumerate(waits))
    judged = [(_deadline_for(transcript, position, answered), seconds, asked, answered)
              for position, (seconds, asked, answered) in chosen]
    late = [j for j in judged if _late(j[0], j[1], j[3], fixed)]
    if late:
        deadline, seconds, asked, answered = max(late, key=lambda j: _overrun(j[0], j[1], j[3], fixed))
    else:
        deadline, seconds, asked, answered = max(judged, key=lambda j: j[1])
    evidence = (_whole(asked, "customer wrote"), _whole(answered, "agent replied"))
    target = deadline.target_seconds if deadline else fixed
    source = "the applied SLA" if deadline else "the fixed target"
    detail = f"{seconds:.0f} s against {source} of {target:.0f} s"
    if deadline is not None:
        detail += f" (due {deadline.due_at.isoformat()})"
    extra: dict[str, Any] = {"target_seconds": target, "source": "sla" if deadline else "fixed"}
    if deadline is not None:
        extra["due_at"] = deadline.due_at.isoformat()
    outcome = Outcome.FAILED if late else Outcome.PASSED
    return CheckResult(spec.id, outcome, evidence, detail, value=seconds, extra=extra)


def _deadline_for(transcript: Transcript, position: int, answered: Turn) -> Deadline | None:
    """The SLA target that was running for a reply: first response first, then next-response cycles."""
    if not transcript.deadlines or answered.at is None:
        return None
    metric = "first_response" if position == 0 else "next_response"
    running = [d for d in transcript.deadlines if d.metric == metric and d.started_at <= answered.at]
    return max(running, key=lambda d: d.started_at) if running else None


def _late(deadline: Deadline | None, seconds: float, answered: Turn, fixed: float) -> bool:
    return _overrun(deadline, seconds, answered, fixed) > 0


def _overrun(deadline: Deadline | None, seconds: float, answered: Turn, fixed: float) -> float:
    """Seconds past the deadline (negative when in time)."""
    if deadline is not None and answered.at is not None:
        return (answered.at - deadline.due_at).total_seconds()
    return seconds - fixed


def check_outcome(spec: CheckSpec, transcript: Transcript) -> CheckResult:
    """Outcome facts: resolved on first contact, no transfer, not reopened."""
    metric = spec.params.get("metric", "first_contact_resolution")
    if metric == "no_transfer":
        ok = transcript.transfers == 0
    elif metric == "not_reopened":
        ok = not transcript.reopened
    else:
        ok = transcript.resolved and transcript.transfers == 0 and not transcript.reopened
    detail = f"transfers={transcript.transfers} reopened={transcript.reopened} resolved={transcript.resolved}"
    return CheckResult(spec.id, Outcome.PASSED if ok else Outcome.FAILED, detail=detail)


def check_readability(spec: CheckSpec, transcript: Transcript) -> CheckResult:
    """Every substantial agent reply reads at least at a minimum score (0-100, higher is easier).

    Replies shorter than `min_words` words are not judged: readability formulas mean little on a
    few words ("您好，感谢您联系" scores 0).
    """
    lang = lexicon_language(transcript.language)
    min_words = int(spec.params.get("min_words", 12))
    judged = [t for t in transcript.agent_turns if _word_count(t.text, lang) >= min_words]
    if not judged:
        return _na(spec, f"no agent reply of {min_words} words or more")
    scores = [(nlp.readability(t.text, lang).score, t) for t in judged]
    hardest_score, hardest = min(scores, key=lambda s: s[0])
    minimum = float(spec.params.get("min_score", 35))
    outcome = Outcome.PASSED if hardest_score >= minimum else Outcome.FAILED
    return CheckResult(
        spec.id,
        outcome,
        (_whole(hardest, f"readability {hardest_score:.0f}"),),
        f"hardest reply reads {hardest_score:.0f} against a minimum of {minimum:.0f}",
        value=hardest_score,
    )


def _word_count(text: str, lang: str) -> int:
    return sum(1 for token in nlp.tokenise(text, lang) if any(ch.isalnum() for ch in token))


_CARD_RE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def luhn_valid(digits: str) -> bool:
    """Whether a digit string passes the Luhn checksum of payment card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def check_sensitive_data(spec: CheckSpec, transcript: Transcript) -> CheckResult:
    """The agent shared no full card number, password or code, nor another customer's email address."""
    found: list[Span] = []
    for turn in transcript.agent_turns:
        for match in _CARD_RE.finditer(turn.text):
            digits = re.sub(r"\D", "", match.group())
            if 13 <= len(digits) <= 19 and luhn_valid(digits):
                found.append(_span(turn, match.span(), "card number"))
        bounds = find_cue(Cue.PASSWORD, transcript.language, turn.text)
        if bounds:
            found.append(_span(turn, bounds, "password or code"))
        if transcript.customer_identities:
            for match in _EMAIL_RE.finditer(turn.text):
                if match.group().lower() not in transcript.customer_identities:
                    found.append(_span(turn, match.span(), "another person's email"))
    if found:
        return CheckResult(spec.id, Outcome.FAILED, tuple(found), "sensitive data shared")
    return CheckResult(spec.id, Outcome.PASSED)


EVALUATORS: dict[CheckKind, Callable[[CheckSpec, Transcript], CheckResult]] = {
    CheckKind.PHRASE: check_phrase,
    CheckKind.CLASSIFIER: check_classifier,
    CheckKind.SEQUENCE: check_sequence,
    CheckKind.TIMING: check_timing,
    CheckKind.OUTCOME: check_outcome,
    CheckKind.READABILITY: check_readability,
    CheckKind.SENSITIVE_DATA: check_sensitive_data,
}
