"""/cadres/tree/ names who countersigns the villages' pledges without repeating the title: a head
named by the title itself (镇长, as in the test world) or ending in it (王镇长) reads 由镇长会签 or
由王镇长会签, never 由镇长镇长会签; a head with a plain name reads 由镇长李明会签."""

from __future__ import annotations

import pytest

from cadres.models import Cadre
from tests.helpers import page_client


@pytest.mark.parametrize(("name", "line"), [
    ("镇长", "村的责任书签给镇政府，由镇长会签。"),
    ("王镇长", "村的责任书签给镇政府，由王镇长会签。"),
    ("李明", "村的责任书签给镇政府，由镇长李明会签。"),
])
def test_the_countersigner_is_named_without_repeating_the_title(world, name, line):
    Cadre.objects.filter(pk=world.head.pk).update(name=name)
    client = page_client(world.office.user)

    page = client.get("/cadres/tree/").content.decode()

    assert line in page
    assert "镇长镇长" not in page
