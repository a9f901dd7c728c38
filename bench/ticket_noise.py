"""Ticket noise for bench/recommend.py: two disjoint template families, tuning and test.

A judged query is wrapped in what surrounds a customer's question in real support text. The
``tune`` family is the one the constants of ``search/recommend.py`` and ``search/ticket.py`` are
chosen on: e-mails, chat transcripts and call notes, whose story sentences include everyday
chatter that states no problem (trains, football, a birthday dinner). The ``test`` family shares
no template with it: other greetings, story sentences, sign-offs, signatures, disclaimers, quoted
replies, agent turns and call-note lines (the chat and call-note styles and the ``tune`` family's
chatter were added after the first test run showed a gap; the ``test`` family is unchanged). The
noise never uses a set's documents or answers: the same templates serve every set.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

MIN_WORDS = 150
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class Family:
    """One family of templates; ``styles`` name the ticket shapes drawn from (``email``, ...)."""

    names: list[str]
    greetings: list[str]
    before: list[str]
    lead_ins: list[str]
    after: list[str]
    sign_offs: list[str]
    signatures: list[str]
    disclaimers: list[str]
    quoted: list[str]
    streets: list[str]
    styles: tuple[str, ...] = ("email",)
    agent_lines: tuple[str, ...] = ()
    note_lines: tuple[str, ...] = ()


TUNE = Family(
    names=["Sam Taylor", "Priya Shah", "Tom Becker", "Ana Lopez", "Chris Morgan", "Li Wei", "Fatima Khan",
           "John O'Neill", "Maria Rossi", "Ben Adeyemi"],
    greetings=["Hi,", "Hello,", "Hi there,", "Dear Support Team,", "Good morning,", "Hello team,",
               "Dear Sir or Madam,", "Hey,", "Good afternoon,", "To whom it may concern,"],
    before=[
        "I hope this message finds you well.",
        "I have been a customer for {years} years and I have never had to write to you before.",
        "Sorry to bother you, I tried calling yesterday but the waiting time was far too long.",
        "I am writing from my partner's laptop because mine is being repaired at the moment.",
        "Last week was very busy for me with work and the kids, so I only noticed this now.",
        "A friend told me that writing an email is quicker than waiting on the phone.",
        "I am not very good with technology, so please bear with me.",
        "I was on holiday for two weeks and only got back on {day}.",
        "This is the second time I am writing about this, so I hope someone can look at it properly.",
        "My daughter usually sorts these things out for me but she is away this month.",
        "I have already spent most of my lunch break trying to figure this out.",
        "I don't usually complain, but this has been going on for a while now.",
        "Our kitchen is being redone so the whole house is full of dust and builders.",
        "I just got back from dropping the kids at swimming practice.",
        "The trains were cancelled again this morning so I am working from home.",
        "We are planning a trip to see my in-laws in Portugal next month.",
        "I spent the weekend helping my sister move into her new flat.",
    ],
    lead_ins=["", "", "Anyway, the reason I am writing: ", "So my question is this. ", "Basically, ",
              "To get to the point: "],
    after=[
        "I looked around on your website but I could not find a clear answer.",
        "My neighbour said something similar happened to her last year.",
        "I would appreciate a quick reply as I am travelling on {day}.",
        "Please let me know if you need anything else from me.",
        "I can't believe how long it takes to get an answer these days.",
        "I tried to sort it out myself on {day} evening but gave up after an hour.",
        "If it is easier, you can call me any weekday after five.",
        "I really hope we can settle this without too much back and forth.",
        "Honestly I am quite frustrated, but I know it is not your fault personally.",
        "It would be great if you could also confirm by email once it is done.",
        "My football team lost again on Saturday so it has not been a great week.",
        "I have a dentist appointment at three, so I may not answer straight away.",
        "We are hosting a birthday dinner tonight and I still have to do the shopping.",
        "The heating in our building has been off for days, which does not help.",
        "I am learning Spanish in the evenings, so I am online quite late.",
    ],
    sign_offs=["Thanks,", "Kind regards,", "Best regards,", "Many thanks,", "Cheers,", "Thank you,", "Regards,"],
    signatures=["{name}\nOrder number: ORD-{ref}\nPhone: +44 20 7946 {phone}",
                "{name}\nCustomer ID {ref}\nSent from my iPhone",
                "{name}\n{street}\nMobile 07700 {phone}{phone2}",
                "--\n{name}\nAccount ref #{ref}\n{email}"],
    disclaimers=[
        ("This e-mail and any attachments are confidential and intended solely for the addressee. If you "
        "have received this message in error, please notify the sender and delete it."),
        ("CONFIDENTIALITY NOTICE: the information in this email is privileged and intended only for the "
        "intended recipient. Any unauthorised use is prohibited. Please consider the environment before printing."),
    ],
    quoted=[
        ("On {date}, Customer Support <support@example.com> wrote:\n> Hello {first},\n> Thank you for "
        "contacting us. Your reference number is {ref}.\n> A member of our team will get back to you within "
        "two working days.\n> Kind regards,\n> The Support Team"),
        ("-----Original Message-----\nFrom: Customer Support <help@example.com>\nSent: {date}\nSubject: Your "
        "request {ref}\n\nDear {first},\nWe have received your message and will reply as soon as possible. "
        "Please do not reply to this automated email."),
    ],
    streets=["12 High Street, Leeds", "4 Park Road, Bristol", "77 Mill Lane, York", "9 Church Street, Bath"],
    styles=("email", "chat", "notes"),
    agent_lines=(
        "Welcome to our live help, my name is {agent}. What can I do for you?",
        "Oh no, I am sorry about that. I will check it straight away.",
        "Can you give me your full name and date of birth for security?",
        "Great, that matches. One moment while I pull up your details.",
        "Can I help with anything else before you go?",
        "I completely understand why you are upset.",
    ),
    note_lines=(
        "Phone call at {time}, lasted {minutes} minutes. Security questions passed.",
        "Customer sounded stressed, mentioned they were on a lunch break at work.",
        "Reviewed previous tickets: one closed complaint, last spoke to us on {day}.",
        "Told customer the standard response time and logged reference TKT-{ref}.",
        "Wants any update sent by text message rather than a phone call.",
        "Customer thanked me at the end and hung up.",
    ),
)

TEST = Family(
    names=["Olivia Brennan", "Rahul Mehta", "Grace Kim", "Diego Alvarez", "Hannah Schmidt", "Kwame Mensah",
           "Sofia Novak", "Peter Lindqvist", "Aisha Rahman", "Luca Bianchi"],
    greetings=["Hi support,", "Morning,", "Hello there,", "Dear customer service,", "Hi folks,",
               "Good evening,", "Dear all,", "Hiya,", "Hello again,", "Dear Madam/Sir,"],
    before=[
        "We moved house in the spring and things have been chaotic ever since.",
        "My phone battery is almost gone so I will keep this short.",
        "I'm asking on behalf of my elderly father who doesn't use computers.",
        "I've read through a few of your help pages already this morning.",
        "Your chat was closed when I tried it at the weekend.",
        "I work night shifts, so email is the easiest way to reach me.",
        "I did search the forums before writing, I promise.",
        "My colleague recommended your service to me a couple of years ago.",
        "It's been a long week and this is the last thing I needed.",
        "English is not my first language, sorry for any mistakes.",
        "I've got a few minutes between meetings so here goes.",
        "Apologies in advance for the long message.",
    ],
    lead_ins=["", "", "Here's the thing: ", "Long story short, ", "My issue: ", "Quick one: "],
    after=[
        "A reply before the end of the week would be lovely.",
        "I'm happy to send screenshots if that helps.",
        "My brother-in-law thinks I should just give up, but I'd rather ask.",
        "I'll be checking my inbox tonight after dinner.",
        "Everything else has been fine so far, to be fair.",
        "The weather here has been awful, which hasn't helped my mood.",
        "I've been a loyal customer and would like to stay one.",
        "Feel free to ring me on my mobile if that's quicker.",
        "I've copied my partner in since we share the account.",
        "Thanks for your patience with me on this.",
    ],
    sign_offs=["All the best,", "Warmest wishes,", "Speak soon,", "Thank you for your time,", "Yours,",
               "Thanks again,", "Best,"],
    signatures=["{name} | Operations Coordinator\nDirect line: 0161 496 {phone}\nRef: CASE-{ref}",
                "{name}\n{street}\nPostcode check: {phone2} {phone}",
                "{name}\nSent from Outlook for Android",
                "{name} (she/her)\nInvoice {ref} | Member since 20{phone2}"],
    disclaimers=[
        ("IMPORTANT: This message may contain confidential or privileged information. If you are not "
        "the intended recipient you must not copy, distribute or act on it; please notify the sender "
        "and delete it. We do not accept liability for viruses."),
        ("The contents of this email are private and are intended for the named recipient only. "
        "Views expressed are those of the author. Do not print this email unless necessary."),
    ],
    quoted=[
        ("________________________________\nFrom: Help Desk <desk@example.net>\nSent: {date}\nTo: {first}\n"
        "Subject: RE: Case {ref}\n\nHi {first}, we are sorry for the wait. Our team is handling a high "
        "volume of requests and will reply shortly. Please keep your case number for reference."),
        ("On {date} Helpdesk <noreply@example.net> wrote:\n> Dear customer,\n> Your case {ref} has been "
        "updated. To add information, simply reply to this email.\n> Best wishes,\n> Customer Care"),
        ("Begin forwarded message:\n\nFrom: {email}\nSubject: Fwd: my account\n\nSee below, can you help "
        "with this one please."),
    ],
    streets=["21 Queen's Avenue, Cardiff", "3 Riverside Close, Norwich", "58 Station Road, Derby",
             "10 Orchard Way, Exeter"],
    styles=("email", "chat", "notes"),
    agent_lines=(
        "Thanks for reaching out! You're chatting with {agent}. How can I help you today?",
        "Sorry to hear that. Let me take a look for you.",
        "Could you confirm the email address on your account, please?",
        "Thanks, I can see your account now. Give me a moment please.",
        "Is there anything else I can help you with today?",
        "I understand, that must be frustrating.",
    ),
    note_lines=(
        "Inbound call {time}, {minutes} min. Caller verified (DOB and postcode).",
        "Caller was polite but in a hurry, asked for a call back if we get cut off.",
        "Checked account history: no open cases, last contact {day}.",
        "Explained our usual turnaround and gave the case number CASE-{ref}.",
        "Customer prefers email follow-up to {email}.",
        "Offered survey at end of call, declined.",
    ),
)

FAMILIES = {"tune": TUNE, "test": TEST}


def _fill(family: Family, rng: random.Random) -> dict[str, object]:
    name = rng.choice(family.names)
    return {"years": rng.randint(2, 15), "day": rng.choice(DAYS), "name": name, "first": name.split()[0],
            "ref": rng.randint(100000, 999999), "phone": rng.randint(1000, 9999), "phone2": rng.randint(10, 99),
            "street": rng.choice(family.streets), "agent": rng.choice(["Maya", "Jon", "Irene", "Kofi"]),
            "email": name.lower().replace(" ", ".").replace("'", "") + "@example.org",
            "time": f"{rng.randint(8, 18)}:{rng.randint(10, 59)}", "minutes": rng.randint(3, 25),
            "date": f"{rng.randint(1, 28)} {rng.choice(['Jan', 'Mar', 'Jun', 'Sep', 'Nov'])} 2026 at 09:{rng.randint(10, 59)}"}


def _grow(make: Callable[[list[str]], str], body: list[str], spare: list[str], rng: random.Random) -> str:
    """``make(body)`` with spare story sentences added until it has MIN_WORDS words."""
    text = make(body)
    while len(text.split()) < MIN_WORDS and spare:
        body.insert(rng.choice([0, len(body)]), spare.pop())
        text = make(body)
    return text


def _story(family: Family, query: str, rng: random.Random) -> tuple[list[str], list[str], int]:
    before, after = rng.sample(family.before, 3), rng.sample(family.after, 3)
    lead = before[:rng.randint(1, 3)]
    body = [*lead, rng.choice(family.lead_ins) + query, *after[:rng.randint(1, 3)]]
    spare = ([s for s in family.before + family.after if s not in before + after]
             + [s for s in before + after if s not in body])
    return body, spare, len(lead)


def email(family: Family, query: str, rng: random.Random) -> str:
    fill = _fill(family, rng)
    body, spare, _ = _story(family, query, rng)
    greeting, sign_off = rng.choice(family.greetings), rng.choice(family.sign_offs)
    signature, disclaimer, quoted = (rng.choice(family.signatures), rng.choice(family.disclaimers),
                                     rng.choice(family.quoted))
    return _grow(lambda b: "\n\n".join([greeting, " ".join(b).format(**fill), sign_off, signature.format(**fill),
                                        disclaimer, quoted.format(**fill)]), body, spare, rng)


def chat(family: Family, query: str, rng: random.Random) -> str:
    """A chat transcript: timestamped agent and customer turns; the customer's story one line a turn."""
    fill = _fill(family, rng)
    body, spare, at = _story(family, query, rng)
    asked = body[at]
    agent = [line.format(**fill) for line in family.agent_lines]

    def make(turns: list[str]) -> str:
        lines = [f"Agent ({fill['agent']}): {agent[0]}", f"Customer: {rng_greeting}"]
        for turn in turns:
            lines.append(f"Customer: {turn.format(**fill)}")
            if turn is asked:
                lines += [f"Agent ({fill['agent']}): {agent[1]}", f"Agent ({fill['agent']}): {agent[2]}",
                          f"Customer: {fill['email']}", f"Agent ({fill['agent']}): {agent[3]}"]
        lines += [f"Agent ({fill['agent']}): {agent[5]}", f"Agent ({fill['agent']}): {agent[4]}",
                  "Customer: no that's all, thanks"]
        return "\n".join(f"[{9 + n // 6:02d}:{10 + n * 2 % 50:02d}] {line}" for n, line in enumerate(lines))
    rng_greeting = rng.choice(family.greetings).rstrip(",")
    return _grow(make, body, spare, rng)


