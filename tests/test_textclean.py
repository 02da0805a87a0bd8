"""Text clean-up: ligatures, words split at line ends, contents lines, legacy-font text."""

from assistant.ingest.textclean import (
    is_contents_line,
    is_unreadable,
    join_lines,
    normalise,
    rejoin_hyphens,
    vocabulary,
)
from assistant.text.locate import locate


def test_ligatures_are_normalised():
    assert normalise("a ﬁne of ﬁve million shillings, ﬂoor") == "a fine of five million shillings, floor"


def test_line_end_hyphen_joins_a_word_the_document_uses_whole():
    known = vocabulary(["the regulation of data"])
    assert join_lines(["for the regu-", "lation of data"], known) == "for the regulation of data"


def test_genuine_compounds_keep_their_hyphen():
    known = vocabulary(["the Inspector-General of Police", "self-employed"])
    assert join_lines(["the Inspector-", "General of Police"], known) == "the Inspector-General of Police"
    assert join_lines(["self-", "employed persons"], known) == "self-employed persons"
    assert join_lines(["are distinct and inter-", "dependent"], set()) == "are distinct and inter-dependent"


def test_split_words_inside_a_line_are_repaired_the_same_way():
    known = vocabulary(["regulation", "Inspector-General"])
    assert rejoin_hyphens("the Inspector- General and regu- lation", known) == "the Inspector-General and regulation"
    assert rejoin_hyphens("pre- and post-processing", known) == "pre- and post-processing"


def test_contents_lines():
    assert is_contents_line("5. Establishment of the Ofﬁce ......................................... 3")
    assert is_contents_line("Contacts ............................................................. 3 ")
    assert not is_contents_line("I, ...................., make oath that I will serve")


def test_legacy_font_hindi_is_unreadable_and_english_is_not():
    garbage = ("vlk/kkj.k izkf/kdkj ls izdkf'kr ubZ fnYyh] 'kqØokj] vxLr 11] 2023@Jko.k bl Hkkx esa fHkUu "
               "i`\"B la[;k nh tkrh gS ftlls fd ;g vyx ladyu ds :i esa j[kk tk ldsA")
    assert is_unreadable(garbage)
    assert not is_unreadable("The Data Principal shall have the right to obtain from the Data Fiduciary a summary "
                             "of personal data which is being processed by such Data Fiduciary.")
    assert not is_unreadable("सभी व्यक्तियों को जीवन का अधिकार है और कानून के समक्ष समानता का अधिकार है और यह अधिकार सबको है")


def test_locate_finds_pieces_in_order_whatever_the_whitespace():
    text = "One two.\nThree  four. One two again."
    assert locate(text, ["One two", "three", "Three four.", "One two", "absent"]) == [
        (0, 7), None, (9, 21), (22, 29), None]
