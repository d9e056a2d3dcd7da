"""benchmarks/asr_confusions.py: reading, alignment, targets, carriers and tables (no audio, no model)."""

from __future__ import annotations

import yaml

from benchmarks.asr_confusions import (
    DIGIT_NAMES,
    DOMAINS,
    NAMES,
    STREETS,
    TARGETS,
    TEMPLATES,
    TLDS,
    VALUE_WORDS,
    Heard,
    TargetCounts,
    all_targets,
    draft_entries,
    draft_yaml,
    entry_measure,
    find_targets,
    heard,
    is_right,
    make_carrier,
    make_carriers,
    measure_table,
    merge_combined,
    merged,
    score_clip,
    spoken_words,
    summary_rows,
    table_json,
    templates_for,
    written_for,
)


def words(text: str) -> list:
    return [w.text for w in spoken_words(text)]


# ------------------------------------------------------------------ reading text


def test_numerals_are_read_one_word_per_digit() -> None:
    assert words("My PIN is 4,173.") == ["my", "pin", "is", "four", "one", "seven", "three"]
    assert words("0427") == ["zero", "four", "two", "seven"]
    assert words("jpatel22") == ["jpatel", "two", "two"]


def test_currency_percent_and_symbols_are_words() -> None:
    assert words("$40") == ["four", "zero", "dollars"]
    assert words("£5") == ["five", "pounds"]
    assert words("25%") == ["two", "five", "percent"]
    assert words("winter25#copper") == ["winter", "two", "five", "hash", "copper"]


def test_an_email_address_is_read_out() -> None:
    assert words("john.smith@example.com") == ["john", "dot", "smith", "at", "example", "dot", "com"]
    assert words("j_patel-2@mail.net") == ["j", "underscore", "patel", "dash", "two", "at", "mail", "dot", "net"]


def test_dotted_and_hyphenated_words_stay_whole() -> None:
    assert words("P.I.N.") == ["p.i.n"]
    assert words("e-mail,") == ["e-mail"]
    assert words("grace-forest") == ["grace-forest"]
    assert words("08-12-20") == ["zero", "eight", "dash", "one", "two", "dash", "two", "zero"]
    assert words("4-1-7-3") == ["four", "one", "seven", "three"]
    assert words("41.73") == ["four", "one", "point", "seven", "three"]
    assert words("— 10:30") == ["one", "zero", "three", "zero"]


def test_words_keep_their_characters_and_whether_their_token_was_one_word() -> None:
    found = spoken_words("Code 19, 4 4.")
    assert [(w.text, w.char_start, w.char_end, w.whole) for w in found] == [
        ("code", 0, 4, True), ("one", 5, 8, False), ("nine", 5, 8, False),
        ("four", 9, 10, True), ("four", 11, 13, True)]


# ------------------------------------------------------------------- alignment


def test_exact_match_gives_the_target_itself() -> None:
    ref = "my pin is four one".split()
    assert written_for(ref, (1, 2), ref) == "pin"


def test_one_word_substitution() -> None:
    assert written_for("my pin is four".split(), (1, 2), "my bim is four".split()) == "bim"


def test_one_word_heard_as_two() -> None:
    assert written_for("my pin is four".split(), (1, 2), "my p in is four".split()) == "p in"


def test_two_words_heard_as_one() -> None:
    ref = "can you check the sort code".split()
    assert written_for(ref, (4, 6), "can you check the sortcode".split()) == "sortcode"


def test_a_multi_word_cue_is_taken_whole() -> None:
    ref = "the sort code is one".split()
    assert written_for(ref, (1, 3), "the sort coat is one".split()) == "sort coat"
    assert written_for(ref, (1, 3), "the sort code is one".split()) == "sort code"


def test_deletion_is_an_empty_string() -> None:
    assert written_for("my cvv is five".split(), (1, 2), "my is five".split()) == ""


def test_a_change_elsewhere_is_not_the_targets() -> None:
    ref = "please update my pin to four five".split()
    hyp = "please let my pin to for fine".split()
    assert written_for(ref, (3, 4), hyp) == "pin"
    assert written_for(ref, (6, 7), hyp) == "fine"
    assert written_for(ref, (5, 6), hyp) == "for"


def test_an_insertion_next_to_the_target_is_not_the_targets() -> None:
    assert written_for("my pin is".split(), (1, 2), "my pin number is".split()) == "pin"


def test_equal_length_substitutions_are_split_word_by_word() -> None:
    ref = "five five".split()
    hyp = "fine nine".split()
    assert written_for(ref, (0, 1), hyp) == "fine"
    assert written_for(ref, (1, 2), hyp) == "nine"


def test_a_long_garbled_stretch_of_as_many_words_is_not_split() -> None:
    ref = "write to lucy dash garden at example dot org".split()
    hyp = "write to lucy nationale and then we'll not learn".split()
    assert heard(ref, (3, 4), hyp) is None
    assert written_for(ref, (3, 4), hyp) is None