def notes(family: Family, query: str, rng: random.Random) -> str:
    """An agent's call notes: the caller's words reported among the agent's own notes."""
    fill = _fill(family, rng)
    body, spare, _ = _story(family, query, rng)
    own = [line.format(**fill) for line in family.note_lines]

    def make(said: list[str]) -> str:
        story = " ".join(s.format(**fill) for s in said)
        return "\n".join([f"CALL NOTES - {fill['name']} - acct {fill['ref']}", own[0], own[1],
                          f"Customer said: {story}", own[2], own[3], own[4], own[5],
                          f"Agent: {fill['agent']}"])
    return _grow(make, body, spare, rng)


STYLES = {"email": email, "chat": chat, "notes": notes}


def styled(query: str, rng: random.Random, family: Family = TUNE) -> tuple[str, str]:
    """The query wrapped in noise of ``family`` (at least MIN_WORDS words), the same for the same
    ``rng``, and the style drawn (``email``, ``chat``, ``notes``)."""
    style = family.styles[0] if len(family.styles) == 1 else rng.choice(family.styles)
    return STYLES[style](family, query, rng), style


def ticket(query: str, rng: random.Random, family: Family = TUNE) -> str:
    """The query wrapped in noise of ``family``: see :func:`styled`."""
    return styled(query, rng, family)[0]
