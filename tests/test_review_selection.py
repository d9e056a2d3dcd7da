"""Opt-outs, the keyed review sample and the speaker cap: the plain rules, then the stages."""

from __future__ import annotations

import secrets

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to
from voicescrub.schemas.records import Clip, ManifestEntry
from voicescrub.transforms.privacy.keyring import open_keyring
from voicescrub.transforms.privacy.pseudonyms import (
    PseudonymSettings,
    epoch_for,
    speaker_pseudonym,
)
from voicescrub.transforms.privacy.review_selection import (
    OptOutDigests,
    OptOutListError,
    ReviewSelection,
    count_opt_out_ids,
    is_sampled,
    opt_out_digest,
    opt_out_files,
    opt_out_ids,
    speaker_cap_rank,
    split_at_cap,
)
from voicescrub.transforms.runtime.clip_stage import DEAD_LETTER, EXCLUDED, MAIN
from voicescrub.transforms.stages.select_for_review import (
    DrawReviewSample,
    DropOptedOut,
)

KEY = bytes(range(32))
WEEK_46_US = 1_763_337_600_000_000  # 2025-11-17T00:00:00Z, a Monday


# Opt-out lists.

def test_an_opt_out_list_is_one_account_per_line_trimmed_as_the_manifest_trims():
    lines = [b"\xef\xbb\xbfacct-1\n", b"  acct-2 \r\n", b"\n", b"   \n", b"acct-3"]
    assert list(opt_out_ids(lines)) == ["acct-1", "acct-2", "acct-3"]


def test_a_list_with_lone_carriage_returns_stops_rather_than_reading_as_one_id():
    with pytest.raises(OptOutListError) as raised:
        list(opt_out_ids([b"acct-1\racct-2\racct-3\r"]))
    assert "carriage return" in str(raised.value) and "acct" not in str(raised.value)


def test_a_line_that_is_not_utf8_stops_the_list_and_names_only_its_number():
    with pytest.raises(OptOutListError) as raised:
        list(opt_out_ids([b"acct-1\n", b"acct-\xff\xfe\n"]))
    assert "line 2" in str(raised.value)
    assert "acct" not in str(raised.value)


def test_digests_match_their_accounts_and_no_other():
    digests = OptOutDigests.of_accounts(KEY, [f"acct-{i}" for i in range(1000)])
    assert len(digests) == 1000
    assert sum(opt_out_digest(KEY, f"acct-{i}") in digests for i in range(1000)) == 1000
    assert sum(opt_out_digest(KEY, f"acct-{i}") in digests for i in range(1000, 3000)) == 0


def test_digests_under_another_epoch_key_match_nothing():
    digests = OptOutDigests.of_accounts(KEY, [f"acct-{i}" for i in range(1000)])
    other = secrets.token_bytes(32)
    assert sum(opt_out_digest(other, f"acct-{i}") in digests for i in range(1000)) == 0


def test_merged_lists_hold_each_account_once():
    first = OptOutDigests.of_accounts(KEY, ["a", "b", "c"])
    second = OptOutDigests.of_accounts(KEY, ["c", "d"])
    merged = OptOutDigests.merged([first, second, OptOutDigests()])
    assert len(merged) == 4
    assert all(opt_out_digest(KEY, account) in merged for account in "abcd")
    assert len(OptOutDigests.merged([])) == 0


def test_a_million_accounts_take_eight_bytes_each():
    digests = OptOutDigests(np.arange(1_000_000, dtype=np.uint64) * np.uint64(7919))
    assert len(digests) == 1_000_000
    assert digests._digests.nbytes == 8_000_000
    assert 7919 * 999_999 in digests and 7919 * 999_999 + 1 not in digests


def test_list_files_are_matched_by_glob_and_a_missing_list_stops(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"acct-1\nacct-2\n")
    (tmp_path / "b.txt").write_bytes(b"acct-3\n")
    assert [p.rsplit("/", 1)[1] for p in opt_out_files([str(tmp_path / "*.txt")])] == ["a.txt", "b.txt"]
    assert count_opt_out_ids(str(tmp_path / "a.txt")) == 2
    with pytest.raises(OptOutListError):
        opt_out_files([str(tmp_path / "a.txt"), str(tmp_path / "missing.txt")])


