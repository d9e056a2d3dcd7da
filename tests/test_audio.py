import os

import numpy as np
import pytest
from voicescrub.transforms.audio.codec import (
    decode_exact_pcm16,
    decode_to_pcm16,
    encode_pcm16,
    float_to_pcm16,
    pcm16_to_float,
)
from voicescrub.transforms.runtime.errors import AudioDecodeError

from tests.conftest import SAMPLES

SAMPLE_FILES = ["s01.flac", "s02.wav", "s03.mp3", "s04.ogg", "s05.wav"]


def read(name):
    with open(os.path.join(SAMPLES, "audio", name), "rb") as handle:
        return handle.read()


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_every_sample_format_decodes_to_16k_mono(name):
    pcm = decode_to_pcm16(read(name), max_duration_s=600)
    assert pcm.dtype == np.int16 and pcm.ndim == 1
    assert 1.0 < len(pcm) / 16000 < 15.0
    assert np.abs(pcm.astype(np.int32)).max() > 1000  # real speech, not silence


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"\x00" * 4096, "could not be decoded"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "decode"),
])
def test_bad_bytes_raise_a_data_free_error(data, reason):
    with pytest.raises(AudioDecodeError) as caught:
        decode_to_pcm16(data, max_duration_s=600)
    assert reason in str(caught.value)


def test_corrupt_sample_is_refused():
    with pytest.raises(AudioDecodeError):
        decode_to_pcm16(read("corrupt.flac"), max_duration_s=600)


def test_truncated_file_is_refused_or_shorter():
    data = read("s01.flac")
    try:
        pcm = decode_to_pcm16(data[: len(data) // 3], max_duration_s=600)
    except AudioDecodeError:
        return
    assert len(pcm) < len(decode_to_pcm16(data, max_duration_s=600))


def test_over_long_audio_is_refused():
    with pytest.raises(AudioDecodeError) as caught:
        decode_to_pcm16(read("s01.flac"), max_duration_s=0.5)
    assert "longer" in str(caught.value)


@pytest.mark.parametrize("fmt", ["flac", "wav"])
def test_output_encoding_is_lossless(fmt):
    pcm = np.random.default_rng(7).integers(-32768, 32767, 16000 * 2 + 123, dtype=np.int16)
    data = encode_pcm16(pcm, 16000, fmt)
    assert np.array_equal(decode_exact_pcm16(data), pcm)
    # and the pipeline's own decoder reads it back at the same length
    assert len(decode_to_pcm16(data, max_duration_s=600)) == len(pcm)


def test_unknown_output_format_is_refused():
    with pytest.raises(ValueError):
        encode_pcm16(np.zeros(10, dtype=np.int16), 16000, "mp3")


def test_float_conversion_round_trips_and_clips():
    pcm = np.array([-32768, -1, 0, 1, 32767], dtype=np.int16)
    assert np.abs(float_to_pcm16(pcm16_to_float(pcm)).astype(int) - pcm).max() <= 1
    assert list(float_to_pcm16(np.array([2.0, -2.0], dtype=np.float32))) == [32767, -32768]


def wav_bytes(seconds: float = 0.5) -> bytes:
    pcm = (np.sin(np.arange(int(16000 * seconds)) / 5.0) * 8000).astype(np.int16)
    return encode_pcm16(pcm, 16000, "wav")


def test_a_wav_whose_header_claims_more_audio_than_it_holds_is_refused():
    whole = wav_bytes()
    data_at = whole.index(b"data")
    claims_4gb = whole[:data_at + 4] + (0xFFFFFFF0).to_bytes(4, "little") + whole[data_at + 8:data_at + 1032]
    with pytest.raises(AudioDecodeError, match="truncated"):
        decode_to_pcm16(claims_4gb, max_duration_s=60)
    cut_short = whole[:len(whole) // 2]  # the header is right, the file ends early
    with pytest.raises(AudioDecodeError, match="truncated"):
        decode_to_pcm16(cut_short, max_duration_s=60)


def test_a_whole_wav_and_one_with_chunks_after_its_data_decode():
    whole = wav_bytes()
    assert decode_to_pcm16(whole, max_duration_s=60).size == 8000
    trailing = whole + b"LIST" + (4).to_bytes(4, "little") + b"INFO"
    riff_size = (len(trailing) - 8).to_bytes(4, "little")
    assert decode_to_pcm16(trailing[:4] + riff_size + trailing[8:], max_duration_s=60).size == 8000
