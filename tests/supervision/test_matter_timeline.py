"""The matter page after a return (退回): the timeline names the event 退回重办, and once the matter
is resolved again the old 不满意 revisit is history (timeline only), not the current result."""

from __future__ import annotations

import re

from cadres.roles import actor_for
from supervision.models import Matter
from supervision.services.matters import (
    matter_assign,
    matter_create,
    matter_resolve,
    matter_revisit,
    matter_start,
)

REASON = "只换了两盏，村口那盏仍不亮。"


def _resolved(world):  # type: ignore[no-untyped-def]
    matter = matter_create(actor=actor_for(world.cadre1.user), village=world.v1, category="infrastructure",
                           description="三组路灯坏了三盏。")
    matter_assign(actor=actor_for(world.office.user), matter=matter, unit=world.unit, assignee=world.cadre2)
    matter_start(actor=actor_for(world.cadre2.user), matter=matter)
    return matter_resolve(actor=actor_for(world.cadre2.user), matter=matter, resolution="已更换两盏。")


def _page(client, user, matter):  # type: ignore[no-untyped-def]
    client.force_login(user)
    html = client.get(f"/matters/{matter.pk}/").content.decode()
    article = html[html.index("<article"):html.index("</article>")]
    timeline = html[html.index('<ol class="timeline">'):html.index("</ol>")]
    entries = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip() for li in timeline.split("<li>")[1:]]
    return article, entries


def test_a_return_is_labelled_in_the_timeline_and_its_revisit_explains_why_it_is_back(client, world):
    # given a resolved matter, sent back by the office with an unsatisfied revisit
    matter = _resolved(world)
    matter_revisit(actor=actor_for(world.office.user), matter=matter, satisfaction="unsatisfied", note=REASON)

    # when its assignee opens it
    article, entries = _page(client, world.cadre2.user, matter)

    # then the last event says it was sent back, from 已办结 to 办理中, with the reason
    assert "退回重办" in entries[-1] and "已办结 → 办理中" in entries[-1] and f"不满意：{REASON}" in entries[-1]
    assert not any("退回重办" in e for e in entries[:-1])
    # and the revisit is still the current result: it says why the matter is back
    assert f"回访：</strong>不满意，{REASON}" in article


def test_after_resolving_again_the_old_revisit_is_only_history(client, world):
    # given a returned matter that its assignee resolved again
    matter = _resolved(world)
    matter_revisit(actor=actor_for(world.office.user), matter=matter, satisfaction="unsatisfied", note=REASON)
    matter_resolve(actor=actor_for(world.cadre2.user), matter=Matter.objects.get(pk=matter.pk),
                   resolution="村口路灯已更换。")

    # when the raiser opens it to revisit
    article, entries = _page(client, world.cadre1.user, matter)

    # then the page shows the new resolution waiting for a revisit, not the old 不满意
    assert "村口路灯已更换。" in article
    assert "回访：" not in article and REASON not in article
    # and the old revisit is in the timeline, labelled as the return
    returned = [e for e in entries if "退回重办" in e]
    assert len(returned) == 1 and REASON in returned[0]
    assert "办理中 → 已办结" in entries[-1]


def test_a_satisfied_revisit_after_a_return_is_the_current_result(client, world):
    matter = _resolved(world)
    matter_revisit(actor=actor_for(world.office.user), matter=matter, satisfaction="unsatisfied", note=REASON)
    matter = matter_resolve(actor=actor_for(world.cadre2.user), matter=Matter.objects.get(pk=matter.pk),
                            resolution="村口路灯已更换。")
    matter_revisit(actor=actor_for(world.cadre1.user), matter=matter, satisfaction="satisfied", note="群众满意")

    article, entries = _page(client, world.office.user, matter)

    assert "回访：</strong>满意，群众满意" in article and REASON not in article
    assert "已办结 → 已回访" in entries[-1] and "退回重办" not in entries[-1]
