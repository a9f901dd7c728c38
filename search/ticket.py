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
    r"from:\s.+|el\b.{0,200}\bescribi[oó]:?\s*$|begin forwarded message:?)", re.IGNORECASE)
#: A line that starts a signature: "-- " (the e-mail convention) or a short sign-off.
SIGNATURE_MARK = re.compile(r"^\s*(--|__)\s*$")
SIGN_OFF = re.compile(
    r"^\s*(thanks?( you)?( (so|very) much)?( in advance| again| for your (time|help))?|many thanks|"
    r"cheers|regards|"
    r"best( wishes| regards)?|all the best|(kind|warm)(est)? (regards|wishes)|sincerely( yours)?|"
    r"yours( sincerely| faithfully| truly)?|(speak|talk) soon|take care|have a (good|nice|great) (day|one)|"
    r"thx|ta|saludos|gracias|atentamente|un saludo|sent from my \w+.*)\s*[,.!]*\s*$", re.IGNORECASE)
#: Any short line ending in a comma after the body ("Warmest wishes,", "Speak soon,"), when only short
#: lines follow it, is taken for a sign-off too.
CLOSING = re.compile(r"^\s*\w[\w' ]{0,40},\s*$")
#: Lines after a sign-off this long or shorter are taken for the signature (name, role, phone).
SIGNATURE_LINE = 80
#: A greeting at the start of a line, with a name or "team" after it, ended by punctuation or, with
#: at most three words after it, by the end of the line ("Hi there" alone in a chat turn).
GREETING = re.compile(
    r"^\s*(hi|hello|hey|hiya|dear|greetings|good (morning|afternoon|evening|day)|to whom it may concern|"
    r"hola|buenos d[ií]as|buenas( tardes| noches)?|estimad[oa]s?)\b"
    r"([^,.!:\n]{0,40}[,.!:]+\s*|( [\w'/-]+){0,3}\s*$)", re.IGNORECASE)
#: Words of legal footers: a paragraph with two of them is a disclaimer.
DISCLAIMER_WORDS = re.compile(
    r"\b(confidential(ity)?|privileged|intended (solely )?(only )?for|intended recipient|disclaimer|"
    r"received this (e-?mail|message|communication) in error|notify the sender|unauthori[sz]ed|"
    r"any attachments?|virus(es)?|legally binding|do not (print|reply)|environment before printing)\b",
    re.IGNORECASE)
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
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
SENTENCE_END = re.compile(rf"(?<=[.!?:])\s+|\n+|(?<=[a-z0-9])\s+(?=(?:{STARTERS})\b)")
BEFORE_I_WORDS = frozenset(BEFORE_I.split("|"))
DETERMINERS = frozenset(["the", "a", "an", "every", "each", "any", "some", "only", "first", "last", "one",
                         "all"])
I_START = re.compile(r"(?<=[a-z0-9])\s+(?=I\b)")
#: What a sentence that states the problem tends to contain (English and Spanish).
PROBLEM_WORDS = re.compile(
    r"\b(can'?t|cannot|can not|couldn'?t|won'?t|wouldn'?t|doesn'?t|don'?t|didn'?t|isn'?t|aren'?t|"
    r"wasn'?t|haven'?t|hasn'?t|not|never|no longer|unable|error|errors|fail(s|ed|ing|ure)?|broken|"
    r"wrong|missing|lost|stolen|stuck|declined|rejected|charged|refund\w*|cancel\w*|problem|issue|"
    r"help|need|want|would like|how|why|what|when|where|which|is there|no puedo|no funciona|error|"
    r"problema|ayuda|necesito|quiero|c[oó]mo|por qu[eé])\b", re.IGNORECASE)
#: A request in the imperative at the start of a sentence ("Send me a new card", "Cancel my order"),
#: after an optional "please": it states what the customer wants as a question does.
REQUEST_START = re.compile(
    r"^\s*(please\s+|(kindly|pls|plz)\s+)?(tell|give|show|send|find|get|set|book|call|cancel|change|check|"
    r"help|explain|remind|add|remove|delete|close|open|order|make|put|turn|transfer|pay|reset|unlock|unblock|"
    r"freeze|block|update|list|read|play|text)\b", re.IGNORECASE)
QUESTION_START = re.compile(
    r"^\s*(how|what|why|when|where|which|who|can|could|is|are|am|do|does|did|will|would|should|may|"
    r"c[oó]mo|qu[eé]|por qu[eé]|cu[aá]ndo|d[oó]nde|puedo|hay)\b", re.IGNORECASE)
