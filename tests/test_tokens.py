"""tiktoken encodings load offline from the bundled files and equal tiktoken's own."""

import gzip

import pytest

from assistant.text import tokens


def test_cl100k_encodes_like_tiktoken():
    encoding = tokens.get_encoding("cl100k_base")
    # Reference ids for this text from tiktoken's published cl100k_base.
    assert encoding.encode("hello world") == [15339, 1917]
    assert encoding.decode(encoding.encode("Who chairs Kenya's BCOCC?")) == "Who chairs Kenya's BCOCC?"
    assert tokens.count_tokens("hello world") == 2


def test_o200k_is_available_offline():
    assert tokens.get_encoding("o200k_base").n_vocab > 199_000


def test_unknown_encoding_is_a_clear_error():
    with pytest.raises(tokens.EncodingUnavailable, match="unknown encoding"):
        tokens.get_encoding("p50k_base")


def test_a_tampered_file_fails_the_pinned_hash(monkeypatch, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "cl100k_base.tiktoken.gz").write_bytes(gzip.compress(b"aGVsbG8= 0\n"))
    monkeypatch.setattr(tokens, "files", lambda package: tmp_path)
    with pytest.raises(tokens.EncodingUnavailable, match="tiktoken expects"):
        tokens._bundled_ranks("cl100k_base", "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7")
