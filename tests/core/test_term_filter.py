"""A search row's term filter (core.term_filter): it holds every term a query could ask for, rules
out most others, and PostgreSQL reads it as Python writes it."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from core.search import document, parse_query
from core.term_filter import SIZE, check_sql, may_hold, term_filter

TEXT = ("东坡组地势高，夏季用水高峰时段供水不足，群众建议加装加压泵。化肥3.5kg每亩，"
        "联系人e-mail已登记，ABC合作社第3组的G210国道旁机井损坏。")
# Chinese words and Latin tokens that the text does not hold.
# What a query's term can be (core.search.parse_query): a run of Chinese, or of Latin letters and digits.
_ASKABLE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z0-9]+")
ABSENT = [f"词{chr(0x4E00 + i)}{chr(0x4E00 + 3 * i + 7)}" for i in range(400)] + [f"zz{i}q" for i in range(400)]


def test_a_filter_is_512_bytes_and_holds_every_term_and_its_runs():
    # given a document with mixed terms (jieba keeps 3.5kg and e-mail whole)
    terms = document(TEXT).split()
    data = term_filter(terms)
    # then it fits inline beside the vector, and holds each term lower-cased and each of its runs
    assert len(data) == SIZE == 512
    for term in terms:
        assert may_hold(data, term.lower()), term
    for run in ("kg", "mail", "abc", "g210", "供水", "加压", "压泵", "国道", "3"):
        assert may_hold(data, run), run


def test_a_filter_rules_out_most_absent_terms():
    # given ~270 distinct terms, as a generated diary holds
    terms = [f"{chr(0x5000 + i)}{chr(0x6000 + 5 * i)}" for i in range(270)]
    data = term_filter(terms)
    # then fewer than one absent term in 50 passes (about one in 160 is expected)
    passed = sum(may_hold(data, term) for term in ABSENT)
    assert passed < len(ABSENT) / 50, passed


def test_an_empty_document_holds_nothing():
    assert not any(term_filter([]))
    assert not may_hold(term_filter([]), "供水")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the filter is read by PostgreSQL's get_bit")
@pytest.mark.django_db
def test_postgresql_reads_the_filter_as_python_writes_it():
    # given a document's filter
    data = term_filter(document(TEXT).split())
    cases = {
        "供水 加压泵": True, "G210 国道": True, "e mail": True, "供水 国道": True,
        "供水 电网": False, "维修": False, "zz1q": False,
    }
    with connection.cursor() as cursor:
        for q, expected in cases.items():
            groups = parse_query(q)
            sql, params = check_sql("f.terms", groups)
            cursor.execute(f"SELECT {sql} FROM (SELECT %s::bytea AS terms) f", [*params, data])
            held = cursor.fetchone()[0]
            # then PostgreSQL's check answers as Python's, and as the text does
            assert held is expected is all(any(may_hold(data, t) for t in g) for g in groups), q


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the lexemes are PostgreSQL's")
@pytest.mark.django_db
@pytest.mark.parametrize("text", [TEXT, "V2.0版本的APP无法登录，WiFi信号弱；www.example.com 上报", "第3组 10.5亩 c++ a_b 50%"])
def test_every_lexeme_a_query_could_ask_for_is_in_the_filter(text):
    # given the document the index stores and the lexemes PostgreSQL makes of it
    doc = document(text)
    data = term_filter(doc.split())
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(to_tsvector('simple', %s))", [doc])
        lexemes = cursor.fetchone()[0]
    # then every lexeme that a query's term can equal (a run of Chinese, or of Latin letters and
    # digits) is held by the filter written from the document's text: a filter never hides a match
    askable = [lex for lex in lexemes if _ASKABLE.fullmatch(lex)]
    assert askable
    assert [lex for lex in askable if not may_hold(data, lex)] == []
    # and the filter made from the lexemes (the migration's) holds the same askable terms
    from_lexemes = term_filter(lexemes)
    assert all(may_hold(from_lexemes, lex) for lex in askable)
