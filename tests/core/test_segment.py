"""core.segment: the words a search index and the problem grouping see."""

from __future__ import annotations

import pytest

from core import segment


@pytest.fixture
def fresh_dictionary():
    segment.reset()
    yield
    segment.reset()


def test_township_words_stay_whole(fresh_dictionary):
    assert "日光温室" in segment.words("新建日光温室三座")
    assert "加压泵" in segment.index_terms("加压泵坏了")


def test_words_drop_punctuation_stop_words_and_single_characters(fresh_dictionary):
    got = segment.words("村里机井的水泵坏了多日，群众春灌用水困难！")
    assert got == ["机井", "水泵", "春灌", "用水", "困难"]


def test_two_phrasings_of_one_problem_share_their_words(fresh_dictionary):
    one = set(segment.words("机井水泵损坏，春灌用水困难"))
    two = set(segment.words("村里机井的水泵坏了多日，群众春灌用水困难"))
    assert {"机井", "水泵", "春灌", "用水", "困难"} <= one & two


def test_index_terms_hold_bigrams_within_runs_only(fresh_dictionary):
    terms = segment.index_terms("供水，不足")
    assert "供水" in terms and "不足" in terms
    assert "水不" not in terms  # no pair across the comma


def test_query_terms_are_and_groups_of_bigrams(fresh_dictionary):
    assert segment.query_terms("加压泵 供水") == [["加压"], ["压泵"], ["供水"]]
    assert segment.query_terms("  ") == []
    assert segment.query_terms("水 PVC") == [["水"], ["pvc"]]


def test_registered_sources_add_words_and_a_failing_source_is_ignored(fresh_dictionary):
    registered = list(segment._sources)
    segment.register_word_source(lambda: ["张家庄村"])

    def broken():
        raise RuntimeError("no table yet")

    segment.register_word_source(broken)
    try:
        assert "张家庄村" in segment.words("张家庄村修路")
    finally:
        segment._sources[:] = registered


TEXTS = [
    "在西山村走访张桂兰、李福等农户，察看新建温室棚膜覆盖进度，部分农户缺少技术指导。",
    "Route 66号 PVC管道 2026年11月 加压泵 坏了\n高处农户自来水水压不足",
    "  ", "", "村里机井的水泵坏了多日，群众春灌用水困难！",
]


def test_remembered_pieces_cut_exactly_as_the_whole_text(fresh_dictionary):
    whole = [segment._cut(segment._load(), text, search=search) for text in TEXTS for search in (True, False)]
    first = [segment._tokens(text, search=search) for text in TEXTS for search in (True, False)]
    again = [segment._tokens(text, search=search) for text in TEXTS for search in (True, False)]  # remembered
    assert first == whole and again == whole
    assert ("察看新建温室棚膜覆盖进度", True) in segment._pieces


def test_a_new_word_is_not_hidden_by_a_remembered_cut(fresh_dictionary):
    assert "柳湾沟村" not in segment.words("柳湾沟村修路")
    registered = list(segment._sources)
    segment.register_word_source(lambda: ["柳湾沟村"])  # resets: the remembered cuts go with the dictionary
    try:
        assert "柳湾沟村" in segment.words("柳湾沟村修路")
    finally:
        segment._sources[:] = registered


def test_a_prepared_dictionary_is_used_once_with_the_sources_words_added():
    # gunicorn's master prepares the dictionary (portal.warmup); each worker's first cut adds the
    # township's words to it rather than loading jieba's dictionary again.
    segment.reset()
    segment.prepare()
    prepared = segment._prepared
    assert prepared is not None
    segment._sources.append(lambda: ["响水湾村"])
    try:
        assert "响水湾村" in segment.words("今天走访响水湾村")
        assert segment._tokenizer is prepared and segment._prepared is None
        segment.reset()  # new villages: a fresh dictionary, built as without preparation
        assert "响水湾村" in segment.words("今天走访响水湾村")
        assert segment._tokenizer is not prepared
    finally:
        segment._sources.pop()
        segment.reset()


def test_a_document_holds_a_pair_of_chinese_characters_exactly_when_one_of_its_texts_does(fresh_dictionary):
    # The rule core.search.found_in_text rests on: a search page may check a Chinese query in a
    # row's texts instead of its vector.
    import re

    from core.search import document, found_in_text

    texts = ["村里的管", "网坏了，加压泵供水不足；日光温室3.5亩", "管 网\n维修", "㐀㐁水泵房 abc 道路破损"]
    pairs_in_texts = {text[i:i + 2] for text in texts for i in range(len(text) - 1)}
    pairs_in_texts = {p for p in pairs_in_texts if re.fullmatch(r"[\u3400-\u4dbf\u4e00-\u9fff]{2}", p)}
    terms = set(document(*texts).split())
    pairs_in_document = {t for t in terms if re.fullmatch(r"[\u3400-\u4dbf\u4e00-\u9fff]{2}", t)}
    assert pairs_in_document == pairs_in_texts
    assert "管网" not in pairs_in_document and "网坏" in pairs_in_document  # no pair across two texts
    # and only a query of such pairs is checked in the texts
    assert found_in_text([["管网"], ["维修"]]) and found_in_text([["㐀㐁"]])
    assert not found_in_text([["管网"], ["3"]]) and not found_in_text([["abc"]]) and not found_in_text([])
    assert not found_in_text([["管网", "维修"]]) and not found_in_text([["加压泵"]])
