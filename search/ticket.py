"""Ticket text to the customer's problem: noise dropped, sentences weighed. Plain text, no Whoosh.

A ticket, chat transcript or call note carries much besides the question: greetings, sign-offs and
signatures, earlier replies quoted below (``>`` lines, "On ... wrote:", "-----Original Message-----"),
legal disclaimers, order and ticket numbers, links, e-mail addresses and a story around the problem.
:func:`clean` removes what can be recognised by its shape; :func:`sentences` splits the rest and
:func:`cue` says how much a sentence reads like a statement of the problem (a question, a failure,
a request). Which sentences carry the most informative words is decided against the index by
``search/recommend.py``; nothing here knows any knowledge base.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: A line that starts a quoted earlier message: everything from it on is the old thread.
QUOTE_HEADER = re.compile(
    r"^\s*(on\b.{0,200}\bwrote:?\s*$|-{2,}\s*original message\s*-{2,}|_{5,}\s*$|"
    r"from:\s.+|el\b.{0,200}\bescribi[oó]:?\s*$|begin forwarded message:?)", re.I)
#: A line that starts a signature: "-- " (the e-mail convention) or a short sign-off.
SIGNATURE_MARK = re.compile(r"^\s*(--|__)\s*$")
SIGN_OFF = re.compile(
    r"^\s*(thanks?( you)?( (so|very) much)?( in advance)?|many thanks|cheers|regards|best( wishes| regards)?|"
    r"kind(est)? regards|warm regards|sincerely( yours)?|yours( sincerely| faithfully| truly)?|"
    r"thx|ta|saludos|gracias|atentamente|un saludo|sent from my \w+.*)\s*[,.!]*\s*$", re.I)
#: Lines after a sign-off this long or shorter are taken for the signature (name, role, phone).
SIGNATURE_LINE = 80
#: A greeting at the start of a line, with a name or "team" after it.
GREETING = re.compile(
    r"^\s*(hi|hello|hey|hiya|dear|greetings|good (morning|afternoon|evening|day)|to whom it may concern|"
    r"hola|buenos d[ií]as|buenas( tardes| noches)?|estimad[oa]s?)\b[^,.!:\n]{0,40}[,.!:]+\s*", re.I)
#: Words of legal footers: a paragraph with two of them is a disclaimer.
DISCLAIMER_WORDS = re.compile(
    r"\b(confidential(ity)?|privileged|intended (solely )?(only )?for|intended recipient|disclaimer|"
    r"received this (e-?mail|message|communication) in error|notify the sender|unauthori[sz]ed|"
    r"any attachments?|virus(es)?|legally binding|do not (print|reply)|environment before printing)\b", re.I)
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Reference numbers: "#12345", "ORD-2024-0091", "ticket 884213", long digit runs, phone numbers.
REFERENCE = re.compile(r"(?<!\w)(#\s?[\w-]*\d[\w-]*|[A-Za-z]{1,6}[-_/]\d[\d-]{3,}|\d{5,}|\+?\d[\d\s().-]{5,}\d)(?!\w)")
#: Where a sentence ends: after . ! ? and at line breaks; and, for text typed without punctuation,
#: before a capitalised word that usually starts a sentence, after a lowercase word.
STARTERS = ("My|It|It's|This|That|The|There|Please|If|Honestly|Anyway|Also|So|But|And|We|You|Thanks|"
            "Thank|Sorry|Could|Can|Would|Is|Are|Do|Does|When|What|How|Why|Where|Since|Yesterday|Today|"
            "Last|Now|Then|Mi|Es|Por|Gracias|Hola|Pero|Cuando|Ayer|Hoy")
#: Words after which "I" goes on the same sentence ("how do I", "and I"); after others it starts one.
BEFORE_I = ("can|do|did|does|should|could|would|will|may|might|must|shall|have|had|am|was|where|what|"
            "when|how|why|which|who|if|that|and|but|so|or|as|because|since|until|while|than|then|once|"
            "after|before|whether|though|although|unless|till|where|now|today|yesterday")
SENTENCE_END = re.compile(rf"(?<=[.!?])\s+|\n+|(?<=[a-z0-9])\s+(?=(?:{STARTERS})\b)")
BEFORE_I_WORDS = frozenset(BEFORE_I.split("|"))
I_START = re.compile(r"(?<=[a-z0-9])\s+(?=I\b)")
#: What a sentence that states the problem tends to contain (English and Spanish).
PROBLEM_WORDS = re.compile(
    r"\b(can'?t|cannot|can not|couldn'?t|won'?t|wouldn'?t|doesn'?t|don'?t|didn'?t|isn'?t|aren'?t|"
    r"wasn'?t|haven'?t|hasn'?t|not|never|no longer|unable|error|errors|fail(s|ed|ing|ure)?|broken|"
    r"wrong|missing|lost|stolen|stuck|declined|rejected|charged|refund\w*|cancel\w*|problem|issue|"
    r"help|need|want|would like|how|why|what|when|where|which|is there|no puedo|no funciona|error|"
    r"problema|ayuda|necesito|quiero|c[oó]mo|por qu[eé])\b", re.I)
QUESTION_START = re.compile(
    r"^\s*(how|what|why|when|where|which|who|can|could|is|are|am|do|does|did|will|would|should|may|"
    r"c[oó]mo|qu[eé]|por qu[eé]|cu[aá]ndo|d[oó]nde|puedo|hay)\b", re.I)
MAX_SENTENCE_CHARS = 400


@dataclass(frozen=True)
class Sentence:
    """One sentence of the ticket body, its position and how much it reads like the problem."""

    text: str
    position: int
    cue: float


def strip_quoted(text: str) -> str:
    """The text before any quoted earlier message, without ``>`` lines."""
    kept = []
    for line in text.splitlines():
        if QUOTE_HEADER.match(line):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept)


def strip_signature(text: str) -> str:
    """The text before a ``--`` line, or before a sign-off followed only by short lines."""
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if SIGNATURE_MARK.match(line):
            return "\n".join(lines[:number])
        if SIGN_OFF.match(line) and all(len(rest) <= SIGNATURE_LINE for rest in lines[number + 1:]):
            return "\n".join(lines[:number])
    return text


def strip_disclaimers(text: str) -> str:
    """Paragraphs with two or more legal-footer phrases are dropped."""
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(p for p in paragraphs if len(DISCLAIMER_WORDS.findall(p)) < 2)


def strip_tokens(text: str) -> str:
    """Links, e-mail addresses and reference or phone numbers replaced by a space."""
    return REFERENCE.sub(" ", EMAIL.sub(" ", URL.sub(" ", text)))


def strip_greetings(text: str) -> str:
    """A greeting at the start of a line ("Hi team," "Dear Sir or Madam,") is dropped."""
    return "\n".join(GREETING.sub("", line, count=1) for line in text.splitlines())


def clean(text: str) -> str:
    """The ticket body without quoted replies, signature, disclaimers, greetings and references."""
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text.replace("\r\n", "\n"))
    text = strip_quoted(text)
    text = strip_disclaimers(text)
    text = strip_signature(text)
    text = strip_greetings(text)
    return strip_tokens(text)


def cue(sentence: str) -> float:
    """0 to 1: how much a sentence reads like the customer's problem (question, failure, request)."""
    score = 0.0
    if sentence.rstrip().endswith("?") or QUESTION_START.match(sentence):
        score += 0.5
    if PROBLEM_WORDS.search(sentence):
        score += 0.5
    return score


def split(text: str) -> list[str]:
    """Sentences of plain text: at . ! ? and line breaks, and before a capitalised word that starts
    a sentence when the text has no punctuation ("i need to call my friend I looked around")."""
    parts = []
    for chunk in SENTENCE_END.split(text):
        pieces = I_START.split(chunk)
        current = pieces[0]
        for piece in pieces[1:]:
            last = current.rsplit(None, 1)[-1].lower() if current.strip() else ""
            if last in BEFORE_I_WORDS or len(current.split()) < 2:
                current += " " + piece
            else:
                parts.append(current)
                current = piece
        parts.append(current)
    return parts


def sentences(text: str) -> list[Sentence]:
    """The cleaned body split into sentences (each cut at MAX_SENTENCE_CHARS), with their cues."""
    found = []
    for part in split(clean(text)):
        part = " ".join(part.split())[:MAX_SENTENCE_CHARS]
        if sum(ch.isalpha() for ch in part) >= 3 and not SIGN_OFF.match(part):
            found.append(Sentence(part, len(found), cue(part)))
    return found
