"""Date formats for Simplified Chinese: Django's, with the month unpadded in MONTH_DAY_FORMAT
(12月5日 and 9月5日, not 09月5日), as people write dates here (docs/design.md §2). Templates and code
name the formats (DATE_FORMAT, MONTH_DAY_FORMAT …) so English shows English dates."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

MONTH_DAY_FORMAT = "n月j日"  # 9月5日
