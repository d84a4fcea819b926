"""`portal.settings` is the development configuration (docs/design.md §6).

`portal.settings.production` and `portal.settings.test` import `base` directly; importing this
package first is harmless because nothing here touches the outside world.
"""

from .local import *
