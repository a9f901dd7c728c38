"""Reading real ticket text: talk about the contact, transcripts, unknown sign-offs and sentence
splits (search/ticket.py, search/recommend.py)."""
from __future__ import annotations

import pytest

from search import Engine
from search.recommend import RecommendRequest, recommend
from search.ticket import clean, cue, sentences, split

# The problem is stated once, weakly; the talk about the contact around it quotes another article's
# question word for word ("what does my bill mean").
BURIED = ("Hi,\n\nThe internet on my laptop keeps disconnecting every evening.\n"
          "Please let me know what does my bill mean too when you reply, I could not find it on your website.\n\n"
          "Thanks,\nTom")


def test_talk_about_the_contact_is_marked() -> None:
    found = {s.text: s.meta for s in sentences(BURIED)}
    assert found["The internet on my laptop keeps disconnecting every evening."] is False
    assert [meta for text, meta in found.items() if "let me know" in text] == [True]
    assert all(s.meta for s in sentences("I hope this finds you well. Sorry to bother you again. "
                                         "Feel free to call me on my mobile. I'd appreciate a quick reply."))
    assert not any(s.meta for s in sentences("My card was declined. Why was I charged twice? "
                                             "The app shows an error."))


def test_talk_about_the_contact_does_not_decide(engine: Engine) -> None:
    found = recommend(engine, RecommendRequest(BURIED, limit=3))
    assert found.response.results[0].slug == "technical/wifi-dropping"


def test_the_support_side_of_a_transcript_is_dropped(engine: Engine) -> None:
    chat = ("[10:02] Agent (Maya): Hi, you're chatting with Maya. Do you need to reset your account password?\n"
            "[10:03] Customer: hello\n"
            "[10:03] Customer: my wifi keeps disconnecting since yesterday\n"
            "[10:04] Agent (Maya): I see. Reset your account password from the sign-in page first.\n"
            "[10:05] Customer: ok thanks")
    cleaned = clean(chat)
    assert "password" not in cleaned and "Maya" not in cleaned and "Customer" not in cleaned
    assert "my wifi keeps disconnecting since yesterday" in cleaned
    slugs = [h.slug for h in recommend(engine, RecommendRequest(chat, limit=3)).response.results]
    assert slugs[0] == "technical/wifi-dropping" and "technical/reset-password" not in slugs
    # one "Label:" line is not a transcript: a plain ticket keeps its error lines
    assert "Error: 651" in clean("Hi,\nMy router shows this.\nError: 651 when I connect.\n")


def test_an_unknown_sign_off_still_ends_the_body() -> None:
    cleaned = clean("Hi,\nMy router has a red light since this morning.\n\nWarmest wishes from Leeds,\n"
                    "Sam Taylor\nPassword club secretary")
    assert "red light" in cleaned and "Password" not in cleaned and "Sam" not in cleaned
    # a short line ending in a comma at the very start is a greeting, not a sign-off
    assert "red light" in clean("Hi support team,\nMy router has a red light.\nSam")


@pytest.mark.parametrize("text, parts", [
    ("Anyway, the reason I am writing: Freeze my account", ["Anyway, the reason I am writing:", "Freeze my account"]),
    ("This is the second time I asked", ["This is the second time I asked"]),
    ("give me a joke about bugs I can't believe it", ["give me a joke about bugs", "I can't believe it"]),
    ("please repeat the last thing I can't believe it", ["please repeat the last thing", "I can't believe it"]),
])
def test_sentences_split_at_colons_but_not_inside_relative_clauses(text: str, parts: list[str]) -> None:
    assert split(text) == parts


def test_a_request_in_the_imperative_reads_like_the_problem() -> None:
    assert cue("Send me a new card") == 0.5
    assert cue("please send me a new card") == 0.5
    assert cue("My daughter usually sorts these things out for me") == 0.0
    assert cue("The letter was sent to my old address") == 0.0


def test_call_notes_keep_the_customers_words_and_mark_the_agents_own_lines() -> None:
    notes = ("CALL NOTES - Sam Taylor\nPhone call at 10:28. Security questions passed.\n"
             "Customer said: my wifi keeps disconnecting every evening\n"
             "Told customer the standard response time.\nAgent: Maya")
    found = {s.text: s.aside for s in sentences(notes)}
    assert found["my wifi keeps disconnecting every evening"] is False
    assert found["Told customer the standard response time."] is True
    assert "Maya" not in " ".join(found)
    # a plain ticket has no aside
    assert not any(s.aside for s in sentences("Phone call failed.\nMy wifi drops every evening."))


def test_courtesy_only_turns_greeting_lines_and_announcements_do_not_state_the_problem() -> None:
    chat = ("[10:02] Agent (Maya): How can I help?\n[10:03] Customer: Hi there\n"
            "[10:03] Customer: Quick question:\n[10:04] Customer: my wifi keeps disconnecting\n"
            "[10:05] Agent (Maya): Anything else?\n[10:06] Customer: no that's all, thanks")
    found = {s.text: s for s in sentences(chat)}
    assert "Hi there" not in found
    assert found["Quick question:"].meta and not found["my wifi keeps disconnecting"].meta
    assert found["no that's all, thanks"].courtesy and not found["my wifi keeps disconnecting"].courtesy
    assert [s.meta for s in sentences("So my question is this. Why was I charged twice?")] == [True, False]


def test_a_writer_who_types_lowercase_i_starts_a_sentence_at_a_capital_i() -> None:
    assert split("what am i supposed to do I looked around on your website") == [
        "what am i supposed to do", "I looked around on your website"]
    assert split("how do I reset it") == ["how do I reset it"]