#: Talk about the contact itself rather than the problem: asking for a reply or a call, apologising
#: for writing, thanking for patience, where or how the customer looked for help. Such a sentence
#: rarely states the problem, however well its words match an article ("how long it takes to get an
#: answer", "call me any weekday"); it is discounted, not dropped.
META = re.compile(
    r"\b(let (me|us) know|get back to (me|us)|hear (back )?from you|"
    r"(reply|respond|answer) (to (me|this)|back|"
    r"soon|quickly|asap)|(get|got|getting|receive|received) (an? |any )?(answer|reply|response)|"
    r"(quick|prompt|fast|speedy|early|swift) (reply|response|answer)|(call|ring|phone|"
    r"text|email|e-mail|contact|reach) (me|us)\b|(i|i'm|i am|we are|i have been|i've been) (writing|emailing|"
    r"contacting|reaching out)|writing (to you|this|from|because|again)|this (message|email|e-mail|letter)|"
    r"sorry (to bother|for (the|any|my|bothering))|apolog(y|ies|ise|ize)|bear with me|in advance|"
    r"(your|for the|for your) (patience|time|help)|"
    r"(would|will) (be|really) (great|lovely|appreciated|grateful)|"
    r"(appreciate|grateful for) (a|any|your|it)|hope (this|you|that|we|someone|to hear)|"
    r"(on|your|the) (website|web site|help pages?|faq|forums?|hotline)|waiting (time|on the phone|on hold)|"
    r"on hold|(been|am|as) a (loyal |long[- ]time |good )?customer|customer (for|since)|"
    r"(my|the|one) (main |real |only )?(question|problem|issue|point|thing|reason)"
    r"( i'?m| i am)?( writing| asking)? "
    r"(is|was)( this| that| as follows| simple)?(?=\s*[.:]?\s*$)|to (get|cut) to the (point|chase))\b",
    re.IGNORECASE)
#: A short sentence ending in a colon announces what follows ("My question:", "Quick one:").
ANNOUNCEMENT = re.compile(r"^\W*(\w+\W+){0,5}\w*:\s*$")
#: A speaker label at the start of a transcript line ("[10:02] Agent (Maya): ...", "Customer: ...").
#: The support side's turns are dropped; the customer's are kept without the label.
SPEAKER = re.compile(
    r"^\s*(?:\[?\(?\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\]?\)?\s*[-|]?\s*)?"
    r"(?P<who>[A-Za-z][\w'.-]*(?: [A-Za-z][\w'.-]*)?)\s*(?:\([^)]{0,40}\))?\s*:\s*", re.IGNORECASE)
SUPPORT_SIDE = frozenset(["agent", "support", "rep", "representative", "operator", "advisor", "adviser",
                          "assistant", "bot", "system", "staff", "helpdesk", "concierge", "specialist"])
CUSTOMER_SIDE = frozenset(["customer", "caller", "client", "user", "visitor", "guest", "member", "me",
                           "cliente", "usuario"])
#: Words of courtesy: a sentence made only of them ("no that's all, thanks", "ok great, bye") closes
#: the contact and states no problem, however well it matches a "thank you" article.
COURTESY = frozenset("""thanks thank thx ty cheers bye goodbye appreciate appreciated that's thats that is
    it's all everything nothing else no yes ok okay great perfect lovely brilliant awesome fine sure alright
    good nice have a the day evening one so very much again you for your help time then i that'll do will
    be gracias adios vale nada mas""".split())
COURTESY_CORE = frozenset(
    "thanks thank thx ty cheers bye goodbye appreciate appreciated all gracias adios".split())
#: Marks a line of a transcript that is not the customer's own words (a note, a header): kept, flagged.
ASIDE = "\u2063"
MAX_SENTENCE_CHARS = 400


@dataclass(frozen=True)
class Sentence:
    """One sentence of the ticket body, its position and how much it reads like the problem."""

    text: str
    position: int
    cue: float
    #: Talk about the contact itself (see META), not the problem.
    meta: bool = False
    #: Not the customer's own words: an unlabelled line of a transcript or call notes that labels
    #: the customer's lines (the agent's notes, a header).
    aside: bool = False
    #: Only words of courtesy (see COURTESY): "no that's all, thanks".
    courtesy: bool = False


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
        closing = SIGN_OFF.match(line) or (
            CLOSING.match(line) and any(len(before.split()) >= 5 for before in lines[:number]))
        if closing and all(len(rest) <= SIGNATURE_LINE for rest in lines[number + 1:]):
            return "\n".join(lines[:number])
    return text