def test_numerals_in_the_transcript_align_with_spoken_digits() -> None:
    ref = words("the pin is four one seven three")
    hyp = words("The bin is 4173.")
    assert written_for(ref, (1, 2), hyp) == "bin"
    assert [written_for(ref, (k, k + 1), hyp) for k in range(3, 7)] == ["four", "one", "seven", "three"]


def test_an_edit_taking_in_a_neighbour_is_recorded_with_what_it_stood_for() -> None:
    ref = "my cvv is five".split()
    hyp = "my seemingly five".split()
    assert written_for(ref, (1, 2), hyp) is None
    assert heard(ref, (1, 2), hyp) == Heard("seemingly", "cvv is")
    assert heard(ref, (2, 3), hyp) == Heard("seemingly", "cvv is")


def test_a_garbled_stretch_is_not_attributed() -> None:
    ref = "please update my pin to four five".split()
    hyp = "lorem".split()
    assert heard(ref, (3, 4), hyp) is None
    assert heard(ref, (3, 4), hyp, max_spill=10) == Heard("lorem", " ".join(ref))


# ------------------------------------------------------------------- rightness


def test_spelling_variants_are_right_and_confusions_are_not() -> None:
    assert is_right("pin", "pin")
    assert is_right("pin", "p.i.n")
    assert is_right("cvv", "c v v")
    assert is_right("cvv", "c.v.v.")
    assert is_right("email", "e-mail")
    assert is_right("date of birth", "date-of-birth")
    assert is_right("oh", "zero")
    assert is_right("zero", "oh")
    assert not is_right("sort code", "sortcode")
    assert not is_right("five", "fine")
    assert not is_right("pin", "bim")
    assert not is_right("one", "zero")
    assert is_right("dash", "grace-forest", said="grace dash forest")
    assert is_right("dash", "grays-forrest", said="grace dash forest")
    assert not is_right("dash", "graceforest", said="grace dash forest")
    assert not is_right("dash", "mac-hash-harbour", said="mark dash harbor")
    assert not is_right("cvv", "seemingly", said="cvv is")
    assert not is_right("cvv", "cvv", said="cvv is")


# --------------------------------------------------------------------- targets


def _found(text: str, value: str) -> list:
    start = text.index(value)
    ws = spoken_words(text)
    return [(o.target, " ".join(w.text for w in ws[o.start:o.end])) for o in find_targets(ws, [(start, start + len(value))])]


def test_targets_of_a_carrier_sentence() -> None:
    text = "My PIN number is four oh two."
    assert _found(text, "four oh two") == [("pin number", "pin number"), ("is", "is"), ("four", "four"),
                                           ("oh", "oh"), ("two", "two")]


def test_separators_count_only_inside_a_value_and_is_only_before_one() -> None:
    text = "You can reach me at anna dot river at mail dot com, that is all."
    assert _found(text, "anna dot river at mail dot com") == [("dot", "dot"), ("at", "at"), ("dot", "dot")]


def test_digits_of_a_written_number_are_not_digits_said_one_at_a_time() -> None:
    text = "My date of birth is September 19, nineteen fifty four."
    assert _found(text, "September 19, nineteen fifty four") == [("date of birth", "date of birth"), ("is", "is")]
    assert _found("Account one, twenty one.", "one, twenty one") == [("account", "account"), ("one", "one")]


def test_cues_inside_a_value_are_not_cues() -> None:
    assert _found("My password is pin four.", "pin four") == [("password", "password"), ("is", "is"),
                                                             ("four", "four")]


# -------------------------------------------------------------------- carriers


def test_every_role_has_at_least_three_templates_and_every_target_a_role() -> None:
    assert all(len(templates) >= 3 for templates in TEMPLATES.values())
    assert set(TEMPLATES) == set(TARGETS)
    assert len(all_targets()) == len(set(all_targets())) == 39


def test_value_words_are_never_targets() -> None:
    pool = set(VALUE_WORDS) | set(NAMES) | set(DOMAINS) | set(TLDS) | set(STREETS)
    assert not pool & set(all_targets())


def test_each_carrier_holds_its_target_and_its_value_span() -> None:
    import random

    for target in all_targets():
        for template in templates_for(target):
            carrier = make_carrier(target, template, random.Random(7))
            ws = spoken_words(carrier.text)
            found = {o.target for o in find_targets(ws, [carrier.value_span])}
            assert target in found, (target, template)
            value = carrier.text[carrier.value_span[0]:carrier.value_span[1]]
            assert value and "{" not in carrier.text
            assert carrier.text[0].isupper() and carrier.text.endswith(".")
            assert value.split()[-1].rstrip(",") not in ("my", "the")