# The review sample and the speaker cap.

def test_the_sample_is_the_same_for_the_same_key_and_another_for_another():
    ids = [f"utt-{i}" for i in range(4000)]
    first = [is_sampled(KEY, uid, 0.3) for uid in ids]
    assert first == [is_sampled(KEY, uid, 0.3) for uid in ids]
    other = [is_sampled(secrets.token_bytes(32), uid, 0.3) for uid in ids]
    assert sum(a != b for a, b in zip(first, other)) > 1000


@pytest.mark.parametrize("rate", [0.01, 0.1, 0.5, 0.9])
def test_the_sample_draws_its_rate(rate):
    drawn = sum(is_sampled(KEY, f"utt-{i}", rate) for i in range(20000))
    assert abs(drawn / 20000 - rate) < 4 * (rate * (1 - rate) / 20000) ** 0.5 + 1e-3


def test_a_lower_rate_draws_a_subset_of_a_higher_one():
    ids = [f"utt-{i}" for i in range(5000)]
    low = {uid for uid in ids if is_sampled(KEY, uid, 0.1)}
    high = {uid for uid in ids if is_sampled(KEY, uid, 0.4)}
    assert low <= high and len(low) < len(high)


def test_rate_one_draws_everything():
    assert all(is_sampled(KEY, f"utt-{i}", 1.0) for i in range(1000))


def test_the_cap_keeps_the_lowest_ranks_whatever_the_order():
    items = [(speaker_cap_rank(KEY, f"u{i}"), f"u{i}", f"clip{i}") for i in range(10)]
    kept, over = split_at_cap(items, 3)
    assert (kept, over) == split_at_cap(list(reversed(items)), 3)
    assert len(kept) == 3 and len(over) == 7 and not set(kept) & set(over)
    assert split_at_cap(items[:2], 3) == ([items[0][2], items[1][2]] if items[0][0] <= items[1][0]
                                         else [items[1][2], items[0][2]], [])


def test_only_a_sample_or_a_cap_needs_the_epoch_keys():
    assert not ReviewSelection().draws
    assert not ReviewSelection(opt_out=("x",)).draws
    assert ReviewSelection(review_sample_rate=0.5).draws
    assert ReviewSelection(max_clips_per_speaker_epoch=3).draws


# The stages.

def clip(uid: str, account: str, recorded_at_us: int = WEEK_46_US) -> Clip:
    return Clip(entry=ManifestEntry(utterance_id=uid, account_id=account, device_id="dev-1",
                                    recorded_at_us=recorded_at_us, audio_uri="/nowhere.flac",
                                    locale="en-US", manifest="/m.jsonl", line=int(uid[1:])))


def _keyring_with(tmp_path, epochs):
    ring = open_keyring(str(tmp_path / "keyring"))
    for epoch in epochs:
        ring.create(epoch)
    return PseudonymSettings(keyring_uri=str(tmp_path / "keyring"))


def test_drop_opted_out_leaves_out_every_clip_of_a_listed_account(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"acct-b\n\n")
    (tmp_path / "b.txt").write_bytes(b"acct-c\r\n")
    week = 7 * 86400 * 1_000_000
    epochs = [epoch_for(WEEK_46_US), epoch_for(WEEK_46_US + week)]
    settings = _keyring_with(tmp_path, epochs[:1] + epochs[1:])
    clips = [clip("u1", "acct-a"), clip("u2", "acct-b"), clip("u3", "acct-c"), clip("u4", "acct-a"),
             clip("u5", "acct-b", WEEK_46_US + week), clip("u6", "acct-a", WEEK_46_US + week)]
    with BeamTestPipeline() as p:
        ready = p | "Ready" >> beam.Create(epochs)
        result = p | beam.Create(clips) | DropOptedOut((str(tmp_path / "*.txt"),), settings, ready)
        assert_that(result[MAIN] | "Kept" >> beam.Map(lambda c: c.entry.utterance_id),
                    equal_to(["u1", "u4", "u6"]), label="kept")
        assert_that(result[EXCLUDED] | "Left" >> beam.Map(lambda e: (e.utterance_id, e.reason)),
                    equal_to([("u2", "opted_out"), ("u3", "opted_out"), ("u5", "opted_out")]),
                    label="excluded")
        assert_that(result[DEAD_LETTER], equal_to([]), label="no dead letter")