def strip_disclaimers(text: str) -> str:
    """Paragraphs with two or more legal-footer phrases are dropped."""
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(p for p in paragraphs if len(DISCLAIMER_WORDS.findall(p)) < 2)


def strip_tokens(text: str) -> str:
    """Links, e-mail addresses and reference or phone numbers replaced by a space."""
    return REFERENCE.sub(" ", EMAIL.sub(" ", URL.sub(" ", text)))


def strip_speakers(text: str) -> str:
    """Transcript lines: the support side's turns dropped, the customer's kept without their label,
    other lines (the agent's own notes, headers) kept but marked ``ASIDE`` when a customer's line
    is labelled.

    Only when at least two lines carry a known speaker label, so "Error: ..." in a plain ticket stays."""
    lines = text.splitlines()
    labels = [(m.group("who").split()[0].lower(), m.end()) if (m := SPEAKER.match(line)) else (None, 0)
              for line in lines]
    if sum(who in SUPPORT_SIDE | CUSTOMER_SIDE for who, _ in labels) < 2:
        return text
    labelled = any(who in CUSTOMER_SIDE for who, _ in labels)
    kept = []
    for line, (who, end) in zip(lines, labels):
        if who in SUPPORT_SIDE:
            kept.append("")
        elif who in CUSTOMER_SIDE:
            kept.append(line[end:])
        else:
            kept.append(ASIDE + line if labelled and line.strip() else line)
    return "\n".join(kept)


def strip_greetings(text: str) -> str:
    """A greeting at the start of a line ("Hi team," "Dear Sir or Madam,") is dropped."""
    return "\n".join(GREETING.sub("", line, count=1) for line in text.splitlines())


def clean(text: str) -> str:
    """The ticket body without quoted replies, signature, disclaimers, greetings and references."""
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text.replace("\r\n", "\n"))
    text = strip_quoted(text)
    text = strip_speakers(text)
    text = strip_disclaimers(text)
    text = strip_signature(text)
    text = strip_greetings(text)
    return strip_tokens(text)


def courteous(sentence: str) -> bool:
    """Only words of courtesy, at least one of thanks or farewell ("no that's all, thanks")."""
    words = re.findall(r"[\w']+", sentence.lower())
    return bool(words) and all(w in COURTESY for w in words) and any(w in COURTESY_CORE for w in words)


def cue(sentence: str) -> float:
    """0 to 1: how much a sentence reads like the customer's problem (a question or a request in
    the imperative; a failure or a need)."""
    score = 0.0
    if sentence.rstrip().endswith("?") or QUESTION_START.match(sentence) or REQUEST_START.match(sentence):
        score += 0.5
    if PROBLEM_WORDS.search(sentence):
        score += 0.5
    return score


def split(text: str) -> list[str]:
    """Sentences of plain text: at . ! ? : and line breaks, and before a capitalised word that starts
    a sentence when the text has no punctuation ("i need to call my friend I looked around")."""
    parts = []
    for chunk in SENTENCE_END.split(text):
        pieces = I_START.split(chunk)
        current = pieces[0]
        for piece in pieces[1:]:
            words = current.lower().split()
            last = words[-1] if words else ""
            # "The reason I am writing", "This is the second time I asked": a writer who capitalises
            # has a relative clause here, not a new sentence (one who does not writes "i" anyway)
            relative = current.lstrip()[:1].isupper() and DETERMINERS.intersection(words[-3:-1])
            # a writer who types "i" does not switch to "I" mid-sentence: "what am i to do I looked"
            lowercase_i = " i " in f" {current} "
            if (last in BEFORE_I_WORDS and not lowercase_i) or len(words) < 2 or relative:
                current += " " + piece
            else:
                parts.append(current)
                current = piece
        parts.append(current)
    return parts


def sentences(text: str) -> list[Sentence]:
    """The cleaned body split into sentences (each cut at MAX_SENTENCE_CHARS), with their cues."""
    found = []
    for line in clean(text).split("\n"):
        aside = line.lstrip().startswith(ASIDE)
        for part in split(line.replace(ASIDE, "")):
            part = " ".join(part.split())[:MAX_SENTENCE_CHARS]
            if sum(ch.isalpha() for ch in part) >= 3 and not SIGN_OFF.match(part):
                meta = bool(META.search(part) or ANNOUNCEMENT.match(part))
                found.append(Sentence(part, len(found), cue(part), meta, aside, courteous(part)))
    return found