def test_carriers_are_seeded_and_go_round_the_templates() -> None:
    one = make_carriers(["espeak:en-us", "flite:kal"], 2, seed=5)
    again = make_carriers(["espeak:en-us", "flite:kal"], 2, seed=5)
    other = make_carriers(["espeak:en-us", "flite:kal"], 2, seed=6)
    assert len(one) == 2 * 2 * 39
    assert [c.text for _, _, c in one] == [c.text for _, _, c in again]
    assert [c.text for _, _, c in one] != [c.text for _, _, c in other]
    five_voices = make_carriers([f"espeak:v{k}" for k in range(5)], 1, seed=5)
    for target in all_targets():
        used = {c.template for _, _, c in five_voices if c.target == target}
        assert used == set(templates_for(target)[:5]), target


def test_digit_carriers_say_their_digit_and_zero_the_way_asked() -> None:
    import random

    oh = make_carrier("oh", TEMPLATES["digit"][1], random.Random(3))
    zero = make_carrier("zero", TEMPLATES["digit"][1], random.Random(3))
    assert "oh" in oh.text.split() and "zero" not in oh.text
    assert "zero" in zero.text.split() and " oh" not in zero.text
    assert all(w.rstrip(",.") in DIGIT_NAMES + ("oh",) for w in
               oh.text[oh.value_span[0]:oh.value_span[1]].split())


# ---------------------------------------------------------------------- tables


def _table() -> dict:
    table: dict = {}
    clips = [
        ("My PIN is five.", "my bim is 5", "espeak:en-us"),
        ("My PIN is five.", "My bim is fine.", "flite:kal"),
        ("My PIN is five.", "My pin is 5.", "flite:slt"),
        ("My PIN is five.", "My bin in five.", "flite:slt"),
        ("My CVV is five.", "My seemingly five.", "flite:awb"),
        ("My CVV is five.", "My seemingly five.", "flite:rms"),
        ("My CVV is five.", None, "flite:rms"),
    ]
    for text, transcript, voice in clips:
        start = text.index("five")
        score_clip(table, text, [(start, start + 4)], transcript, voice)
    return table


def test_counts_per_target() -> None:
    table = _table()
    pin, five, is_ = table["pin"], table["five"], table["is"]
    assert (pin.spoken, pin.right, pin.dropped, pin.unaligned) == (4, 1, 0, 0)
    assert pin.confusions() == [("bim", "pin", 2, ["espeak:en-us", "flite:kal"]), ("bin", "pin", 1, ["flite:slt"])]
    assert (five.spoken, five.right, five.unaligned) == (7, 5, 1)
    assert five.confusions() == [("fine", "five", 1, ["flite:kal"])]
    assert (is_.spoken, is_.right, is_.unaligned) == (7, 3, 1)
    assert is_.confusions() == [("seemingly", "cvv is", 2, ["flite:awb", "flite:rms"]), ("in", "is", 1, ["flite:slt"])]
    assert table["cvv"].confusions() == [("seemingly", "cvv is", 2, ["flite:awb", "flite:rms"])]


def test_json_and_summary() -> None:
    as_json = table_json(_table())
    assert list(as_json)[:2] == ["pin", "cvv"]
    assert as_json["cvv"]["confusions"] == [{"written": "seemingly", "said": "cvv is", "count": 2,
                                            "voices": ["flite:awb", "flite:rms"]}]
    assert as_json["pin"]["right_rate"] == 0.25
    rows = {row[0]: row for row in summary_rows(_table())}
    assert rows["pin"] == ["pin", "banking_cue", "4", "1", "0", "0", "bim (2/2v), bin (1/1v)"]
    assert rows["cvv"][-1] == "seemingly [cvv is] (2/2v)"


def test_merged_adds_counts_and_voices() -> None:
    a = TargetCounts()
    a.add("espeak:en-us", Heard("bim", "pin"), "pin")
    b = TargetCounts()
    b.add("flite:kal", Heard("bim", "pin"), "pin")
    b.add("flite:kal", Heard("", "pin"), "pin")
    both = merged({"pin": a}, {"pin": b})["pin"]
    assert (both.spoken, both.dropped) == (3, 1)
    assert both.confusions() == [("bim", "pin", 2, ["espeak:en-us", "flite:kal"])]


def test_draft_keeps_repeated_confusions_from_several_voices_only() -> None:
    entries = draft_entries(_table(), min_count=2, min_voices=2)
    assert entries == [
        {"heard": "bim", "means": "pin", "role": "banking_cue", "count": 2, "spoken": 4, "voices": 2},
        {"heard": "seemingly", "means": "cvv", "role": "banking_cue", "count": 2, "spoken": 3, "voices": 2,
         "said": "cvv is"},
    ]
    assert [e["heard"] for e in draft_entries(_table(), min_count=1, min_voices=1)] == [
        "bim", "bin", "seemingly", "fine", "in"]
    assert draft_entries(_table(), min_count=3, min_voices=1) == []


