from collections.abc import Iterable

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def place_words() -> Iterable[str]:
    """The township's place names, so the segmenter keeps them whole (core.segment reads them once,
    at the first cut; `core.segment.reset()` after renaming to read them again)."""
    from .models import Township, Village, VillageGroup

    names: set[str] = set()
    for model in (Township, Village, VillageGroup):
        names.update(model.objects.values_list("name", flat=True))
    return sorted(names)


class CadresConfig(AppConfig):
    name = "cadres"
    verbose_name = _("干部与村组")

    def ready(self) -> None:
        from core.segment import register_word_source

        from .actor_cache import connect_receivers

        connect_receivers()
        register_word_source(place_words)