def test_drop_opted_out_dead_letters_a_clip_it_cannot_check(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"acct-b\n")
    settings = _keyring_with(tmp_path, [])
    with BeamTestPipeline() as p:
        ready = p | "Ready" >> beam.Create([])
        result = p | beam.Create([clip("u1", "acct-a")]) | DropOptedOut(
            (str(tmp_path / "a.txt"),), settings, ready)
        assert_that(result[DEAD_LETTER] | beam.Map(lambda d: (d.stage, d.error_type)),
                    equal_to([("select", "PseudonymError")]), label="dead")
        assert_that(result[MAIN], equal_to([]), label="nothing kept")


def _published(folder, epoch, speaker_counts, run_tag="othertag"):
    """A published utterances file of another run: only the column the cap reads matters."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    part = folder / f"pseudonym_epoch={epoch}"
    part.mkdir(parents=True, exist_ok=True)
    speakers = [s for s, n in speaker_counts.items() for _ in range(n)]
    pq.write_table(pa.table({"speaker_pseudonym": speakers}),
                   str(part / f"part-{run_tag}-00000-of-00001.parquet"))


def test_draw_review_sample_caps_each_speaker_and_epoch_counting_other_runs(tmp_path):
    week = 7 * 86400 * 1_000_000
    epochs = [epoch_for(WEEK_46_US), epoch_for(WEEK_46_US + week)]
    settings = _keyring_with(tmp_path, epochs)
    ring = open_keyring(settings.keyring_uri)
    # Another run published one clip of acct-a in the first epoch; this run's own earlier
    # file (tag "thisrun") does not count.
    utterances = tmp_path / "utterances"
    _published(utterances, epochs[0], {speaker_pseudonym(ring.get(epochs[0]), "acct-a"): 1})
    _published(utterances, epochs[1], {speaker_pseudonym(ring.get(epochs[1]), "acct-a"): 5},
               run_tag="thisrun")
    clips = ([clip(f"u{i}", "acct-a") for i in range(1, 6)]
             + [clip(f"u{i}", "acct-a", WEEK_46_US + week) for i in range(6, 9)]
             + [clip(f"u{i}", "acct-b") for i in range(9, 11)])
    selection = ReviewSelection(max_clips_per_speaker_epoch=2)
    with BeamTestPipeline() as p:
        ready = p | "Ready" >> beam.Create(epochs)
        result = p | beam.Create(clips) | DrawReviewSample(selection, settings, ready,
                                                           str(utterances), "thisrun")
        kept = result[MAIN] | "Kept" >> beam.Map(lambda c: (c.entry.account_id, c.entry.recorded_at_us))
        assert_that(kept | "Count" >> beam.combiners.Count.PerElement(),
                    equal_to([(("acct-a", WEEK_46_US), 1), (("acct-a", WEEK_46_US + week), 2),
                              (("acct-b", WEEK_46_US), 2)]), label="up to two each")
        assert_that(result[EXCLUDED] | "Reasons" >> beam.Map(lambda e: e.reason),
                    equal_to(["speaker_cap"] * 5), label="the rest capped")


def test_draw_review_sample_dead_letters_a_clip_whose_epoch_has_no_key(tmp_path):
    settings = _keyring_with(tmp_path, [])
    with BeamTestPipeline() as p:
        ready = p | "Ready" >> beam.Create([])
        result = p | beam.Create([clip("u1", "acct-a")]) | DrawReviewSample(
            ReviewSelection(review_sample_rate=0.5), settings, ready, str(tmp_path / "u"), "t")
        assert_that(result[DEAD_LETTER] | beam.Map(lambda d: (d.stage, d.error_type)),
                    equal_to([("select", "PseudonymError")]))