def test_draft_leaves_out_target_words() -> None:
    counts = TargetCounts()
    for voice in ("a", "b"):
        counts.add(voice, Heard("nine", "five"), "five")
        counts.add(voice, Heard("fine", "five"), "five")
    assert [e["heard"] for e in draft_entries({"five": counts})] == ["fine"]


def test_draft_yaml_reads_back() -> None:
    entries = draft_entries(_table())
    text = draft_yaml(entries, "faster-whisper/tiny.en", "python benchmarks/asr_confusions.py", 2, 2)
    assert text.startswith("# DRAFT confusion table for faster-whisper/tiny.en")
    assert yaml.safe_load(text) == {"confusions": entries}


def test_an_email_address_written_as_one_is_heard_right() -> None:
    text = "Send it to grace dash forest at mail dot com."
    value = "grace dash forest at mail dot com"
    for transcript in ("Send it to grace-forest@mail.com.", "Send it to Grace-Forest at mail.com"):
        table: dict = {}
        start = text.index(value)
        assert score_clip(table, text, [(start, start + len(value))], transcript, "flite:kal") == 3
        assert [(t, c.spoken, c.right) for t, c in table.items()] == [("dash", 1, 1), ("at", 1, 1), ("dot", 1, 1)]


COMBINED = {
    "account": {"spoken": 10, "confusions": [{"written": "count", "count": 2, "voices": ["a", "b"]}]},
    "account number": {"spoken": 20, "confusions": [
        {"written": "count number", "count": 5, "voices": ["b", "c"]},
        {"written": "a count number", "count": 3, "voices": ["d"]},
        # Took in a neighbour before or after it, and closes or opens with the reading: counted.
        {"written": "count number", "count": 4, "voices": ["e"], "said": "the account number"},
        {"written": "count number it", "count": 2, "voices": ["g"], "said": "account number is"},
        # Took in a neighbour and lost the reading: not counted.
        {"written": "counter", "count": 3, "voices": ["h"], "said": "account number is"},
        # Another word changed too: not this entry.
        {"written": "count numbers", "count": 7, "voices": ["f"]}]},
    "pin": {"spoken": 8, "confusions": [{"written": "bin", "count": 1, "voices": ["a"]}]},
}


def test_an_entry_counts_its_meaning_inside_longer_targets() -> None:
    assert entry_measure(COMBINED, "count", "account") == (13, 30, 5)
    assert entry_measure(COMBINED, "a count", "account") == (3, 30, 1)
    # Near misses: a heard form never written, a meaning never said.
    assert entry_measure(COMBINED, "a cow", "account") == (0, 30, 0)
    assert entry_measure(COMBINED, "bim", "pin") == (0, 8, 0)
    assert entry_measure(COMBINED, "firing", "expiring") == (0, 0, 0)


def test_measure_table_rewrites_only_the_measured_lines(tmp_path) -> None:
    table = tmp_path / "model.yaml"
    table.write_text(
        "# header comment\n"
        "confusions:\n"
        "  # group comment\n"
        "  - heard: count\n"
        "    means: account\n"
        "    lists: [banking_context_words]\n"
        "    reason: a reason\n"
        "    measured: {count: 99, spoken: 99, voices: 99}\n"
        "  - heard: bim\n"
        "    means: pin\n"
        "    lists: [banking_sound_alikes]\n"
        "    reason: another reason\n"
        "\n"
        "  # trailing comment\n")
    entries = measure_table(str(table), COMBINED)
    assert [(e["heard"], e["count"], e["spoken"], e["voices"]) for e in entries] == [
        ("count", 13, 30, 5), ("bim", 0, 8, 0)]
    text = table.read_text()
    assert text.count("measured:") == 2
    assert "# header comment" in text and "# group comment" in text and "# trailing comment" in text
    parsed = yaml.safe_load(text)["confusions"]
    assert parsed[0]["measured"] == {"count": 13, "spoken": 30, "voices": 5}
    assert parsed[1]["measured"] == {"count": 0, "spoken": 8, "voices": 0}
    assert parsed[1]["reason"] == "another reason"


def test_runs_merge_by_adding_counts_and_joining_voices() -> None:
    other = {"account": {"spoken": 5, "right": 4, "confusions": [
        {"written": "count", "count": 1, "voices": ["b", "z"]}]}}
    merged_table = merge_combined([COMBINED, other])
    assert merged_table["account"]["spoken"] == 15
    assert merged_table["account"]["confusions"] == [{"written": "count", "count": 3, "voices": ["a", "b", "z"]}]
    assert entry_measure(merged_table, "count", "account") == (14, 35, 6)
