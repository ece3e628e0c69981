"""The shared text check (file_kinds.looks_like_text) with and without its options."""
from __future__ import annotations

from visualizer.io.file_kinds import looks_like_text


def test_text_has_no_nul_and_few_control_bytes():
    assert looks_like_text(b"plain words\n\tand \x1b[1mescapes\x1b[0m\n")
    assert not looks_like_text(b"text\x00with a NUL")
    assert not looks_like_text(bytes(range(1, 32)) * 10)
    assert looks_like_text(b"over\x08strike " * 10, controls=b"\n\x08")
    assert not looks_like_text(b"over\x08strike " * 10)


def test_the_utf8_check_is_an_option_and_forgives_a_cut_character():
    latin1 = "caf\xe9 cr\xe8me ".encode("latin-1") * 10
    assert looks_like_text(latin1) and not looks_like_text(latin1, utf8=True)
    cut = ("na\u00efve " * 10).encode("utf-8") + "\u00e9".encode("utf-8")[:1]
    assert looks_like_text(cut, utf8=True)
